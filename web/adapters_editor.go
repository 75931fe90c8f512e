package web

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/views/pages"
)

// The adapter editor: revisions, the mapping in the editor, samples, the
// list of conformance runs and the audit history. A refused change
// re-renders the page with the refusal in words and the values as typed.

const adapterHistoryLimit = 20

// loadAdapter loads the partner and the adapter named in the URL; an
// adapter of another partner is not found.
func (s *Server) loadAdapter(c *fiber.Ctx) (partner.Partner, adapter.Adapter, error) {
	p, err := s.partnerByCode(c)
	if err != nil {
		return partner.Partner{}, adapter.Adapter{}, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return partner.Partner{}, adapter.Adapter{}, err
	}
	a, err := s.d.Adapters.Adapter(ctx(c), id)
	if err != nil {
		return partner.Partner{}, adapter.Adapter{}, adapterError(err)
	}
	if a.PartnerID != p.ID {
		return partner.Partner{}, adapter.Adapter{}, partner.ErrNotFound
	}
	return p, a, nil
}

// adapterHead names the adapter, its template and its target.
func (s *Server) adapterHead(c *fiber.Ctx, p partner.Partner, a adapter.Adapter) (pages.AdapterHead, error) {
	h := pages.AdapterHead{PartnerCode: p.Code, PartnerName: p.Name, ID: a.ID, Name: a.Name, TemplateID: a.TemplateID,
		Format: a.Format, DocType: a.DocType}
	if t, err := mapping.TemplateByID(a.TemplateID); err == nil {
		h.TemplateName = t.Name
	}
	targets, err := s.targetsByID(c, []int64{a.TargetAPIVersionID})
	if err != nil {
		return h, err
	}
	t := targets[a.TargetAPIVersionID]
	h.TargetAPI, h.TargetSlug, h.TargetVersion = t.Name, t.Slug, t.Version
	return h, nil
}

func revisionRow(r adapter.Revision, names map[string]string, now time.Time) pages.RevisionRow {
	row := pages.RevisionRow{ID: r.ID, Number: r.Number, Status: string(r.Status), Created: timeView(r.CreatedAt, now),
		Updated: timeView(r.UpdatedAt, now), Lines: len(codeLines(r.Program))}
	if r.CreatedBy != "" {
		row.CreatedBy = nameOf(names, r.CreatedBy)
	}
	if r.ActivatedAt != nil {
		row.Activated = timeView(*r.ActivatedAt, now)
	}
	return row
}

func runRow(r adapter.ConformanceRun, numbers map[int64]int, now time.Time) pages.RunRow {
	row := pages.RunRow{ID: r.ID, Revision: numbers[r.RevisionID], Status: string(r.Status), Done: r.Done, Total: r.Total,
		Passed: r.Passed, Failed: r.Failed, Requested: timeView(r.CreatedAt, now), By: personName(r.RequestedByName, r.RequestedBy),
		Message: r.Message}
	if r.FinishedAt != nil {
		row.Finished = timeView(*r.FinishedAt, now)
		start := r.CreatedAt
		if r.StartedAt != nil {
			start = *r.StartedAt
		}
		row.Duration = millis(r.FinishedAt.Sub(start))
	}
	return row
}

// adapterModel fills the adapter page. rev is the revision number to put
// in the editor (0: the newest).
func (s *Server) adapterModel(c *fiber.Ctx, p partner.Partner, a adapter.Adapter, rev int) (pages.AdapterPage, error) {
	now := time.Now()
	head, err := s.adapterHead(c, p, a)
	if err != nil {
		return pages.AdapterPage{}, err
	}
	m := pages.AdapterPage{Chrome: s.chrome(c, a.Name+" · "+p.Name), Adapter: head, CanManage: role(c).Can(auth.PermPartnersManage),
		PlaygroundJS: s.d.Assets.URL("js/playground.js"), SampleForm: pages.SampleFormValues{Expect: string(adapter.ExpectAccepted)}}
	m.Chrome.Flash = adapterFlash(c, m.Chrome.Flash)

	revs, err := s.d.Adapters.Revisions(ctx(c), a.ID)
	if err != nil {
		return m, err
	}
	if len(revs) == 0 {
		return m, adapterError(adapter.ErrNotFound) // every adapter has revision 1
	}
	var creators []string
	for _, r := range revs {
		creators = append(creators, r.CreatedBy)
	}
	names := s.actorNames(c, creators)
	numbers := map[int64]int{}
	editing := revs[0]
	for _, r := range revs {
		m.Revisions = append(m.Revisions, revisionRow(r, names, now))
		numbers[r.ID] = r.Number
		if r.Number == rev {
			editing = r
		}
		if r.Status == adapter.RevisionActive {
			m.Adapter.ActiveRevision = r.Number
		}
	}
	m.Latest, m.Editing = revisionRow(revs[0], names, now), revisionRow(editing, names, now)
	m.Editor = pages.EditorValues{Program: editing.Program, Tables: tablesText(editing.Tables), Options: optionsText(editing.ParseOptions)}

	samples, err := s.d.Adapters.Samples(ctx(c), a.ID)
	if err != nil {
		return m, err
	}
	for _, sm := range samples {
		row := pages.SampleRow{ID: sm.ID, Name: sm.Name, Expect: string(sm.Expect), ExpectedErrors: sm.ExpectedErrors,
			HasOutput: sm.ExpectedOutput != nil, Size: byteSize(len(sm.Content)), Updated: timeView(sm.UpdatedAt, now)}
		if row.HasOutput {
			var docs []json.RawMessage
			if json.Unmarshal(sm.ExpectedOutput, &docs) == nil {
				row.OutputDocs = len(docs)
			}
		}
		m.Samples = append(m.Samples, row)
		m.SampleChoice = append(m.SampleChoice, pages.Option{Value: strconv.FormatInt(sm.ID, 10), Label: sm.Name + " (expect " + string(sm.Expect) + ")"})
	}

	runs, err := s.d.Adapters.Runs(ctx(c), a.ID)
	if err != nil {
		return m, err
	}
	for _, r := range runs {
		m.Runs = append(m.Runs, runRow(r, numbers, now))
	}

	m.History, m.HistoryMore, err = s.entityHistory(c, []audit.Filter{{EntityType: adapter.EntityType, EntityID: strconv.FormatInt(a.ID, 10),
		PageSize: adapterHistoryLimit}}, adapterHistoryLimit)
	return m, err
}

// adapterPage is the adapter editor; ?rev=N opens revision N in the editor.
func (s *Server) adapterPage(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	rev, _ := strconv.Atoi(c.Query("rev"))
	m, err := s.adapterModel(c, p, a, rev)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.AdapterDetail(m))
}

// editorInput is the mapping as the editor sent it, read into what the
// service takes; errors holds a message per field that could not be read.
type editorInput struct {
	values pages.EditorValues
	tables adapter.Tables
	opts   formats.Options
	errors map[string]string
}

func readEditor(c *fiber.Ctx) editorInput {
	in := editorInput{values: pages.EditorValues{Program: formText(c, "program"), Tables: formText(c, "tables"), Options: formText(c, "options")},
		errors: map[string]string{}}
	var msg string
	if in.tables, msg = parseTablesText(in.values.Tables); msg != "" {
		in.errors["tables"] = msg
	}
	if in.opts, msg = parseOptionsText(in.values.Options); msg != "" {
		in.errors["options"] = msg
	}
	if strings.TrimSpace(in.values.Program) == "" {
		in.errors["program"] = "The mapping program is empty."
	}
	return in
}

// saveRevision saves the editor's mapping: the draft is updated, or a new
// draft revision follows an active one.
func (s *Server) saveRevision(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	in := readEditor(c)
	if len(in.errors) == 0 {
		before, err := s.d.Adapters.Revisions(ctx(c), a.ID)
		if err != nil {
			return err
		}
		r, err := s.d.Adapters.SaveDraft(ctx(c), a.ID, in.values.Program, in.tables, in.opts)
		if fields := adapterValidation(err); fields != nil {
			in.errors = fields
		} else if err != nil {
			return adapterError(err)
		} else {
			flash := "draft-saved"
			if len(before) > 0 && before[0].ID == r.ID && before[0].UpdatedAt.Equal(r.UpdatedAt) {
				flash = "draft-unchanged"
			}
			return c.Redirect(adapterURL(p.Code, a.ID)+"?flash="+flash+"#editor", fiber.StatusSeeOther)
		}
	}
	m, err := s.adapterModel(c, p, a, 0)
	if err != nil {
		return err
	}
	m.Editor, m.EditorErrors = in.values, in.errors
	return s.render(c, fiber.StatusUnprocessableEntity, pages.AdapterDetail(m))
}

// activateRevision makes revision :rev (its number) the active one.
func (s *Server) activateRevision(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	number, err := idParam(c, "rev")
	if err != nil {
		return err
	}
	revs, err := s.d.Adapters.Revisions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	var target *adapter.Revision
	for i := range revs {
		if int64(revs[i].Number) == number {
			target = &revs[i]
		}
	}
	if target == nil {
		return partner.ErrNotFound
	}
	_, err = s.d.Adapters.Activate(ctx(c), target.ID)
	if errors.Is(err, adapter.ErrDoesNotCompile) {
		m, merr := s.adapterModel(c, p, a, target.Number)
		if merr != nil {
			return merr
		}
		m.Activation = "Revision " + strconv.Itoa(target.Number) + " does not compile, so it cannot map documents: " + compileMessage(err)
		return s.render(c, fiber.StatusUnprocessableEntity, pages.AdapterDetail(m))
	}
	if err != nil {
		return adapterError(err)
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"?flash=revision-activated", fiber.StatusSeeOther)
}

// compileMessage is the compiler's words for a program that does not
// compile ("line 3, column 7: unexpected token ..."), without the
// wrapping of the layers it passed through.
func compileMessage(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, adapter.ErrDoesNotCompile.Error()+": "); ok {
		msg = rest
	}
	if _, rest, ok := strings.Cut(msg, "mapping: compile: "); ok {
		msg = rest
	}
	return msg
}

// ---- samples ----

// readSampleContent is the uploaded file, else the pasted text; name is
// the file's name when one was uploaded.
func readSampleContent(c *fiber.Ctx, field, pasted string) (content []byte, name string, tooLarge bool, err error) {
	fh, ferr := c.FormFile(field)
	if ferr != nil || fh == nil || fh.Size == 0 {
		return []byte(pasted), "", false, nil
	}
	if fh.Size > adapter.MaxSampleBytes {
		return nil, fh.Filename, true, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, adapter.MaxSampleBytes+1))
	return b, strings.Clone(fh.Filename), false, err
}

// splitErrorLines reads the expected error substrings, one per line.
func splitErrorLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// addSample adds a sample document with its expected outcome.
func (s *Server) addSample(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	form := pages.SampleFormValues{Name: formValue(c, "name"), Content: formText(c, "content"), Expect: formValue(c, "expect"), Errors: formText(c, "errors")}
	content, fileName, tooLarge, err := readSampleContent(c, "file", form.Content)
	if err != nil {
		return err
	}
	if form.Name == "" {
		form.Name = fileName
	}
	var fields map[string]string
	if tooLarge {
		fields = map[string]string{"content": "The file is larger than " + byteSize(adapter.MaxSampleBytes) + ", the most a sample may hold."}
	} else {
		_, err = s.d.Adapters.AddSample(ctx(c), a.ID, form.Name, content, adapter.Expect(form.Expect), nil, splitErrorLines(form.Errors))
		fields = adapterValidation(err)
		if fields == nil && err != nil {
			return adapterError(err)
		}
	}
	if fields != nil {
		m, merr := s.adapterModel(c, p, a, 0)
		if merr != nil {
			return merr
		}
		m.SampleForm, m.OpenSample = form, true
		m.SampleErrors = map[string]string{}
		for k, v := range fields {
			switch k {
			case "expected_errors":
				k = "errors"
			case "expected_output":
				k = "content"
			}
			m.SampleErrors[k] = v
		}
		return s.render(c, fiber.StatusUnprocessableEntity, pages.AdapterDetail(m))
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"?flash=sample-added#samples", fiber.StatusSeeOther)
}

// adapterSample loads sample :sample of the adapter.
func (s *Server) adapterSample(c *fiber.Ctx, a adapter.Adapter) (adapter.Sample, error) {
	id, err := idParam(c, "sample")
	if err != nil {
		return adapter.Sample{}, err
	}
	sm, err := s.d.Adapters.Sample(ctx(c), id)
	if err != nil {
		return adapter.Sample{}, adapterError(err)
	}
	if sm.AdapterID != a.ID {
		return adapter.Sample{}, partner.ErrNotFound
	}
	return sm, nil
}

// recordExpected stores what the newest revision makes of the sample as
// its expectation.
func (s *Server) recordExpected(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	sm, err := s.adapterSample(c, a)
	if err != nil {
		return err
	}
	_, err = s.d.Adapters.RecordExpected(ctx(c), sm.ID)
	var refusal string
	switch fields := adapterValidation(err); {
	case fields != nil:
		refusal = strings.Join(fieldMessages(fields), " ")
	case errors.Is(err, adapter.ErrDoesNotCompile):
		refusal = "The newest revision does not compile, so it cannot map the sample: " + compileMessage(err)
	case err != nil:
		return adapterError(err)
	}
	if refusal != "" {
		m, merr := s.adapterModel(c, p, a, 0)
		if merr != nil {
			return merr
		}
		m.SampleRefusal = "Nothing was recorded for " + sm.Name + ". " + refusal
		return s.render(c, fiber.StatusUnprocessableEntity, pages.AdapterDetail(m))
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"?flash=expectation-recorded#samples", fiber.StatusSeeOther)
}

// removeSample removes a sample; past reports keep its name.
func (s *Server) removeSample(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	sm, err := s.adapterSample(c, a)
	if err != nil {
		return err
	}
	if err := s.d.Adapters.RemoveSample(ctx(c), a.ID, sm.ID); err != nil {
		return adapterError(err)
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"?flash=sample-removed#samples", fiber.StatusSeeOther)
}
