package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/store"
)

// squash is the text with its runs of white space made one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// The partner page's add forms wait behind a button each (a closed
// details element), and the one that came back with errors is open, its
// messages shown; the others stay closed.
func TestPartnerAddFormsBehindButtons(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "GLOBEX", "Globex Corporation")
	im := e.signIn(auth.RoleIntegrationManager)
	disclosures := map[string]string{ // disclosure → the form inside it
		"add-contact-disclosure":  "contact-form",
		"issue-key-disclosure":    "key-form",
		"add-override-disclosure": "override-form",
		"clone-disclosure":        "clone-form",
	}
	labels := map[string]string{
		"add-contact-disclosure":  "Add contact",
		"issue-key-disclosure":    "Issue API key",
		"add-override-disclosure": "Add policy override",
		"clone-disclosure":        "Clone a template",
	}
	wantOpen := func(d *goquery.Document, what string, open ...string) {
		t.Helper()
		for id, form := range disclosures {
			det := d.Find(`details[data-testid="` + id + `"]`)
			if det.Length() != 1 {
				t.Errorf("%s: no disclosure %s", what, id)
				continue
			}
			sum := det.ChildrenFiltered("summary.button")
			if sum.Length() != 1 || squash(sum.Text()) != labels[id] {
				t.Errorf("%s: %s's button says %q, want %q", what, id, squash(sum.Text()), labels[id])
			}
			if det.Find(`form[data-testid="`+form+`"]`).Length() != 1 {
				t.Errorf("%s: %s does not hold the %s", what, id, form)
			}
			_, isOpen := det.Attr("open")
			if want := contains(open, id); isOpen != want {
				t.Errorf("%s: %s open=%v, want %v", what, id, isOpen, want)
			}
		}
	}
	path := "/partners/" + w.partner.Code
	d := partnerDoc(t, im.get(path), http.StatusOK, "partner page")
	wantOpen(d, "fresh page")
	if d.Find(`form[data-testid="contact-form"]`).Closest("details").Length() != 1 {
		t.Error("the contact form is not inside its disclosure")
	}

	// A contact with a bad email: the contact form is open, the message and the typed name there.
	d = partnerDoc(t, im.postForm(path+"/contacts", url.Values{"name": {"Hank Scorpio"}, "email": {"not-an-email"}, "role": {"business"}}), http.StatusUnprocessableEntity, "bad contact")
	wantOpen(d, "bad contact", "add-contact-disclosure")
	det := d.Find(`details[data-testid="add-contact-disclosure"]`)
	if !strings.Contains(det.Find(`[data-testid="error-email"]`).Text(), "email address") || det.Find(`#contact-name`).AttrOr("value", "") != "Hank Scorpio" {
		t.Errorf("the open contact form lacks its error or the typed name: %q", squash(det.Text()))
	}

	// A key without a label.
	d = partnerDoc(t, im.postForm(path+"/keys", url.Values{"label": {""}}), http.StatusUnprocessableEntity, "key without label")
	wantOpen(d, "key without label", "issue-key-disclosure")
	if !strings.Contains(d.Find(`details[data-testid="issue-key-disclosure"] [data-testid="error-label"]`).Text(), "Name the key") {
		t.Error("the open key form does not say the label is missing")
	}

	// A rotation refused: the message is above the keys, and the issue form stays closed.
	partnerDoc(t, im.postForm(path+"/keys", url.Values{"label": {"Globex AS2 gateway"}}), http.StatusCreated, "issue key")
	var k partner.Key
	if err := e.db.Where("partner_id = ?", w.partner.ID).Take(&k).Error; err != nil {
		t.Fatal(err)
	}
	d = partnerDoc(t, im.postForm(path+"/keys/"+idStr(k.ID)+"/rotate", url.Values{"overlap_hours": {"many"}}), http.StatusUnprocessableEntity, "bad overlap")
	wantOpen(d, "bad overlap")
	if !strings.Contains(partnerText(d, "key-error"), "overlap") {
		t.Errorf("rotation refusal %q", partnerText(d, "key-error"))
	}

	// An override with half a rate limit.
	d = partnerDoc(t, im.postForm(path+"/policy-overrides", url.Values{"scope": {"all"}, "rateLimit.rate": {"5"}}), http.StatusUnprocessableEntity, "bad override")
	wantOpen(d, "bad override", "add-override-disclosure")
	if !strings.Contains(d.Find(`details[data-testid="add-override-disclosure"] [data-testid="error-rateLimit.burst"]`).Text(), "Set the burst too") {
		t.Error("the open override form does not say why")
	}

	// A clone without a target.
	d = partnerDoc(t, im.postForm(path+"/adapters", url.Values{"template": {template850}, "name": {"Globex orders"}}), http.StatusUnprocessableEntity, "clone without target")
	wantOpen(d, "clone without target", "clone-disclosure")
	if d.Find(`details[data-testid="clone-disclosure"] [data-testid="error-target"]`).Text() == "" {
		t.Error("the open clone form does not say the target is missing")
	}

	// Once an override exists, the button offers one for another scope.
	partnerRedirect(t, im.postForm(path+"/policy-overrides", url.Values{"scope": {"all"}, "rateLimit.rate": {"200"}, "rateLimit.burst": {"400"}}), path+"?flash=override-saved", "save override")
	d = partnerDoc(t, im.get(path), http.StatusOK, "with an override")
	if got := squash(d.Find(`[data-testid="add-override-disclosure"] > summary`).Text()); got != "Add override for another scope" {
		t.Errorf("override button %q", got)
	}

	// The auditor has nothing to add.
	au := e.signIn(auth.RoleAuditor)
	d = partnerDoc(t, au.get(path), http.StatusOK, "auditor")
	if n := d.Find(`details.add-form`).Length(); n != 0 {
		t.Errorf("the auditor is offered %d add forms", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// seedAuditRun records n events of one request, as one action does (a
// template clone adds its samples one event each).
func seedAuditRun(t *testing.T, db *gorm.DB, requestID, action, entityType, entityID string, n int) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:2", Name: "Ines Moreau", Role: string(auth.RoleIntegrationManager), RequestID: requestID, ClientIP: "10.0.0.7"})
	for i := range n {
		err := store.WithTx(ctx, db, func(tx *gorm.DB) error {
			return audit.Record(ctx, tx, audit.Change{Action: action, EntityType: entityType, EntityID: entityID,
				After: map[string]any{"sample": fmt.Sprintf("sample-%02d.x12", i+1)}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Consecutive events of one request with the same actor, action and entity
// type are one row, "adapter.sample_add × 10", that opens to each event;
// the exports keep one line per event.
func TestAuditGroupsOneRequestsEvents(t *testing.T) {
	e := newEnv(t, nil)
	seedAuditRun(t, e.db, "req-clone-0001", "adapter.create", "adapter", "7", 1)
	seedAuditRun(t, e.db, "req-clone-0001", "adapter.sample_add", "adapter", "7", 10)
	seedAuditRun(t, e.db, "req-add-0002", "adapter.sample_add", "adapter", "7", 1) // another request: its own row
	au := e.signIn(auth.RoleAuditor)

	// One request's events on several entities say how many.
	for _, id := range []string{"8", "9", "10"} {
		seedAuditRun(t, e.db, "req-remove-0003", "adapter.retire", "adapter", id, 1)
	}
	d := partnerDoc(t, au.get("/audit?action=adapter.retire"), http.StatusOK, "audit of retirements")
	if got := squash(d.Find(`[data-testid="audit-group-row"] td`).Eq(4).Text()); got != "adapter 3 different ids" {
		t.Errorf("group entity %q", got)
	}

	d = partnerDoc(t, au.get("/audit?entity=adapter&action=adapter.sample_add"), http.StatusOK, "audit")
	groups := d.Find(`[data-testid="audit-group"]`)
	if groups.Length() != 1 {
		t.Fatalf("%d groups, want 1: %s", groups.Length(), squash(d.Find(`[data-testid="audit-table"]`).Text()))
	}
	g := groups.First()
	if got := squash(g.Find(`[data-testid="audit-group-action"]`).Text()); got != "adapter.sample_add × 10" {
		t.Errorf("group row says %q, want %q", got, "adapter.sample_add × 10")
	}
	toggle := g.Find(`[data-testid="audit-group-row"] details[data-testid="audit-group-toggle"]`)
	if toggle.Length() != 1 || toggle.ChildrenFiltered("summary").Length() != 1 {
		t.Fatal("the group row has no details to open")
	}
	if _, open := toggle.Attr("open"); open {
		t.Error("the group is open before anyone asked")
	}
	members := g.Find(`tr.audit-member[data-testid="audit-row"]`)
	if members.Length() != 10 {
		t.Fatalf("the group opens to %d events, want 10", members.Length())
	}
	members.Each(func(i int, s *goquery.Selection) {
		if got := squash(s.Find("td").Eq(3).Text()); got != "adapter.sample_add" {
			t.Errorf("member %d: action %q", i, got)
		}
		if !strings.Contains(s.Text(), fmt.Sprintf("sample-%02d.x12", 10-i)) {
			t.Errorf("member %d does not show its own change (newest first)", i)
		}
	})
	idRange := squash(members.Last().Find("td").First().Text()) + "–" + squash(members.First().Find("td").First().Text())
	if got := squash(g.Find(`[data-testid="audit-group-row"] td`).First().Text()); got != idRange {
		t.Errorf("group ids %q, want %s", got, idRange)
	}
	if got := squash(g.Find(`[data-testid="audit-group-row"]`).Text()); !strings.Contains(got, "Ines Moreau") || !strings.Contains(got, "req-clone-0001") || !strings.Contains(got, "adapter #7") {
		t.Errorf("group row %q lacks the actor, the request or the entity", got)
	}
	// The other request's add stays a row of its own.
	if n := d.Find(`[data-testid="audit-row"]:not(.audit-member)`).Length(); n != 1 {
		t.Errorf("%d single rows, want 1 (the other request's add)", n)
	}
	// And so does the create before the adds, though of the same request.
	d = partnerDoc(t, au.get("/audit?entity=adapter&action=adapter."), http.StatusOK, "audit of adapters")
	if n := d.Find(`[data-testid="audit-group"]`).Length(); n != 2 || d.Find(`[data-testid="audit-row"]:not(.audit-member)`).Length() != 2 {
		t.Errorf("%d groups and %d single rows, want 2 (adds, retirements) and 2 (create, other add)", n, d.Find(`[data-testid="audit-row"]:not(.audit-member)`).Length())
	}

	// Exports: one line per event, the same events.
	resp := au.get("/audit/export.csv?action=adapter.sample_add")
	body := readBody(t, resp)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("csv: %d %v", resp.StatusCode, err)
	}
	if len(recs) != 12 {
		t.Errorf("csv has %d records, want a header and 11 events", len(recs))
	}
	if lines := strings.Split(strings.TrimRight(body, "\n"), "\n"); len(lines) != 12 {
		t.Errorf("csv has %d lines, want 12", len(lines))
	}
	resp = au.get("/audit/export.json?action=adapter.sample_add")
	body = readBody(t, resp)
	var events []map[string]any
	if err := json.Unmarshal([]byte(body), &events); err != nil || len(events) != 11 {
		t.Fatalf("json export: %v, %d events", err, len(events))
	}
	if lines := strings.Split(strings.TrimRight(body, "\n"), "\n"); len(lines) != 12 || strings.Count(body, `"action":"adapter.sample_add"`) != 11 {
		t.Errorf("json export has %d lines, want one per event and the closing bracket", len(lines))
	}
}

// Cloning a template through the partner page adds its samples in one
// request: the adapter's history folds them into one row.
func TestAdapterHistoryFoldsTheClonedSamples(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "INITECH", "Initech")
	im := e.signIn(auth.RoleIntegrationManager)
	path := w.clone(t, im, "Initech orders")
	n := len(mapping.TemplateSamples(template850))
	d := partnerDoc(t, im.get(path), http.StatusOK, "adapter page")
	g := d.Find(`[data-testid="history"] [data-testid="audit-group"]`)
	if g.Length() != 1 {
		t.Fatalf("%d groups in the adapter's history, want 1: %s", g.Length(), squash(partnerText(d, "history")))
	}
	if got, want := squash(g.Find(`[data-testid="audit-group-action"]`).Text()), adapter.ActionSampleAdd+" × "+strconv.Itoa(n); got != want {
		t.Errorf("history group %q, want %q", got, want)
	}
	if got := g.Find(`tr.audit-member`).Length(); got != n {
		t.Errorf("the group opens to %d events, want %d", got, n)
	}
}

// The report of a failed run: a summary first (counts, revision, when, by
// whom), the failures open with their diffs, the passed samples one line
// each in a closed group.
func TestConformanceReportFailuresFirstPassedCompact(t *testing.T) {
	e := newEnv(t, nil)
	seeded := seedRealisticAdapter(t, e, adapterService(t, e))
	im := e.signIn(auth.RoleIntegrationManager)
	d := partnerDoc(t, im.get(seeded.failedRun), http.StatusOK, "failed run")

	failed := d.Find(`[data-testid="result"][data-outcome="failed"]`)
	passed := d.Find(`[data-testid="result"][data-outcome="passed"]`)
	if failed.Length() == 0 || passed.Length() == 0 {
		t.Fatalf("the seeded run has %d failed and %d passed results; want both", failed.Length(), passed.Length())
	}
	if got := squash(partnerText(d, "run-failed")); got != strconv.Itoa(failed.Length())+" failed" {
		t.Errorf("summary failed %q, want %d failed", got, failed.Length())
	}
	if got := squash(partnerText(d, "run-passed")); got != strconv.Itoa(passed.Length())+" passed" {
		t.Errorf("summary passed %q, want %d passed", got, passed.Length())
	}
	facts := squash(partnerText(d, "run-facts"))
	if got := squash(partnerText(d, "run-revision")); !strings.HasPrefix(got, "3 ") {
		t.Errorf("run revision %q, want 3", got)
	}
	for _, want := range []string{"Revision", "Requested", "by Ines Moreau", "Finished", "took"} {
		if !strings.Contains(facts, want) {
			t.Errorf("run facts %q lack %q", facts, want)
		}
	}
	// The summary comes before the results, the failures before the passed.
	html := htmlOf(d)
	if !(strings.Index(html, `data-testid="run-summary"`) < strings.Index(html, `data-outcome="failed"`) &&
		strings.LastIndex(html, `data-outcome="failed"`) < strings.Index(html, `data-outcome="passed"`)) {
		t.Error("the report is not summary, failures, then passed samples")
	}
	failed.Each(func(i int, s *goquery.Selection) {
		if s.Closest("details").Length() != 0 {
			t.Errorf("failure %s is folded away", s.AttrOr("data-sample", ""))
		}
	})
	if failed.Find(`[data-testid="diff-row"]`).Length() == 0 {
		t.Error("the failures show no diffs")
	}
	group := d.Find(`details[data-testid="passed-group"]`)
	if _, open := group.Attr("open"); open || group.Length() != 1 {
		t.Error("with failures, the passed samples are not one closed group")
	}
	if got := squash(group.Find(`[data-testid="passed-summary"]`).Text()); !strings.Contains(got, strconv.Itoa(passed.Length())+" samples passed") {
		t.Errorf("passed group says %q", got)
	}
	passed.Each(func(i int, s *goquery.Selection) {
		if goquery.NodeName(s) != "li" || s.Closest(`[data-testid="passed-group"]`).Length() != 1 || s.Find("table, article, h2, h3").Length() != 0 {
			t.Errorf("passed sample %s is not one line in the group", s.AttrOr("data-sample", ""))
		}
	})

	// A run where every sample passed shows them, still one line each.
	adapterPage := partnerDoc(t, im.get(seeded.path), http.StatusOK, "adapter page")
	link := adapterPage.Find(`[data-testid="run-row"][data-status="passed"] [data-testid="run-link"]`).AttrOr("href", "")
	if link == "" {
		t.Fatal("no passed run on the adapter page")
	}
	d = partnerDoc(t, im.get(link), http.StatusOK, "passed run")
	if _, open := d.Find(`details[data-testid="passed-group"]`).Attr("open"); !open {
		t.Error("a run with no failures hides its passed samples")
	}
	if d.Find(`[data-testid="failed-results"]`).Length() != 0 || !strings.Contains(partnerText(d, "run-failed"), "0") {
		t.Error("a passed run shows a failures section")
	}
}

// The schema diff lines the two contracts up row by row: the same line
// beside itself, a changed line beside its replacement, a gap opposite an
// added line.
func TestSchemaDiffAlignsRows(t *testing.T) {
	e := newEnv(t, nil)
	seedRealisticCatalog(t, e)
	im := e.signIn(auth.RoleIntegrationManager)
	d := partnerDoc(t, im.get("/catalog/apis/order-intake/diff?from=1.1.0&to=2.0.0&full=1"), http.StatusOK, "diff")
	if d.Find(`[data-testid="diff-fold"]`).Length() != 0 {
		t.Error("the whole contracts were asked for, yet lines are folded")
	}
	if !strings.Contains(partnerText(d, "pane-dg-l"), "1.1.0") || !strings.Contains(partnerText(d, "pane-dg-r"), "2.0.0") {
		t.Errorf("pane headers %q / %q", partnerText(d, "pane-dg-l"), partnerText(d, "pane-dg-r"))
	}
	rows := d.Find(`[data-testid="side-by-side"] [data-testid="diff-pair"]`)
	if rows.Length() < 100 {
		t.Fatalf("%d rows", rows.Length())
	}
	type side struct {
		no   int
		text string
		gap  bool
	}
	read := func(r *goquery.Selection, cls string) side {
		no := r.Find(".dg-no." + cls)
		code := r.Find(".dg-code." + cls)
		if no.Length() != 1 || code.Length() != 1 {
			t.Fatalf("a row without its %s side: %s", cls, squash(r.Text()))
		}
		n, _ := strconv.Atoi(strings.TrimSpace(no.Text()))
		txt := code.Clone()
		txt.Find(".sign").Remove()
		return side{no: n, text: txt.Text(), gap: code.HasClass("dg-gap")}
	}
	nextL, nextR := 1, 1
	var added, changed bool
	rows.Each(func(i int, r *goquery.Selection) {
		l, rt := read(r, "dg-l"), read(r, "dg-r")
		if !l.gap {
			if l.no != nextL {
				t.Fatalf("row %d: left line %d, want %d", i, l.no, nextL)
			}
			nextL++
		}
		if !rt.gap {
			if rt.no != nextR {
				t.Fatalf("row %d: right line %d, want %d", i, rt.no, nextR)
			}
			nextR++
		}
		switch r.AttrOr("data-mark", "") {
		case "":
			if strings.TrimSuffix(l.text, ",") != strings.TrimSuffix(rt.text, ",") {
				t.Errorf("row %d is unchanged but reads %q beside %q", i, l.text, rt.text)
			}
		case "add":
			if strings.Contains(rt.text, `"currency"`) && l.gap {
				added = true
			}
		case "change":
			if strings.Contains(l.text, `"maxItems": 999`) && strings.Contains(rt.text, `"maxItems": 500`) {
				changed = true
			}
		}
	})
	if !added {
		t.Error("the required currency is not shown as added opposite a gap")
	}
	if !changed {
		t.Error("maxItems 999 is not beside maxItems 500")
	}

	// By default the unchanged runs far from a change are folded: every
	// changed row is still there, and the folds account for the rest.
	fd := partnerDoc(t, im.get("/catalog/apis/order-intake/diff?from=1.1.0&to=2.0.0"), http.StatusOK, "folded diff")
	marked := func(d *goquery.Document) int {
		return d.Find(`[data-testid="diff-pair"]`).FilterFunction(func(_ int, r *goquery.Selection) bool { return r.AttrOr("data-mark", "") != "" }).Length()
	}
	if marked(fd) != marked(d) || marked(fd) == 0 {
		t.Errorf("folded view shows %d changed rows, the whole view %d", marked(fd), marked(d))
	}
	folds, hidden := fd.Find(`[data-testid="diff-fold"]`), 0
	folds.Each(func(_ int, f *goquery.Selection) {
		n, _ := strconv.Atoi(f.AttrOr("data-fold", ""))
		hidden += n
		if !strings.Contains(f.AttrOr("href", ""), "full=1") {
			t.Errorf("fold links to %q", f.AttrOr("href", ""))
		}
	})
	if folds.Length() == 0 || hidden+fd.Find(`[data-testid="diff-pair"]`).Length() != rows.Length() {
		t.Errorf("%d folds hide %d rows; %d rows shown of %d", folds.Length(), hidden, fd.Find(`[data-testid="diff-pair"]`).Length(), rows.Length())
	}
	if note := squash(partnerText(fd, "diff-fold-note")); !strings.Contains(note, strconv.Itoa(hidden)+" unchanged lines are folded") {
		t.Errorf("fold note %q", note)
	}
}

// A group the page ends on may go on on the next page: its count says so.
func TestAuditGroupCutByThePage(t *testing.T) {
	e := newEnv(t, nil)
	seedAuditRun(t, e.db, "req-import-0003", "adapter.sample_add", "adapter", "9", 55)
	au := e.signIn(auth.RoleAuditor)
	d := partnerDoc(t, au.get("/audit?entity=adapter"), http.StatusOK, "page 1")
	if got := squash(partnerText(d, "audit-group-action")); got != "adapter.sample_add × 50+" {
		t.Errorf("page 1 group %q, want × 50+", got)
	}
	d = partnerDoc(t, au.get("/audit?entity=adapter&page=2"), http.StatusOK, "page 2")
	if got := squash(partnerText(d, "audit-group-action")); got != "adapter.sample_add × 5" {
		t.Errorf("page 2 group %q, want × 5", got)
	}
	// The home page shows the newest eight events (the auditor's sign-in
	// and seven of the group): the group goes on beyond them.
	d = partnerDoc(t, au.get("/"), http.StatusOK, "home")
	if got := squash(partnerText(d, "audit-group-action")); got != "adapter.sample_add × 7+" {
		t.Errorf("home group %q, want × 7+", got)
	}
}
