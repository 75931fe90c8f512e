// Package adapter is a partner's adapter: the format, parse options, mapping
// program and lookup tables (cloned from a shipped internal/mapping
// template) that turn the partner's documents into canonical documents of
// a target API version, validated against that version's JSON Schema.
//
// # Revisions
//
// An adapter's mapping lives in numbered revisions. A draft revision may be
// edited; activating it compiles the program, supersedes the previous
// active revision and makes it the one the runtime uses. An active or
// superseded revision never changes again (the service refuses it and a
// database trigger enforces it): editing creates revision n+1 as a draft,
// so every document can say which revision mapped it.
//
// # Samples and conformance
//
// Each adapter has sample documents with an expected outcome: accepted
// with expected canonical documents, or rejected with expected error
// substrings. A conformance run executes every sample against one revision
// as an asynq task (TypeRunConformance), reports progress as it goes and
// ends passed or failed with a per-sample report (readable JSON diffs). A
// partner's conformance passes when every adapter with an active revision
// has its latest finished run on that revision passed and no sample changed
// since that run started; the partner checklist (partner.ReadinessFacts)
// and the go-live gate read it from here.
//
// # Running
//
// Service.Run is the single path from bytes to documents used by the
// playground, conformance and impact analysis: parse with the revision's
// options, map with its program (compiled once through the shared
// mapping.Compiler), validate against the target version's schema, and for
// X12 input build the 997 that would answer it.
//
// Every change is audited in the transaction that makes it, under entity
// type "adapter" and the adapter id.
package adapter

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
)

// EntityType is the audit entity type of every adapter event; the entity
// id is the adapter id.
const EntityType = "adapter"

// Audit actions written by this package.
const (
	ActionCreate             = "adapter.create"
	ActionSaveDraft          = "adapter.save_draft"
	ActionActivate           = "adapter.activate"
	ActionSampleAdd          = "adapter.sample_add"
	ActionSampleRemove       = "adapter.sample_remove"
	ActionSampleExpect       = "adapter.sample_expect"
	ActionConformanceRequest = "conformance.request"
	ActionConformanceRun     = "conformance.run"
)

// Errors; test with errors.Is.
var (
	ErrNotFound = errors.New("adapter: not found")
	ErrConflict = errors.New("adapter: already exists")
	// ErrImmutable is returned for a change to an active or superseded
	// revision (save a draft instead: it becomes revision n+1).
	ErrImmutable = errors.New("adapter: an activated revision is immutable")
	// ErrDoesNotCompile wraps the compile error of a mapping program (it
	// names the line and column).
	ErrDoesNotCompile = errors.New("adapter: the mapping program does not compile")
	// ErrNoQueue is returned by StartConformance when the service was built
	// without WithEnqueuer.
	ErrNoQueue = errors.New("adapter: no task queue configured")
	// ErrNoSamples is returned by StartConformance for an adapter without
	// samples: a run would prove nothing.
	ErrNoSamples = errors.New("adapter: the adapter has no samples")
)

// ValidationError carries a message per form field ("name", "template",
// "target", "program", "expect", ...), for the console to show next to
// the field.
type ValidationError struct{ Fields map[string]string }

// Error lists the field messages, sorted by field.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "adapter: invalid input: " + strings.Join(parts, "; ")
}

// Adapter is one partner's adapter.
type Adapter struct {
	ID        int64  `gorm:"primaryKey"`
	PartnerID int64  `gorm:"column:partner_id"`
	Name      string `gorm:"column:name"`
	// TemplateID is the internal/mapping template it was cloned from.
	TemplateID string `gorm:"column:template_id"`
	// Format is the formats.Parse format: x12, edifact, csv, json or xml.
	Format string `gorm:"column:format"`
	// DocType is the X12 set id or EDIFACT message type mapped ("" = all).
	DocType string `gorm:"column:doc_type"`
	// TargetAPIVersionID is the catalog API version whose JSON Schema every
	// output must satisfy.
	TargetAPIVersionID int64 `gorm:"column:target_api_version_id"`
	// ActiveRevisionID is the revision in use; nil until one is activated.
	ActiveRevisionID *int64 `gorm:"column:active_revision_id"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName binds Adapter to adapters.
func (Adapter) TableName() string { return "adapters" }

// Active reports whether the adapter has an active revision.
func (a Adapter) Active() bool { return a.ActiveRevisionID != nil }

// AdapterSummary is an adapter with what its list row shows.
type AdapterSummary struct {
	Adapter
	// ActiveRevision is the number of the active revision (0: none).
	ActiveRevision int
	// LatestRevision is the number of the newest revision.
	LatestRevision int
	// DraftPending reports whether the newest revision is a draft.
	DraftPending bool
	// Samples counts the adapter's samples.
	Samples int
	// LatestRun is the newest conformance run of any revision, or nil.
	LatestRun *ConformanceRun
}

// RevisionStatus is where a revision is in its life.
type RevisionStatus string

// Revision statuses.
const (
	RevisionDraft      RevisionStatus = "draft"
	RevisionActive     RevisionStatus = "active"
	RevisionSuperseded RevisionStatus = "superseded"
)

// Tables are an adapter's lookup tables, {"table": {"code": "value"}}, as
// mapping programs see them in $tables.
type Tables map[string]map[string]string

// Revision is one numbered version of an adapter's mapping.
type Revision struct {
	ID        int64  `gorm:"primaryKey"`
	AdapterID int64  `gorm:"column:adapter_id"`
	Number    int    `gorm:"column:number"`
	Program   string `gorm:"column:program"`
	Tables    Tables `gorm:"column:tables;type:jsonb;serializer:json"`
	// ParseOptions are the formats.Parse options (CSV delimiter, header,
	// grouping; size limits). Stored as ParseOptionsJSON.
	ParseOptions formats.Options `gorm:"-"`
	// ParseOptionsJSON is the stored form of ParseOptions, kept in step by
	// the GORM hooks; read ParseOptions instead.
	ParseOptionsJSON json.RawMessage `gorm:"column:parse_options;type:jsonb"`
	Status           RevisionStatus  `gorm:"column:status"`
	// CreatedBy is the audit actor id of whoever created the revision.
	CreatedBy string `gorm:"column:created_by"`
	CreatedAt time.Time
	// UpdatedAt is when the mapping (program, tables, parse options) last
	// changed; status changes do not move it.
	UpdatedAt time.Time
	// ActivatedAt is when the revision was (last) activated; nil for a
	// draft.
	ActivatedAt *time.Time `gorm:"column:activated_at"`
}

// AfterFind decodes ParseOptionsJSON into ParseOptions.
func (r *Revision) AfterFind(*gorm.DB) error {
	o, err := decodeOptions(r.ParseOptionsJSON)
	if err != nil {
		return fmt.Errorf("adapter: revision %d: %w", r.ID, err)
	}
	r.ParseOptions = o
	return nil
}

// BeforeSave encodes ParseOptions into ParseOptionsJSON and stores nil
// tables as an empty object.
func (r *Revision) BeforeSave(*gorm.DB) error {
	r.ParseOptionsJSON = encodeOptions(r.ParseOptions)
	if r.Tables == nil {
		r.Tables = Tables{}
	}
	return nil
}

// optionsJSON is the stored shape of formats.Options: runes as
// one-character strings, zero values left out.
type optionsJSON struct {
	Delimiter   string `json:"delimiter,omitempty"`
	Header      bool   `json:"header,omitempty"`
	GroupBy     string `json:"groupBy,omitempty"`
	Comment     string `json:"comment,omitempty"`
	MaxBytes    int    `json:"maxBytes,omitempty"`
	MaxDepth    int    `json:"maxDepth,omitempty"`
	MaxElements int    `json:"maxElements,omitempty"`
}

func runeString(r rune) string {
	if r == 0 {
		return ""
	}
	return string(r)
}

func stringRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func encodeOptions(o formats.Options) json.RawMessage {
	b, _ := json.Marshal(optionsJSON{Delimiter: runeString(o.Delimiter), Header: o.Header, GroupBy: o.GroupBy,
		Comment: runeString(o.Comment), MaxBytes: o.MaxBytes, MaxDepth: o.MaxDepth, MaxElements: o.MaxElements}) // cannot fail
	return b
}

func decodeOptions(b json.RawMessage) (formats.Options, error) {
	if len(b) == 0 {
		return formats.Options{}, nil
	}
	var j optionsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return formats.Options{}, fmt.Errorf("parse options: %w", err)
	}
	return formats.Options{Delimiter: stringRune(j.Delimiter), Header: j.Header, GroupBy: j.GroupBy,
		Comment: stringRune(j.Comment), MaxBytes: j.MaxBytes, MaxDepth: j.MaxDepth, MaxElements: j.MaxElements}, nil
}

// TableName binds Revision to adapter_revisions.
func (Revision) TableName() string { return "adapter_revisions" }

// Editable reports whether the revision is a draft.
func (r Revision) Editable() bool { return r.Status == RevisionDraft }

// Expect is the outcome a sample must have.
type Expect string

// Expected outcomes.
const (
	ExpectAccepted Expect = "accepted"
	ExpectRejected Expect = "rejected"
)

// Sample is a sample document of an adapter with its expected outcome.
type Sample struct {
	ID        int64  `gorm:"primaryKey"`
	AdapterID int64  `gorm:"column:adapter_id"`
	Name      string `gorm:"column:name"`
	// Content is the payload exactly as the partner sends it.
	Content []byte `gorm:"column:content"`
	Expect  Expect `gorm:"column:expect"`
	// ExpectedOutput, for an accepted sample, is the JSON array of canonical
	// documents it must map to; nil accepts any valid output.
	ExpectedOutput json.RawMessage `gorm:"column:expected_output;type:jsonb"`
	// ExpectedErrors, for a rejected sample, are substrings each of which
	// must appear (case-insensitively) in one of the errors.
	ExpectedErrors StringList `gorm:"column:expected_errors;type:jsonb"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName binds Sample to adapter_samples.
func (Sample) TableName() string { return "adapter_samples" }

// RunStatus is where a conformance run is.
type RunStatus string

// Conformance run statuses.
const (
	RunQueued  RunStatus = "queued"
	RunRunning RunStatus = "running"
	RunPassed  RunStatus = "passed"
	RunFailed  RunStatus = "failed"
	// RunError: the run could not judge the samples (the program does not
	// compile, the target schema does not compile, the task could not be
	// queued); Message says why.
	RunError RunStatus = "error"
)

// Finished reports whether the run has ended.
func (s RunStatus) Finished() bool { return s == RunPassed || s == RunFailed || s == RunError }

// ConformanceRun is one execution of an adapter's samples against one
// revision. Done, Passed and Failed count up while it runs (the console's
// progress bar: Done of Total).
type ConformanceRun struct {
	ID              int64     `gorm:"primaryKey"`
	AdapterID       int64     `gorm:"column:adapter_id"`
	RevisionID      int64     `gorm:"column:revision_id"`
	Status          RunStatus `gorm:"column:status"`
	Total           int       `gorm:"column:total"`
	Done            int       `gorm:"column:done"`
	Passed          int       `gorm:"column:passed"`
	Failed          int       `gorm:"column:failed"`
	Message         string    `gorm:"column:message"`
	RequestedBy     string    `gorm:"column:requested_by"`
	RequestedByName string    `gorm:"column:requested_by_name"`
	CreatedAt       time.Time
	StartedAt       *time.Time `gorm:"column:started_at"`
	FinishedAt      *time.Time `gorm:"column:finished_at"`
}

// TableName binds ConformanceRun to conformance_runs.
func (ConformanceRun) TableName() string { return "conformance_runs" }

// Progress is the share of samples done, 0 to 100.
func (r ConformanceRun) Progress() int {
	if r.Total == 0 {
		if r.Status.Finished() {
			return 100
		}
		return 0
	}
	return r.Done * 100 / r.Total
}

// Outcome is the verdict on one sample.
type Outcome string

// Sample outcomes.
const (
	OutcomePassed Outcome = "passed"
	OutcomeFailed Outcome = "failed"
)

// Difference kinds.
const (
	DiffChanged = "changed" // both have a value at Path, and they differ
	DiffMissing = "missing" // expected a value at Path, the mapping produced none
	DiffExtra   = "extra"   // the mapping produced a value at Path that was not expected
)

// Difference is one place where the produced documents differ from the
// expected ones.
type Difference struct {
	// Path is the JSON Pointer into the array of documents, e.g.
	// "/0/lines/1/quantity/value" (document 1, second line).
	Path string `json:"path"`
	Kind string `json:"kind"`
	// Expected and Actual are compact JSON ("" for the side that has no
	// value).
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

// MaxDifferences bounds the differences kept per sample.
const MaxDifferences = 50

// ResultDetail explains a sample's outcome.
type ResultDetail struct {
	Expect Expect `json:"expect"`
	// Problems say in words why the sample failed (empty when it passed).
	Problems []string `json:"problems,omitempty"`
	// Differences between the expected and the produced documents, at most
	// MaxDifferences; Truncated says more were found.
	Differences []Difference `json:"differences,omitempty"`
	Truncated   bool         `json:"truncated,omitempty"`
	// Errors are the errors the run produced, as text.
	Errors []string `json:"errors,omitempty"`
	// MissingErrors are the expected error substrings not found.
	MissingErrors []string `json:"missingErrors,omitempty"`
	// Documents counts the documents produced.
	Documents int `json:"documents"`
}

// ConformanceResult is one sample's outcome in one run.
type ConformanceResult struct {
	ID    int64 `gorm:"primaryKey"`
	RunID int64 `gorm:"column:run_id"`
	// SampleID is nil once the sample has been removed; SampleName stays.
	SampleID   *int64       `gorm:"column:sample_id"`
	SampleName string       `gorm:"column:sample_name"`
	Outcome    Outcome      `gorm:"column:outcome"`
	Detail     ResultDetail `gorm:"column:detail;type:jsonb;serializer:json"`
	DurationMS int          `gorm:"column:duration_ms"`
	CreatedAt  time.Time
}

// TableName binds ConformanceResult to conformance_results.
func (ConformanceResult) TableName() string { return "conformance_results" }

// Report is a conformance run with every sample's result, failed samples
// first, then by name.
type Report struct {
	Run      ConformanceRun
	Adapter  Adapter
	Revision Revision
	Results  []ConformanceResult
}

// RunResult is what running a revision on a payload gives: the mapping
// result (documents, errors by stage, skipped inputs) and, for X12 input,
// the TA1 and 997 that would acknowledge it.
type RunResult struct {
	mapping.Result
	// Ack is the interchange(s) answering X12 input (TA1 where needed,
	// 997), serialized; "" for other formats, unparsable input or nothing
	// to acknowledge.
	Ack string
	// Revision is the revision that ran.
	Revision Revision
}

// ImpactChange is a proposed change to analyse. Set TemplateID and Program
// for a template change (the adapters cloned from the template run the
// proposed program with their own tables and parse options), or
// APIVersionID and NewSchema for a schema change (the adapters targeting the
// version validate against the proposed schema). Both may be set.
type ImpactChange struct {
	TemplateID   string
	Program      string
	APIVersionID int64
	NewSchema    string
}

// PartnerRef names a partner in reports.
type PartnerRef struct {
	ID   int64
	Code string
	Name string
}

// ImpactRow is one affected adapter: how many of its samples would fail
// under the proposed change, with a few examples ("sample: reason").
type ImpactRow struct {
	Partner  PartnerRef
	Adapter  Adapter
	Revision int // the revision number analysed (active, else latest)
	// Customized reports, for a template change, that the adapter's program
	// differs from the template's current program (adopting the change
	// would discard the partner's edits).
	Customized     bool
	SamplesFailing int
	Total          int
	Examples       []string
}

// MaxImpactExamples bounds ImpactRow.Examples.
const MaxImpactExamples = 3

// StringList is a list of strings stored as a JSON array (NULL when nil).
type StringList []string

// Value implements driver.Valuer.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return nil, nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("adapter: cannot scan %T into StringList", src)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("adapter: scan StringList: %w", err)
	}
	*l = out
	return nil
}

// idString formats an id for audit entity ids and task ids.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
