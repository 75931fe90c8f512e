package partner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/store"
)

// API key format: "cdp_" + 8 lowercase hex characters (the prefix, shown in
// the console and logs) + "_" + 32 random bytes in unpadded base64url
// (43 characters). Only the SHA-256 of the whole token is stored.
const (
	tokenScheme    = "cdp_"
	prefixLen      = 8
	secretLen      = 43
	tokenLen       = len(tokenScheme) + prefixLen + 1 + secretLen
	lastUsedWindow = time.Minute // last_used_at is written at most this often per key
	// MaxOverlap is the longest a rotated key keeps working beside its replacement.
	MaxOverlap = 30 * 24 * time.Hour
)

func newToken() (prefix, token string) {
	var b [prefixLen / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+); it crashes the program instead
	prefix = hex.EncodeToString(b[:])
	return prefix, tokenScheme + prefix + "_" + auth.RandomToken(32)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// parseToken checks a token's shape and returns its prefix.
func parseToken(token string) (string, bool) {
	if len(token) != tokenLen || !strings.HasPrefix(token, tokenScheme) || token[len(tokenScheme)+prefixLen] != '_' {
		return "", false
	}
	prefix := token[len(tokenScheme) : len(tokenScheme)+prefixLen]
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	for _, c := range token[len(tokenScheme)+prefixLen+1:] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return prefix, true
}

// keyAudit is what the audit log says about a key: never the secret or its hash.
func keyAudit(k Key) map[string]any {
	m := map[string]any{"key_id": k.ID, "prefix": k.Prefix, "label": k.Label, "expires_at": k.ExpiresAt}
	if k.ReplacedByID != nil {
		m["replaced_by_id"], m["overlap_until"] = *k.ReplacedByID, k.OverlapUntil
	}
	if k.RevokedAt != nil {
		m["revoked_at"] = k.RevokedAt
	}
	return m
}

// newKey builds and inserts a key for partner p.
func (s *Service) newKey(ctx context.Context, tx *gorm.DB, partnerID int64, label string, expiresAt *time.Time, now time.Time) (Key, string, error) {
	a := audit.ActorFrom(ctx)
	prefix, token := newToken()
	k := Key{PartnerID: partnerID, Prefix: prefix, Hash: hashToken(token), Label: label,
		CreatedBy: a.ID, CreatedByName: a.Name, CreatedAt: now, ExpiresAt: expiresAt}
	if err := tx.Create(&k).Error; err != nil {
		return Key{}, "", fmt.Errorf("insert key: %w", err)
	}
	k.Status = k.StatusAt(now)
	return k, token, nil
}

// IssueKey creates an API key for the partner's system and returns it with
// the plaintext token, which is not stored and cannot be shown again.
// expiresAt nil means the key does not expire.
func (s *Service) IssueKey(ctx context.Context, partnerID int64, label string, expiresAt *time.Time) (Key, string, error) {
	label = strings.TrimSpace(label)
	now := s.clock()
	f := map[string]string{}
	switch {
	case label == "":
		f["label"] = "Name the key after the system that will use it, for example \"ACME production EDI gateway\"."
	case utf8.RuneCountInString(label) > MaxLabelLen:
		f["label"] = fmt.Sprintf("Keep the label under %d characters.", MaxLabelLen)
	}
	if expiresAt != nil {
		e := expiresAt.UTC().Truncate(time.Microsecond)
		expiresAt = &e
		if !e.After(now) {
			f["expires_at"] = "Choose an expiry in the future, or leave it empty for a key that does not expire."
		}
	}
	if len(f) > 0 {
		return Key{}, "", fmt.Errorf("partner: issue key for %d: %w", partnerID, &ValidationError{Fields: f})
	}
	var k Key
	var token string
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := lockPartner(tx, partnerID)
		if err != nil {
			return err
		}
		if k, token, err = s.newKey(ctx, tx, p.ID, label, expiresAt, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_key.issue", EntityType: EntityType, EntityID: p.Code, After: keyAudit(k)})
	})
	if err != nil {
		return Key{}, "", fmt.Errorf("partner: issue key for %d: %w", partnerID, err)
	}
	return k, token, nil
}

// lockKey loads a key and its partner inside tx, locking the key row.
func lockKey(tx *gorm.DB, keyID int64) (Key, Partner, error) {
	var k Key
	if err := tx.Clauses(forUpdate()).Take(&k, keyID).Error; err != nil {
		return Key{}, Partner{}, fmt.Errorf("key %d: %w", keyID, notFound(err))
	}
	var p Partner
	if err := tx.Take(&p, k.PartnerID).Error; err != nil {
		return Key{}, Partner{}, fmt.Errorf("partner of key %d: %w", keyID, notFound(err))
	}
	return k, p, nil
}

// RotateKey replaces a working key with a new one (same label; the same
// lifetime when the old key had an expiry) and returns the new key with its
// plaintext token. The old key keeps working for overlap (0 ends it now,
// at most MaxOverlap), then is refused. A revoked, expired or already
// rotated key cannot be rotated (ErrConflict).
func (s *Service) RotateKey(ctx context.Context, keyID int64, overlap time.Duration) (Key, string, error) {
	if overlap < 0 || overlap > MaxOverlap {
		return Key{}, "", fmt.Errorf("partner: rotate key %d: %w", keyID, &ValidationError{Fields: map[string]string{
			"overlap": "Choose an overlap between none and 30 days: how long the old key keeps working while the partner switches."}})
	}
	now := s.clock()
	var nk Key
	var token string
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		old, p, err := lockKey(tx, keyID)
		if err != nil {
			return err
		}
		if st := old.StatusAt(now); old.ReplacedByID != nil || (st != KeyActive && st != KeyExpiring) {
			if old.ReplacedByID != nil {
				st = KeyRotated
			}
			return fmt.Errorf("key %s is %s, only a working key can be rotated: %w", old.Prefix, st, ErrConflict)
		}
		var expires *time.Time
		if old.ExpiresAt != nil {
			e := now.Add(old.ExpiresAt.Sub(old.CreatedAt))
			expires = &e
		}
		if nk, token, err = s.newKey(ctx, tx, p.ID, old.Label, expires, now); err != nil {
			return err
		}
		before := keyAudit(old)
		until := now.Add(overlap)
		old.ReplacedByID, old.OverlapUntil = &nk.ID, &until
		if err := tx.Model(&old).Updates(map[string]any{"replaced_by_id": nk.ID, "overlap_until": until}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_key.rotate", EntityType: EntityType, EntityID: p.Code,
			Before: before, After: map[string]any{"old": keyAudit(old), "new": keyAudit(nk)}})
	})
	if err != nil {
		return Key{}, "", fmt.Errorf("partner: rotate key %d: %w", keyID, err)
	}
	return nk, token, nil
}

// RevokeKey stops a key at once, including an old key still in its
// rotation overlap. Revoking a revoked key is ErrConflict.
func (s *Service) RevokeKey(ctx context.Context, keyID int64) (Key, error) {
	now := s.clock()
	var k Key
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var p Partner
		var err error
		if k, p, err = lockKey(tx, keyID); err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return fmt.Errorf("key %s was revoked already: %w", k.Prefix, ErrConflict)
		}
		before := keyAudit(k)
		k.RevokedAt = &now
		if err := tx.Model(&k).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_key.revoke", EntityType: EntityType, EntityID: p.Code, Before: before, After: keyAudit(k)})
	})
	if err != nil {
		return Key{}, fmt.Errorf("partner: revoke key %d: %w", keyID, err)
	}
	k.Status = k.StatusAt(now)
	return k, nil
}

// Key loads one key with its current status. Handlers use its PartnerID
// to check that a key in a URL belongs to the partner in the URL.
func (s *Service) Key(ctx context.Context, keyID int64) (Key, error) {
	var k Key
	if err := s.db.WithContext(ctx).Take(&k, keyID).Error; err != nil {
		return Key{}, fmt.Errorf("partner: key %d: %w", keyID, notFound(err))
	}
	k.Status = k.StatusAt(s.clock())
	return k, nil
}

// ListKeys lists a partner's keys, newest first, with their status now.
func (s *Service) ListKeys(ctx context.Context, partnerID int64) ([]Key, error) {
	if _, err := s.Get(ctx, partnerID); err != nil {
		return nil, err
	}
	var ks []Key
	if err := s.db.WithContext(ctx).Where("partner_id = ?", partnerID).Order("created_at DESC, id DESC").Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("partner: keys of %d: %w", partnerID, err)
	}
	now := s.clock()
	for i := range ks {
		ks[i].Status = ks[i].StatusAt(now)
	}
	return ks, nil
}

// Authenticate resolves a partner system's token to its partner and key.
// The token is hashed and looked up by its hash (the comparison never
// touches the secret byte by byte). Malformed, unknown, revoked, expired
// and rotated-past-overlap keys are ErrInvalidKey. Of the partner
// statuses, only suspended is refused here (ErrSuspended): draft, testing
// and certified partners need their keys to exchange test documents;
// whether a document counts as production traffic is for the runtime to
// decide from the partner status. last_used_at is written at most once a
// minute per key and is not audited (it is usage, not a change).
func (s *Service) Authenticate(ctx context.Context, token string) (Partner, Key, error) {
	prefix, ok := parseToken(token)
	if !ok {
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate: malformed token: %w", ErrInvalidKey)
	}
	sum := hashToken(token)
	db := s.db.WithContext(ctx)
	var k Key
	if err := db.Where("hash = ?", sum).Take(&k).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: unknown key: %w", prefix, ErrInvalidKey)
		}
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: %w", prefix, err)
	}
	if subtle.ConstantTimeCompare(k.Hash, sum) != 1 {
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: hash mismatch: %w", prefix, ErrInvalidKey)
	}
	now := s.clock()
	if k.Status = k.StatusAt(now); k.Status != KeyActive && k.Status != KeyExpiring {
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: key %s: %w", prefix, k.Status, ErrInvalidKey)
	}
	var p Partner
	if err := db.Take(&p, k.PartnerID).Error; err != nil {
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: partner %d: %w", prefix, k.PartnerID, notFound(err))
	}
	if p.Status == StatusSuspended {
		return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s of %s: %w", prefix, p.Code, ErrSuspended)
	}
	if k.LastUsedAt == nil || !now.Before(k.LastUsedAt.Add(lastUsedWindow)) {
		res := db.Model(&Key{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", k.ID, now.Add(-lastUsedWindow)).
			Update("last_used_at", now)
		if res.Error != nil {
			return Partner{}, Key{}, fmt.Errorf("partner: authenticate key %s: record use: %w", prefix, res.Error)
		}
		if res.RowsAffected == 1 {
			k.LastUsedAt = &now
		}
	}
	return p, k, nil
}
