package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/crossdock/crossdock/internal/auth"
)

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.client().get("/login")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers: %v", resp.Header)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Error("no request id")
	}
	// No inline scripts in the page: every <script> has a src.
	d := doc(t, e.client().get("/login"))
	d.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline <script> found")
		}
	})
	if d.Find("[style]").Length() != 0 {
		t.Error("inline style attribute found (CSP blocks it)")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	c.loginAs(auth.RoleAdmin)
	var target auth.User
	e.db.Where("subject = ?", "demo-auditor").Take(&target)
	path := fmt.Sprintf("/admin/users/%d/disable", target.ID)

	for name, form := range map[string]url.Values{"missing": {}, "wrong": {"_csrf": {"forged"}}} {
		resp := c.post(path, form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(readBody(t, resp), "This form has expired") {
			t.Errorf("%s token: got %d", name, resp.StatusCode)
		}
	}
	req := newReq(http.MethodPost, path, url.Values{"_csrf": {c.csrf("/")}})
	req.Header.Set("Origin", "https://evil.example")
	if resp := c.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post: got %d", resp.StatusCode)
	}
	var disabled bool
	e.db.Table("users").Select("disabled").Where("id = ?", target.ID).Scan(&disabled)
	if disabled {
		t.Fatal("a forged request changed state")
	}
	// The dev login form is protected too, before any session exists.
	anon := e.client()
	if resp := anon.post("/auth/dev-login", url.Values{"user_id": {fmt.Sprint(target.ID)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dev login without token: got %d", resp.StatusCode)
	}
}

func TestErrorPages(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	c.loginAs(auth.RoleBusinessUser)

	resp := c.get("/no/such/page")
	d := doc(t, resp)
	if resp.StatusCode != http.StatusNotFound || d.Find("[data-testid=error-page]").Length() != 1 || d.Find("[data-testid=nav]").Length() == 0 {
		t.Errorf("404: status %d, in shell: %v", resp.StatusCode, d.Find("[data-testid=nav]").Length())
	}
	resp = c.get("/api/v1/nothing")
	var p map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &p); err != nil || resp.StatusCode != 404 || p["status"] != float64(404) || p["title"] == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("API 404: %d %v %v", resp.StatusCode, p, err)
	}
	// Bad input to the API is a 422 problem with field errors, not a 500.
	a := e.client()
	a.loginAs(auth.RoleAuditor)
	resp = a.get("/api/v1/audit/events?from=yesterday")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"from":"Enter a date as YYYY-MM-DD."`) {
		t.Errorf("bad filter: %d %s", resp.StatusCode, body)
	}
	// And in the console, the form says what is wrong next to the field.
	resp = a.get("/audit?from=2026-13-45")
	d = doc(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("[data-testid=error-from]").Length() != 1 || d.Find("#f-from").AttrOr("value", "") != "2026-13-45" {
		t.Errorf("audit form error: %d", resp.StatusCode)
	}
}

func TestProbesAndStatic(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	if resp := c.get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	resp := c.get("/readyz")
	var ready struct {
		Ready  bool
		Checks []struct {
			Name string
			OK   bool
		}
	}
	if err := json.Unmarshal([]byte(readBody(t, resp)), &ready); err != nil || resp.StatusCode != 200 || !ready.Ready || len(ready.Checks) != 3 {
		t.Errorf("readyz: %d %+v %v", resp.StatusCode, ready, err)
	}
	// Roll the schema back: not ready any more.
	e.db.Exec(`DELETE FROM goose_db_version WHERE version_id = 1`)
	if resp := c.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with pending migrations: got %d, want 503", resp.StatusCode)
	}

	body := readBody(t, c.get("/metrics"))
	for _, want := range []string{`crossdock_http_requests_total{method="GET",route="/readyz",status="200"} 1`, `crossdock_http_requests_total{method="GET",route="/readyz",status="503"} 1`, "crossdock_http_request_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	d := doc(t, c.get("/login"))
	css := d.Find(`link[rel=stylesheet]`).AttrOr("href", "")
	if !strings.HasPrefix(css, "/static/") || !strings.HasSuffix(css, "/css/app.css") {
		t.Fatalf("css url %q is not fingerprinted", css)
	}
	resp = c.get(css)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("static: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := c.get("/static/000000000000/css/app.css"); resp.StatusCode != 404 {
		t.Errorf("stale fingerprint: got %d, want 404", resp.StatusCode)
	}
}

func TestAdminDisablesUserAndAuditShowsIt(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.client()
	admin.loginAs(auth.RoleAdmin)
	victim := e.client()
	victim.loginAs(auth.RoleIntegrationManager)
	var u auth.User
	e.db.Where("subject = ?", "demo-integration-manager").Take(&u)

	d := doc(t, admin.get("/admin/users"))
	if n := d.Find("[data-testid=user-row]").Length(); n != 4 {
		t.Errorf("users listed: %d", n)
	}
	if d.Find("[data-testid=role-mapping]").Length() != 1 {
		t.Error("role mapping not shown")
	}
	resp := admin.post(fmt.Sprintf("/admin/users/%d/disable", u.ID), url.Values{"_csrf": {admin.csrf("/")}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp := victim.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", resp.StatusCode)
	}
	// Admins cannot lock themselves out.
	var me auth.User
	e.db.Where("subject = ?", "demo-admin").Take(&me)
	if resp := admin.post(fmt.Sprintf("/admin/users/%d/disable", me.ID), url.Values{"_csrf": {admin.csrf("/")}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("self-disable: got %d", resp.StatusCode)
	}

	auditor := e.client()
	auditor.loginAs(auth.RoleAuditor)
	d = doc(t, auditor.get("/audit?action=user.disable"))
	rows := d.Find("[data-testid=audit-row]")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Ada Okafor") || !strings.Contains(rows.Text(), "user #"+fmt.Sprint(u.ID)) {
		t.Fatalf("audit row: %d %q", rows.Length(), rows.Text())
	}
	if d.Find("[data-testid=export-csv]").Length() != 1 {
		t.Error("auditor sees no export")
	}
	if d.Find("form[method=post]").Length() != 1 { // only sign-out
		t.Errorf("auditor page has %d post forms, want only sign-out", d.Find("form[method=post]").Length())
	}

	resp = auditor.get("/audit/export.csv?action=user.")
	recs, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", resp.StatusCode, err)
	}
	if recs[0][0] != "id" || recs[0][len(recs[0])-1] != "hash" {
		t.Errorf("csv header: %v", recs[0])
	}
	var actions []string
	for _, r := range recs[1:] {
		actions = append(actions, r[5])
	}
	// Oldest first: 4 seeded users, admin and manager log in, the disable, the auditor logs in.
	if strings.Join(actions, ",") != "user.create,user.create,user.create,user.create,user.login,user.login,user.disable,user.login" {
		t.Errorf("csv actions: %v", actions)
	}
	resp = auditor.get("/audit/export.json?entity=user")
	var events []map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &events); err != nil || len(events) != 8 || events[6]["action"] != "user.disable" || events[6]["before"] == nil || events[7]["hash"] == "" {
		t.Errorf("json export: %v, %d events", err, len(events))
	}
}

func TestDevLoginAbsentWithOIDC(t *testing.T) {
	e, _ := oidcEnv(t)
	for _, r := range e.srv.Routes {
		if r.Path == "/auth/dev-login" {
			t.Fatal("dev login routed while OIDC is configured")
		}
	}
	if resp := e.client().post("/auth/dev-login", url.Values{}); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
		t.Errorf("dev login: got %d", resp.StatusCode)
	}
}
