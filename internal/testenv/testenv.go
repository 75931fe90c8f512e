// Package testenv gives tests real infrastructure: a fresh PostgreSQL
// database per test, created from a template migrated once per schema
// version, and a Redis database index of their own, flushed first.
package testenv

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/migrations"
)

const hint = "tests need PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379; start them or set CROSSDOCK_TEST_DATABASE_URL / CROSSDOCK_TEST_REDIS_URL"

// AdminURL is the maintenance database URL tests create databases through.
func AdminURL() string {
	if v := os.Getenv("CROSSDOCK_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis server tests use.
func RedisURL() string {
	if v := os.Getenv("CROSSDOCK_TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379"
}

// Logger discards output unless CROSSDOCK_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("CROSSDOCK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func withDB(u, name string) string {
	p, _ := url.Parse(u)
	p.Path = "/" + name
	return p.String()
}

// schemaHash names the template after the migrations' content.
func schemaHash() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// DB returns a new, migrated database for this test and its URL; it is
// dropped when the test ends.
func DB(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatalf("testenv: %v (%s)", err, hint)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("testenv: cannot reach PostgreSQL: %v (%s)", err, hint)
	}
	tmpl := "crossdock_tmpl_" + schemaHash()
	ensureTemplate(t, admin, tmpl)

	name := fmt.Sprintf("crossdock_test_%d_%s", time.Now().UnixNano(), auth.RandomToken(4))
	name = strings.ToLower(strings.NewReplacer("-", "_").Replace(name))
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`" TEMPLATE "`+tmpl+`"`); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	dsn := withDB(AdminURL(), name)
	db, err := store.Open(ctx, dsn, Logger())
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		store.Close(db)
		a, err := sql.Open("pgx", AdminURL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
	})
	return db, dsn
}

// ensureTemplate builds the migrated template once per schema version,
// under an advisory lock so parallel test processes build it once.
func ensureTemplate(t testing.TB, admin *sql.DB, tmpl string) {
	t.Helper()
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7311042999)`); err != nil {
		t.Fatalf("testenv: lock: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7311042999)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl).Scan(&exists); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if exists {
		return
	}
	building := tmpl + "_building"
	_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+building+`" WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE "`+building+`"`); err != nil {
		t.Fatalf("testenv: create template: %v", err)
	}
	db, err := store.Open(ctx, withDB(AdminURL(), building), Logger())
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	m, err := store.NewMigrator(db)
	if err == nil {
		_, err = m.Up(ctx)
	}
	store.Close(db)
	if err != nil {
		t.Fatalf("testenv: migrate template: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE "`+building+`" RENAME TO "`+tmpl+`"`); err != nil {
		t.Fatalf("testenv: finish template: %v", err)
	}
}

// Redis reserves a Redis database index (1-15) for this test, flushes it,
// and returns asynq options and a client for it.
func Redis(t testing.TB) (asynq.RedisClientOpt, *redis.Client) {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("testenv: redis URL: %v", err)
	}
	ctx := context.Background()
	ctl := redis.NewClient(opt)
	n, err := ctl.Incr(ctx, "crossdock:test:redis-db").Result()
	ctl.Close()
	if err != nil {
		t.Fatalf("testenv: cannot reach Redis: %v (%s)", err, hint)
	}
	opt.DB = int(n%15) + 1
	rdb := redis.NewClient(opt)
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("testenv: flush redis db %d: %v", opt.DB, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return asynq.RedisClientOpt{Addr: opt.Addr, DB: opt.DB, Password: opt.Password, Username: opt.Username}, rdb
}
