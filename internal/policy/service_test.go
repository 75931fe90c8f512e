package policy_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/internal/testenv"
)

func actorCtx() context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: "user:7", Name: "Ines Moreau", Role: "integration_manager", RequestID: "req-1"})
}

// apiVersion inserts an API with one version and returns the version id.
func apiVersion(t *testing.T, db *gorm.DB, slug, version string) int64 {
	t.Helper()
	var apiID, id int64
	if err := db.Raw(`INSERT INTO apis (slug, name, kind, domain) VALUES (?, ?, 'process', 'order') RETURNING id`, slug, slug).Scan(&apiID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`INSERT INTO api_versions (api_id, version, major, minor, patch) VALUES (?, ?, 1, 0, 0) RETURNING id`, apiID, version).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

type event struct {
	Action, EntityType, EntityID string
	Before, After                *string
	Actor                        string
	Xmin                         string
}

// events lists the audit events in order, with the id of the transaction
// that wrote each.
func events(t *testing.T, db *gorm.DB) []event {
	t.Helper()
	var es []event
	if err := db.Raw(`SELECT action, entity_type, entity_id, before::text AS before, after::text AS after, actor, xmin::text AS xmin FROM audit_events ORDER BY id`).Scan(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func str(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func TestCreatePolicyVersions(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)

	v1Settings := policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key"}}}
	v2Settings := policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key"}}, RateLimit: &policy.RateLimit{Rate: 10, Burst: 10}}
	steps := []struct {
		name        string
		policy      string
		description string
		settings    policy.Settings
		wantVersion int
		wantEvents  int
	}{
		{"first create is version 1", "standard-auth", "API keys for every partner", v1Settings, 1, 1},
		{"a changed document is version 2", "standard-auth", "API keys for every partner", v2Settings, 2, 2},
		{"the same document again writes nothing", "standard-auth", " API keys for every partner ", v2Settings, 2, 2},
		{"a changed description is version 3", "standard-auth", "API keys, throttled", v2Settings, 3, 3},
		{"another name starts at 1", "erp-protect", "", policy.Settings{Priority: "critical"}, 1, 4},
	}
	for _, st := range steps {
		p, err := svc.CreatePolicy(ctx, st.policy, st.description, st.settings)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if p.Name != st.policy || p.Version != st.wantVersion || p.ID == 0 {
			t.Errorf("%s: got %s v%d (id %d), want v%d", st.name, p.Name, p.Version, p.ID, st.wantVersion)
		}
		if diff := cmp.Diff(st.settings, p.Settings); diff != "" {
			t.Errorf("%s: settings (-want +got):\n%s", st.name, diff)
		}
		if got := len(events(t, db)); got != st.wantEvents {
			t.Errorf("%s: got %d audit events, want %d", st.name, got, st.wantEvents)
		}
	}

	// The stored document reads back unchanged, and old versions stay.
	got, err := svc.GetVersion(ctx, "standard-auth", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v1Settings, got.Settings); diff != "" {
		t.Errorf("v1 settings (-want +got):\n%s", diff)
	}
	versions, err := svc.Versions(ctx, "standard-auth")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for _, v := range versions {
		vs = append(vs, v.Version)
	}
	if diff := cmp.Diff([]int{3, 2, 1}, vs); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	list, err := svc.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var latest []string
	for _, p := range list {
		latest = append(latest, p.Label())
	}
	if diff := cmp.Diff([]string{"erp-protect v1", "standard-auth v3"}, latest); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	if l, err := svc.Latest(ctx, "standard-auth"); err != nil || l.Version != 3 {
		t.Errorf("latest: got v%d, %v; want v3", l.Version, err)
	}
	if _, err := svc.Versions(ctx, "nope"); !errors.Is(err, policy.ErrNotFound) {
		t.Errorf("versions of unknown name: got %v, want ErrNotFound", err)
	}
	if _, err := svc.Get(ctx, 999999); !errors.Is(err, policy.ErrNotFound) {
		t.Errorf("get unknown id: got %v, want ErrNotFound", err)
	}

	// Audit: a create event per new version, the second with the first as
	// "before", written by the transaction that inserted the row.
	es := events(t, db)
	if es[1].Action != "policy.create" || es[1].EntityType != "policy" || es[1].EntityID != "standard-auth" || es[1].Actor != "user:7" {
		t.Errorf("event: got %+v", es[1])
	}
	if es[0].Before != nil || es[1].Before == nil {
		t.Errorf("before: got %s and %s, want null and version 1", str(es[0].Before), str(es[1].Before))
	}
	var rowXmin string
	if err := db.Raw(`SELECT xmin::text FROM policies WHERE name = 'standard-auth' AND version = 2`).Scan(&rowXmin).Error; err != nil {
		t.Fatal(err)
	}
	if rowXmin != es[1].Xmin {
		t.Errorf("policy row written by transaction %s, its audit event by %s", rowXmin, es[1].Xmin)
	}
}

func TestCreatePolicyRejectsInvalidInput(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := policy.NewService(db)
	tests := []struct {
		name     string
		policy   string
		settings policy.Settings
		want     []string
	}{
		{"bad name", "Standard Auth", policy.Settings{}, []string{"name"}},
		{"bad settings", "standard-auth", policy.Settings{RateLimit: &policy.RateLimit{Rate: 10, Burst: 1}}, []string{"rateLimit.burst"}},
		{"both", "", policy.Settings{Priority: "asap"}, []string{"name", "priority"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreatePolicy(actorCtx(), tt.policy, "", tt.settings)
			var ve *policy.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if diff := cmp.Diff(tt.want, keys(ve.Fields)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if n := count(t, db, `SELECT count(*) FROM policies`); n != 0 {
		t.Errorf("got %d policies, want 0", n)
	}
}

func TestAttachDetach(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)
	version := apiVersion(t, db, "purchase-orders", "1.0.0")
	other := apiVersion(t, db, "invoices", "1.0.0")

	auth, err := svc.CreatePolicy(ctx, "standard-auth", "", policy.Settings{RateLimit: &policy.RateLimit{Rate: 10, Burst: 20}})
	if err != nil {
		t.Fatal(err)
	}
	erp, err := svc.CreatePolicy(ctx, "erp-protect", "", policy.Settings{RateLimit: &policy.RateLimit{Rate: 100, Burst: 100}, Priority: "high"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(events(t, db))

	attached := func(id int64) []string {
		t.Helper()
		as, err := svc.Attachments(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range as {
			s := a.Policy.Label()
			if a.Outdated() {
				s += " (outdated)"
			}
			out = append(out, s)
		}
		return out
	}
	steps := []struct {
		name       string
		do         func() error
		want       []string // attached to version, in order
		wantAction string   // new audit event; "" for none
		wantBefore string
		wantAfter  string
	}{
		{"attach erp-protect at 20", func() error { return svc.Attach(ctx, version, erp.ID, 20) },
			[]string{"erp-protect v1"}, "policy.attach", "null",
			`{"policyId":` + itoa(erp.ID) + `,"policy":"erp-protect","version":1,"position":20}`},
		{"attach standard-auth at 10 goes first", func() error { return svc.Attach(ctx, version, auth.ID, 10) },
			[]string{"standard-auth v1", "erp-protect v1"}, "policy.attach", "null",
			`{"policyId":` + itoa(auth.ID) + `,"policy":"standard-auth","version":1,"position":10}`},
		{"attaching again at the same place writes nothing", func() error { return svc.Attach(ctx, version, auth.ID, 10) },
			[]string{"standard-auth v1", "erp-protect v1"}, "", "", ""},
		{"moving it to 30 puts it last", func() error { return svc.Attach(ctx, version, auth.ID, 30) },
			[]string{"erp-protect v1", "standard-auth v1"}, "policy.attach",
			`{"policyId":` + itoa(auth.ID) + `,"policy":"standard-auth","version":1,"position":10}`,
			`{"policyId":` + itoa(auth.ID) + `,"policy":"standard-auth","version":1,"position":30}`},
		{"detach erp-protect", func() error { return svc.Detach(ctx, version, erp.ID) },
			[]string{"standard-auth v1"}, "policy.detach",
			`{"policyId":` + itoa(erp.ID) + `,"policy":"erp-protect","version":1,"position":20}`, "null"},
	}
	for _, st := range steps {
		n := len(events(t, db))
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, attached(version)); diff != "" {
			t.Errorf("%s: attached (-want +got):\n%s", st.name, diff)
		}
		es := events(t, db)
		if st.wantAction == "" {
			if len(es) != n {
				t.Errorf("%s: got %d new audit events, want none", st.name, len(es)-n)
			}
			continue
		}
		if len(es) != n+1 {
			t.Fatalf("%s: got %d new audit events, want 1", st.name, len(es)-n)
		}
		e := es[n]
		got := []string{e.Action, e.EntityType, e.EntityID, str(e.Before), str(e.After)}
		want := []string{st.wantAction, "api_version", "purchase-orders@1.0.0", st.wantBefore, st.wantAfter}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: audit event (-want +got):\n%s", st.name, diff)
		}
	}
	if got := attached(other); len(got) != 0 {
		t.Errorf("other version: got %v, want nothing attached", got)
	}

	// The attachment and its audit event share one transaction.
	var rowXmin string
	if err := db.Raw(`SELECT xmin::text FROM policy_attachments WHERE api_version_id = ? AND policy_id = ?`, version, auth.ID).Scan(&rowXmin).Error; err != nil {
		t.Fatal(err)
	}
	es := events(t, db)
	if moved := es[before+2]; moved.Xmin != rowXmin {
		t.Errorf("attachment written by transaction %s, its audit event by %s", rowXmin, moved.Xmin)
	}

	if err := svc.Detach(ctx, version, erp.ID); !errors.Is(err, policy.ErrNotFound) {
		t.Errorf("detach twice: got %v, want ErrNotFound", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// An edit is a new version: API versions keep the old one until it is
// re-attached, and re-attaching replaces it in place of a second copy.
func TestReattachNewerVersion(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)
	version := apiVersion(t, db, "purchase-orders", "1.0.0")

	v1, err := svc.CreatePolicy(ctx, "standard-auth", "", policy.Settings{RateLimit: &policy.RateLimit{Rate: 10, Burst: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Attach(ctx, version, v1.ID, 10); err != nil {
		t.Fatal(err)
	}
	v2, err := svc.CreatePolicy(ctx, "standard-auth", "", policy.Settings{RateLimit: &policy.RateLimit{Rate: 30, Burst: 60}})
	if err != nil {
		t.Fatal(err)
	}

	as, err := svc.Attachments(ctx, version)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Policy.ID != v1.ID || as[0].LatestVersion != 2 || !as[0].Outdated() {
		t.Fatalf("after the edit: got %+v, want v1 attached and outdated", as)
	}
	r, err := svc.EffectiveFor(ctx, version, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.RateLimit.Value.Rate != 10 || r.RateLimit.Source.Version != 1 {
		t.Errorf("before re-attaching: got rate %d from %s, want 10 from v1", r.RateLimit.Value.Rate, r.RateLimit.Source)
	}

	n := len(events(t, db))
	if err := svc.Attach(ctx, version, v2.ID, 10); err != nil {
		t.Fatal(err)
	}
	ps, err := svc.Attached(ctx, version)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != v2.ID {
		t.Fatalf("after re-attaching: got %+v, want only v2", ps)
	}
	es := events(t, db)
	if len(es) != n+1 {
		t.Fatalf("got %d audit events, want 1", len(es)-n)
	}
	wantBefore := `{"policyId":` + itoa(v1.ID) + `,"policy":"standard-auth","version":1,"position":10}`
	wantAfter := `{"policyId":` + itoa(v2.ID) + `,"policy":"standard-auth","version":2,"position":10}`
	if str(es[n].Before) != wantBefore || str(es[n].After) != wantAfter {
		t.Errorf("re-attach event: got before %s after %s, want %s and %s", str(es[n].Before), str(es[n].After), wantBefore, wantAfter)
	}
}

func TestAttachUnknownWritesNothing(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)
	version := apiVersion(t, db, "purchase-orders", "1.0.0")
	p, err := svc.CreatePolicy(ctx, "standard-auth", "", policy.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
	}{
		{"attach to a missing api version", func() error { return svc.Attach(ctx, 987654, p.ID, 0) }},
		{"attach a missing policy", func() error { return svc.Attach(ctx, version, 987654, 0) }},
		{"detach from a missing api version", func() error { return svc.Detach(ctx, 987654, p.ID) }},
		{"detach what is not attached", func() error { return svc.Detach(ctx, version, p.ID) }},
		{"attachments of a missing api version", func() error { _, err := svc.Attachments(ctx, 987654); return err }},
		{"effective policy of a missing api version", func() error { _, err := svc.EffectiveFor(ctx, 987654, nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eventsBefore := len(events(t, db))
			err := tt.do()
			if !errors.Is(err, policy.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if n := count(t, db, `SELECT count(*) FROM policy_attachments`); n != 0 {
				t.Errorf("got %d attachments, want 0", n)
			}
			if n := len(events(t, db)); n != eventsBefore {
				t.Errorf("got %d new audit events, want 0", n-eventsBefore)
			}
		})
	}
}

// When the audit event cannot be written, the change is rolled back.
func TestChangesRollBackWithTheirAuditEvent(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)
	version := apiVersion(t, db, "purchase-orders", "1.0.0")
	attachedPolicy, err := svc.CreatePolicy(ctx, "attached", "", policy.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	loose, err := svc.CreatePolicy(ctx, "loose", "", policy.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Attach(ctx, version, attachedPolicy.ID, 0); err != nil {
		t.Fatal(err)
	}
	// From here on every audit insert fails.
	for _, stmt := range []string{
		`CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END; $$ LANGUAGE plpgsql`,
		`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	state := func() []int64 {
		return []int64{
			count(t, db, `SELECT count(*) FROM policies`),
			count(t, db, `SELECT count(*) FROM policy_attachments`),
			count(t, db, `SELECT coalesce(sum(position), 0) FROM policy_attachments`),
		}
	}
	tests := []struct {
		name string
		do   func() error
	}{
		{"create", func() error {
			_, err := svc.CreatePolicy(ctx, "loose", "changed", policy.Settings{})
			return err
		}},
		{"attach", func() error { return svc.Attach(ctx, version, loose.ID, 5) }},
		{"move", func() error { return svc.Attach(ctx, version, attachedPolicy.ID, 5) }},
		{"detach", func() error { return svc.Detach(ctx, version, attachedPolicy.ID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := state()
			if err := tt.do(); err == nil {
				t.Fatal("got nil error with audit refused")
			}
			if diff := cmp.Diff(want, state()); diff != "" {
				t.Errorf("rows changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEffectiveFor(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	svc := policy.NewService(db)
	version := apiVersion(t, db, "purchase-orders", "1.0.0")

	base, err := svc.CreatePolicy(ctx, "base", "", policy.Settings{
		RateLimit: &policy.RateLimit{Rate: 10, Burst: 20},
		Priority:  "high",
	})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := svc.CreatePolicy(ctx, "strict", "", policy.Settings{
		RateLimit:      &policy.RateLimit{Rate: 5, Burst: 5},
		ValidationMode: "warn",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Attached out of order: positions decide precedence.
	if err := svc.Attach(ctx, version, strict.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := svc.Attach(ctx, version, base.ID, 1); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		override *policy.Settings
		want     map[string]string // key -> source
	}{
		{"attached policies", nil, map[string]string{
			"rateLimit": "strict v1", "priority": "base v1", "validationMode": "strict v1", "retry": "Built-in default",
		}},
		{"with a partner override", &policy.Settings{Priority: "critical"}, map[string]string{
			"rateLimit": "strict v1", "priority": "Partner override", "validationMode": "strict v1", "retry": "Built-in default",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := svc.EffectiveFor(ctx, version, tt.override)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range r.Fields() {
				if _, ok := tt.want[f.Key]; ok {
					got[f.Key] = f.Source.String()
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})
	}
}
