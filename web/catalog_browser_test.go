package web_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/policy"
)

// TestBrowserCatalogScreenshots signs in as the integration manager and
// looks at the catalog pages with realistic data (seeded through the
// catalog service; the browser only reads), saving a screenshot of each
// for people to review.
func TestBrowserCatalogScreenshots(t *testing.T) {
	st, e := startCatalogConsole(t)
	seedRealisticCatalog(t, e)
	browser := startBrowser(t)
	shots := artifactsDir(t)
	ctx, console := newTab(t, browser)

	if err := chromedp.Do(ctx, chromedp.Navigate(st.url("/login"))); err != nil {
		t.Fatalf("open sign-in: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("dev-login-integration_manager"))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("home-title"))); err != nil {
		t.Fatalf("home: %v", err)
	}
	if err := openFromNav(ctx, "nav-catalog", "/catalog", "catalog-table"); err != nil {
		t.Fatalf("catalog from the sidebar: %v", err)
	}

	shootPages(t, ctx, st, shots, []shotPage{
		{"/catalog", "catalog-table", "catalog-list.png"},
		{"/catalog/apis/order-intake", "versions-table", "catalog-api-detail.png"},
		{"/catalog/apis/order-intake/versions/2.0.0", "schema-tree", "catalog-version-contract.png"},
		{"/catalog/apis/order-intake/diff?from=1.1.0&to=2.0.0", "changes-table", "catalog-diff.png"},
		{"/catalog/apis/order-intake/versions/2.1.0/publish", "refused", "catalog-publish-refused.png"},
		{"/catalog/apis/order-intake/versions/1.2.0/publish", "publish-form", "catalog-publish-confirm.png"},
		{"/catalog/apis/order-intake/versions/1.1.0/deprecate", "deprecate-form", "catalog-deprecate.png"},
		{"/catalog/apis/order-intake/versions/new", "version-form", "catalog-version-form.png"},
		{"/catalog/teams", "teams-table", "catalog-teams.png"},
		{"/catalog/systems/sap-s4-eu", "system-apis", "catalog-system.png"},
	})
	// The diff on a narrow screen: the two contracts one after the other.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(760, 900), chromedp.Navigate(st.url("/catalog/apis/order-intake/diff?from=1.1.0&to=2.0.0")),
		chromedp.WaitVisible(testID("changes-table"))); err != nil {
		t.Fatalf("narrow diff: %v", err)
	}
	if err := screenshot(ctx, shots, "catalog-diff-narrow.png"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	// The retire button opens a dialog that says what will happen.
	if err := chromedp.Do(ctx, chromedp.Navigate(st.url("/catalog/apis/order-intake"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(testID("retire-1-0-0-open"))); err != nil {
		t.Fatalf("open the retire dialog: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("retire-1-0-0-confirm"))); err != nil {
		t.Fatalf("retire dialog: %v", err)
	}
	if err := screenshot(ctx, shots, "catalog-retire-dialog.png"); err != nil {
		t.Fatal(err)
	}
	shootPolicies(t, ctx, st, e, shots)
	var msgs []string
	for _, m := range console.stop() {
		// The policy form with mistakes answers 422 on purpose.
		if !strings.Contains(m, "status of 422") {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) > 0 {
		t.Errorf("the browser console reported:\n%s", strings.Join(msgs, "\n"))
	}
}

// shootPolicies looks at the policy pages: the list, a set, the typed
// settings form new, filled in from the latest version, and with mistakes.
func shootPolicies(t *testing.T, ctx context.Context, st site, e *env, shots string) {
	t.Helper()
	actx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Priya Raman", Role: string(auth.RoleIntegrationManager)})
	pol := policy.NewService(e.db)
	maxPayload := int64(20 << 20)
	for _, p := range []struct {
		name, desc string
		s          policy.Settings
	}{
		{"retail-partner-standard", "Retail partners sending X12 over AS2: HMAC-signed, higher limits, ERP freeze windows.", policy.Settings{
			Authentication:  &policy.Authentication{Methods: []policy.AuthMethod{policy.AuthAPIKey, policy.AuthHMACSignature}, HMAC: &policy.HMAC{Header: "X-Crossdock-Signature", Algorithm: "sha256"}},
			RateLimit:       &policy.RateLimit{Rate: 200, Burst: 400},
			MaxPayloadBytes: &maxPayload,
			Idempotency:     &policy.Idempotency{Mode: policy.IdempotencyDerived, RetentionHours: 168},
			Retry:           &policy.Retry{MaxAttempts: 8, Backoff: policy.BackoffExponential, InitialSeconds: 5, MaxSeconds: 900},
			Priority:        policy.PriorityHigh,
			MaintenanceWindows: []policy.Window{
				{Name: "SAP S/4HANA weekly maintenance", TimeZone: "Europe/Berlin", Days: []string{"sun"}, Start: "02:00", End: "04:00"},
				{Name: "ERP nightly backup", TimeZone: "America/Chicago", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "02:00"},
			},
			AuditLevel: policy.AuditFull,
		}},
		{"warn-only-onboarding", "Partners in testing: accept and flag invalid documents.", policy.Settings{ValidationMode: policy.ValidationWarn, AuditLevel: policy.AuditFull}},
	} {
		created, err := pol.CreatePolicy(actx, p.name, p.desc, p.s)
		if err != nil {
			t.Fatalf("seed policy %s: %v", p.name, err)
		}
		if p.name == "retail-partner-standard" {
			_, v, err := catalog.NewService(e.db).Version(actx, "order-intake", "2.0.0")
			if err != nil {
				t.Fatal(err)
			}
			if err := pol.Attach(actx, v.ID, created.ID, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	shootPages(t, ctx, st, shots, []shotPage{
		{"/policies", "policies-table", "policies-list.png"},
		{"/policies/retail-partner-standard", "policy-latest", "policy-detail.png"},
		{"/policies/new", "policy-form", "policy-form-new.png"},
		{"/policies/new?from=retail-partner-standard", "policy-form", "policy-form-new-version.png"},
	})
	// A new set with mistakes, typed the way people do.
	if err := chromedp.Do(ctx, chromedp.Navigate(st.url("/policies/new")),
		chromedp.SendKeys(`#p-name`, "Partner Standard"),
		chromedp.SendKeys(`#ps-rate`, "50"),
		chromedp.SendKeys(`#ps-burst`, "10"),
		chromedp.SendKeys(`#ps-payload`, "0.3"),
		chromedp.SetValue(`#ps-payload-unit`, "KiB"),
		chromedp.SetValue(`#ps-auth`, "hmac-signature"),
		chromedp.SendKeys(`input[name="maintenanceWindows[0].name"]`, "Stocktake"),
		chromedp.Click(`input[name="maintenanceWindows[0].days"][value="sat"]`),
		chromedp.SendKeys(`input[name="maintenanceWindows[0].start"]`, "25:00"),
		chromedp.SendKeys(`input[name="maintenanceWindows[0].end"]`, "06:00"),
		chromedp.SendKeys(`input[name="maintenanceWindows[0].timeZone"]`, "Europe/Amsterdm"),
	); err != nil {
		t.Fatalf("fill the policy form: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(testID("save-policy"))); err != nil {
		t.Fatalf("submit the policy form: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testID("settings-errors"))); err != nil {
		t.Fatalf("policy form errors: %v", err)
	}
	if err := screenshot(ctx, shots, "policy-form-errors.png"); err != nil {
		t.Fatal(err)
	}
}

// startCatalogConsole is startConsole that also returns the environment,
// so the test can seed data.
func startCatalogConsole(t *testing.T) (site, *env) {
	t.Helper()
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
	return site{base: base}, e
}

// seedRealisticCatalog fills the catalog like a distributor's would look:
// several teams and systems, APIs of every kind with long names, and one
// API with a full version history.
func seedRealisticCatalog(t *testing.T, e *env) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Priya Raman", Role: string(auth.RoleIntegrationManager)})
	svc := catalog.NewService(e.db)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	for _, tm := range []catalog.TeamInput{
		{Slug: "order-platform", Name: "Order platform", ContactEmail: "order-platform@crossdock.example", ContactChat: "#order-platform", Description: "Order-to-cash: intake, acknowledgment, invoicing."},
		{Slug: "warehouse-systems", Name: "Warehouse systems", ContactEmail: "wms-team@crossdock.example", ContactChat: "#wms"},
		{Slug: "finance-integration", Name: "Finance integration and master data", ContactEmail: "fin-int@crossdock.example"},
		{Slug: "partner-experience", Name: "Partner experience"},
	} {
		_, err := svc.SaveTeam(ctx, tm, false)
		must(tm.Slug, err)
	}
	for _, sy := range []catalog.SystemInput{
		{Slug: "sap-s4-eu", Name: "SAP S/4HANA (EU production)", Kind: "erp", OwnerTeam: "order-platform", Description: "Client 100. Maintenance window Sundays 02:00–04:00 UTC."},
		{Slug: "manhattan-wms", Name: "Manhattan Active WMS", Kind: "wms", OwnerTeam: "warehouse-systems"},
		{Slug: "dhl-3pl", Name: "DHL Supply Chain network", Kind: "3pl", OwnerTeam: "warehouse-systems"},
	} {
		_, err := svc.SaveSystem(ctx, sy, false)
		must(sy.Slug, err)
	}
	desc := "Receives **purchase orders** (X12 850, EDIFACT ORDERS and JSON) from trading partners and books them as sales orders in SAP.\n\n" +
		"- Synchronous validation of the envelope and document type; the rest is asynchronous.\n" +
		"- Idempotent on `Idempotency-Key` or the interchange control number.\n\n" +
		"Runbook: [order intake runbook](https://wiki.example.com/runbooks/order-intake)."
	apis := []catalog.APIInput{
		{Slug: "order-intake", Name: "Order intake", Kind: "system", Domain: "order", OwnerTeam: "order-platform", System: "sap-s4-eu", Description: desc, Tags: []string{"edi", "x12", "b2b", "orders"}},
		{Slug: "order-acknowledgment", Name: "Order acknowledgment (855 / ORDRSP)", Kind: "process", Domain: "order", OwnerTeam: "order-platform", Tags: []string{"edi"}},
		{Slug: "advance-ship-notice", Name: "Advance ship notice to retail partners with carton-level detail", Kind: "experience", Domain: "shipment", OwnerTeam: "partner-experience", Tags: []string{"asn", "856", "retail"}},
		{Slug: "inventory-advice", Name: "Inventory advice", Kind: "event", Domain: "inventory", OwnerTeam: "warehouse-systems", System: "manhattan-wms", Tags: []string{"846", "stream"}},
		{Slug: "shipment-milestones", Name: "Shipment milestones", Kind: "event", Domain: "shipment", OwnerTeam: "warehouse-systems", System: "dhl-3pl"},
		{Slug: "invoice-out", Name: "Invoice out", Kind: "system", Domain: "invoice", OwnerTeam: "finance-integration", System: "sap-s4-eu", Tags: []string{"810", "invoic"}},
		{Slug: "product-master-sync", Name: "Product master sync", Kind: "process", Domain: "product", OwnerTeam: "finance-integration"},
		{Slug: "customer-master", Name: "Customer master", Kind: "system", Domain: "customer", System: "sap-s4-eu"},
		{Slug: "returns-authorization", Name: "Returns authorization", Kind: "experience", Domain: "returns", OwnerTeam: "partner-experience"},
		{Slug: "fulfilment-orchestration", Name: "Fulfilment orchestration", Kind: "process", Domain: "order", OwnerTeam: "order-platform"},
	}
	for _, a := range apis {
		_, err := svc.SaveAPI(ctx, a, false)
		must(a.Slug, err)
	}
	const v1 = `{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Purchase order","description":"A partner's order in the canonical data model.","type":"object","required":["orderId","orderDate","buyer","lines"],"additionalProperties":false,
"properties":{"orderId":{"type":"string","pattern":"^[0-9]{10}$","description":"The partner's PO number (BEG03)."},"orderDate":{"type":"string","format":"date"},
"buyer":{"$ref":"#/$defs/Party"},"shipTo":{"$ref":"#/$defs/Party","description":"Where the goods go; defaults to the buyer."},
"lines":{"type":"array","minItems":1,"maxItems":999,"items":{"type":"object","required":["lineNo","sku","quantity","uom"],"properties":{"lineNo":{"type":"integer","minimum":1},"sku":{"type":"string","maxLength":35},"gtin":{"type":"string","pattern":"^[0-9]{14}$"},"quantity":{"type":"number","exclusiveMinimum":0},"uom":{"enum":["EA","CS","PL"],"description":"Unit of measure (X12 355)."},"unitPrice":{"type":"number","minimum":0,"multipleOf":0.0001}}}},
"notes":{"type":"array","items":{"type":"string","maxLength":264}}},
"$defs":{"Party":{"type":"object","description":"A buyer or ship-to location.","required":["gln"],"properties":{"gln":{"type":"string","pattern":"^[0-9]{13}$","description":"GS1 Global Location Number."},"name":{"type":"string","maxLength":60},"country":{"type":"string","minLength":2,"maxLength":2}}}}}`
	v11 := strings.Replace(v1, `"notes":{`, `"currency":{"type":"string","enum":["EUR","USD","GBP"],"default":"EUR"},"notes":{`, 1)
	v12 := strings.Replace(v11, `"GBP"]`, `"GBP","CHF"]`, 1)
	v2 := strings.Replace(strings.Replace(v11, `"required":["orderId","orderDate","buyer","lines"]`, `"required":["orderId","orderDate","buyer","lines","currency"]`, 1), `"maxItems":999`, `"maxItems":500`, 1)
	v21 := strings.Replace(v2, `"uom":{"enum":["EA","CS","PL"]`, `"uom":{"enum":["EA","CS"]`, 1)
	for _, v := range []struct {
		version, schema, changelog string
		publish                    bool
	}{
		{"1.0.0", v1, "First contract.", true},
		{"1.1.0", v11, "Adds an optional `currency` (defaults to EUR).", true},
		{"1.2.0", v12, "Accepts CHF.", false},
		{"2.0.0", v2, "`currency` is **required**; at most 500 lines per order.", true},
		{"2.1.0", v21, "Drops the PL unit of measure.", false},
	} {
		_, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: v.version, Schema: v.schema, Changelog: v.changelog}, false)
		must(v.version, err)
		if v.publish {
			_, err := svc.Publish(ctx, "order-intake", v.version)
			must("publish "+v.version, err)
		}
	}
	sunset := time.Now().UTC().AddDate(0, 0, 45).Truncate(24 * time.Hour)
	_, err := svc.Deprecate(ctx, "order-intake", "1.0.0", catalog.DeprecateInput{SunsetAt: &sunset, Successor: "2.0.0"})
	must("deprecate 1.0.0", err)
	for _, slug := range []string{"inventory-advice", "invoice-out", "advance-ship-notice"} {
		_, err := svc.SaveVersion(ctx, slug, catalog.VersionInput{Version: "1.0.0", Schema: `{"type":"object"}`}, false)
		must(slug, err)
		_, err = svc.Publish(ctx, slug, "1.0.0")
		must(fmt.Sprint("publish ", slug), err)
	}
}

// shotPage is a page to open, the element that says it rendered, and the
// screenshot to save.
type shotPage struct{ path, marker, file string }

// shootPages opens each page, checks it answered 200 and shows its marker,
// and saves its screenshot.
func shootPages(t *testing.T, ctx context.Context, st site, shots string, pages []shotPage) {
	t.Helper()
	for _, p := range pages {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(st.url(p.path)))
		if err != nil {
			t.Fatalf("open %s: %v", p.path, err)
		}
		if resp == nil || resp.Status != 200 {
			t.Fatalf("%s answered %s, want 200", p.path, status(resp))
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(testID(p.marker))); err != nil {
			t.Fatalf("%s: %s not visible: %v", p.path, p.marker, err)
		}
		if err := screenshot(ctx, shots, p.file); err != nil {
			t.Fatalf("screenshot %s: %v", p.file, err)
		}
	}
}
