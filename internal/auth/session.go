// Package auth holds roles and permissions, users, server-side sessions and
// the OIDC relying party.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
)

// DevIssuer is the issuer of the demo users that the development login offers.
const DevIssuer = "crossdock-dev"

// Errors returned by Authenticate.
var (
	ErrNoSession      = errors.New("auth: no session")
	ErrSessionExpired = errors.New("auth: session expired")
	ErrUserDisabled   = errors.New("auth: user disabled")
)

// User is a person who has logged in at least once (or a seeded demo user).
type User struct {
	ID          int64 `gorm:"primaryKey"`
	Issuer      string
	Subject     string
	Email       string
	Name        string
	Role        Role
	Disabled    bool
	CreatedAt   time.Time
	LastLoginAt *time.Time
}

// session is a row of the sessions table.
type session struct {
	IDHash     []byte `gorm:"primaryKey"`
	UserID     int64
	Role       Role
	CSRFToken  string
	IDToken    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func (session) TableName() string { return "sessions" }

// Identity is who the identity provider says logged in.
type Identity struct {
	Issuer, Subject, Email, Name string
}

// Principal is the authenticated person behind a request, or the service
// account behind a bearer-token API call (then UserID is 0).
type Principal struct {
	UserID    int64
	Name      string
	Email     string
	Role      Role
	CSRFToken string
	IDToken   string

	// ServiceAccountID is set instead of UserID for a service account
	// calling the JSON API with a bearer token.
	ServiceAccountID int64
}

// ActorID is the audit actor id of the principal.
func (p Principal) ActorID() string {
	if p.ServiceAccountID != 0 {
		return "service-account:" + strconv.FormatInt(p.ServiceAccountID, 10)
	}
	return "user:" + strconv.FormatInt(p.UserID, 10)
}

// Service provisions users and manages their sessions.
type Service struct {
	db     *gorm.DB
	idle   time.Duration
	maxAge time.Duration
	now    func() time.Time
}

// NewService returns a Service with the given idle and absolute timeouts.
func NewService(db *gorm.DB, idle, maxAge time.Duration) *Service {
	return &Service{db: db, idle: idle, maxAge: maxAge, now: time.Now}
}

// SetClock replaces the clock, for tests of timeouts.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// RandomToken returns n random bytes, base64url encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Provision creates or updates the user for id with role (empty when the
// person's claims map to no role) and returns it. New users are audited.
func (s *Service) Provision(ctx context.Context, tx *gorm.DB, id Identity, role Role) (User, error) {
	var u User
	err := tx.WithContext(ctx).Where("issuer = ? AND subject = ?", id.Issuer, id.Subject).Take(&u).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		u = User{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, Name: id.Name, Role: role}
		if err := tx.WithContext(ctx).Create(&u).Error; err != nil {
			return User{}, fmt.Errorf("auth: create user %s: %w", id.Subject, err)
		}
		if err := audit.Record(ctx, tx, audit.Change{Action: "user.create", EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10), After: userView(u)}); err != nil {
			return User{}, err
		}
		return u, nil
	case err != nil:
		return User{}, fmt.Errorf("auth: find user %s: %w", id.Subject, err)
	}
	before := userView(u)
	if u.Email != id.Email || u.Name != id.Name || u.Role != role {
		u.Email, u.Name, u.Role = id.Email, id.Name, role
		if err := tx.WithContext(ctx).Model(&u).Updates(map[string]any{"email": u.Email, "name": u.Name, "role": u.Role}).Error; err != nil {
			return User{}, fmt.Errorf("auth: update user %d: %w", u.ID, err)
		}
		if err := audit.Record(ctx, tx, audit.Change{Action: "user.update", EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10), Before: before, After: userView(u)}); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

func userView(u User) map[string]any {
	return map[string]any{"issuer": u.Issuer, "subject": u.Subject, "email": u.Email, "name": u.Name, "role": u.Role, "disabled": u.Disabled}
}

// LoginResult is what a successful login hands to the web layer.
type LoginResult struct {
	Token string // the new session cookie value
	User  User
}

// Login provisions the user, starts a new session (a fresh id: the previous
// session, if any, is ended, so the id rotates at login) and audits it, all
// in one transaction. A person whose role is empty gets no session:
// ErrNoRole is returned after the user is recorded and the denial audited.
func (s *Service) Login(ctx context.Context, id Identity, role Role, idToken, previousToken string) (LoginResult, error) {
	var res LoginResult
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := s.Provision(ctx, tx, id, role)
		if err != nil {
			return err
		}
		res.User = u
		entity := strconv.FormatInt(u.ID, 10)
		ctx := audit.WithActor(ctx, withUser(audit.ActorFrom(ctx), u))
		if u.Disabled {
			return audit.Record(ctx, tx, audit.Change{Action: "user.login_denied", EntityType: "user", EntityID: entity, After: map[string]any{"reason": "user disabled"}})
		}
		if role == "" {
			return audit.Record(ctx, tx, audit.Change{Action: "user.login_denied", EntityType: "user", EntityID: entity, After: map[string]any{"reason": "no mapped role"}})
		}
		if previousToken != "" {
			if err := tx.Where("id_hash = ?", hashToken(previousToken)).Delete(&session{}).Error; err != nil {
				return fmt.Errorf("auth: end previous session: %w", err)
			}
		}
		now := s.now()
		res.Token = RandomToken(32)
		sess := session{IDHash: hashToken(res.Token), UserID: u.ID, Role: role, CSRFToken: RandomToken(32), IDToken: idToken, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.maxAge)}
		if err := tx.Create(&sess).Error; err != nil {
			return fmt.Errorf("auth: create session: %w", err)
		}
		if err := tx.Model(&u).Update("last_login_at", now).Error; err != nil {
			return fmt.Errorf("auth: record last login: %w", err)
		}
		res.User.LastLoginAt = &now
		return audit.Record(ctx, tx, audit.Change{Action: "user.login", EntityType: "user", EntityID: entity, After: map[string]any{"role": role, "issuer": u.Issuer}})
	})
	if err != nil {
		return LoginResult{}, err
	}
	if res.User.Disabled {
		return res, ErrUserDisabled
	}
	if role == "" {
		return res, ErrNoRole
	}
	return res, nil
}

// ErrNoRole means the person's claims map to no Crossdock role.
var ErrNoRole = errors.New("auth: no role mapped for this person")

func withUser(a audit.Actor, u User) audit.Actor {
	a.ID, a.Name, a.Role = "user:"+strconv.FormatInt(u.ID, 10), u.Name, string(u.Role)
	return a
}

// Authenticate resolves a session token to its principal, enforcing the
// idle and absolute timeouts.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrNoSession
	}
	db := s.db.WithContext(ctx)
	var sess session
	if err := db.Where("id_hash = ?", hashToken(token)).Take(&sess).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Principal{}, ErrNoSession
		}
		return Principal{}, fmt.Errorf("auth: load session: %w", err)
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.idle {
		if err := db.Where("id_hash = ?", sess.IDHash).Delete(&session{}).Error; err != nil {
			return Principal{}, fmt.Errorf("auth: end expired session: %w", err)
		}
		return Principal{}, ErrSessionExpired
	}
	var u User
	if err := db.Take(&u, sess.UserID).Error; err != nil {
		return Principal{}, fmt.Errorf("auth: load user %d: %w", sess.UserID, err)
	}
	if u.Disabled {
		return Principal{}, ErrUserDisabled
	}
	// Touch at most once a minute to keep writes off the hot path.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := db.Model(&session{}).Where("id_hash = ?", sess.IDHash).Update("last_seen_at", now).Error; err != nil {
			return Principal{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Role: sess.Role, CSRFToken: sess.CSRFToken, IDToken: sess.IDToken}, nil
}

// Logout ends the session and audits it. It returns the ID token the session
// was started with (for RP-initiated logout), empty if none.
func (s *Service) Logout(ctx context.Context, token string) (string, error) {
	var idToken string
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var sess session
		err := tx.Clauses(clause.Returning{}).Where("id_hash = ?", hashToken(token)).Delete(&sess).Error
		if err != nil {
			return fmt.Errorf("auth: delete session: %w", err)
		}
		if sess.UserID == 0 {
			return nil
		}
		idToken = sess.IDToken
		return audit.Record(ctx, tx, audit.Change{Action: "user.logout", EntityType: "user", EntityID: strconv.FormatInt(sess.UserID, 10)})
	})
	return idToken, err
}

// PurgeExpired deletes sessions past their timeouts and stale login flows.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.db.WithContext(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-s.idle)).Delete(&session{})
	if res.Error != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", res.Error)
	}
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM login_flows WHERE created_at < ?`, now.Add(-loginFlowTTL)).Error; err != nil {
		return res.RowsAffected, fmt.Errorf("auth: purge login flows: %w", err)
	}
	return res.RowsAffected, nil
}

// Users lists every user, most recent login first.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	var us []User
	if err := s.db.WithContext(ctx).Order("last_login_at DESC NULLS LAST, name").Find(&us).Error; err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return us, nil
}

// DevUsers lists the demo users offered by the development login.
func (s *Service) DevUsers(ctx context.Context) ([]User, error) {
	var us []User
	if err := s.db.WithContext(ctx).Where("issuer = ? AND NOT disabled", DevIssuer).Order("id").Find(&us).Error; err != nil {
		return nil, fmt.Errorf("auth: list demo users: %w", err)
	}
	return us, nil
}

// User loads one user.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return User{}, store.ErrNotFound
		}
		return User{}, fmt.Errorf("auth: load user %d: %w", id, err)
	}
	return u, nil
}

// UserNames maps user ids to names; unknown ids are left out.
func (s *Service) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []User
	if err := s.db.WithContext(ctx).Select("id, name").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("auth: user names: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// SetDisabled disables or re-enables a user. Disabling ends their sessions.
func (s *Service) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var u User
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return store.ErrNotFound
			}
			return fmt.Errorf("auth: load user %d: %w", id, err)
		}
		if u.Disabled == disabled {
			return nil
		}
		before := userView(u)
		u.Disabled = disabled
		if err := tx.Model(&u).Update("disabled", disabled).Error; err != nil {
			return fmt.Errorf("auth: update user %d: %w", id, err)
		}
		if disabled {
			if err := tx.Where("user_id = ?", id).Delete(&session{}).Error; err != nil {
				return fmt.Errorf("auth: end sessions of user %d: %w", id, err)
			}
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, EntityType: "user", EntityID: strconv.FormatInt(id, 10), Before: before, After: userView(u)})
	})
}
