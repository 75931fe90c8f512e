package partner_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/partner"
)

// apiVersion inserts an API with one version and returns the version id.
func apiVersion(t *testing.T, e env, slug, version string) int64 {
	t.Helper()
	var apiID, id int64
	if err := e.db.Raw(`INSERT INTO apis (slug, name, kind, domain) VALUES (?, ?, 'system', 'order') RETURNING id`, slug, slug).Scan(&apiID).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Raw(`INSERT INTO api_versions (api_id, version, major, minor, patch) VALUES (?, ?, 1, 0, 0) RETURNING id`, apiID, version).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func jsonEq(t *testing.T, want string, got json.RawMessage) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %q: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
}

func TestPolicyOverrides(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	v1 := apiVersion(t, e, "order-intake", "1.0.0")
	v2 := apiVersion(t, e, "invoice-out", "1.0.0")

	if _, err := e.svc.PolicyOverride(alice(), p.ID, &v1); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("no override: got %v, want ErrNotFound", err)
	}
	all := `{"rateLimit": {"rate": 20, "burst": 40}}`
	onlyV1 := `{"maxPayloadBytes": 1048576}`
	if _, err := e.svc.SetPolicyOverride(alice(), p.ID, nil, json.RawMessage(all)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPolicyOverride(alice(), p.ID, &v1, json.RawMessage(onlyV1)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version *int64
		want    string
	}{
		{"version's own override wins as a whole", &v1, onlyV1},
		{"other version falls back to all-versions", &v2, all},
		{"no version: all-versions", nil, all},
	}
	for _, tt := range tests {
		got, err := e.svc.PolicyOverride(alice(), p.ID, tt.version)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		jsonEq(t, tt.want, got)
	}

	// Replacing writes one audit event; the same document again writes none.
	if _, err := e.svc.SetPolicyOverride(alice(), p.ID, nil, json.RawMessage(`{"rateLimit": {"burst": 80, "rate": 40}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPolicyOverride(alice(), p.ID, nil, json.RawMessage(`{"rateLimit":{"rate":40,"burst":80}}`)); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.PolicyOverrides(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].APIVersionID != nil || list[1].APIVersionID == nil || *list[1].APIVersionID != v1 {
		t.Fatalf("got %d overrides, want the all-versions one then v1's", len(list))
	}
	jsonEq(t, `{"rateLimit": {"rate": 40, "burst": 80}}`, list[0].Settings)

	if err := e.svc.RemovePolicyOverride(alice(), p.ID, &v1); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.PolicyOverride(alice(), p.ID, &v1)
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, `{"rateLimit": {"rate": 40, "burst": 80}}`, got)
	if err := e.svc.RemovePolicyOverride(alice(), p.ID, &v1); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("removing twice: got %v, want ErrNotFound", err)
	}

	want := []string{"partner.create", "partner_policy.set", "partner_policy.set", "partner_policy.set", "partner_policy.remove"}
	if diff := cmp.Diff(want, actions(auditEvents(t, e, p.Code))); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}

	// Invalid documents and versions.
	missing := int64(999999)
	bad := []struct {
		name     string
		version  *int64
		settings string
		field    string
	}{
		{"not JSON", nil, `{rate: 1}`, "settings"},
		{"array", nil, `[1, 2]`, "settings"},
		{"string", nil, `"strict"`, "settings"},
		{"empty", nil, ``, "settings"},
		{"unknown version", &missing, `{}`, "api_version"},
	}
	for _, tt := range bad {
		var ve *partner.ValidationError
		if _, err := e.svc.SetPolicyOverride(alice(), p.ID, tt.version, json.RawMessage(tt.settings)); !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
			t.Errorf("%s: got %v, want a validation error on %s", tt.name, err, tt.field)
		}
	}
	if _, err := e.svc.SetPolicyOverride(alice(), p.ID+1000, nil, json.RawMessage(`{}`)); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("unknown partner: got %v, want ErrNotFound", err)
	}
}
