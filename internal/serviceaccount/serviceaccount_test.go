package serviceaccount_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/serviceaccount"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/internal/testenv"
)

var tokenRe = regexp.MustCompile(`^cdk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$`)

func adminCtx() context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: "user:1", Name: "Ada Okafor", Role: string(auth.RoleAdmin)})
}

func TestCreateAuthenticateRevoke(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := serviceaccount.NewService(db)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	ctx := adminCtx()

	a, token, err := svc.Create(ctx, "  ci-catalog-sync ", auth.RoleIntegrationManager)
	if err != nil {
		t.Fatal(err)
	}
	if !tokenRe.MatchString(token) {
		t.Fatalf("token %q does not have the documented format", token)
	}
	if a.Name != "ci-catalog-sync" || a.Role != auth.RoleIntegrationManager || !strings.HasPrefix(token, "cdk_"+a.TokenPrefix+"_") || a.CreatedBy != "Ada Okafor" {
		t.Errorf("got %+v for token %s", a, token)
	}

	// Only the hash is stored, and the audit log never sees the token.
	var stored struct{ Hashed bool }
	db.Raw(`SELECT token_hash = sha256(convert_to(?, 'UTF8')) AS hashed FROM service_accounts WHERE id = ?`, token, a.ID).Scan(&stored)
	var auditLeaks int64
	db.Raw(`SELECT count(*) FROM audit_events WHERE coalesce(after::text, '') LIKE ? OR coalesce(after::text, '') LIKE '%token_hash%'`, "%"+token[13:]+"%").Scan(&auditLeaks)
	if !stored.Hashed || auditLeaks != 0 {
		t.Errorf("stored hash matches: %v; audit events with the token: %d", stored.Hashed, auditLeaks)
	}

	got, err := svc.Authenticate(context.Background(), token)
	if err != nil || got.ID != a.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(now) {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if p := got.Principal(); p.ActorID() != "service-account:"+itoa(a.ID) || p.UserID != 0 || p.Role != auth.RoleIntegrationManager || p.Name != "service account ci-catalog-sync" {
		t.Errorf("principal %+v actor %s", p, p.ActorID())
	}

	// last_used_at moves at most once a minute.
	now = now.Add(30 * time.Second)
	if _, err := svc.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if u := lastUsed(t, svc, a.ID); !u.Equal(now.Add(-30 * time.Second)) {
		t.Errorf("last used moved within the minute: %v", u)
	}
	now = now.Add(31 * time.Second)
	if _, err := svc.Authenticate(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if u := lastUsed(t, svc, a.ID); !u.Equal(now) {
		t.Errorf("last used after a minute: got %v, want %v", u, now)
	}

	for name, bad := range map[string]string{
		"empty":          "",
		"no prefix":      token[4:],
		"wrong secret":   token[:len(token)-2] + "xx",
		"unknown prefix": "cdk_00000000_" + token[13:],
		"upper prefix":   "cdk_ABCDEF12_" + token[13:],
		"truncated":      "cdk_1234",
	} {
		if _, err := svc.Authenticate(context.Background(), bad); !errors.Is(err, serviceaccount.ErrInvalidToken) {
			t.Errorf("%s token: got %v, want ErrInvalidToken", name, err)
		}
	}

	revoked, err := svc.Revoke(ctx, a.ID)
	if err != nil || revoked.Active() {
		t.Fatalf("revoke: %+v %v", revoked, err)
	}
	if _, err := svc.Authenticate(context.Background(), token); !errors.Is(err, serviceaccount.ErrInvalidToken) {
		t.Errorf("revoked token: got %v, want ErrInvalidToken", err)
	}
	if _, err := svc.Revoke(ctx, a.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := svc.Revoke(ctx, a.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown: got %v, want ErrNotFound", err)
	}

	var events []audit.Event
	if err := db.Where("entity_type = ?", "service_account").Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if want := "service_account.create by user:1,service_account.revoke by user:1"; strings.Join(actions, ",") != want {
		t.Errorf("audit: got %v, want %s", actions, want)
	}
	if res, err := audit.Verify(context.Background(), db); err != nil || !res.OK() {
		t.Errorf("audit chain: %v %v", res, err)
	}
}

func TestCreateValidates(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := serviceaccount.NewService(db)
	ctx := adminCtx()
	if _, _, err := svc.Create(ctx, "deploy-bot", auth.RoleAuditor); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		role  auth.Role
		field string
	}{
		{"", auth.RoleAuditor, "name"},
		{"   ", auth.RoleAuditor, "name"},
		{strings.Repeat("x", 101), auth.RoleAuditor, "name"},
		{"ok-name", "superuser", "role"},
		{"deploy-bot", auth.RoleAdmin, "name"}, // duplicate
	} {
		_, token, err := svc.Create(ctx, tc.name, tc.role)
		var ve *serviceaccount.ValidationError
		if !errors.As(err, &ve) || ve.Fields[tc.field] == "" || token != "" {
			t.Errorf("Create(%q, %q): got %v (token %q), want a message on %s", tc.name, tc.role, err, token, tc.field)
		}
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 1 {
		t.Errorf("list: %d accounts, %v", len(list), err)
	}
}

// Two accounts whose tokens share a prefix are told apart by the hash.
func TestTokensAreDistinct(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := serviceaccount.NewService(db)
	ctx := adminCtx()
	a, ta, err := svc.Create(ctx, "a", auth.RoleAuditor)
	if err != nil {
		t.Fatal(err)
	}
	b, tb, err := svc.Create(ctx, "b", auth.RoleBusinessUser)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE service_accounts SET token_prefix = ? WHERE id = ?`, a.TokenPrefix, b.ID).Error; err != nil {
		t.Fatal(err)
	}
	tb = "cdk_" + a.TokenPrefix + tb[12:]
	// b's stored hash is of its original token; rewrite it to the new text.
	if err := db.Exec(`UPDATE service_accounts SET token_hash = sha256(convert_to(?, 'UTF8')) WHERE id = ?`, tb, b.ID).Error; err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]int64{ta: a.ID, tb: b.ID} {
		got, err := svc.Authenticate(context.Background(), token)
		if err != nil || got.ID != want {
			t.Errorf("token of %d: got %d %v", want, got.ID, err)
		}
	}
}

func lastUsed(t *testing.T, svc *serviceaccount.Service, id int64) time.Time {
	t.Helper()
	a, err := svc.Get(context.Background(), id)
	if err != nil || a.LastUsedAt == nil {
		t.Fatalf("get %d: %+v %v", id, a, err)
	}
	return *a.LastUsedAt
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
