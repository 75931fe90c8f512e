package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/testenv"
)

// TestBrowserOnboardingJourney onboards a trading partner end to end in
// real Chromium, through the console's own forms, buttons and dialogs, as
// the issue describes it. The integration manager creates the partner
// with its ISA identifiers and a contact, issues an API key (shown once),
// moves it to testing, clones the X12 850 template onto the canonical
// order contract (the template's samples come along), runs the playground
// on one of them, activates revision 1, runs the conformance tests, which
// a real asynq worker on the test's Redis executes, until they pass, marks
// the partner certified and requests go-live, and is shown that they
// cannot approve it themselves. The admin, a second person in a browser
// context of their own, approves it: the partner is Live with the
// checklist 5 of 5.
func TestBrowserOnboardingJourney(t *testing.T) {
	st, e := startConsoleEnv(t)
	target := canonicalOrderVersion(t, e) // what migrate up registers on a real install
	startConformanceWorker(t, e)
	browser := startBrowser(t)
	shots := artifactsDir(t)

	const (
		code        = "BALTIC-FOODS"
		name        = "Baltic Foods Wholesale Oy"
		isaID       = "BALTICFOODS"
		contactMail = "edi@baltic-foods.example"
		adapterName = "Baltic purchase orders (X12 850)"
	)
	partnerPath := "/partners/" + code
	nSamples := len(mapping.TemplateSamples(template850))

	// ---- the integration manager ----
	im := newJourney(t, browser, st, shots, "integration_manager")

	im.begin("1 (sign in as the integration manager)")
	im.signIn()

	im.begin("1 (create the partner through /partners/new)")
	im.follow(testID("nav-partners"), "/partners", "partners-title")
	im.follow(testID("new-partner"), "/partners/new", "partner-form")
	im.typeInto(`#partner-code`, code)
	im.typeInto(`#partner-name`, name)
	im.choose(`#partner-isa-qualifier`, "ZZ")
	im.typeInto(`#partner-isa-id`, isaID)
	im.follow(chromedp.CSS(`[data-testid="partner-form"] [data-testid="submit"]`), partnerPath, "partner-name")
	im.wantText(testID("flash"), "created in draft")
	im.wantText(testID("partner-name"), name)
	im.wantStatus("draft", "Draft")
	im.wantText(testID("isa-id"), isaID)
	im.wantText(testID("checklist-score"), "0 of 5 done")

	im.begin("1 (add a contact with an email address)")
	im.open("add-contact-disclosure")
	im.typeInto(`#contact-name`, "Liisa Virtanen")
	im.typeInto(`#contact-email`, contactMail)
	im.choose(`#contact-role`, "technical")
	im.follow(testID("add-contact"), partnerPath, "contacts-table")
	im.wantText(testID("flash"), "The contact was added")
	im.wantText(testID("contact-row"), "Liisa Virtanen", contactMail)
	im.wantDone("profile", true)

	im.begin("2 (issue an API key: the token is shown once)")
	im.open("issue-key-disclosure")
	im.typeInto(`#key-label`, "Baltic production EDI gateway")
	im.submit(testID("issue-key"), 201, partnerPath+"/keys", "new-token")
	token := im.text(testID("new-token"))
	if len(token) < 20 || strings.ContainsAny(token, " \n") {
		im.fail("the issued token is %q; want a long opaque string", token)
	}
	im.wantText(testID("issued-key"), "only time the key is shown")
	im.wantDone("api_key", true)
	im.follow(chromedp.CSS(`.crumbs a[href="/partners"]`), "/partners", "partners-table")
	im.follow(chromedp.CSS(`[data-testid="partner-row"][data-code="`+code+`"] [data-testid="partner-link"]`), partnerPath, "keys-table")
	im.none(`[data-testid="new-token"], [data-testid="issued-key"]`)
	if shown, _ := chromedp.Run(im.ctx, chromedp.Evaluate[bool]("document.documentElement.outerHTML.includes("+strconv.Quote(token)+")")); shown {
		im.fail("the partner page shows the token again after a reload")
	}
	im.wantText(testID("key-row"), "Baltic production EDI gateway")

	im.begin("3 (move the partner to testing)")
	im.confirm("move-testing", partnerPath, "partner-status")
	im.wantText(testID("flash"), "in testing")
	im.wantStatus("testing", "Testing")

	im.begin("4 (clone the X12 850 template onto canonical-order 1.0.0)")
	im.open("clone-disclosure")
	im.choose(`#clone-template`, template850)
	im.typeInto(`#clone-name`, adapterName)
	im.choose(`#clone-target`, strconv.FormatInt(target.ID, 10))
	adapterPath := im.submitTo(testID("clone-submit"), adapterLoc, "editor")
	im.wantText(testID("adapter-name"), adapterName)
	im.wantText(testID("adapter-target"), "Canonical order 1.0.0")
	im.wantText(chromedp.CSS(`[data-testid="adapter-active"]`), "No active revision")
	if n := im.count(`[data-testid="sample-row"]`); n != nSamples {
		im.fail("the adapter has %d samples after cloning, want the template's %d", n, nSamples)
	}
	im.wantText(chromedp.CSS(`[data-testid="sample-row"][data-name="`+good850+`"]`), "Accepted")
	im.wantText(chromedp.CSS(`[data-testid="sample-row"][data-name="`+bad850+`"]`), "Rejected", "ISA16")

	im.begin("5 (run the playground on the template's 850 sample)")
	picked, err := chromedp.Run(im.ctx, chromedp.Evaluate[string](`(() => {
		const sel = document.getElementById("pg-sample");
		const opt = Array.from(sel.options).find(o => o.text.startsWith(`+strconv.Quote(good850)+`));
		if (!opt) return "";
		sel.value = opt.value;
		sel.dispatchEvent(new Event("change", {bubbles: true}));
		return opt.text;
	})()`))
	if err != nil || picked == "" {
		im.fail("choose %s in the playground's sample list: %q %v", good850, picked, err)
	}
	if err := chromedp.Do(im.ctx, chromedp.WaitVisible(`[data-testid="playground-outcome"][data-outcome="accepted"]`)); err != nil {
		im.fail("the playground shows no accepted outcome for %s: %v", good850, err)
	}
	im.wantText(testID("playground-outcome"), good850)
	im.wantText(testID("pg-output"), `documentType "Order"`, `number "`+good850PO+`"`)
	im.shot("journey-playground.png")

	im.begin("6 (activate revision 1)")
	im.confirm("activate-1", adapterPath, "adapter-active")
	im.wantText(testID("flash"), "The revision is active")
	im.wantText(testID("adapter-active"), "Active: revision 1")

	im.begin("7 (run the conformance tests; a worker runs them)")
	runPath := im.submitTo(testID("run-conformance"), regexp.MustCompile(`^`+regexp.QuoteMeta(adapterPath)+`/conformance/\d+$`), "run-report")
	if err := chromedp.Do(im.ctx, chromedp.WaitVisible(`[data-testid="run-report"][data-running="false"]`)); err != nil {
		im.fail("the report at %s did not follow the run to its end: %v", runPath, err)
	}
	if got := im.attr(`[data-testid="run-report"] [data-testid="run-status"]`, "data-status"); got != "passed" {
		im.fail("the run ended %q, want passed; the report says: %s", got, im.text(testID("run-report")))
	}
	n := strconv.Itoa(nSamples)
	im.wantText(testID("run-counts"), n+" of "+n+" samples done")
	im.wantText(testID("run-verdict"), "Every sample had its expected outcome on revision 1")
	if got := im.count(`[data-testid="result"][data-outcome="passed"]`); got != nSamples {
		im.fail("%d passed results, want %d", got, nSamples)
	}
	im.shot("journey-conformance.png")

	im.begin("8 (back on the partner: adapter and conformance done)")
	im.follow(chromedp.CSS(`.crumbs a[href="`+partnerPath+`"]`), partnerPath, "checklist")
	for _, item := range []string{"profile", "api_key", "adapter", "conformance"} {
		im.wantDone(item, true)
	}
	im.wantDone("approval", false)
	im.wantText(testID("checklist-score"), "4 of 5 done")
	im.wantText(chromedp.CSS(`[data-testid="adapter-row"][data-name="`+adapterName+`"]`), "Passed")

	im.begin("9 (mark the partner certified)")
	im.confirm("mark-certified", partnerPath, "partner-status")
	im.wantText(testID("flash"), "certified")
	im.wantStatus("certified", "Certified")

	im.begin("10 (request go-live)")
	im.confirm("request-go-live", partnerPath, "pending-request")
	im.wantText(testID("flash"), "Go-live was requested")
	im.wantText(testID("pending-request"), "Go-live requested")
	im.wantStatus("certified", "Certified")

	im.begin("10 (the requester cannot approve their own request)")
	im.wantText(chromedp.CSS(`[data-testid="pending-request"] [data-testid="own-request"]`), "Another person must approve: you requested it")
	im.none(`[data-testid^="approve-"]`)
	im.follow(testID("nav-partners"), "/partners", "partners-table")
	im.follow(testID("approvals-link"), "/partners/approvals", "approvals-table")
	row := `[data-testid="approval-row"][data-code="` + code + `"]`
	im.wantText(chromedp.CSS(row), name)
	im.wantText(chromedp.CSS(row+` [data-testid="own-request"]`), "you requested it")
	im.none(row + ` [data-testid^="approve-"]`)
	im.checkConsole()

	// ---- the admin, a second person in a browser context of their own ----
	ad := newJourney(t, browser, st, shots, "admin")

	ad.begin("11 (sign in as the admin)")
	ad.signIn()

	ad.begin("11 (open the approvals)")
	ad.follow(testID("nav-partners"), "/partners", "partners-table")
	ad.wantText(testID("approvals-count"), "1")
	ad.follow(testID("approvals-link"), "/partners/approvals", "approvals-table")
	ad.wantText(chromedp.CSS(row), name, "first go-live")
	ad.none(row + ` [data-testid="own-request"]`)

	ad.begin("11 (approve go-live)")
	if err := chromedp.Do(ad.ctx, chromedp.Click(chromedp.CSS(row+` [data-testid^="approve-"][data-testid$="-open"]`)), chromedp.WaitVisible(`dialog[open]`)); err != nil {
		ad.fail("open the approval dialog: %v", err)
	}
	ad.wantText(chromedp.CSS(`dialog[open]`), "Approve go-live of "+name)
	ad.follow(chromedp.CSS(`dialog[open] [data-testid^="approve-"][data-testid$="-confirm"]`), partnerPath, "partner-status")
	ad.wantText(testID("flash"), "Go-live was approved")

	ad.begin("12 (the partner is live, the checklist complete)")
	ad.wantStatus("live", "Live")
	ad.wantText(testID("checklist-score"), "5 of 5 done")
	for _, item := range []string{"profile", "api_key", "adapter", "conformance", "approval"} {
		ad.wantDone(item, true)
	}
	ad.wantText(testID("go-live"), name+" is live")
	ad.wantText(testID("decided-requests"), "Approved")
	ad.none(`[data-testid="pending-request"]`)
	ad.shot("journey-partner.png")
	ad.checkConsole()

	// The integration manager sees the same.
	im.begin("13 (the integration manager sees the partner live)")
	resp, err := chromedp.Run(im.ctx, chromedp.NavigateResponse(st.url(partnerPath)))
	if err != nil || resp == nil || resp.Status != 200 {
		im.fail("open %s: %s %v", partnerPath, status(resp), err)
	}
	im.wantStatus("live", "Live")
	im.wantText(testID("checklist-score"), "5 of 5 done")

	ad.end()
	im.end()
}

// startConformanceWorker runs a real asynq worker (jobs.Worker) on the
// console's Redis with the adapter conformance processor registered, as
// `crossdock worker` does, until the test ends: conformance runs the
// console queues are picked up and executed like in production.
func startConformanceWorker(t *testing.T, e *env) {
	t.Helper()
	opt, err := jobs.ParseRedisURL(e.cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	w := jobs.NewWorker(opt, 2, testenv.Logger())
	w.Handle(adapter.TypeRunConformance, adapter.ConformanceProcessor{Adapters: adapterService(t, e), Log: testenv.Logger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() { // before the console and its database go: cleanups run last-in first-out
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the worker did not stop within 30s")
		}
	})
}

// submit clicks a submit button whose answer is a page of its own (not a
// redirect) with status want, and checks the path and a marker element.
// open clicks the button of an add form behind a disclosure and waits for
// the form.
func (j *journey) open(disclosure string) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, chromedp.Click(testID(disclosure+"-toggle")),
		chromedp.WaitVisible(`details[data-testid="`+disclosure+`"][open] form`)); err != nil {
		j.fail("open %s: %v", disclosure, err)
	}
}

func (j *journey) submit(sel chromedp.CSS, want int64, path, marker string) {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(sel))
	if err != nil {
		j.fail("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != want {
		j.fail("after clicking %s the page answered %s, want %d%s", sel, status(resp), want, j.errorText())
	}
	if err := wantPath(j.ctx, path); err != nil {
		j.fail("after clicking %s: %v", sel, err)
	}
	if err := chromedp.Do(j.ctx, chromedp.WaitVisible(testID(marker))); err != nil {
		j.fail("after clicking %s: %s is not visible on %s: %v", sel, marker, path, err)
	}
}

// submitTo clicks a button that leads to a page whose path is only known
// by its shape (it holds a new id), checks status 200 and the marker, and
// returns the path (the part pathRE matches).
func (j *journey) submitTo(sel chromedp.CSS, pathRE *regexp.Regexp, marker string) string {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(sel))
	if err != nil {
		j.fail("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != 200 {
		j.fail("after clicking %s the page answered %s, want 200%s", sel, status(resp), j.errorText())
	}
	path, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		j.fail("read the location: %v", err)
	}
	m := pathRE.FindString(path)
	if m == "" {
		j.fail("after clicking %s the browser is at %s, want a path like %s", sel, path, pathRE)
	}
	if err := chromedp.Do(j.ctx, chromedp.WaitVisible(testID(marker))); err != nil {
		j.fail("after clicking %s: %s is not visible on %s: %v", sel, marker, path, err)
	}
	return m
}

// confirm opens the confirmation dialog id with its button, checks it is
// shown, and follows its confirm button to path.
func (j *journey) confirm(id, path, marker string) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, chromedp.Click(testID(id+"-open")), chromedp.WaitVisible(`dialog#`+id+`[open]`)); err != nil {
		j.fail("open the %s dialog: %v", id, err)
	}
	j.follow(testID(id+"-confirm"), path, marker)
}

// attr is an attribute of the first element matching the selector.
func (j *journey) attr(sel, name string) string {
	j.t.Helper()
	got, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`(e => e ? (e.getAttribute(`+strconv.Quote(name)+`) || "") : "")(document.querySelector(`+strconv.Quote(sel)+`))`))
	if err != nil {
		j.fail("read %s of %s: %v", name, sel, err)
	}
	return got
}

// wantStatus checks the partner's status badge in the page header.
func (j *journey) wantStatus(status, label string) {
	j.t.Helper()
	badge := `.page-head [data-testid="partner-status"]`
	if got := j.attr(badge, "data-status"); got != status {
		j.fail("the partner's status is %q, want %q", got, status)
	}
	j.wantText(chromedp.CSS(badge), label)
}

// wantDone checks one item of the onboarding checklist.
func (j *journey) wantDone(item string, done bool) {
	j.t.Helper()
	sel := `[data-testid="check-` + item + `"]`
	if j.count(sel) != 1 {
		j.fail("the checklist has no item %s", item)
	}
	if got := j.count(sel+`[data-done]`) == 1; got != done {
		j.fail("checklist item %s done = %v, want %v: %s", item, got, done, j.text(chromedp.CSS(sel)))
	}
}
