package adapter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/store"
)

// Enqueuer queues tasks; *asynq.Client is one.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Option configures a Service.
type Option func(*Service)

// WithEnqueuer sets the queue StartConformance puts its task on. Without
// it StartConformance returns ErrNoQueue.
func WithEnqueuer(q Enqueuer) Option { return func(s *Service) { s.queue = q } }

// WithClock replaces the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// Service reads and changes adapters, runs them, and answers the partner
// checklist and the deprecation schedule. It is safe for concurrent use.
type Service struct {
	db       *gorm.DB
	catalog  *catalog.Service
	compiler *mapping.Compiler
	log      *slog.Logger
	queue    Enqueuer
	now      func() time.Time

	mu      sync.Mutex
	schemas map[int64]cachedSchema // compiled target schemas by API version id
}

// cachedSchema is a compiled schema and the SHA-256 of the text it was
// compiled from (a draft version's schema may still change).
type cachedSchema struct {
	sum    [32]byte
	schema *jsonschema.Schema
}

// NewService returns the adapter service. catalog loads target API
// versions; compiler is the process-wide mapping.Compiler whose cache
// every adapter program goes through.
func NewService(db *gorm.DB, cat *catalog.Service, compiler *mapping.Compiler, log *slog.Logger, opts ...Option) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, catalog: cat, compiler: compiler, log: log, now: time.Now, schemas: make(map[int64]cachedSchema)}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func duplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

func forUpdate() clause.Expression { return clause.Locking{Strength: "UPDATE"} }

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// lockAdapter loads an adapter inside tx and locks its row until commit:
// revision and sample changes of one adapter are serialised by it.
func lockAdapter(tx *gorm.DB, id int64) (Adapter, error) {
	var a Adapter
	if err := tx.Clauses(forUpdate()).Take(&a, id).Error; err != nil {
		return Adapter{}, fmt.Errorf("adapter %d: %w", id, notFound(err))
	}
	return a, nil
}

// partnerRef loads a partner's id, code and name.
func partnerRef(db *gorm.DB, id int64) (PartnerRef, error) {
	var p PartnerRef
	res := db.Raw(`SELECT id, code, name FROM partners WHERE id = ?`, id).Scan(&p)
	if res.Error != nil {
		return PartnerRef{}, res.Error
	}
	if res.RowsAffected == 0 {
		return PartnerRef{}, fmt.Errorf("partner %d: %w", id, ErrNotFound)
	}
	return p, nil
}

// CloneTemplate creates a partner's adapter from a shipped mapping template
// (mapping.Templates): the template's format and document type, and
// revision 1 as a draft holding its program, lookup tables and parse
// options. targetVersionID is the catalog API version whose JSON Schema
// the outputs must satisfy; it must have a schema that compiles and must
// not be retired. An empty name takes the template's name. Invalid input
// is a *ValidationError.
//
// The adapter gets the template's samples (mapping.TemplateSamples), in the
// same transaction: an accepted one expects exactly what the template maps
// it to under the target's schema (as RecordExpected on revision 1 would
// record), so conformance passes right after cloning; one whose output the
// target's schema refuses expects any valid output, and conformance shows
// why it fails. A rejected one expects the template's error.
func (s *Service) CloneTemplate(ctx context.Context, partnerID int64, templateID, name string, targetVersionID int64) (Adapter, error) {
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	tpl, err := mapping.TemplateByID(templateID)
	if err != nil {
		fields["template"] = fmt.Sprintf("There is no mapping template %q.", templateID)
	} else if name == "" {
		name = tpl.Name
	}
	switch {
	case name == "":
		fields["name"] = "Give the adapter a name."
	case len([]rune(name)) > 100:
		fields["name"] = "Use at most 100 characters."
	}
	if msg, err := s.checkTarget(ctx, targetVersionID); err != nil {
		return Adapter{}, fmt.Errorf("adapter: clone %s for partner %d: %w", templateID, partnerID, err)
	} else if msg != "" {
		fields["target"] = msg
	}
	if len(fields) > 0 {
		return Adapter{}, fmt.Errorf("adapter: clone %s for partner %d: %w", templateID, partnerID, &ValidationError{Fields: fields})
	}
	docType := ""
	if tpl.Format == "x12" || tpl.Format == "edifact" {
		docType = tpl.DocType
	}
	samples, err := s.templateSamples(ctx, tpl, docType, targetVersionID)
	if err != nil {
		return Adapter{}, fmt.Errorf("adapter: clone %s for partner %d: %w", templateID, partnerID, err)
	}
	var a Adapter
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := partnerRef(tx, partnerID)
		if err != nil {
			return err
		}
		now := s.clock()
		a = Adapter{PartnerID: p.ID, Name: name, TemplateID: tpl.ID, Format: tpl.Format, DocType: docType,
			TargetAPIVersionID: targetVersionID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&a).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"name": fmt.Sprintf("Partner %s has an adapter named %q already.", p.Code, name)}}
			}
			return err
		}
		r := Revision{AdapterID: a.ID, Number: 1, Program: tpl.Program, Tables: Tables(tpl.Tables), ParseOptions: tpl.ParseOptions,
			Status: RevisionDraft, CreatedBy: audit.ActorFrom(ctx).ID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Change{Action: ActionCreate, EntityType: EntityType, EntityID: idString(a.ID),
			After: map[string]any{"partner": p.Code, "name": a.Name, "template": a.TemplateID, "format": a.Format, "doc_type": a.DocType,
				"target_api_version_id": a.TargetAPIVersionID, "revision": 1, "program_sha256": sha([]byte(r.Program))}}); err != nil {
			return err
		}
		for _, sm := range samples {
			sm.AdapterID, sm.CreatedAt, sm.UpdatedAt = a.ID, now, now
			if err := tx.Create(&sm).Error; err != nil {
				return err
			}
			after := sampleAudit(sm)
			after["from_template"] = tpl.ID
			if err := audit.Record(ctx, tx, audit.Change{Action: ActionSampleAdd, EntityType: EntityType, EntityID: idString(a.ID),
				After: after}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Adapter{}, fmt.Errorf("adapter: clone %s for partner %d: %w", templateID, partnerID, err)
	}
	return a, nil
}

// templateSamples reads a template's samples with their expectations: the
// accepted ones are mapped by the template, validated against the target
// version's schema, and expect the documents that gives.
func (s *Service) templateSamples(ctx context.Context, tpl mapping.Template, docType string, targetVersionID int64) ([]Sample, error) {
	specs := mapping.TemplateSamples(tpl.ID)
	if len(specs) == 0 {
		return nil, nil
	}
	schema, err := s.targetSchema(ctx, targetVersionID)
	if err != nil {
		return nil, err
	}
	m, err := s.mapperFor(Adapter{Format: tpl.Format, DocType: docType},
		Revision{Program: tpl.Program, Tables: Tables(tpl.Tables), ParseOptions: tpl.ParseOptions}, schema, "")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", tpl.ID, err)
	}
	out := make([]Sample, 0, len(specs))
	for _, spec := range specs {
		content, err := mapping.TemplateSample(spec.File)
		if err != nil {
			return nil, err
		}
		sm := Sample{Name: spec.Name(), Content: content}
		switch spec.Expect {
		case mapping.SampleRejected:
			sm.Expect, sm.ExpectedErrors = ExpectRejected, StringList{spec.Error}
		default:
			sm.Expect = ExpectAccepted
			if res := m.Run(ctx, content); len(res.Errors) == 0 && len(res.Documents) > 0 {
				if sm.ExpectedOutput, err = json.Marshal(res.Documents); err != nil {
					return nil, fmt.Errorf("template sample %s: %w", spec.Name(), err)
				}
			} else {
				s.log.Warn("template sample not accepted by the target; it expects any valid output", "template", tpl.ID,
					"sample", spec.Name(), "target_api_version_id", targetVersionID, slog.Any("error", res.Err()))
			}
		}
		out = append(out, sm)
	}
	return out, nil
}

// checkTarget says what is wrong with a target API version for a form
// field ("" when nothing), or returns a lookup error.
func (s *Service) checkTarget(ctx context.Context, versionID int64) (string, error) {
	v, err := s.catalog.VersionByID(ctx, versionID)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		return "Choose an API version of the catalog.", nil
	case err != nil:
		return "", err
	case v.Lifecycle == catalog.Retired:
		return fmt.Sprintf("Version %s is retired; choose a live version.", v.Version), nil
	case strings.TrimSpace(v.Schema) == "":
		return fmt.Sprintf("Version %s has no JSON Schema contract to validate against.", v.Version), nil
	}
	if _, err := catalog.CompileSchema(v.Schema); err != nil {
		return fmt.Sprintf("The JSON Schema of version %s does not compile: %v", v.Version, err), nil
	}
	return "", nil
}

// Adapter loads an adapter by id.
func (s *Service) Adapter(ctx context.Context, id int64) (Adapter, error) {
	var a Adapter
	if err := s.db.WithContext(ctx).Take(&a, id).Error; err != nil {
		return Adapter{}, fmt.Errorf("adapter: get %d: %w", id, notFound(err))
	}
	return a, nil
}

// adapterSummaries: per adapter of a partner, the numbers of its active
// and newest revision, whether the newest is a draft, and its sample count.
const adapterSummaries = `
SELECT a.id, coalesce(ar.number, 0) AS active_revision, coalesce(lr.number, 0) AS latest_revision,
       coalesce(lr.status = 'draft', false) AS draft_pending,
       (SELECT count(*) FROM adapter_samples s WHERE s.adapter_id = a.id) AS samples
FROM adapters a
LEFT JOIN adapter_revisions ar ON ar.id = a.active_revision_id
LEFT JOIN LATERAL (SELECT number, status FROM adapter_revisions r WHERE r.adapter_id = a.id ORDER BY number DESC LIMIT 1) lr ON true
WHERE a.partner_id = ?`

// Adapters lists a partner's adapters by name, with their revision
// numbers, sample counts and latest conformance run.
func (s *Service) Adapters(ctx context.Context, partnerID int64) ([]AdapterSummary, error) {
	db := s.db.WithContext(ctx)
	var as []Adapter
	if err := db.Where("partner_id = ?", partnerID).Order("lower(name), id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("adapter: adapters of partner %d: %w", partnerID, err)
	}
	if len(as) == 0 {
		return []AdapterSummary{}, nil
	}
	var extras []struct {
		ID             int64
		ActiveRevision int
		LatestRevision int
		DraftPending   bool
		Samples        int
	}
	if err := db.Raw(adapterSummaries, partnerID).Scan(&extras).Error; err != nil {
		return nil, fmt.Errorf("adapter: adapters of partner %d: %w", partnerID, err)
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	var runs []ConformanceRun
	if err := db.Raw(`SELECT DISTINCT ON (adapter_id) * FROM conformance_runs WHERE adapter_id IN ? ORDER BY adapter_id, id DESC`, ids).
		Scan(&runs).Error; err != nil {
		return nil, fmt.Errorf("adapter: adapters of partner %d: latest runs: %w", partnerID, err)
	}
	latest := make(map[int64]*ConformanceRun, len(runs))
	for i := range runs {
		latest[runs[i].AdapterID] = &runs[i]
	}
	out := make([]AdapterSummary, len(as))
	for i, a := range as {
		out[i] = AdapterSummary{Adapter: a, LatestRun: latest[a.ID]}
		for _, e := range extras {
			if e.ID == a.ID {
				out[i].ActiveRevision, out[i].LatestRevision, out[i].DraftPending, out[i].Samples = e.ActiveRevision, e.LatestRevision, e.DraftPending, e.Samples
			}
		}
	}
	return out, nil
}

// adaptersByTemplate: how many adapters were cloned from each template.
const adaptersByTemplate = `SELECT template_id, count(*) AS n FROM adapters WHERE template_id <> '' GROUP BY template_id`

// TemplateUsage counts the adapters cloned from each template, by template
// id. Templates no adapter was cloned from are left out.
func (s *Service) TemplateUsage(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		TemplateID string
		N          int
	}
	if err := s.db.WithContext(ctx).Raw(adaptersByTemplate).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("adapter: template usage: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.TemplateID] = r.N
	}
	return out, nil
}

// Revisions lists an adapter's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, adapterID int64) ([]Revision, error) {
	var rs []Revision
	if err := s.db.WithContext(ctx).Where("adapter_id = ?", adapterID).Order("number DESC").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("adapter: revisions of %d: %w", adapterID, err)
	}
	return rs, nil
}

// Revision loads a revision by id.
func (s *Service) Revision(ctx context.Context, id int64) (Revision, error) {
	var r Revision
	if err := s.db.WithContext(ctx).Take(&r, id).Error; err != nil {
		return Revision{}, fmt.Errorf("adapter: revision %d: %w", id, notFound(err))
	}
	return r, nil
}

// latestRevision returns the adapter's newest revision.
func latestRevision(db *gorm.DB, adapterID int64, lock bool) (Revision, error) {
	q := db.Where("adapter_id = ?", adapterID).Order("number DESC")
	if lock {
		q = q.Clauses(forUpdate())
	}
	var r Revision
	if err := q.Take(&r).Error; err != nil {
		return Revision{}, fmt.Errorf("latest revision of %d: %w", adapterID, notFound(err))
	}
	return r, nil
}

// currentRevision is the revision conformance and impact analysis judge:
// the active one, else the newest.
func currentRevision(db *gorm.DB, a Adapter) (Revision, error) {
	if a.ActiveRevisionID != nil {
		var r Revision
		if err := db.Take(&r, *a.ActiveRevisionID).Error; err != nil {
			return Revision{}, fmt.Errorf("active revision %d: %w", *a.ActiveRevisionID, notFound(err))
		}
		return r, nil
	}
	return latestRevision(db, a.ID, false)
}

func sameTables(a, b Tables) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// SaveDraft saves an edit of the adapter's mapping. When the newest
// revision is a draft it is updated in place; when it is active or
// superseded (immutable), the edit becomes a new draft revision n+1. Saving
// what the newest revision holds already writes nothing and returns it. A
// draft may hold a program that does not compile yet; Activate refuses it.
func (s *Service) SaveDraft(ctx context.Context, adapterID int64, program string, tables Tables, parseOptions formats.Options) (Revision, error) {
	if strings.TrimSpace(program) == "" {
		return Revision{}, fmt.Errorf("adapter: save draft of %d: %w", adapterID,
			&ValidationError{Fields: map[string]string{"program": "The mapping program is empty."}})
	}
	if tables == nil {
		tables = Tables{}
	}
	var r Revision
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := lockAdapter(tx, adapterID)
		if err != nil {
			return err
		}
		latest, err := latestRevision(tx, a.ID, true)
		if err != nil {
			return err
		}
		if latest.Program == program && sameTables(latest.Tables, tables) && latest.ParseOptions == parseOptions {
			r = latest
			return nil
		}
		now := s.clock()
		created := !latest.Editable()
		if created {
			r = Revision{AdapterID: a.ID, Number: latest.Number + 1, Program: program, Tables: tables, ParseOptions: parseOptions,
				Status: RevisionDraft, CreatedBy: audit.ActorFrom(ctx).ID, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
		} else {
			r = latest
			r.Program, r.Tables, r.ParseOptions, r.UpdatedAt = program, tables, parseOptions, now
			if err := r.BeforeSave(tx); err != nil {
				return err
			}
			tablesJSON, err := json.Marshal(r.Tables)
			if err != nil {
				return err
			}
			if err := tx.Table("adapter_revisions").Where("id = ?", r.ID).Updates(map[string]any{"program": r.Program,
				"tables": string(tablesJSON), "parse_options": string(r.ParseOptionsJSON), "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if err := tx.Table("adapters").Where("id = ?", a.ID).Update("updated_at", now).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionSaveDraft, EntityType: EntityType, EntityID: idString(a.ID),
			Before: map[string]any{"revision": latest.Number, "status": latest.Status, "program_sha256": sha([]byte(latest.Program))},
			After: map[string]any{"revision": r.Number, "status": r.Status, "new_revision": created, "program_sha256": sha([]byte(r.Program)),
				"tables": r.Tables, "parse_options": r.ParseOptionsJSON}})
	})
	if err != nil {
		return Revision{}, fmt.Errorf("adapter: save draft of %d: %w", adapterID, err)
	}
	return r, nil
}

// Activate makes a revision the adapter's active one: its program must
// compile (else the error wraps ErrDoesNotCompile with line and column);
// the previous active revision becomes superseded. Activating a superseded
// revision rolls back to it; activating the active one changes nothing.
func (s *Service) Activate(ctx context.Context, revisionID int64) (Revision, error) {
	var r Revision
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var probe Revision
		if err := tx.Select("id, adapter_id").Take(&probe, revisionID).Error; err != nil {
			return fmt.Errorf("revision %d: %w", revisionID, notFound(err))
		}
		a, err := lockAdapter(tx, probe.AdapterID)
		if err != nil {
			return err
		}
		if err := tx.Clauses(forUpdate()).Take(&r, revisionID).Error; err != nil {
			return fmt.Errorf("revision %d: %w", revisionID, notFound(err))
		}
		if r.Status == RevisionActive {
			return nil
		}
		if _, err := s.compiler.Compile(r.Program); err != nil {
			return fmt.Errorf("%w: %w", ErrDoesNotCompile, err)
		}
		before := map[string]any{"active_revision": nil}
		if a.ActiveRevisionID != nil {
			var prev Revision
			if err := tx.Select("id, number").Take(&prev, *a.ActiveRevisionID).Error; err != nil {
				return fmt.Errorf("active revision %d: %w", *a.ActiveRevisionID, err)
			}
			before["active_revision"] = prev.Number
		}
		now := s.clock()
		// updated_at of a revision is when its mapping last changed: status
		// changes leave it alone (conformance runs are judged against it).
		if err := tx.Table("adapter_revisions").Where("adapter_id = ? AND status = ?", a.ID, RevisionActive).
			Update("status", RevisionSuperseded).Error; err != nil {
			return err
		}
		from := r.Status
		r.Status, r.ActivatedAt = RevisionActive, &now
		if err := tx.Table("adapter_revisions").Where("id = ?", r.ID).Updates(map[string]any{"status": r.Status, "activated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Table("adapters").Where("id = ?", a.ID).Updates(map[string]any{"active_revision_id": r.ID, "updated_at": now}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionActivate, EntityType: EntityType, EntityID: idString(a.ID),
			Before: before, After: map[string]any{"active_revision": r.Number, "revision_id": r.ID, "from_status": from,
				"program_sha256": sha([]byte(r.Program))}})
	})
	if err != nil {
		return Revision{}, fmt.Errorf("adapter: activate revision %d: %w", revisionID, err)
	}
	return r, nil
}
