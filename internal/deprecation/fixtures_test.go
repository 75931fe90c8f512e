package deprecation_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/catalog"
)

// seed writes catalog rows with raw SQL, as a test fixture.
type seed struct {
	t  testing.TB
	db *gorm.DB
}

func (s seed) id(q string, args ...any) int64 {
	s.t.Helper()
	var ids []int64
	if err := s.db.Raw(q, args...).Scan(&ids).Error; err != nil || len(ids) != 1 {
		s.t.Fatalf("seed %q: %v (%d rows)", q, err, len(ids))
	}
	return ids[0]
}

func (s seed) team(slug, name string) int64 {
	s.t.Helper()
	return s.id(`INSERT INTO teams (slug, name) VALUES (?, ?) RETURNING id`, slug, name)
}

func (s seed) api(slug, name string, team *int64) int64 {
	s.t.Helper()
	return s.id(`INSERT INTO apis (slug, name, kind, domain, owner_team_id) VALUES (?, ?, 'process', 'order', ?) RETURNING id`, slug, name, team)
}

type ver struct {
	api          int64
	version      string
	lifecycle    catalog.Lifecycle
	deprecatedAt *time.Time
	sunsetAt     *time.Time
	successor    *int64
}

func (s seed) version(v ver) int64 {
	s.t.Helper()
	sv, err := catalog.ParseSemVer(v.version)
	if err != nil {
		s.t.Fatalf("seed version %q: %v", v.version, err)
	}
	return s.id(`INSERT INTO api_versions (api_id, version, major, minor, patch, lifecycle, deprecated_at, sunset_at, successor_version_id)
	             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.api, v.version, sv.Major, sv.Minor, sv.Patch, v.lifecycle, v.deprecatedAt, v.sunsetAt, v.successor)
}

func (s seed) count(q string, args ...any) int64 {
	s.t.Helper()
	var n int64
	if err := s.db.Raw(q, args...).Scan(&n).Error; err != nil {
		s.t.Fatalf("count %q: %v", q, err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// enqueueFunc adapts a function to deprecation.Enqueuer, to adjust options
// on the way to a real asynq client.
type enqueueFunc func(*asynq.Task, ...asynq.Option) (*asynq.TaskInfo, error)

func (f enqueueFunc) Enqueue(t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	return f(t, opts...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
