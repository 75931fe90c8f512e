// Package oidctest runs a real, in-process OpenID Provider for tests.
//
// The provider is github.com/zitadel/oidc/v3/pkg/op backed by a small
// in-memory storage. It serves discovery, JWKS, authorize, token, userinfo,
// introspection, revocation and end_session endpoints on an httptest server,
// with one confidential client (client_secret_basic, authorization code flow,
// PKCE S256) and a fixed set of users. The login step is a minimal handler
// that can be completed without a form (see [Provider.LoginAs]).
//
// Fault-injection knobs ([Provider.SetNonceOverride],
// [Provider.SetIDTokenLifetime], [Provider.SignWithForeignKey]) let tests
// prove that a relying party rejects bad ID tokens.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an end user known to the provider.
type User struct {
	Subject string // "sub" claim; also the username accepted by the login form
	Email   string // "email" claim (scope email), always email_verified=true
	Name    string // "name" claim (scope profile)
	// Groups is emitted as the "groups" claim in the ID token and userinfo
	// whenever the openid scope is granted (an empty list if nil).
	Groups []string
}

// Provider is a running OpenID Provider. Its exported fields are the values a
// relying party needs; everything else is driven through its methods, which
// are safe for concurrent use with requests in flight.
type Provider struct {
	Issuer       string // base URL of the httptest server, e.g. http://127.0.0.1:PORT
	ClientID     string
	ClientSecret string

	t  testing.TB
	op *op.Provider
	st *storage
}

const (
	loginPath     = "/login"
	loggedOutPath = "/logged-out"
	// DefaultIDTokenLifetime is the ID token lifetime until SetIDTokenLifetime is called.
	DefaultIDTokenLifetime = time.Hour
)

// Start starts the OP on an httptest server and registers one confidential
// client (client_secret_basic, response type code, grant type
// authorization_code, PKCE allowed and verified when a code_challenge is
// sent) whose allowed redirect URIs are redirectURIs and post-logout redirect
// URIs postLogoutURIs, plus the given users. The server is closed with
// t.Cleanup.
//
// Scopes supported: openid, profile, email and groups (the "groups" claim is
// emitted regardless of the groups scope).
func Start(t testing.TB, redirectURIs, postLogoutURIs []string, users ...User) *Provider {
	t.Helper()

	signing, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: generate signing key: %v", err)
	}
	var cryptoKey [32]byte
	rand.Read(cryptoKey[:]) // never returns an error

	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	p := &Provider{
		Issuer:       srv.URL,
		ClientID:     "oidctest-client",
		ClientSecret: rand.Text(),
		t:            t,
	}
	p.st, err = newStorage(storageConfig{
		clientID:       p.ClientID,
		clientSecret:   p.ClientSecret,
		redirectURIs:   append([]string(nil), redirectURIs...),
		postLogoutURIs: append([]string(nil), postLogoutURIs...),
		loginURL:       p.Issuer + loginPath,
		signingKey:     signing,
		users:          users,
	})
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}

	config := &op.Config{
		CryptoKey:                cryptoKey,
		CryptoKeyId:              "oidctest",
		DefaultLogoutRedirectURI: loggedOutPath,
		CodeMethodS256:           true,
		SupportedScopes:          []string{"openid", "profile", "email", "groups"},
		SupportedClaims:          append(append([]string(nil), op.DefaultSupportedClaims...), "groups"),
	}
	// The issuer must be known before the OP is built, so the server is
	// started first on an empty mux and the handlers are registered after.
	p.op, err = op.NewProvider(config, p.st, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("oidctest: new provider: %v", err)
	}
	// The login UI lives outside the OP router; the interceptor puts the
	// issuer into the request context so op.AuthCallbackURL can build an
	// absolute URL.
	interceptor := op.NewIssuerInterceptor(p.op.IssuerFromRequest)
	mux.Handle(loginPath, interceptor.HandlerFunc(p.handleLogin))
	mux.HandleFunc(loggedOutPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("signed out"))
	})
	mux.Handle("/", p.op)
	return p
}

// LoginAs makes the login step complete automatically as subject: when the
// authorize redirect is followed, the login page marks the request as
// authenticated and redirects (302) to the OP callback, which redirects to
// the client's redirect_uri with code and state. LoginAs("") restores the
// interactive form (GET answers 200 with a username form; POSTing a known
// username completes the login). It fails the test if subject is unknown.
func (p *Provider) LoginAs(subject string) {
	p.t.Helper()
	if subject != "" && p.st.user(subject) == nil {
		p.t.Fatalf("oidctest: LoginAs(%q): unknown user", subject)
	}
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.loginAs = subject
}

// SetNonceOverride makes ID tokens issued after the call carry nonce instead
// of the one sent in the authorization request. "" restores normal behaviour.
func (p *Provider) SetNonceOverride(nonce string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.nonceOverride = nonce
}

// SetIDTokenLifetime sets the lifetime of ID tokens issued after the call
// (exp = now + d). A negative d yields an already-expired ID token.
func (p *Provider) SetIDTokenLifetime(d time.Duration) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.idTokenLifetime = d
}

// SignWithForeignKey makes ID tokens issued after the call be signed by an
// RSA key that is not published in the JWKS (it reuses the published key's
// kid, so only signature verification can catch it). false restores the
// published key.
func (p *Provider) SignWithForeignKey(on bool) {
	p.t.Helper()
	var foreign *rsa.PrivateKey
	if on {
		var err error
		if foreign, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			p.t.Fatalf("oidctest: generate foreign key: %v", err)
		}
	}
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.foreignKey = foreign
}

// EndSessionURL returns the end_session_endpoint advertised in discovery
// (RP-initiated logout). It redirects to post_logout_redirect_uri when that
// is registered and the client is identified by client_id or id_token_hint;
// otherwise to a small "signed out" page on the OP.
func (p *Provider) EndSessionURL() string {
	return p.op.EndSessionEndpoint().Absolute(p.Issuer)
}

var loginForm = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><title>oidctest login</title></head><body>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<form method="POST" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<label>Username <input type="text" name="username" autofocus></label>
<button type="submit">Log in</button>
</form></body></html>
`))

// handleLogin is the login UI the OP redirects to (client.LoginURL). It
// receives the auth request id, and on success marks the request done and
// redirects to the OP callback, which issues the code.
func (p *Provider) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := r.FormValue("authRequestID")
	var subject string
	switch r.Method {
	case http.MethodGet:
		p.st.mu.Lock()
		subject = p.st.loginAs
		p.st.mu.Unlock()
		if subject == "" {
			renderLogin(w, http.StatusOK, id, "")
			return
		}
	case http.MethodPost:
		subject = r.FormValue("username")
		if p.st.user(subject) == nil {
			renderLogin(w, http.StatusUnauthorized, id, "unknown user")
			return
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := p.st.completeLogin(id, subject); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

func renderLogin(w http.ResponseWriter, status int, id, errMsg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	loginForm.Execute(w, struct{ ID, Error string }{id, errMsg})
}
