package deprecation_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/deprecation"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestHeaders(t *testing.T) {
	now := *at("2026-11-27T09:00:00Z")
	berlin := time.FixedZone("CET", 3600)
	sunsetBerlin := time.Date(2027, 1, 15, 1, 0, 0, 0, berlin)
	const successor = "https://api.example.com/orders/v2"
	link := `<https://api.example.com/orders/v2>; rel="successor-version"`

	tests := []struct {
		name        string
		v           catalog.Version
		successor   string
		want        http.Header
		wantRetired bool
	}{
		{
			name:      "deprecated with sunset and successor",
			v:         catalog.Version{Lifecycle: catalog.Deprecated, DeprecatedAt: at("2026-06-01T12:00:00Z"), SunsetAt: at("2026-12-31T23:59:59Z")},
			successor: successor,
			want: http.Header{
				"Deprecation": {"@1780315200"},
				"Sunset":      {"Thu, 31 Dec 2026 23:59:59 GMT"},
				"Link":        {link},
			},
		},
		{
			name: "deprecated without sunset or successor",
			v:    catalog.Version{Lifecycle: catalog.Deprecated, DeprecatedAt: at("2026-06-01T12:00:00Z")},
			want: http.Header{"Deprecation": {"@1780315200"}},
		},
		{
			name: "sunset in another zone is written in GMT",
			v:    catalog.Version{Lifecycle: catalog.Deprecated, DeprecatedAt: at("2026-06-01T12:00:00Z"), SunsetAt: &sunsetBerlin},
			want: http.Header{"Deprecation": {"@1780315200"}, "Sunset": {"Fri, 15 Jan 2027 00:00:00 GMT"}},
		},
		{
			name: "deprecated without deprecated_at uses its last update",
			v:    catalog.Version{Lifecycle: catalog.Deprecated, UpdatedAt: *at("2026-11-20T08:30:00Z")},
			want: http.Header{"Deprecation": {"@1795163400"}},
		},
		{
			name: "deprecated without any date is deprecated now",
			v:    catalog.Version{Lifecycle: catalog.Deprecated},
			want: http.Header{"Deprecation": {"@1795770000"}},
		},
		{
			name:      "published without a plan gets nothing, even with a successor",
			v:         catalog.Version{Lifecycle: catalog.Published},
			successor: successor,
			want:      http.Header{},
		},
		{
			name:      "published with a future deprecation announces it",
			v:         catalog.Version{Lifecycle: catalog.Published, DeprecatedAt: at("2027-01-15T00:00:00Z")},
			successor: successor,
			want:      http.Header{"Deprecation": {"@1799971200"}, "Link": {link}},
		},
		{
			name: "published with a sunset only",
			v:    catalog.Version{Lifecycle: catalog.Published, SunsetAt: at("2027-01-15T00:00:00Z")},
			want: http.Header{"Sunset": {"Fri, 15 Jan 2027 00:00:00 GMT"}},
		},
		{
			name:      "draft gets nothing",
			v:         catalog.Version{Lifecycle: catalog.Draft, DeprecatedAt: at("2026-06-01T12:00:00Z")},
			successor: successor,
			want:      http.Header{},
		},
		{
			name:      "retired",
			v:         catalog.Version{Lifecycle: catalog.Retired, DeprecatedAt: at("2026-06-01T12:00:00Z"), SunsetAt: at("2026-11-20T08:30:00Z")},
			successor: successor,
			want: http.Header{
				"Deprecation": {"@1780315200"},
				"Sunset":      {"Fri, 20 Nov 2026 08:30:00 GMT"},
				"Link":        {link},
			},
			wantRetired: true,
		},
		{
			name:        "sunset passed while still deprecated",
			v:           catalog.Version{Lifecycle: catalog.Deprecated, DeprecatedAt: at("2026-06-01T12:00:00Z"), SunsetAt: at("2026-11-27T09:00:00Z")},
			want:        http.Header{"Deprecation": {"@1780315200"}, "Sunset": {"Fri, 27 Nov 2026 09:00:00 GMT"}},
			wantRetired: true,
		},
		{
			name: "sunset one second away is still served",
			v:    catalog.Version{Lifecycle: catalog.Deprecated, DeprecatedAt: at("2026-06-01T12:00:00Z"), SunsetAt: at("2026-11-27T09:00:01Z")},
			want: http.Header{"Deprecation": {"@1780315200"}, "Sunset": {"Fri, 27 Nov 2026 09:00:01 GMT"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, retired := deprecation.Headers(tt.v, tt.successor, now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if retired != tt.wantRetired {
				t.Errorf("retired = %v, want %v", retired, tt.wantRetired)
			}
		})
	}
}

func TestDaysUntilAndTitle(t *testing.T) {
	now := *at("2026-11-27T09:00:00Z")
	tests := []struct {
		sunset    string
		wantDays  int
		wantTitle string
	}{
		{"2026-12-27T09:00:00Z", 30, "Order intake API 1.0.0 sunsets in 30 days (2026-12-27)"},
		{"2026-11-28T00:30:00Z", 1, "Order intake API 1.0.0 sunsets in 1 day (2026-11-28)"},
		{"2026-11-27T23:00:00Z", 0, "Order intake API 1.0.0 sunsets today (2026-11-27)"},
		{"2026-11-24T10:00:00Z", -3, "Order intake API 1.0.0 sunset passed (2026-11-24)"},
	}
	for _, tt := range tests {
		s := *at(tt.sunset)
		if got := deprecation.DaysUntil(now, s); got != tt.wantDays {
			t.Errorf("DaysUntil(%s) = %d, want %d", tt.sunset, got, tt.wantDays)
		}
		if got := deprecation.Title("Order intake API", "1.0.0", s, now); got != tt.wantTitle {
			t.Errorf("Title(%s) = %q, want %q", tt.sunset, got, tt.wantTitle)
		}
	}
}
