package web_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
)

// stubFacts answers the checklist's adapter questions per partner, as the
// adapter package will: partners marked ready have an active adapter and
// passing conformance tests.
type stubFacts struct {
	mu    sync.Mutex
	ready map[int64]bool
}

func (f *stubFacts) AdapterFacts(_ context.Context, id int64) (bool, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready[id], f.ready[id], nil
}

func (f *stubFacts) markReady(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ready[id] = true
}

// TestBrowserPartnerScreenshots signs in as the integration manager (and
// the auditor) and looks at the partner pages with realistic data seeded
// through the partner service, saving a screenshot of each for people to
// review. It asserts only that the pages render; the HTTP tests in
// partners_test.go check behaviour.
func TestBrowserPartnerScreenshots(t *testing.T) {
	facts := &stubFacts{ready: map[int64]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	e := newEnvWithFacts(t, facts, map[string]string{"CROSSDOCK_BASE_URL": base})
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
	seedRealisticPartners(t, e, facts)

	browser := startBrowser(t)
	shots := artifactsDir(t)
	for _, who := range []struct {
		role  auth.Role
		pages []struct{ path, marker, file string }
	}{
		{auth.RoleIntegrationManager, []struct{ path, marker, file string }{
			{"/partners", "partners-table", "partners-list.png"},
			{"/partners?status=suspended&q=zzz", "empty", "partners-list-filtered-empty.png"},
			{"/partners/ACME-RETAIL", "keys-table", "partner-detail-live.png"},
			{"/partners/NORTHWIND-HOME", "pending-request", "partner-detail-pending-own.png"},
			{"/partners/STARK", "go-live-missing", "partner-detail-certified-missing.png"},
			{"/partners/INITECH", "checklist", "partner-detail-draft.png"},
			{"/partners/approvals", "approvals-table", "partner-approvals.png"},
			{"/partners/new", "partner-form", "partner-form.png"},
		}},
		{auth.RoleAdmin, []struct{ path, marker, file string }{
			{"/partners/NORTHWIND-HOME", "pending-request", "partner-detail-pending-approver.png"},
		}},
		{auth.RoleAuditor, []struct{ path, marker, file string }{
			{"/partners/ACME-RETAIL", "keys-table", "partner-detail-auditor.png"},
		}},
	} {
		ctx, console := newTab(t, browser)
		if err := chromedp.Do(ctx, chromedp.Navigate(st.url("/login"))); err != nil {
			t.Fatalf("open sign-in: %v", err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-"+string(who.role)))); err != nil {
			t.Fatalf("sign in as %s: %v", who.role, err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("home-title"))); err != nil {
			t.Fatalf("home: %v", err)
		}
		if err := openFromNav(ctx, "nav-partners", "/partners", "partners-table"); err != nil {
			t.Fatalf("partners from the sidebar: %v", err)
		}
		for _, p := range who.pages {
			shoot(t, ctx, st, shots, p.path, p.marker, p.file)
		}
		if who.role == auth.RoleIntegrationManager {
			shootJourneys(t, ctx, st, shots)
		}
		var msgs []string
		for _, m := range console.stop() {
			// The form with mistakes answers 422 on purpose.
			if !strings.Contains(m, "status of 422") {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) > 0 {
			t.Errorf("as %s the browser console reported:\n%s", who.role, strings.Join(msgs, "\n"))
		}
	}
}

func shoot(t *testing.T, ctx context.Context, st site, dir, path, marker, file string) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(st.url(path)))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if resp == nil || resp.Status != 200 {
		t.Fatalf("%s answered %s, want 200", path, status(resp))
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID(marker))); err != nil {
		t.Fatalf("%s: %s not visible: %v", path, marker, err)
	}
	if err := screenshot(ctx, dir, file); err != nil {
		t.Fatalf("screenshot %s: %v", file, err)
	}
}

// shootJourneys takes the pictures that need a click: a form with errors,
// a freshly issued key, and the rotate and suspend dialogs.
func shootJourneys(t *testing.T, ctx context.Context, st site, dir string) {
	t.Helper()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("fill the partner form with mistakes",
		chromedp.Navigate(st.url("/partners/new")),
		chromedp.SendKeys(`#partner-code`, "acme retail"),
		chromedp.SendKeys(`#partner-name`, "ACME Retail Nordics"),
		chromedp.SetValue(`#partner-isa-qualifier`, "01"),
		chromedp.SendKeys(`#partner-isa-id`, "12345"),
		chromedp.SendKeys(`#partner-gln`, partnerBadGLN),
	)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("submit"))); err != nil {
		t.Fatalf("submit the partner form: %v", err)
	}
	step("form errors", chromedp.WaitVisible(testID("form-errors")))
	if err := screenshot(ctx, dir, "partner-form-errors.png"); err != nil {
		t.Fatal(err)
	}

	// A contact without a way to reach it comes back with its form open.
	step("open ACME's contact form", chromedp.Navigate(st.url("/partners/ACME-RETAIL")), chromedp.Click(testID("add-contact-disclosure-toggle")),
		chromedp.SendKeys(`#contact-name`, "Mette Sørensen-Lindqvist"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("add-contact"))); err != nil {
		t.Fatalf("add a contact: %v", err)
	}
	step("contact error", chromedp.WaitVisible(`details[data-testid="add-contact-disclosure"][open] [data-testid="error-email"]`))
	if err := screenshot(ctx, dir, "partner-contact-errors.png"); err != nil {
		t.Fatal(err)
	}

	step("open ACME", chromedp.Navigate(st.url("/partners/ACME-RETAIL")), chromedp.Click(testID("issue-key-disclosure-toggle")),
		chromedp.SendKeys(`#key-label`, "ACME Nordics AS2 gateway"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("issue-key"))); err != nil {
		t.Fatalf("issue a key: %v", err)
	}
	step("issued key", chromedp.WaitVisible(testID("new-token")))
	if err := screenshot(ctx, dir, "partner-key-issued.png"); err != nil {
		t.Fatal(err)
	}

	step("reload ACME", chromedp.Navigate(st.url("/partners/ACME-RETAIL")), chromedp.WaitVisible(testID("keys-table")))
	step("open the rotate dialog", chromedp.Click(`[data-testid^="rotate-"][data-testid$="-open"]`), chromedp.WaitVisible(`dialog[open]`))
	if err := screenshot(ctx, dir, "partner-key-rotate-dialog.png"); err != nil {
		t.Fatal(err)
	}
	// The override's typed form, opened; then a new override with half a rate limit.
	step("open ACME's override form", chromedp.Navigate(st.url("/partners/ACME-RETAIL")), chromedp.Click(`[data-testid="edit-override-all"] > summary`),
		chromedp.WaitVisible(`[data-testid="edit-override-all"] [data-testid="group-maintenanceWindows"]`))
	if err := screenshot(ctx, dir, "partner-override-edit.png"); err != nil {
		t.Fatal(err)
	}
	step("fill a new override with a mistake", chromedp.Navigate(st.url("/partners/GLOBEX")), chromedp.Click(testID("add-override-disclosure-toggle")),
		chromedp.SendKeys(`#ov-new-rate`, "500"), chromedp.SetValue(`#ov-new-priority`, "critical"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("save-override"))); err != nil {
		t.Fatalf("save the override: %v", err)
	}
	step("override errors", chromedp.WaitVisible(`details[data-testid="add-override-disclosure"][open] [data-testid="error-rateLimit.burst"]`))
	if err := screenshot(ctx, dir, "partner-override-errors.png"); err != nil {
		t.Fatal(err)
	}
	step("open the suspend dialog", chromedp.Navigate(st.url("/partners/ACME-RETAIL")), chromedp.Click(testID("suspend-open")), chromedp.WaitVisible(`dialog#suspend[open]`))
	if err := screenshot(ctx, dir, "partner-suspend-dialog.png"); err != nil {
		t.Fatal(err)
	}
}

// seedRealisticPartners fills the register like a distributor's: partners
// in every status, long names, many rows, one partner with a full history.
func seedRealisticPartners(t *testing.T, e *env, facts *stubFacts) {
	t.Helper()
	var ines, ada auth.User
	if err := e.db.Where("issuer = ? AND role = ?", auth.DevIssuer, auth.RoleIntegrationManager).Take(&ines).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Where("issuer = ? AND role = ?", auth.DevIssuer, auth.RoleAdmin).Take(&ada).Error; err != nil {
		t.Fatal(err)
	}
	asIM := audit.WithActor(context.Background(), audit.Actor{ID: fmt.Sprintf("user:%d", ines.ID), Name: ines.Name, Role: string(auth.RoleIntegrationManager)})
	asAdmin := audit.WithActor(context.Background(), audit.Actor{ID: fmt.Sprintf("user:%d", ada.ID), Name: ada.Name, Role: string(auth.RoleAdmin)})
	svc := partner.NewService(e.db, facts)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	type seed struct {
		in       partner.Input
		to       partner.Status
		contacts []partner.ContactInput
		keys     []string
		ready    bool
	}
	seeds := []seed{
		{partner.Input{Code: "ACME-RETAIL", Name: "ACME Retail Europe B.V.", ISAQualifier: "ZZ", ISAID: "ACMERETAIL", GSAppCode: "ACMEEDI", GLN: partnerGLN, DUNS: "123456789",
			Notes: "Sends 850s in batches at 06:00 and 14:00 CET.\nTest window: Tuesdays 09:00–12:00; ask Dana before sending volume."}, partner.StatusLive,
			[]partner.ContactInput{{Name: "Dana Whitfield", Email: "edi@acme-retail.example", Phone: "+31 20 555 0142", Role: partner.ContactTechnical},
				{Name: "Jorge Alvarez-Castellanos", Email: "jorge.alvarez@acme-retail.example", Role: partner.ContactBusiness},
				{Name: "ACME EDI on-call", Phone: "+31 20 555 0199", Role: partner.ContactEscalation}},
			[]string{"ACME production EDI gateway (Amsterdam DC)", "ACME staging gateway", "Old SFTP bridge"}, true},
		{partner.Input{Code: "NORTHWIND-HOME", Name: "Northwind Home & Garden Wholesale Cooperative (Benelux and Nordics)", ISAQualifier: "01", ISAID: "987654321", GLN: "7612345678900"}, partner.StatusCertified,
			[]partner.ContactInput{{Name: "Sanne de Vries", Email: "sanne.devries@northwind-coop.example", Role: partner.ContactTechnical}}, []string{"Northwind AS2"}, true},
		{partner.Input{Code: "STARK", Name: "Stark Industrial Supply", ISAQualifier: "12", ISAID: "6175550100"}, partner.StatusCertified,
			[]partner.ContactInput{{Name: "Pepper Potts", Email: "edi@stark-supply.example", Role: partner.ContactBusiness}}, []string{"Stark VAN mailbox"}, false},
		{partner.Input{Code: "GLOBEX", Name: "Globex Corporation", ISAQualifier: "ZZ", ISAID: "GLOBEXCORP"}, partner.StatusTesting,
			[]partner.ContactInput{{Name: "Hank Scorpio", Email: "hank@globex.example", Role: partner.ContactEscalation}}, []string{"Globex test harness"}, false},
		{partner.Input{Code: "INITECH", Name: "Initech Office Furniture", Notes: "Wants JSON over HTTPS, no X12."}, partner.StatusDraft, nil, nil, false},
		{partner.Input{Code: "UMBRELLA-3PL", Name: "Umbrella Logistics (3PL, Rotterdam)", ISAQualifier: "ZZ", ISAID: "UMBRELLA3PL", DUNS: "555000111"}, partner.StatusLive,
			[]partner.ContactInput{{Name: "Ops desk", Email: "ops@umbrella-3pl.example", Role: partner.ContactTechnical}}, []string{"Umbrella WMS"}, true},
		{partner.Input{Code: "WAYNE", Name: "Wayne Enterprises Distribution", ISAQualifier: "08", ISAID: "6112345678"}, partner.StatusTesting, nil, nil, false},
		{partner.Input{Code: "CYBERDYNE", Name: "Cyberdyne Parts", GLN: "4098765432101"}, partner.StatusDraft, nil, nil, false},
		{partner.Input{Code: "HOOLI", Name: "Hooli Retail", ISAQualifier: "ZZ", ISAID: "HOOLI"}, partner.StatusCertified,
			[]partner.ContactInput{{Name: "Gavin Belson", Email: "gavin@hooli.example", Role: partner.ContactBusiness}}, []string{"Hooli gateway"}, true},
		{partner.Input{Code: "SOYLENT", Name: "Soylent Foods Distribution GmbH", ISAQualifier: "ZZ", ISAID: "SOYLENTFOODS"}, partner.StatusTesting, nil, []string{"Soylent test"}, false},
	}
	for _, s := range seeds {
		p, err := svc.Create(asIM, s.in)
		must(s.in.Code, err)
		for _, c := range s.contacts {
			_, err := svc.AddContact(asIM, p.ID, c)
			must(s.in.Code+" contact", err)
		}
		for _, label := range s.keys {
			_, _, err := svc.IssueKey(asIM, p.ID, label, nil)
			must(s.in.Code+" key", err)
		}
		if s.ready {
			facts.markReady(p.ID)
		}
		for _, st := range []partner.Status{partner.StatusTesting, partner.StatusCertified} {
			if p.Status == s.to || s.to == partner.StatusDraft {
				break
			}
			p, err = svc.Transition(asIM, p.ID, st, "")
			must(s.in.Code+" "+string(st), err)
		}
		if s.to == partner.StatusLive {
			req, err := svc.RequestGoLive(asIM, p.ID)
			must(s.in.Code+" request", err)
			_, err = svc.ApproveGoLive(asAdmin, req.ID)
			must(s.in.Code+" approve", err)
		}
	}
	acme, err := svc.ByCode(asIM, "ACME-RETAIL")
	must("acme", err)
	keys, err := svc.ListKeys(asIM, acme.ID)
	must("acme keys", err)
	for _, k := range keys {
		switch k.Label {
		case "ACME staging gateway":
			_, _, err := svc.RotateKey(asIM, k.ID, 48*time.Hour)
			must("rotate", err)
		case "Old SFTP bridge":
			_, err := svc.RevokeKey(asIM, k.ID)
			must("revoke", err)
		}
	}
	_, err = svc.SetPolicyOverride(asIM, acme.ID, nil, []byte(`{"rateLimit": {"rate": 200, "burst": 400}, "maxPayloadBytes": 20971520, "maintenanceWindows": [{"name": "ACME ERP freeze", "days": ["sun"], "start": "01:00", "end": "05:00", "timeZone": "Europe/Amsterdam"}]}`))
	must("override", err)
	umbrella, err := svc.ByCode(asIM, "UMBRELLA-3PL")
	must("umbrella", err)
	_, err = svc.Transition(asAdmin, umbrella.ID, partner.StatusSuspended, "Sending duplicate ASNs since the WMS upgrade")
	must("suspend", err)
	northwind, err := svc.ByCode(asIM, "NORTHWIND-HOME")
	must("northwind", err)
	_, err = svc.RequestGoLive(asIM, northwind.ID)
	must("northwind request", err)
	hooli, err := svc.ByCode(asIM, "HOOLI")
	must("hooli", err)
	req, err := svc.RequestGoLive(asAdmin, hooli.ID)
	must("hooli request", err)
	_, err = svc.RejectGoLive(asIM, req.ID, "Their 856 still sends cartons without SSCC labels")
	must("hooli reject", err)
	_, err = svc.RequestGoLive(asAdmin, hooli.ID)
	must("hooli request again", err)
}
