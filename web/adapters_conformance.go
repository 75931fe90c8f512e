package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/views/pages"
)

// Conformance runs: starting one (an asynq task) and its report, which
// polls itself while the run goes on.

// startConformance queues a run of the adapter's samples and opens its
// report.
func (s *Server) startConformance(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	run, err := s.d.Adapters.StartConformance(ctx(c), a.ID)
	var refusal string
	status := http.StatusConflict
	switch {
	case errors.Is(err, adapter.ErrNoSamples):
		refusal = "The adapter has no samples: add at least one, with its expected outcome, then run the tests."
	case errors.Is(err, adapter.ErrNoQueue):
		refusal, status = "Conformance runs need the task queue, and this console has none configured. Tell your administrator.", http.StatusServiceUnavailable
	case err != nil:
		return adapterError(err)
	}
	if refusal != "" {
		m, merr := s.adapterModel(c, p, a, 0)
		if merr != nil {
			return merr
		}
		m.RunError = refusal
		return s.render(c, status, pages.AdapterDetail(m))
	}
	return c.Redirect(adapterURL(p.Code, a.ID)+"/conformance/"+strconv.FormatInt(run.ID, 10), fiber.StatusSeeOther)
}

// conformancePage is a run's report; for htmx (the report polling itself)
// only the report's body.
func (s *Server) conformancePage(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	runID, err := idParam(c, "run")
	if err != nil {
		return err
	}
	rep, err := s.d.Adapters.RunReport(ctx(c), runID)
	if err != nil {
		return adapterError(err)
	}
	if rep.Adapter.ID != a.ID {
		return partner.ErrNotFound
	}
	head, err := s.adapterHead(c, p, a)
	if err != nil {
		return err
	}
	if a.ActiveRevisionID != nil {
		if r, err := s.d.Adapters.Revision(ctx(c), *a.ActiveRevisionID); err == nil {
			head.ActiveRevision = r.Number
		}
	}
	now := time.Now()
	m := pages.ConformancePage{Chrome: s.chrome(c, "Conformance run #"+strconv.FormatInt(rep.Run.ID, 10)+" · "+a.Name), Adapter: head,
		CanManage: role(c).Can(auth.PermPartnersManage)}
	m.Run = pages.RunView{RunRow: runRow(rep.Run, map[int64]int{rep.Revision.ID: rep.Revision.Number}, now), Progress: rep.Run.Progress()}
	if rep.Run.StartedAt != nil {
		m.Run.Started = timeView(*rep.Run.StartedAt, now)
	}
	for _, r := range rep.Results {
		m.Results = append(m.Results, resultRow(head, r))
	}
	return s.render(c, fiber.StatusOK, pages.ConformanceReport(m), pages.RunReportBody(m))
}

func resultRow(head pages.AdapterHead, r adapter.ConformanceResult) pages.ResultRow {
	row := pages.ResultRow{Sample: r.SampleName, Outcome: string(r.Outcome), Expect: string(r.Detail.Expect), Problems: r.Detail.Problems,
		Truncated: r.Detail.Truncated, Errors: r.Detail.Errors, MissingErrors: r.Detail.MissingErrors, Documents: r.Detail.Documents,
		Duration: millis(time.Duration(r.DurationMS) * time.Millisecond)}
	if r.SampleID != nil {
		row.SampleURL = head.URL() + "#samples"
	}
	for _, d := range r.Detail.Differences {
		dr := pages.DiffRow{Path: d.Path, Where: pointerWords(d.Path), Kind: d.Kind}
		if d.Expected != "" {
			dr.Expected = codeLines(prettyJSONText([]byte(d.Expected)))
		}
		if d.Actual != "" {
			dr.Actual = codeLines(prettyJSONText([]byte(d.Actual)))
		}
		row.Diffs = append(row.Diffs, dr)
	}
	return row
}

// pointerWords reads a JSON Pointer into the array of documents for
// people: "/0/lines/1/quantity" is "document 1: lines[1].quantity".
func pointerWords(p string) string {
	if p == "" || p == "/" {
		return "the documents"
	}
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var b strings.Builder
	for i, t := range toks {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		n, err := strconv.Atoi(t)
		switch {
		case i == 0 && err == nil:
			b.WriteString("document " + strconv.Itoa(n+1))
			if len(toks) > 1 {
				b.WriteString(": ")
			}
		case err == nil:
			b.WriteString("[" + t + "]")
		default:
			if i > 1 {
				b.WriteString(".")
			}
			b.WriteString(t)
		}
	}
	return b.String()
}
