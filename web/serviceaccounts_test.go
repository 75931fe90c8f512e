package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/audit"
)

// apiCall sends a JSON API request with a bearer token and no cookies, the
// way a pipeline does.
func (e *env) apiCall(method, path, token, contentType string, body io.Reader) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(method, "http://localhost:8080"+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.App.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func decodeJSON(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	body := readBody(t, resp)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON (%s): %v: %.300s", resp.Header.Get("Content-Type"), err, body)
	}
	return m
}

// wantProblem asserts an RFC 9457 problem answer with status.
func wantProblem(t *testing.T, resp *http.Response, status int) map[string]any {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("got %d %s, want %d problem JSON: %s", resp.StatusCode, resp.Header.Get("Content-Type"), status, readBody(t, resp))
	}
	p := decodeJSON(t, resp)
	if p["status"] != float64(status) || p["title"] == "" {
		t.Errorf("problem document: %v", p)
	}
	return p
}

var tokenText = regexp.MustCompile(`cdk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}`)

// createAccount creates a service account through the admin page and
// returns its token (shown once) and id.
func (c *client) createAccount(name, role string) (string, int64) {
	c.e.t.Helper()
	resp := c.post("/admin/service-accounts", url.Values{"_csrf": {c.csrf("/admin/service-accounts")}, "name": {name}, "role": {role}})
	if resp.StatusCode != http.StatusCreated {
		c.e.t.Fatalf("create %s: status %d: %.500s", name, resp.StatusCode, readBody(c.e.t, resp))
	}
	d := doc(c.e.t, resp)
	token := strings.TrimSpace(d.Find(`[data-testid="new-token"]`).Text())
	if !tokenText.MatchString(token) {
		c.e.t.Fatalf("no token on the page after creating %s: %q", name, token)
	}
	if w := d.Find(`[data-testid="new-token-card"]`).Text(); !strings.Contains(w, "Copy it now; it is not stored") {
		c.e.t.Errorf("the token is shown without the warning: %q", w)
	}
	var id int64
	if err := c.e.db.Table("service_accounts").Where("name = ?", name).Pluck("id", &id).Error; err != nil || id == 0 {
		c.e.t.Fatalf("account %s not stored: %v", name, err)
	}
	return token, id
}

const smallCatalog = `apiVersion: crossdock/v1
kind: Catalog
teams:
  - slug: order-platform
    name: Order Platform
apis:
  - slug: order-intake
    name: Order intake
    kind: system
    domain: order
    ownerTeam: order-platform
    versions:
      - version: 1.0.0
        lifecycle: published
        schema: {type: object, required: [orderNumber], properties: {orderNumber: {type: string}}}
`

func TestServiceAccountsThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.client()
	admin.loginAs("admin")

	page := doc(t, admin.get("/admin/service-accounts"))
	if page.Find(`[data-testid="empty"]`).Length() != 1 || page.Find(`nav a[href="/admin/service-accounts"]`).Length() != 1 {
		t.Errorf("empty page or nav entry missing")
	}

	// An empty name is a form error, re-rendered with 422.
	resp := admin.post("/admin/service-accounts", url.Values{"_csrf": {admin.csrf("/admin/service-accounts")}, "name": {" "}, "role": {"auditor"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, resp).Find(`[data-testid="error-name"]`).Length() != 1 {
		t.Errorf("empty name: got %d", resp.StatusCode)
	}

	auditorToken, _ := admin.createAccount("nightly-export", "auditor")
	managerToken, managerID := admin.createAccount("ci-catalog-sync", "integration_manager")

	// The token is shown once: the list shows only its prefix.
	body := readBody(t, admin.get("/admin/service-accounts"))
	if strings.Contains(body, auditorToken) || strings.Contains(body, managerToken) || !strings.Contains(body, managerToken[:12]+"_…") {
		t.Errorf("the list shows a token, or not its prefix")
	}

	// Export with the auditor's token: 200, a catalog document.
	resp = e.apiCall("GET", "/api/v1/export", auditorToken, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export with a bearer token: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if d := decodeJSON(t, resp); d["apiVersion"] != "crossdock/v1" || d["kind"] != "Catalog" {
		t.Errorf("export: %v", d)
	}
	me := decodeJSON(t, e.apiCall("GET", "/api/v1/me", auditorToken, "", nil))
	if me["name"] != "service account nightly-export" || me["role"] != "auditor" {
		t.Errorf("me: %v", me)
	}

	// The auditor may not apply: 403 problem JSON, before the body is read.
	wantProblem(t, e.apiCall("POST", "/api/v1/apply", auditorToken, "application/yaml", strings.NewReader(smallCatalog)), http.StatusForbidden)

	// The integration manager may: a dry run first changes nothing.
	plan := decodeJSON(t, e.apiCall("POST", "/api/v1/apply?dry_run=true", managerToken, "application/yaml", strings.NewReader(smallCatalog)))
	var teams int64
	e.db.Table("teams").Count(&teams)
	if plan["dry_run"] != true || plan["create"] != float64(3) || plan["refused"] != float64(0) || teams != 0 {
		t.Errorf("dry run: %v (teams %d)", plan, teams)
	}
	resp = e.apiCall("POST", "/api/v1/apply", managerToken, "application/yaml", strings.NewReader(smallCatalog))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("apply: %d %s", resp.StatusCode, readBody(t, resp))
	}
	plan = decodeJSON(t, resp)
	if plan["dry_run"] != false || plan["create"] != float64(3) || plan["refused"] != float64(0) || plan["summary"] != "3 created, 0 updated, 0 unchanged, 0 refused" {
		t.Errorf("apply: %v", plan)
	}
	// Its changes are audited under the service account.
	var events []audit.Event
	e.db.Where("action IN ?", []string{"team.create", "api.create", "api_version.create", "api_version.publish"}).Order("id").Find(&events)
	if len(events) != 4 {
		t.Fatalf("got %d catalog audit events, want 4", len(events))
	}
	for _, ev := range events {
		if ev.Actor != fmt.Sprintf("service-account:%d", managerID) || ev.ActorName != "service account ci-catalog-sync" || ev.ActorRole != "integration_manager" {
			t.Errorf("%s by %s (%s, %s)", ev.Action, ev.Actor, ev.ActorName, ev.ActorRole)
		}
	}
	// Applying again: all unchanged; refused items are a 200 with "refused".
	plan = decodeJSON(t, e.apiCall("POST", "/api/v1/apply", managerToken, "application/yaml", strings.NewReader(smallCatalog)))
	if plan["unchanged"] != float64(3) || plan["create"] != float64(0) {
		t.Errorf("second apply: %v", plan)
	}
	changed := strings.Replace(smallCatalog, "{orderNumber: {type: string}}", "{orderNumber: {type: integer}}", 1)
	resp = e.apiCall("POST", "/api/v1/apply", managerToken, "application/yaml", strings.NewReader(changed))
	plan = decodeJSON(t, resp)
	if resp.StatusCode != http.StatusOK || plan["refused"] != float64(1) || !strings.Contains(fmt.Sprint(plan["items"]), "published version is immutable") {
		t.Errorf("refused apply: %d %v", resp.StatusCode, plan)
	}
	// JSON bodies too; a malformed document is a 422 with the parse error.
	jsonDoc := `{"apiVersion": "crossdock/v1", "kind": "Catalog", "teams": [{"slug": "order-platform", "name": "Order Platform"}]}`
	if plan := decodeJSON(t, e.apiCall("POST", "/api/v1/apply", managerToken, "application/json", strings.NewReader(jsonDoc))); plan["unchanged"] != float64(1) {
		t.Errorf("JSON apply: %v", plan)
	}
	p := wantProblem(t, e.apiCall("POST", "/api/v1/apply", managerToken, "application/yaml", strings.NewReader("apiVersion: crossdock/v1\nkind: Catalog\nteams:\n  - slug: x\n    nmae: X\n")), http.StatusUnprocessableEntity)
	if !strings.Contains(fmt.Sprint(p["detail"]), `unknown field "nmae"`) {
		t.Errorf("malformed document: %v", p)
	}
	wantProblem(t, e.apiCall("POST", "/api/v1/apply", managerToken, "application/x-www-form-urlencoded", strings.NewReader("a=b")), http.StatusUnsupportedMediaType)
	// Hostile bodies are 4xx problems: binary noise, truncated and deeply
	// nested JSON, and a YAML alias bomb (a billion laughs) that must not be
	// expanded.
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		bomb += fmt.Sprintf("%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	for _, tc := range []struct{ name, ctype, body string }{
		{"binary", "application/json", "\x00\xff\xfe garbage \x01"},
		{"truncated JSON", "application/json", `{"apiVersion": "crossdock/v1", "teams": [`},
		{"nested JSON", "application/json", strings.Repeat("[", 100000)},
		{"YAML alias bomb", "application/yaml", bomb},
	} {
		resp := e.apiCall("POST", "/api/v1/apply", managerToken, tc.ctype, strings.NewReader(tc.body))
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s: %.200s", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"), readBody(t, resp))
		} else {
			readBody(t, resp)
		}
	}

	resp = e.apiCall("GET", "/api/v1/export?format=yaml", auditorToken, "", nil)
	if b := readBody(t, resp); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/yaml; charset=utf-8" || !strings.HasPrefix(b, "apiVersion: crossdock/v1\nkind: Catalog\nteams:\n- slug: order-platform\n") {
		t.Errorf("YAML export: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}

	// Bad tokens are 401 problems, and never fall back to anything.
	for name, token := range map[string]string{"garbage": "not-a-token", "wrong secret": managerToken[:len(managerToken)-3] + "abc"} {
		resp := e.apiCall("GET", "/api/v1/export", token, "", nil)
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate header", name)
		}
		wantProblem(t, resp, http.StatusUnauthorized)
	}
	// A bearer token opens only the JSON API, not the console.
	if resp := e.apiCall("GET", "/admin/service-accounts", auditorToken, "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("console page with a bearer token: %d", resp.StatusCode)
	}
	// With a session cookie, CSRF still applies even when a token is sent.
	req, _ := http.NewRequest("POST", "/api/v1/apply", strings.NewReader(smallCatalog))
	req.Header.Set("Authorization", "Bearer "+managerToken)
	req.Header.Set("Content-Type", "application/yaml")
	wantProblem(t, admin.do(req), http.StatusForbidden)

	// Revoked through the page: the token stops working at once.
	resp = admin.post(fmt.Sprintf("/admin/service-accounts/%d/revoke", managerID), url.Values{"_csrf": {admin.csrf("/admin/service-accounts")}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=service-account-revoked") {
		t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	wantProblem(t, e.apiCall("GET", "/api/v1/export", managerToken, "", nil), http.StatusUnauthorized)
	d := doc(t, admin.get("/admin/service-accounts?flash=service-account-revoked"))
	if d.Find(`[data-testid="flash"]`).Length() != 1 || !strings.Contains(d.Find(`tr[data-name="ci-catalog-sync"] [data-testid="service-account-status"]`).Text(), "Revoked") {
		t.Errorf("revoked account not shown as revoked")
	}
	var revocations int64
	e.db.Model(&audit.Event{}).Where("action = ? AND entity_id = ?", "service_account.revoke", fmt.Sprint(managerID)).Count(&revocations)
	if revocations != 1 {
		t.Errorf("revocation audited %d times", revocations)
	}

	// An auditor sees the list but cannot create or revoke.
	auditor := e.client()
	auditor.loginAs("auditor")
	d = doc(t, auditor.get("/admin/service-accounts"))
	if d.Find(`[data-testid="service-account-row"]`).Length() != 2 || d.Find(`[data-testid="service-account-form"]`).Length() != 0 || d.Find(`button[data-open-dialog]`).Length() != 0 {
		t.Errorf("auditor view: %d rows", d.Find(`[data-testid="service-account-row"]`).Length())
	}
}
