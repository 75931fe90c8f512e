package partner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReadinessFacts answers the checklist questions this package cannot: does
// the partner have an active adapter, and do its conformance tests pass.
// The adapter package implements it; a nil ReadinessFacts answers false.
type ReadinessFacts interface {
	AdapterFacts(ctx context.Context, partnerID int64) (activeAdapter bool, conformancePassing bool, err error)
}

// AdapterFacts is one partner's answer of a BatchReadinessFacts.
type AdapterFacts struct {
	ActiveAdapter      bool
	ConformancePassing bool
}

// BatchReadinessFacts is an optional extension of ReadinessFacts: a source
// that implements it answers for a whole page of partners in one call, and
// List uses it (one query for the page instead of one per partner).
// Partners missing from the map count as false/false.
type BatchReadinessFacts interface {
	ReadinessFacts
	AdapterFactsBatch(ctx context.Context, partnerIDs []int64) (map[int64]AdapterFacts, error)
}

// Checklist item keys, in display order.
const (
	ItemProfile     = "profile"
	ItemAPIKey      = "api_key"
	ItemAdapter     = "adapter"
	ItemConformance = "conformance"
	ItemApproval    = "approval"
)

// Item is one onboarding step. InProgress marks a step under way (a
// go-live request awaiting its second person); Hint says what to do next,
// or what was done.
type Item struct {
	Key        string
	Label      string
	Done       bool
	InProgress bool
	Hint       string
}

// Checklist is a partner's onboarding readiness. Score is the share of
// done items, 0 to 100 (each of the five items counts 20).
type Checklist struct {
	Items []Item
	Score int
}

// Item returns the item with key.
func (c Checklist) Item(key string) (Item, bool) {
	for _, it := range c.Items {
		if it.Key == key {
			return it, true
		}
	}
	return Item{}, false
}

// ReadyForGoLive reports whether every item before the approval is done.
func (c Checklist) ReadyForGoLive() bool { return len(c.Missing()) == 0 }

// Missing lists the hints of the items still open before the approval.
func (c Checklist) Missing() []string {
	var out []string
	for _, it := range c.Items {
		if it.Key != ItemApproval && !it.Done {
			out = append(out, it.Hint)
		}
	}
	return out
}

// readinessRow holds the facts the database knows for one partner.
type readinessRow struct {
	PartnerID              int64
	Status                 Status
	HasIdentifier          bool
	HasContactEmail        bool
	HasActiveKey           bool
	HasAnyKey              bool
	PendingRequestID       *int64
	PendingRequestedByName *string
	PendingRequestedAt     *time.Time
}

// readinessQuery: the database side of the checklist for a set of partners
// (the ids are the last argument, the clock the first two). One row per
// partner; at most one pending go-live request per partner (unique index).
const readinessQuery = `
SELECT p.id AS partner_id, p.status,
       (p.isa_id <> '' OR p.gln <> '') AS has_identifier,
       EXISTS (SELECT 1 FROM partner_contacts c WHERE c.partner_id = p.id AND c.email <> '') AS has_contact_email,
       EXISTS (SELECT 1 FROM partner_api_keys k WHERE k.partner_id = p.id AND k.revoked_at IS NULL
                 AND (k.expires_at IS NULL OR k.expires_at > ?) AND (k.overlap_until IS NULL OR k.overlap_until > ?)) AS has_active_key,
       EXISTS (SELECT 1 FROM partner_api_keys k WHERE k.partner_id = p.id) AS has_any_key,
       g.id AS pending_request_id, g.requested_by_name AS pending_requested_by_name, g.requested_at AS pending_requested_at
FROM partners p
LEFT JOIN go_live_requests g ON g.partner_id = p.id AND g.decision IS NULL
WHERE p.id IN ?`

func (s *Service) readiness(ctx context.Context, db *gorm.DB, ids []int64) (map[int64]readinessRow, error) {
	out := make(map[int64]readinessRow, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	now := s.clock()
	var rows []readinessRow
	if err := db.WithContext(ctx).Raw(readinessQuery, now, now, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	for _, r := range rows {
		out[r.PartnerID] = r
	}
	return out, nil
}

// adapterFacts asks the facts source about ids: in one call when it can
// answer in batches, otherwise once per partner.
func (s *Service) adapterFacts(ctx context.Context, ids []int64) (map[int64]AdapterFacts, error) {
	out := make(map[int64]AdapterFacts, len(ids))
	if s.facts == nil || len(ids) == 0 {
		return out, nil
	}
	if b, ok := s.facts.(BatchReadinessFacts); ok && len(ids) > 1 {
		m, err := b.AdapterFactsBatch(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("adapter facts: %w", err)
		}
		for id, f := range m {
			out[id] = f
		}
		return out, nil
	}
	for _, id := range ids {
		a, c, err := s.facts.AdapterFacts(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("adapter facts of %d: %w", id, err)
		}
		out[id] = AdapterFacts{ActiveAdapter: a, ConformancePassing: c}
	}
	return out, nil
}

// buildChecklist turns the facts of one partner into its checklist.
func buildChecklist(r readinessRow, f AdapterFacts) Checklist {
	var missing []string
	if !r.HasIdentifier {
		missing = append(missing, "add an ISA qualifier and id or a GLN")
	}
	if !r.HasContactEmail {
		missing = append(missing, "add a contact with an email address")
	}
	profile := Item{Key: ItemProfile, Label: "Profile complete", Done: len(missing) == 0, Hint: "Name, identifier and a contact with an email address are in place."}
	if !profile.Done {
		profile.Hint = "To complete the profile, " + strings.Join(missing, ", and ") + "."
	}

	key := Item{Key: ItemAPIKey, Label: "API key issued", Done: r.HasActiveKey, Hint: "The partner has a working API key."}
	switch {
	case !r.HasActiveKey && r.HasAnyKey:
		key.Hint = "No key works any more (revoked, expired or rotated); issue a new key."
	case !r.HasActiveKey:
		key.Hint = "Issue an API key for the partner's system."
	}

	adapter := Item{Key: ItemAdapter, Label: "Adapter active", Done: f.ActiveAdapter, Hint: "An adapter translates this partner's documents."}
	if !adapter.Done {
		adapter.Hint = "Activate an adapter (format and mapping) for this partner."
	}
	conf := Item{Key: ItemConformance, Label: "Conformance passing", Done: f.ConformancePassing, Hint: "The partner's sample documents pass the conformance tests."}
	if !conf.Done {
		conf.Hint = "Run the conformance tests with the partner's sample documents until they pass."
	}

	approval := Item{Key: ItemApproval, Label: "Go-live approved", Done: r.Status == StatusLive}
	switch {
	case approval.Done:
		approval.Hint = "Approved by a second person; the partner is live."
	case r.PendingRequestID != nil:
		approval.InProgress = true
		by := "someone"
		if r.PendingRequestedByName != nil && *r.PendingRequestedByName != "" {
			by = *r.PendingRequestedByName
		}
		approval.Hint = fmt.Sprintf("Go-live requested by %s; waiting for a second person to approve.", by)
	case r.Status == StatusSuspended:
		approval.Hint = "The partner is suspended; reinstating it needs a new go-live request approved by a second person."
	case r.Status == StatusCertified:
		approval.Hint = "Request go-live; a second person approves it."
	default:
		approval.Hint = "Once the partner is certified, request go-live; a second person approves it."
	}

	c := Checklist{Items: []Item{profile, key, adapter, conf, approval}}
	done := 0
	for _, it := range c.Items {
		if it.Done {
			done++
		}
	}
	c.Score = done * 100 / len(c.Items)
	return c
}

// checklist computes one partner's checklist reading through db (the
// caller's transaction, or the service's handle).
func (s *Service) checklist(ctx context.Context, db *gorm.DB, partnerID int64) (Checklist, error) {
	rs, err := s.readiness(ctx, db, []int64{partnerID})
	if err != nil {
		return Checklist{}, err
	}
	r, ok := rs[partnerID]
	if !ok {
		return Checklist{}, fmt.Errorf("partner %d: %w", partnerID, ErrNotFound)
	}
	fs, err := s.adapterFacts(ctx, []int64{partnerID})
	if err != nil {
		return Checklist{}, err
	}
	return buildChecklist(r, fs[partnerID]), nil
}

// Checklist returns the partner's onboarding checklist and readiness score:
// profile complete (name, an ISA identifier or a GLN, a contact with an
// email), a working API key, an active adapter, conformance passing, and
// the go-live approval (in progress while a request is pending, done when
// the partner is live).
func (s *Service) Checklist(ctx context.Context, partnerID int64) (Checklist, error) {
	c, err := s.checklist(ctx, s.db, partnerID)
	if err != nil {
		return Checklist{}, fmt.Errorf("partner: checklist of %d: %w", partnerID, err)
	}
	return c, nil
}

// ListFilter selects partners for the partner list.
type ListFilter struct {
	Query  string // matches code, name, ISA id, GLN, DUNS
	Status Status // "" = any
	// Statuses, when not empty, keeps partners in any of these statuses
	// (OnboardingStatuses for the ones still onboarding).
	Statuses []Status
	Page     int // 1-based
	PageSize int // default 25, at most 200
}

// ListRow is one partner in the list, with its checklist.
type ListRow struct {
	Partner
	Checklist Checklist
	Score     int
}

// List returns one page of partners by name and the total matching. The
// readiness of the page takes one more query, plus one call to the facts
// source when it implements BatchReadinessFacts.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ListRow, int64, error) {
	if f.PageSize <= 0 || f.PageSize > 200 {
		f.PageSize = 25
	}
	if f.Page < 1 {
		f.Page = 1
	}
	q := s.db.WithContext(ctx).Model(&Partner{})
	if query := strings.TrimSpace(f.Query); query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(query)) + "%"
		q = q.Where("lower(name) LIKE ? OR lower(code) LIKE ? OR lower(isa_id) LIKE ? OR gln LIKE ? OR duns LIKE ?", like, like, like, like, like)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	q = q.Session(&gorm.Session{}) // reusable for the count and the page
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("partner: count partners: %w", err)
	}
	var ps []Partner
	if err := q.Order("lower(name), id").Limit(f.PageSize).Offset((f.Page - 1) * f.PageSize).Find(&ps).Error; err != nil {
		return nil, 0, fmt.Errorf("partner: list partners: %w", err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	rs, err := s.readiness(ctx, s.db, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("partner: list partners: %w", err)
	}
	fs, err := s.adapterFacts(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("partner: list partners: %w", err)
	}
	rows := make([]ListRow, len(ps))
	for i, p := range ps {
		c := buildChecklist(rs[p.ID], fs[p.ID])
		rows[i] = ListRow{Partner: p, Checklist: c, Score: c.Score}
	}
	return rows, total, nil
}
