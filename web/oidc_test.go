package web_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/auth/oidctest"
)

const appBase = "http://localhost:8080"

// oidcEnv is the console configured against a real in-process OpenID Provider.
func oidcEnv(t *testing.T) (*env, *oidctest.Provider) {
	t.Helper()
	op := oidctest.Start(t, []string{appBase + "/auth/callback"}, []string{appBase + "/login?flash=logged-out"},
		oidctest.User{Subject: "ines", Email: "ines.moreau@example.com", Name: "Ines Moreau", Groups: []string{"staff", "crossdock-integration-managers"}},
		oidctest.User{Subject: "priya", Email: "priya@example.com", Name: "Priya Raman", Groups: []string{"crossdock-auditors"}},
		oidctest.User{Subject: "sam", Email: "sam@example.com", Name: "Sam Sales", Groups: []string{"sales"}},
	)
	e := newEnv(t, map[string]string{
		"CROSSDOCK_DEV_LOGIN":          "false",
		"CROSSDOCK_OIDC_ISSUER":        op.Issuer,
		"CROSSDOCK_OIDC_CLIENT_ID":     op.ClientID,
		"CROSSDOCK_OIDC_CLIENT_SECRET": op.ClientSecret,
	})
	return e, op
}

// authorize starts a login at the console and follows the provider's
// redirects until it sends the browser back to the console's callback.
func authorize(t *testing.T, c *client) *url.URL {
	t.Helper()
	resp := c.get("/auth/login?return_to=/audit")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/auth/login: status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorize request lacks PKCE, nonce or state: %s", loc)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 10 {
		if strings.HasPrefix(loc.String(), appBase+"/auth/callback") {
			return loc
		}
		r, err := browser.Get(loc.String())
		if err != nil {
			t.Fatalf("provider: %v", err)
		}
		r.Body.Close()
		next := r.Header.Get("Location")
		if next == "" {
			t.Fatalf("provider stopped at %s with status %d", loc, r.StatusCode)
		}
		loc, _ = loc.Parse(next)
	}
	t.Fatal("too many redirects at the provider")
	return nil
}

func callbackPath(u *url.URL) string { return u.Path + "?" + u.RawQuery }

func TestOIDCLoginFlow(t *testing.T) {
	e, op := oidcEnv(t)
	op.LoginAs("ines")
	c := e.client()

	// Not signed in: the console sends people to its sign-in page, which offers SSO.
	if resp := c.get("/audit"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /audit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if d := doc(t, c.get("/login")); d.Find(`[data-testid=oidc-login]`).Length() != 1 || d.Find(`[data-testid=dev-banner]`).Length() != 0 {
		t.Fatal("sign-in page: want the SSO button and no dev banner")
	}

	cb := authorize(t, c)
	resp := c.get(callbackPath(cb))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/audit" {
		t.Fatalf("callback: %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), readBody(t, resp))
	}
	var sessionCookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "crossdock_session" {
			sessionCookie = ck
		}
	}
	if sessionCookie == nil || !sessionCookie.HttpOnly || sessionCookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", sessionCookie)
	}

	d := doc(t, c.get("/"))
	if got := d.Find(`[data-testid=user-role]`).Text(); got != "Integration manager" {
		t.Errorf("role from groups claim: got %q", got)
	}
	if got := d.Find(`[data-testid=user-name]`).Text(); got != "Ines Moreau" {
		t.Errorf("name: got %q", got)
	}

	var u auth.User
	if err := e.db.Where("issuer = ? AND subject = ?", op.Issuer, "ines").Take(&u).Error; err != nil {
		t.Fatalf("user not provisioned: %v", err)
	}
	if u.Email != "ines.moreau@example.com" || u.Role != auth.RoleIntegrationManager || u.LastLoginAt == nil {
		t.Errorf("provisioned user: %+v", u)
	}

	// A replayed callback (same state, same code) is refused.
	if resp := c.get(callbackPath(cb)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: got %d, want 400", resp.StatusCode)
	}

	// Logout ends the session and hands over to the provider's end-session endpoint.
	resp = c.post("/logout", url.Values{"_csrf": {c.csrf("/")}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, op.EndSessionURL()) || !strings.Contains(loc, "id_token_hint=") || !strings.Contains(loc, url.QueryEscape(appBase+"/login?flash=logged-out")) {
		t.Fatalf("logout: %d %s", resp.StatusCode, loc)
	}
	// The provider honours the registered post-logout URI. The console under test is
	// not listening on appBase, so stop at the provider's redirect and read where it points.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	end, err := noFollow.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	end.Body.Close()
	if back := end.Header.Get("Location"); end.StatusCode/100 != 3 || !strings.HasPrefix(back, appBase+"/login?flash=logged-out") {
		t.Errorf("end session: %d, redirects to %q", end.StatusCode, back)
	}
	if resp := c.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout /: got %d, want a redirect to sign-in", resp.StatusCode)
	}

	var actions []string
	e.db.Table("audit_events").Where("entity_type = 'user' AND entity_id = ?", fmt.Sprint(u.ID)).Order("id").Pluck("action", &actions)
	if strings.Join(actions, ",") != "user.create,user.login,user.logout" {
		t.Errorf("audit: got %v", actions)
	}
}

func TestOIDCRejections(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(op *oidctest.Provider)
		tamper func(u *url.URL)
		want   string
	}{
		{"tampered state", nil, func(u *url.URL) {
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
		}, "state mismatch"},
		{"wrong nonce", func(op *oidctest.Provider) { op.SetNonceOverride("not-the-nonce-we-sent") }, nil, "nonce mismatch"},
		{"expired id token", func(op *oidctest.Provider) { op.SetIDTokenLifetime(-time.Minute) }, nil, "could not be verified"},
		{"wrongly signed id token", func(op *oidctest.Provider) { op.SignWithForeignKey(true) }, nil, "could not be verified"},
		{"provider error", nil, func(u *url.URL) {
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
		}, "refused the sign-in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, op := oidcEnv(t)
			op.LoginAs("ines")
			if tc.setup != nil {
				tc.setup(op)
			}
			c := e.client()
			cb := authorize(t, c)
			if tc.tamper != nil {
				tc.tamper(cb)
			}
			resp := c.get(callbackPath(cb))
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d, want 400 mentioning %q:\n%s", resp.StatusCode, tc.want, body)
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == "crossdock_session" && ck.Value != "" {
					t.Fatal("a session cookie was set")
				}
			}
			var sessions int64
			e.db.Table("sessions").Count(&sessions)
			if sessions != 0 {
				t.Errorf("got %d sessions, want none", sessions)
			}
		})
	}
}

func TestOIDCUnmappedRole(t *testing.T) {
	e, op := oidcEnv(t)
	op.LoginAs("sam")
	c := e.client()
	resp := c.get(callbackPath(authorize(t, c)))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("got %d, want 403", resp.StatusCode)
	}
	d := doc(t, resp)
	if d.Find(`[data-testid=no-access]`).Length() != 1 || !strings.Contains(d.Text(), "Sam Sales") {
		t.Fatal("no-access page missing or does not name the person")
	}
	if resp := c.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("no session expected; / gave %d", resp.StatusCode)
	}
	var u auth.User
	if err := e.db.Where("subject = ?", "sam").Take(&u).Error; err != nil || u.Role != "" {
		t.Errorf("unmapped person recorded without role: %+v %v", u, err)
	}
}
