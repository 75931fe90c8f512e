package deprecation_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/testenv"
)

func offsetsOf(t *testing.T, db *gorm.DB, versionID int64) []int {
	t.Helper()
	var out []int
	if err := db.Raw(`SELECT offset_days FROM deprecation_notices WHERE api_version_id = ? ORDER BY offset_days`, versionID).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func deliveryIDs(t *testing.T, db *gorm.DB) []int64 {
	t.Helper()
	var out []int64
	if err := db.Raw(`SELECT id FROM notice_deliveries ORDER BY id`).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// queuedDeliveries lists the ids of the delivery tasks pending in Redis.
func queuedDeliveries(t *testing.T, insp *asynq.Inspector) []string {
	t.Helper()
	tasks, err := insp.ListPendingTasks("default", asynq.PageSize(1000))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range tasks {
		if tk.Type != deprecation.TypeDeliverNotice {
			t.Errorf("unexpected task %s in the queue", tk.Type)
		}
		ids = append(ids, tk.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestScanRecordsEachNoticeOnce(t *testing.T) {
	db, _ := testenv.DB(t)
	redisOpt, _ := testenv.Redis(t)
	ctx := context.Background()
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	s := seed{t, db}

	base := *at("2026-11-27T09:00:00Z")
	sunset := base.Add(days(20))
	team := s.team("orders", "Order team")
	intake := s.api("order-intake", "Order intake API", &team)
	succ := s.version(ver{api: intake, version: "2.0.0", lifecycle: catalog.Published})
	v1 := s.version(ver{api: intake, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: ptr(base.Add(-days(60))), sunsetAt: &sunset, successor: &succ})
	// Never noticed: sunset passed, retired, draft.
	s.version(ver{api: intake, version: "0.8.0", lifecycle: catalog.Deprecated, deprecatedAt: ptr(base.Add(-days(100))), sunsetAt: ptr(base.Add(-days(1)))})
	s.version(ver{api: intake, version: "0.5.0", lifecycle: catalog.Retired, deprecatedAt: ptr(base.Add(-days(100))), sunsetAt: ptr(base.Add(days(5)))})
	s.version(ver{api: intake, version: "3.0.0", lifecycle: catalog.Draft, sunsetAt: ptr(base.Add(days(5)))})
	// A published version with a planned sunset in 3 days: 90, 30 and 7 are due.
	stock := s.api("stock-levels", "Stock levels", nil)
	pv := s.version(ver{api: stock, version: "1.0.0", lifecycle: catalog.Published, sunsetAt: ptr(base.Add(days(3)))})

	now := base
	p := deprecation.ScanProcessor{
		DB:       db,
		Offsets:  []int{90, 30, 7, 1, 30},
		Webhooks: []string{"https://hooks.example.com/a", "https://hooks.example.com/b", "https://hooks.example.com/a"},
		Log:      testenv.Logger(),
		Now:      func() time.Time { return now },
	}
	task := deprecation.NewScanNoticesTask()

	// Redis unreachable at commit time: notices are recorded all the same,
	// the scan reports the queueing failure.
	down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: time.Second})
	defer down.Close()
	p.Enqueuer = down
	if err := p.ProcessTask(ctx, task); err == nil || !strings.Contains(err.Error(), "queue deliveries") {
		t.Fatalf("scan with Redis down: got %v, want a queueing error", err)
	}
	if got, want := offsetsOf(t, db, v1), []int{30, 90}; !slices.Equal(got, want) {
		t.Errorf("order-intake 1.0.0 notices at %v days, want %v", got, want)
	}
	if got, want := offsetsOf(t, db, pv), []int{7, 30, 90}; !slices.Equal(got, want) {
		t.Errorf("stock-levels 1.0.0 notices at %v days, want %v", got, want)
	}
	counts := func() [4]int64 {
		return [4]int64{
			s.count(`SELECT count(*) FROM deprecation_notices`),
			s.count(`SELECT count(*) FROM notifications WHERE kind = 'deprecation'`),
			s.count(`SELECT count(*) FROM notice_deliveries WHERE status = 'pending'`),
			s.count(`SELECT count(*) FROM audit_events WHERE action = 'deprecation.notice' AND entity_type = 'api_version' AND actor = 'system:deprecation'`),
		}
	}
	if got, want := counts(), [4]int64{5, 5, 10, 5}; got != want {
		t.Fatalf("notices, notifications, pending deliveries, audit events = %v, want %v", got, want)
	}
	if q := queuedDeliveries(t, insp); len(q) != 0 {
		t.Fatalf("queued with Redis down: %v", q)
	}

	// Redis back: the next scan records nothing new and queues every
	// pending delivery, under its stable task id; scanning again is a no-op.
	p.Enqueuer = client
	var wantQueued []string
	for _, id := range deliveryIDs(t, db) {
		wantQueued = append(wantQueued, deprecation.DeliverTaskID(id))
	}
	slices.Sort(wantQueued)
	for run := range 2 {
		if err := p.ProcessTask(ctx, task); err != nil {
			t.Fatalf("scan %d: %v", run, err)
		}
		if got, want := counts(), [4]int64{5, 5, 10, 5}; got != want {
			t.Errorf("scan %d: counts = %v, want %v (nothing new)", run, got, want)
		}
		if diff := cmp.Diff(wantQueued, queuedDeliveries(t, insp)); diff != "" {
			t.Errorf("scan %d: queued deliveries (-want +got):\n%s", run, diff)
		}
	}

	var n struct{ Title, Body, Link string }
	if err := db.Raw(`SELECT title, body, link FROM notifications WHERE title LIKE 'Order intake%' ORDER BY id LIMIT 1`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n.Title != "Order intake API 1.0.0 sunsets in 20 days (2026-12-17)" || n.Link != "/catalog/apis/order-intake" || !strings.Contains(n.Body, "2.0.0") {
		t.Errorf("notification = %+v", n)
	}

	// Six days before the sunset only the 7-day notice is due.
	now = sunset.Add(-days(6))
	if err := p.ProcessTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got, want := offsetsOf(t, db, v1), []int{7, 30, 90}; !slices.Equal(got, want) {
		t.Errorf("order-intake 1.0.0 notices at %v days, want %v", got, want)
	}
	if got, want := counts(), [4]int64{6, 6, 12, 6}; got != want {
		t.Errorf("after the 7-day notice: counts = %v, want %v", got, want)
	}
	list, err := deprecation.Notifications(ctx, db, 2)
	if err != nil || len(list) != 2 {
		t.Fatalf("notifications: %v %d", err, len(list))
	}
	if list[0].Title != "Order intake API 1.0.0 sunsets in 6 days (2026-12-17)" || list[0].Kind != deprecation.KindDeprecation {
		t.Errorf("newest notification = %+v", list[0])
	}
	if res, err := audit.Verify(ctx, db); err != nil || !res.OK() {
		t.Errorf("audit chain: %v %v", err, res)
	}
}

// webhook stands in for a notice receiver: the first POST of each
// Idempotency-Key fails with 500, later ones succeed.
type webhook struct {
	mu        sync.Mutex
	failFirst bool
	alwaysErr bool
	attempts  map[string]int
	successes map[string]int
	bodies    map[string][][]byte
	headers   map[string]http.Header
}

func newWebhook(t *testing.T, failFirst bool) (*webhook, *httptest.Server) {
	w := &webhook{failFirst: failFirst, attempts: map[string]int{}, successes: map[string]int{}, bodies: map[string][][]byte{}, headers: map[string]http.Header{}}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return w, srv
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts[key]++
	w.bodies[key] = append(w.bodies[key], body)
	w.headers[key] = r.Header.Clone()
	if r.Method != http.MethodPost || key == "" || w.alwaysErr || (w.failFirst && w.attempts[key] == 1) {
		http.Error(rw, "receiver down", http.StatusInternalServerError)
		return
	}
	w.successes[key]++
	rw.WriteHeader(http.StatusNoContent)
}

func (w *webhook) snapshot() (attempts, successes map[string]int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.attempts), maps.Clone(w.successes)
}

func TestDeliverRetriesThenSkipsDelivered(t *testing.T) {
	db, _ := testenv.DB(t)
	redisOpt, _ := testenv.Redis(t)
	ctx := context.Background()
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	s := seed{t, db}
	hook, srv := newWebhook(t, true)

	base := *at("2026-11-27T09:00:00Z")
	sunset := base.Add(days(20))
	deprecatedAt := base.Add(-days(60))
	intake := s.api("order-intake", "Order intake API", nil)
	succ := s.version(ver{api: intake, version: "2.0.0", lifecycle: catalog.Published})
	s.version(ver{api: intake, version: "1.0.0", lifecycle: catalog.Deprecated, deprecatedAt: &deprecatedAt, sunsetAt: &sunset, successor: &succ})

	scan := deprecation.ScanProcessor{DB: db, Offsets: []int{30}, Webhooks: []string{srv.URL + "/hook?token=s3cret"},
		Enqueuer: client, Log: testenv.Logger(), Now: func() time.Time { return base }}
	if err := scan.ProcessTask(ctx, deprecation.NewScanNoticesTask()); err != nil {
		t.Fatal(err)
	}
	ids := deliveryIDs(t, db)
	if len(ids) != 1 {
		t.Fatalf("deliveries: %v", ids)
	}
	var noticeID int64
	if err := db.Raw(`SELECT notice_id FROM notice_deliveries WHERE id = ?`, ids[0]).Scan(&noticeID).Error; err != nil {
		t.Fatal(err)
	}
	key := deprecation.IdempotencyKey(noticeID, ids[0])

	p := deprecation.DeliverProcessor{DB: db, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: testenv.Logger(), BaseURL: "https://crossdock.example.com/"}
	task := deprecation.NewDeliverNoticeTask(ids[0])
	type row struct {
		Status      string
		Attempts    int
		LastError   string
		DeliveredAt *time.Time
	}
	get := func() row {
		var r row
		if err := db.Raw(`SELECT status, attempts, last_error, delivered_at FROM notice_deliveries WHERE id = ?`, ids[0]).Scan(&r).Error; err != nil {
			t.Fatal(err)
		}
		return r
	}

	if err := p.ProcessTask(ctx, task); err == nil {
		t.Fatal("first attempt against a 500: got nil error, want one so asynq retries")
	}
	r := get()
	if r.Status != "pending" || r.Attempts != 1 || !strings.Contains(r.LastError, "500") || !strings.Contains(r.LastError, "receiver down") || r.DeliveredAt != nil {
		t.Errorf("after a failed attempt: %+v", r)
	}
	if strings.Contains(r.LastError, "s3cret") {
		t.Errorf("last_error leaks the webhook token: %q", r.LastError)
	}

	if err := p.ProcessTask(ctx, task); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	r = get()
	if r.Status != "delivered" || r.Attempts != 2 || r.DeliveredAt == nil {
		t.Errorf("after a successful attempt: %+v", r)
	}
	// Delivered: a third run (a duplicate task) does not POST again.
	if err := p.ProcessTask(ctx, task); err != nil {
		t.Fatalf("third run: %v", err)
	}
	attempts, successes := hook.snapshot()
	if diff := cmp.Diff(map[string]int{key: 2}, attempts); diff != "" {
		t.Errorf("POSTs per Idempotency-Key (-want +got):\n%s", diff)
	}
	if successes[key] != 1 {
		t.Errorf("successful POSTs = %d, want 1", successes[key])
	}
	if n := s.count(`SELECT count(*) FROM audit_events WHERE action = 'deprecation.notice_delivered' AND actor = 'system:deprecation'`); n != 1 {
		t.Errorf("delivered audit events = %d, want 1", n)
	}

	hook.mu.Lock()
	bodies, hdr := hook.bodies[key], hook.headers[key]
	hook.mu.Unlock()
	if string(bodies[0]) != string(bodies[1]) {
		t.Errorf("a retry sent different bytes under the same key:\n%s\n%s", bodies[0], bodies[1])
	}
	if hdr.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", hdr.Get("Content-Type"))
	}
	var got deprecation.WebhookNotice
	if err := json.Unmarshal(bodies[1], &got); err != nil {
		t.Fatal(err)
	}
	successor := "2.0.0"
	want := deprecation.WebhookNotice{
		Type: "crossdock.deprecation.notice", API: deprecation.WebhookAPI{Slug: "order-intake", Name: "Order intake API"},
		Version: "1.0.0", Lifecycle: "deprecated", SunsetAt: sunset, DeprecatedAt: &deprecatedAt, DaysLeft: 20,
		Successor: &successor, Link: "https://crossdock.example.com/catalog/apis/order-intake",
		NoticeID: noticeID, OffsetDays: 30,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook body (-want +got):\n%s", diff)
	}

	if err := p.ProcessTask(ctx, asynq.NewTask(deprecation.TypeDeliverNotice, []byte("not json"))); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("undecodable payload: got %v, want SkipRetry", err)
	}
	if err := p.ProcessTask(ctx, deprecation.NewDeliverNoticeTask(ids[0]+1000)); err != nil {
		t.Errorf("delivery that no longer exists: got %v, want nil", err)
	}
}
