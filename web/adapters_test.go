package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hibiken/asynq"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/testenv"
)

const (
	template850 = "x12-850-004010"
	good850     = "850_ediengine_vics_nl-terminated.x12"
	bad850      = "850_edinet_missing_isa16_BAD.x12"
	// good850PO is BEG03 of good850: the canonical order's number.
	good850PO = "08292233294"
)

// edi reads a sample file of the mapping package's test data.
func edi(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "mapping", "testdata", "edi", name))
	if err != nil {
		t.Fatalf("sample %s: %v", name, err)
	}
	return b
}

// adapterWorld is a partner and a published API version whose contract is
// the canonical Order schema: what an adapter needs to be cloned.
type adapterWorld struct {
	e       *env
	partner partner.Partner
	version catalog.Version
}

func seedAdapterWorld(t testing.TB, e *env, code, name string) adapterWorld {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	v := canonicalOrderVersion(t, e)
	p, err := partner.NewService(e.db, nil).Create(ctx, partner.Input{Code: code, Name: name, ISAQualifier: "ZZ", ISAID: strings.ToUpper(code)})
	if err != nil {
		t.Fatalf("seed partner %s: %v", code, err)
	}
	return adapterWorld{e: e, partner: p, version: v}
}

// canonicalOrderVersion registers canonical-order 1.0.0, published with
// the canonical Order schema as its contract, as migrate up does for a
// real install (the test databases have no canonical contracts), and
// returns it.
func canonicalOrderVersion(t testing.TB, e *env) catalog.Version {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	cat := catalog.NewService(e.db)
	if _, err := cat.Team(ctx, "integration-architecture"); err != nil {
		if _, err := cat.SaveTeam(ctx, catalog.TeamInput{Slug: "integration-architecture", Name: "Integration architecture", ContactEmail: "ia@example.com"}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := cat.SaveAPI(ctx, catalog.APIInput{Slug: "canonical-order", Name: "Canonical order", Kind: "process", Domain: "order", OwnerTeam: "integration-architecture"}, false); err != nil {
			t.Fatal(err)
		}
		d, err := canonical.Schema(canonical.Order)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cat.SaveVersion(ctx, "canonical-order", catalog.VersionInput{Version: "1.0.0", Schema: string(d.Raw), Changelog: "Canonical model."}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := cat.Publish(ctx, "canonical-order", "1.0.0"); err != nil {
			t.Fatal(err)
		}
	}
	_, v, err := cat.Version(ctx, "canonical-order", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// adapterService is a second adapter service on the test's database and
// Redis, as a worker process has: it queues runs and runs the conformance
// tasks (ProcessTask), where a worker would pick them up.
func adapterService(t testing.TB, e *env) *adapter.Service {
	t.Helper()
	compiler, err := mapping.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	opt, err := jobs.ParseRedisURL(e.cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	return adapter.NewService(e.db, catalog.NewService(e.db), compiler, testenv.Logger(), adapter.WithEnqueuer(client))
}

var adapterLoc = regexp.MustCompile(`^/partners/[A-Za-z0-9_-]+/adapters/(\d+)`)

// clone clones the 850 template through the partner page's form and
// returns the adapter's URL.
func (w adapterWorld) clone(t *testing.T, im partnerClient, name string) string {
	t.Helper()
	loc := partnerRedirect(t, im.postForm("/partners/"+w.partner.Code+"/adapters", url.Values{"template": {template850}, "name": {name},
		"target": {strconv.FormatInt(w.version.ID, 10)}}), "/partners/"+w.partner.Code+"/adapters/", "clone")
	m := adapterLoc.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("clone redirected to %s", loc)
	}
	return m[0]
}

// multipartPost posts fields (and one file, when fileName is set) as
// multipart/form-data, with the session's CSRF token; hx marks it an htmx
// request.
func (c partnerClient) multipartPost(path string, fields url.Values, fileField, fileName string, file []byte, hx bool) *http.Response {
	c.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields.Set("_csrf", c.token)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if hx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.token)
	}
	return c.do(req)
}

func (c partnerClient) hxGet(path string) *http.Response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

func fragment(t *testing.T, resp *http.Response, what string) (*goquery.Document, string) {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: got %d, want 200: %.800s", what, resp.StatusCode, body)
	}
	if strings.Contains(body, "<html") {
		t.Fatalf("%s: the answer to an htmx request is a whole page", what)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d, body
}

func TestTemplatesLibrary(t *testing.T) {
	e := newEnv(t, nil)
	for _, role := range []auth.Role{auth.RoleIntegrationManager, auth.RoleAuditor, auth.RoleBusinessUser} {
		c := e.signIn(role)
		d := partnerDoc(t, c.get("/templates"), http.StatusOK, "templates as "+string(role))
		row := d.Find(`[data-testid="template-row"][data-id="` + template850 + `"]`)
		if row.Length() != 1 {
			t.Fatalf("%s: the 850 template is not listed", role)
		}
		text := strings.Join(strings.Fields(row.Text()), " ")
		for _, want := range []string{"X12 850 purchase order to Order", "X12 850", "Order", "004010", "003010"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: 850 row %q lacks %q", role, text, want)
			}
		}
		if got := d.Find(`[data-testid="template-row"]`).Length(); got != len(mapping.Templates()) {
			t.Errorf("%s: %d template rows, want %d", role, got, len(mapping.Templates()))
		}
		prog := d.Find(`[data-testid="program-` + template850 + `"]`)
		if prog.Find(`pre.code.numbered .ln`).Length() < 20 || !strings.Contains(prog.Text(), `documentType: "Order"`) {
			t.Errorf("%s: the 850 program is not shown with line numbers", role)
		}
		if !strings.Contains(prog.Find(`[data-testid="template-samples"]`).Text(), good850) {
			t.Errorf("%s: the 850 sample list lacks %s", role, good850)
		}
	}
	// The template's own page, and an unknown template.
	im := e.signIn(auth.RoleIntegrationManager)
	d := partnerDoc(t, im.get("/templates/"+template850), http.StatusOK, "template page")
	if partnerText(d, "template-name") != "X12 850 purchase order to Order" || d.Find(`[data-testid="impact-form"]`).Length() != 1 {
		t.Error("the template page lacks its name or the impact form")
	}
	readBody(t, wantStatusOnly(t, im.get("/templates/no-such-template"), http.StatusNotFound, "unknown template"))
}

func wantStatusOnly(t *testing.T, resp *http.Response, want int, what string) *http.Response {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: got %d, want %d: %.400s", what, resp.StatusCode, want, readBody(t, resp))
	}
	return resp
}

// The journey: clone the 850 template for a partner (its samples come
// along), run the playground, break the program, save a draft, activate
// it, add samples, run the conformance tests and read the report.
func TestAdapterJourney(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "acme-retail", "ACME Retail Europe B.V.")
	im := e.signIn(auth.RoleIntegrationManager)

	// The partner page offers the clone form with the template and the version.
	d := partnerDoc(t, im.get("/partners/"+w.partner.Code), http.StatusOK, "partner page")
	if !strings.Contains(partnerText(d, "adapters"), "No adapters yet") {
		t.Errorf("adapters section: %q", partnerText(d, "adapters"))
	}
	form := d.Find(`[data-testid="clone-form"]`)
	if form.Find(`option[value="`+template850+`"]`).Length() != 1 || form.Find(`option[value="`+strconv.FormatInt(w.version.ID, 10)+`"]`).Length() != 1 {
		t.Fatal("the clone form does not offer the 850 template and the published Order version")
	}

	// A clone without a target is refused in words, the values kept.
	d = partnerDoc(t, im.postForm("/partners/"+w.partner.Code+"/adapters", url.Values{"template": {template850}, "name": {"ACME orders"}}), http.StatusUnprocessableEntity, "clone without target")
	if partnerText(d, "error-target") == "" || d.Find(`#clone-name`).AttrOr("value", "") != "ACME orders" {
		t.Errorf("clone refusal: target error %q, name kept %q", partnerText(d, "error-target"), d.Find(`#clone-name`).AttrOr("value", ""))
	}

	adapterPath := w.clone(t, im, "ACME purchase orders")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter page")
	if partnerText(d, "adapter-name") != "ACME purchase orders" || d.Find(`[data-testid="adapter-active"]`).AttrOr("data-revision", "") != "0" {
		t.Errorf("adapter header: %q / active %q", partnerText(d, "adapter-name"), d.Find(`[data-testid="adapter-active"]`).AttrOr("data-revision", ""))
	}
	if !strings.Contains(partnerText(d, "adapter-target"), "Canonical order 1.0.0") {
		t.Errorf("target %q", partnerText(d, "adapter-target"))
	}
	program := d.Find(`#pg-program`).Text()
	if !strings.Contains(program, `documentType: "Order"`) {
		t.Fatalf("the editor does not hold the template's program: %.200s", program)
	}
	tables := d.Find(`#pg-tables`).Text()
	options := d.Find(`#pg-options`).Text()
	if d.Find(`[data-testid="revision-row"][data-number="1"][data-status="draft"]`).Length() != 1 {
		t.Error("revision 1 is not listed as a draft")
	}
	// The template's samples came with the clone, with their expectations.
	nTemplate := len(mapping.TemplateSamples(template850))
	nAccepted := 0
	for _, s := range mapping.TemplateSamples(template850) {
		if s.Expect == mapping.SampleAccepted {
			nAccepted++
		}
	}
	if n := d.Find(`[data-testid="sample-row"]`).Length(); n != nTemplate || n == 0 {
		t.Errorf("%d sample rows after cloning, want the template's %d", n, nTemplate)
	}
	if d.Find(`[data-testid="sample-row"][data-name="`+good850+`"][data-expect="accepted"] [data-testid="sample-has-output"]`).Length() != 1 {
		t.Error("the template's good 850 is not an accepted sample with its recorded output")
	}
	if d.Find(`[data-testid="sample-row"][data-name="`+bad850+`"][data-expect="rejected"]`).Length() != 1 {
		t.Error("the template's broken 850 is not a rejected sample")
	}
	// One form holds the editor and the playground: Save posts it to
	// .../revisions, Run (htmx, live as the program is typed) to .../playground.
	wb := d.Find(`form[data-testid="workbench"]`)
	if wb.AttrOr("action", "") != adapterPath+"/revisions" || wb.Find(`#pg-program`).Length() != 1 || wb.Find(`#pg-document`).Length() != 1 {
		t.Errorf("workbench form: action %q", wb.AttrOr("action", ""))
	}
	pg := wb.Find(`[data-testid="playground-run"]`)
	if pg.AttrOr("formaction", "") != adapterPath+"/playground" || pg.AttrOr("hx-target", "") != "#pg-results" ||
		!strings.Contains(pg.AttrOr("hx-trigger", ""), "keyup changed delay:600ms from:#pg-program") ||
		!strings.Contains(pg.AttrOr("hx-trigger", ""), "keyup changed delay:600ms from:#pg-document") {
		t.Errorf("Run: formaction %q hx-target %q hx-trigger %q", pg.AttrOr("formaction", ""), pg.AttrOr("hx-target", ""), pg.AttrOr("hx-trigger", ""))
	}
	if d.Find(`form form`).Length() != 0 {
		t.Error("a form is nested in another")
	}

	// The partner page lists it.
	d = partnerDoc(t, im.get("/partners/"+w.partner.Code), http.StatusOK, "partner page with adapter")
	row := d.Find(`[data-testid="adapter-row"][data-name="ACME purchase orders"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), template850) || !strings.Contains(row.Text(), "Canonical order 1.0.0") || !strings.Contains(row.Text(), "Not run") {
		t.Errorf("adapter row: %q", strings.Join(strings.Fields(row.Text()), " "))
	}

	// Playground: the 850 pasted, over htmx: the fragment with the order's number,
	// the parsed tree and the 997.
	run := func(prog, doc string) (*goquery.Document, string) {
		t.Helper()
		return fragment(t, im.multipartPost(adapterPath+"/playground", url.Values{"program": {prog}, "tables": {tables}, "options": {options},
			"document": {doc}}, "", "", nil, true), "playground")
	}
	fd, body := run(program, string(edi(t, good850)))
	if fd.Find(`#pg-results[data-testid="playground-results"]`).Length() != 1 {
		t.Fatalf("the answer is not the results panel: %.300s", body)
	}
	if got := fd.Find(`[data-testid="playground-outcome"]`).AttrOr("data-outcome", ""); got != "accepted" {
		t.Errorf("outcome %q: %s", got, strings.Join(strings.Fields(fd.Text()), " "))
	}
	if !strings.Contains(fd.Find(`[data-testid="pg-output"]`).Text(), good850PO) {
		t.Errorf("the canonical output lacks PO number %s", good850PO)
	}
	if !strings.Contains(fd.Find(`[data-testid="pg-parsed"]`).Text(), "BEG") {
		t.Error("the parsed tree lacks the BEG segment")
	}
	ack := fd.Find(`[data-testid="pg-ack"] .ln`)
	if ack.Length() < 5 || !strings.HasPrefix(ack.First().Text(), "ISA") || !strings.Contains(fd.Find(`[data-testid="pg-ack"]`).Text(), "AK9") {
		t.Errorf("997: %d lines, first %q", ack.Length(), ack.First().Text())
	}
	if h := strings.Join(strings.Fields(fd.Find(`[data-testid="pg-ack"] h3`).Text()), " "); h != "997 that would go back group accepted (AK9 A)" {
		t.Errorf("acknowledgment heading %q", h)
	}
	// Control numbers that differ in ISA13 and IEA02: a TA1 goes back too.
	fd, _ = run(program, strings.Replace(string(edi(t, good850)), "IEA*1*000003438", "IEA*1*000003439", 1))
	if h := strings.Join(strings.Fields(fd.Find(`[data-testid="pg-ack"] h3`).Text()), " "); !strings.HasPrefix(h, "TA1 and 997 that would go back") ||
		!strings.Contains(h, "interchange accepted with errors: the control numbers in ISA13 and IEA02 do not match (TA1 E 001)") {
		t.Errorf("acknowledgment heading with a TA1: %q", h)
	}

	// A program that does not compile, and one that fails at run time: mapping
	// errors in the panel, never a 500.
	fd, _ = run("{ number: .set.BEG[0].\"03\" ", string(edi(t, good850)))
	if fd.Find(`[data-testid="pg-mapping-error"]`).Length() == 0 || !strings.Contains(fd.Find(`[data-testid="pg-mapping-errors"]`).Text(), "compile") {
		t.Errorf("broken program: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}
	fd, _ = run(`error("no PO number in BEG03")`, string(edi(t, good850)))
	if !strings.Contains(fd.Find(`[data-testid="pg-mapping-errors"]`).Text(), "no PO number in BEG03") {
		t.Errorf("failing program: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}
	// Output that breaks the schema: schema errors with their JSON paths.
	fd, _ = run(`{documentType: "Order", number: 42}`, string(edi(t, good850)))
	if fd.Find(`[data-testid="pg-schema-error"]`).Length() == 0 {
		t.Errorf("no schema errors for an invalid order: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}
	// Nothing to run: a hint, not an error.
	fd, _ = run(program, "   ")
	if fd.Find(`[data-testid="playground-hint"]`).Length() != 1 {
		t.Error("an empty document gives no hint")
	}
	// Without JavaScript, Run posts the whole form and the page comes back
	// whole, the typed program kept in the editor.
	resp := im.multipartPost(adapterPath+"/playground", url.Values{"program": {program + "\n# edited"}, "tables": {tables}, "options": {options},
		"document": {string(edi(t, good850))}}, "", "", nil, false)
	d = partnerDoc(t, resp, http.StatusOK, "playground without htmx")
	if !strings.Contains(d.Find(`#pg-program`).Text(), "# edited") || !strings.Contains(partnerText(d, "pg-output"), good850PO) {
		t.Error("the full-page playground lost the edit or the output")
	}

	// An uploaded file runs too.
	fd, _ = fragment(t, im.multipartPost(adapterPath+"/playground", url.Values{"program": {program}, "tables": {tables}, "options": {options}},
		"file", good850, edi(t, good850), true), "playground upload")
	if !strings.Contains(fd.Find(`[data-testid="playground-outcome"]`).Text(), "upload "+good850) {
		t.Errorf("upload: %s", strings.Join(strings.Fields(fd.Find(`[data-testid="playground-outcome"]`).Text()), " "))
	}

	// Save a draft: broken tables are refused next to the field, values kept.
	d = partnerDoc(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {program}, "tables": {"{not json"}, "options": {options}}), http.StatusUnprocessableEntity, "save with bad tables")
	if partnerText(d, "error-tables") == "" || d.Find(`#pg-tables`).Text() != "{not json" {
		t.Error("bad tables: no error, or the typed tables were lost")
	}
	edited := strings.Replace(program, `kind: "purchase-order",`, `kind: "purchase-order", # ACME sends SA only`, 1)
	partnerRedirect(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {edited}, "tables": {tables}, "options": {options}}), adapterPath+"?flash=draft-saved", "save draft")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter after save")
	if !strings.Contains(d.Find(`#pg-program`).Text(), "ACME sends SA only") || d.Find(`[data-testid="revision-row"]`).Length() != 1 {
		t.Error("the draft was not updated in place")
	}

	// Activate revision 1: the confirmation says what happens.
	dlg := d.Find(`dialog#activate-1`)
	if !strings.Contains(dlg.Text(), "documents will be mapped by revision 1 from now on") {
		t.Errorf("activation dialog: %q", strings.Join(strings.Fields(dlg.Text()), " "))
	}
	partnerRedirect(t, im.postForm(adapterPath+"/revisions/1/activate", nil), adapterPath+"?flash=revision-activated", "activate 1")

	// Editing after activation makes revision 2; activating it supersedes 1,
	// which is kept for the record.
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter after activation")
	if d.Find(`[data-testid="adapter-active"]`).AttrOr("data-revision", "") != "1" || partnerText(d, "save-draft") != "Save as new revision 2" {
		t.Errorf("after activation: active %q, save button %q", d.Find(`[data-testid="adapter-active"]`).AttrOr("data-revision", ""), partnerText(d, "save-draft"))
	}
	partnerRedirect(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {edited + "\n"}, "tables": {tables}, "options": {options}}), adapterPath, "save revision 2")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter with revision 2")
	if !strings.Contains(d.Find(`dialog#activate-2`).Text(), "revision 1 is kept for the record") {
		t.Errorf("activation dialog of 2: %q", strings.Join(strings.Fields(d.Find(`dialog#activate-2`).Text()), " "))
	}
	partnerRedirect(t, im.postForm(adapterPath+"/revisions/2/activate", nil), adapterPath, "activate 2")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter after activating 2")
	for n, want := range map[string]string{"1": "superseded", "2": "active"} {
		if d.Find(`[data-testid="revision-row"][data-number="`+n+`"][data-status="`+want+`"]`).Length() != 1 {
			t.Errorf("revision %s is not %s", n, want)
		}
	}

	// A draft that does not compile cannot be activated: refused in words.
	partnerRedirect(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {"{ broken"}, "tables": {tables}, "options": {options}}), adapterPath, "save broken draft")
	d = partnerDoc(t, im.postForm(adapterPath+"/revisions/3/activate", nil), http.StatusUnprocessableEntity, "activate broken")
	if !strings.Contains(partnerText(d, "activation-refused"), "does not compile") {
		t.Errorf("refusal: %q", partnerText(d, "activation-refused"))
	}
	readBody(t, wantStatusOnly(t, im.postForm(adapterPath+"/revisions/99/activate", nil), http.StatusNotFound, "activate unknown revision"))

	// Samples besides the template's: a good one uploaded, a broken one
	// pasted with its expected error.
	const uploaded = "acme-po-08292233294.x12"
	partnerRedirect(t, im.multipartPost(adapterPath+"/samples", url.Values{"expect": {"accepted"}}, "file", uploaded, edi(t, good850), false), adapterPath+"?flash=sample-added", "add good sample")
	partnerRedirect(t, im.multipartPost(adapterPath+"/samples", url.Values{"name": {"missing ISA16"}, "expect": {"rejected"},
		"content": {string(edi(t, bad850))}, "errors": {"ISA16\n"}}, "", "", nil, false), adapterPath, "add bad sample")
	d = partnerDoc(t, im.multipartPost(adapterPath+"/samples", url.Values{"name": {"missing ISA16"}, "expect": {"rejected"}, "content": {"x"}}, "", "", nil, false),
		http.StatusUnprocessableEntity, "duplicate sample")
	if partnerText(d, "error-sample-name") == "" || d.Find(`#sample-name`).AttrOr("value", "") != "missing ISA16" {
		t.Error("a duplicate sample name is not refused next to the field")
	}
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter with samples")
	if n := d.Find(`[data-testid="sample-row"]`).Length(); n != nTemplate+2 {
		t.Fatalf("%d sample rows, want %d", n, nTemplate+2)
	}
	if !strings.Contains(d.Find(`[data-testid="sample-row"][data-name="missing ISA16"]`).Text(), "ISA16") {
		t.Error("the rejected sample does not show its expected error")
	}
	goodID := d.Find(`[data-testid="sample-row"][data-name="`+uploaded+`"] dialog[id^="record-"]`).AttrOr("id", "")
	if goodID == "" {
		t.Fatal("the accepted sample offers no Record expected output")
	}
	goodID = strings.TrimPrefix(goodID, "record-")

	// Record expected output: revision 3 (newest) does not compile: refused.
	d = partnerDoc(t, im.postForm(adapterPath+"/samples/"+goodID+"/expect", nil), http.StatusUnprocessableEntity, "record with broken draft")
	if !strings.Contains(partnerText(d, "sample-refused"), "does not compile") {
		t.Errorf("record refusal %q", partnerText(d, "sample-refused"))
	}
	// Back to the working program, then record.
	partnerRedirect(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {edited + "\n"}, "tables": {tables}, "options": {options}}), adapterPath, "repair draft")
	partnerRedirect(t, im.postForm(adapterPath+"/samples/"+goodID+"/expect", nil), adapterPath+"?flash=expectation-recorded", "record expected")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter after record")
	if d.Find(`[data-testid="sample-row"][data-name="`+uploaded+`"] [data-testid="sample-has-output"]`).Length() != 1 {
		t.Error("the recorded expectation is not shown")
	}

	// The playground on a sample offers to record its output once the
	// editor matches the newest revision.
	fd, _ = fragment(t, im.multipartPost(adapterPath+"/playground", url.Values{"program": {edited + "\n"}, "tables": {tables}, "options": {options}, "sample": {goodID}}, "", "", nil, true), "playground on sample")
	if fd.Find(`[data-testid="record-expected"]`).Length() != 1 {
		t.Errorf("no record button for a saved mapping: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}
	fd, _ = fragment(t, im.multipartPost(adapterPath+"/playground", url.Values{"program": {program}, "tables": {tables}, "options": {options}, "sample": {goodID}}, "", "", nil, true), "playground on sample, unsaved")
	if fd.Find(`[data-testid="record-hint"]`).Length() != 1 {
		t.Error("no hint to save before recording an unsaved mapping's output")
	}

	// Conformance: the run is queued and its report polls while it runs.
	loc := partnerRedirect(t, im.postForm(adapterPath+"/conformance", nil), adapterPath+"/conformance/", "start conformance")
	runID, _ := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	d = partnerDoc(t, im.get(loc), http.StatusOK, "run page while queued")
	rep := d.Find(`[data-testid="run-report"]`)
	if rep.AttrOr("hx-trigger", "") != "every 1s" || rep.AttrOr("hx-get", "") != loc || d.Find(`progress[data-testid="run-progress-bar"]`).Length() != 1 {
		t.Errorf("queued report: hx-trigger %q hx-get %q", rep.AttrOr("hx-trigger", ""), rep.AttrOr("hx-get", ""))
	}
	fd, _ = fragment(t, im.hxGet(loc), "poll while queued")
	if fd.Find(`[data-testid="run-report"][hx-trigger="every 1s"]`).Length() != 1 {
		t.Error("the polled fragment does not keep polling while the run is queued")
	}
	// Halfway through, with a failure already: the passed samples stay open,
	// so each refresh does not close a group the reader opened.
	e.db.Exec(`UPDATE conformance_runs SET status = 'running', started_at = now() WHERE id = ?`, runID)
	e.db.Exec(`INSERT INTO conformance_results (run_id, sample_name, outcome, detail) VALUES (?, 'halfway-failed.x12', 'failed', '{"expect":"accepted"}'), (?, 'halfway-passed.x12', 'passed', '{"expect":"accepted"}')`, runID, runID)
	fd, _ = fragment(t, im.hxGet(loc), "poll while running")
	e.db.Exec(`DELETE FROM conformance_results WHERE run_id = ?`, runID) // back to queued for the worker below
	e.db.Exec(`UPDATE conformance_runs SET status = 'queued', started_at = NULL WHERE id = ?`, runID)
	if _, open := fd.Find(`details[data-testid="passed-group"]`).Attr("open"); !open || fd.Find(`[data-testid="run-report"][data-running="true"]`).Length() != 1 {
		t.Errorf("while running, the passed group is closed or the report is not running: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}

	// A worker runs it.
	if err := (adapter.ConformanceProcessor{Adapters: adapterService(t, e), Log: testenv.Logger()}).ProcessTask(context.Background(), adapter.NewRunConformanceTask(runID)); err != nil {
		t.Fatalf("run conformance: %v", err)
	}
	fd, _ = fragment(t, im.hxGet(loc), "poll after the run")
	rep = fd.Find(`[data-testid="run-report"]`)
	if _, polling := rep.Attr("hx-trigger"); polling || rep.AttrOr("data-running", "") != "false" {
		t.Error("the finished report keeps polling")
	}
	if got := fd.Find(`[data-testid="run-status"]`).First().AttrOr("data-status", ""); got != "passed" {
		t.Errorf("run status %q: %s", got, strings.Join(strings.Fields(fd.Text()), " "))
	}
	if n := nTemplate + 2; fd.Find(`[data-testid="result"][data-outcome="passed"]`).Length() != n || partnerText(fd, "run-counts") != strconv.Itoa(n)+" of "+strconv.Itoa(n)+" samples done" {
		t.Errorf("results: %s", partnerText(fd, "run-results"))
	}
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter with a run")
	if d.Find(`[data-testid="run-row"][data-status="passed"]`).Length() != 1 {
		t.Error("the adapter page does not list the passed run")
	}

	// A failing expectation reads as a diff.
	changed := strings.Replace(edited, `number: ($beg | el(3))`, `number: ("PO-" + ($beg | el(3)))`, 1)
	if changed == edited {
		t.Fatal("the 850 program has no number: ($beg | el(3)) to change")
	}
	partnerRedirect(t, im.postForm(adapterPath+"/revisions", url.Values{"program": {changed}, "tables": {tables}, "options": {options}}), adapterPath, "save changed draft")
	partnerRedirect(t, im.postForm(adapterPath+"/revisions/3/activate", nil), adapterPath, "activate changed")
	loc = partnerRedirect(t, im.postForm(adapterPath+"/conformance", nil), adapterPath+"/conformance/", "start second run")
	runID, _ = strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err := (adapter.ConformanceProcessor{Adapters: adapterService(t, e)}).ProcessTask(context.Background(), adapter.NewRunConformanceTask(runID)); err != nil {
		t.Fatal(err)
	}
	d = partnerDoc(t, im.get(loc), http.StatusOK, "failed run")
	// Every accepted sample with a recorded output fails: the template's and the uploaded one.
	if n := d.Find(`[data-testid="result"][data-outcome="failed"]`).Length(); n != nAccepted+1 {
		t.Errorf("failed results: %d, want %d", n, nAccepted+1)
	}
	failed := d.Find(`[data-testid="result"][data-outcome="failed"][data-sample="` + uploaded + `"]`)
	if failed.Length() != 1 {
		t.Fatalf("the uploaded sample's result did not fail")
	}
	diff := failed.Find(`[data-testid="diff-row"]`)
	if diff.Length() == 0 || !strings.Contains(diff.Text(), "document 1: number") || !strings.Contains(diff.Text(), `"PO-`+good850PO+`"`) {
		t.Errorf("diff: %q", strings.Join(strings.Fields(diff.Text()), " "))
	}

	// Impact analysis on the template: the ACME adapter's samples run
	// through the pasted program.
	fd, _ = fragment(t, func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, "/templates/"+template850+"/impact", strings.NewReader(url.Values{"program": {`{documentType: "Order"}`}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", im.token)
		return im.do(req)
	}(), "impact")
	if row := fd.Find(`[data-testid="impact-row"]`); row.Length() != 1 || !strings.Contains(row.Text(), "ACME purchase orders") || row.AttrOr("data-failing", "") == "0" {
		t.Errorf("impact: %s", strings.Join(strings.Fields(fd.Text()), " "))
	}
	fd, _ = fragment(t, func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, "/templates/"+template850+"/impact", strings.NewReader(url.Values{"program": {"{ broken"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", im.token)
		return im.do(req)
	}(), "impact of a broken program")
	if !strings.Contains(partnerText(fd, "impact-error"), "does not compile") {
		t.Errorf("impact error: %q", partnerText(fd, "impact-error"))
	}

	// Remove a sample.
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter before removal")
	rm := d.Find(`[data-testid="sample-row"][data-name="missing ISA16"] dialog[id^="remove-sample-"]`).AttrOr("id", "")
	partnerRedirect(t, im.postForm(adapterPath+"/samples/"+strings.TrimPrefix(rm, "remove-sample-")+"/remove", nil), adapterPath+"?flash=sample-removed", "remove sample")
	d = partnerDoc(t, im.get(adapterPath), http.StatusOK, "adapter after removal")
	if d.Find(`[data-testid="sample-row"]`).Length() != nTemplate+1 {
		t.Error("the sample was not removed")
	}
	if !strings.Contains(partnerText(d, "history"), "adapter.activate") {
		t.Error("the audit history does not show the activation")
	}

	// Conformance without samples is refused in words.
	adapterID, _ := strconv.ParseInt(adapterLoc.FindStringSubmatch(adapterPath)[1], 10, 64)
	svc := adapterService(t, e)
	seed := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	sms, err := svc.Samples(seed, adapterID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sms {
		if err := svc.RemoveSample(seed, adapterID, sm.ID); err != nil {
			t.Fatal(err)
		}
	}
	d = partnerDoc(t, im.postForm(adapterPath+"/conformance", nil), http.StatusConflict, "conformance without samples")
	if !strings.Contains(partnerText(d, "run-refused"), "no samples") {
		t.Errorf("run refusal %q", partnerText(d, "run-refused"))
	}
}

// An auditor reads adapters but sees no control that changes them, and is
// refused every change.
func TestAdapterAuditorReadsOnly(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "globex", "Globex Logistics")
	im := e.signIn(auth.RoleIntegrationManager)
	adapterPath := w.clone(t, im, "Globex orders") // with the template's samples
	partnerRedirect(t, im.postForm(adapterPath+"/revisions/1/activate", nil), adapterPath, "activate")

	au := e.signIn(auth.RoleAuditor)
	d := partnerDoc(t, au.get("/partners/"+w.partner.Code), http.StatusOK, "partner page as auditor")
	if d.Find(`[data-testid="adapter-row"]`).Length() != 1 || d.Find(`[data-testid="clone-form"]`).Length() != 0 {
		t.Error("the auditor does not see the adapter, or sees the clone form")
	}
	d = partnerDoc(t, au.get(adapterPath), http.StatusOK, "adapter page as auditor")
	for _, id := range []string{"save-draft", "playground-form", "sample-form", "run-conformance", "activate-1-open", "adapter-actions"} {
		if d.Find(`[data-testid="`+id+`"]`).Length() != 0 {
			t.Errorf("the auditor sees %s", id)
		}
	}
	if d.Find(`dialog`).Length() != 0 {
		t.Error("the auditor's page has confirmation dialogs")
	}
	if _, ro := d.Find(`#pg-program`).Attr("readonly"); !ro || !strings.Contains(d.Find(`#pg-program`).Text(), `documentType: "Order"`) {
		t.Error("the auditor does not see the program read-only")
	}
	if d.Find(`[data-testid="playground-readonly"]`).Length() != 1 {
		t.Error("the auditor is not told what the playground is")
	}
	d = partnerDoc(t, au.get("/templates/"+template850), http.StatusOK, "template page as auditor")
	if d.Find(`[data-testid="impact-form"]`).Length() != 0 {
		t.Error("the auditor sees the impact form")
	}
	for _, path := range []string{"/partners/" + w.partner.Code + "/adapters", adapterPath + "/revisions", adapterPath + "/revisions/1/activate", adapterPath + "/playground",
		adapterPath + "/samples", adapterPath + "/samples/1/expect", adapterPath + "/samples/1/remove", adapterPath + "/conformance", "/templates/" + template850 + "/impact"} {
		resp := au.postForm(path, url.Values{"program": {"."}, "template": {template850}})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-testid="error-page"`) {
			t.Errorf("POST %s as auditor: got %d, want the 403 page", path, resp.StatusCode)
		}
	}
}

// An adapter is reached only through its own partner.
func TestAdapterOfAnotherPartnerIsNotFound(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "initech", "Initech")
	h := seedAdapterWorld(t, e, "hooli", "Hooli")
	im := e.signIn(auth.RoleIntegrationManager)
	adapterPath := w.clone(t, im, "Initech orders")
	other := strings.Replace(adapterPath, "/"+w.partner.Code+"/", "/"+h.partner.Code+"/", 1)
	for what, resp := range map[string]*http.Response{
		"GET through another partner":  im.get(other),
		"POST through another partner": im.postForm(other+"/revisions", url.Values{"program": {"."}}),
		"GET an unknown run":           im.get(adapterPath + "/conformance/999999"),
		"GET an unknown adapter":       im.get("/partners/" + w.partner.Code + "/adapters/999999"),
	} {
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", what, resp.StatusCode)
		}
		readBody(t, resp)
	}
}
