package policy_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/policy"
)

// fullForm is full() as a person fills in the form.
func fullForm() policy.Form {
	return policy.Form{
		AuthMethods: "api-key,hmac-signature", HMACHeader: "X-Signature", HMACAlgorithm: "sha256",
		Rate: "20", Burst: "40",
		MaxPayload: "10", MaxPayloadUnit: "MiB",
		ValidationMode:  "warn",
		IdempotencyMode: "key-required", RetentionHours: "24",
		RetryMaxAttempts: "8", RetryBackoff: "linear", RetryInitialSeconds: "10", RetryMaxSeconds: "600",
		Priority: "critical", AuditLevel: "full",
		Windows: []policy.WindowForm{
			{Name: "ERP nightly backup", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "02:00", TimeZone: "America/Chicago"},
			{}, // the empty row for adding one
		},
	}
}

func TestFormSettings(t *testing.T) {
	backup := func(mut func(*policy.WindowForm)) policy.WindowForm {
		w := policy.WindowForm{Name: "Backup", Days: []string{"sat"}, Start: "01:00", End: "03:00", TimeZone: "Europe/Berlin"}
		mut(&w)
		return w
	}
	same := func(*policy.WindowForm) {}
	// want is the document; wantErrs maps each field that must be reported
	// to a part of its message ("" accepts any message). Fields not in
	// wantErrs must not be reported.
	tests := []struct {
		name     string
		form     policy.Form
		want     policy.Settings
		wantErrs map[string]string
	}{
		{"blank form sets nothing", policy.Form{Windows: []policy.WindowForm{{}}}, policy.Settings{}, nil},
		{"every field", fullForm(), full(), nil},
		{"no authentication", policy.Form{AuthMethods: "none"}, policy.Settings{Authentication: &policy.Authentication{}}, nil},
		{"hmac details are ignored without the hmac method", policy.Form{AuthMethods: "api-key", HMACHeader: "X-Sig", HMACAlgorithm: "sha256"},
			policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"api-key"}}}, nil},
		{"hmac algorithm defaults to sha256", policy.Form{AuthMethods: "hmac-signature", HMACHeader: " X-Sig "},
			policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"hmac-signature"}, HMAC: &policy.HMAC{Header: "X-Sig", Algorithm: "sha256"}}}, nil},
		{"hmac without a header", policy.Form{AuthMethods: "hmac-signature"}, policy.Settings{},
			map[string]string{"authentication.hmac.header": "Name the HTTP header"}},
		{"hmac header that is not a header name", policy.Form{AuthMethods: "hmac-signature", HMACHeader: "X Signature:"}, policy.Settings{},
			map[string]string{"authentication.hmac.header": "Name the HTTP header"}},
		{"unknown method posted", policy.Form{AuthMethods: "basic"}, policy.Settings{},
			map[string]string{"authentication.methods": `Unknown authentication method "basic"`}},
		{"rate without burst", policy.Form{Rate: "50"}, policy.Settings{},
			map[string]string{"rateLimit.burst": "Set the burst too"}},
		{"burst without rate", policy.Form{Burst: "50"}, policy.Settings{},
			map[string]string{"rateLimit.rate": "Set the rate too"}},
		{"rate in words", policy.Form{Rate: "fifty", Burst: "100"}, policy.Settings{},
			map[string]string{"rateLimit.rate": "whole number of requests per second"}},
		{"negative burst", policy.Form{Rate: "5", Burst: "-1"}, policy.Settings{},
			map[string]string{"rateLimit.burst": "whole number"}},
		{"burst below rate", policy.Form{Rate: "50", Burst: "10"}, policy.Settings{},
			map[string]string{"rateLimit.burst": "Burst must be at least the rate."}},
		{"payload in MiB with decimals", policy.Form{MaxPayload: "1.5", MaxPayloadUnit: "MiB"}, policy.Settings{MaxPayloadBytes: ptr(int64(1572864))}, nil},
		{"payload in bytes", policy.Form{MaxPayload: "900", MaxPayloadUnit: "bytes"}, policy.Settings{MaxPayloadBytes: ptr(int64(900))}, nil},
		{"payload without a unit is bytes", policy.Form{MaxPayload: "4096"}, policy.Settings{MaxPayloadBytes: ptr(int64(4096))}, nil},
		{"unit alone sets nothing", policy.Form{MaxPayloadUnit: "MiB"}, policy.Settings{}, nil},
		{"payload that is not whole bytes", policy.Form{MaxPayload: "0.3", MaxPayloadUnit: "KiB"}, policy.Settings{},
			map[string]string{"maxPayloadBytes": "0.3 KiB is 307.2 bytes"}},
		{"payload over 1 GiB", policy.Form{MaxPayload: "2", MaxPayloadUnit: "GiB"}, policy.Settings{},
			map[string]string{"maxPayloadBytes": "between 1 byte and 1 GiB"}},
		{"payload zero", policy.Form{MaxPayload: "0", MaxPayloadUnit: "MiB"}, policy.Settings{},
			map[string]string{"maxPayloadBytes": "between 1 byte and 1 GiB"}},
		{"payload in words", policy.Form{MaxPayload: "5 MB", MaxPayloadUnit: "MiB"}, policy.Settings{},
			map[string]string{"maxPayloadBytes": "Write the size as a number"}},
		{"unknown unit", policy.Form{MaxPayload: "1", MaxPayloadUnit: "TiB"}, policy.Settings{},
			map[string]string{"maxPayloadBytes": "Choose bytes, KiB, MiB or GiB."}},
		{"retention without mode", policy.Form{RetentionHours: "24"}, policy.Settings{},
			map[string]string{"idempotency.mode": "Choose where the idempotency key comes from"}},
		{"mode without retention", policy.Form{IdempotencyMode: "derived"}, policy.Settings{},
			map[string]string{"idempotency.retentionHours": "Say how long keys are kept"}},
		{"retention too long", policy.Form{IdempotencyMode: "derived", RetentionHours: "9000"}, policy.Settings{},
			map[string]string{"idempotency.retentionHours": "between 1 and 8784 hours"}},
		{"fixed backoff needs no longest delay", policy.Form{RetryMaxAttempts: "3", RetryBackoff: "fixed", RetryInitialSeconds: "30"},
			policy.Settings{Retry: &policy.Retry{MaxAttempts: 3, Backoff: "fixed", InitialSeconds: 30, MaxSeconds: 30}}, nil},
		{"exponential backoff needs the longest delay", policy.Form{RetryMaxAttempts: "3", RetryBackoff: "exponential", RetryInitialSeconds: "30"}, policy.Settings{},
			map[string]string{"retry.maxSeconds": "Needed with the other retry settings."}},
		{"retry attempts alone", policy.Form{RetryMaxAttempts: "3"}, policy.Settings{},
			map[string]string{"retry.backoff": "Choose how the delay", "retry.initialSeconds": "Needed", "retry.maxSeconds": "Needed"}},
		{"retry longest delay below the first", policy.Form{RetryMaxAttempts: "3", RetryBackoff: "linear", RetryInitialSeconds: "60", RetryMaxSeconds: "30"}, policy.Settings{},
			map[string]string{"retry.maxSeconds": "The longest delay must be at least the first delay."}},
		{"priority posted that is not offered", policy.Form{Priority: "urgent"}, policy.Settings{},
			map[string]string{"priority": `not "urgent"`}},
		{"audit level posted that is not offered", policy.Form{AuditLevel: "verbose"}, policy.Settings{},
			map[string]string{"auditLevel": `not "verbose"`}},
		{"no windows is an empty list", policy.Form{NoWindows: true, Windows: []policy.WindowForm{{}}},
			policy.Settings{MaintenanceWindows: []policy.Window{}}, nil},
		{"no windows and a window", policy.Form{NoWindows: true, Windows: []policy.WindowForm{backup(same)}}, policy.Settings{},
			map[string]string{"maintenanceWindows.none": "Untick"}},
		{"removed and blank rows are ignored", policy.Form{Windows: []policy.WindowForm{backup(func(w *policy.WindowForm) { w.Remove, w.TimeZone = true, "Mars/Olympus" }), {}, backup(same)}},
			policy.Settings{MaintenanceWindows: []policy.Window{{Name: "Backup", Days: []string{"sat"}, Start: "01:00", End: "03:00", TimeZone: "Europe/Berlin"}}}, nil},
		{"removing every window unsets the list", policy.Form{Windows: []policy.WindowForm{backup(func(w *policy.WindowForm) { w.Remove = true })}}, policy.Settings{}, nil},
		{"days in week order and short times", policy.Form{Windows: []policy.WindowForm{backup(func(w *policy.WindowForm) { w.Days, w.Start, w.End = []string{"sun", "mon"}, "9:00", "17:30" })}},
			policy.Settings{MaintenanceWindows: []policy.Window{{Name: "Backup", Days: []string{"mon", "sun"}, Start: "09:00", End: "17:30", TimeZone: "Europe/Berlin"}}}, nil},
		{"a window's errors name its form row, not its place in the list",
			policy.Form{Windows: []policy.WindowForm{backup(func(w *policy.WindowForm) { w.Remove = true }), {}, backup(func(w *policy.WindowForm) { w.TimeZone, w.Days = "America/Chicag", nil })}},
			policy.Settings{}, map[string]string{"maintenanceWindows[2].timeZone": `"America/Chicag" is not a known IANA time zone`, "maintenanceWindows[2].days": "Pick at least one day."}},
		{"a row with only a name", policy.Form{Windows: []policy.WindowForm{{Name: "Stocktake"}}}, policy.Settings{},
			map[string]string{"maintenanceWindows[0].days": "", "maintenanceWindows[0].start": "", "maintenanceWindows[0].end": "", "maintenanceWindows[0].timeZone": ""}},
		{"two windows with one name", policy.Form{Windows: []policy.WindowForm{backup(same), {}, backup(func(w *policy.WindowForm) { w.Name = "backup" })}}, policy.Settings{},
			map[string]string{"maintenanceWindows[2].name": "Another maintenance window has this name already."}},
		{"a window ending when it starts", policy.Form{Windows: []policy.WindowForm{backup(func(w *policy.WindowForm) { w.End = "01:00" })}}, policy.Settings{},
			map[string]string{"maintenanceWindows[0].end": "must end at a different time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := tt.form.Settings()
			if diff := cmp.Diff(keys(tt.wantErrs), keys(errs)); diff != "" {
				t.Fatalf("reported fields (-want +got):\n%s\nmessages: %v", diff, errs)
			}
			for k, want := range tt.wantErrs {
				if errs[k] == "" || !strings.Contains(errs[k], want) {
					t.Errorf("%s: got %q, want a message containing %q", k, errs[k], want)
				}
			}
			if len(tt.wantErrs) > 0 {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}
}

// What an edit starts from gives back the stored document unchanged.
func TestFormForRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   policy.Settings
		form policy.Form // the fields worth checking; zero to skip
	}{
		{"empty", policy.Settings{}, policy.Form{}},
		{"built-in defaults", policy.Defaults(), policy.Form{}},
		{"every field", full(), policy.Form{}},
		{"no authentication", policy.Settings{Authentication: &policy.Authentication{}}, policy.Form{AuthMethods: "none"}},
		{"methods in any order", policy.Settings{Authentication: &policy.Authentication{Methods: []policy.AuthMethod{"hmac-signature", "api-key"}, HMAC: &policy.HMAC{Header: "X-Sig", Algorithm: "sha256"}}},
			policy.Form{AuthMethods: "api-key,hmac-signature", HMACHeader: "X-Sig", HMACAlgorithm: "sha256"}},
		{"payload in MiB", policy.Settings{MaxPayloadBytes: ptr(int64(20 << 20))}, policy.Form{MaxPayload: "20", MaxPayloadUnit: "MiB"}},
		{"payload in KiB", policy.Settings{MaxPayloadBytes: ptr(int64(1536 << 10))}, policy.Form{MaxPayload: "1536", MaxPayloadUnit: "KiB"}},
		{"payload in GiB", policy.Settings{MaxPayloadBytes: ptr(int64(1 << 30))}, policy.Form{MaxPayload: "1", MaxPayloadUnit: "GiB"}},
		{"payload in bytes", policy.Settings{MaxPayloadBytes: ptr(int64(1000))}, policy.Form{MaxPayload: "1000", MaxPayloadUnit: "bytes"}},
		{"no maintenance windows", policy.Settings{MaintenanceWindows: []policy.Window{}}, policy.Form{NoWindows: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := policy.FormFor(tt.in)
			if !cmp.Equal(tt.form, policy.Form{}) {
				if diff := cmp.Diff(tt.form, f); diff != "" {
					t.Errorf("form (-want +got):\n%s", diff)
				}
			}
			got, errs := f.Settings()
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			want := tt.in.Clone()
			if a := want.Authentication; a != nil && len(a.Methods) == 2 {
				a.Methods = []policy.AuthMethod{"api-key", "hmac-signature"} // the form's order
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	v := url.Values{
		"authentication.methods": {"hmac-signature"}, "authentication.hmac.header": {"  X-Signature "}, "authentication.hmac.algorithm": {"sha256"},
		"rateLimit.rate": {"200"}, "rateLimit.burst": {"400"},
		"maxPayloadBytes": {"20"}, "maxPayloadBytes.unit": {"MiB"},
		"maintenanceWindows.none": {"on"},
		// Rows come back in form order whatever the order of the keys, and
		// a row's days are every value of its checkboxes.
		"maintenanceWindows[10].name": {"Second"}, "maintenanceWindows[10].remove": {"on"},
		"maintenanceWindows[2].name": {"First"}, "maintenanceWindows[2].days": {"mon", "fri", "mon"},
		"maintenanceWindows[2].start": {"22:00"}, "maintenanceWindows[2].end": {"02:00"}, "maintenanceWindows[2].timeZone": {"America/Chicago"},
		"maintenanceWindows[x].name":  {"not a row"},
		"maintenanceWindows[3].color": {"not a field"},
	}
	want := policy.Form{
		AuthMethods: "hmac-signature", HMACHeader: "X-Signature", HMACAlgorithm: "sha256",
		Rate: "200", Burst: "400", MaxPayload: "20", MaxPayloadUnit: "MiB", NoWindows: true,
		Windows: []policy.WindowForm{
			{Name: "First", Days: []string{"mon", "fri"}, Start: "22:00", End: "02:00", TimeZone: "America/Chicago"},
			{Name: "Second", Remove: true},
		},
	}
	if diff := cmp.Diff(want, policy.ParseForm(v)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	many := url.Values{}
	for i := range policy.MaxFormWindows + 5 {
		many.Set(policy.WindowField(i, policy.WindowName), "w")
	}
	if n := len(policy.ParseForm(many).Windows); n != policy.MaxFormWindows {
		t.Errorf("read %d rows, want at most %d", n, policy.MaxFormWindows)
	}
}

func TestFormHelpers(t *testing.T) {
	for _, tt := range []struct {
		methods []policy.AuthMethod
		want    string
	}{{nil, "none"}, {[]policy.AuthMethod{"api-key"}, "api-key"}, {[]policy.AuthMethod{"hmac-signature", "api-key"}, "api-key,hmac-signature"}} {
		if got := policy.AuthFormValue(tt.methods); got != tt.want {
			t.Errorf("AuthFormValue(%v): got %q, want %q", tt.methods, got, tt.want)
		}
	}
	for _, tt := range []struct{ size, unit, want string }{
		{"20", "MiB", "20 MiB (20971520 bytes)"},
		{"1.5", "MiB", "1.5 MiB (1572864 bytes)"},
		{"900", "bytes", "900 bytes"},
		{"", "MiB", ""},
		{"0.3", "KiB", ""},
	} {
		if got := (policy.Form{MaxPayload: tt.size, MaxPayloadUnit: tt.unit}).PayloadInWords(); got != tt.want {
			t.Errorf("PayloadInWords(%s %s): got %q, want %q", tt.size, tt.unit, got, tt.want)
		}
	}
}
