package partner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
)

// person returns the actor behind ctx, refusing the anonymous "system"
// actor: four eyes need two identified people.
func person(ctx context.Context) (audit.Actor, error) {
	a := audit.ActorFrom(ctx)
	if a.ID == "" || a.ID == "system" {
		return a, ErrActorRequired
	}
	return a, nil
}

// RequestGoLive asks for a certified partner to go live, or for a suspended
// one to be reinstated. Every checklist item before the approval must be
// done (profile, working key, active adapter, conformance passing);
// otherwise a *TransitionError lists what is missing. A partner has at
// most one pending request (ErrConflict). The request is audited.
func (s *Service) RequestGoLive(ctx context.Context, partnerID int64) (GoLiveRequest, error) {
	var req GoLiveRequest
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := person(ctx)
		if err != nil {
			return err
		}
		p, err := lockPartner(tx, partnerID)
		if err != nil {
			return err
		}
		if !p.Status.CanRequestGoLive() {
			return &TransitionError{From: p.Status, To: StatusLive, Reasons: []string{
				"only a certified partner, or a suspended one being reinstated, can request go-live"}}
		}
		var pending GoLiveRequest
		switch err := tx.Where("partner_id = ? AND decision IS NULL", p.ID).Take(&pending).Error; {
		case err == nil:
			return fmt.Errorf("go-live request %d of %s is pending already: %w", pending.ID, p.Code, ErrConflict)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		c, err := s.checklist(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if !c.ReadyForGoLive() {
			return &TransitionError{From: p.Status, To: StatusLive, Reasons: c.Missing()}
		}
		req = GoLiveRequest{PartnerID: p.ID, FromStatus: p.Status, RequestedBy: a.ID, RequestedByName: a.Name, RequestedAt: s.clock()}
		if err := tx.Create(&req).Error; err != nil {
			if duplicate(err) {
				return fmt.Errorf("a go-live request of %s is pending already: %w", p.Code, ErrConflict)
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_go_live.request", EntityType: EntityType, EntityID: p.Code,
			After: map[string]any{"request_id": req.ID, "status": p.Status, "requested_by": a.ID, "requested_by_name": a.Name, "score": c.Score}})
	})
	if err != nil {
		return GoLiveRequest{}, fmt.Errorf("partner: request go-live of %d: %w", partnerID, err)
	}
	return req, nil
}

// lockPending locks a request's partner, then the request (always in that
// order), and checks the request is still pending.
func lockPending(tx *gorm.DB, requestID int64) (GoLiveRequest, Partner, error) {
	var req GoLiveRequest
	if err := tx.Take(&req, requestID).Error; err != nil {
		return req, Partner{}, fmt.Errorf("go-live request %d: %w", requestID, notFound(err))
	}
	p, err := lockPartner(tx, req.PartnerID)
	if err != nil {
		return req, p, err
	}
	if err := tx.Clauses(forUpdate()).Take(&req, requestID).Error; err != nil {
		return req, p, fmt.Errorf("go-live request %d: %w", requestID, notFound(err))
	}
	if !req.Pending() {
		return req, p, fmt.Errorf("go-live request %d was %s already: %w", requestID, *req.Decision, ErrConflict)
	}
	return req, p, nil
}

// ApproveGoLive approves a pending request and makes the partner live, in
// one transaction. The requester cannot approve their own request
// (ErrSameApprover), nor can the anonymous system actor (ErrActorRequired).
// The checklist is checked again: a key revoked or a conformance run
// failing since the request refuses the approval with a *TransitionError.
func (s *Service) ApproveGoLive(ctx context.Context, requestID int64) (GoLiveRequest, error) {
	var req GoLiveRequest
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := person(ctx)
		if err != nil {
			return err
		}
		var p Partner
		if req, p, err = lockPending(tx, requestID); err != nil {
			return err
		}
		if a.ID == req.RequestedBy {
			return ErrSameApprover
		}
		if p.Status != req.FromStatus {
			return &TransitionError{From: p.Status, To: StatusLive, Reasons: []string{
				fmt.Sprintf("the partner was %s when go-live was requested and is %s now; reject this request and ask again", req.FromStatus.Label(), p.Status.Label())}}
		}
		c, err := s.checklist(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if !c.ReadyForGoLive() {
			return &TransitionError{From: p.Status, To: StatusLive, Reasons: c.Missing()}
		}
		now := s.clock()
		d := DecisionApproved
		req.DecidedBy, req.DecidedByName, req.DecidedAt, req.Decision = &a.ID, &a.Name, &now, &d
		if err := tx.Model(&req).Updates(map[string]any{"decided_by": a.ID, "decided_by_name": a.Name, "decided_at": now, "decision": d}).Error; err != nil {
			return err
		}
		from := p.Status
		if err := tx.Model(&p).Updates(map[string]any{"status": StatusLive, "updated_at": now}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_go_live.approve", EntityType: EntityType, EntityID: p.Code,
			Before: map[string]any{"status": from, "request_id": req.ID, "requested_by": req.RequestedBy, "requested_by_name": req.RequestedByName},
			After:  map[string]any{"status": StatusLive, "approved_by": a.ID, "approved_by_name": a.Name}})
	})
	if err != nil {
		return GoLiveRequest{}, fmt.Errorf("partner: approve go-live request %d: %w", requestID, err)
	}
	return req, nil
}

// RejectGoLive declines a pending request with a reason; the partner keeps
// its status. The requester may reject (withdraw) their own request.
func (s *Service) RejectGoLive(ctx context.Context, requestID int64, reason string) (GoLiveRequest, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return GoLiveRequest{}, fmt.Errorf("partner: reject go-live request %d: %w", requestID,
			&ValidationError{Fields: map[string]string{"reason": "Say why go-live is rejected, so the requester knows what to fix."}})
	}
	var req GoLiveRequest
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := person(ctx)
		if err != nil {
			return err
		}
		var p Partner
		if req, p, err = lockPending(tx, requestID); err != nil {
			return err
		}
		now := s.clock()
		d := DecisionRejected
		req.DecidedBy, req.DecidedByName, req.DecidedAt, req.Decision, req.Reason = &a.ID, &a.Name, &now, &d, reason
		if err := tx.Model(&req).Updates(map[string]any{"decided_by": a.ID, "decided_by_name": a.Name, "decided_at": now, "decision": d, "reason": reason}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_go_live.reject", EntityType: EntityType, EntityID: p.Code,
			Before: map[string]any{"request_id": req.ID, "requested_by": req.RequestedBy, "requested_by_name": req.RequestedByName},
			After:  map[string]any{"decision": d, "reason": reason, "rejected_by": a.ID, "rejected_by_name": a.Name}})
	})
	if err != nil {
		return GoLiveRequest{}, fmt.Errorf("partner: reject go-live request %d: %w", requestID, err)
	}
	return req, nil
}

// GoLiveRequest loads one request.
func (s *Service) GoLiveRequest(ctx context.Context, requestID int64) (GoLiveRequest, error) {
	var req GoLiveRequest
	if err := s.db.WithContext(ctx).Take(&req, requestID).Error; err != nil {
		return GoLiveRequest{}, fmt.Errorf("partner: go-live request %d: %w", requestID, notFound(err))
	}
	return req, nil
}

// GoLiveRequests lists a partner's requests, newest first.
func (s *Service) GoLiveRequests(ctx context.Context, partnerID int64) ([]GoLiveRequest, error) {
	var rs []GoLiveRequest
	if err := s.db.WithContext(ctx).Where("partner_id = ?", partnerID).Order("requested_at DESC, id DESC").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("partner: go-live requests of %d: %w", partnerID, err)
	}
	return rs, nil
}

// PendingRequest is a pending go-live request with its partner, for the
// approver's inbox.
type PendingRequest struct {
	GoLiveRequest
	PartnerCode string
	PartnerName string
}

// PendingGoLiveRequests lists every pending request, oldest first.
func (s *Service) PendingGoLiveRequests(ctx context.Context) ([]PendingRequest, error) {
	var rs []PendingRequest
	err := s.db.WithContext(ctx).Raw(`SELECT g.*, p.code AS partner_code, p.name AS partner_name
		FROM go_live_requests g JOIN partners p ON p.id = g.partner_id
		WHERE g.decision IS NULL ORDER BY g.requested_at, g.id`).Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("partner: pending go-live requests: %w", err)
	}
	return rs, nil
}
