package deprecation_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/testenv"
)

// runWorker runs w until the test ends and checks it stops cleanly.
func runWorker(t *testing.T, w *jobs.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker stop: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("worker did not shut down")
		}
	})
}

// promoteRetries moves delivery tasks waiting for their retry to pending,
// as the console's "run now" does, instead of waiting asynq's backoff
// (15s and more), and returns how many it moved.
func promoteRetries(t *testing.T, insp *asynq.Inspector) int {
	t.Helper()
	tasks, err := insp.ListRetryTasks(jobs.QueueDefault)
	if err != nil {
		return 0 // queue not created yet
	}
	n := 0
	for _, tk := range tasks {
		if err := insp.RunTask(jobs.QueueDefault, tk.ID); err == nil {
			n++
		}
	}
	return n
}

// End to end on a real asynq server and scheduler: the periodic scan
// records the notices and queues their deliveries, the receiver fails each
// first POST, asynq retries, and every notice reaches every webhook exactly
// once, while scans keep running and re-queueing pending deliveries.
func TestNoticesDeliveredThroughWorker(t *testing.T) {
	db, _ := testenv.DB(t)
	redisOpt, _ := testenv.Redis(t)
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	s := seed{t, db}
	hook, srv := newWebhook(t, true)

	now := time.Now().UTC()
	intake := s.api("order-intake", "Order intake API", nil)
	v1 := s.version(ver{api: intake, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: ptr(now.Add(-days(30))), sunsetAt: ptr(now.Add(days(20)))})

	log := testenv.Logger()
	scan := deprecation.ScanProcessor{DB: db, Offsets: []int{90, 30, 7, 1}, Webhooks: []string{srv.URL + "/a", srv.URL + "/b"}, Enqueuer: client, Log: log}
	var scans atomic.Int32
	w := jobs.NewWorker(redisOpt, 4, log)
	w.Handle(deprecation.TypeScanNotices, asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := scan.ProcessTask(ctx, t)
		if err == nil {
			scans.Add(1)
		}
		return err
	}))
	w.Handle(deprecation.TypeDeliverNotice, deprecation.DeliverProcessor{DB: db, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: log})
	if err := w.Every("@every 1s", deprecation.NewScanNoticesTask()); err != nil {
		t.Fatal(err)
	}
	runWorker(t, w)

	retried := 0
	waitFor(t, "4 delivered notices", 60*time.Second, func() bool {
		retried += promoteRetries(t, insp)
		return s.count(`SELECT count(*) FROM notice_deliveries WHERE status = 'delivered'`) == 4
	})
	// Let two more scans run over the delivered rows: nothing may be sent again.
	after := scans.Load()
	waitFor(t, "two more scans", 30*time.Second, func() bool { return scans.Load() >= after+2 })

	attempts, successes := hook.snapshot()
	if len(attempts) != 4 {
		t.Errorf("distinct Idempotency-Keys = %d (%v), want 4 (2 notices x 2 webhooks)", len(attempts), attempts)
	}
	for key, n := range attempts {
		if !strings.HasPrefix(key, "notice-") || n != 2 || successes[key] != 1 {
			t.Errorf("key %q: %d POSTs, %d successful; want 2 POSTs (one retry) and exactly 1 success", key, n, successes[key])
		}
	}
	if retried == 0 {
		t.Error("no delivery went through asynq's retry set")
	}

	if got := offsetsOf(t, db, v1); len(got) != 2 || got[0] != 30 || got[1] != 90 {
		t.Errorf("notices at %v days, want [30 90]", got)
	}
	if n := s.count(`SELECT count(*) FROM notice_deliveries WHERE status = 'delivered' AND attempts = 2 AND delivered_at IS NOT NULL AND last_error LIKE '%500%'`); n != 4 {
		t.Errorf("delivered rows with 2 attempts and the earlier error kept = %d, want 4", n)
	}
	if n := s.count(`SELECT count(*) FROM audit_events WHERE action = 'deprecation.notice'`); n != 2 {
		t.Errorf("notice audit events = %d, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit_events WHERE action = 'deprecation.notice_delivered' AND actor = 'system:deprecation'`); n != 4 {
		t.Errorf("delivered audit events = %d, want 4", n)
	}
	if res, err := audit.Verify(context.Background(), db); err != nil || !res.OK() {
		t.Errorf("audit chain: %v %v", err, res)
	}

	hook.mu.Lock()
	defer hook.mu.Unlock()
	offsets := map[int]int{}
	for key, bodies := range hook.bodies {
		var n deprecation.WebhookNotice
		if err := json.Unmarshal(bodies[len(bodies)-1], &n); err != nil {
			t.Fatal(err)
		}
		if n.Type != deprecation.WebhookType || n.API.Slug != "order-intake" || n.Version != "1.0.0" || n.DaysLeft != 20 || n.Link != "/catalog/apis/order-intake" || !strings.HasPrefix(key, "notice-"+strconv.FormatInt(n.NoticeID, 10)+"-") {
			t.Errorf("body under %s: %+v", key, n)
		}
		offsets[n.OffsetDays]++
	}
	if offsets[90] != 2 || offsets[30] != 2 || len(offsets) != 2 {
		t.Errorf("notices per offset = %v, want 90 and 30 to each webhook", offsets)
	}
}

// A delivery that keeps failing is marked failed on its last attempt,
// archived by asynq, and no longer re-queued by scans.
func TestDeliveryMarkedFailedAfterLastAttempt(t *testing.T) {
	db, _ := testenv.DB(t)
	redisOpt, _ := testenv.Redis(t)
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	s := seed{t, db}
	hook, srv := newWebhook(t, false)
	hook.alwaysErr = true

	now := time.Now().UTC()
	intake := s.api("order-intake", "Order intake API", nil)
	s.version(ver{api: intake, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: ptr(now.Add(-days(30))), sunsetAt: ptr(now.Add(days(20)))})

	log := testenv.Logger()
	// One attempt only, so the first failure is the last.
	oneShot := enqueueFunc(func(t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
		return client.Enqueue(t, append(opts, asynq.MaxRetry(0))...)
	})
	scan := deprecation.ScanProcessor{DB: db, Offsets: []int{30}, Webhooks: []string{srv.URL}, Enqueuer: oneShot, Log: log}
	w := jobs.NewWorker(redisOpt, 2, log)
	w.Handle(deprecation.TypeDeliverNotice, deprecation.DeliverProcessor{DB: db, Log: log})
	runWorker(t, w)

	ctx := context.Background()
	if err := scan.ProcessTask(ctx, deprecation.NewScanNoticesTask()); err != nil {
		t.Fatal(err)
	}
	ids := deliveryIDs(t, db)
	if len(ids) != 1 {
		t.Fatalf("deliveries: %v", ids)
	}
	waitFor(t, "the delivery to be marked failed", 30*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM notice_deliveries WHERE status = 'failed' AND attempts = 1 AND last_error LIKE '%500%'`) == 1
	})
	waitFor(t, "the task to be archived", 10*time.Second, func() bool {
		info, err := insp.GetTaskInfo(jobs.QueueDefault, deprecation.DeliverTaskID(ids[0]))
		return err == nil && info.State == asynq.TaskStateArchived
	})
	// A failed delivery is left to the operator: scans do not queue it again.
	if _, err := insp.DeleteAllArchivedTasks(jobs.QueueDefault); err != nil {
		t.Fatal(err)
	}
	if err := scan.ProcessTask(ctx, deprecation.NewScanNoticesTask()); err != nil {
		t.Fatal(err)
	}
	if q := queuedDeliveries(t, insp); len(q) != 0 {
		t.Errorf("failed delivery queued again: %v", q)
	}
	if n := s.count(`SELECT count(*) FROM audit_events WHERE action = 'deprecation.notice_delivered'`); n != 0 {
		t.Errorf("delivered audit events = %d, want 0", n)
	}
}
