package scorecard

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/store"
)

// Service grades APIs. It only reads.
type Service struct {
	db *gorm.DB
}

// NewService returns the scorecard service.
func NewService(db *gorm.DB) *Service { return &Service{db: db} }

// ForAPI grades one API. An unknown id is store.ErrNotFound.
func (s *Service) ForAPI(ctx context.Context, apiID int64) (Card, error) {
	cards, err := s.ForAPIs(ctx, []int64{apiID})
	if err != nil {
		return Card{}, err
	}
	card, ok := cards[apiID]
	if !ok {
		return Card{}, fmt.Errorf("scorecard: api %d: %w", apiID, store.ErrNotFound)
	}
	return card, nil
}

// ForAPIs grades the APIs of a list page with one query, whatever their
// number. Ids that match no API are left out of the map.
func (s *Service) ForAPIs(ctx context.Context, apiIDs []int64) (map[int64]Card, error) {
	cards := make(map[int64]Card, len(apiIDs))
	if len(apiIDs) == 0 {
		return cards, nil
	}
	rows, err := s.db.WithContext(ctx).Raw(factsQuery(true), map[string]any{"ids": apiIDs}).Rows()
	if err != nil {
		return nil, fmt.Errorf("scorecard: facts for %d apis: %w", len(apiIDs), err)
	}
	defer rows.Close()
	cs := checks()
	for rows.Next() {
		var f facts
		if err := rows.Scan(f.columns()...); err != nil {
			return nil, fmt.Errorf("scorecard: facts for %d apis: %w", len(apiIDs), err)
		}
		cards[f.ID] = evaluate(cs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scorecard: facts for %d apis: %w", len(apiIDs), err)
	}
	return cards, nil
}

// Failing returns the slugs of the APIs that fail a rule, sorted, for the
// catalog filter "failing rule". The list is empty, never nil, when every
// API passes (catalog.ListFilter reads a nil Slugs as "all APIs"). An
// unknown rule id is store.ErrNotFound.
func (s *Service) Failing(ctx context.Context, ruleID string) ([]string, error) {
	c, ok := checkByID(ruleID)
	if !ok {
		return nil, fmt.Errorf("scorecard: failing %q: unknown rule: %w", ruleID, store.ErrNotFound)
	}
	// scorecard failing: the facts query restricted to the rule's failing
	// condition; PostgreSQL drops the joins the condition does not need.
	q := `SELECT f.slug FROM (` + factsQuery(false) + `) f WHERE ` + c.failing
	slugs := []string{}
	if err := s.db.WithContext(ctx).Raw(q).Scan(&slugs).Error; err != nil {
		return nil, fmt.Errorf("scorecard: failing %s: %w", ruleID, err)
	}
	slices.Sort(slugs) // byte order, whatever the database collation
	return slugs, nil
}

// Summary counts, per rule in Rules() order, the APIs that fail it, with
// one query.
func (s *Service) Summary(ctx context.Context) ([]RuleSummary, error) {
	cs := checks()
	counts := make([]string, len(cs))
	for i, c := range cs {
		counts[i] = fmt.Sprintf(`count(*) FILTER (WHERE %s)`, c.failing)
	}
	// scorecard summary: one pass over the facts, one count per rule.
	q := `SELECT ` + strings.Join(counts, ", ") + ` FROM (` + factsQuery(false) + `) f`
	rows, err := s.db.WithContext(ctx).Raw(q).Rows()
	if err != nil {
		return nil, fmt.Errorf("scorecard: summary: %w", err)
	}
	defer rows.Close()
	n := make([]int, len(cs))
	dest := make([]any, len(cs))
	for i := range n {
		dest[i] = &n[i]
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("scorecard: summary: %w", err)
		}
		return nil, fmt.Errorf("scorecard: summary: no row")
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, fmt.Errorf("scorecard: summary: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scorecard: summary: %w", err)
	}
	out := make([]RuleSummary, len(cs))
	for i, c := range cs {
		out[i] = RuleSummary{Rule: c.Rule, Failing: n[i]}
	}
	return out, nil
}

func checkByID(id string) (check, bool) {
	for _, c := range checks() {
		if c.ID == id {
			return c, true
		}
	}
	return check{}, false
}
