package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/policy"
)

func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWindowContains(t *testing.T) {
	weeknights := policy.Window{Name: "ERP backup", TimeZone: "America/Chicago", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "02:00"}
	office := policy.Window{Name: "office hours", TimeZone: "America/Chicago", Days: policy.Weekdays(), Start: "09:00", End: "17:00"}
	// 2026-11-01 is a Sunday: Chicago goes from CDT (UTC-5) back to CST
	// (UTC-6) at 02:00, so 01:00-02:00 happens twice.
	fallBack := policy.Window{Name: "fall back", TimeZone: "America/Chicago", Days: []string{"sun"}, Start: "01:00", End: "02:00"}
	// 2026-03-08 is a Sunday: Chicago jumps from 02:00 CST to 03:00 CDT.
	springForward := policy.Window{Name: "spring forward", TimeZone: "America/Chicago", Days: []string{"sat"}, Start: "23:00", End: "03:30"}
	// 2026-10-25 is a Sunday: Berlin goes from 03:00 CEST back to 02:00 CET.
	berlin := policy.Window{Name: "berlin", TimeZone: "Europe/Berlin", Days: []string{"sun"}, Start: "02:00", End: "03:00"}
	endOfDay := policy.Window{Name: "evening", TimeZone: "UTC", Days: []string{"sat"}, Start: "20:00", End: "24:00"}

	tests := []struct {
		name string
		w    policy.Window
		at   string // UTC
		want bool
	}{
		// Crossing midnight (January, CST = UTC-6; 2026-01-16 is a Friday).
		{"Friday 23:00 is inside", weeknights, "2026-01-17T05:00:00Z", true},
		{"Saturday 01:30 is inside the window opened Friday", weeknights, "2026-01-17T07:30:00Z", true},
		{"Saturday 02:00 is the end, outside", weeknights, "2026-01-17T08:00:00Z", false},
		{"Saturday 23:00 is outside (not a listed day)", weeknights, "2026-01-18T05:00:00Z", false},
		{"Monday 01:00 is outside (Sunday did not open it)", weeknights, "2026-01-19T07:00:00Z", false},
		{"Monday 21:59 is outside", weeknights, "2026-01-20T03:59:00Z", false},
		{"Monday 22:00 opens it", weeknights, "2026-01-20T04:00:00Z", true},
		// Summer (CDT = UTC-5): 03:30Z is 22:30 local, inside; a fixed UTC-6
		// offset would say 21:30 and miss it.
		{"Friday 22:30 in July is inside", weeknights, "2026-07-18T03:30:00Z", true},
		{"Friday 21:30 in July is outside", weeknights, "2026-07-18T02:30:00Z", false},
		// Same UTC instant, different side of the window in winter and summer.
		{"14:30Z in January is 08:30 CST, outside", office, "2026-01-15T14:30:00Z", false},
		{"14:30Z in July is 09:30 CDT, inside", office, "2026-07-15T14:30:00Z", true},
		{"22:30Z in January is 16:30 CST, inside", office, "2026-01-15T22:30:00Z", true},
		{"22:30Z in July is 17:30 CDT, outside", office, "2026-07-15T22:30:00Z", false},
		// Clocks go back: both 01:30s are inside.
		{"00:59 CDT before the window", fallBack, "2026-11-01T05:59:00Z", false},
		{"first 01:30 (CDT) inside", fallBack, "2026-11-01T06:30:00Z", true},
		{"second 01:30 (CST) inside", fallBack, "2026-11-01T07:30:00Z", true},
		{"02:00 CST closes it", fallBack, "2026-11-01T08:00:00Z", false},
		// Clocks go forward during a window crossing midnight.
		{"Saturday 22:59 CST before it", springForward, "2026-03-08T04:59:00Z", false},
		{"Saturday 23:00 CST opens it", springForward, "2026-03-08T05:00:00Z", true},
		{"Sunday 01:59 CST inside", springForward, "2026-03-08T07:59:00Z", true},
		{"Sunday 03:00 CDT, right after the jump, inside", springForward, "2026-03-08T08:00:00Z", true},
		{"Sunday 03:30 CDT closes it", springForward, "2026-03-08T08:30:00Z", false},
		// Europe/Berlin clocks go back: 02:00-03:00 happens twice.
		{"01:59 CEST before it", berlin, "2026-10-24T23:59:00Z", false},
		{"02:30 CEST inside", berlin, "2026-10-25T00:30:00Z", true},
		{"02:30 CET inside", berlin, "2026-10-25T01:30:00Z", true},
		{"03:00 CET closes it", berlin, "2026-10-25T02:00:00Z", false},
		// End of day.
		{"Saturday 23:59 inside a window ending 24:00", endOfDay, "2026-01-17T23:59:59Z", true},
		{"Sunday 00:00 outside a window ending 24:00", endOfDay, "2026-01-18T00:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.w.Contains(utc(t, tt.at))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				local := utc(t, tt.at).In(mustZone(t, tt.w.TimeZone))
				t.Errorf("%s contains %s (%s local): got %v, want %v", tt.w, tt.at, local.Format("Mon 15:04 MST"), got, tt.want)
			}
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWindowContainsRejectsInvalidWindows(t *testing.T) {
	tests := []struct {
		name string
		w    policy.Window
		want string
	}{
		{"unknown zone", policy.Window{Name: "x", TimeZone: "Mars/Olympus", Days: []string{"mon"}, Start: "01:00", End: "02:00"}, "timeZone"},
		{"bad start", policy.Window{Name: "x", TimeZone: "UTC", Days: []string{"mon"}, Start: "1am", End: "02:00"}, "start"},
		{"no days", policy.Window{Name: "x", TimeZone: "UTC", Start: "01:00", End: "02:00"}, "days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.w.Contains(time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "policy: ") {
				t.Fatalf("got (%v, %v), want an error naming %s", got, err, tt.want)
			}
		})
	}
}

func TestInMaintenance(t *testing.T) {
	invalid := policy.Window{Name: "broken", TimeZone: "Nowhere/Nothing", Days: policy.Weekdays(), Start: "00:00", End: "24:00"}
	erp := policy.Window{Name: "ERP", TimeZone: "America/Chicago", Days: []string{"fri"}, Start: "22:00", End: "02:00"}
	wms := policy.Window{Name: "WMS", TimeZone: "Europe/Berlin", Days: []string{"sat"}, Start: "06:00", End: "10:00"}
	windows := []policy.Window{invalid, erp, wms}
	tests := []struct {
		name     string
		at       string
		wantName string
		wantOK   bool
	}{
		{"inside the Chicago window", "2026-01-17T05:00:00Z", "ERP", true},
		{"inside the Berlin window", "2026-01-17T08:30:00Z", "WMS", true}, // 09:30 CET, 02:30 CST
		{"outside both", "2026-01-17T12:00:00Z", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := policy.InMaintenance(windows, utc(t, tt.at))
			if ok != tt.wantOK || got.Name != tt.wantName {
				t.Errorf("got (%q, %v), want (%q, %v)", got.Name, ok, tt.wantName, tt.wantOK)
			}
		})
	}
	if _, ok := policy.InMaintenance(nil, time.Now()); ok {
		t.Error("no windows: got in maintenance")
	}
}

func TestWindowString(t *testing.T) {
	tests := []struct {
		days []string
		want string
	}{
		{[]string{"mon", "tue", "wed", "thu", "fri"}, "Mon–Fri 22:00–02:00 America/Chicago"},
		{[]string{"fri", "mon", "wed"}, "Mon, Wed, Fri 22:00–02:00 America/Chicago"},
		{[]string{"sat", "sun"}, "Sat, Sun 22:00–02:00 America/Chicago"},
		{[]string{"sun", "mon", "tue", "thu"}, "Mon, Tue, Thu, Sun 22:00–02:00 America/Chicago"},
		{[]string{"fri", "thu", "sat", "sun"}, "Thu–Sun 22:00–02:00 America/Chicago"},
		{policy.Weekdays(), "Every day 22:00–02:00 America/Chicago"},
	}
	for _, tt := range tests {
		w := policy.Window{Name: "x", TimeZone: "America/Chicago", Days: tt.days, Start: "22:00", End: "02:00"}
		if got := w.String(); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.days, got, tt.want)
		}
	}
}
