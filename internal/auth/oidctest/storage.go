package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	signingKeyID        = "oidctest-key"
	accessTokenLifetime = 5 * time.Minute
	scopeGroups         = "groups"
)

var _ op.Storage = (*storage)(nil)
var _ op.CanSetUserinfoFromRequest = (*storage)(nil)

type storageConfig struct {
	clientID, clientSecret       string
	redirectURIs, postLogoutURIs []string
	loginURL                     string
	signingKey                   *rsa.PrivateKey
	users                        []User
}

// storage is the in-memory op.Storage. Everything mutable is guarded by mu.
type storage struct {
	cfg   storageConfig
	users map[string]User // by subject; read-only after newStorage

	mu           sync.Mutex
	authRequests map[string]*authRequest
	codes        map[string]string // code -> auth request id
	tokens       map[string]*accessToken

	// Test knobs, read when a request or token is created.
	loginAs         string
	nonceOverride   string
	idTokenLifetime time.Duration
	foreignKey      *rsa.PrivateKey // non-nil: sign ID tokens with it
}

func newStorage(cfg storageConfig) (*storage, error) {
	s := &storage{
		cfg:             cfg,
		users:           make(map[string]User, len(cfg.users)),
		authRequests:    make(map[string]*authRequest),
		codes:           make(map[string]string),
		tokens:          make(map[string]*accessToken),
		idTokenLifetime: DefaultIDTokenLifetime,
	}
	for _, u := range cfg.users {
		if u.Subject == "" {
			return nil, errors.New("user with empty Subject")
		}
		if _, dup := s.users[u.Subject]; dup {
			return nil, fmt.Errorf("duplicate user %q", u.Subject)
		}
		u.Groups = append([]string{}, u.Groups...) // never nil: emitted as []
		s.users[u.Subject] = u
	}
	return s, nil
}

func (s *storage) user(subject string) *User {
	if u, ok := s.users[subject]; ok {
		return &u
	}
	return nil
}

// completeLogin marks the auth request as authenticated by subject; the OP
// callback then issues the code.
func (s *storage) completeLogin(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok {
		return errors.New("unknown auth request")
	}
	req.subject = subject
	req.authTime = time.Now()
	req.done = true
	return nil
}

// ---- op.AuthRequest ----

type authRequest struct {
	id            string
	clientID      string
	redirectURI   string
	state, nonce  string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge
	subject       string
	authTime      time.Time
	done          bool
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// ---- op.Client ----

type client struct {
	cfg        *storageConfig
	idTokenTTL time.Duration
}

func (c *client) GetID() string                       { return c.cfg.clientID }
func (c *client) RedirectURIs() []string              { return c.cfg.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.cfg.postLogoutURIs }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string {
	return c.cfg.loginURL + "?authRequestID=" + url.QueryEscape(id)
}
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return c.idTokenTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(scope string) bool     { return scope == scopeGroups }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true } // keep email/name in the ID token
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// ---- keys ----

type signingKey struct{ key *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return signingKeyID }

type publicKey struct{ key *rsa.PublicKey }

func (k publicKey) ID() string                         { return signingKeyID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }

type accessToken struct {
	id, subject, clientID string
	scopes                []string
	expires               time.Time
}

// ---- op.AuthStorage ----

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(r.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired() // there is no OP session to reuse
	}
	req := &authRequest{
		id:           rand.Text(),
		clientID:     r.ClientID,
		redirectURI:  r.RedirectURI,
		state:        r.State,
		nonce:        r.Nonce,
		scopes:       r.Scopes,
		responseType: r.ResponseType,
		responseMode: r.ResponseMode,
	}
	if r.CodeChallenge != "" {
		method := r.CodeChallengeMethod
		if method == "" {
			method = oidc.CodeChallengeMethodPlain
		}
		req.codeChallenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: method}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authRequests[req.id] = req
	return req, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok {
		return nil, errors.New("auth request not found")
	}
	return req, nil
}

// AuthRequestByCode is called when the code is exchanged, i.e. right before
// the ID token is minted, so the nonce override is applied to a copy here.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[s.codes[code]]
	if !ok {
		return nil, errors.New("code invalid or expired")
	}
	cp := *req
	if s.nonceOverride != "" {
		cp.nonce = s.nonceOverride
	}
	return &cp, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for code, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	t := &accessToken{
		id:      rand.Text(),
		subject: r.GetSubject(),
		scopes:  r.GetScopes(),
		expires: time.Now().Add(accessTokenLifetime),
	}
	if ar, ok := r.(*authRequest); ok {
		t.clientID = ar.clientID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.id] = t
	return t.id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported by oidctest")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

func (s *storage) RevokeToken(_ context.Context, tokenOrID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		delete(s.tokens, tokenOrID)
	}
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.foreignKey != nil {
		return signingKey{s.foreignKey}, nil
	}
	return signingKey{s.cfg.signingKey}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is the JWKS; it never contains the foreign key.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{&s.cfg.signingKey.PublicKey}}, nil
}

// ---- op.OPStorage ----

func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if clientID != s.cfg.clientID {
		return nil, fmt.Errorf("client %q not found", clientID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &client{cfg: &s.cfg, idTokenTTL: s.idTokenLifetime}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, secret string) error {
	if clientID != s.cfg.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.clientSecret)) != 1 {
		return errors.New("invalid client credentials")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token claims.
func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ui, r.GetSubject(), scopes)
}

// SetUserinfoFromToken serves the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.validToken(tokenID)
	if err != nil {
		return err
	}
	return s.setUserinfo(ui, t.subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.validToken(tokenID)
	if err != nil {
		return err
	}
	ui := new(oidc.UserInfo)
	if err := s.setUserinfo(ui, t.subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(ui)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile is not supported by oidctest")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not supported by oidctest")
}

func (s *storage) Health(context.Context) error { return nil }

func (s *storage) validToken(id string) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || time.Now().After(t.expires) {
		return nil, errors.New("token is invalid or expired")
	}
	return t, nil
}

func (s *storage) setUserinfo(ui *oidc.UserInfo, subject string, scopes []string) error {
	u := s.user(subject)
	if u == nil {
		return fmt.Errorf("user %q not found", subject)
	}
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeOpenID:
			ui.Subject = u.Subject
			ui.AppendClaims(scopeGroups, u.Groups)
		case oidc.ScopeProfile:
			ui.Name = u.Name
			ui.PreferredUsername = u.Subject
		case oidc.ScopeEmail:
			ui.Email = u.Email
			ui.EmailVerified = true
		}
	}
	return nil
}
