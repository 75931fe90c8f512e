package deprecation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/testenv"
)

// consumersByVersion is a ConsumerSource answering from a map.
type consumersByVersion struct {
	m     map[int64][]deprecation.Consumer
	asked *[]int64
}

func (c consumersByVersion) ConsumersOf(_ context.Context, ids []int64) (map[int64][]deprecation.Consumer, error) {
	*c.asked = append(*c.asked, ids...)
	return c.m, nil
}

func summary(es []deprecation.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		d := "-"
		if e.DaysLeft != nil {
			d = fmt.Sprint(*e.DaysLeft)
		}
		out[i] = fmt.Sprintf("%s %s %s | %s | days %s | successor %q | team %q", e.APISlug, e.Version, e.Lifecycle, e.Status, d, e.Successor, e.TeamName)
	}
	return out
}

func TestSchedule(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	s := seed{t, db}
	now := *at("2026-11-27T09:00:00Z")
	rel := func(d int) *time.Time { return ptr(now.Add(days(d))) }

	orders := s.team("orders", "Order team")
	warehouse := s.team("warehouse", "Warehouse team")
	intake := s.api("order-intake", "Order intake API", &orders)
	stock := s.api("stock-levels", "Stock levels", &warehouse)
	ship := s.api("ship-notice", "Shipment notice", nil)

	intake2 := s.version(ver{api: intake, version: "2.0.0", lifecycle: catalog.Published})
	intake1 := s.version(ver{api: intake, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: rel(-60), sunsetAt: rel(20), successor: &intake2})
	s.version(ver{api: intake, version: "0.9.0", lifecycle: catalog.Retired, deprecatedAt: rel(-200), sunsetAt: rel(-40), successor: &intake2})
	s.version(ver{api: intake, version: "3.0.0", lifecycle: catalog.Draft, sunsetAt: rel(5)})
	s.version(ver{api: stock, version: "1.0.0", lifecycle: catalog.Published, deprecatedAt: rel(10), sunsetAt: rel(100)})
	s.version(ver{api: stock, version: "0.5.0", lifecycle: catalog.Deprecated, deprecatedAt: rel(-90), sunsetAt: rel(-3)})
	s.version(ver{api: stock, version: "0.8.0", lifecycle: catalog.Deprecated, deprecatedAt: rel(-5)})
	s.version(ver{api: ship, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: rel(-1), sunsetAt: rel(20)})

	var asked []int64
	partner := deprecation.Consumer{Kind: "partner", ID: 7, Name: "ACME", Link: "/partners/acme"}
	src := consumersByVersion{m: map[int64][]deprecation.Consumer{intake1: {partner}}, asked: &asked}

	all, err := deprecation.Schedule(ctx, db, now, deprecation.Filter{}, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`order-intake 0.9.0 retired | retired | days -40 | successor "2.0.0" | team "Order team"`,
		`stock-levels 0.5.0 deprecated | sunset passed | days -3 | successor "" | team "Warehouse team"`,
		`order-intake 1.0.0 deprecated | upcoming | days 20 | successor "2.0.0" | team "Order team"`,
		`ship-notice 1.0.0 deprecated | upcoming | days 20 | successor "" | team ""`,
		`stock-levels 1.0.0 published | upcoming | days 100 | successor "" | team "Warehouse team"`,
		`stock-levels 0.8.0 deprecated | upcoming | days - | successor "" | team "Warehouse team"`,
	}
	if diff := cmp.Diff(want, summary(all)); diff != "" {
		t.Fatalf("schedule (-want +got):\n%s", diff)
	}
	if len(asked) != len(all) {
		t.Errorf("consumer source asked about %d versions, want %d in one call", len(asked), len(all))
	}
	for _, e := range all {
		switch {
		case e.VersionID == intake1:
			if diff := cmp.Diff([]deprecation.Consumer{partner}, e.Consumers); diff != "" {
				t.Errorf("consumers of order-intake 1.0.0 (-want +got):\n%s", diff)
			}
			if e.Link() != "/catalog/apis/order-intake" || !e.SunsetAt.Equal(now.Add(days(20))) {
				t.Errorf("order-intake 1.0.0: link %q sunset %v", e.Link(), e.SunsetAt)
			}
		case e.Consumers == nil || len(e.Consumers) != 0:
			t.Errorf("%s %s: consumers %#v, want an empty slice", e.APISlug, e.Version, e.Consumers)
		}
	}

	upcoming, past := deprecation.Split(all)
	if diff := cmp.Diff([]string{want[2], want[3], want[4], want[5]}, summary(upcoming)); diff != "" {
		t.Errorf("upcoming (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want[1], want[0]}, summary(past)); diff != "" {
		t.Errorf("past, most recent first (-want +got):\n%s", diff)
	}

	// Without a consumer source every entry still has an empty list.
	noSrc, err := deprecation.Schedule(ctx, db, now, deprecation.Filter{}, nil)
	if err != nil || len(noSrc) != len(all) || slices.ContainsFunc(noSrc, func(e deprecation.Entry) bool { return e.Consumers == nil || len(e.Consumers) > 0 }) {
		t.Errorf("schedule without consumer source: %v %d entries", err, len(noSrc))
	}

	filters := []struct {
		f    deprecation.Filter
		want []string
	}{
		{deprecation.Filter{Status: deprecation.StatusUpcoming}, want[2:]},
		{deprecation.Filter{Status: deprecation.StatusSunsetPassed}, want[1:2]},
		{deprecation.Filter{Status: deprecation.StatusRetired}, want[0:1]},
		{deprecation.Filter{Team: "warehouse"}, []string{want[1], want[4], want[5]}},
		{deprecation.Filter{API: "order-intake", Status: deprecation.StatusUpcoming}, want[2:3]},
		{deprecation.Filter{Query: "SHIPMENT"}, want[3:4]},
		{deprecation.Filter{Query: "levels_"}, nil},
		{deprecation.Filter{Status: deprecation.StatusUpcoming, SunsetBefore: now.Add(days(90))}, want[2:4]},
		{deprecation.Filter{SunsetBefore: now.Add(days(101))}, want[0:5]},
		{deprecation.Filter{SunsetBefore: now.Add(days(-50))}, nil},
	}
	for _, tt := range filters {
		got, err := deprecation.Schedule(ctx, db, now, tt.f, nil)
		if err != nil {
			t.Fatalf("%+v: %v", tt.f, err)
		}
		if diff := cmp.Diff(tt.want, summary(got), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("filter %+v (-want +got):\n%s", tt.f, diff)
		}
	}
	if _, err := deprecation.Schedule(ctx, db, now, deprecation.Filter{Status: "soon"}, nil); !errors.Is(err, deprecation.ErrInvalidFilter) {
		t.Errorf("unknown status: got %v, want ErrInvalidFilter", err)
	}

	// Days left move with now: a day later, one fewer.
	later, err := deprecation.Schedule(ctx, db, now.Add(days(1)), deprecation.Filter{API: "ship-notice"}, nil)
	if err != nil || len(later) != 1 || *later[0].DaysLeft != 19 {
		t.Errorf("a day later: %v %v", err, summary(later))
	}
}

// BenchmarkSchedule measures the schedule on 30,000 versions (3,000 APIs
// with 10 versions each, half of them with a deprecation plan).
func BenchmarkSchedule(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	s := seed{b, db}
	s.team("bench", "Bench team")
	if err := db.Exec(`INSERT INTO apis (slug, name, kind, domain, owner_team_id)
	    SELECT 'api-' || i, 'API ' || i, 'process', 'order', (SELECT id FROM teams LIMIT 1) FROM generate_series(1, 3000) i`).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO api_versions (api_id, version, major, minor, patch, lifecycle, deprecated_at, sunset_at)
	    SELECT a.id, v || '.0.0', v, 0, 0,
	           CASE WHEN v <= 3 THEN 'retired' WHEN v <= 5 THEN 'deprecated' ELSE 'published' END,
	           CASE WHEN v <= 5 THEN now() - (a.id % 300) * interval '1 day' END,
	           CASE WHEN v <= 5 THEN now() + ((a.id * v) % 400 - 100) * interval '1 day' + interval '200 days' END
	    FROM apis a CROSS JOIN generate_series(1, 10) v`).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		es, err := deprecation.Schedule(ctx, db, now, deprecation.Filter{}, nil)
		if err != nil || len(es) != 15000 {
			b.Fatalf("schedule: %v, %d entries", err, len(es))
		}
	}
}
