package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crossdock/crossdock/internal/app"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/testenv"
)

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := app.Main(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommands(t *testing.T) {
	_, dsn := testenv.DB(t)
	env := map[string]string{"CROSSDOCK_DATABASE_URL": dsn}

	if code, out, _ := run(t, env, "migrate", "status"); code != 0 || !strings.Contains(out, "00001_foundation.sql") || !strings.Contains(out, "applied") {
		t.Fatalf("migrate status: %d %s", code, out)
	}
	if code, out, _ := run(t, env, "migrate", "up"); code != 0 || !strings.Contains(out, "nothing to apply") || !strings.Contains(out, "canonical contracts registered: 13 created") {
		t.Errorf("migrate up on a fresh database registers the canonical contracts: %d %s", code, out)
	}
	var published int64
	openRaw(t, dsn).QueryRow(`SELECT count(*) FROM api_versions v JOIN apis a ON a.id = v.api_id WHERE a.slug LIKE 'canonical-%' AND v.lifecycle = 'published' AND v.schema LIKE '%2020-12%'`).Scan(&published)
	if published != 6 {
		t.Errorf("canonical process API versions published: got %d, want 6", published)
	}
	if code, out, _ := run(t, env, "migrate", "up"); code != 0 || strings.Contains(out, "canonical contracts registered") {
		t.Errorf("second migrate up must change nothing: %d %s", code, out)
	}
	if code, out, errOut := run(t, env, "seed", "--demo"); code != 0 || !strings.Contains(out, "demo users ready: 4") || !strings.Contains(out, "0 refused") {
		t.Fatalf("seed: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, env, "seed", "--demo"); code != 0 || !strings.Contains(out, " 0 created, 0 updated") {
		t.Fatalf("seed is not idempotent: %s", out)
	}
	code, out, _ := run(t, env, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "ok: ") || strings.HasPrefix(out, "ok: 0 ") {
		t.Fatalf("audit verify: %d %q", code, out)
	}

	// Edit a row as the database owner, bypassing the append-only trigger:
	// verify names the broken event and fails.
	if _, err := openRaw(t, dsn).Exec(`BEGIN; SET LOCAL session_replication_role = replica; UPDATE audit_events SET actor_name = 'Mallory' WHERE id = 2; COMMIT;`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, env, "audit", "verify")
	if code != 1 || !strings.Contains(out, "broken at event 2") {
		t.Errorf("tampered verify: %d %q", code, out)
	}

	if code, _, errOut := run(t, map[string]string{"CROSSDOCK_DATABASE_URL": "mysql://nope", "CROSSDOCK_ENV": "qa"}, "migrate", "up"); code != 2 || !strings.Contains(errOut, "CROSSDOCK_DATABASE_URL") || !strings.Contains(errOut, "CROSSDOCK_ENV") {
		t.Errorf("bad config: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, env, "serve"); code != 2 || !strings.Contains(errOut, "no login method") {
		t.Errorf("serve without login method: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, env, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
}

// The worker starts, runs tasks through its middleware on real Redis, runs
// scheduled tasks, and shuts down gracefully when its context ends.
func TestWorkerRunsTasksAndStops(t *testing.T) {
	redisOpt, _ := testenv.Redis(t)
	w := jobs.NewWorker(redisOpt, 2, testenv.Logger())
	var handled, panicked atomic.Int32
	w.Handle("test:echo", asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		handled.Add(1)
		return nil
	}))
	w.Handle("test:panic", asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		panicked.Add(1)
		panic("boom")
	}))
	if err := w.Every("@every 1s", asynq.NewTask("test:echo", nil), asynq.Unique(time.Second)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	client := asynq.NewClient(redisOpt)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("test:panic", nil), asynq.MaxRetry(0)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := client.Enqueue(asynq.NewTask("test:echo", []byte(fmt.Sprint(i)))); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for handled.Load() < 4 && time.Now().Before(deadline) { // 3 enqueued + at least 1 scheduled
		time.Sleep(100 * time.Millisecond)
	}
	if handled.Load() < 4 || panicked.Load() != 1 {
		t.Fatalf("handled %d (want >= 4), panicked %d (want 1)", handled.Load(), panicked.Load())
	}
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	archived, err := insp.ListArchivedTasks("default")
	if err != nil || len(archived) != 1 || !strings.Contains(archived[0].LastErr, "panic") {
		t.Errorf("panicking task should be archived with its error: %v %+v", err, archived)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("worker stop: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not shut down")
	}
}
