package partner_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/partner"
)

// authOK asserts token authenticates as partner p and returns the key.
func authOK(t *testing.T, e env, token string, p partner.Partner) partner.Key {
	t.Helper()
	gotP, k, err := e.svc.Authenticate(alice(), token)
	if err != nil {
		t.Fatalf("at %s: got %v, want the key accepted", e.clock.now().Format(time.TimeOnly), err)
	}
	if gotP.ID != p.ID {
		t.Fatalf("got partner %d, want %d", gotP.ID, p.ID)
	}
	return k
}

func authRefused(t *testing.T, e env, token string, want error) {
	t.Helper()
	if _, _, err := e.svc.Authenticate(alice(), token); !errors.Is(err, want) {
		t.Fatalf("at %s: got %v, want %v", e.clock.now().Format(time.TimeOnly), err, want)
	}
}

// allAuditText is every before/after document in the audit log.
func allAuditText(t *testing.T, e env) string {
	t.Helper()
	var docs []string
	if err := e.db.Raw(`SELECT coalesce(before::text, '') || ' ' || coalesce(after::text, '') FROM audit_events`).Scan(&docs).Error; err != nil {
		t.Fatal(err)
	}
	return strings.Join(docs, "\n")
}

func TestKeyLifecycle(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	t0 := e.clock.now()

	k1, tok1, err := e.svc.IssueKey(alice(), p.ID, "ACME production gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok1, "cdp_"+k1.Prefix+"_") || len(tok1) != 56 {
		t.Fatalf("got token of shape %q (len %d), want cdp_<prefix>_<43 chars>", tok1[:13], len(tok1))
	}
	if k1.Status != partner.KeyActive || k1.CreatedBy != "user:1" {
		t.Errorf("got status %s created by %q, want active by user:1", k1.Status, k1.CreatedBy)
	}

	// issue -> authenticate ok, last_used_at recorded, then at most once a minute.
	k := authOK(t, e, tok1, p)
	if k.LastUsedAt == nil || !k.LastUsedAt.Equal(t0) {
		t.Fatalf("got last used %v, want %v", k.LastUsedAt, t0)
	}
	e.clock.advance(30 * time.Second)
	authOK(t, e, tok1, p)
	if got, _ := e.svc.Key(alice(), k1.ID); !got.LastUsedAt.Equal(t0) {
		t.Errorf("30s later: got last used %v, want still %v (written at most once a minute)", got.LastUsedAt, t0)
	}
	e.clock.advance(31 * time.Second)
	authOK(t, e, tok1, p)
	if got, _ := e.svc.Key(alice(), k1.ID); !got.LastUsedAt.Equal(t0.Add(61 * time.Second)) {
		t.Errorf("61s later: got last used %v, want %v", got.LastUsedAt, t0.Add(61*time.Second))
	}

	// A token that differs in one secret character, or is malformed, is refused.
	tampered := tok1[:len(tok1)-1] + map[bool]string{true: "A", false: "B"}[tok1[len(tok1)-1] != 'A']
	for _, bad := range []string{tampered, "", "cdp_", tok1 + "x", strings.ToUpper(tok1), "Bearer " + tok1} {
		authRefused(t, e, bad, partner.ErrInvalidKey)
	}

	// rotate with a 1h overlap: old works at +30m, refused at +61m; new works.
	rotatedAt := e.clock.now()
	k2, tok2, err := e.svc.RotateKey(alice(), k1.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if k2.Label != k1.Label || k2.ID == k1.ID || tok2 == tok1 {
		t.Errorf("got new key %+v, want a different key with label %q", k2, k1.Label)
	}
	if _, _, err := e.svc.RotateKey(alice(), k1.ID, time.Hour); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("rotating a rotated key: got %v, want ErrConflict", err)
	}
	e.clock.advance(30 * time.Minute)
	authOK(t, e, tok1, p)
	authOK(t, e, tok2, p)
	keys, err := e.svc.ListKeys(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64]partner.KeyStatus{k1.ID: partner.KeyExpiring, k2.ID: partner.KeyActive}, statuses(keys)); diff != "" {
		t.Errorf("statuses during the overlap (-want +got):\n%s", diff)
	}
	if overlap := keys[1].OverlapUntil; keys[1].ID != k1.ID || overlap == nil || !overlap.Equal(rotatedAt.Add(time.Hour)) {
		t.Errorf("got old key overlap until %v, want %v (newest key listed first)", overlap, rotatedAt.Add(time.Hour))
	}
	e.clock.advance(31 * time.Minute)
	authRefused(t, e, tok1, partner.ErrInvalidKey)
	authOK(t, e, tok2, p)
	keys, _ = e.svc.ListKeys(alice(), p.ID)
	if diff := cmp.Diff(map[int64]partner.KeyStatus{k1.ID: partner.KeyRotated, k2.ID: partner.KeyActive}, statuses(keys)); diff != "" {
		t.Errorf("statuses after the overlap (-want +got):\n%s", diff)
	}

	// revocation is immediate.
	if _, err := e.svc.RevokeKey(alice(), k2.ID); err != nil {
		t.Fatal(err)
	}
	authRefused(t, e, tok2, partner.ErrInvalidKey)
	if _, err := e.svc.RevokeKey(alice(), k2.ID); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("revoking twice: got %v, want ErrConflict", err)
	}
	if _, _, err := e.svc.RotateKey(alice(), k2.ID, time.Hour); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("rotating a revoked key: got %v, want ErrConflict", err)
	}

	// every key event is audited, and no secret reaches the audit log.
	wantActions := []string{"partner.create", "partner_key.issue", "partner_key.rotate", "partner_key.revoke"}
	if diff := cmp.Diff(wantActions, actions(auditEvents(t, e, p.Code))); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	text := allAuditText(t, e)
	for _, tok := range []string{tok1, tok2} {
		secret := tok[len("cdp_")+9:]
		if strings.Contains(text, tok) || strings.Contains(text, secret) {
			t.Errorf("the audit log contains a plaintext token or its secret part")
		}
	}
	if !strings.Contains(text, k1.Prefix) {
		t.Errorf("the audit log does not name the key prefix %s", k1.Prefix)
	}
}

func statuses(ks []partner.Key) map[int64]partner.KeyStatus {
	m := map[int64]partner.KeyStatus{}
	for _, k := range ks {
		m[k.ID] = k.Status
	}
	return m
}

func TestKeyRotationWithoutOverlapEndsOldKeyNow(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	k1, tok1, err := e.svc.IssueKey(alice(), p.ID, "gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, tok2, err := e.svc.RotateKey(alice(), k1.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	authRefused(t, e, tok1, partner.ErrInvalidKey)
	authOK(t, e, tok2, p)
	for _, bad := range []time.Duration{-time.Minute, 31 * 24 * time.Hour} {
		var ve *partner.ValidationError
		if _, _, err := e.svc.RotateKey(alice(), k1.ID, bad); !errors.As(err, &ve) || ve.Fields["overlap"] == "" {
			t.Errorf("overlap %v: got %v, want a validation error on overlap", bad, err)
		}
	}
}

func TestKeyExpiry(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	now := e.clock.now()

	var ve *partner.ValidationError
	past := now.Add(-time.Hour)
	if _, _, err := e.svc.IssueKey(alice(), p.ID, "old", &past); !errors.As(err, &ve) || ve.Fields["expires_at"] == "" {
		t.Fatalf("expiry in the past: got %v, want a validation error on expires_at", err)
	}
	if _, _, err := e.svc.IssueKey(alice(), p.ID, "  ", nil); !errors.As(err, &ve) || ve.Fields["label"] == "" {
		t.Fatalf("blank label: got %v, want a validation error on label", err)
	}
	if _, _, err := e.svc.IssueKey(alice(), p.ID+1000, "x", nil); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("unknown partner: got %v, want ErrNotFound", err)
	}

	expires := now.Add(30 * 24 * time.Hour)
	k, tok, err := e.svc.IssueKey(alice(), p.ID, "30-day key", &expires)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at     time.Duration
		status partner.KeyStatus
		ok     bool
	}{
		{0, partner.KeyActive, true},
		{15 * 24 * time.Hour, partner.KeyActive, true},
		{17 * 24 * time.Hour, partner.KeyExpiring, true}, // within 14 days of expiry
		{30*24*time.Hour - time.Second, partner.KeyExpiring, true},
		{30 * 24 * time.Hour, partner.KeyExpired, false},
	}
	for _, tt := range tests {
		e.clock.set(now.Add(tt.at))
		got, err := e.svc.Key(alice(), k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.status {
			t.Errorf("at +%v: got status %s, want %s", tt.at, got.Status, tt.status)
		}
		_, _, err = e.svc.Authenticate(alice(), tok)
		if gotOK := err == nil; gotOK != tt.ok {
			t.Errorf("at +%v: got authenticate error %v, want ok=%v", tt.at, err, tt.ok)
		}
	}

	// Rotating a key with an expiry gives the new key the same lifetime.
	e.clock.set(now.Add(20 * 24 * time.Hour))
	nk, _, err := e.svc.RotateKey(alice(), k.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.now().Add(30 * 24 * time.Hour); nk.ExpiresAt == nil || !nk.ExpiresAt.Equal(want) {
		t.Errorf("got rotated key expiry %v, want %v", nk.ExpiresAt, want)
	}
}

func TestAuthenticateRefusesSuspendedPartnerOnly(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	_, tok, err := e.svc.IssueKey(alice(), p.ID, "gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	authOK(t, e, tok, p) // draft partners may send test traffic
	ready(t, e, p)
	authOK(t, e, tok, p) // certified
	req, err := e.svc.RequestGoLive(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApproveGoLive(bob(), req.ID); err != nil {
		t.Fatal(err)
	}
	authOK(t, e, tok, p) // live
	if _, err := e.svc.Transition(alice(), p.ID, partner.StatusSuspended, "security review"); err != nil {
		t.Fatal(err)
	}
	authRefused(t, e, tok, partner.ErrSuspended)
}
