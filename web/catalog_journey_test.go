package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCatalogJourney walks the catalog in real Chromium, through the
// console's own forms and buttons, as the issue describes it: the
// integration manager registers an API, publishes 1.0.0, is refused a
// breaking 1.1.0, publishes the breaking contract as 2.0.0 instead and
// deprecates 1.0.0 with a sunset; the auditor then reads all of it and
// finds no way to change anything.
func TestBrowserCatalogJourney(t *testing.T) {
	st := startConsole(t)
	browser := startBrowser(t)
	shots := artifactsDir(t)

	const (
		api     = "order-fulfilment"
		apiName = "Order fulfilment"
		team    = "fulfilment-team"
		teamNm  = "Fulfilment team"
	)
	apiURL := "/catalog/apis/" + api
	verURL := func(v string) string { return apiURL + "/versions/" + v }
	sunset := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)

	// ---- the integration manager ----
	im := newJourney(t, browser, st, shots, "integration_manager")

	im.begin("1 (sign in as the integration manager)")
	im.signIn()

	im.begin("1 (create the owner team through /catalog/teams/new)")
	im.follow(testID("nav-teams"), "/catalog/teams", "teams-title")
	im.follow(testID("new-team"), "/catalog/teams/new", "team-form")
	im.typeInto(`#t-slug`, team)
	im.typeInto(`#t-name`, teamNm)
	im.typeInto(`#t-email`, "fulfilment@crossdock.example")
	im.typeInto(`#t-chat`, "#fulfilment")
	im.follow(chromedp.CSS(`[data-testid="team-form"] [data-testid="submit"]`), "/catalog/teams/"+team, "team-name")
	im.wantText(testID("team-name"), teamNm)
	im.wantText(testID("flash"), "The team was created")

	im.begin("1 (register the API through /catalog/apis/new)")
	im.follow(testID("nav-catalog"), "/catalog", "catalog-title")
	im.follow(testID("new-api"), "/catalog/apis/new", "api-form")
	im.typeInto(`#api-slug`, api)
	im.typeInto(`#api-name`, apiName)
	im.choose(`#api-kind`, "process")
	im.choose(`#api-domain`, "order")
	im.choose(`#api-owner`, team)
	im.typeInto(`#api-description`, "Routes confirmed **sales orders** to the warehouse that ships them.")
	im.typeInto(`#api-tags`, "orders, fulfilment")
	im.follow(chromedp.CSS(`[data-testid="api-form"] [data-testid="submit"]`), apiURL, "api-name")
	im.wantText(testID("api-name"), apiName)
	im.wantText(testID("kind"), "Process API")
	im.wantText(testID("owner-link"), teamNm)
	im.wantText(testID("api-meta"), "order")
	im.wantText(testID("flash"), "The API was registered")

	im.begin("2 (add 1.0.0 with its JSON Schema)")
	im.follow(testID("new-version"), apiURL+"/versions/new", "version-form")
	im.wantValue(`#v-version`, "1.0.0")
	im.typeInto(`#v-version`, "1.0.0")
	im.typeInto(`#v-schema`, journeySchemaV1)
	im.typeInto(`#v-changelog`, "First contract.")
	im.follow(chromedp.CSS(`[data-testid="version-form"] [data-testid="submit"]`), verURL("1.0.0"), "schema-tree")
	im.wantText(testID("lifecycle"), "Draft")
	im.wantText(chromedp.CSS(`[data-testid="schema-node"][data-name="uom"]`), "DZ")

	im.begin("2 (publish 1.0.0 through the confirmation page)")
	im.follow(chromedp.CSS(`.page-head [data-testid="publish-version"]`), verURL("1.0.0")+"/publish", "publish-form")
	im.wantText(testID("verdict-first"), "first live version")
	if got := im.text(testID("confirm-publish")); got != "Publish 1.0.0" {
		im.fail("the publish button says %q, want %q", got, "Publish 1.0.0")
	}
	im.follow(testID("confirm-publish"), verURL("1.0.0"), "schema-tree")
	im.wantText(testID("flash"), "The version was published")
	im.follow(chromedp.CSS(`.crumbs a[href="`+apiURL+`"]`), apiURL, "versions-table")
	im.wantRow("1.0.0", "Published")

	im.begin("3 (add 1.1.0 with a breaking change)")
	im.follow(testID("new-version"), apiURL+"/versions/new", "version-form")
	im.wantValue(`#v-version`, "1.1.0")
	im.typeInto(`#v-version`, "1.1.0")
	im.typeInto(`#v-schema`, journeySchemaBreaking)
	im.typeInto(`#v-changelog`, "Drops the DZ unit of measure; currency is required.")
	im.follow(chromedp.CSS(`[data-testid="version-form"] [data-testid="submit"]`), verURL("1.1.0"), "schema-tree")

	im.begin("3 (open publish for 1.1.0: refused with reasons)")
	im.follow(chromedp.CSS(`.page-head [data-testid="publish-version"]`), verURL("1.1.0")+"/publish", "refused")
	im.wantText(testID("verdict-summary"), "1.0.0")
	im.wantText(testID("changes-table"), "Breaking", "DZ", "currency")
	im.wantText(chromedp.CSS(`[data-testid="change-row"].breaking`), "Breaking")
	im.wantText(testID("refused"), "1.1.0 cannot be published")
	if im.count(`[data-testid="reasons"] li`) == 0 {
		im.fail("the refusal lists no reasons")
	}
	im.none(`[data-testid="confirm-publish"], [data-testid="publish-form"], form[action$="/publish"]`)
	im.shot("journey-publish-refused.png")

	im.begin("4 (create 2.0.0 with the breaking contract from the suggestion)")
	im.wantText(testID("suggest-major"), "Create 2.0.0 with this contract")
	im.follow(testID("suggest-major"), apiURL+"/versions/new", "version-form")
	im.wantValue(`#v-version`, "2.0.0")
	if got := im.value(`#v-schema`); strings.TrimSpace(got) != strings.TrimSpace(journeySchemaBreaking) {
		im.fail("the suggested 2.0.0 is not prefilled with the 1.1.0 contract; the textarea holds:\n%s", got)
	}
	im.typeInto(`#v-changelog`, "Breaking: **currency** is required and DZ is no longer a unit of measure.")
	im.follow(chromedp.CSS(`[data-testid="version-form"] [data-testid="submit"]`), verURL("2.0.0"), "schema-tree")

	im.begin("4 (publish 2.0.0: accepted)")
	im.follow(chromedp.CSS(`.page-head [data-testid="publish-version"]`), verURL("2.0.0")+"/publish", "publish-form")
	im.wantText(testID("verdict-first"), "major line 2.x")
	im.follow(testID("confirm-publish"), verURL("2.0.0"), "schema-tree")
	im.wantText(testID("flash"), "The version was published")
	im.wantText(testID("lifecycle"), "Published")

	im.begin("5 (deprecate 1.0.0 with a sunset and 2.0.0 as successor)")
	im.follow(chromedp.CSS(`.crumbs a[href="`+apiURL+`"]`), apiURL, "versions-table")
	im.follow(chromedp.CSS(`[data-testid="version-row"][data-version="1.0.0"] [data-testid="deprecate-version"]`), verURL("1.0.0")+"/deprecate", "deprecate-form")
	im.wantValue(`#d-successor`, "2.0.0")
	im.choose(`#d-sunset`, sunset)
	im.choose(`#d-successor`, "2.0.0")
	im.wantText(testID("deprecate-effects"), "410 Gone")
	im.follow(testID("confirm-deprecate"), apiURL, "versions-table")
	im.wantText(testID("flash"), "The version was deprecated")
	im.wantRow("1.0.0", "Deprecated", sunset, journeyDaysLeft(sunset)+" days left", "2.0.0")
	im.wantRow("1.1.0", "Draft")
	im.wantRow("2.0.0", "Published")
	// The forbidden-controls selector finds the manager's controls here, so
	// the auditor's empty result below means something.
	if n := im.count(journeyWriteControls); n == 0 {
		im.fail("the integration manager's API page has no element matching %s: the auditor check would prove nothing", journeyWriteControls)
	}

	im.begin("6 (screenshot the API page)")
	im.shot("journey-api.png")

	im.begin("6 (compare 1.0.0 with 2.0.0)")
	im.choose(`#cmp-from`, "1.0.0")
	im.choose(`#cmp-to`, "2.0.0")
	im.follow(chromedp.CSS(`[data-testid="compare-form"] button[type="submit"]`), apiURL+"/diff", "changes-table")
	im.wantText(testID("diff-summary"), "1.0.0", "2.0.0", "Breaking")
	im.wantText(testID("changes-table"), "DZ", "currency")
	im.shot("journey-diff.png")

	im.begin("6 (the deprecation schedule)")
	im.follow(testID("nav-schedule"), "/deprecations", "schedule-upcoming")
	im.wantScheduleRow(apiName, "1.0.0", sunset, "2.0.0", "Deprecated", journeyDaysLeft(sunset)+" days")
	im.shot("journey-schedule.png")
	im.checkConsole()

	// ---- the auditor, in a browser context of their own ----
	au := newJourney(t, browser, st, shots, "auditor")

	au.begin("7 (sign in as the auditor)")
	au.signIn()

	au.begin("7 (auditor: the catalog list)")
	au.follow(testID("nav-catalog"), "/catalog", "catalog-table")
	au.wantText(testID("catalog-row"), apiName, teamNm, "1 deprecated", "1 published", "1 draft")
	au.wantText(testID("export-csv"), "Export CSV")
	au.wantText(testID("export-json"), "Export JSON")
	au.none(`[data-testid="new-api"], [data-testid="empty-new-api"], a[href="/catalog/apis/new"]`)
	au.noWriteControls()

	au.begin("7 (auditor: the API page)")
	au.follow(chromedp.CSS(`[data-testid="catalog-row"] [data-testid="api-link"]`), apiURL, "versions-table")
	au.wantText(testID("api-name"), apiName)
	au.wantText(testID("owner-link"), teamNm)
	au.wantRow("1.0.0", "Deprecated", sunset, journeyDaysLeft(sunset)+" days left", "2.0.0")
	au.wantRow("1.1.0", "Draft")
	au.wantRow("2.0.0", "Published")
	au.noWriteControls()
	au.shot("journey-auditor-api.png")

	au.begin("7 (auditor: the version page of 1.0.0)")
	au.follow(chromedp.CSS(`[data-testid="version-row"][data-version="1.0.0"] [data-testid="version-link"]`), verURL("1.0.0"), "schema-tree")
	au.wantText(testID("version-title"), apiName, "1.0.0")
	au.wantText(testID("lifecycle"), "Deprecated")
	au.wantText(testID("version-meta"), sunset, "2.0.0")
	au.wantText(testID("deprecated-note"), "deprecated")
	au.noWriteControls()

	au.begin("7 (auditor: the deprecation schedule)")
	au.follow(testID("nav-schedule"), "/deprecations", "schedule-upcoming")
	au.wantScheduleRow(apiName, "1.0.0", sunset, "2.0.0", "Deprecated", journeyDaysLeft(sunset)+" days")
	au.noWriteControls()
	au.checkConsole()

	au.end()
	im.end()
}

// journeyWriteControls matches the links, buttons and forms that change
// the catalog. "/deprecate" is also the start of "/deprecations", the
// read-only schedule (sidebar link, reset link, export, filter form), so
// those are excluded.
const journeyWriteControls = `a[href$="/edit"], a[href*="/versions/new"], button[data-open-dialog^="retire"], ` +
	`form[action*="/publish"], form[action*="/deprecate"]:not([action^="/deprecations"]), ` +
	`a[href*="/publish"], a[href*="/deprecate"]:not([href^="/deprecations"])`

// journeyDaysLeft is the number of calendar days (UTC) from today to the
// sunset date, as the pages count them: 30 for the journey's sunset,
// unless the run crosses midnight UTC.
func journeyDaysLeft(sunset string) string {
	day, err := time.Parse(time.DateOnly, sunset)
	if err != nil {
		panic(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	return strconv.Itoa(int(day.Sub(today).Hours() / 24))
}

const (
	journeyStepTimeout = 20 * time.Second
	journeyTabLife     = 4 * time.Minute
)

// journey is one person's tab with the step they are at: every failure
// names the role and the step, and each step has its own time limit.
type journey struct {
	t       *testing.T
	site    site
	shots   string
	role    string
	tab     context.Context
	console *consoleLog
	seen    int // console messages already reported

	step   string
	ctx    context.Context // the current step's context
	cancel context.CancelFunc
}

// newJourney opens a tab in a new browser context (its own cookies) that
// may live as long as the whole journey; newTab's limit is for short tests.
func newJourney(t *testing.T, browser context.Context, st site, shots, role string) *journey {
	t.Helper()
	life, cancelLife := context.WithTimeout(browser, journeyTabLife)
	tab, cancelTab := chromedp.NewContext(life, chromedp.WithNewBrowserContext())
	cl := &consoleLog{done: make(chan struct{})}
	j := &journey{t: t, site: st, shots: shots, role: role, tab: tab, console: cl}
	t.Cleanup(func() {
		if j.cancel != nil {
			j.cancel()
		}
		cancelTab()
		cancelLife()
		cl.stop()
	})
	// The first action on the tab's own context creates the tab; steps run
	// on contexts derived from it, so a step's timeout does not close it.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 900)); err != nil {
		close(cl.done)
		t.Fatalf("role %s: open a tab: %v", role, err)
	}
	cl.listen(tab)
	return j
}

// begin starts a step with a fresh time limit, after checking the console
// of the step before.
func (j *journey) begin(step string) {
	j.t.Helper()
	if j.step != "" {
		j.checkConsole()
	}
	if j.cancel != nil {
		j.cancel()
	}
	j.step = step
	j.ctx, j.cancel = context.WithTimeout(j.tab, journeyStepTimeout)
}

// end reports what the console logged after the last check.
func (j *journey) end() {
	j.t.Helper()
	msgs := j.console.stop()
	if len(msgs) > j.seen {
		j.t.Errorf("role %s: after step %s the browser console reported:\n%s", j.role, j.step, strings.Join(msgs[j.seen:], "\n"))
	}
	j.seen = len(msgs)
}

// checkConsole fails the step when the page logged errors during it.
func (j *journey) checkConsole() {
	j.t.Helper()
	j.console.mu.Lock()
	msgs := slices.Clone(j.console.msgs)
	j.console.mu.Unlock()
	if len(msgs) > j.seen {
		fresh := msgs[j.seen:]
		j.seen = len(msgs)
		j.fail("the browser console reported:\n%s", strings.Join(fresh, "\n"))
	}
}

// fail stops the test, naming the role and the step, and keeps a
// screenshot of the page as it was.
func (j *journey) fail(format string, args ...any) {
	j.t.Helper()
	msg := fmt.Sprintf(format, args...)
	sctx, cancel := context.WithTimeout(j.tab, 5*time.Second)
	defer cancel()
	name := "journey-failed-" + j.role + ".png"
	if err := screenshot(sctx, j.shots, name); err == nil {
		msg += "\n(the page at the failure: " + filepath.Join(j.shots, name) + ")"
	}
	if loc, err := chromedp.Run(sctx, chromedp.Location()); err == nil {
		msg += "\n(the browser was at " + loc + ")"
	}
	j.t.Fatalf("role %s: step %s: %s", j.role, j.step, msg)
}

func (j *journey) signIn() {
	j.t.Helper()
	resp, err := chromedp.Run(j.ctx, chromedp.NavigateResponse(j.site.url("/login")))
	if err != nil {
		j.fail("open /login: %v", err)
	}
	if resp == nil || resp.Status != 200 {
		j.fail("/login answered %s, want 200", status(resp))
	}
	j.follow(testID("dev-login-"+j.role), "/", "home-title")
}

// follow clicks a link or a submit button and checks the page it leads
// to: status 200, the path, and a marker element.
func (j *journey) follow(sel chromedp.CSS, path, marker string) {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(sel))
	if err != nil {
		j.fail("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != 200 {
		j.fail("after clicking %s the page answered %s, want 200%s", sel, status(resp), j.errorText())
	}
	if err := wantPath(j.ctx, path); err != nil {
		j.fail("after clicking %s: %v%s", sel, err, j.errorText())
	}
	if err := chromedp.Do(j.ctx, chromedp.WaitVisible(testID(marker))); err != nil {
		j.fail("after clicking %s: %s is not visible on %s: %v", sel, marker, path, err)
	}
}

// errorText is what an error page or a form's error summary says, for a
// failure message.
func (j *journey) errorText() string {
	got, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('[data-testid="error-page"], [data-testid="form-errors"], [data-testid="form-conflict"], .field .error')).map(e => e.innerText.trim()).join(" | ")`))
	if err != nil || got == "" {
		return ""
	}
	return " (the page says: " + got + ")"
}

// typeInto types text into an input or textarea with the keyboard, after
// emptying it, and checks the field holds exactly the text.
func (j *journey) typeInto(sel, text string) {
	j.t.Helper()
	// chromedp v0.23's SetValue(sel, "") fails ("could not set value"), so empty the field in JS.
	if _, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(e => { e.value = ""; return true })(document.querySelector(%q))`, sel))); err != nil {
		j.fail("empty %s: %v", sel, err)
	}
	if err := chromedp.Do(j.ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		j.fail("type into %s: %v", sel, err)
	}
	if got := j.value(sel); got != text {
		j.fail("%s holds %q after typing, want %q", sel, got, text)
	}
}

// choose sets a select (or a date input, whose keyboard format depends
// on the locale) and checks the value took.
func (j *journey) choose(sel, value string) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		j.fail("choose %q in %s: %v", value, sel, err)
	}
	if got := j.value(sel); got != value {
		j.fail("%s holds %q, want %q (no such option?)", sel, got, value)
	}
}

func (j *journey) value(sel string) string {
	j.t.Helper()
	got, err := chromedp.Run(j.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		j.fail("read the value of %s: %v", sel, err)
	}
	return got
}

func (j *journey) wantValue(sel, want string) {
	j.t.Helper()
	if got := j.value(sel); got != want {
		j.fail("%s holds %q, want %q", sel, got, want)
	}
}

func (j *journey) text(sel chromedp.CSS) string {
	j.t.Helper()
	got, err := chromedp.Run(j.ctx, chromedp.Text(sel))
	if err != nil {
		j.fail("read the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(got)
}

// wantText checks that the first element of sel shows every one of wants.
func (j *journey) wantText(sel chromedp.CSS, wants ...string) {
	j.t.Helper()
	got := j.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			j.fail("%s shows %q, which lacks %q", sel, got, w)
		}
	}
}

// wantRow checks a row of the versions table: its lifecycle badge and
// the texts the row must show.
func (j *journey) wantRow(version, lifecycle string, texts ...string) {
	j.t.Helper()
	row := `[data-testid="version-row"][data-version="` + version + `"]`
	if got := j.text(chromedp.CSS(row + ` [data-testid="lifecycle"]`)); got != lifecycle {
		j.fail("the versions table shows %s as %q, want %q", version, got, lifecycle)
	}
	j.wantText(chromedp.CSS(row), texts...)
}

// wantScheduleRow checks that the upcoming sunsets list the version.
func (j *journey) wantScheduleRow(apiName, version string, texts ...string) {
	j.t.Helper()
	rows, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="schedule-upcoming"] [data-testid="schedule-row"]')).map(r => r.innerText)`))
	if err != nil {
		j.fail("read the schedule: %v", err)
	}
	for _, r := range rows {
		if !strings.Contains(r, apiName) || !strings.Contains(r, version) {
			continue
		}
		for _, w := range texts {
			if !strings.Contains(r, w) {
				j.fail("the schedule row of %s %s is %q, which lacks %q", apiName, version, r, w)
			}
		}
		return
	}
	j.fail("the upcoming sunsets do not list %s %s; rows: %q", apiName, version, rows)
}

// count is the number of elements that match the selector.
func (j *journey) count(selector string) int {
	j.t.Helper()
	n, err := chromedp.Run(j.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, selector)))
	if err != nil {
		j.fail("count %s: %v", selector, err)
	}
	return n
}

// none fails when an element matches the selector, showing each one.
func (j *journey) none(selector string) {
	j.t.Helper()
	found, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q)).map(e => e.outerHTML.slice(0, 200))`, selector)))
	if err != nil {
		j.fail("query %s: %v", selector, err)
	}
	if len(found) > 0 {
		loc, _ := chromedp.Run(j.ctx, chromedp.Location())
		j.fail("%s offers what it must not (%s):\n  %s", loc, selector, strings.Join(found, "\n  "))
	}
}

func (j *journey) noWriteControls() {
	j.t.Helper()
	j.none(journeyWriteControls)
	// Nothing to post but the sign-out.
	if n := j.count(`form[method="post"]:not([action="/logout"])`); n > 0 {
		forms, _ := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('form[method="post"]')).map(f => f.getAttribute("action"))`))
		j.fail("the page has post forms besides sign-out: %q", forms)
	}
}

func (j *journey) shot(name string) {
	j.t.Helper()
	if err := screenshot(j.ctx, j.shots, name); err != nil {
		j.fail("screenshot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(j.shots, name)); err != nil {
		j.fail("screenshot: %v", err)
	}
}

// The contracts the manager types: an order with its number and lines;
// the breaking one drops the DZ unit of measure and requires a currency.
const journeySchemaV1 = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Order",
  "type": "object",
  "required": ["number", "lines"],
  "properties": {
    "number": {"type": "string", "maxLength": 35, "description": "The buyer's order number"},
    "lines": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "required": ["quantity", "uom"],
        "properties": {
          "quantity": {"type": "number", "exclusiveMinimum": 0},
          "uom": {"enum": ["EA", "CA", "DZ"], "description": "Unit of measure"}
        }
      }
    }
  }
}`

const journeySchemaBreaking = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Order",
  "type": "object",
  "required": ["number", "lines", "currency"],
  "properties": {
    "number": {"type": "string", "maxLength": 35, "description": "The buyer's order number"},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
    "lines": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "required": ["quantity", "uom"],
        "properties": {
          "quantity": {"type": "number", "exclusiveMinimum": 0},
          "uom": {"enum": ["EA", "CA"], "description": "Unit of measure"}
        }
      }
    }
  }
}`
