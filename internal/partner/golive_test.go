package partner_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/partner"
)

func TestGoLiveFourEyes(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	ready(t, e, p)

	req, err := e.svc.RequestGoLive(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if req.RequestedBy != "user:1" || req.FromStatus != partner.StatusCertified || !req.Pending() {
		t.Fatalf("got request %+v, want a pending request by user:1 from certified", req)
	}
	if _, err := e.svc.RequestGoLive(bob(), p.ID); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("second request while one is pending: got %v, want ErrConflict", err)
	}
	pending, err := e.svc.PendingGoLiveRequests(alice())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != req.ID || pending[0].PartnerCode != p.Code || pending[0].PartnerName != p.Name {
		t.Errorf("got pending %+v, want request %d of %s", pending, req.ID, p.Code)
	}

	// The requester cannot approve, even with another name or role.
	sameID := audit.WithActor(alice(), audit.Actor{ID: "user:1", Name: "Alice (admin hat)", Role: "admin"})
	if _, err := e.svc.ApproveGoLive(sameID, req.ID); !errors.Is(err, partner.ErrSameApprover) {
		t.Fatalf("approval by the requester: got %v, want ErrSameApprover", err)
	}
	if !strings.Contains(partner.ErrSameApprover.Error(), "second person") {
		t.Errorf("got message %q, want it to ask for a second person", partner.ErrSameApprover)
	}
	if _, err := e.svc.ApproveGoLive(t.Context(), req.ID); !errors.Is(err, partner.ErrActorRequired) {
		t.Fatalf("approval by the system actor: got %v, want ErrActorRequired", err)
	}
	if got, _ := e.svc.Get(alice(), p.ID); got.Status != partner.StatusCertified {
		t.Fatalf("got status %s after refused approvals, want certified", got.Status)
	}

	// A second person approves: the partner is live.
	approved, err := e.svc.ApproveGoLive(bob(), req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if approved.Decision == nil || *approved.Decision != partner.DecisionApproved || *approved.DecidedBy != "user:2" {
		t.Errorf("got decision %v by %v, want approved by user:2", approved.Decision, approved.DecidedBy)
	}
	if got, _ := e.svc.Get(alice(), p.ID); got.Status != partner.StatusLive {
		t.Errorf("got status %s, want live", got.Status)
	}
	if _, err := e.svc.ApproveGoLive(bob(), req.ID); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("approving twice: got %v, want ErrConflict", err)
	}

	// Both steps are audited, each with its own actor.
	evs := auditEvents(t, e, p.Code)
	var got []string
	for _, ev := range evs {
		if strings.HasPrefix(ev.Action, "partner_go_live.") {
			got = append(got, ev.Action+" by "+ev.Actor)
		}
	}
	want := []string{"partner_go_live.request by user:1", "partner_go_live.approve by user:2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("go-live audit events (-want +got):\n%s", diff)
	}
	last := evs[len(evs)-1]
	var after map[string]any
	if err := json.Unmarshal([]byte(*last.After), &after); err != nil {
		t.Fatal(err)
	}
	if after["status"] != "live" || after["approved_by"] != "user:2" {
		t.Errorf("got approval audit after %v, want status live approved by user:2", after)
	}

	// The database refuses a self-approval even if the service check were bypassed.
	err = e.db.Exec(`INSERT INTO go_live_requests (partner_id, from_status, requested_by, requested_at, decided_by, decided_at, decision)
		VALUES (?, 'certified', 'user:9', now(), 'user:9', now(), 'approved')`, p.ID).Error
	if err == nil {
		t.Error("got a self-approved row stored, want the four-eyes check constraint to refuse it")
	}
}

func TestGoLiveRefusals(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, partner.Input{Code: "BARE", Name: "Bare Partner"})

	// Not certified: refused.
	var te *partner.TransitionError
	if _, err := e.svc.RequestGoLive(alice(), p.ID); !errors.As(err, &te) {
		t.Fatalf("request from draft: got %v, want a *TransitionError", err)
	}
	if _, err := e.svc.RequestGoLive(t.Context(), p.ID); !errors.Is(err, partner.ErrActorRequired) {
		t.Fatalf("request by the system actor: got %v, want ErrActorRequired", err)
	}

	// Certified but nothing else: refused with every missing step.
	for _, st := range []partner.Status{partner.StatusTesting, partner.StatusCertified} {
		if _, err := e.svc.Transition(alice(), p.ID, st, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.RequestGoLive(alice(), p.ID)
	if !errors.As(err, &te) {
		t.Fatalf("request when not ready: got %v, want a *TransitionError", err)
	}
	wantReasons := []string{
		"To complete the profile, add an ISA qualifier and id or a GLN, and add a contact with an email address.",
		"Issue an API key for the partner's system.",
		"Activate an adapter (format and mapping) for this partner.",
		"Run the conformance tests with the partner's sample documents until they pass.",
	}
	if diff := cmp.Diff(wantReasons, te.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}

	// Ready, requested, then a key revoked before approval: approval refused.
	if _, err := e.svc.Update(alice(), p.ID, partner.Input{Name: "Bare Partner", GLN: goodGLN}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddContact(alice(), p.ID, partner.ContactInput{Name: "Ops", Email: "ops@bare.example", Role: partner.ContactTechnical}); err != nil {
		t.Fatal(err)
	}
	k, _, err := e.svc.IssueKey(alice(), p.ID, "gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.facts.set(p.ID, true, true)
	req, err := e.svc.RequestGoLive(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RevokeKey(alice(), k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApproveGoLive(bob(), req.ID); !errors.As(err, &te) || len(te.Reasons) != 1 {
		t.Fatalf("approval after the key was revoked: got %v, want a *TransitionError naming the key", err)
	}

	// Rejection needs a reason; the requester may withdraw; the status stays.
	var ve *partner.ValidationError
	if _, err := e.svc.RejectGoLive(bob(), req.ID, " "); !errors.As(err, &ve) {
		t.Fatalf("reject without reason: got %v, want a *ValidationError", err)
	}
	rej, err := e.svc.RejectGoLive(alice(), req.ID, "key revoked during review; issue a new one")
	if err != nil {
		t.Fatal(err)
	}
	if rej.Decision == nil || *rej.Decision != partner.DecisionRejected || rej.Reason == "" {
		t.Errorf("got %+v, want rejected with the reason", rej)
	}
	if got, _ := e.svc.Get(alice(), p.ID); got.Status != partner.StatusCertified {
		t.Errorf("got status %s after rejection, want certified", got.Status)
	}
	if _, err := e.svc.RejectGoLive(bob(), req.ID, "again"); !errors.Is(err, partner.ErrConflict) {
		t.Errorf("rejecting a decided request: got %v, want ErrConflict", err)
	}
	if _, err := e.svc.ApproveGoLive(bob(), 999999); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("approving an unknown request: got %v, want ErrNotFound", err)
	}
	evs := auditEvents(t, e, p.Code)
	if got := evs[len(evs)-1].Action; got != "partner_go_live.reject" {
		t.Errorf("got last audit action %s, want partner_go_live.reject", got)
	}
	reqs, err := e.svc.GoLiveRequests(alice(), p.ID)
	if err != nil || len(reqs) != 1 {
		t.Errorf("got %d requests (%v), want 1", len(reqs), err)
	}
}

func TestReinstatementNeedsApproval(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	ready(t, e, p)
	req, err := e.svc.RequestGoLive(alice(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApproveGoLive(bob(), req.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Transition(bob(), p.ID, partner.StatusSuspended, "chargebacks"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Transition(bob(), p.ID, partner.StatusLive, ""); !errors.Is(err, partner.ErrConflict) {
		t.Fatalf("reinstating directly: got %v, want refused", err)
	}
	// Bob asks this time; Alice approves.
	req2, err := e.svc.RequestGoLive(bob(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if req2.FromStatus != partner.StatusSuspended {
		t.Errorf("got from status %s, want suspended", req2.FromStatus)
	}
	if _, err := e.svc.ApproveGoLive(bob(), req2.ID); !errors.Is(err, partner.ErrSameApprover) {
		t.Fatalf("got %v, want ErrSameApprover", err)
	}
	if _, err := e.svc.ApproveGoLive(alice(), req2.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(alice(), p.ID); got.Status != partner.StatusLive {
		t.Errorf("got status %s, want live", got.Status)
	}
}
