package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/auth"
)

// publicRoutes are the only routes reachable without a permission. Making a
// route public is a decision: add it here with the reason in routes.go.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /static/*": true,
	"GET /login": true, "POST /auth/dev-login": true, "POST /logout": true,
	"GET /auth/login": true, "GET /auth/callback": true,
}

// Every route the Fiber app serves is in the route table, and every table
// route names a permission or is a known public route.
func TestEveryRouteStatesItsPermission(t *testing.T) {
	e := newEnv(t, nil)
	inTable := map[string]bool{}
	for _, r := range e.srv.Routes {
		key := r.Method + " " + r.Path
		inTable[key] = true
		switch {
		case r.Public && !publicRoutes[key]:
			t.Errorf("%s is public but not in the test's allowlist", key)
		case !r.Public && r.Perm == "":
			t.Errorf("%s has no permission", key)
		case !r.Public && !strings.Contains(string(r.Perm), ":"):
			t.Errorf("%s: permission %q is not resource:action", key, r.Perm)
		}
	}
	for _, r := range e.srv.App.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue // Fiber adds HEAD for every GET
		}
		if !inTable[r.Method+" "+r.Path] {
			t.Errorf("%s %s is served but not declared in the route table", r.Method, r.Path)
		}
	}
	declared := map[auth.Permission]bool{}
	for _, p := range auth.AllPermissions() {
		declared[p] = true
	}
	for _, r := range e.srv.Routes {
		if !r.Public && !declared[r.Perm] {
			t.Errorf("%s %s uses undeclared permission %s", r.Method, r.Path, r.Perm)
		}
	}
}

// The RBAC matrix: every protected route x every role (and no session) ->
// allowed or denied, as the role's grants say.
func TestRBACMatrix(t *testing.T) {
	e := newEnv(t, nil)
	// A user no client is signed in as fills :id.
	target := auth.User{Issuer: "https://id.example.com", Subject: "target", Name: "Target", Role: auth.RoleBusinessUser}
	if err := e.db.Create(&target).Error; err != nil {
		t.Fatal(err)
	}
	fill := func(path string) string {
		path = strings.ReplaceAll(path, ":id", fmt.Sprint(target.ID))
		return strings.ReplaceAll(path, "*", "x")
	}
	clients := map[auth.Role]*client{}
	for _, role := range auth.Roles() {
		c := e.client()
		c.loginAs(role)
		clients[role] = c
	}
	anon := e.client()
	rows := 0
	for _, r := range e.srv.Routes {
		if r.Public {
			continue
		}
		path := fill(r.Path)
		api := strings.HasPrefix(r.Path, "/api/")
		t.Run(r.Method+" "+r.Path+" anonymous", func(t *testing.T) {
			resp := anon.do(newReq(r.Method, path, url.Values{"_csrf": {anon.csrf("/login")}}))
			readBody(t, resp)
			switch {
			case api && resp.StatusCode != http.StatusUnauthorized:
				t.Errorf("got %d, want 401", resp.StatusCode)
			case !api && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login")):
				t.Errorf("got %d %s, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
		for _, role := range auth.Roles() {
			rows++
			allowed := role.Can(r.Perm)
			t.Run(fmt.Sprintf("%s %s as %s", r.Method, r.Path, role), func(t *testing.T) {
				c := clients[role]
				form := url.Values{"_csrf": {c.csrf("/")}}
				resp := c.do(newReq(r.Method, path, form))
				body := readBody(t, resp)
				if allowed && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500) {
					t.Errorf("allowed by %s, got %d: %.300s", r.Perm, resp.StatusCode, body)
				}
				if !allowed {
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("denied (%s), got %d", r.Perm, resp.StatusCode)
					}
					if api {
						var p map[string]any
						if err := json.Unmarshal([]byte(body), &p); err != nil || p["status"] != float64(403) || resp.Header.Get("Content-Type") != "application/problem+json" {
							t.Errorf("API denial is not RFC 9457 JSON: %s %s", resp.Header.Get("Content-Type"), body)
						}
					} else if !strings.Contains(body, `data-testid="error-page"`) {
						t.Errorf("console denial is not the 403 page")
					}
				}
			})
			if r.Method == http.MethodPost && allowed {
				// Undo state changes so later rows see the same world.
				e.db.Exec(`UPDATE users SET disabled = false WHERE id = ?`, target.ID)
			}
		}
	}
	if rows < 4*8 {
		t.Errorf("matrix too small: %d rows", rows)
	}

	// Spot checks that pin the grants themselves, independent of the table.
	for _, tc := range []struct {
		role auth.Role
		perm auth.Permission
		want bool
	}{
		{auth.RoleAuditor, auth.PermUsersManage, false},
		{auth.RoleAuditor, auth.PermAuditExport, true},
		{auth.RoleBusinessUser, auth.PermAuditRead, false},
		{auth.RoleIntegrationManager, auth.PermUsersRead, false},
		{auth.RoleAdmin, auth.PermUsersManage, true},
	} {
		if got := tc.role.Can(tc.perm); got != tc.want {
			t.Errorf("%s can %s: got %v, want %v", tc.role, tc.perm, got, tc.want)
		}
	}
}

func newReq(method, path string, form url.Values) *http.Request {
	if method == http.MethodGet {
		req, _ := http.NewRequest(method, path, nil)
		return req
	}
	req, _ := http.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
