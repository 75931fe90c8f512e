package web_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/testenv"
)

// TestBrowserAdapterScreenshots looks at the adapter pages in Chromium with
// a realistic adapter: the partner's adapters section, the editor with the
// playground's results (live, after picking a sample, and with a broken
// program), a conformance run followed from queued to finished by the
// report's polling, a failed run's diffs, the templates library with an
// impact analysis, and the auditor's read-only editor. It saves a
// screenshot of each for people to review; the HTTP tests in
// adapters_test.go check behaviour.
func TestBrowserAdapterScreenshots(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	e := newEnv(t, map[string]string{"CROSSDOCK_BASE_URL": base})
	served := make(chan error, 1)
	go func() { served <- e.srv.App.Listener(ln) }()
	t.Cleanup(func() {
		if err := e.srv.App.ShutdownWithTimeout(10 * time.Second); err != nil {
			t.Errorf("shut down the console: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve the console: %v", err)
		}
	})
	st := site{base: base}
	worker := adapterService(t, e)
	seeded := seedRealisticAdapter(t, e, worker)

	browser := startBrowser(t)
	shots := artifactsDir(t)
	ctx, console := newTab(t, browser)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("("+js+", true)")); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	viewport := func(file string) { // what the screen shows: a dialog over the page
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", file, err)
		}
		if err := os.WriteFile(filepath.Join(shots, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(file string) {
		t.Helper()
		if err := screenshot(ctx, shots, file); err != nil {
			t.Fatalf("screenshot %s: %v", file, err)
		}
	}
	step("sign in as the integration manager", chromedp.Navigate(st.url("/login")))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-"+string(auth.RoleIntegrationManager)))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	step("home", chromedp.WaitVisible(testID("home-title")))

	// The partner page's adapters section.
	shoot(t, ctx, st, shots, "/partners/"+seeded.code, "adapters-table", "adapters-partner-section.png")

	// The editor; picking a sample runs the playground (htmx, on change).
	shoot(t, ctx, st, shots, seeded.path, "editor", "adapter-editor.png")
	step("choose the good sample", chromedp.SetValue(`#pg-sample`, seeded.goodSample))
	eval("run the playground on it", `document.getElementById("pg-sample").dispatchEvent(new Event("change", {bubbles: true}))`)
	step("playground results", chromedp.WaitVisible(`[data-testid="playground-outcome"][data-outcome="accepted"]`))
	shot("adapter-editor-playground.png")
	outcome, err := chromedp.Run(ctx, chromedp.Text(testID("playground-outcome")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(outcome, "Accepted") {
		t.Errorf("playground outcome %q", outcome)
	}

	// Typing in the program reruns it (keyup, 600 ms): break it.
	eval("put the cursor at the program's start", `(function(){var a=document.getElementById("pg-program");a.focus();a.setSelectionRange(0,0);})()`)
	step("break the program", chromedp.SendKeys(`#pg-program`, "{ oops "), chromedp.WaitVisible(`[data-testid="pg-mapping-errors"]`))
	shot("adapter-editor-playground-error.png")

	// Paste a document the schema refuses: the schema errors with their paths.
	step("paste an order without lines",
		chromedp.Navigate(st.url(seeded.path)),
		chromedp.WaitVisible(testID("playground-form")),
		chromedp.SetValue(`#pg-document`, seeded.noLines),
		chromedp.SendKeys(`#pg-document`, " "),
		chromedp.WaitVisible(`[data-testid="pg-schema-errors"], [data-testid="pg-mapping-errors"]`),
	)
	shot("adapter-editor-playground-rejected.png")

	// An uploaded file runs as soon as it is chosen (the file goes with the
	// htmx request).
	upload := filepath.Join(t.TempDir(), "acme-po-4500012345.x12")
	if err := os.WriteFile(upload, edi(t, good850), 0o644); err != nil {
		t.Fatal(err)
	}
	step("upload a file",
		chromedp.Navigate(st.url(seeded.path)),
		chromedp.WaitVisible(testID("playground-form")),
		chromedp.SetUploadFiles(`#pg-file`, []string{upload}),
		chromedp.WaitVisible(`[data-testid="playground-outcome"][data-outcome="accepted"]`),
	)
	outcome, err = chromedp.Run(ctx, chromedp.Text(testID("playground-outcome")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(outcome, "upload acme-po-4500012345.x12") {
		t.Errorf("the uploaded file did not run: %q", outcome)
	}

	// The activation confirmation, opened from the editor.
	step("open the activation dialog", chromedp.Click(testID("editor-activate-open")), chromedp.WaitVisible(`dialog[open]`))
	viewport("adapter-activate-dialog.png")
	step("cancel", chromedp.Click(`dialog[open] [data-close-dialog]`))

	// A conformance run, followed live: queued, then finished by a worker.
	step("open the adapter", chromedp.Navigate(st.url(seeded.path)), chromedp.WaitVisible(testID("run-conformance")))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("run-conformance"))); err != nil {
		t.Fatalf("start a run: %v", err)
	}
	step("queued report", chromedp.WaitVisible(`[data-testid="run-report"][data-running="true"]`))
	shot("conformance-report-queued.png")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	runID, _ := strconv.ParseInt(u.Path[strings.LastIndex(u.Path, "/")+1:], 10, 64)
	if err := (adapter.ConformanceProcessor{Adapters: worker, Log: testenv.Logger()}).ProcessTask(context.Background(), adapter.NewRunConformanceTask(runID)); err != nil {
		t.Fatalf("run conformance: %v", err)
	}
	step("the report follows to the end", chromedp.WaitVisible(`[data-testid="run-report"][data-running="false"]`))
	shot("conformance-report-finished.png")

	// A failed run with its diffs; its passed samples opened.
	shoot(t, ctx, st, shots, seeded.failedRun, "result-diffs", "conformance-report-failed.png")
	step("open the passed samples", chromedp.Click(testID("passed-summary")), chromedp.WaitVisible(`[data-testid="passed-group"][open] [data-testid="result"]`))
	eval("back to the top", `window.scrollTo(0, 0)`)
	shot("conformance-report-failed-passed-open.png")

	// The adapter's history: the clone's sample events are one row, opened.
	step("open the adapter's history", chromedp.Navigate(st.url(seeded.path+"#history")), chromedp.WaitVisible(testID("audit-group")))
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('[data-testid="audit-group"] tr.audit-member')).display === "none"`))
	if err != nil || !hidden {
		t.Errorf("the group's events show before it is opened (%v)", err)
	}
	step("open the group", chromedp.Click(`[data-testid="audit-group-toggle"] > summary`),
		chromedp.WaitVisible(`[data-testid="audit-group"] tr.audit-member`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('[data-testid="audit-group"]').scrollIntoView({block: "center"}), true)`)); err != nil {
		t.Fatal(err)
	}
	viewport("adapter-history-group-open.png")

	// The templates library, a template with an impact analysis.
	shoot(t, ctx, st, shots, "/templates", "templates-table", "templates-library.png")
	step("open a template's program", chromedp.Click(`[data-testid="program-`+template850+`"] > summary`))
	shot("templates-library-program.png")
	step("check the impact of a change",
		chromedp.Navigate(st.url("/templates/"+template850)),
		chromedp.WaitVisible(testID("impact-form")),
		chromedp.SetValue(`#impact-program`, `{documentType: "Order", number: .set.BEG[0]."03"}`),
		chromedp.Click(testID("impact-run")),
		chromedp.WaitVisible(testID("impact-table")),
	)
	shot("template-impact.png")

	// Recording the playground's output as a sample's expectation posts the
	// editor's form to the sample's address.
	step("run the good sample again", chromedp.Navigate(st.url(seeded.path)), chromedp.WaitVisible(testID("playground-form")),
		chromedp.SetValue(`#pg-sample`, seeded.goodSample))
	eval("run it", `document.getElementById("pg-sample").dispatchEvent(new Event("change", {bubbles: true}))`)
	step("the record button", chromedp.WaitVisible(testID("record-expected")))
	// Under load the node found can go stale before the click lands (an
	// htmx swap still settling); a click that found no node did nothing,
	// so it is tried again.
	for attempt := 1; ; attempt++ {
		_, err := chromedp.RunResponse(ctx, chromedp.Click(testID("record-expected")))
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Could not find node") {
			t.Fatalf("record the expectation: %v", err)
		}
		step("the record button again", chromedp.WaitVisible(testID("record-expected")))
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(testID("flash")))
	if err != nil || !strings.Contains(flash, "expectation was recorded") {
		t.Errorf("after recording: flash %q (%v)", flash, err)
	}

	if msgs := console.stop(); len(msgs) > 0 {
		t.Errorf("the browser console reported:\n%s", strings.Join(msgs, "\n"))
	}

	// The auditor reads the same adapter.
	actx, aconsole := newTab(t, browser)
	if err := chromedp.Do(actx, chromedp.Navigate(st.url("/login"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(actx, chromedp.Click(testID("dev-login-"+string(auth.RoleAuditor)))); err != nil {
		t.Fatalf("sign in as the auditor: %v", err)
	}
	if err := chromedp.Do(actx, chromedp.WaitVisible(testID("home-title"))); err != nil {
		t.Fatal(err)
	}
	shoot(t, actx, st, shots, seeded.path, "editor", "adapter-editor-auditor.png")
	shoot(t, actx, st, shots, "/audit", "audit-group", "audit-log-grouped.png")
	if msgs := aconsole.stop(); len(msgs) > 0 {
		t.Errorf("as the auditor the browser console reported:\n%s", strings.Join(msgs, "\n"))
	}
}

// seededAdapter is what the screenshots look at.
type seededAdapter struct {
	code       string
	path       string // the adapter's page
	goodSample string // its id, for the playground's select
	noLines    string // an 850 with its PO1 lines removed
	failedRun  string // a failed run's report
}

// seedRealisticAdapter gives a live-looking partner an 850 adapter with
// three revisions, the template's samples and three of the partner's own,
// and one failed conformance run with a readable diff; a second adapter,
// for the partner's list.
func seedRealisticAdapter(t *testing.T, e *env, worker *adapter.Service) seededAdapter {
	t.Helper()
	w := seedAdapterWorld(t, e, "ACME-RETAIL", "ACME Retail Europe B.V.")
	var ines auth.User
	if err := e.db.Where("issuer = ? AND role = ?", auth.DevIssuer, auth.RoleIntegrationManager).Take(&ines).Error; err != nil {
		t.Fatal(err)
	}
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: fmt.Sprintf("user:%d", ines.ID), Name: ines.Name, Role: string(auth.RoleIntegrationManager)})
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	// Each clone is one request of the console's, as when cloned from the
	// partner page: its samples' events share the request id.
	inRequest := func(id string) context.Context {
		a := audit.ActorFrom(ctx)
		a.RequestID, a.ClientIP = id, "10.20.30.40"
		return audit.WithActor(ctx, a)
	}
	a, err := worker.CloneTemplate(inRequest("c0ffee01-clone-850"), w.partner.ID, template850, "ACME purchase orders (X12 850, VICS, Amsterdam DC)", w.version.ID)
	must("clone", err)
	_, err = worker.CloneTemplate(inRequest("c0ffee02-clone-csv"), w.partner.ID, "csv-order-lines", "ACME store replenishment (CSV upload)", w.version.ID)
	must("clone csv", err)
	r1, err := worker.Revisions(ctx, a.ID)
	must("revisions", err)
	_, err = worker.Activate(ctx, r1[0].ID)
	must("activate 1", err)
	program, tables, opts := r1[0].Program, r1[0].Tables, r1[0].ParseOptions
	r2, err := worker.SaveDraft(ctx, a.ID, strings.Replace(program, `kind: "purchase-order",`, `kind: "purchase-order", # ACME: BEG02 is always SA`, 1), tables, opts)
	must("draft 2", err)
	_, err = worker.Activate(ctx, r2.ID)
	must("activate 2", err)

	// The clone brought the template's samples (good850 among them); add
	// the partner's own.
	good := edi(t, good850)
	samples := []struct {
		name   string
		body   []byte
		expect adapter.Expect
		errs   []string
	}{
		{"acme-2024-11-po-4500012345.x12", []byte(strings.Replace(string(good), "08292233294", "4500012345", 1)), adapter.ExpectAccepted, nil},
		{"acme-missing-isa16.x12", edi(t, bad850), adapter.ExpectRejected, []string{"ISA16"}},
		{"acme-po-without-lines.x12", []byte(withoutLines(string(good))), adapter.ExpectRejected, []string{"lines"}},
	}
	for _, s := range samples {
		sm, err := worker.AddSample(ctx, a.ID, s.name, s.body, s.expect, nil, s.errs)
		must("sample "+s.name, err)
		if s.expect == adapter.ExpectAccepted {
			_, err = worker.RecordExpected(ctx, sm.ID)
			must("record "+s.name, err)
		}
	}
	process := func(run adapter.ConformanceRun, err error) int64 {
		t.Helper()
		must("start run", err)
		must("run", (adapter.ConformanceProcessor{Adapters: worker}).ProcessTask(context.Background(), adapter.NewRunConformanceTask(run.ID)))
		return run.ID
	}
	var goodID int64
	sms, err := worker.Samples(ctx, a.ID)
	must("samples", err)
	for _, sm := range sms {
		if sm.Name == good850 {
			goodID = sm.ID
		}
	}
	if goodID == 0 {
		t.Fatalf("seed: the clone brought no sample %s", good850)
	}
	process(worker.StartConformance(ctx, a.ID)) // revision 2, active: passes
	// Revision 3 numbers orders differently and fails the recorded
	// expectations: its run has diffs to read.
	r3, err := worker.SaveDraft(ctx, a.ID, strings.Replace(program, `number: ($beg | el(3)),`, `number: ("ACME-" + ($beg | el(3))),`, 1), tables, opts)
	must("draft 3", err)
	failed := process(worker.StartConformanceRevision(ctx, r3.ID))
	path := adapterURLFor(w.partner.Code, a.ID)
	return seededAdapter{code: w.partner.Code, path: path, goodSample: strconv.FormatInt(goodID, 10),
		noLines: withoutLines(string(good)), failedRun: path + "/conformance/" + strconv.FormatInt(failed, 10)}
}

func adapterURLFor(code string, id int64) string {
	return "/partners/" + code + "/adapters/" + strconv.FormatInt(id, 10)
}

// withoutLines removes the PO1 loops of an 850 (and fixes nothing else:
// the SE count is off, as partners' documents sometimes are).
func withoutLines(x12 string) string {
	var out []string
	skip := false
	for _, l := range strings.Split(x12, "\n") {
		switch {
		case strings.HasPrefix(l, "PO1*"):
			skip = true
		case strings.HasPrefix(l, "CTT*"), strings.HasPrefix(l, "SE*"):
			skip = false
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
