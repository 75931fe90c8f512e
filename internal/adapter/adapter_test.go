package adapter_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/testenv"
)

// brokenNumber maps BEG03 with a suffix: the program still compiles and the
// output is still valid, but the order number differs from the expectation.
func brokenNumber(t *testing.T, program string) string {
	t.Helper()
	const field = "number: ($beg | el(3)),"
	if !strings.Contains(program, field) {
		t.Fatalf("the 850 template no longer maps the number as %q", field)
	}
	return strings.Replace(program, field, `number: (($beg | el(3)) + "-X"),`, 1)
}

// The onboarding journey on real Postgres, Redis and a real worker: clone
// the 850 template, which brings its accepted and rejected samples with
// their expectations, activate, pass conformance on every sample (the
// partner checklist follows), break a field in a new revision, activate
// it, and fail conformance with a readable diff.
func TestConformanceJourneyThroughWorker(t *testing.T) {
	e := newEnv(t, true)
	e.startWorker()
	ctx := alice()
	acme := e.partner("ACME", "Acme Retail")
	a := e.clone(acme, "")
	if a.Name != "X12 850 purchase order to Order" || a.Format != "x12" || a.DocType != "850" || a.TemplateID != template850 || a.Active() {
		t.Fatalf("cloned adapter = %+v", a)
	}
	rev1 := e.latestRevision(a)
	tpl, _ := mapping.TemplateByID(template850)
	if rev1.Number != 1 || rev1.Status != adapter.RevisionDraft || rev1.Program != tpl.Program || rev1.Tables["policy"]["checkDigits"] != "flag" {
		t.Fatalf("revision 1 = number %d status %s, program from template %v, tables %v", rev1.Number, rev1.Status, rev1.Program == tpl.Program, rev1.Tables["policy"])
	}
	if act, pass := e.facts(acme.ID); act || pass {
		t.Fatalf("facts of a partner with a draft adapter = %v/%v, want false/false", act, pass)
	}

	// The template's samples came with the clone.
	n, accepted := templateSamples(template850)
	if n != 10 || accepted != 8 {
		t.Fatalf("the 850 template ships %d samples, %d accepted; want 10, 8", n, accepted)
	}
	good, bad := e.sampleNamed(a, goodSample), e.sampleNamed(a, badSample)
	var err error
	if good.Expect != adapter.ExpectAccepted || good.ExpectedOutput == nil {
		t.Fatalf("template sample = expect %s, output %s", good.Expect, good.ExpectedOutput)
	}
	if bad.Expect != adapter.ExpectRejected || !slices.Equal(bad.ExpectedErrors, adapter.StringList{badSampleError}) || bad.ExpectedOutput != nil {
		t.Fatalf("rejected template sample = expect %s, errors %q", bad.Expect, bad.ExpectedErrors)
	}
	var docs []map[string]any
	if err := json.Unmarshal(good.ExpectedOutput, &docs); err != nil || len(docs) != 1 || docs[0]["number"] != "08292233294" {
		t.Fatalf("recorded expected output: %v, %d documents, number %v", err, len(docs), docs)
	}

	// A draft can be tested before activation; only runs on the active
	// revision count, and only if the mapping did not change after they
	// started.
	draftRun := e.conform(a)
	if draftRun.Status != adapter.RunPassed || draftRun.RevisionID != rev1.ID || draftRun.Total != n {
		t.Fatalf("draft run = %s on revision %d with %d samples, want passed on %d with %d", draftRun.Status, draftRun.RevisionID, draftRun.Total, rev1.ID, n)
	}
	if act, pass := e.facts(acme.ID); act || pass {
		t.Fatalf("facts before activation = %v/%v, want false/false", act, pass)
	}
	if rev1, err = e.adapters.SaveDraft(ctx, a.ID, rev1.Program+"\n# reviewed", rev1.Tables, rev1.ParseOptions); err != nil || rev1.Number != 1 {
		t.Fatalf("edit draft: %v (revision %d)", err, rev1.Number)
	}
	rev1 = e.activate(rev1)
	if act, pass := e.facts(acme.ID); !act || pass {
		t.Fatalf("facts after activating a draft edited since its run = %v/%v, want true/false", act, pass)
	}
	run := e.conform(a)
	if run.Status != adapter.RunPassed || run.Total != n || run.Done != n || run.Passed != n || run.Failed != 0 || run.Progress() != 100 {
		t.Fatalf("run = %s %d/%d (passed %d, failed %d), want passed %d/%d", run.Status, run.Done, run.Total, run.Passed, run.Failed, n, n)
	}
	if run.RequestedBy != "user:1" || run.StartedAt == nil || run.FinishedAt == nil {
		t.Fatalf("run bookkeeping = %+v", run)
	}
	if act, pass := e.facts(acme.ID); !act || !pass {
		t.Fatalf("facts after a passing run = %v/%v, want true/true", act, pass)
	}
	cl, err := e.partners.Checklist(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{partner.ItemAdapter, partner.ItemConformance} {
		if it, _ := cl.Item(key); !it.Done {
			t.Errorf("checklist item %s not done: %s", key, it.Hint)
		}
	}

	// Change the program: the active revision is immutable, so the edit is
	// revision 2; revision 1 stays active and passing until 2 is activated.
	rev2, err := e.adapters.SaveDraft(ctx, a.ID, brokenNumber(t, rev1.Program), rev1.Tables, rev1.ParseOptions)
	if err != nil {
		t.Fatal(err)
	}
	if rev2.Number != 2 || rev2.Status != adapter.RevisionDraft || rev2.ID == rev1.ID {
		t.Fatalf("saved draft = revision %d %s", rev2.Number, rev2.Status)
	}
	if act, pass := e.facts(acme.ID); !act || !pass {
		t.Fatalf("facts with a pending draft = %v/%v, want true/true", act, pass)
	}
	e.activate(rev2)
	if old, _ := e.adapters.Revision(ctx, rev1.ID); old.Status != adapter.RevisionSuperseded {
		t.Fatalf("revision 1 after activating 2 = %s, want superseded", old.Status)
	}
	if act, pass := e.facts(acme.ID); !act || pass {
		t.Fatalf("facts after activating an untested revision = %v/%v, want true/false", act, pass)
	}
	failed := e.conform(a)
	if failed.Status != adapter.RunFailed || failed.RevisionID != rev2.ID || failed.Done != n || failed.Passed != n-accepted || failed.Failed != accepted {
		t.Fatalf("run after breaking the number = %s on %d, %d/%d passed %d failed %d", failed.Status, failed.RevisionID, failed.Done, failed.Total, failed.Passed, failed.Failed)
	}
	if act, pass := e.facts(acme.ID); !act || pass {
		t.Fatalf("facts after a failing run = %v/%v, want true/false", act, pass)
	}

	rep, err := e.adapters.RunReport(ctx, failed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != n || rep.Revision.Number != 2 || rep.Adapter.ID != a.ID {
		t.Fatalf("report: %d results, revision %d", len(rep.Results), rep.Revision.Number)
	}
	result := func(name string) adapter.ConformanceResult {
		t.Helper()
		for i, r := range rep.Results {
			if r.SampleName == name {
				// Failed first, then by name.
				if wantFailed := i < accepted; (r.Outcome == adapter.OutcomeFailed) != wantFailed {
					t.Errorf("result %d (%s) is %s, out of order", i, name, r.Outcome)
				}
				return r
			}
		}
		t.Fatalf("the report has no result for %s", name)
		return adapter.ConformanceResult{}
	}
	first := result(goodSample)
	if first.Outcome != adapter.OutcomeFailed || first.SampleID == nil || *first.SampleID != good.ID {
		t.Fatalf("good sample's result = %s %s", first.Outcome, first.SampleName)
	}
	want := []adapter.Difference{{Path: "/0/number", Kind: adapter.DiffChanged, Expected: `"08292233294"`, Actual: `"08292233294-X"`}}
	if diff := cmp.Diff(want, first.Detail.Differences); diff != "" {
		t.Errorf("differences (-want +got):\n%s", diff)
	}
	if len(first.Detail.Problems) != 1 || !strings.Contains(first.Detail.Problems[0], "/0/number") {
		t.Errorf("problems = %q", first.Detail.Problems)
	}
	second := result(badSample)
	if second.Outcome != adapter.OutcomePassed || len(second.Detail.Errors) != 1 ||
		!strings.Contains(second.Detail.Errors[0], badSampleError) || *second.SampleID != bad.ID {
		t.Errorf("rejected sample result = %+v", second)
	}

	runs, err := e.adapters.Runs(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int64{runs[0].ID, runs[1].ID, runs[2].ID}; !slices.Equal(got, []int64{failed.ID, run.ID, draftRun.ID}) || len(runs) != 3 {
		t.Errorf("runs = %v, want newest first", got)
	}
	sums, err := e.adapters.Adapters(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].ActiveRevision != 2 || sums[0].LatestRevision != 2 || sums[0].DraftPending || sums[0].Samples != n ||
		sums[0].LatestRun == nil || sums[0].LatestRun.ID != failed.ID {
		t.Errorf("adapter summaries = %+v", sums)
	}

	wantActions := []string{adapter.ActionCreate}
	for range n {
		wantActions = append(wantActions, adapter.ActionSampleAdd)
	}
	wantActions = append(wantActions, adapter.ActionConformanceRequest, adapter.ActionConformanceRun, adapter.ActionSaveDraft, adapter.ActionActivate,
		adapter.ActionConformanceRequest, adapter.ActionConformanceRun, adapter.ActionSaveDraft, adapter.ActionActivate,
		adapter.ActionConformanceRequest, adapter.ActionConformanceRun)
	if diff := cmp.Diff(wantActions, e.auditActions(a)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

// Samples added or changed after a passing run have not been judged: the
// partner's conformance no longer passes until it is run again.
func TestReadinessNeedsFreshRun(t *testing.T) {
	e := newEnv(t, true)
	e.startWorker()
	ctx := alice()
	p := e.partner("ACME", "Acme Retail")
	other := e.partner("GLOBEX", "Globex")
	idle := e.partner("INITECH", "Initech")
	a := e.clone(p, "orders") // with the template's samples
	e.activate(e.latestRevision(a))
	if run := e.conform(a); run.Status != adapter.RunPassed {
		t.Fatalf("run = %s", run.Status)
	}
	b := e.clone(other, "orders")
	e.activate(e.latestRevision(b))

	facts, err := e.adapters.AdapterFactsBatch(ctx, []int64{p.ID, other.ID, idle.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]partner.AdapterFacts{p.ID: {ActiveAdapter: true, ConformancePassing: true}, other.ID: {ActiveAdapter: true}}
	if diff := cmp.Diff(want, facts); diff != "" {
		t.Errorf("batch facts (-want +got):\n%s", diff)
	}

	// A second adapter of the same partner without a run: not passing.
	c := e.bare(p, "orders-csv")
	e.activate(e.latestRevision(c))
	if act, pass := e.facts(p.ID); !act || pass {
		t.Fatalf("facts with an untested second adapter = %v/%v, want true/false", act, pass)
	}
	if _, err := e.adapters.StartConformance(ctx, c.ID); !errors.Is(err, adapter.ErrNoSamples) {
		t.Fatalf("conformance without samples: %v, want ErrNoSamples", err)
	}

	d := e.clone(idle, "orders")
	e.activate(e.latestRevision(d))
	if run := e.conform(d); run.Status != adapter.RunPassed {
		t.Fatalf("run = %s", run.Status)
	}
	if _, pass := e.facts(idle.ID); !pass {
		t.Fatal("not passing after a passing run")
	}
	if _, err := e.adapters.AddSample(ctx, d.ID, "late.x12", readTestdata(t, goodSample), adapter.ExpectAccepted, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, pass := e.facts(idle.ID); pass {
		t.Fatal("still passing after a sample was added since the run")
	}
	n, _ := templateSamples(template850)
	if run := e.conform(d); run.Status != adapter.RunPassed || run.Total != n+1 {
		t.Fatalf("rerun = %s with %d samples, want passed with %d", run.Status, run.Total, n+1)
	}
	if _, pass := e.facts(idle.ID); !pass {
		t.Fatal("not passing after the rerun")
	}
}

// Active revisions never change: saving edits the newest draft in place
// or makes a new one; the database refuses a direct edit too.
func TestRevisionsImmutable(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	a := e.clone(e.partner("ACME", "Acme Retail"), "orders")
	rev1 := e.latestRevision(a)

	edited := rev1.Program + "\n# edited"
	tables := adapter.Tables{"defaults": {"currency": "EUR"}}
	got, err := e.adapters.SaveDraft(ctx, a.ID, edited, tables, formats.Options{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != rev1.ID || got.Number != 1 || got.Program != edited {
		t.Fatalf("saving over a draft = revision %d (id %d), want 1 edited in place", got.Number, got.ID)
	}
	reread, err := e.adapters.Revision(ctx, rev1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reread.Program != edited || reread.Tables["defaults"]["currency"] != "EUR" || reread.ParseOptions.MaxBytes != 1<<20 {
		t.Fatalf("stored draft = tables %v options %+v", reread.Tables, reread.ParseOptions)
	}

	audits := e.count("audit_events")
	if same, err := e.adapters.SaveDraft(ctx, a.ID, edited, tables, formats.Options{MaxBytes: 1 << 20}); err != nil || same.ID != rev1.ID {
		t.Fatalf("saving the same draft: %v, revision %d", err, same.ID)
	}
	if n := e.count("audit_events"); n != audits {
		t.Errorf("saving unchanged content wrote %d audit events", n-audits)
	}

	active := e.activate(reread)
	if active.Status != adapter.RevisionActive || active.ActivatedAt == nil {
		t.Fatalf("activated = %+v", active)
	}
	if again, err := e.adapters.Activate(ctx, active.ID); err != nil || again.Status != adapter.RevisionActive {
		t.Fatalf("activating the active revision again: %v", err)
	}
	if ad, _ := e.adapters.Adapter(ctx, a.ID); ad.ActiveRevisionID == nil || *ad.ActiveRevisionID != rev1.ID {
		t.Fatalf("adapter's active revision = %v, want %d", ad.ActiveRevisionID, rev1.ID)
	}

	rev2, err := e.adapters.SaveDraft(ctx, a.ID, edited+"\n# second", tables, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rev2.Number != 2 || rev2.ID == rev1.ID || rev2.Status != adapter.RevisionDraft {
		t.Fatalf("saving over an active revision = revision %d %s, want a new draft 2", rev2.Number, rev2.Status)
	}
	if r1, _ := e.adapters.Revision(ctx, rev1.ID); r1.Program != edited || r1.Status != adapter.RevisionActive {
		t.Fatalf("revision 1 changed: status %s", r1.Status)
	}
	rev2b, err := e.adapters.SaveDraft(ctx, a.ID, "this is ( not jq", tables, formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rev2b.ID != rev2.ID || rev2b.Number != 2 {
		t.Fatalf("saving over draft 2 = revision %d", rev2b.Number)
	}
	if _, err := e.adapters.Activate(ctx, rev2.ID); !errors.Is(err, adapter.ErrDoesNotCompile) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("activating a program that does not compile: %v, want ErrDoesNotCompile with a position", err)
	}
	if r1, _ := e.adapters.Revision(ctx, rev1.ID); r1.Status != adapter.RevisionActive {
		t.Fatalf("revision 1 after a refused activation = %s", r1.Status)
	}

	err = e.db.Exec(`UPDATE adapter_revisions SET program = 'tampered' WHERE id = ?`, rev1.ID).Error
	if err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("direct update of an active revision: %v, want refused by the trigger", err)
	}
	if _, err := e.adapters.SaveDraft(ctx, a.ID, "  ", nil, formats.Options{}); !isValidation(err, "program") {
		t.Fatalf("empty program: %v", err)
	}

	// Roll back: activate a fixed draft 2, then revision 1 again.
	if _, err := e.adapters.SaveDraft(ctx, a.ID, edited+"\n# fixed", tables, formats.Options{}); err != nil {
		t.Fatal(err)
	}
	e.activate(rev2)
	e.activate(rev1)
	revs, err := e.adapters.Revisions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range revs {
		states = append(states, string(r.Status))
	}
	if diff := cmp.Diff([]string{"superseded", "active"}, states); diff != "" {
		t.Errorf("revision states newest first (-want +got):\n%s", diff)
	}
}

func isValidation(err error, field string) bool {
	var ve *adapter.ValidationError
	return errors.As(err, &ve) && ve.Fields[field] != ""
}

// Cloning checks the template, the target version and the name.
func TestCloneValidation(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	p := e.partner("ACME", "Acme Retail")
	e.clone(p, "orders")

	draft, err := e.catalog.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: "2.0.0", Changelog: "no schema yet"}, false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, template, adapterName string
		target                      int64
		field                       string
	}{
		{"unknown template", "x12-999", "a", e.version.ID, "template"},
		{"unknown version", template850, "a", 999999, "target"},
		{"version without schema", template850, "a", draft.ID, "target"},
		{"duplicate name", template850, "orders", e.version.ID, "name"},
		{"long name", template850, strings.Repeat("n", 101), e.version.ID, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.adapters.CloneTemplate(ctx, p.ID, tt.template, tt.adapterName, tt.target)
			if !isValidation(err, tt.field) {
				t.Fatalf("got %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	if _, err := e.adapters.CloneTemplate(ctx, 999999, template850, "x", e.version.ID); !errors.Is(err, adapter.ErrNotFound) {
		t.Fatalf("unknown partner: %v, want ErrNotFound", err)
	}
}

// TemplateUsage counts clones per template, across partners.
func TestTemplateUsage(t *testing.T) {
	e := newEnv(t, false)
	acme, globex := e.partner("ACME", "Acme Retail"), e.partner("GLOBEX", "Globex")
	e.clone(acme, "orders")
	e.clone(globex, "orders")
	if _, err := e.adapters.CloneTemplate(alice(), acme.ID, "json-order", "json orders", e.version.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.adapters.TemplateUsage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{template850: 2, "json-order": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("template usage (-want +got):\n%s", diff)
	}
}

// Samples: validation, scoping, expectations.
func TestSamples(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	p := e.partner("ACME", "Acme Retail")
	a := e.bare(p, "orders")
	b := e.bare(p, "other")
	content := readTestdata(t, goodSample)

	tests := []struct {
		name    string
		sample  string
		content []byte
		expect  adapter.Expect
		output  string
		errs    []string
		field   string
	}{
		{"no name", " ", content, adapter.ExpectAccepted, "", nil, "name"},
		{"empty content", "s", []byte("  \n"), adapter.ExpectAccepted, "", nil, "content"},
		{"unknown expectation", "s", content, "maybe", "", nil, "expect"},
		{"accepted with errors", "s", content, adapter.ExpectAccepted, "", []string{"x"}, "expected_errors"},
		{"output not JSON", "s", content, adapter.ExpectAccepted, "{", nil, "expected_output"},
		{"output not documents", "s", content, adapter.ExpectAccepted, "[1, 2]", nil, "expected_output"},
		{"rejected with output", "s", content, adapter.ExpectRejected, `[{}]`, nil, "expected_output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.adapters.AddSample(ctx, a.ID, tt.sample, tt.content, tt.expect, json.RawMessage(tt.output), tt.errs)
			if !isValidation(err, tt.field) {
				t.Fatalf("got %v, want a validation error on %s", err, tt.field)
			}
		})
	}

	one, err := e.adapters.AddSample(ctx, a.ID, "one.x12", content, adapter.ExpectAccepted, json.RawMessage(`{"documentType": "Order"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(one.ExpectedOutput), "[") {
		t.Errorf("a single expected document is stored as an array: %s", one.ExpectedOutput)
	}
	if _, err := e.adapters.AddSample(ctx, a.ID, "one.x12", content, adapter.ExpectAccepted, nil, nil); !isValidation(err, "name") {
		t.Fatalf("duplicate sample name: %v", err)
	}
	rej, err := e.adapters.AddSample(ctx, a.ID, "rejected.x12", []byte("not x12"), adapter.ExpectRejected, json.RawMessage("null"), []string{" input must start with ISA ", ""})
	if err != nil {
		t.Fatal(err)
	}
	if rej.ExpectedOutput != nil || !slices.Equal(rej.ExpectedErrors, adapter.StringList{"input must start with ISA"}) {
		t.Errorf("rejected sample = output %s, errors %q", rej.ExpectedOutput, rej.ExpectedErrors)
	}
	stored, err := e.adapters.Samples(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0].Name != "one.x12" || string(stored[0].Content) != string(content) || stored[1].ExpectedOutput != nil {
		t.Fatalf("samples = %d", len(stored))
	}

	// RecordExpected turns a rejected payload into a rejected expectation.
	rec, err := e.adapters.RecordExpected(ctx, rej.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Expect != adapter.ExpectRejected || len(rec.ExpectedErrors) != 1 || !strings.Contains(rec.ExpectedErrors[0], "must start with ISA") {
		t.Errorf("recorded rejection = %s %q", rec.Expect, rec.ExpectedErrors)
	}
	set, err := e.adapters.SetExpectation(ctx, one.ID, adapter.ExpectRejected, nil, []string{"boom"})
	if err != nil || set.Expect != adapter.ExpectRejected || set.ExpectedOutput != nil {
		t.Fatalf("set expectation: %v %+v", err, set)
	}
	if again, _ := e.adapters.Sample(ctx, one.ID); again.ExpectedOutput != nil || !slices.Equal(again.ExpectedErrors, adapter.StringList{"boom"}) {
		t.Errorf("stored expectation = %s %q", again.ExpectedOutput, again.ExpectedErrors)
	}

	if err := e.adapters.RemoveSample(ctx, b.ID, one.ID); !errors.Is(err, adapter.ErrNotFound) {
		t.Fatalf("removing another adapter's sample: %v, want ErrNotFound", err)
	}
	if err := e.adapters.RemoveSample(ctx, a.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := e.adapters.Samples(ctx, a.ID); len(left) != 1 {
		t.Errorf("samples after removal = %d", len(left))
	}
}

// Run is the playground: documents, errors by stage and the 997.
func TestRunPlayground(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	p := e.partner("ACME", "Acme Retail")
	a := e.clone(p, "orders")
	b := e.clone(p, "other")

	res, err := e.adapters.Run(ctx, a.ID, 0, readTestdata(t, goodSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 1 || len(res.Errors) != 0 || res.Revision.Number != 1 {
		t.Fatalf("run = %d documents, errors %v, revision %d", len(res.Documents), res.Err(), res.Revision.Number)
	}
	if !strings.HasPrefix(res.Ack, "ISA") || !strings.Contains(res.Ack, "AK1") || !strings.Contains(res.Ack, "AK9") || strings.Contains(res.Ack, "TA1") {
		t.Errorf("997 = %q", res.Ack)
	}

	// An interchange whose IEA02 does not match ISA13 still maps, and a
	// TA1 (accepted with errors, note 001) goes back before the 997.
	mismatch := strings.Replace(string(readTestdata(t, goodSample)), "IEA*1*000003438", "IEA*1*000003439", 1)
	res, err = e.adapters.Run(ctx, a.ID, 0, []byte(mismatch))
	if err != nil {
		t.Fatal(err)
	}
	ta1, ak1 := strings.Index(res.Ack, "\nTA1*000003438*101127*1719*E*001\n"), strings.Index(res.Ack, "\nAK1*")
	if len(res.Documents) != 1 || ta1 < 0 || ak1 < ta1 || strings.Count(res.Ack, "ISA*") != 2 {
		t.Errorf("IEA02 mismatch: %d documents, acknowledgments %q", len(res.Documents), res.Ack)
	}

	bad, err := e.adapters.Run(ctx, a.ID, 0, readTestdata(t, badSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad.Errors) != 1 || bad.Errors[0].Stage != mapping.StageParse || bad.Ack != "" {
		t.Fatalf("broken 850 = errors %v, ack %q", bad.Err(), bad.Ack)
	}

	// A schema violation is a validate error.
	rev := e.latestRevision(a)
	if _, err := e.adapters.SaveDraft(ctx, a.ID, rev.Program+` | .kind = "nonsense"`, rev.Tables, rev.ParseOptions); err != nil {
		t.Fatal(err)
	}
	inv, err := e.adapters.Run(ctx, a.ID, 0, readTestdata(t, goodSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Errors) == 0 || inv.Errors[0].Stage != mapping.StageValidate || !strings.Contains(inv.Errors[0].Path, "kind") {
		t.Fatalf("invalid output = %v", inv.Err())
	}

	if _, err := e.adapters.Run(ctx, a.ID, e.latestRevision(b).ID, []byte("x")); !errors.Is(err, adapter.ErrNotFound) {
		t.Fatalf("another adapter's revision: %v, want ErrNotFound", err)
	}
	if _, err := e.adapters.SaveDraft(ctx, b.ID, "this is ( not jq", nil, formats.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.adapters.Run(ctx, b.ID, 0, []byte("x")); !errors.Is(err, adapter.ErrDoesNotCompile) {
		t.Fatalf("a draft that does not compile: %v, want ErrDoesNotCompile", err)
	}
}

// Impact analysis judges the affected adapters in memory and writes
// nothing.
func TestImpactWritesNothing(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	acme := e.partner("ACME", "Acme Retail")
	globex := e.partner("GLOBEX", "Globex")
	a := e.bare(acme, "orders")
	good, _ := e.withSamples(a)
	e.activate(e.latestRevision(a))
	bare := e.bare(globex, "orders") // no samples
	otherVersion := e.orderVersion("order-intake-eu", "1.0.0", orderSchema(t))
	if _, err := e.adapters.CloneTemplate(ctx, globex.ID, "json-order", "json", otherVersion.ID); err != nil {
		t.Fatal(err)
	}
	// Require an optional field of Order that the sample does not map.
	var docs []map[string]any
	if err := json.Unmarshal(good.ExpectedOutput, &docs); err != nil {
		t.Fatal(err)
	}
	field := ""
	for _, f := range []string{"contractNumber", "releaseNumber", "fob", "carrier", "purchaseOrderNumber", "contacts", "allowancesCharges"} {
		if _, has := docs[0][f]; !has {
			field = f
			break
		}
	}
	if field == "" {
		t.Fatal("the sample maps every candidate field; extend the list")
	}

	tables := []string{"adapters", "adapter_revisions", "adapter_samples", "conformance_runs", "conformance_results", "audit_events", "api_versions"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = e.count(tb)
	}

	rows, err := e.adapters.Impact(ctx, adapter.ImpactChange{APIVersionID: e.version.ID, NewSchema: requireField(t, orderSchema(t), field)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("impact rows = %d, want the 2 adapters targeting the version", len(rows))
	}
	r := rows[0]
	if r.Adapter.ID != a.ID || r.Partner.Code != "ACME" || r.SamplesFailing != 1 || r.Total != 2 || r.Revision != 1 || len(r.Examples) != 1 ||
		!strings.HasPrefix(r.Examples[0], goodSample+": ") || !strings.Contains(r.Examples[0], field) {
		t.Fatalf("first row = %+v", r)
	}
	if rows[1].Adapter.ID != bare.ID || rows[1].SamplesFailing != 0 || rows[1].Total != 0 {
		t.Errorf("second row = %+v", rows[1])
	}

	// The same schema as today breaks nothing.
	same, err := e.adapters.Impact(ctx, adapter.ImpactChange{APIVersionID: e.version.ID, NewSchema: orderSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	if same[0].SamplesFailing != 0 {
		t.Errorf("unchanged schema: %+v", same[0])
	}

	tpl, _ := mapping.TemplateByID(template850)
	byTemplate, err := e.adapters.Impact(ctx, adapter.ImpactChange{TemplateID: template850, Program: brokenNumber(t, tpl.Program)})
	if err != nil {
		t.Fatal(err)
	}
	if len(byTemplate) != 2 || byTemplate[0].Adapter.ID != a.ID || byTemplate[0].SamplesFailing != 1 || byTemplate[0].Customized ||
		!strings.Contains(byTemplate[0].Examples[0], "/0/number") {
		t.Fatalf("template impact = %+v", byTemplate)
	}

	if _, err := e.adapters.Impact(ctx, adapter.ImpactChange{APIVersionID: e.version.ID, NewSchema: `{"type": 12}`}); !isValidation(err, "schema") {
		t.Errorf("schema that does not compile: %v", err)
	}
	if _, err := e.adapters.Impact(ctx, adapter.ImpactChange{TemplateID: template850, Program: "("}); !isValidation(err, "program") {
		t.Errorf("program that does not compile: %v", err)
	}
	if _, err := e.adapters.Impact(ctx, adapter.ImpactChange{}); !isValidation(err, "change") {
		t.Errorf("no change: %v", err)
	}

	for _, tb := range tables {
		if n := e.count(tb); n != before[tb] {
			t.Errorf("%s: %d rows after impact analysis, %d before", tb, n, before[tb])
		}
	}
}

// The deprecation schedule learns which adapters consume a version.
func TestConsumersOf(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	acme := e.partner("ACME", "Acme Retail")
	globex := e.partner("GLOBEX", "Globex")
	a1 := e.clone(globex, "orders")
	a2 := e.clone(acme, "orders")
	a3 := e.clone(acme, "backorders")
	v2 := e.orderVersion("order-intake-eu", "1.0.0", orderSchema(t))
	a4, err := e.adapters.CloneTemplate(ctx, acme.ID, "json-order", "web orders", v2.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.adapters.ConsumersOf(ctx, []int64{e.version.ID, v2.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	link := func(code string, id int64) string { return "/partners/" + code + "/adapters/" + itoa(id) }
	want := map[int64][]deprecation.Consumer{
		e.version.ID: {
			{Kind: "adapter", ID: a3.ID, Name: "Acme Retail · backorders", Link: link("ACME", a3.ID)},
			{Kind: "adapter", ID: a2.ID, Name: "Acme Retail · orders", Link: link("ACME", a2.ID)},
			{Kind: "adapter", ID: a1.ID, Name: "Globex · orders", Link: link("GLOBEX", a1.ID)},
		},
		v2.ID: {{Kind: "adapter", ID: a4.ID, Name: "Acme Retail · web orders", Link: link("ACME", a4.ID)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consumers (-want +got):\n%s", diff)
	}
	if none, err := e.adapters.ConsumersOf(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no versions: %v %v", none, err)
	}
}

// Starting conformance needs a queue; a run still queued is reused.
func TestStartConformanceQueue(t *testing.T) {
	e := newEnv(t, false)
	ctx := alice()
	a := e.clone(e.partner("ACME", "Acme Retail"), "orders") // with the template's samples
	if _, err := e.adapters.StartConformance(ctx, a.ID); !errors.Is(err, adapter.ErrNoQueue) {
		t.Fatalf("without a queue: %v, want ErrNoQueue", err)
	}

	q := newEnv(t, true) // no worker: runs stay queued
	b := q.clone(q.partner("ACME", "Acme Retail"), "orders")
	first, err := q.adapters.StartConformance(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := q.adapters.StartConformance(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := templateSamples(template850); first.ID != second.ID || second.Status != adapter.RunQueued || second.Total != n || second.Progress() != 0 {
		t.Fatalf("second start = run %d %s, want the queued run %d", second.ID, second.Status, first.ID)
	}
	if n := q.count("conformance_runs"); n != 1 {
		t.Errorf("runs = %d, want 1", n)
	}
	if _, err := q.adapters.StartConformance(ctx, 999999); !errors.Is(err, adapter.ErrNotFound) {
		t.Errorf("unknown adapter: %v", err)
	}
}

// A run that cannot judge its samples ends in error; a task for a run that
// has ended changes nothing; an undecodable task is not retried.
func TestConformanceErrorsAndIdempotence(t *testing.T) {
	e := newEnv(t, true)
	e.startWorker()
	ctx := alice()
	a := e.clone(e.partner("ACME", "Acme Retail"), "orders") // with the template's samples
	if _, err := e.adapters.SaveDraft(ctx, a.ID, "this is ( not jq", nil, formats.Options{}); err != nil {
		t.Fatal(err)
	}
	run := e.conform(a) // no active revision: the draft runs
	if run.Status != adapter.RunError || !strings.Contains(run.Message, "does not compile") || run.FinishedAt == nil {
		t.Fatalf("run of a program that does not compile = %s %q", run.Status, run.Message)
	}
	actions := e.auditActions(a)
	if actions[len(actions)-1] != adapter.ActionConformanceRun {
		t.Errorf("last audit action = %s", actions[len(actions)-1])
	}

	rev := e.latestRevision(a)
	tpl, _ := mapping.TemplateByID(template850)
	if _, err := e.adapters.SaveDraft(ctx, a.ID, tpl.Program, adapter.Tables(tpl.Tables), rev.ParseOptions); err != nil {
		t.Fatal(err)
	}
	passed := e.conform(a)
	if passed.Status != adapter.RunPassed {
		t.Fatalf("run = %s %q", passed.Status, passed.Message)
	}
	results, audits := e.count("conformance_results"), e.count("audit_events")
	p := adapter.ConformanceProcessor{Adapters: e.adapters, Log: testenv.Logger()}
	if err := p.ProcessTask(context.Background(), adapter.NewRunConformanceTask(passed.ID)); err != nil {
		t.Fatalf("processing an ended run again: %v", err)
	}
	if again, _ := e.adapters.ConformanceRun(ctx, passed.ID); again.Status != adapter.RunPassed || again.Done != passed.Total || passed.Total == 0 ||
		e.count("conformance_results") != results || e.count("audit_events") != audits {
		t.Errorf("processing an ended run again changed it: %+v", again)
	}
	err := p.ProcessTask(context.Background(), asynq.NewTask(adapter.TypeRunConformance, []byte("{")))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("undecodable payload: %v, want SkipRetry", err)
	}
	err = p.ProcessTask(context.Background(), adapter.NewRunConformanceTask(999999))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("unknown run: %v, want SkipRetry", err)
	}
}
