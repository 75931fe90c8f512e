package auth_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/testenv"
)

var ines = auth.Identity{Issuer: "https://id.example.com", Subject: "ines", Email: "ines@example.com", Name: "Ines Moreau"}

func TestLoginRotatesAndTimesOut(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	svc := auth.NewService(db, 30*time.Minute, 12*time.Hour)
	svc.SetClock(func() time.Time { return now })

	first, err := svc.Login(ctx, ines, auth.RoleIntegrationManager, "idt", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, first.Token)
	if err != nil || p.Role != auth.RoleIntegrationManager || p.Name != "Ines Moreau" || p.CSRFToken == "" {
		t.Fatalf("authenticate: %+v %v", p, err)
	}

	// Logging in again with the old cookie rotates the id: the old one is dead.
	second, err := svc.Login(ctx, ines, auth.RoleAdmin, "idt2", first.Token)
	if err != nil {
		t.Fatal(err)
	}
	if second.Token == first.Token {
		t.Fatal("session id not rotated at login")
	}
	if _, err := svc.Authenticate(ctx, first.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("old session: got %v, want ErrNoSession", err)
	}
	if p, _ := svc.Authenticate(ctx, second.Token); p.Role != auth.RoleAdmin {
		t.Errorf("role follows the latest claims: got %q", p.Role)
	}

	// Idle timeout: activity keeps the session alive, 31 quiet minutes end it.
	now = now.Add(20 * time.Minute)
	if _, err := svc.Authenticate(ctx, second.Token); err != nil {
		t.Fatalf("after 20 min: %v", err)
	}
	now = now.Add(20 * time.Minute)
	if _, err := svc.Authenticate(ctx, second.Token); err != nil {
		t.Fatalf("20 min after last activity: %v", err)
	}
	now = now.Add(31 * time.Minute)
	if _, err := svc.Authenticate(ctx, second.Token); !errors.Is(err, auth.ErrSessionExpired) {
		t.Errorf("idle 31 min: got %v, want ErrSessionExpired", err)
	}

	// Absolute timeout: even an active session ends after 12 h.
	third, _ := svc.Login(ctx, ines, auth.RoleAdmin, "", "")
	for range 12*4 + 1 {
		now = now.Add(15 * time.Minute)
		if _, err := svc.Authenticate(ctx, third.Token); err != nil {
			if !errors.Is(err, auth.ErrSessionExpired) {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := svc.Authenticate(ctx, third.Token); err == nil {
		t.Error("session alive after 12 h of activity")
	}
}

func TestNoRoleAndDisabled(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	svc := auth.NewService(db, time.Hour, time.Hour)

	res, err := svc.Login(ctx, ines, "", "", "")
	if !errors.Is(err, auth.ErrNoRole) || res.Token != "" {
		t.Fatalf("no role: got token %q, %v", res.Token, err)
	}
	if res.User.ID == 0 {
		t.Error("a person with no role is still recorded for admins to see")
	}

	ok, err := svc.Login(ctx, ines, auth.RoleBusinessUser, "", "")
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := audit.WithActor(ctx, audit.Actor{ID: "user:1", Role: "admin"})
	if err := svc.SetDisabled(adminCtx, ok.User.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, ok.Token); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("disabling ends sessions: got %v", err)
	}
	if _, err := svc.Login(ctx, ines, auth.RoleBusinessUser, "", ""); !errors.Is(err, auth.ErrUserDisabled) {
		t.Errorf("disabled login: got %v", err)
	}
	var actions []string
	db.Table("audit_events").Order("id").Pluck("action", &actions)
	want := []string{"user.create", "user.login_denied", "user.update", "user.login", "user.disable", "user.login_denied"}
	if len(actions) != len(want) {
		t.Fatalf("audit actions: got %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Errorf("audit[%d]: got %s, want %s", i, actions[i], want[i])
		}
	}
}

func TestMapRole(t *testing.T) {
	m := map[string]string{"ops": "admin", "integration": "integration_manager", "audit": "auditor"}
	cases := []struct {
		claim any
		want  auth.Role
	}{
		{[]any{"audit", "ops"}, auth.RoleAdmin},
		{[]any{"audit"}, auth.RoleAuditor},
		{"integration", auth.RoleIntegrationManager},
		{"audit integration", auth.RoleIntegrationManager},
		{[]any{"sales", 42}, ""},
		{nil, ""},
	}
	for _, tc := range cases {
		if got := auth.MapRole(tc.claim, m); got != tc.want {
			t.Errorf("MapRole(%v): got %q, want %q", tc.claim, got, tc.want)
		}
	}
}

// The auditor role holds no permission that changes anything.
func TestAuditorIsReadOnly(t *testing.T) {
	for _, p := range auth.RoleAuditor.Permissions() {
		if p.Mutating() {
			t.Errorf("auditor holds mutating permission %s", p)
		}
	}
}

func TestSafeReturnTo(t *testing.T) {
	for in, want := range map[string]string{"/audit?x=1": "/audit?x=1", "https://evil.example": "/", "//evil.example": "/", "/\\evil": "/", "": "/"} {
		if got := auth.SafeReturnTo(in); got != want {
			t.Errorf("SafeReturnTo(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestUserNames(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	svc := auth.NewService(db, 30*time.Minute, 12*time.Hour)
	var ids []int64
	for _, id := range []auth.Identity{ines, {Issuer: "https://id.example.com", Subject: "tomas", Email: "tomas@example.com", Name: "Tomás Ruiz"}} {
		res, err := svc.Login(ctx, id, auth.RoleAuditor, "", "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.User.ID)
	}
	got, err := svc.UserNames(ctx, []int64{ids[0], ids[1], ids[1] + 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{ids[0]: "Ines Moreau", ids[1]: "Tomás Ruiz"}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if none, err := svc.UserNames(ctx, nil); err != nil || none == nil || len(none) != 0 {
		t.Errorf("no ids: got %v, %v; want an empty map", none, err)
	}
}
