package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/internal/testenv"
)

func actorCtx() context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: "user:7", Name: "Ines Moreau", Role: "integration_manager", RequestID: "req-1", ClientIP: "10.1.2.3"})
}

// A change and its audit event commit or roll back together.
func TestRecordSharesTheChangesTransaction(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	if err := db.Exec(`CREATE TABLE widgets (id int PRIMARY KEY, name text)`).Error; err != nil {
		t.Fatal(err)
	}

	errBoom := errors.New("boom after audit")
	err := store.WithTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO widgets VALUES (1, 'lost')`).Error; err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Change{Action: "widget.create", EntityType: "widget", EntityID: "1", After: map[string]any{"name": "lost"}}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("got %v, want %v", err, errBoom)
	}
	assertCount(t, db, "widgets", 0)
	assertCount(t, db, "audit_events", 0)

	// An audit failure rolls the change back too.
	err = store.WithTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO widgets VALUES (2, 'also lost')`).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "", EntityType: "widget"})
	})
	if err == nil {
		t.Fatal("audit with no action: got nil error")
	}
	assertCount(t, db, "widgets", 0)

	err = store.WithTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO widgets VALUES (3, 'kept')`).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "widget.create", EntityType: "widget", EntityID: "3", After: map[string]any{"name": "kept"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	assertCount(t, db, "widgets", 1)
	assertCount(t, db, "audit_events", 1)

	events, total, err := audit.List(ctx, db, audit.Filter{})
	if err != nil || total != 1 {
		t.Fatalf("list: %v, total %d", err, total)
	}
	e := events[0]
	if e.Actor != "user:7" || e.ActorRole != "integration_manager" || e.RequestID != "req-1" || e.ClientIP != "10.1.2.3" || e.PrevHash != audit.GenesisHash {
		t.Errorf("event fields: %+v", e)
	}
	if e.After == nil || *e.After != `{"name":"kept"}` {
		t.Errorf("after: got %v", e.After)
	}
}

func assertCount(t *testing.T, db *gorm.DB, table string, want int64) {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%s: got %d rows, want %d", table, n, want)
	}
}

func record(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	ctx := actorCtx()
	for i := range n {
		err := store.WithTx(ctx, db, func(tx *gorm.DB) error {
			return audit.Record(ctx, tx, audit.Change{Action: "policy.update", EntityType: "policy", EntityID: "p1",
				Before: map[string]any{"rate": i}, After: map[string]any{"rate": i + 1, "note": "quotes \" and unicode é"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// UPDATE, DELETE and TRUNCATE on the audit table fail.
func TestAuditTableIsAppendOnly(t *testing.T) {
	db, _ := testenv.DB(t)
	record(t, db, 2)
	for _, stmt := range []string{
		`UPDATE audit_events SET actor = 'someone else'`,
		`DELETE FROM audit_events WHERE id = 1`,
		`TRUNCATE audit_events`,
	} {
		err := db.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want an append-only error", stmt, err)
		}
	}
	assertCount(t, db, "audit_events", 2)
}

// verify detects an edited row and a removed row, reporting the first broken link.
func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	t.Run("intact", func(t *testing.T) {
		db, _ := testenv.DB(t)
		record(t, db, 5)
		res, err := audit.Verify(ctx, db)
		if err != nil || !res.OK() || res.Count != 5 {
			t.Fatalf("got %+v, %v; want ok with 5", res, err)
		}
		if !strings.HasPrefix(res.String(), "ok: 5 events") {
			t.Errorf("got %q", res.String())
		}
	})
	// The database owner can bypass the trigger; verify must still notice.
	tamper := func(t *testing.T, db *gorm.DB, stmt string) {
		t.Helper()
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`SET LOCAL session_replication_role = replica`).Error; err != nil {
				return err
			}
			return tx.Exec(stmt).Error
		})
		if err != nil {
			t.Fatalf("tamper: %v", err)
		}
	}
	t.Run("edited", func(t *testing.T) {
		db, _ := testenv.DB(t)
		record(t, db, 5)
		tamper(t, db, `UPDATE audit_events SET after = '{"rate":999}' WHERE id = 3`)
		res, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() || res.BrokenAt != 3 || res.Count != 2 || !strings.Contains(res.Reason, "edited") {
			t.Fatalf("got %+v, want broken at 3 after 2 good events", res)
		}
	})
	t.Run("edited time", func(t *testing.T) {
		db, _ := testenv.DB(t)
		record(t, db, 3)
		tamper(t, db, `UPDATE audit_events SET occurred_at = occurred_at - interval '1 day' WHERE id = 1`)
		res, _ := audit.Verify(ctx, db)
		if res.BrokenAt != 1 {
			t.Fatalf("got %+v, want broken at 1", res)
		}
	})
	t.Run("removed", func(t *testing.T) {
		db, _ := testenv.DB(t)
		record(t, db, 5)
		tamper(t, db, `DELETE FROM audit_events WHERE id = 2`)
		res, _ := audit.Verify(ctx, db)
		if res.BrokenAt != 3 || !strings.Contains(res.Reason, "removed") {
			t.Fatalf("got %+v, want broken at 3 (link to removed 2)", res)
		}
	})
}

func TestListFilters(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	record(t, db, 3)
	other := audit.WithActor(context.Background(), audit.Actor{ID: "user:9", Name: "Priya Raman", Role: "auditor"})
	if err := store.WithTx(other, db, func(tx *gorm.DB) error {
		return audit.Record(other, tx, audit.Change{Action: "user.login", EntityType: "user", EntityID: "9"})
	}); err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1)
	cases := []struct {
		name string
		f    audit.Filter
		want int64
	}{
		{"all", audit.Filter{}, 4},
		{"actor by name", audit.Filter{Actor: "priya"}, 1},
		{"actor by id", audit.Filter{Actor: "user:7"}, 3},
		{"entity", audit.Filter{EntityType: "policy"}, 3},
		{"action prefix", audit.Filter{Action: "user."}, 1},
		{"future range", audit.Filter{From: tomorrow}, 0},
		{"until tomorrow", audit.Filter{To: tomorrow}, 4},
	}
	for _, tc := range cases {
		_, total, err := audit.List(ctx, db, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if total != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, total, tc.want)
		}
	}
	events, total, _ := audit.List(ctx, db, audit.Filter{PageSize: 3, Page: 2})
	if total != 4 || len(events) != 1 || events[0].ID != 1 {
		t.Errorf("page 2 of 3: got %d events (first id %v), total %d", len(events), events, total)
	}
}

// Entities selects several entities in one query; a prefix is literal, so
// "order_intake@" does not match "orderXintake@...".
func TestListEntities(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := actorCtx()
	for _, e := range [][2]string{
		{"api", "order_intake"}, {"api_version", "order_intake@1.0.0"}, {"api_version", "order_intake@2.0.0"},
		{"api_version", "orderXintake@1.0.0"}, {"api", "order_intake@"}, {"api_version", "billing@1.0.0"},
	} {
		if err := store.WithTx(ctx, db, func(tx *gorm.DB) error {
			return audit.Record(ctx, tx, audit.Change{Action: e[0] + ".create", EntityType: e[0], EntityID: e[1]})
		}); err != nil {
			t.Fatal(err)
		}
	}
	events, total, err := audit.List(ctx, db, audit.Filter{Entities: []audit.EntityMatch{
		{Type: "api", ID: "order_intake"}, {Type: "api_version", ID: "order_intake@", Prefix: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.EntityType+":"+e.EntityID)
	}
	if want := "api_version:order_intake@2.0.0 api_version:order_intake@1.0.0 api:order_intake"; total != 3 || strings.Join(got, " ") != want {
		t.Errorf("got %d: %s, want %s", total, strings.Join(got, " "), want)
	}
	// An action prefix takes "_" literally too.
	if _, n, _ := audit.List(ctx, db, audit.Filter{Action: "api_version."}); n != 4 {
		t.Errorf("action api_version.: %d events, want 4", n)
	}
	if _, n, _ := audit.List(ctx, db, audit.Filter{Action: "apiXversion."}); n != 0 {
		t.Errorf("action apiXversion.: %d events, want 0", n)
	}
}
