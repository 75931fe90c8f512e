// Package serviceaccount manages the machine callers of the JSON API: named
// accounts with a role and a bearer token. The token is shown once, at
// creation; only its SHA-256 and a short prefix to recognise it are stored.
package serviceaccount

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/store"
)

// TokenPrefix starts every token, so secret scanners and people recognise
// a Crossdock token: "cdk_" + 8 hex characters + "_" + 43 base64url.
const TokenPrefix = "cdk_"

const (
	prefixLen   = 8  // hex characters identifying the token
	secretBytes = 32 // random bytes of the secret part
	maxName     = 100
)

// ErrInvalidToken is returned by Authenticate for a malformed, unknown or
// revoked token; the caller cannot tell which.
var ErrInvalidToken = errors.New("serviceaccount: invalid or revoked token")

// ValidationError carries a message per form field.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	return "serviceaccount: invalid input: " + strings.Join(parts, "; ")
}

// Account is a row of service_accounts.
type Account struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	Role        auth.Role
	TokenPrefix string
	TokenHash   []byte
	CreatedBy   string
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// TableName binds Account to service_accounts.
func (Account) TableName() string { return "service_accounts" }

// Active reports whether the account's token is still accepted.
func (a Account) Active() bool { return a.RevokedAt == nil }

// ActorID is the audit actor id of the account.
func (a Account) ActorID() string { return "service-account:" + strconv.FormatInt(a.ID, 10) }

// DisplayName is how the account appears as an actor.
func (a Account) DisplayName() string { return "service account " + a.Name }

// view is what audit events say about an account: never the hash.
func (a Account) view() map[string]any {
	return map[string]any{"name": a.Name, "role": a.Role, "token_prefix": a.TokenPrefix, "revoked_at": a.RevokedAt}
}

// Service creates, lists, revokes and authenticates service accounts.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns the service.
func NewService(db *gorm.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newToken returns a fresh token and its prefix.
func newToken() (token, prefix string) {
	b := make([]byte, prefixLen/2)
	if _, err := rand.Read(b); err != nil {
		panic("serviceaccount: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	prefix = hex.EncodeToString(b)
	return TokenPrefix + prefix + "_" + auth.RandomToken(secretBytes), prefix
}

// parse splits a token into its prefix; ok is false when it is malformed.
func parse(token string) (prefix string, ok bool) {
	rest, found := strings.CutPrefix(token, TokenPrefix)
	if !found || len(rest) < prefixLen+2 || rest[prefixLen] != '_' {
		return "", false
	}
	prefix = rest[:prefixLen]
	for _, r := range prefix {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return "", false
		}
	}
	return prefix, true
}

// Create stores a new account and returns it with its token. The token is
// returned only here: it cannot be recovered later.
func (s *Service) Create(ctx context.Context, name string, role auth.Role) (Account, string, error) {
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "Give the account a name that says who uses it, for example ci-catalog-sync."
	case utf8.RuneCountInString(name) > maxName:
		fields["name"] = fmt.Sprintf("Keep the name under %d characters.", maxName)
	}
	if !role.Valid() {
		fields["role"] = "Choose a role."
	}
	if len(fields) > 0 {
		return Account{}, "", &ValidationError{Fields: fields}
	}
	token, prefix := newToken()
	actor := audit.ActorFrom(ctx)
	createdBy := actor.Name
	if createdBy == "" {
		createdBy = actor.ID
	}
	a := Account{Name: name, Role: role, TokenPrefix: prefix, TokenHash: hash(token), CreatedBy: createdBy, CreatedAt: s.now()}
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &ValidationError{Fields: map[string]string{"name": "A service account with this name exists already (revoked accounts keep their name)."}}
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "service_account.create", EntityType: "service_account", EntityID: strconv.FormatInt(a.ID, 10), After: a.view()})
	})
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return Account{}, "", ve
		}
		return Account{}, "", fmt.Errorf("serviceaccount: create %q: %w", name, err)
	}
	return a, token, nil
}

// List returns every account, active ones first, then by name.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	var as []Account
	if err := s.db.WithContext(ctx).Order("revoked_at IS NOT NULL, lower(name), id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("serviceaccount: list: %w", err)
	}
	return as, nil
}

// Get loads one account; an unknown id is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Account, error) {
	var a Account
	if err := s.db.WithContext(ctx).Take(&a, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Account{}, fmt.Errorf("serviceaccount: %d: %w", id, store.ErrNotFound)
		}
		return Account{}, fmt.Errorf("serviceaccount: load %d: %w", id, err)
	}
	return a, nil
}

// Revoke stops accepting the account's token, at once and for good.
// Revoking a revoked account changes nothing; an unknown id is
// store.ErrNotFound.
func (s *Service) Revoke(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&a, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return store.ErrNotFound
			}
			return err
		}
		if !a.Active() {
			return nil
		}
		before := a.view()
		now := s.now()
		a.RevokedAt = &now
		if err := tx.Model(&Account{}).Where("id = ?", a.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "service_account.revoke", EntityType: "service_account", EntityID: strconv.FormatInt(a.ID, 10), Before: before, After: a.view()})
	})
	if err != nil {
		return Account{}, fmt.Errorf("serviceaccount: revoke %d: %w", id, err)
	}
	return a, nil
}

// dummyHash is compared against when no account matches, so a wrong
// prefix costs the same as a wrong secret.
var dummyHash = hash(TokenPrefix + "00000000_dummy")

// Authenticate resolves a bearer token to its active account. Malformed,
// unknown and revoked tokens all return ErrInvalidToken after the same
// work: the hash is always compared in constant time. It records the use,
// at most once a minute per account.
func (s *Service) Authenticate(ctx context.Context, token string) (Account, error) {
	got := hash(token)
	prefix, ok := parse(token)
	var candidates []Account
	if ok {
		if err := s.db.WithContext(ctx).Where("token_prefix = ?", prefix).Find(&candidates).Error; err != nil {
			return Account{}, fmt.Errorf("serviceaccount: authenticate: %w", err)
		}
	}
	var match *Account
	matched := 0
	for i := range candidates {
		if subtle.ConstantTimeCompare(candidates[i].TokenHash, got) == 1 {
			match = &candidates[i]
			matched = 1
		}
	}
	if len(candidates) == 0 {
		subtle.ConstantTimeCompare(dummyHash, got)
	}
	if matched == 0 || !match.Active() {
		return Account{}, ErrInvalidToken
	}
	now := s.now()
	if match.LastUsedAt == nil || now.Sub(*match.LastUsedAt) >= time.Minute {
		err := s.db.WithContext(ctx).Model(&Account{}).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", match.ID, now.Add(-time.Minute)).
			Update("last_used_at", now).Error
		if err != nil {
			return Account{}, fmt.Errorf("serviceaccount: record use of %d: %w", match.ID, err)
		}
		match.LastUsedAt = &now
	}
	return *match, nil
}

// Principal is the account as the web layer's RBAC and audit see it.
func (a Account) Principal() auth.Principal {
	return auth.Principal{ServiceAccountID: a.ID, Name: a.DisplayName(), Role: a.Role}
}
