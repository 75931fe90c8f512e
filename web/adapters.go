package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/views/pages"
)

// Mapping templates and partners' adapters: the templates library with
// its impact analysis (this file), the partner page's adapters section
// and the clone form (this file), the adapter editor with the playground
// and samples (adapters_editor.go, adapters_playground.go) and the
// conformance reports (adapters_conformance.go).

// adapterError maps the adapter package's not-found to the one the error
// handler turns into a 404 page.
func adapterError(err error) error {
	if errors.Is(err, adapter.ErrNotFound) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}

// adapterValidation returns the field messages of an adapter validation
// error, or nil.
func adapterValidation(err error) map[string]string {
	var ve *adapter.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func adapterURL(code string, id int64) string {
	return "/partners/" + code + "/adapters/" + strconv.FormatInt(id, 10)
}

// adapterFlashText maps the flash codes adapter handlers redirect with to
// sentences (no text from the URL is echoed).
func adapterFlashText(code string) string {
	switch code {
	case "adapter-created":
		return "The adapter was cloned with revision 1 as a draft and the template's samples, each with its expected outcome. Try it in the playground, run the conformance tests, then activate it."
	case "draft-saved":
		return "The draft was saved. Activate it when the playground and the samples agree."
	case "draft-unchanged":
		return "Nothing changed: the newest revision holds this mapping already."
	case "revision-activated":
		return "The revision is active: the partner's documents are mapped by it from now on."
	case "sample-added":
		return "The sample was added. Record its expected output, or run the conformance tests."
	case "sample-removed":
		return "The sample was removed."
	case "expectation-recorded":
		return "The sample's expectation was recorded from the newest revision's output."
	}
	return ""
}

func adapterFlash(c *fiber.Ctx, current string) string {
	if t := adapterFlashText(c.Query("flash")); t != "" {
		return t
	}
	return current
}

// ---- parse options as the editor shows them ----

// optionsDoc is the parse options' JSON as the editor shows it: the shape
// the adapter package stores (runes as one-character strings, zero values
// left out).
type optionsDoc struct {
	Delimiter   string `json:"delimiter,omitempty"`
	Header      bool   `json:"header,omitempty"`
	GroupBy     string `json:"groupBy,omitempty"`
	Comment     string `json:"comment,omitempty"`
	MaxBytes    int    `json:"maxBytes,omitempty"`
	MaxDepth    int    `json:"maxDepth,omitempty"`
	MaxElements int    `json:"maxElements,omitempty"`
}

func optionsText(o formats.Options) string {
	d := optionsDoc{Header: o.Header, GroupBy: o.GroupBy, MaxBytes: o.MaxBytes, MaxDepth: o.MaxDepth, MaxElements: o.MaxElements}
	if o.Delimiter != 0 {
		d.Delimiter = string(o.Delimiter)
	}
	if o.Comment != 0 {
		d.Comment = string(o.Comment)
	}
	b, _ := json.MarshalIndent(d, "", "  ") // cannot fail
	return string(b)
}

// parseOptionsText reads the editor's parse options; the message says
// what is wrong in words.
func parseOptionsText(s string) (formats.Options, string) {
	if strings.TrimSpace(s) == "" {
		return formats.Options{}, ""
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var d optionsDoc
	if err := dec.Decode(&d); err != nil {
		return formats.Options{}, "The parse options are not valid: " + err.Error() + ". Known fields: delimiter, header, groupBy, comment, maxBytes, maxDepth, maxElements."
	}
	o := formats.Options{Header: d.Header, GroupBy: d.GroupBy, MaxBytes: d.MaxBytes, MaxDepth: d.MaxDepth, MaxElements: d.MaxElements}
	for name, v := range map[string]string{"delimiter": d.Delimiter, "comment": d.Comment} {
		r := []rune(v)
		if len(r) > 1 {
			return formats.Options{}, "The parse option " + name + " must be one character, not " + strconv.Quote(v) + "."
		}
		if len(r) == 1 && name == "delimiter" {
			o.Delimiter = r[0]
		} else if len(r) == 1 {
			o.Comment = r[0]
		}
	}
	if o.MaxBytes < 0 || o.MaxDepth < 0 || o.MaxElements < 0 {
		return formats.Options{}, "The size limits must be positive numbers, or left out for the defaults."
	}
	return o, ""
}

func tablesText(t map[string]map[string]string) string {
	if t == nil {
		t = map[string]map[string]string{}
	}
	b, _ := json.MarshalIndent(t, "", "  ") // cannot fail
	return string(b)
}

// parseTablesText reads the editor's lookup tables.
func parseTablesText(s string) (adapter.Tables, string) {
	if strings.TrimSpace(s) == "" {
		return adapter.Tables{}, ""
	}
	var t adapter.Tables
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&t); err != nil {
		return nil, "The lookup tables are not valid: " + err.Error() + `. Write {"table": {"code": "value"}}, with text values.`
	}
	if dec.More() {
		return nil, "The lookup tables must be one JSON object."
	}
	return t, ""
}

func codeLines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// ---- templates library ----

func templateView(t mapping.Template, adapters int) pages.TemplateView {
	v := pages.TemplateView{ID: t.ID, Name: t.Name, Format: t.Format, DocType: t.DocType, Target: t.Target, Versions: t.Versions,
		Program: codeLines(t.Program), Tables: codeLines(tablesText(t.Tables)), Adapters: adapters}
	if o := optionsText(t.ParseOptions); o != "{}" {
		v.Options = codeLines(o)
	}
	for _, sm := range mapping.TemplateSamples(t.ID) { // what a clone gets: the mapped samples and the refused ones
		v.Samples = append(v.Samples, sm.Name())
	}
	return v
}

// templatesPage is the library of shipped mapping templates.
func (s *Server) templatesPage(c *fiber.Ctx) error {
	usage, err := s.d.Adapters.TemplateUsage(ctx(c))
	if err != nil {
		return err
	}
	m := pages.TemplatesPage{Chrome: s.chrome(c, "Mapping templates"), CanManage: role(c).Can(auth.PermPartnersManage)}
	for _, t := range mapping.Templates() {
		m.Templates = append(m.Templates, templateView(t, usage[t.ID]))
	}
	return s.render(c, fiber.StatusOK, pages.Templates(m))
}

func (s *Server) templateModel(c *fiber.Ctx) (pages.TemplatePage, error) {
	t, err := mapping.TemplateByID(param(c, "id"))
	if err != nil {
		return pages.TemplatePage{}, fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	usage, err := s.d.Adapters.TemplateUsage(ctx(c))
	if err != nil {
		return pages.TemplatePage{}, err
	}
	return pages.TemplatePage{Chrome: s.chrome(c, t.Name), Template: templateView(t, usage[t.ID]), CanManage: role(c).Can(auth.PermPartnersManage),
		PlaygroundJS: s.d.Assets.URL("js/playground.js")}, nil
}

// templatePage is one template: program, options, tables, samples and
// the impact analysis form.
func (s *Server) templatePage(c *fiber.Ctx) error {
	m, err := s.templateModel(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.TemplateDetail(m))
}

// templateImpact runs the pasted program over the samples of every
// adapter cloned from the template; nothing is saved.
func (s *Server) templateImpact(c *fiber.Ctx) error {
	m, err := s.templateModel(c)
	if err != nil {
		return err
	}
	program := formText(c, "program")
	m.Impact = pages.ImpactView{Ran: true, Program: program}
	rows, err := s.d.Adapters.Impact(ctx(c), adapter.ImpactChange{TemplateID: m.Template.ID, Program: program})
	status := fiber.StatusOK
	if fields := adapterValidation(err); fields != nil {
		m.Impact.Error = strings.Join(fieldMessages(fields), "\n")
		if !isHTMX(c) { // htmx swaps only 2xx answers
			status = fiber.StatusUnprocessableEntity
		}
	} else if err != nil {
		return adapterError(err)
	}
	m.Impact.Checked = len(rows)
	for _, r := range rows {
		m.Impact.Rows = append(m.Impact.Rows, pages.ImpactRow{PartnerCode: r.Partner.Code, PartnerName: r.Partner.Name, AdapterID: r.Adapter.ID,
			AdapterName: r.Adapter.Name, Revision: r.Revision, Customized: r.Customized, Failing: r.SamplesFailing, Total: r.Total, Examples: r.Examples})
	}
	return s.render(c, status, pages.TemplateDetail(m), pages.ImpactResult(m.Impact))
}

// ---- the partner page's adapters section ----

// adapterTarget is an API version an adapter can target.
type adapterTarget struct {
	ID        int64
	Name      string
	Slug      string
	Version   string
	Lifecycle string
}

func adapterTargetOf(r catalog.VersionRef) adapterTarget {
	return adapterTarget{ID: r.ID, Name: r.APIName, Slug: r.APISlug, Version: r.Version, Lifecycle: string(r.Lifecycle)}
}

func (t adapterTarget) label() string { return t.Name + " " + t.Version }

func (t adapterTarget) url() string { return "/catalog/apis/" + t.Slug + "/versions/" + t.Version }

// targetsByID loads the API versions adapters target, by id.
func (s *Server) targetsByID(c *fiber.Ctx, ids []int64) (map[int64]adapterTarget, error) {
	refs, err := s.d.Catalog.VersionRefsByID(ctx(c), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]adapterTarget, len(refs))
	for id, r := range refs {
		out[id] = adapterTargetOf(r)
	}
	return out, nil
}

// fillAdapters fills the partner page's adapters section.
func (s *Server) fillAdapters(c *fiber.Ctx, p partner.Partner, m *pages.PartnerPage) error {
	if s.d.Adapters == nil {
		return nil
	}
	sums, err := s.d.Adapters.Adapters(ctx(c), p.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(sums))
	for _, a := range sums {
		ids = append(ids, a.TargetAPIVersionID)
	}
	targets, err := s.targetsByID(c, ids)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, a := range sums {
		t := targets[a.TargetAPIVersionID]
		row := pages.AdapterRow{ID: a.ID, Name: a.Name, TemplateID: a.TemplateID, Format: pagesFormat(a.Format, a.DocType),
			Target: t.label(), TargetURL: t.url(), ActiveRevision: a.ActiveRevision, LatestRevision: a.LatestRevision,
			DraftPending: a.DraftPending, Samples: a.Samples, Updated: timeView(a.UpdatedAt, now)}
		if tpl, err := mapping.TemplateByID(a.TemplateID); err == nil {
			row.TemplateName = tpl.Name
		}
		if r := a.LatestRun; r != nil {
			row.RunID, row.RunStatus, row.RunWhen = r.ID, string(r.Status), timeView(r.CreatedAt, now)
			if r.FinishedAt != nil {
				row.RunWhen = timeView(*r.FinishedAt, now)
			}
			row.RunRevision = "run #" + strconv.FormatInt(r.ID, 10)
		}
		m.Adapters.Rows = append(m.Adapters.Rows, row)
	}
	if !m.CanManage {
		return nil
	}
	for _, t := range mapping.Templates() {
		m.Adapters.Templates = append(m.Adapters.Templates, pages.Option{Value: t.ID, Label: t.Name})
	}
	// The clone form offers published versions with a JSON Schema contract.
	refs, err := s.d.Catalog.VersionRefs(ctx(c), catalog.VersionRefFilter{Lifecycle: catalog.Published, WithSchema: true})
	if err != nil {
		return err
	}
	for _, r := range refs {
		t := adapterTargetOf(r)
		m.Adapters.Targets = append(m.Adapters.Targets, pages.Option{Value: strconv.FormatInt(t.ID, 10), Label: t.label()})
	}
	return nil
}

// pagesFormat names a format for people ("X12 850").
func pagesFormat(format, docType string) string {
	return pages.TemplateView{Format: format, DocType: docType}.FormatLabel()
}

// cloneTemplate creates a partner's adapter from a template and opens it.
func (s *Server) cloneTemplate(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	form := pages.CloneFormValues{Template: formValue(c, "template"), Name: formValue(c, "name"), Target: formValue(c, "target")}
	target, _ := strconv.ParseInt(form.Target, 10, 64)
	a, err := s.d.Adapters.CloneTemplate(ctx(c), p.ID, form.Template, form.Name, target)
	if fields := adapterValidation(err); fields != nil {
		m, merr := s.partnerModel(c, p)
		if merr != nil {
			return merr
		}
		m.Adapters.Form, m.Adapters.Errors = form, fields
		return s.render(c, fiber.StatusUnprocessableEntity, pages.PartnerDetail(m))
	}
	if err != nil {
		return adapterError(err)
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"?flash=adapter-created", fiber.StatusSeeOther)
}

// ---- small helpers ----

// byteSize says how large a payload is: "812 B", "2.1 kB", "1.4 MB".
func byteSize(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n) + " B"
	case n < 1_000_000:
		return strconv.FormatFloat(float64(n)/1000, 'f', 1, 64) + " kB"
	}
	return strconv.FormatFloat(float64(n)/1_000_000, 'f', 1, 64) + " MB"
}

// millis says how long something took: "12 ms", "1.4 s".
func millis(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "under 1 ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// actorNames resolves "user:42" audit actor ids to people's names.
func (s *Server) actorNames(c *fiber.Ctx, ids []string) map[string]string {
	var nums []int64
	for _, id := range ids {
		if n, err := strconv.ParseInt(strings.TrimPrefix(id, "user:"), 10, 64); err == nil && strings.HasPrefix(id, "user:") {
			nums = append(nums, n)
		}
	}
	out := map[string]string{}
	if len(nums) == 0 {
		return out
	}
	names, err := s.d.Auth.UserNames(ctx(c), nums)
	if err != nil {
		return out // names are a courtesy: the ids are shown instead
	}
	for id, name := range names {
		out["user:"+strconv.FormatInt(id, 10)] = name
	}
	return out
}

// nameOf is a person's name for an actor id, or the id.
func nameOf(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// prettyJSONText indents a JSON document, or returns it as it is.
func prettyJSONText(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}
