package partner_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/testenv"
)

// Valid GS1 keys (check digits computed with the GS1 mod-10 rule).
const (
	goodGLN  = "0614141000036"
	goodGLN2 = "4012345000009"
)

// as returns a context whose audit actor is the person id/name.
func as(id, name string) context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: id, Name: name, Role: "integration_manager"})
}

// alice requests, bob approves.
func alice() context.Context { return as("user:1", "Alice Requester") }
func bob() context.Context   { return as("user:2", "Bob Approver") }

// fakeFacts stands in for the adapter package (a sibling domain, not our
// infrastructure): it answers the adapter/conformance questions and counts
// how it was asked.
type fakeFacts struct {
	mu      sync.Mutex
	facts   map[int64]partner.AdapterFacts
	singles int
	batches int
}

func newFakeFacts() *fakeFacts { return &fakeFacts{facts: map[int64]partner.AdapterFacts{}} }

func (f *fakeFacts) set(id int64, adapter, conformance bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.facts[id] = partner.AdapterFacts{ActiveAdapter: adapter, ConformancePassing: conformance}
}

func (f *fakeFacts) AdapterFacts(_ context.Context, id int64) (bool, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.singles++
	a := f.facts[id]
	return a.ActiveAdapter, a.ConformancePassing, nil
}

func (f *fakeFacts) AdapterFactsBatch(_ context.Context, ids []int64) (map[int64]partner.AdapterFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches++
	out := map[int64]partner.AdapterFacts{}
	for _, id := range ids {
		out[id] = f.facts[id]
	}
	return out, nil
}

// clock is a test clock the service reads through SetClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	svc   *partner.Service
	db    *gorm.DB
	facts *fakeFacts
	clock *clock
}

func setup(t *testing.T) env {
	t.Helper()
	db, _ := testenv.DB(t)
	f := newFakeFacts()
	svc := partner.NewService(db, f)
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc.SetClock(c.now)
	return env{svc: svc, db: db, facts: f, clock: c}
}

func acmeInput() partner.Input {
	return partner.Input{Code: "ACME-RETAIL", Name: "ACME Retail", ISAQualifier: "ZZ", ISAID: "ACMERETAIL", GSAppCode: "ACMEGS", GLN: goodGLN, DUNS: "123456789"}
}

func mustCreate(t *testing.T, e env, in partner.Input) partner.Partner {
	t.Helper()
	p, err := e.svc.Create(alice(), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Code, err)
	}
	return p
}

// ready makes p ready for go-live: profile, key, adapter, conformance, certified.
func ready(t *testing.T, e env, p partner.Partner) {
	t.Helper()
	ctx := alice()
	if _, err := e.svc.AddContact(ctx, p.ID, partner.ContactInput{Name: "Dana Ops", Email: "edi@acme.example", Role: partner.ContactTechnical}); err != nil {
		t.Fatalf("add contact: %v", err)
	}
	if _, _, err := e.svc.IssueKey(ctx, p.ID, "ACME gateway", nil); err != nil {
		t.Fatalf("issue key: %v", err)
	}
	e.facts.set(p.ID, true, true)
	for _, st := range []partner.Status{partner.StatusTesting, partner.StatusCertified} {
		if _, err := e.svc.Transition(ctx, p.ID, st, ""); err != nil {
			t.Fatalf("move to %s: %v", st, err)
		}
	}
}

// auditEvents returns the partner's audit events, oldest first.
func auditEvents(t *testing.T, e env, code string) []audit.Event {
	t.Helper()
	var evs []audit.Event
	if err := e.db.Where("entity_type = ? AND entity_id = ?", partner.EntityType, code).Order("id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

func actions(evs []audit.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Action
	}
	return out
}
