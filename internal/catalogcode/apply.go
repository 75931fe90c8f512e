package catalogcode

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/partner"
)

// Apply plans doc and, unless dryRun, carries the plan out and returns
// what happened.
//
// Refused items are skipped and reported; everything else is applied. Each
// item is its own transaction (or a few, one per lifecycle step), made
// through the catalog service, so the same validation and audit events
// apply as in the console. An item the catalog refuses while applying
// (because the database changed since planning) is reported as refused,
// with what was already done in its notes. Only a failure of the database
// itself stops an apply with an error; as applying is idempotent, running
// it again finishes the job.
func (s *Service) Apply(ctx context.Context, doc Document, dryRun bool) (Plan, error) {
	plan, err := s.Plan(ctx, doc)
	if err != nil || dryRun {
		return plan, err
	}
	plan.DryRun = false
	steps := plan.steps
	plan.steps = nil
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].phase < steps[j].phase })
	done := map[int][]string{}
	for _, st := range steps {
		it := &plan.Items[st.item]
		if it.Action == Refused {
			continue // an earlier step of this item was refused
		}
		err := st.run(ctx)
		if err == nil {
			if st.does != "" {
				done[st.item] = append(done[st.item], st.does)
			}
			continue
		}
		reasons, ok := refusalReasons(err)
		if !ok {
			return plan, fmt.Errorf("catalogcode: apply %s %s: %w", it.Kind, it.Key, err)
		}
		it.Action, it.Reasons = Refused, reasons
		if d := done[st.item]; len(d) > 0 {
			it.Notes = append(it.Notes, "partly applied: "+strings.Join(d, ", "))
		}
	}
	return plan, nil
}

// refusalReasons turns the errors the catalog, partner and adapter
// services use to say no into reasons; ok is false for anything else (a
// failure, not a refusal).
func refusalReasons(err error) ([]string, bool) {
	var ve *catalog.ValidationError
	var te *catalog.TransitionError
	var r *refusal
	var pve *partner.ValidationError
	var pte *partner.TransitionError
	var ave *adapter.ValidationError
	switch {
	case errors.As(err, &pve):
		return reasonsOf(pve.Fields), true
	case errors.As(err, &pte):
		return pte.Reasons, true
	case errors.As(err, &ave):
		return reasonsOf(ave.Fields), true
	case errors.Is(err, partner.ErrNotFound), errors.Is(err, partner.ErrConflict),
		errors.Is(err, adapter.ErrNotFound), errors.Is(err, adapter.ErrConflict),
		errors.Is(err, adapter.ErrImmutable), errors.Is(err, adapter.ErrDoesNotCompile):
		return []string{err.Error()}, true
	case errors.As(err, &r):
		return r.reasons, true
	case errors.As(err, &ve):
		return reasonsOf(ve.Fields), true
	case errors.As(err, &te):
		return te.Reasons, true
	case errors.Is(err, catalog.ErrImmutable):
		return []string{catalog.ErrImmutable.Error()}, true
	case errors.Is(err, catalog.ErrForbidden):
		return []string{"your role does not allow this change"}, true
	case errors.Is(err, catalog.ErrNotFound):
		return []string{"it refers to something that is not in the catalog: " + err.Error()}, true
	}
	return nil, false
}
