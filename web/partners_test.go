package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/internal/serviceaccount"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/internal/testenv"
	"github.com/crossdock/crossdock/static"
	"github.com/crossdock/crossdock/web"
)

const (
	partnerGLN    = "4012345000016"
	partnerBadGLN = "4012345000017" // check digit off by one
)

var partnerTokenRe = regexp.MustCompile(`cdp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}`)

// readyFacts says every partner has an active adapter and passing
// conformance tests, as the adapter package will once it is wired in.
type readyFacts struct{}

func (readyFacts) AdapterFacts(context.Context, int64) (bool, bool, error) { return true, true, nil }

// newEnvWithFacts is newEnv with the partner service answering the
// checklist's adapter questions from facts. app.NewWeb passes nil facts, so
// the web app is rebuilt here from the same parts with that one change.
func newEnvWithFacts(t *testing.T, facts partner.ReadinessFacts, vars map[string]string) *env {
	t.Helper()
	e := newEnv(t, vars)
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	migrator, err := store.NewMigrator(e.db)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := jobs.ParseRedisURL(e.cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := opt.MakeRedisClient().(redis.UniversalClient)
	t.Cleanup(func() { rdb.Close() })
	d := web.Deps{Config: e.cfg, Log: testenv.Logger(), DB: e.db, Redis: rdb, Inspector: asynq.NewInspectorFromRedisClient(rdb),
		Migrator: migrator, Auth: e.auth, Assets: assets, Metrics: prometheus.NewRegistry(),
		Catalog: catalog.NewService(e.db), Policy: policy.NewService(e.db), Partners: partner.NewService(e.db, facts)}
	d.CatalogCode, d.ServiceAccounts = catalogcode.NewService(e.db, d.Catalog), serviceaccount.NewService(e.db)
	e.srv = web.New(d)
	return e
}

// partnerClient is a client signed in as role, with a CSRF token for its posts.
type partnerClient struct {
	*client
	token string
}

func (e *env) signIn(role auth.Role) partnerClient {
	e.t.Helper()
	c := e.client()
	c.loginAs(role)
	return partnerClient{client: c, token: c.csrf("/partners")}
}

func (c partnerClient) postForm(path string, form url.Values) *http.Response {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.token)
	return c.post(path, form)
}

// partnerRedirect checks a 303 to a path starting with prefix.
func partnerRedirect(t *testing.T, resp *http.Response, prefix, what string) string {
	t.Helper()
	body := readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: got %d %q, want 303 to %s…: %.600s", what, resp.StatusCode, loc, prefix, body)
	}
	return loc
}

func partnerDoc(t *testing.T, resp *http.Response, want int, what string) *goquery.Document {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s: got %d, want %d: %.800s", what, resp.StatusCode, want, body)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func partnerText(d *goquery.Document, testid string) string {
	return strings.Join(strings.Fields(d.Find(`[data-testid="`+testid+`"]`).Text()), " ")
}

func acmeForm() url.Values {
	return url.Values{"code": {"acme-retail"}, "name": {"ACME Retail Europe B.V."}, "isa_qualifier": {"ZZ"}, "isa_id": {"ACMERETAIL"},
		"gs_app_code": {"ACMEEDI"}, "gln": {partnerGLN}, "duns": {"123-456-789"}, "notes": {"Test window: Tuesdays."}}
}

// seedPartner creates a partner through the service (as a seed actor) and
// takes it to status; withBasics adds an email contact and a working key,
// so only the adapter items of the checklist remain open.
func seedPartner(t *testing.T, e *env, code, name string, to partner.Status, withBasics bool) partner.Partner {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person"})
	svc := partner.NewService(e.db, nil)
	p, err := svc.Create(ctx, partner.Input{Code: code, Name: name, ISAQualifier: "ZZ", ISAID: code, GLN: partnerGLN})
	if err != nil {
		t.Fatalf("seed %s: %v", code, err)
	}
	if withBasics {
		if _, err := svc.AddContact(ctx, p.ID, partner.ContactInput{Name: "Dana EDI", Email: "edi@" + strings.ToLower(code) + ".example", Role: partner.ContactTechnical}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.IssueKey(ctx, p.ID, "Production gateway", nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []partner.Status{partner.StatusTesting, partner.StatusCertified} {
		if p.Status == to {
			break
		}
		if p, err = svc.Transition(ctx, p.ID, st, ""); err != nil {
			t.Fatalf("seed %s to %s: %v", code, st, err)
		}
	}
	return p
}

func partnerStatus(t *testing.T, e *env, code string) partner.Status {
	t.Helper()
	p, err := partner.NewService(e.db, nil).ByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func TestPartnersEmptyList(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		role      auth.Role
		canManage bool
	}{{auth.RoleIntegrationManager, true}, {auth.RoleAuditor, false}, {auth.RoleBusinessUser, false}} {
		t.Run(string(tc.role), func(t *testing.T) {
			d := partnerDoc(t, e.signIn(tc.role).get("/partners"), http.StatusOK, "list")
			if got := partnerText(d, "empty"); !strings.Contains(got, "No partners yet. Add your first trading partner") {
				t.Errorf("empty state says %q", got)
			}
			if got := d.Find(`[data-testid="empty-new-partner"]`).Length() == 1; got != tc.canManage {
				t.Errorf("empty-state button shown: got %v, want %v", got, tc.canManage)
			}
			if got := d.Find(`[data-testid="new-partner"]`).Length() == 1; got != tc.canManage {
				t.Errorf("New partner button shown: got %v, want %v", got, tc.canManage)
			}
			if d.Find(`input[data-search][name="q"]`).Length() != 1 {
				t.Error("no search box with data-search")
			}
			if d.Find(`[data-testid="nav-partners"][aria-current="page"]`).Length() != 1 {
				t.Error("the sidebar does not mark Trading partners as current")
			}
		})
	}
}

func TestPartnerCreateValidation(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	form := acmeForm()
	form.Set("gln", partnerBadGLN)
	form.Set("isa_qualifier", "XX")
	d := partnerDoc(t, im.postForm("/partners", form), http.StatusUnprocessableEntity, "create with errors")
	for field, want := range map[string]string{"gln": "check digit", "isa_qualifier": "known ISA qualifier"} {
		if got := partnerText(d, "error-"+field); !strings.Contains(got, want) {
			t.Errorf("error for %s: got %q, want it to mention %q", field, got, want)
		}
	}
	if d.Find(`[data-testid="form-errors"]`).Length() != 1 {
		t.Error("no summary of the errors")
	}
	for name, want := range map[string]string{"code": "acme-retail", "name": "ACME Retail Europe B.V.", "gln": partnerBadGLN, "isa_id": "ACMERETAIL", "duns": "123-456-789"} {
		if got, _ := d.Find(`input[name="` + name + `"]`).Attr("value"); got != want {
			t.Errorf("%s kept as %q, want %q", name, got, want)
		}
	}
	if got, _ := d.Find(`select[name="isa_qualifier"] option[selected]`).Attr("value"); got != "XX" {
		t.Errorf("ISA qualifier kept as %q, want XX", got)
	}
	if got := d.Find(`textarea[name="notes"]`).Text(); got != "Test window: Tuesdays." {
		t.Errorf("notes kept as %q", got)
	}
	form = acmeForm()
	form.Set("code", "approvals")
	d = partnerDoc(t, im.postForm("/partners", form), http.StatusUnprocessableEntity, "reserved code")
	if !strings.Contains(partnerText(d, "error-code"), "reserved") {
		t.Errorf("reserved code error %q", partnerText(d, "error-code"))
	}
	var n int64
	e.db.Model(&partner.Partner{}).Count(&n)
	if n != 0 {
		t.Errorf("%d partners saved after a refused form", n)
	}
}

func TestPartnerCreateEditAndDetail(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	loc := partnerRedirect(t, im.postForm("/partners", acmeForm()), "/partners/ACME-RETAIL", "create")
	d := partnerDoc(t, im.get(loc), http.StatusOK, "detail")
	if got := partnerText(d, "partner-name"); got != "ACME Retail Europe B.V." {
		t.Errorf("name %q", got)
	}
	if got, _ := d.Find(`h1 [data-testid="partner-status"]`).Attr("data-status"); got != "draft" {
		t.Errorf("status %q, want draft", got)
	}
	if !strings.Contains(partnerText(d, "flash"), "created in draft") {
		t.Errorf("flash %q", partnerText(d, "flash"))
	}
	if got := d.Find(`[data-testid="isa-id"]`).Text(); got != "ACMERETAIL     " {
		t.Errorf("ISA id shown as %q, want it padded to 15", got)
	}
	ids := partnerText(d, "identifiers")
	for _, want := range []string{"ZZ", "Mutually defined", "ACMEEDI", partnerGLN, "123456789", "Test window: Tuesdays."} {
		if !strings.Contains(ids, want) {
			t.Errorf("identifiers %q lack %q", ids, want)
		}
	}
	// Checklist: profile waits for a contact with an email, nothing else is done.
	if got := partnerText(d, "checklist-score"); got != "0 of 5 done" {
		t.Errorf("score %q", got)
	}
	if !strings.Contains(partnerText(d, "check-profile"), "add a contact with an email address") {
		t.Errorf("profile hint %q", partnerText(d, "check-profile"))
	}
	if !strings.Contains(partnerText(d, "adapters"), "No adapters yet: clone a template to map this partner's documents") {
		t.Error("no adapters placeholder")
	}
	if d.Find(`[data-testid="history"] [data-testid="audit-row"]`).Length() != 1 || !strings.Contains(partnerText(d, "history"), "partner.create") {
		t.Errorf("history: %q", partnerText(d, "history"))
	}
	if d.Find(`[data-testid="move-testing-open"]`).Length() != 1 {
		t.Error("a draft partner offers no Move to testing")
	}

	// The list shows it with identifiers and readiness.
	d = partnerDoc(t, im.get("/partners?q=acme"), http.StatusOK, "list")
	row := d.Find(`[data-testid="partner-row"][data-code="ACME-RETAIL"]`)
	if row.Length() != 1 {
		t.Fatalf("no row for ACME-RETAIL: %q", partnerText(d, "partners-table"))
	}
	if got := strings.Join(strings.Fields(row.Find(`[data-testid="partner-isa"]`).Text()), ""); got != "ZZ/ACMERETAIL" {
		t.Errorf("ISA cell %q", got)
	}
	if got := strings.Join(strings.Fields(row.Find(`[data-testid="readiness"]`).Text()), " "); !strings.HasPrefix(got, "0/5") {
		t.Errorf("readiness %q", got)
	}
	d = partnerDoc(t, im.get("/partners?status=live"), http.StatusOK, "filtered list")
	if !strings.Contains(partnerText(d, "empty"), "No partners match these filters") {
		t.Errorf("status filter: %q", partnerText(d, "empty"))
	}

	// Edit: the code is fixed; a bad DUNS is refused with the values kept.
	partnerDoc(t, im.get("/partners/acme-retail/edit"), http.StatusOK, "edit form")
	form := acmeForm()
	form.Set("name", "ACME Retail")
	form.Set("duns", "12")
	d = partnerDoc(t, im.postForm("/partners/ACME-RETAIL", form), http.StatusUnprocessableEntity, "edit with errors")
	if !strings.Contains(partnerText(d, "error-duns"), "9 digits") {
		t.Errorf("duns error %q", partnerText(d, "error-duns"))
	}
	if got, _ := d.Find(`input[name="name"]`).Attr("value"); got != "ACME Retail" {
		t.Errorf("name kept as %q", got)
	}
	form.Set("duns", "123456789")
	partnerRedirect(t, im.postForm("/partners/ACME-RETAIL", form), "/partners/ACME-RETAIL?flash=partner-updated", "edit")
	d = partnerDoc(t, im.get("/partners/ACME-RETAIL"), http.StatusOK, "detail after edit")
	if got := partnerText(d, "partner-name"); got != "ACME Retail" {
		t.Errorf("name after edit %q", got)
	}
	partnerDoc(t, im.get("/partners/NOPE"), http.StatusNotFound, "unknown partner")
}

func TestPartnerContacts(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	seedPartner(t, e, "GLOBEX", "Globex Corporation", partner.StatusDraft, false)
	bad := url.Values{"name": {"Hank Scorpio"}, "email": {"not-an-email"}, "role": {"business"}}
	d := partnerDoc(t, im.postForm("/partners/GLOBEX/contacts", bad), http.StatusUnprocessableEntity, "bad contact")
	if !strings.Contains(partnerText(d, "error-email"), "email address") {
		t.Errorf("email error %q", partnerText(d, "error-email"))
	}
	if got, _ := d.Find(`#contact-name`).Attr("value"); got != "Hank Scorpio" {
		t.Errorf("contact name kept as %q", got)
	}
	good := url.Values{"name": {"Hank Scorpio"}, "email": {"hank@globex.example"}, "phone": {"+1 555 0100"}, "role": {"escalation"}}
	partnerRedirect(t, im.postForm("/partners/GLOBEX/contacts", good), "/partners/GLOBEX?flash=contact-added", "add contact")
	d = partnerDoc(t, im.get("/partners/GLOBEX"), http.StatusOK, "detail")
	if !strings.Contains(partnerText(d, "contacts-table"), "hank@globex.example") {
		t.Fatalf("contacts %q", partnerText(d, "contacts-table"))
	}
	if !strings.Contains(partnerText(d, "check-profile"), "Done") {
		t.Errorf("profile not done with an identifier and an email contact: %q", partnerText(d, "check-profile"))
	}
	open := d.Find(`[data-testid^="remove-contact-"][data-testid$="-open"]`)
	id := strings.TrimSuffix(strings.TrimPrefix(open.AttrOr("data-testid", ""), "remove-contact-"), "-open")
	if !strings.Contains(d.Find("dialog#remove-contact-"+id).Text(), "removed from this partner's contacts") {
		t.Error("the remove confirmation does not say what happens")
	}
	partnerRedirect(t, im.postForm("/partners/GLOBEX/contacts/"+id+"/remove", nil), "/partners/GLOBEX?flash=contact-removed", "remove contact")
	partnerDoc(t, im.postForm("/partners/GLOBEX/contacts/"+id+"/remove", nil), http.StatusNotFound, "remove again")
}

func TestPartnerKeysShownOnceRotateRevoke(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	seedPartner(t, e, "INITECH", "Initech", partner.StatusDraft, false)
	other := seedPartner(t, e, "UMBRELLA", "Umbrella Logistics", partner.StatusDraft, false)

	d := partnerDoc(t, im.postForm("/partners/INITECH/keys", url.Values{"label": {""}}), http.StatusUnprocessableEntity, "key without label")
	if !strings.Contains(partnerText(d, "error-label"), "Name the key") {
		t.Errorf("label error %q", partnerText(d, "error-label"))
	}

	d = partnerDoc(t, im.postForm("/partners/INITECH/keys", url.Values{"label": {"Initech AS2 gateway"}, "expires_on": {"2099-12-31"}}), http.StatusCreated, "issue key")
	token := partnerText(d, "new-token")
	if !partnerTokenRe.MatchString(token) {
		t.Fatalf("issued token %q is not a partner key", token)
	}
	if !strings.Contains(partnerText(d, "issued-key"), "Copy it now: Crossdock keeps only a hash") {
		t.Errorf("issued box says %q", partnerText(d, "issued-key"))
	}
	svc := partner.NewService(e.db, nil)
	if p, _, err := svc.Authenticate(context.Background(), token); err != nil || p.Code != "INITECH" {
		t.Fatalf("the shown token does not authenticate INITECH: %v", err)
	}
	// Shown once: a reload of the page does not contain it.
	body := readBody(t, im.get("/partners/INITECH"))
	if strings.Contains(body, token) || strings.Contains(body, `data-testid="issued-key"`) {
		t.Fatal("the token is shown again on a reload")
	}
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	row := d.Find(`[data-testid="key-row"]`)
	if row.Length() != 1 || row.AttrOr("data-status", "") != "active" || !strings.Contains(row.Text(), "Initech AS2 gateway") {
		t.Fatalf("keys table: %q", partnerText(d, "keys-table"))
	}
	if !strings.Contains(row.Text(), token[:12]) {
		t.Errorf("the row does not show the key's prefix %s", token[:12])
	}
	keyID := strings.TrimSuffix(strings.TrimPrefix(row.Find(`[data-testid^="rotate-"][data-testid$="-open"]`).AttrOr("data-testid", ""), "rotate-"), "-open")
	if keyID == "" {
		t.Fatal("no rotate button")
	}
	if !strings.Contains(d.Find("dialog#revoke-"+keyID).Text(), "Calls with this key will be refused immediately") {
		t.Error("the revoke confirmation does not say what happens")
	}
	if !strings.Contains(d.Find("dialog#rotate-"+keyID).Text(), "old key keeps working") {
		t.Error("the rotate dialog does not explain the overlap")
	}

	// A key of another partner is not found under this one.
	otherKey, _, err := svc.IssueKey(audit.WithActor(context.Background(), audit.Actor{ID: "user:seed"}), other.ID, "Umbrella gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	partnerDoc(t, im.postForm("/partners/INITECH/keys/"+idStr(otherKey.ID)+"/revoke", nil), http.StatusNotFound, "revoke another partner's key")
	partnerDoc(t, im.postForm("/partners/INITECH/keys/"+idStr(otherKey.ID)+"/rotate", nil), http.StatusNotFound, "rotate another partner's key")

	// Rotate: a new token once, the old key works during the overlap.
	d = partnerDoc(t, im.postForm("/partners/INITECH/keys/"+keyID+"/rotate", url.Values{"overlap_hours": {"999"}}), http.StatusUnprocessableEntity, "overlap too long")
	if !strings.Contains(partnerText(d, "key-error"), "overlap") {
		t.Errorf("overlap error %q", partnerText(d, "key-error"))
	}
	d = partnerDoc(t, im.postForm("/partners/INITECH/keys/"+keyID+"/rotate", url.Values{"overlap_hours": {"24"}}), http.StatusCreated, "rotate")
	newToken := partnerText(d, "new-token")
	if !partnerTokenRe.MatchString(newToken) || newToken == token {
		t.Fatalf("rotated token %q", newToken)
	}
	if note := partnerText(d, "rotation-note"); !strings.Contains(note, "keeps working for 24 hours") {
		t.Errorf("rotation note %q", note)
	}
	for _, tok := range []string{token, newToken} {
		if _, _, err := svc.Authenticate(context.Background(), tok); err != nil {
			t.Errorf("during the overlap a key is refused: %v", err)
		}
	}
	partnerDoc(t, im.postForm("/partners/INITECH/keys/"+keyID+"/rotate", url.Values{"overlap_hours": {"1"}}), http.StatusConflict, "rotate a replaced key")

	// Revoke the new key: refused at once.
	d = partnerDoc(t, im.get("/partners/INITECH"), http.StatusOK, "detail")
	if strings.Contains(htmlOf(d), newToken) {
		t.Fatal("the rotated token is shown again")
	}
	var newID string
	d.Find(`[data-testid="key-row"]`).Each(func(_ int, s *goquery.Selection) {
		prefix := s.AttrOr("data-prefix", "")
		if strings.HasPrefix(prefix, newToken[:12]) {
			newID = strings.TrimSuffix(strings.TrimPrefix(s.Find(`[data-testid^="revoke-"][data-testid$="-open"]`).AttrOr("data-testid", ""), "revoke-"), "-open")
		}
		if strings.HasPrefix(prefix, token[:12]) && s.AttrOr("data-status", "") != "expiring" {
			t.Errorf("the old key is %s during its overlap, want expiring", s.AttrOr("data-status", ""))
		}
	})
	if newID == "" {
		t.Fatal("no revoke button for the new key")
	}
	partnerRedirect(t, im.postForm("/partners/INITECH/keys/"+newID+"/revoke", nil), "/partners/INITECH?flash=key-revoked", "revoke")
	if _, _, err := svc.Authenticate(context.Background(), newToken); err == nil {
		t.Error("a revoked key still authenticates")
	}
	partnerDoc(t, im.postForm("/partners/INITECH/keys/"+newID+"/revoke", nil), http.StatusConflict, "revoke twice")
	d = partnerDoc(t, im.get("/partners/INITECH"), http.StatusOK, "detail after revoke")
	if d.Find(`[data-testid="key-row"][data-status="revoked"]`).Length() != 1 {
		t.Errorf("no revoked key in %q", partnerText(d, "keys-table"))
	}
	if !strings.Contains(partnerText(d, "history"), "partner_key.revoke") {
		t.Error("the revocation is not in the partner's history")
	}
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func htmlOf(d *goquery.Document) string {
	h, _ := d.Html()
	return h
}

func TestPartnerStatusMoves(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	seedPartner(t, e, "HOOLI", "Hooli", partner.StatusDraft, false)
	for _, step := range []struct {
		to, button string
	}{{"testing", "mark-certified-open"}, {"certified", ""}} {
		partnerRedirect(t, im.postForm("/partners/HOOLI/status", url.Values{"to": {step.to}}), "/partners/HOOLI?flash=partner-"+step.to, "move to "+step.to)
		d := partnerDoc(t, im.get("/partners/HOOLI"), http.StatusOK, "detail")
		if got, _ := d.Find(`h1 [data-testid="partner-status"]`).Attr("data-status"); got != step.to {
			t.Errorf("status %q, want %s", got, step.to)
		}
		if step.button != "" && d.Find(`[data-testid="`+step.button+`"]`).Length() != 1 {
			t.Errorf("in %s the page offers no %s", step.to, step.button)
		}
	}
	// Certified cannot be made live by a status move, nor go back.
	for _, to := range []string{"live", "testing", "bogus"} {
		d := partnerDoc(t, im.postForm("/partners/HOOLI/status", url.Values{"to": {to}}), http.StatusUnprocessableEntity, "move to "+to)
		if partnerText(d, "refusal") == "" {
			t.Errorf("move to %s: no refusal shown", to)
		}
	}
	d := partnerDoc(t, im.postForm("/partners/HOOLI/status", url.Values{"to": {"live"}}), http.StatusUnprocessableEntity, "move to live")
	if !strings.Contains(partnerText(d, "refusal"), "second person") {
		t.Errorf("refusal %q", partnerText(d, "refusal"))
	}
	if partnerStatus(t, e, "HOOLI") != partner.StatusCertified {
		t.Error("a refused move changed the status")
	}
}

func TestPartnerGoLiveRefusedWithoutAdapter(t *testing.T) {
	e := newEnv(t, nil) // the app's facts source is nil: no adapter, no conformance
	im := e.signIn(auth.RoleIntegrationManager)
	seedPartner(t, e, "STARK", "Stark Industrial Supply", partner.StatusCertified, true)
	d := partnerDoc(t, im.get("/partners/STARK"), http.StatusOK, "detail")
	if d.Find(`[data-testid="request-go-live-disabled"][disabled]`).Length() != 1 {
		t.Error("go-live is offered although the checklist is open")
	}
	if got := partnerText(d, "go-live-missing"); got == "" {
		t.Error("the go-live section does not say what is missing")
	}
	d = partnerDoc(t, im.postForm("/partners/STARK/go-live", nil), http.StatusUnprocessableEntity, "request go-live")
	ref := partnerText(d, "refusal")
	for _, want := range []string{"Go-live was not requested", "Activate an adapter", "Run the conformance tests"} {
		if !strings.Contains(ref, want) {
			t.Errorf("refusal %q lacks %q", ref, want)
		}
	}
	if strings.Contains(ref, "API key") || strings.Contains(ref, "profile") {
		t.Errorf("refusal %q lists items that are done", ref)
	}
	if partnerStatus(t, e, "STARK") != partner.StatusCertified {
		t.Error("the refused request changed the status")
	}
}

func TestPartnerGoLiveFourEyes(t *testing.T) {
	e := newEnvWithFacts(t, readyFacts{}, nil)
	im, admin := e.signIn(auth.RoleIntegrationManager), e.signIn(auth.RoleAdmin)
	seedPartner(t, e, "WAYNE", "Wayne Enterprises Distribution", partner.StatusCertified, true)

	d := partnerDoc(t, im.get("/partners/WAYNE"), http.StatusOK, "detail")
	if d.Find(`[data-testid="request-go-live-open"]`).Length() != 1 {
		t.Fatal("a ready, certified partner offers no Request go-live")
	}
	if !strings.Contains(d.Find("dialog#request-go-live").Text(), "another person with approval rights approves it") {
		t.Error("the request confirmation does not say a second person approves")
	}
	partnerRedirect(t, im.postForm("/partners/WAYNE/go-live", nil), "/partners/WAYNE?flash=golive-requested", "request")
	partnerDoc(t, im.postForm("/partners/WAYNE/go-live", nil), http.StatusConflict, "request twice")

	reqs, err := partner.NewService(e.db, nil).PendingGoLiveRequests(context.Background())
	if err != nil || len(reqs) != 1 {
		t.Fatalf("pending requests: %v %v", reqs, err)
	}
	id := idStr(reqs[0].ID)

	// The requester sees why they cannot approve, in the inbox and on the page.
	d = partnerDoc(t, im.get("/partners/approvals"), http.StatusOK, "inbox as requester")
	if d.Find(`[data-testid="approve-`+id+`-open"]`).Length() != 0 || !strings.Contains(partnerText(d, "own-request"), "Another person must approve: you requested it") {
		t.Errorf("the requester's inbox: %q", partnerText(d, "approvals-table"))
	}
	d = partnerDoc(t, im.get("/partners/WAYNE"), http.StatusOK, "detail as requester")
	if !strings.Contains(partnerText(d, "pending-request"), "Ines Moreau") || d.Find(`[data-testid="approve-`+id+`-open"]`).Length() != 0 {
		t.Errorf("pending request as requester: %q", partnerText(d, "pending-request"))
	}
	// Approving anyway is refused with the four-eyes message.
	d = partnerDoc(t, im.postForm("/partners/go-live/"+id+"/approve", nil), http.StatusForbidden, "approve own request")
	if !strings.Contains(partnerText(d, "refusal"), "Another person must approve") {
		t.Errorf("four-eyes refusal %q", partnerText(d, "refusal"))
	}
	if partnerStatus(t, e, "WAYNE") != partner.StatusCertified {
		t.Fatal("the requester's own approval made the partner live")
	}

	// A second person approves.
	d = partnerDoc(t, admin.get("/partners/approvals"), http.StatusOK, "inbox as admin")
	if d.Find(`[data-testid="approve-`+id+`-open"]`).Length() != 1 {
		t.Fatalf("the admin's inbox offers no approve: %q", partnerText(d, "approvals-table"))
	}
	partnerRedirect(t, admin.postForm("/partners/go-live/"+id+"/approve", nil), "/partners/WAYNE?flash=golive-approved", "approve")
	if got := partnerStatus(t, e, "WAYNE"); got != partner.StatusLive {
		t.Fatalf("status after approval %s, want live", got)
	}
	d = partnerDoc(t, admin.get("/partners/WAYNE"), http.StatusOK, "detail after approval")
	if !strings.Contains(partnerText(d, "check-approval"), "Done") || partnerText(d, "checklist-score") != "5 of 5 done" {
		t.Errorf("checklist after approval: %q / %q", partnerText(d, "check-approval"), partnerText(d, "checklist-score"))
	}
	if !strings.Contains(partnerText(d, "decided-requests"), "Approved") || !strings.Contains(partnerText(d, "decided-requests"), "Ada Okafor") {
		t.Errorf("decided requests %q", partnerText(d, "decided-requests"))
	}
	if !strings.Contains(partnerText(d, "history"), "partner_go_live.approve") {
		t.Error("the approval is not in the partner's history")
	}
	if d.Find(`[data-testid="suspend-open"]`).Length() != 1 {
		t.Error("a live partner offers no Suspend")
	}
	partnerDoc(t, admin.postForm("/partners/go-live/"+id+"/approve", nil), http.StatusConflict, "approve twice")

	// Suspend needs a reason; reinstatement goes through a request again,
	// which this time is rejected with a reason.
	d = partnerDoc(t, admin.postForm("/partners/WAYNE/status", url.Values{"to": {"suspended"}}), http.StatusUnprocessableEntity, "suspend without reason")
	if !strings.Contains(partnerText(d, "refusal"), "Say why") {
		t.Errorf("suspend refusal %q", partnerText(d, "refusal"))
	}
	partnerRedirect(t, admin.postForm("/partners/WAYNE/status", url.Values{"to": {"suspended"}, "reason": {"Sending duplicate ASNs"}}), "/partners/WAYNE?flash=partner-suspended", "suspend")
	partnerRedirect(t, admin.postForm("/partners/WAYNE/go-live", nil), "/partners/WAYNE?flash=golive-requested", "request reinstatement")
	reqs, _ = partner.NewService(e.db, nil).PendingGoLiveRequests(context.Background())
	if len(reqs) != 1 {
		t.Fatalf("pending %d", len(reqs))
	}
	id = idStr(reqs[0].ID)
	d = partnerDoc(t, im.postForm("/partners/go-live/"+id+"/reject", url.Values{"reason": {" "}}), http.StatusUnprocessableEntity, "reject without reason")
	if !strings.Contains(partnerText(d, "refusal"), "Say why go-live is rejected") {
		t.Errorf("reject refusal %q", partnerText(d, "refusal"))
	}
	partnerRedirect(t, im.postForm("/partners/go-live/"+id+"/reject", url.Values{"reason": {"Fix the duplicates first"}}), "/partners/WAYNE?flash=golive-rejected", "reject")
	if got := partnerStatus(t, e, "WAYNE"); got != partner.StatusSuspended {
		t.Errorf("status after rejection %s, want suspended", got)
	}
}

// The auditor (and the business user) read the partner page without any
// way to change it, and the route table refuses their posts.
func TestPartnerReadOnlyRoles(t *testing.T) {
	e := newEnvWithFacts(t, readyFacts{}, nil)
	p := seedPartner(t, e, "CYBERDYNE", "Cyberdyne Parts", partner.StatusCertified, true)
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person"})
	svc := partner.NewService(e.db, readyFacts{})
	if _, err := svc.SetPolicyOverride(ctx, p.ID, nil, []byte(`{"priority": "high"}`)); err != nil {
		t.Fatal(err)
	}
	req, err := svc.RequestGoLive(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []auth.Role{auth.RoleAuditor, auth.RoleBusinessUser} {
		t.Run(string(role), func(t *testing.T) {
			c := e.signIn(role)
			d := partnerDoc(t, c.get("/partners/CYBERDYNE"), http.StatusOK, "detail")
			if n := d.Find(`main form[method="post"]`).Length(); n != 0 {
				t.Errorf("%d forms that post on a read-only page", n)
			}
			if n := d.Find(`main [data-open-dialog], [data-testid="partner-actions"], [data-testid="edit-partner"], main textarea`).Length(); n != 0 {
				t.Errorf("%d action elements on a read-only page", n)
			}
			for _, id := range []string{"contacts-table", "keys-table", "pending-request", "override", "history"} {
				if d.Find(`[data-testid="`+id+`"]`).Length() == 0 {
					t.Errorf("%s is not shown to %s", id, role)
				}
			}
			d = partnerDoc(t, c.get("/partners"), http.StatusOK, "list")
			if d.Find(`[data-testid="new-partner"], [data-testid="approvals-link"]`).Length() != 0 {
				t.Error("the list offers actions to a read-only role")
			}
			for _, path := range []string{"/partners/CYBERDYNE/status", "/partners/CYBERDYNE/keys", "/partners/CYBERDYNE/go-live", "/partners/go-live/" + idStr(req.ID) + "/approve"} {
				partnerDoc(t, c.postForm(path, url.Values{"to": {"testing"}, "label": {"x"}}), http.StatusForbidden, "post "+path)
			}
			partnerDoc(t, c.get("/partners/approvals"), http.StatusForbidden, "approvals inbox")
		})
	}
}
