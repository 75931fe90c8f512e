// Package audit records every change as an append-only, hash-chained event
// written in the same transaction as the change itself.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/store"
)

// GenesisHash is the prev_hash of the first event in the chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// chainLockKey serializes audit writers so the chain has no forks. It is an
// arbitrary constant shared by every process writing to the same database.
const chainLockKey = 7_311_042_001

// Actor is who made a change, taken from the request or task context.
type Actor struct {
	ID        string // "user:42", "system", "service-account:7"
	Name      string
	Role      string
	RequestID string
	ClientIP  string
}

type actorKey struct{}

// WithActor returns a context carrying the actor for audit events.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the "system" actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{ID: "system", Name: "Crossdock"}
}

// Change describes one audited change. Before and After are any JSON-able
// values (nil when the entity did not exist before or after).
type Change struct {
	Action     string // "user.login", "user.disable", "api.create", ...
	EntityType string
	EntityID   string
	Before     any
	After      any
}

// Event is one stored audit event.
type Event struct {
	ID         int64     `gorm:"primaryKey"`
	OccurredAt time.Time `gorm:"column:occurred_at"`
	Actor      string
	ActorName  string
	ActorRole  string
	Action     string
	EntityType string
	EntityID   string
	Before     *string `gorm:"type:json"`
	After      *string `gorm:"type:json"`
	RequestID  string
	ClientIP   string
	PrevHash   string
	Hash       string
}

// TableName binds Event to the audit_events table.
func (Event) TableName() string { return "audit_events" }

// Record appends an event for c inside tx, which must be the transaction that
// writes the change. The actor comes from ctx.
func Record(ctx context.Context, tx *gorm.DB, c Change) error {
	if c.Action == "" || c.EntityType == "" {
		return errors.New("audit: action and entity type are required")
	}
	before, err := encode(c.Before)
	if err != nil {
		return fmt.Errorf("audit: encode before of %s: %w", c.Action, err)
	}
	after, err := encode(c.After)
	if err != nil {
		return fmt.Errorf("audit: encode after of %s: %w", c.Action, err)
	}
	a := ActorFrom(ctx)
	tx = tx.WithContext(ctx)
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, chainLockKey).Error; err != nil {
		return fmt.Errorf("audit: lock chain: %w", err)
	}
	prev := GenesisHash
	var last Event
	switch err := tx.Select("hash").Order("id DESC").Limit(1).Take(&last).Error; {
	case err == nil:
		prev = last.Hash
	case errors.Is(err, gorm.ErrRecordNotFound):
	default:
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	e := Event{
		OccurredAt: time.Now().UTC().Truncate(time.Microsecond),
		Actor:      a.ID, ActorName: a.Name, ActorRole: a.Role,
		Action: c.Action, EntityType: c.EntityType, EntityID: c.EntityID,
		Before: before, After: after,
		RequestID: a.RequestID, ClientIP: a.ClientIP,
		PrevHash: prev,
	}
	e.Hash = e.computeHash()
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit: insert %s: %w", c.Action, err)
	}
	return nil
}

func encode(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	if s == "null" {
		return nil, nil
	}
	return &s, nil
}

// computeHash hashes the previous hash and every field of the event in a
// fixed order. The json column keeps the exact text written, so the stored
// bytes hash the same when read back.
func (e Event) computeHash() string {
	deref := func(s *string) string {
		if s == nil {
			return "null"
		}
		return *s
	}
	fields := []string{
		e.PrevHash,
		e.OccurredAt.UTC().Format(time.RFC3339Nano),
		e.Actor, e.ActorName, e.ActorRole,
		e.Action, e.EntityType, e.EntityID,
		deref(e.Before), deref(e.After),
		e.RequestID, e.ClientIP,
	}
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyResult is the outcome of walking the chain.
type VerifyResult struct {
	Count    int64
	BrokenAt int64 // id of the first event whose link or hash is wrong; 0 when ok
	Reason   string
}

// OK reports whether the whole chain verified.
func (r VerifyResult) OK() bool { return r.BrokenAt == 0 }

func (r VerifyResult) String() string {
	if r.OK() {
		return fmt.Sprintf("ok: %d events, chain intact", r.Count)
	}
	return fmt.Sprintf("broken at event %d: %s (%d events checked before it)", r.BrokenAt, r.Reason, r.Count)
}

// Verify walks every event in id order, recomputing each hash and checking
// each link, and reports the first broken one.
func Verify(ctx context.Context, db *gorm.DB) (VerifyResult, error) {
	var res VerifyResult
	prev := GenesisHash
	var batch []Event
	var lastID int64
	for {
		batch = batch[:0]
		if err := db.WithContext(ctx).Where("id > ?", lastID).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return res, fmt.Errorf("audit: verify: %w", err)
		}
		if len(batch) == 0 {
			return res, nil
		}
		for _, e := range batch {
			switch {
			case e.PrevHash != prev:
				res.BrokenAt, res.Reason = e.ID, "previous-hash link does not match the event before it (an event was removed or reordered)"
				return res, nil
			case e.computeHash() != e.Hash:
				res.BrokenAt, res.Reason = e.ID, "stored hash does not match the event's content (the event was edited)"
				return res, nil
			}
			prev = e.Hash
			res.Count++
			lastID = e.ID
		}
	}
}

// Filter selects events for the audit page and exports.
type Filter struct {
	Actor      string
	EntityType string
	EntityID   string
	// Entities, when set, keeps the events of any of these entities (on
	// top of EntityType and EntityID): an API and all its versions in one
	// query, for example.
	Entities []EntityMatch
	Action   string
	From, To time.Time // To is exclusive
	Page     int       // 1-based
	PageSize int
}

// EntityMatch selects the events of one entity (type and id), or with
// Prefix of every entity of that type whose id starts with ID.
type EntityMatch struct {
	Type   string
	ID     string
	Prefix bool
}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	if f.Actor != "" {
		like := store.Contains(f.Actor)
		q = q.Where("lower(actor) LIKE ? OR lower(actor_name) LIKE ?", like, like)
	}
	if len(f.Entities) > 0 {
		var or []string
		var args []any
		for _, m := range f.Entities {
			if m.Prefix {
				or = append(or, "(entity_type = ? AND entity_id LIKE ?)")
				args = append(args, m.Type, store.Prefix(m.ID))
			} else {
				or = append(or, "(entity_type = ? AND entity_id = ?)")
				args = append(args, m.Type, m.ID)
			}
		}
		q = q.Where("("+strings.Join(or, " OR ")+")", args...)
	}
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.Action != "" {
		q = q.Where("action LIKE ?", store.Prefix(f.Action))
	}
	if !f.From.IsZero() {
		q = q.Where("occurred_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("occurred_at < ?", f.To)
	}
	return q
}

// List returns one page of events, newest first, and the total matching.
func List(ctx context.Context, db *gorm.DB, f Filter) ([]Event, int64, error) {
	if f.PageSize <= 0 || f.PageSize > 500 {
		f.PageSize = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	var total int64
	if err := f.apply(db.WithContext(ctx).Model(&Event{})).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	var events []Event
	err := f.apply(db.WithContext(ctx)).Order("id DESC").Limit(f.PageSize).Offset((f.Page - 1) * f.PageSize).Find(&events).Error
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return events, total, nil
}

// Each streams every event matching f, oldest first, in batches, for exports.
func Each(ctx context.Context, db *gorm.DB, f Filter, fn func(Event) error) error {
	var batch []Event
	var lastID int64
	for {
		batch = batch[:0]
		if err := f.apply(db.WithContext(ctx)).Where("id > ?", lastID).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
			lastID = e.ID
		}
	}
}

// Facets lists the distinct entity types and actions, for filter menus.
func Facets(ctx context.Context, db *gorm.DB) (entityTypes, actions []string, err error) {
	if err = db.WithContext(ctx).Model(&Event{}).Distinct().Order("entity_type").Pluck("entity_type", &entityTypes).Error; err != nil {
		return nil, nil, fmt.Errorf("audit: facets: %w", err)
	}
	if err = db.WithContext(ctx).Model(&Event{}).Distinct().Order("action").Pluck("action", &actions).Error; err != nil {
		return nil, nil, fmt.Errorf("audit: facets: %w", err)
	}
	return entityTypes, actions, nil
}
