package deprecation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/store"
)

// Schedule statuses.
const (
	StatusUpcoming     = "upcoming"      // sunset in the future, or not yet set
	StatusSunsetPassed = "sunset passed" // sunset reached; the runtime answers 410
	StatusRetired      = "retired"       // lifecycle retired
)

// ErrInvalidFilter is returned for a filter the schedule cannot apply.
var ErrInvalidFilter = errors.New("deprecation: invalid filter")

// Consumer is someone calling a version: a partner, an adapter... Filled by a
// ConsumerSource.
type Consumer struct {
	Kind string // "partner", "adapter", ...
	ID   int64
	Name string
	Link string // console path, e.g. "/partners/acme"
}

// ConsumerSource tells who consumes which versions. It is declared here, by
// the schedule that needs it; partners and adapters will implement it.
type ConsumerSource interface {
	ConsumersOf(ctx context.Context, versionIDs []int64) (map[int64][]Consumer, error)
}

// Filter selects schedule entries. The zero value selects everything.
type Filter struct {
	Team   string // owner team slug
	API    string // API slug
	Status string // StatusUpcoming, StatusSunsetPassed, StatusRetired; "" for all
	Query  string // case-insensitive part of the API name or slug
	// SunsetBefore, when not zero, keeps versions whose sunset is before
	// it; versions without a sunset date are left out.
	SunsetBefore time.Time
	// Past selects sunset-passed and retired versions together, most
	// recent sunset first (the schedule page's "Past" table).
	Past bool
	// Limit caps the rows returned (0 = all); pages show the soonest first.
	Limit int
}

// Entry is one version on the deprecation schedule.
type Entry struct {
	VersionID          int64
	APIID              int64
	APISlug            string
	APIName            string
	TeamSlug           string // "" when the API has no owner
	TeamName           string
	Version            string
	Lifecycle          catalog.Lifecycle
	DeprecatedAt       *time.Time
	SunsetAt           *time.Time
	SuccessorVersionID *int64
	Successor          string // successor version string, "" when none
	// DaysLeft counts calendar days (UTC) from now to the sunset: 0 on the
	// sunset day, negative once it is past, nil when no sunset is set.
	DaysLeft  *int
	Status    string
	Consumers []Consumer // never nil
}

// Link is the console path of the entry's API.
func (e Entry) Link() string { return "/catalog/apis/" + e.APISlug }

// scheduleRow is one row of the schedule query.
type scheduleRow struct {
	VersionID          int64
	APIID              int64
	APISlug            string
	APIName            string
	TeamSlug           string
	TeamName           string
	Version            string
	Lifecycle          catalog.Lifecycle
	DeprecatedAt       *time.Time
	SunsetAt           *time.Time
	SuccessorVersionID *int64
	Successor          string
}

// Schedule lists every version with a deprecation plan or past - deprecated,
// retired, or published with a deprecated_at or sunset_at - soonest sunset
// first (versions without a sunset last), in one query. consumers may be nil.
// Use Split to separate upcoming sunsets from past ones.
func Schedule(ctx context.Context, db *gorm.DB, now time.Time, f Filter, consumers ConsumerSource) ([]Entry, error) {
	where := []string{
		"v.lifecycle <> 'draft'",
		"(v.deprecated_at IS NOT NULL OR v.sunset_at IS NOT NULL OR v.lifecycle IN ('deprecated', 'retired'))",
	}
	var args []any
	if f.Team != "" {
		where = append(where, "t.slug = ?")
		args = append(args, f.Team)
	}
	if f.API != "" {
		where = append(where, "a.slug = ?")
		args = append(args, f.API)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := store.Contains(q)
		where = append(where, "(lower(a.name) LIKE ? OR a.slug LIKE ?)")
		args = append(args, like, like)
	}
	switch f.Status {
	case "":
	case StatusUpcoming:
		where = append(where, "v.lifecycle <> 'retired' AND (v.sunset_at IS NULL OR v.sunset_at > ?)")
		args = append(args, now)
	case StatusSunsetPassed:
		where = append(where, "v.lifecycle <> 'retired' AND v.sunset_at <= ?")
		args = append(args, now)
	case StatusRetired:
		where = append(where, "v.lifecycle = 'retired'")
	default:
		return nil, fmt.Errorf("%w: unknown status %q", ErrInvalidFilter, f.Status)
	}
	if !f.SunsetBefore.IsZero() {
		where = append(where, "v.sunset_at < ?")
		args = append(args, f.SunsetBefore)
	}
	order := "v.sunset_at ASC NULLS LAST"
	if f.Past {
		where = append(where, "(v.lifecycle = 'retired' OR v.sunset_at <= ?)")
		args = append(args, now)
		order = "v.sunset_at DESC NULLS LAST"
	}
	limit := ""
	if f.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	// deprecation schedule: versions with a deprecation plan, their API,
	// owner team and successor; ordered by sunset (api_versions_sunset_idx).
	q := `SELECT v.id AS version_id, v.api_id, a.slug AS api_slug, a.name AS api_name,
	             coalesce(t.slug, '') AS team_slug, coalesce(t.name, '') AS team_name,
	             v.version, v.lifecycle, v.deprecated_at, v.sunset_at,
	             v.successor_version_id, coalesce(s.version, '') AS successor
	      FROM api_versions v
	      JOIN apis a ON a.id = v.api_id
	      LEFT JOIN teams t ON t.id = a.owner_team_id
	      LEFT JOIN api_versions s ON s.id = v.successor_version_id
	      WHERE ` + strings.Join(where, " AND ") + `
	      ORDER BY ` + order + `, lower(a.name), a.id, v.major DESC, v.minor DESC, v.patch DESC, v.id` + limit
	rows, err := scanSchedule(db.WithContext(ctx).Raw(q, args...))
	if err != nil {
		return nil, fmt.Errorf("deprecation: schedule: %w", err)
	}

	var byVersion map[int64][]Consumer
	if consumers != nil && len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.VersionID
		}
		if byVersion, err = consumers.ConsumersOf(ctx, ids); err != nil {
			return nil, fmt.Errorf("deprecation: schedule consumers: %w", err)
		}
	}

	entries := make([]Entry, len(rows))
	for i, r := range rows {
		e := Entry{
			VersionID: r.VersionID, APIID: r.APIID, APISlug: r.APISlug, APIName: r.APIName,
			TeamSlug: r.TeamSlug, TeamName: r.TeamName,
			Version: r.Version, Lifecycle: r.Lifecycle,
			DeprecatedAt: r.DeprecatedAt, SunsetAt: r.SunsetAt,
			SuccessorVersionID: r.SuccessorVersionID, Successor: r.Successor,
			Status:    status(r.Lifecycle, r.SunsetAt, now),
			Consumers: []Consumer{},
		}
		if r.SunsetAt != nil {
			d := DaysUntil(now, *r.SunsetAt)
			e.DaysLeft = &d
		}
		if c := byVersion[r.VersionID]; len(c) > 0 {
			e.Consumers = c
		}
		entries[i] = e
	}
	return entries, nil
}

// scanSchedule reads the rows with explicit Scan calls: on tens of
// thousands of rows this is several times faster than GORM's reflection.
func scanSchedule(q *gorm.DB) ([]scheduleRow, error) {
	rs, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []scheduleRow
	for rs.Next() {
		var r scheduleRow
		if err := rs.Scan(&r.VersionID, &r.APIID, &r.APISlug, &r.APIName, &r.TeamSlug, &r.TeamName,
			&r.Version, &r.Lifecycle, &r.DeprecatedAt, &r.SunsetAt, &r.SuccessorVersionID, &r.Successor); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func status(l catalog.Lifecycle, sunset *time.Time, now time.Time) string {
	switch {
	case l == catalog.Retired:
		return StatusRetired
	case sunset != nil && !sunset.After(now):
		return StatusSunsetPassed
	default:
		return StatusUpcoming
	}
}

// Split separates schedule entries into upcoming ones, soonest sunset first
// (no sunset last), and past ones (sunset passed or retired), most recent
// sunset first (no sunset last). It keeps the order of equal entries.
func Split(entries []Entry) (upcoming, past []Entry) {
	upcoming, past = []Entry{}, []Entry{}
	for _, e := range entries {
		if e.Status == StatusUpcoming {
			upcoming = append(upcoming, e)
		} else {
			past = append(past, e)
		}
	}
	slices.SortStableFunc(upcoming, func(a, b Entry) int { return compareSunset(a.SunsetAt, b.SunsetAt) })
	slices.SortStableFunc(past, func(a, b Entry) int {
		if a.SunsetAt != nil && b.SunsetAt != nil {
			return b.SunsetAt.Compare(*a.SunsetAt)
		}
		return compareSunset(a.SunsetAt, b.SunsetAt)
	})
	return upcoming, past
}

// compareSunset orders ascending with nil last.
func compareSunset(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// DaysUntil counts calendar days in UTC from now to t: 0 when t is today,
// negative when t is on an earlier day.
func DaysUntil(now, t time.Time) int {
	day := func(x time.Time) time.Time {
		y, m, d := x.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(t).Sub(day(now)) / (24 * time.Hour))
}
