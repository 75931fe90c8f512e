package policy_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/policy"
)

func src(p policy.Policy) policy.Source {
	return policy.Source{Kind: policy.SourcePolicy, PolicyID: p.ID, Name: p.Name, Version: p.Version}
}

// line is what a reader sees of one field.
type line struct {
	Value      string
	Source     policy.Source
	Overridden []policy.Source
}

func TestEffective(t *testing.T) {
	dflt := policy.Source{Kind: policy.SourceDefault}
	override := policy.Source{Kind: policy.SourceOverride}
	standardAuth := policy.Policy{ID: 11, Name: "standard-auth", Version: 2, Settings: policy.Settings{
		Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key"}},
		RateLimit:      &policy.RateLimit{Rate: 10, Burst: 20},
		Retry:          &policy.Retry{MaxAttempts: 3, Backoff: "fixed", InitialSeconds: 30, MaxSeconds: 30},
	}}
	erpProtect := policy.Policy{ID: 12, Name: "erp-protect", Version: 1, Settings: policy.Settings{
		RateLimit: &policy.RateLimit{Rate: 100, Burst: 200},
		Priority:  "critical",
		MaintenanceWindows: []policy.Window{{Name: "ERP backup", TimeZone: "America/Chicago",
			Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "02:00"}},
	}}
	noWindows := policy.Policy{ID: 13, Name: "always-open", Version: 4, Settings: policy.Settings{MaintenanceWindows: []policy.Window{}}}
	partner := &policy.Settings{
		RateLimit:       &policy.RateLimit{Rate: 5, Burst: 5},
		MaxPayloadBytes: ptr(int64(1 << 20)),
		AuditLevel:      "full",
	}

	defaults := map[string]line{
		"authentication":     {"None", dflt, nil},
		"rateLimit":          {"50 req/s, burst 100", dflt, nil},
		"maxPayloadBytes":    {"5 MiB", dflt, nil},
		"validationMode":     {"Enforce (reject invalid documents)", dflt, nil},
		"idempotency":        {"Derived key, kept 72h", dflt, nil},
		"retry":              {"5 attempts, exponential 2s–300s", dflt, nil},
		"priority":           {"Normal", dflt, nil},
		"maintenanceWindows": {"None", dflt, nil},
		"auditLevel":         {"Metadata", dflt, nil},
	}
	tests := []struct {
		name     string
		attached []policy.Policy
		override *policy.Settings
		want     map[string]line // fields not listed keep their default
	}{
		{"defaults only", nil, nil, nil},
		{"an empty override changes nothing", nil, &policy.Settings{}, nil},
		{"one policy", []policy.Policy{standardAuth}, nil, map[string]line{
			"authentication": {"API key", src(standardAuth), []policy.Source{dflt}},
			"rateLimit":      {"10 req/s, burst 20", src(standardAuth), []policy.Source{dflt}},
			"retry":          {"3 attempts, fixed 30s", src(standardAuth), []policy.Source{dflt}},
		}},
		{"the later policy overrides the fields it sets", []policy.Policy{standardAuth, erpProtect}, nil, map[string]line{
			"authentication":     {"API key", src(standardAuth), []policy.Source{dflt}},
			"rateLimit":          {"100 req/s, burst 200", src(erpProtect), []policy.Source{dflt, src(standardAuth)}},
			"retry":              {"3 attempts, fixed 30s", src(standardAuth), []policy.Source{dflt}},
			"priority":           {"Critical", src(erpProtect), []policy.Source{dflt}},
			"maintenanceWindows": {"ERP backup: Mon–Fri 22:00–02:00 America/Chicago", src(erpProtect), []policy.Source{dflt}},
		}},
		{"order is precedence", []policy.Policy{erpProtect, standardAuth}, nil, map[string]line{
			"authentication":     {"API key", src(standardAuth), []policy.Source{dflt}},
			"rateLimit":          {"10 req/s, burst 20", src(standardAuth), []policy.Source{dflt, src(erpProtect)}},
			"retry":              {"3 attempts, fixed 30s", src(standardAuth), []policy.Source{dflt}},
			"priority":           {"Critical", src(erpProtect), []policy.Source{dflt}},
			"maintenanceWindows": {"ERP backup: Mon–Fri 22:00–02:00 America/Chicago", src(erpProtect), []policy.Source{dflt}},
		}},
		{"partner override beats both", []policy.Policy{standardAuth, erpProtect}, partner, map[string]line{
			"authentication":     {"API key", src(standardAuth), []policy.Source{dflt}},
			"rateLimit":          {"5 req/s, burst 5", override, []policy.Source{dflt, src(standardAuth), src(erpProtect)}},
			"maxPayloadBytes":    {"1 MiB", override, []policy.Source{dflt}},
			"retry":              {"3 attempts, fixed 30s", src(standardAuth), []policy.Source{dflt}},
			"priority":           {"Critical", src(erpProtect), []policy.Source{dflt}},
			"maintenanceWindows": {"ERP backup: Mon–Fri 22:00–02:00 America/Chicago", src(erpProtect), []policy.Source{dflt}},
			"auditLevel":         {"Full (metadata and payloads)", override, []policy.Source{dflt}},
		}},
		{"an empty window list clears earlier windows", []policy.Policy{erpProtect, noWindows}, nil, map[string]line{
			"rateLimit":          {"100 req/s, burst 200", src(erpProtect), []policy.Source{dflt}},
			"priority":           {"Critical", src(erpProtect), []policy.Source{dflt}},
			"maintenanceWindows": {"None", src(noWindows), []policy.Source{dflt, src(erpProtect)}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]line{}
			for k, v := range defaults {
				want[k] = v
			}
			for k, v := range tt.want {
				want[k] = v
			}
			got := map[string]line{}
			var order []string
			for _, f := range policy.Effective(tt.attached, tt.override).Fields() {
				got[f.Key] = line{f.Value, f.Source, f.Overridden}
				order = append(order, f.Key)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			wantOrder := []string{"authentication", "rateLimit", "maxPayloadBytes", "validationMode", "idempotency", "retry", "priority", "maintenanceWindows", "auditLevel"}
			if diff := cmp.Diff(wantOrder, order); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEffectiveSettings(t *testing.T) {
	if diff := cmp.Diff(policy.Defaults(), policy.Effective(nil, nil).Settings()); diff != "" {
		t.Errorf("defaults only (-want +got):\n%s", diff)
	}

	p := policy.Policy{ID: 1, Name: "windows", Version: 1, Settings: policy.Settings{
		MaintenanceWindows: []policy.Window{{Name: "a", TimeZone: "UTC", Days: []string{"mon"}, Start: "01:00", End: "02:00"}},
		Retry:              &policy.Retry{MaxAttempts: 2, Backoff: "linear", InitialSeconds: 5, MaxSeconds: 50},
	}}
	r := policy.Effective([]policy.Policy{p}, &policy.Settings{ValidationMode: "warn"})
	got := r.Settings()
	want := policy.Defaults()
	want.MaintenanceWindows = p.Settings.MaintenanceWindows
	want.Retry = p.Settings.Retry
	want.ValidationMode = "warn"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if v := got.Validate(); len(v) != 0 {
		t.Errorf("merged settings invalid: %v", v)
	}

	// The result shares nothing with the attached policies.
	got.MaintenanceWindows[0].Days[0] = "sun"
	got.Retry.MaxAttempts = 99
	r.MaintenanceWindows.Value[0].Name = "changed"
	if p.Settings.MaintenanceWindows[0].Days[0] != "mon" || p.Settings.Retry.MaxAttempts != 2 || p.Settings.MaintenanceWindows[0].Name != "a" {
		t.Errorf("changing the result changed the policy: %+v", p.Settings)
	}
}

func TestFormat(t *testing.T) {
	dflt := policy.Source{Kind: policy.SourceDefault}
	override := policy.Source{Kind: policy.SourceOverride}
	tests := []struct {
		name, got, want string
	}{
		{"bytes exact", policy.FormatBytes(512 << 10), "512 KiB"},
		{"bytes fraction", policy.FormatBytes(3 << 19), "1.5 MiB (1572864 bytes)"},
		{"bytes small", policy.FormatBytes(900), "900 bytes"},
		{"one byte", policy.FormatBytes(1), "1 byte"},
		{"hmac", policy.FormatAuthentication(policy.Authentication{Methods: []policy.AuthMethod{"api-key", "hmac-signature"}, HMAC: &policy.HMAC{Header: "X-Signature", Algorithm: "sha256"}}),
			"API key or HMAC signature (X-Signature, sha256)"},
		{"no retries", policy.FormatRetry(policy.Retry{MaxAttempts: 1, Backoff: "fixed", InitialSeconds: 1, MaxSeconds: 1}), "1 attempt, no retries"},
		{"key required", policy.FormatIdempotency(policy.Idempotency{Mode: "key-required", RetentionHours: 24}), "Key required, kept 24h"},
		{"warn", policy.FormatValidationMode("warn"), "Warn (accept and flag invalid documents)"},
		{"source policy", src(policy.Policy{Name: "standard-auth", Version: 2}).String(), "standard-auth v2"},
		{"source default", dflt.String(), "Built-in default"},
		{"source override", override.String(), "Partner override"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
