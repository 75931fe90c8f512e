package adapter

import (
	"context"
	"fmt"

	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/partner"
)

// The service answers the partner checklist and the deprecation schedule.
var (
	_ partner.BatchReadinessFacts = (*Service)(nil)
	_ deprecation.ConsumerSource  = (*Service)(nil)
)

// readinessFacts: per partner, the adapters with an active revision and
// how many of them pass conformance: the latest finished run on the active
// revision passed, started after the revision's mapping last changed
// (adapter_revisions.updated_at; a run of the draft before activation
// counts when the draft was not edited since), and no sample was added or
// changed after that run started (a sample added since was not judged).
const readinessFacts = `
SELECT a.partner_id,
       count(*) AS active,
       count(*) FILTER (WHERE r.status = 'passed' AND r.started_at >= ar.updated_at
                          AND NOT EXISTS (SELECT 1 FROM adapter_samples s
                                          WHERE s.adapter_id = a.id AND s.updated_at > r.started_at)) AS passing
FROM adapters a
JOIN adapter_revisions ar ON ar.id = a.active_revision_id
LEFT JOIN LATERAL (SELECT c.status, c.started_at FROM conformance_runs c
                   WHERE c.adapter_id = a.id AND c.revision_id = a.active_revision_id
                     AND c.status IN ('passed', 'failed', 'error')
                   ORDER BY c.id DESC LIMIT 1) r ON true
WHERE a.partner_id IN ? AND a.active_revision_id IS NOT NULL
GROUP BY a.partner_id`

// AdapterFactsBatch implements partner.BatchReadinessFacts: for each
// partner, ActiveAdapter when one of its adapters has an active revision,
// and ConformancePassing when it has at least one such adapter and every
// one of them passes conformance on its active revision: its latest
// finished run on that revision passed, started after the revision's
// mapping last changed, and no sample was added or changed since it
// started. One query for all ids.
func (s *Service) AdapterFactsBatch(ctx context.Context, partnerIDs []int64) (map[int64]partner.AdapterFacts, error) {
	out := make(map[int64]partner.AdapterFacts, len(partnerIDs))
	if len(partnerIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		PartnerID int64
		Active    int
		Passing   int
	}
	if err := s.db.WithContext(ctx).Raw(readinessFacts, partnerIDs).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("adapter: readiness facts: %w", err)
	}
	for _, r := range rows {
		out[r.PartnerID] = partner.AdapterFacts{ActiveAdapter: r.Active > 0, ConformancePassing: r.Active > 0 && r.Passing == r.Active}
	}
	return out, nil
}

// AdapterFacts implements partner.ReadinessFacts for one partner (see
// AdapterFactsBatch).
func (s *Service) AdapterFacts(ctx context.Context, partnerID int64) (activeAdapter bool, conformancePassing bool, err error) {
	m, err := s.AdapterFactsBatch(ctx, []int64{partnerID})
	if err != nil {
		return false, false, err
	}
	f := m[partnerID]
	return f.ActiveAdapter, f.ConformancePassing, nil
}

// ConsumersOf implements deprecation.ConsumerSource: for each API version,
// the adapters targeting it, by partner then adapter name, as
// Consumer{Kind: "adapter", ID: adapter id, Name: "<partner name> ·
// <adapter name>", Link: "/partners/<code>/adapters/<id>"}. Adapters
// without an active revision count too: they are consumers in the making.
func (s *Service) ConsumersOf(ctx context.Context, versionIDs []int64) (map[int64][]deprecation.Consumer, error) {
	out := make(map[int64][]deprecation.Consumer)
	if len(versionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ID                 int64
		Name               string
		TargetAPIVersionID int64
		PartnerCode        string
		PartnerName        string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.name, a.target_api_version_id, p.code AS partner_code, p.name AS partner_name
		FROM adapters a JOIN partners p ON p.id = a.partner_id
		WHERE a.target_api_version_id IN ?
		ORDER BY lower(p.name), lower(a.name), a.id`, versionIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("adapter: consumers of versions: %w", err)
	}
	for _, r := range rows {
		out[r.TargetAPIVersionID] = append(out[r.TargetAPIVersionID], deprecation.Consumer{
			Kind: "adapter", ID: r.ID, Name: r.PartnerName + " · " + r.Name,
			Link: "/partners/" + r.PartnerCode + "/adapters/" + idString(r.ID),
		})
	}
	return out, nil
}
