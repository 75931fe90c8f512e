package deprecation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/store"
)

// Task types.
const (
	// TypeScanNotices records the notices that are due and queues their
	// deliveries. It runs periodically.
	TypeScanNotices = "deprecation:scan"
	// TypeDeliverNotice POSTs one notice to one webhook.
	TypeDeliverNotice = "deprecation:deliver"
)

// Audit actions and the notification kind written by this package.
const (
	ActionNotice          = "deprecation.notice"
	ActionNoticeDelivered = "deprecation.notice_delivered"
	KindDeprecation       = "deprecation"
)

// Delivery statuses of notice_deliveries.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// DeliverMaxRetry is how often a failed delivery is retried before asynq
// archives it and the delivery is marked failed.
const DeliverMaxRetry = 10

// SystemActor is the audit actor of the deprecation tasks.
func SystemActor() audit.Actor {
	return audit.Actor{ID: "system:deprecation", Name: "Deprecation notices"}
}

// NewScanNoticesTask returns the periodic scan task. Unique keeps one per
// tick however many schedulers run; a scan that slips through anyway is
// harmless, since every notice is recorded once by the database.
func NewScanNoticesTask() *asynq.Task {
	return asynq.NewTask(TypeScanNotices, nil,
		asynq.Unique(10*time.Minute), asynq.MaxRetry(3), asynq.Queue(jobs.QueueDefault), asynq.Timeout(5*time.Minute))
}

// deliverPayload is the payload of TypeDeliverNotice.
type deliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}

// DeliverTaskID is the asynq task id of a delivery: queueing the same
// delivery twice while the first task exists is refused by asynq.
func DeliverTaskID(deliveryID int64) string {
	return "notice-delivery-" + strconv.FormatInt(deliveryID, 10)
}

// NewDeliverNoticeTask returns the task delivering one notice_deliveries row.
func NewDeliverNoticeTask(deliveryID int64) *asynq.Task {
	b, _ := json.Marshal(deliverPayload{DeliveryID: deliveryID}) // cannot fail
	return asynq.NewTask(TypeDeliverNotice, b,
		asynq.TaskID(DeliverTaskID(deliveryID)), asynq.MaxRetry(DeliverMaxRetry),
		asynq.Queue(jobs.QueueDefault), asynq.Timeout(time.Minute))
}

// Enqueuer queues tasks; *asynq.Client is one.
type Enqueuer interface {
	Enqueue(task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// ScanProcessor runs TypeScanNotices. For every published or deprecated
// version whose sunset is in the future, and every offset whose moment
// (sunset minus offset days) has come, it records the notice once - with
// its notification, one pending delivery per webhook and an audit event, in
// one transaction - then queues the deliveries. Every scan also re-queues
// deliveries still pending, so none is lost when Redis was unreachable at
// commit time.
//
// A notice is keyed by (version, offset, sunset date): when the catalog moves
// a sunset, the offsets already passed for the new date are noticed again,
// announcing the new date. Notices exist only for sunsets still ahead, so
// an offset of 0 never fires.
type ScanProcessor struct {
	DB       *gorm.DB
	Offsets  []int    // days before sunset, e.g. config NoticeOffsets
	Webhooks []string // URLs receiving notices, e.g. config NoticeWebhooks
	Enqueuer Enqueuer
	Log      *slog.Logger
	Now      func() time.Time // nil means time.Now
}

// dueNotice is a (version, offset) whose notice is due and not recorded.
type dueNotice struct {
	VersionID    int64
	Version      string
	Lifecycle    catalog.Lifecycle
	DeprecatedAt *time.Time
	SunsetAt     time.Time
	APISlug      string
	APIName      string
	Successor    string
	OffsetDays   int
}

// ProcessTask implements asynq.Handler.
func (p ScanProcessor) ProcessTask(ctx context.Context, t *asynq.Task) error {
	taskID, _ := asynq.GetTaskID(ctx)
	log := logger(p.Log).With("task_type", TypeScanNotices, "task_id", taskID)
	if p.Enqueuer == nil {
		return errors.New("deprecation: scan: ScanProcessor needs an Enqueuer")
	}
	ctx = audit.WithActor(ctx, SystemActor())
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	now = now.UTC().Truncate(time.Microsecond)

	due, err := p.due(ctx, now)
	if err != nil {
		return err
	}
	// After the first failure to queue (Redis unreachable, most likely) the
	// scan stops queueing but keeps recording: pending deliveries are
	// queued by the retry of this task or by the next scan.
	var enqueueErr error
	queued := map[int64]bool{}
	enqueue := func(id int64) {
		if enqueueErr == nil && !queued[id] {
			queued[id] = true
			enqueueErr = p.enqueue(log, id)
		}
	}
	recorded := 0
	for _, d := range due {
		noticeID, deliveries, err := p.record(ctx, d, now)
		if err != nil {
			return err
		}
		if noticeID == 0 {
			continue // recorded meanwhile by another scan
		}
		recorded++
		log.Info("deprecation notice recorded", "notice_id", noticeID, "api_version_id", d.VersionID,
			"api", d.APISlug, "version", d.Version, "offset_days", d.OffsetDays, "deliveries", len(deliveries))
		for _, id := range deliveries {
			enqueue(id)
		}
	}

	var pending []int64
	if enqueueErr == nil {
		if err := p.DB.WithContext(ctx).Raw(`SELECT id FROM notice_deliveries WHERE status = ? ORDER BY id`, DeliveryPending).
			Scan(&pending).Error; err != nil {
			return fmt.Errorf("deprecation: list pending deliveries: %w", err)
		}
		for _, id := range pending {
			enqueue(id)
		}
	}
	if recorded > 0 || enqueueErr != nil {
		log.Info("deprecation scan done", "notices_recorded", recorded, "pending_deliveries", len(pending), "queue_failed", enqueueErr != nil)
	}
	if enqueueErr != nil {
		return fmt.Errorf("deprecation: scan: queue deliveries: %w", enqueueErr)
	}
	return nil
}

// due lists the notices whose moment has come and that are not recorded
// yet, soonest sunset first and, per version, the longest offset first.
func (p ScanProcessor) due(ctx context.Context, now time.Time) ([]dueNotice, error) {
	offsets := normalizeOffsets(p.Offsets)
	if len(offsets) == 0 {
		return nil, nil
	}
	arr := make([]string, len(offsets))
	for i, o := range offsets {
		arr[i] = strconv.Itoa(o)
	}
	// due deprecation notices: a live version with a future sunset, an
	// offset whose moment has passed, and no notice recorded for it yet.
	// The sunset range narrows the scan through api_versions_sunset_idx.
	q := `SELECT v.id AS version_id, v.version, v.lifecycle, v.deprecated_at, v.sunset_at,
	             a.slug AS api_slug, a.name AS api_name, coalesce(s.version, '') AS successor,
	             o.offset_days
	      FROM api_versions v
	      JOIN apis a ON a.id = v.api_id
	      LEFT JOIN api_versions s ON s.id = v.successor_version_id
	      CROSS JOIN unnest(CAST(? AS int[])) AS o(offset_days)
	      WHERE v.lifecycle IN ('published', 'deprecated')
	        AND v.sunset_at > CAST(? AS timestamptz)
	        AND v.sunset_at <= CAST(? AS timestamptz) + CAST(? AS int) * interval '24 hours'
	        AND v.sunset_at <= CAST(? AS timestamptz) + o.offset_days * interval '24 hours'
	        AND NOT EXISTS (SELECT 1 FROM deprecation_notices n
	                        WHERE n.api_version_id = v.id AND n.offset_days = o.offset_days AND n.sunset_at = v.sunset_at)
	      ORDER BY v.sunset_at, v.id, o.offset_days DESC`
	var due []dueNotice
	err := p.DB.WithContext(ctx).Raw(q, "{"+strings.Join(arr, ",")+"}", now, now, offsets[0], now).Scan(&due).Error
	if err != nil {
		return nil, fmt.Errorf("deprecation: list due notices: %w", err)
	}
	return due, nil
}

// normalizeOffsets drops negative and repeated offsets and sorts the rest
// longest first.
func normalizeOffsets(in []int) []int {
	out := make([]int, 0, len(in))
	for _, o := range in {
		if o >= 0 && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// record writes the notice, its notification, its deliveries and its audit
// event in one transaction. noticeID is 0 when the notice already existed.
func (p ScanProcessor) record(ctx context.Context, d dueNotice, now time.Time) (noticeID int64, deliveries []int64, err error) {
	title := Title(d.APIName, d.Version, d.SunsetAt, now)
	body := noticeBody(d)
	webhooks := slices.Compact(slices.Sorted(slices.Values(p.Webhooks)))
	err = store.WithTx(ctx, p.DB, func(tx *gorm.DB) error {
		noticeID, deliveries = 0, nil
		var ids []int64
		if err := tx.Raw(`INSERT INTO deprecation_notices (api_version_id, offset_days, sunset_at, message, created_at)
		                  VALUES (?, ?, ?, ?, ?)
		                  ON CONFLICT ON CONSTRAINT deprecation_notices_once DO NOTHING
		                  RETURNING id`, d.VersionID, d.OffsetDays, d.SunsetAt, title, now).Scan(&ids).Error; err != nil {
			return fmt.Errorf("insert notice: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		noticeID = ids[0]
		if err := tx.Exec(`INSERT INTO notifications (kind, title, body, link, created_at) VALUES (?, ?, ?, ?, ?)`,
			KindDeprecation, title, body, "/catalog/apis/"+d.APISlug, now).Error; err != nil {
			return fmt.Errorf("insert notification: %w", err)
		}
		for _, u := range webhooks {
			var id []int64
			if err := tx.Raw(`INSERT INTO notice_deliveries (notice_id, url, status) VALUES (?, ?, ?)
			                  ON CONFLICT ON CONSTRAINT notice_deliveries_once DO NOTHING RETURNING id`,
				noticeID, u, DeliveryPending).Scan(&id).Error; err != nil {
				return fmt.Errorf("insert delivery: %w", err)
			}
			deliveries = append(deliveries, id...)
		}
		return audit.Record(ctx, tx, audit.Change{
			Action: ActionNotice, EntityType: "api_version", EntityID: strconv.FormatInt(d.VersionID, 10),
			After: map[string]any{
				"notice_id": noticeID, "api": d.APISlug, "version": d.Version, "offset_days": d.OffsetDays,
				"sunset_at": d.SunsetAt.UTC(), "message": title, "deliveries": len(deliveries),
			},
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("deprecation: record notice for version %d at %d days: %w", d.VersionID, d.OffsetDays, err)
	}
	return noticeID, deliveries, nil
}

// enqueue queues the delivery; a task already queued for it is fine.
func (p ScanProcessor) enqueue(log *slog.Logger, deliveryID int64) error {
	_, err := p.Enqueuer.Enqueue(NewDeliverNoticeTask(deliveryID))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		return nil
	default:
		log.Warn("cannot queue notice delivery; queueing resumes at the next scan", "delivery_id", deliveryID, slog.Any("error", err))
		return fmt.Errorf("delivery %d: %w", deliveryID, err)
	}
}

// logger returns l, or a logger discarding everything when l is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Title is the one-line notice, e.g. "Order intake API 1.0.0 sunsets in 30
// days (2026-12-27)". Days are calendar days in UTC.
func Title(apiName, version string, sunset, now time.Time) string {
	var when string
	switch n := DaysUntil(now, sunset); {
	case n < 0 || !sunset.After(now):
		return fmt.Sprintf("%s %s sunset passed (%s)", apiName, version, sunset.UTC().Format(time.DateOnly))
	case n == 0:
		when = "today"
	case n == 1:
		when = "in 1 day"
	default:
		when = fmt.Sprintf("in %d days", n)
	}
	return fmt.Sprintf("%s %s sunsets %s (%s)", apiName, version, when, sunset.UTC().Format(time.DateOnly))
}

func noticeBody(d dueNotice) string {
	var b strings.Builder
	if d.DeprecatedAt != nil {
		fmt.Fprintf(&b, "Deprecated since %s. ", d.DeprecatedAt.UTC().Format(time.DateOnly))
	}
	fmt.Fprintf(&b, "From %s calls to %s %s are answered 410 Gone.", d.SunsetAt.UTC().Format(time.RFC3339), d.APIName, d.Version)
	if d.Successor != "" {
		fmt.Fprintf(&b, " Move consumers to %s.", d.Successor)
	}
	return b.String()
}
