package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
)

// userActor is the audit actor of a demo user, as their session records it.
func userActor(t *testing.T, e *env, name string) audit.Actor {
	t.Helper()
	var id int64
	if err := e.db.Table("users").Where("name = ?", name).Pluck("id", &id).Error; err != nil || id == 0 {
		t.Fatalf("user %s: %d %v", name, id, err)
	}
	return audit.Actor{ID: "user:" + strconv.FormatInt(id, 10), Name: name, Role: string(auth.RoleIntegrationManager)}
}

// seedAttention seeds what the home page's cards ask about: two pending
// go-live requests (one by Ines Moreau, the integration manager), a live
// partner, a partner in testing, an adapter whose latest run failed, and
// versions sunsetting in 20 and 120 days. It returns the failed run's
// report path.
func seedAttention(t *testing.T, e *env, im partnerClient) string {
	t.Helper()
	seed := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	ready := partner.NewService(e.db, readyFacts{}) // the go-live gate passes
	wayne := seedPartner(t, e, "WAYNE", "Wayne Enterprises Distribution", partner.StatusCertified, true)
	if _, err := ready.RequestGoLive(seed, wayne.ID); err != nil {
		t.Fatal(err)
	}
	stark := seedPartner(t, e, "STARK", "Stark Industrial Supply", partner.StatusCertified, true)
	if _, err := ready.RequestGoLive(audit.WithActor(context.Background(), userActor(t, e, "Ines Moreau")), stark.ID); err != nil {
		t.Fatal(err)
	}
	acme := seedPartner(t, e, "ACME", "ACME Retail Europe", partner.StatusCertified, true)
	req, err := ready.RequestGoLive(seed, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ready.ApproveGoLive(audit.WithActor(context.Background(), audit.Actor{ID: "user:approver", Name: "Second Person"}), req.ID); err != nil {
		t.Fatal(err)
	}
	seedPartner(t, e, "GLOBEX", "Globex Wholesale", partner.StatusTesting, false)

	// INITECH (draft) has an adapter whose latest run failed 2 of 9 samples.
	w := seedAdapterWorld(t, e, "INITECH", "Initech Office Supplies")
	a, err := adapterService(t, e).CloneTemplate(seed, w.partner.ID, template850, "Purchase orders 850", w.version.ID)
	if err != nil {
		t.Fatal(err)
	}
	revs, err := adapterService(t, e).Revisions(seed, a.ID)
	if err != nil || len(revs) == 0 {
		t.Fatalf("revisions: %v %v", revs, err)
	}
	at := time.Now().Add(-2 * time.Hour)
	run := adapter.ConformanceRun{AdapterID: a.ID, RevisionID: revs[0].ID, Status: adapter.RunFailed, Total: 9, Done: 9, Passed: 7, Failed: 2,
		CreatedAt: at, StartedAt: &at, FinishedAt: &at}
	if err := e.db.Create(&run).Error; err != nil {
		t.Fatal(err)
	}

	// order-intake 1.0.0 sunsets in 20 days (successor 2.0.0), 1.1.0 in 120.
	seedCatalog(t, im.client)
	base := "/catalog/apis/order-intake"
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		schema := schemaV1
		if v == "2.0.0" {
			schema = schemaBreaking
		}
		wantRedirect(t, im.send(base+"/versions", url.Values{"version": {v}, "schema": {schema}}), base+"/versions/"+v, "create "+v)
		wantRedirect(t, im.send(base+"/versions/"+v+"/publish", nil), base+"/versions/"+v, "publish "+v)
	}
	for v, days := range map[string]int{"1.0.0": 20, "1.1.0": 120} {
		sunset := time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly)
		wantRedirect(t, im.send(base+"/versions/"+v+"/deprecate", url.Values{"sunset_at": {sunset}, "successor": {"2.0.0"}}), base, "deprecate "+v)
	}
	return adapterURLFor("INITECH", a.ID) + "/conformance/" + strconv.FormatInt(run.ID, 10)
}

func rowsOf(d *goquery.Document, card string) *goquery.Selection {
	return d.Find(`[data-testid="` + card + `"] [data-testid="attention-row"]`)
}

func TestHomeNeedsAttention(t *testing.T) {
	e := newEnv(t, nil)
	im := e.signIn(auth.RoleIntegrationManager)
	runPath := seedAttention(t, e, im)

	d := partnerDoc(t, im.get("/"), http.StatusOK, "home as integration manager")
	if d.Find(`[data-testid="needs-attention"] ~ [data-testid="health"]`).Length() == 0 {
		t.Error("the health cards are not below the needs-attention area")
	}

	// Approvals: both requests counted; the manager's own is marked as such.
	if got := partnerText(d, "attention-approvals"); !strings.Contains(got, "2 go-live requests are waiting for approval") ||
		!strings.Contains(partnerText(d, "own-requests"), "You requested 1 of them: another person with approval rights must approve") {
		t.Errorf("approvals card: %q", got)
	}
	if d.Find(`[data-testid="attention-approvals"] a[href="/partners/approvals"]`).Length() == 0 {
		t.Error("the approvals card does not link to the approvals page")
	}
	stark := rowsOf(d, "attention-approvals").Filter(`[data-code="STARK"]`)
	wayne := rowsOf(d, "attention-approvals").Filter(`[data-code="WAYNE"]`)
	if !strings.Contains(stark.Text(), "Your request") || !strings.Contains(wayne.Text(), "Awaiting you") || !strings.Contains(wayne.Text(), "Seed Person") {
		t.Errorf("approval rows: STARK %q, WAYNE %q", stark.Text(), wayne.Text())
	}

	// Onboarding: partners not live, with status and next step; the live one is not there.
	var codes []string
	rowsOf(d, "attention-onboarding").Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.AttrOr("data-code", "")) })
	if strings.Join(codes, ",") != "GLOBEX,INITECH,STARK,WAYNE" {
		t.Errorf("partners in onboarding %v, want GLOBEX, INITECH, STARK, WAYNE (by name, not the live ACME)", codes)
	}
	globex := strings.Join(strings.Fields(rowsOf(d, "attention-onboarding").Filter(`[data-code="GLOBEX"]`).Text()), " ")
	if !strings.Contains(globex, "Testing") || !strings.Contains(globex, "next: complete the profile") {
		t.Errorf("GLOBEX row %q, want its status and next step", globex)
	}
	if !strings.Contains(rowsOf(d, "attention-onboarding").Filter(`[data-code="WAYNE"]`).Text(), "go-live requested") {
		t.Error("WAYNE's row does not say go-live was requested")
	}
	if d.Find(`[data-testid="attention-onboarding"] a[href="/partners"]`).Length() == 0 {
		t.Error("the onboarding card does not link to the partner list")
	}

	// Failing conformance: the adapter, linked to the failed run's report.
	failing := rowsOf(d, "attention-failing")
	if failing.Length() != 1 || failing.Find(`a[href="`+runPath+`"]`).Length() != 1 ||
		!strings.Contains(failing.Text(), "Initech Office Supplies") || !strings.Contains(failing.Text(), "2 of 9 samples failed") || !strings.Contains(failing.Text(), "Failed") {
		t.Errorf("failing card %q, want the INITECH adapter linked to %s", partnerText(d, "attention-failing"), runPath)
	}

	// Sunsets: 1.0.0 in 20 days with its successor; 1.1.0 (120 days) is outside the window.
	sunsets := rowsOf(d, "attention-sunsets")
	row := strings.Join(strings.Fields(sunsets.Text()), " ")
	if sunsets.Length() != 1 || sunsets.AttrOr("data-version", "") != "1.0.0" || !strings.Contains(row, "20 days left") || !strings.Contains(row, "successor 2.0.0") {
		t.Errorf("sunsets card rows %d: %q", sunsets.Length(), row)
	}
	if d.Find(`[data-testid="attention-sunsets"] a[href="/deprecations"]`).Length() == 0 {
		t.Error("the sunsets card does not link to /deprecations")
	}

	// What the role can do: folded away, still listing the permissions.
	caps := d.Find(`details[data-testid="capabilities"]`)
	if caps.Length() != 1 || caps.AttrOr("open", "none") != "none" || !strings.Contains(caps.Find("summary").Text(), "What your role can do") ||
		!strings.Contains(caps.Text(), string(auth.PermPartnersApprove)) {
		t.Errorf("capabilities: %d, open=%q, %q", caps.Length(), caps.AttrOr("open", "none"), caps.Find("summary").Text())
	}

	// The business user sees no approvals (partners:approve), the rest yes.
	bu := e.signIn(auth.RoleBusinessUser)
	d = partnerDoc(t, bu.get("/"), http.StatusOK, "home as business user")
	if has(d, "attention-approvals") || d.Find(`main a[href="/partners/approvals"]`).Length() != 0 {
		t.Error("the business user sees the go-live approvals")
	}
	for _, card := range []string{"attention-onboarding", "attention-failing", "attention-sunsets"} {
		if !has(d, card) {
			t.Errorf("the business user does not see %s", card)
		}
	}
	if caps := d.Find(`[data-testid="capabilities"]`).Text(); strings.Contains(caps, string(auth.PermPartnersApprove)) || !strings.Contains(caps, string(auth.PermPartnersRead)) {
		t.Errorf("the business user's capabilities: %q", caps)
	}
}

// On a fresh install every card is there, saying nothing is waiting.
func TestHomeNeedsAttentionEmpty(t *testing.T) {
	e := newEnv(t, nil)
	d := partnerDoc(t, e.signIn(auth.RoleAdmin).get("/"), http.StatusOK, "home as admin")
	for _, card := range []string{"attention-approvals", "attention-onboarding", "attention-failing", "attention-sunsets"} {
		if got := partnerText(d, card); !strings.Contains(got, "Nothing waiting") {
			t.Errorf("%s: %q, want an empty state", card, got)
		}
		if d.Find(`[data-testid="`+card+`"] [data-testid="attention-count"]`).Length() != 0 {
			t.Errorf("%s shows a count with nothing in it", card)
		}
	}
}
