package deprecation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/store"
)

// WebhookType is the "type" of every notice POSTed to a webhook.
const WebhookType = "crossdock.deprecation.notice"

// WebhookNotice is the JSON body POSTed to a webhook. Everything but
// lifecycle, deprecated_at and successor comes from the recorded notice, so
// retries of one delivery send the same facts under the same
// Idempotency-Key ("notice-<notice id>-<delivery id>").
type WebhookNotice struct {
	Type         string     `json:"type"`
	API          WebhookAPI `json:"api"`
	Version      string     `json:"version"`
	Lifecycle    string     `json:"lifecycle"`
	SunsetAt     time.Time  `json:"sunset_at"`
	DeprecatedAt *time.Time `json:"deprecated_at"`
	DaysLeft     int        `json:"days_left"` // calendar days from the notice to the sunset
	Successor    *string    `json:"successor"` // successor version, null when none
	Link         string     `json:"link"`
	NoticeID     int64      `json:"notice_id"`
	OffsetDays   int        `json:"offset_days"`
}

// WebhookAPI names the API of a notice.
type WebhookAPI struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// IdempotencyKey is the Idempotency-Key header of a delivery.
func IdempotencyKey(noticeID, deliveryID int64) string {
	return fmt.Sprintf("notice-%d-%d", noticeID, deliveryID)
}

// DeliverProcessor runs TypeDeliverNotice: it POSTs the notice to the
// delivery's webhook and marks it delivered on a 2xx answer. Otherwise it
// counts the attempt, keeps the error and fails so asynq retries; the last
// attempt marks the delivery failed. A delivered delivery is never POSTed
// again.
type DeliverProcessor struct {
	DB      *gorm.DB
	HTTP    *http.Client // nil means a client with a 10s timeout
	Log     *slog.Logger
	BaseURL string // console URL prefixed to the notice link; "" keeps it relative
}

// deliveryRow is a delivery with what its notice says.
type deliveryRow struct {
	DeliveryID   int64
	URL          string
	Status       string
	Attempts     int
	NoticeID     int64
	OffsetDays   int
	SunsetAt     time.Time
	NoticedAt    time.Time
	VersionID    int64
	Version      string
	Lifecycle    catalog.Lifecycle
	DeprecatedAt *time.Time
	APISlug      string
	APIName      string
	Successor    string
}

// ProcessTask implements asynq.Handler.
func (p DeliverProcessor) ProcessTask(ctx context.Context, t *asynq.Task) error {
	taskID, _ := asynq.GetTaskID(ctx)
	log := logger(p.Log).With("task_type", TypeDeliverNotice, "task_id", taskID)
	ctx = audit.WithActor(ctx, SystemActor())

	var pl deliverPayload
	if err := json.Unmarshal(t.Payload(), &pl); err != nil || pl.DeliveryID <= 0 {
		return fmt.Errorf("deprecation: deliver: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	log = log.With("delivery_id", pl.DeliveryID)

	// notice delivery: the delivery, its notice, version, API and successor.
	var rows []deliveryRow
	err := p.DB.WithContext(ctx).Raw(`SELECT d.id AS delivery_id, d.url, d.status, d.attempts,
	        n.id AS notice_id, n.offset_days, n.sunset_at, n.created_at AS noticed_at,
	        v.id AS version_id, v.version, v.lifecycle, v.deprecated_at,
	        a.slug AS api_slug, a.name AS api_name, coalesce(s.version, '') AS successor
	     FROM notice_deliveries d
	     JOIN deprecation_notices n ON n.id = d.notice_id
	     JOIN api_versions v ON v.id = n.api_version_id
	     JOIN apis a ON a.id = v.api_id
	     LEFT JOIN api_versions s ON s.id = v.successor_version_id
	     WHERE d.id = ?`, pl.DeliveryID).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("deprecation: deliver %d: load: %w", pl.DeliveryID, err)
	}
	if len(rows) == 0 {
		// Deleted with its version: nothing left to deliver.
		log.Warn("notice delivery no longer exists; nothing to deliver")
		return nil
	}
	d := rows[0]
	log = log.With("notice_id", d.NoticeID, "webhook", redactURL(d.URL))
	if d.Status == DeliveryDelivered {
		log.Info("notice already delivered; skipping")
		return nil
	}

	body, err := json.Marshal(p.notice(d))
	if err != nil {
		return fmt.Errorf("deprecation: deliver %d: encode: %w", d.DeliveryID, err)
	}
	postErr := p.post(ctx, d, body)
	if postErr == nil {
		return p.markDelivered(ctx, log, d)
	}

	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	last := ok1 && ok2 && retried >= maxRetry
	if err := p.DB.WithContext(ctx).Exec(`UPDATE notice_deliveries
	     SET attempts = attempts + 1, last_error = ?, status = CASE WHEN ? THEN ? ELSE status END
	     WHERE id = ? AND status <> ?`, truncate(postErr.Error(), 1000), last, DeliveryFailed, d.DeliveryID, DeliveryDelivered).Error; err != nil {
		log.Error("cannot record failed delivery attempt", slog.Any("error", err))
	}
	if last {
		log.Error("notice delivery failed for good", "attempts", d.Attempts+1, slog.Any("error", postErr))
	} else {
		log.Warn("notice delivery attempt failed; asynq retries", "attempts", d.Attempts+1, slog.Any("error", postErr))
	}
	return fmt.Errorf("deprecation: deliver %d: %w", d.DeliveryID, postErr)
}

func (p DeliverProcessor) notice(d deliveryRow) WebhookNotice {
	n := WebhookNotice{
		Type:         WebhookType,
		API:          WebhookAPI{Slug: d.APISlug, Name: d.APIName},
		Version:      d.Version,
		Lifecycle:    string(d.Lifecycle),
		SunsetAt:     d.SunsetAt.UTC(),
		DaysLeft:     DaysUntil(d.NoticedAt, d.SunsetAt),
		Link:         strings.TrimRight(p.BaseURL, "/") + "/catalog/apis/" + d.APISlug,
		NoticeID:     d.NoticeID,
		OffsetDays:   d.OffsetDays,
		DeprecatedAt: d.DeprecatedAt,
	}
	if n.DeprecatedAt != nil {
		u := n.DeprecatedAt.UTC()
		n.DeprecatedAt = &u
	}
	if d.Successor != "" {
		s := d.Successor
		n.Successor = &s
	}
	return n
}

// post sends the notice; any answer but 2xx is an error.
func (p DeliverProcessor) post(ctx context.Context, d deliveryRow, body []byte) error {
	client := p.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Crossdock-Deprecation-Notices/1")
	req.Header.Set("Idempotency-Key", IdempotencyKey(d.NoticeID, d.DeliveryID))
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may hold a secret; it is logged redacted
		}
		return fmt.Errorf("POST %s: %w", redactURL(d.URL), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "?"))
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("POST %s: HTTP %s%s", redactURL(d.URL), resp.Status, msg)
	}
	return nil
}

// markDelivered records the success and its audit event together.
func (p DeliverProcessor) markDelivered(ctx context.Context, log *slog.Logger, d deliveryRow) error {
	now := time.Now().UTC()
	err := store.WithTx(ctx, p.DB, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE notice_deliveries SET status = ?, attempts = attempts + 1, delivered_at = ?
		     WHERE id = ? AND status <> ?`, DeliveryDelivered, now, d.DeliveryID, DeliveryDelivered)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // delivered concurrently and audited there
		}
		return audit.Record(ctx, tx, audit.Change{
			Action: ActionNoticeDelivered, EntityType: "api_version", EntityID: strconv.FormatInt(d.VersionID, 10),
			After: map[string]any{
				"notice_id": d.NoticeID, "delivery_id": d.DeliveryID, "webhook": redactURL(d.URL),
				"attempts": d.Attempts + 1, "offset_days": d.OffsetDays,
			},
		})
	})
	if err != nil {
		// The receiver has the notice; the retry POSTs it again under the
		// same Idempotency-Key, which the receiver deduplicates.
		return fmt.Errorf("deprecation: deliver %d: mark delivered: %w", d.DeliveryID, err)
	}
	log.Info("notice delivered", "attempts", d.Attempts+1)
	return nil
}

// redactURL keeps scheme, host and path: webhook URLs often carry a token
// in their query or user info.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// truncate cuts s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
