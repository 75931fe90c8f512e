package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/config"
)

// loginFlowTTL bounds how long a person may take at the identity provider.
const loginFlowTTL = 10 * time.Minute

// LoginError is a failed login whose Reason may be shown to the person.
type LoginError struct {
	Reason string
	Err    error
}

func (e *LoginError) Error() string {
	return "auth: login failed: " + e.Reason + ": " + fmt.Sprint(e.Err)
}
func (e *LoginError) Unwrap() error { return e.Err }

// OIDC is the relying party: authorization code flow with PKCE, state and
// nonce, against one issuer. Discovery happens on first use and is retried
// until it succeeds, so the console starts even while the provider is down.
type OIDC struct {
	cfg    config.OIDC
	db     *gorm.DB
	client *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	endSess  string
}

// NewOIDC returns the relying party for cfg. client may be nil.
func NewOIDC(cfg config.OIDC, db *gorm.DB, client *http.Client) *OIDC {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{cfg: cfg, db: db, client: client}
}

func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: OIDC discovery at %s: %w", o.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, fmt.Errorf("auth: OIDC discovery claims: %w", err)
	}
	o.provider, o.endSess = p, extra.EndSession
	return p, nil
}

// Discover fetches the provider's discovery document now rather than at the
// first sign-in, to report a misconfiguration early.
func (o *OIDC) Discover(ctx context.Context) error {
	_, err := o.discover(ctx)
	return err
}

func (o *OIDC) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		RedirectURL:  o.cfg.RedirectURL,
		Endpoint:     p.Endpoint(),
		Scopes:       o.cfg.Scopes,
	}
}

type loginFlow struct {
	State        string `gorm:"primaryKey"`
	Nonce        string
	PKCEVerifier string
	ReturnTo     string
	CreatedAt    time.Time
}

func (loginFlow) TableName() string { return "login_flows" }

// Begin records a new login attempt and returns the provider's authorization
// URL and the state, which the caller binds to the browser in a cookie.
func (o *OIDC) Begin(ctx context.Context, returnTo string) (authURL, state string, err error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", "", err
	}
	flow := loginFlow{State: RandomToken(24), Nonce: RandomToken(24), PKCEVerifier: oauth2.GenerateVerifier(), ReturnTo: SafeReturnTo(returnTo), CreatedAt: time.Now()}
	if err := o.db.WithContext(ctx).Create(&flow).Error; err != nil {
		return "", "", fmt.Errorf("auth: store login flow: %w", err)
	}
	u := o.oauth2Config(p).AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.PKCEVerifier))
	return u, flow.State, nil
}

// Callback is the result of a completed login at the provider.
type Callback struct {
	Identity Identity
	Role     Role // empty when no claim value maps to a role
	IDToken  string
	ReturnTo string
}

// Complete finishes the flow: the state must match the one bound to the
// browser and a stored, unexpired flow (consumed here: single use); the code
// is exchanged with the PKCE verifier; the ID token is verified (signature,
// issuer, audience, expiry) and its nonce compared; the role is mapped.
func (o *OIDC) Complete(ctx context.Context, state, browserState, code string) (Callback, error) {
	if state == "" || browserState == "" || subtle.ConstantTimeCompare([]byte(state), []byte(browserState)) != 1 {
		return Callback{}, &LoginError{Reason: "the sign-in response does not belong to this browser (state mismatch)", Err: errors.New("state mismatch")}
	}
	var flow loginFlow
	res := o.db.WithContext(ctx).Raw(`DELETE FROM login_flows WHERE state = ? RETURNING *`, state).Scan(&flow)
	if res.Error != nil {
		return Callback{}, fmt.Errorf("auth: consume login flow: %w", res.Error)
	}
	if res.RowsAffected == 0 || flow.State == "" {
		return Callback{}, &LoginError{Reason: "the sign-in request is unknown or was already used", Err: errors.New("unknown state")}
	}
	if time.Since(flow.CreatedAt) > loginFlowTTL {
		return Callback{}, &LoginError{Reason: "the sign-in took too long; please start again", Err: errors.New("login flow expired")}
	}
	if code == "" {
		return Callback{}, &LoginError{Reason: "the identity provider sent no authorization code", Err: errors.New("missing code")}
	}
	p, err := o.discover(ctx)
	if err != nil {
		return Callback{}, err
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth2Config(p).Exchange(ctx, code, oauth2.VerifierOption(flow.PKCEVerifier))
	if err != nil {
		return Callback{}, &LoginError{Reason: "the identity provider refused the authorization code", Err: err}
	}
	rawID, ok := tok.Extra("id_token").(string)
	if !ok || rawID == "" {
		return Callback{}, &LoginError{Reason: "the identity provider returned no ID token", Err: errors.New("missing id_token")}
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, rawID)
	if err != nil {
		return Callback{}, &LoginError{Reason: "the ID token could not be verified", Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return Callback{}, &LoginError{Reason: "the ID token does not answer this sign-in request (nonce mismatch)", Err: errors.New("nonce mismatch")}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Callback{}, &LoginError{Reason: "the ID token claims are unreadable", Err: err}
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: stringClaim(claims, "email"), Name: stringClaim(claims, "name")}
	if id.Name == "" {
		id.Name = firstNonEmpty(stringClaim(claims, "preferred_username"), id.Email, id.Subject)
	}
	return Callback{Identity: id, Role: MapRole(claims[o.cfg.RoleClaim], o.cfg.RoleMap), IDToken: rawID, ReturnTo: flow.ReturnTo}, nil
}

// LogoutURL is the provider's end-session URL for RP-initiated logout, or
// "" when the provider advertises none.
func (o *OIDC) LogoutURL(ctx context.Context, idToken, postLogoutRedirect string) string {
	if _, err := o.discover(ctx); err != nil || o.endSess == "" {
		return ""
	}
	q := url.Values{"post_logout_redirect_uri": {postLogoutRedirect}, "client_id": {o.cfg.ClientID}}
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	sep := "?"
	if strings.Contains(o.endSess, "?") {
		sep = "&"
	}
	return o.endSess + sep + q.Encode()
}

// MapRole maps a claim (a string or a list of strings) to the most
// privileged Crossdock role any of its values maps to, or "".
func MapRole(claim any, roleMap map[string]string) Role {
	var values []string
	switch v := claim.(type) {
	case string:
		values = strings.Fields(strings.ReplaceAll(v, ",", " "))
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	case []string:
		values = v
	}
	found := map[Role]bool{}
	for _, v := range values {
		if r, ok := roleMap[v]; ok {
			found[Role(r)] = true
		}
	}
	for _, r := range Roles() {
		if found[r] {
			return r
		}
	}
	return ""
}

// SafeReturnTo keeps only local paths, so a login cannot redirect off-site.
func SafeReturnTo(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n") {
		return "/"
	}
	return s
}

func stringClaim(c map[string]any, k string) string {
	s, _ := c[k].(string)
	return s
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
