package policy_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/policy"
)

func ptr[T any](v T) *T { return &v }

// full is a document that sets every field.
func full() policy.Settings {
	return policy.Settings{
		Authentication:  &policy.Authentication{Methods: []policy.AuthMethod{"api-key", "hmac-signature"}, HMAC: &policy.HMAC{Header: "X-Signature", Algorithm: "sha256"}},
		RateLimit:       &policy.RateLimit{Rate: 20, Burst: 40},
		MaxPayloadBytes: ptr(int64(10 << 20)),
		ValidationMode:  "warn",
		Idempotency:     &policy.Idempotency{Mode: "key-required", RetentionHours: 24},
		Retry:           &policy.Retry{MaxAttempts: 8, Backoff: "linear", InitialSeconds: 10, MaxSeconds: 600},
		Priority:        "critical",
		MaintenanceWindows: []policy.Window{
			{Name: "ERP nightly backup", TimeZone: "America/Chicago", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "02:00"},
		},
		AuditLevel: "full",
	}
}

func TestValidate(t *testing.T) {
	window := func(mut func(*policy.Window)) []policy.Window {
		w := policy.Window{Name: "backup", TimeZone: "Europe/Berlin", Days: []string{"sat"}, Start: "01:00", End: "03:00"}
		mut(&w)
		return []policy.Window{w}
	}
	// want maps each field that must be reported to its message; "" accepts
	// any message. Fields not in want must not be reported.
	tests := []struct {
		name string
		in   policy.Settings
		want map[string]string
	}{
		{"empty document", policy.Settings{}, map[string]string{}},
		{"built-in defaults", policy.Defaults(), map[string]string{}},
		{"every field set", full(), map[string]string{}},
		{"burst below rate", policy.Settings{RateLimit: &policy.RateLimit{Rate: 50, Burst: 10}},
			map[string]string{"rateLimit.burst": "Burst must be at least the rate."}},
		{"zero rate", policy.Settings{RateLimit: &policy.RateLimit{Rate: 0, Burst: 10}},
			map[string]string{"rateLimit.rate": "Rate must be at least 1 request per second."}},
		{"unknown auth method", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"basic"}}},
			map[string]string{"authentication.methods": `Unknown authentication method "basic": use api-key or hmac-signature.`}},
		{"duplicate auth method", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key", "api-key"}}},
			map[string]string{"authentication.methods": ""}},
		{"hmac method without settings", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"hmac-signature"}}},
			map[string]string{"authentication.hmac": ""}},
		{"hmac settings without the method", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key"}, HMAC: &policy.HMAC{Header: "X-Sig", Algorithm: "sha256"}}},
			map[string]string{"authentication.hmac": ""}},
		{"hmac bad header and algorithm", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"hmac-signature"}, HMAC: &policy.HMAC{Header: "X Sig:", Algorithm: "md5"}}},
			map[string]string{"authentication.hmac.header": "", "authentication.hmac.algorithm": "The HMAC algorithm must be sha256."}},
		{"no authentication is valid", policy.Settings{Authentication: &policy.Authentication{}}, map[string]string{}},
		{"zero payload", policy.Settings{MaxPayloadBytes: ptr(int64(0))}, map[string]string{"maxPayloadBytes": ""}},
		{"payload over 1 GiB", policy.Settings{MaxPayloadBytes: ptr(int64(2 << 30))}, map[string]string{"maxPayloadBytes": ""}},
		{"unknown validation mode", policy.Settings{ValidationMode: "strict"},
			map[string]string{"validationMode": `Validation mode must be enforce or warn, not "strict".`}},
		{"incomplete idempotency", policy.Settings{Idempotency: &policy.Idempotency{}},
			map[string]string{"idempotency.mode": "", "idempotency.retentionHours": ""}},
		{"retry all wrong", policy.Settings{Retry: &policy.Retry{MaxAttempts: 0, Backoff: "random", InitialSeconds: 0, MaxSeconds: 0}},
			map[string]string{"retry.maxAttempts": "", "retry.backoff": "Backoff must be exponential, linear or fixed.", "retry.initialSeconds": ""}},
		{"retry max below initial", policy.Settings{Retry: &policy.Retry{MaxAttempts: 3, Backoff: "exponential", InitialSeconds: 60, MaxSeconds: 30}},
			map[string]string{"retry.maxSeconds": "The longest delay must be at least the first delay."}},
		{"unknown priority", policy.Settings{Priority: "urgent"}, map[string]string{"priority": ""}},
		{"unknown audit level", policy.Settings{AuditLevel: "verbose"}, map[string]string{"auditLevel": ""}},
		{"window in an unknown zone", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.TimeZone = "America/Chicag" })},
			map[string]string{"maintenanceWindows[0].timeZone": `"America/Chicag" is not a known IANA time zone; use a name such as America/Chicago or Europe/Berlin.`}},
		{"window in the server's zone", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.TimeZone = "Local" })},
			map[string]string{"maintenanceWindows[0].timeZone": ""}},
		{"window with bad days and times", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) {
			w.Name, w.Days, w.Start, w.End = " ", []string{"monday"}, "25:00", "2:00"
		})}, map[string]string{"maintenanceWindows[0].name": "", "maintenanceWindows[0].days": `Use mon, tue, wed, thu, fri, sat or sun (got "monday").`,
			"maintenanceWindows[0].start": "", "maintenanceWindows[0].end": ""}},
		{"window without days", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.Days = nil })},
			map[string]string{"maintenanceWindows[0].days": "Pick at least one day."}},
		{"window of zero length", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.End = w.Start })},
			map[string]string{"maintenanceWindows[0].end": ""}},
		{"window to the end of the day", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.Start, w.End = "00:00", "24:00" })},
			map[string]string{}},
		{"24:00 is not a start", policy.Settings{MaintenanceWindows: window(func(w *policy.Window) { w.Start = "24:00" })},
			map[string]string{"maintenanceWindows[0].start": ""}},
		{"two windows with one name", policy.Settings{MaintenanceWindows: append(window(func(*policy.Window) {}), window(func(w *policy.Window) { w.Name = "Backup" })...)},
			map[string]string{"maintenanceWindows[1].name": ""}},
		{"empty window list is valid", policy.Settings{MaintenanceWindows: []policy.Window{}}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Validate()
			gotKeys, wantKeys := keys(got), keys(tt.want)
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Fatalf("reported fields (-want +got):\n%s\nmessages: %v", diff, got)
			}
			for k, want := range tt.want {
				if got[k] == "" {
					t.Errorf("%s: empty message", k)
				}
				if want != "" && got[k] != want {
					t.Errorf("%s: got %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The JSON form is what catalog files and the settings column hold: the
// names must stay stable.
func TestSettingsJSONIsStable(t *testing.T) {
	b, err := json.Marshal(full())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"authentication":{"methods":["api-key","hmac-signature"],"hmac":{"header":"X-Signature","algorithm":"sha256"}},` +
		`"rateLimit":{"rate":20,"burst":40},"maxPayloadBytes":10485760,"validationMode":"warn",` +
		`"idempotency":{"mode":"key-required","retentionHours":24},` +
		`"retry":{"maxAttempts":8,"backoff":"linear","initialSeconds":10,"maxSeconds":600},"priority":"critical",` +
		`"maintenanceWindows":[{"name":"ERP nightly backup","timeZone":"America/Chicago","days":["mon","tue","wed","thu","fri"],"start":"22:00","end":"02:00"}],` +
		`"auditLevel":"full"}`
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}

	tests := []struct {
		name string
		in   policy.Settings
		want string
	}{
		{"unset fields are omitted", policy.Settings{Priority: "low"}, `{"priority":"low"}`},
		{"an empty window list is kept", policy.Settings{MaintenanceWindows: []policy.Window{}}, `{"maintenanceWindows":[]}`},
		{"no authentication is kept", policy.Settings{Authentication: &policy.Authentication{}}, `{"authentication":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
			back, err := policy.ParseSettings(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.in, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    policy.Settings
		wantErr string
	}{
		{"full document", mustJSON(t, full()), full(), ""},
		{"wrong case in a field name", `{"ratelimit":{"rate":1,"burst":1}}`, policy.Settings{}, `field "ratelimit" must be spelled "rateLimit"`},
		{"wrong case inside a list", `{"maintenanceWindows":[{"Name":"x"}]}`, policy.Settings{}, `field "maintenanceWindows[0].Name" must be spelled "maintenanceWindows[0].name"`},
		{"unknown field", `{"rateLimits":{}}`, policy.Settings{}, `unknown field "rateLimits"`},
		{"typo in a nested name", `{"retry":{"attempts":3}}`, policy.Settings{}, `unknown field "attempts"`},
		{"trailing data", `{} {}`, policy.Settings{}, "unexpected data"},
		{"wrong type", `{"rateLimit":{"rate":"fast"}}`, policy.Settings{}, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.ParseSettings([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPriorityRank(t *testing.T) {
	tests := []struct {
		p    policy.Priority
		want int
	}{{"critical", 0}, {"high", 1}, {"normal", 2}, {"low", 3}, {"", 2}, {"bogus", 2}}
	for _, tt := range tests {
		if got := tt.p.Rank(); got != tt.want {
			t.Errorf("%q.Rank(): got %d, want %d", tt.p, got, tt.want)
		}
	}
}
