package oidctest_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/crossdock/crossdock/internal/auth/oidctest"
)

const (
	redirectURI   = "http://app.test/auth/callback"
	postLogoutURI = "http://app.test/logged-out"
)

var alice = oidctest.User{
	Subject: "alice",
	Email:   "alice@example.test",
	Name:    "Alice Liddell",
	Groups:  []string{"admins", "devs"},
}

// relyingParty is a minimal go-oidc + x/oauth2 RP, driven by a browser-like
// client that does not follow redirects (each hop is inspected).
type relyingParty struct {
	t        *testing.T
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	browser  *http.Client
}

func newRelyingParty(t *testing.T, p *oidctest.Provider) *relyingParty {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &relyingParty{
		t:        t,
		provider: provider,
		oauth: oauth2.Config{
			ClientID:     p.ClientID,
			ClientSecret: p.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirectURI,
			Scopes:       []string{oidc.ScopeOpenID, "profile", "email", "groups"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: p.ClientID}),
		browser: &http.Client{
			Jar:           jar,
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// loginResult is what the RP holds after the callback.
type loginResult struct {
	nonce      string
	token      *oauth2.Token
	rawIDToken string
	idToken    *oidc.IDToken // nil if verifyErr != nil
	verifyErr  error
}

// authorize starts the code flow and follows redirects by hand until the OP
// redirects to the RP callback; it returns the callback URL.
func (rp *relyingParty) authorize(state, nonce, verifier string) *url.URL {
	rp.t.Helper()
	next := rp.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	for range 10 {
		resp := rp.get(next)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			rp.t.Fatalf("GET %s: status %d, want 302", next, resp.StatusCode)
		}
		loc, err := resp.Location()
		if err != nil {
			rp.t.Fatalf("GET %s: %v", next, err)
		}
		if strings.HasPrefix(loc.String(), redirectURI) {
			return loc
		}
		next = loc.String()
	}
	rp.t.Fatal("too many redirects before reaching the callback")
	return nil
}

func (rp *relyingParty) get(u string) *http.Response {
	rp.t.Helper()
	resp, err := rp.browser.Get(u)
	if err != nil {
		rp.t.Fatalf("GET %s: %v", u, err)
	}
	return resp
}

// callback handles the RP callback: state check, code exchange with the PKCE
// verifier, ID token verification.
func (rp *relyingParty) callback(cb *url.URL, state, nonce, verifier string) loginResult {
	rp.t.Helper()
	q := cb.Query()
	if e := q.Get("error"); e != "" {
		rp.t.Fatalf("callback error %s: %s", e, q.Get("error_description"))
	}
	if got := q.Get("state"); got != state {
		rp.t.Fatalf("callback state = %q, want %q", got, state)
	}
	code := q.Get("code")
	if code == "" {
		rp.t.Fatalf("callback without code: %s", cb)
	}
	tok, err := rp.oauth.Exchange(rp.t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		rp.t.Fatalf("exchange: %v", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		rp.t.Fatal("token response without id_token")
	}
	res := loginResult{nonce: nonce, token: tok, rawIDToken: raw}
	res.idToken, res.verifyErr = rp.verifier.Verify(rp.t.Context(), raw)
	return res
}

// login runs the whole flow with fresh state, nonce and PKCE verifier.
func (rp *relyingParty) login() loginResult {
	rp.t.Helper()
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	return rp.callback(rp.authorize(state, nonce, verifier), state, nonce, verifier)
}

func TestCodeFlowWithPKCEAndNonce(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, []string{postLogoutURI}, alice)
	p.LoginAs("alice")
	rp := newRelyingParty(t, p)

	res := rp.login()
	if res.verifyErr != nil {
		t.Fatalf("verify: %v", res.verifyErr)
	}
	if res.idToken.Nonce != res.nonce {
		t.Errorf("nonce = %q, want %q", res.idToken.Nonce, res.nonce)
	}
	if res.idToken.Subject != "alice" {
		t.Errorf("sub = %q", res.idToken.Subject)
	}
	var claims struct {
		Email  string   `json:"email"`
		Name   string   `json:"name"`
		Groups []string `json:"groups"`
	}
	if err := res.idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Email != alice.Email || claims.Name != alice.Name || !slices.Equal(claims.Groups, alice.Groups) {
		t.Errorf("ID token claims = %+v", claims)
	}

	// The userinfo endpoint serves the same claims for the access token.
	ui, err := rp.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(res.token))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	claims.Groups = nil
	if err := ui.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if ui.Subject != "alice" || ui.Email != alice.Email || !slices.Equal(claims.Groups, alice.Groups) {
		t.Errorf("userinfo = %+v, groups %v", ui, claims.Groups)
	}
}

func TestDiscovery(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, nil, alice)
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		EndSession     string   `json:"end_session_endpoint"`
		CodeChallenges []string `json:"code_challenge_methods_supported"`
		Scopes         []string `json:"scopes_supported"`
		Claims         []string `json:"claims_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.EndSession == "" || doc.EndSession != p.EndSessionURL() {
		t.Errorf("end_session_endpoint = %q, EndSessionURL() = %q", doc.EndSession, p.EndSessionURL())
	}
	if !slices.Contains(doc.CodeChallenges, "S256") {
		t.Errorf("code_challenge_methods_supported = %v", doc.CodeChallenges)
	}
	if !slices.Contains(doc.Scopes, "groups") || !slices.Contains(doc.Claims, "groups") {
		t.Errorf("scopes %v / claims %v lack groups", doc.Scopes, doc.Claims)
	}
}

func TestPKCEIsEnforced(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, nil, alice)
	p.LoginAs("alice")
	rp := newRelyingParty(t, p)

	for _, tc := range []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"wrong verifier", []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}},
		{"missing verifier", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
			cb := rp.authorize(state, nonce, verifier)
			_, err := rp.oauth.Exchange(t.Context(), cb.Query().Get("code"), tc.opts...)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) {
				t.Fatalf("exchange error = %v, want a token endpoint error", err)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*oidctest.Provider)
		check  func(t *testing.T, res loginResult)
	}{
		{
			name:   "no fault",
			inject: func(*oidctest.Provider) {},
			check: func(t *testing.T, res loginResult) {
				if res.verifyErr != nil || res.idToken.Nonce != res.nonce {
					t.Errorf("verify = %v, nonce ok = %v", res.verifyErr, res.idToken != nil && res.idToken.Nonce == res.nonce)
				}
			},
		},
		{
			name:   "nonce override",
			inject: func(p *oidctest.Provider) { p.SetNonceOverride("attacker-nonce") },
			check: func(t *testing.T, res loginResult) {
				if res.verifyErr != nil {
					t.Fatalf("verify: %v (the signature is fine, only the nonce is wrong)", res.verifyErr)
				}
				if res.idToken.Nonce == res.nonce || res.idToken.Nonce != "attacker-nonce" {
					t.Errorf("nonce = %q; RP expected %q, so a mismatch must be detectable", res.idToken.Nonce, res.nonce)
				}
			},
		},
		{
			name:   "expired ID token",
			inject: func(p *oidctest.Provider) { p.SetIDTokenLifetime(-time.Hour) },
			check: func(t *testing.T, res loginResult) {
				var expired *oidc.TokenExpiredError
				if !errors.As(res.verifyErr, &expired) {
					t.Errorf("verify error = %v, want TokenExpiredError", res.verifyErr)
				}
			},
		},
		{
			name:   "foreign signing key",
			inject: func(p *oidctest.Provider) { p.SignWithForeignKey(true) },
			check: func(t *testing.T, res loginResult) {
				if res.verifyErr == nil || !strings.Contains(res.verifyErr.Error(), "signature") {
					t.Errorf("verify error = %v, want a signature failure", res.verifyErr)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := oidctest.Start(t, []string{redirectURI}, nil, alice)
			p.LoginAs("alice")
			rp := newRelyingParty(t, p)
			tc.inject(p)
			tc.check(t, rp.login())
		})
	}
}

func TestFaultsAffectLaterTokensOnly(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, nil, alice)
	p.LoginAs("alice")
	rp := newRelyingParty(t, p)

	p.SignWithForeignKey(true)
	if res := rp.login(); res.verifyErr == nil {
		t.Fatal("foreign key: verify succeeded")
	}
	p.SignWithForeignKey(false)
	if res := rp.login(); res.verifyErr != nil {
		t.Fatalf("after reset: %v", res.verifyErr)
	}
}

func TestLoginForm(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, nil, alice)
	rp := newRelyingParty(t, p) // no LoginAs: the login page shows a form

	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	resp := rp.get(rp.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	resp.Body.Close()
	loginURL, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	resp = rp.get(loginURL.String())
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="username"`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}

	form := url.Values{"username": {"alice"}, "authRequestID": {loginURL.Query().Get("authRequestID")}}
	resp, err = rp.browser.PostForm(p.Issuer+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	next, err := resp.Location()
	if err != nil {
		t.Fatalf("POST login: status %d: %v", resp.StatusCode, err)
	}
	resp = rp.get(next.String()) // OP callback -> RP callback
	resp.Body.Close()
	cb, err := resp.Location()
	if err != nil || !strings.HasPrefix(cb.String(), redirectURI) {
		t.Fatalf("OP callback redirect = %v, %v", cb, err)
	}
	res := rp.callback(cb, state, nonce, verifier)
	if res.verifyErr != nil || res.idToken.Subject != "alice" {
		t.Fatalf("verify = %v", res.verifyErr)
	}
}

func TestEndSession(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, []string{postLogoutURI}, alice)
	p.LoginAs("alice")
	rp := newRelyingParty(t, p)
	res := rp.login()
	if res.verifyErr != nil {
		t.Fatal(res.verifyErr)
	}

	for _, tc := range []struct {
		name   string
		params url.Values
		want   string // exact Location; "" means the OP refuses (400)
	}{
		{"id_token_hint", url.Values{"id_token_hint": {res.rawIDToken}, "post_logout_redirect_uri": {postLogoutURI}, "state": {"s1"}}, postLogoutURI + "?state=s1"},
		{"client_id", url.Values{"client_id": {p.ClientID}, "post_logout_redirect_uri": {postLogoutURI}}, postLogoutURI},
		{"unregistered uri", url.Values{"client_id": {p.ClientID}, "post_logout_redirect_uri": {"http://evil.test/"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := rp.get(p.EndSessionURL() + "?" + tc.params.Encode())
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if tc.want == "" {
				if resp.StatusCode != http.StatusBadRequest || loc != "" {
					t.Fatalf("status %d Location %q, want 400 without redirect", resp.StatusCode, loc)
				}
				return
			}
			if resp.StatusCode != http.StatusFound || loc != tc.want {
				t.Fatalf("status %d Location %q, want 302 %q", resp.StatusCode, loc, tc.want)
			}
		})
	}

	// The access token is revoked by the logout.
	_, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(res.token))
	if err == nil {
		t.Error("userinfo still works after end_session")
	}
}

// Sanity check that the ID token is a compact JWS whose header names the
// published key id (so the foreign-key case really tests the signature).
func TestForeignKeyKeepsKid(t *testing.T) {
	p := oidctest.Start(t, []string{redirectURI}, nil, alice)
	p.LoginAs("alice")
	rp := newRelyingParty(t, p)
	good := rp.login()
	p.SignWithForeignKey(true)
	bad := rp.login()
	if kid(t, good.rawIDToken) != kid(t, bad.rawIDToken) {
		t.Errorf("kid differs: %q vs %q", kid(t, good.rawIDToken), kid(t, bad.rawIDToken))
	}
}

func kid(t *testing.T, jws string) string {
	t.Helper()
	h, _, _ := strings.Cut(jws, ".")
	var header struct {
		Kid string `json:"kid"`
	}
	dec, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(dec, &header); err != nil {
		t.Fatal(err)
	}
	return header.Kid
}
