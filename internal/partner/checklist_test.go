package partner_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/testenv"
)

// state is the checklist reduced to what each item says: done, in progress, open.
func state(c partner.Checklist) map[string]string {
	m := map[string]string{}
	for _, it := range c.Items {
		switch {
		case it.Done:
			m[it.Key] = "done"
		case it.InProgress:
			m[it.Key] = "in progress"
		default:
			m[it.Key] = "open"
		}
		if it.Hint == "" || it.Label == "" {
			m[it.Key] += " (no hint or label)"
		}
	}
	return m
}

func TestChecklistStages(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, partner.Input{Code: "STAGES", Name: "Stages Inc."})
	var keyID int64
	steps := []struct {
		name  string
		do    func(t *testing.T)
		want  map[string]string
		score int
	}{
		{"new draft", func(*testing.T) {}, map[string]string{
			"profile": "open", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 0},
		{"identifier only: profile still open", func(t *testing.T) {
			if _, err := e.svc.Update(alice(), p.ID, partner.Input{Name: "Stages Inc.", ISAQualifier: "ZZ", ISAID: "STAGES"}); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "open", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 0},
		{"phone-only contact: profile still open", func(t *testing.T) {
			if _, err := e.svc.AddContact(alice(), p.ID, partner.ContactInput{Name: "Night desk", Phone: "+1 555 0100", Role: partner.ContactEscalation}); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "open", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 0},
		{"contact with email: profile done", func(t *testing.T) {
			if _, err := e.svc.AddContact(alice(), p.ID, partner.ContactInput{Name: "EDI team", Email: "edi@stages.example", Role: partner.ContactTechnical}); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 20},
		{"key issued", func(t *testing.T) {
			k, _, err := e.svc.IssueKey(alice(), p.ID, "gateway", nil)
			if err != nil {
				t.Fatal(err)
			}
			keyID = k.ID
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "open", "conformance": "open", "approval": "open"}, 40},
		{"key revoked", func(t *testing.T) {
			if _, err := e.svc.RevokeKey(alice(), keyID); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 20},
		{"key with expiry issued", func(t *testing.T) {
			exp := e.clock.now().Add(48 * time.Hour)
			if _, _, err := e.svc.IssueKey(alice(), p.ID, "gateway 2", &exp); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "open", "conformance": "open", "approval": "open"}, 40},
		{"the key expired", func(*testing.T) { e.clock.advance(49 * time.Hour) },
			map[string]string{"profile": "done", "api_key": "open", "adapter": "open", "conformance": "open", "approval": "open"}, 20},
		{"new key, adapter active", func(t *testing.T) {
			if _, _, err := e.svc.IssueKey(alice(), p.ID, "gateway 3", nil); err != nil {
				t.Fatal(err)
			}
			e.facts.set(p.ID, true, false)
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "done", "conformance": "open", "approval": "open"}, 60},
		{"conformance passing, certified", func(t *testing.T) {
			e.facts.set(p.ID, true, true)
			for _, st := range []partner.Status{partner.StatusTesting, partner.StatusCertified} {
				if _, err := e.svc.Transition(alice(), p.ID, st, ""); err != nil {
					t.Fatal(err)
				}
			}
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "done", "conformance": "done", "approval": "open"}, 80},
		{"go-live requested", func(t *testing.T) {
			if _, err := e.svc.RequestGoLive(alice(), p.ID); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "done", "conformance": "done", "approval": "in progress"}, 80},
		{"approved by a second person", func(t *testing.T) {
			reqs, err := e.svc.GoLiveRequests(alice(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ApproveGoLive(bob(), reqs[0].ID); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "done", "conformance": "done", "approval": "done"}, 100},
		{"suspended: approval needed again", func(t *testing.T) {
			if _, err := e.svc.Transition(alice(), p.ID, partner.StatusSuspended, "audit"); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"profile": "done", "api_key": "done", "adapter": "done", "conformance": "done", "approval": "open"}, 80},
	}
	for _, st := range steps {
		st.do(t)
		c, err := e.svc.Checklist(alice(), p.ID)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, state(c)); diff != "" {
			t.Errorf("%s: checklist (-want +got):\n%s", st.name, diff)
		}
		if c.Score != st.score {
			t.Errorf("%s: got score %d, want %d", st.name, c.Score, st.score)
		}
	}
	if _, err := e.svc.Checklist(alice(), p.ID+1000); err == nil {
		t.Error("checklist of an unknown partner: got no error")
	}
}

func TestChecklistWithoutFactsSource(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := partner.NewService(db, nil)
	ctx := alice()
	p, err := svc.Create(ctx, acmeInput())
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Checklist(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{partner.ItemAdapter, partner.ItemConformance} {
		if it, ok := c.Item(key); !ok || it.Done {
			t.Errorf("item %s: got %+v, want present and not done with no facts source", key, it)
		}
	}
}

// erringFacts fails, as a broken adapter store would.
type erringFacts struct{}

func (erringFacts) AdapterFacts(context.Context, int64) (bool, bool, error) {
	return false, false, context.DeadlineExceeded
}

func TestChecklistFactsErrorIsReported(t *testing.T) {
	db, _ := testenv.DB(t)
	svc := partner.NewService(db, erringFacts{})
	p, err := svc.Create(alice(), acmeInput())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Checklist(alice(), p.ID); err == nil {
		t.Error("got no error from a failing facts source, want it reported")
	}
}

func TestListWithReadiness(t *testing.T) {
	e := setup(t)
	mk := func(code, name string, isa string) partner.Partner {
		return mustCreate(t, e, partner.Input{Code: code, Name: name, ISAQualifier: "ZZ", ISAID: isa})
	}
	a := mk("ALPHA", "Alpha Foods", "ALPHAISA")
	b := mk("BRAVO", "Bravo Wholesale", "BRAVOISA")
	c := mk("CHARLIE", "Charlie Retail", "CHARLIEISA")
	ready(t, e, b) // profile, key, adapter, conformance: 80
	if _, err := e.svc.AddContact(alice(), a.ID, partner.ContactInput{Name: "A", Email: "a@alpha.example", Role: partner.ContactBusiness}); err != nil {
		t.Fatal(err)
	}
	e.facts.set(c.ID, true, false)

	type row struct {
		Code   string
		Status partner.Status
		Score  int
	}
	tests := []struct {
		name  string
		f     partner.ListFilter
		want  []row
		total int64
	}{
		{"all by name", partner.ListFilter{}, []row{{"ALPHA", "draft", 20}, {"BRAVO", "certified", 80}, {"CHARLIE", "draft", 20}}, 3},
		{"status", partner.ListFilter{Status: partner.StatusCertified}, []row{{"BRAVO", "certified", 80}}, 1},
		{"onboarding statuses", partner.ListFilter{Statuses: partner.OnboardingStatuses()}, []row{{"ALPHA", "draft", 20}, {"BRAVO", "certified", 80}, {"CHARLIE", "draft", 20}}, 3},
		{"any of statuses", partner.ListFilter{Statuses: []partner.Status{partner.StatusCertified, partner.StatusLive}}, []row{{"BRAVO", "certified", 80}}, 1},
		{"statuses none match", partner.ListFilter{Statuses: []partner.Status{partner.StatusLive, partner.StatusSuspended}}, nil, 0},
		{"status and statuses", partner.ListFilter{Status: partner.StatusDraft, Statuses: partner.OnboardingStatuses(), PageSize: 1}, []row{{"ALPHA", "draft", 20}}, 2},
		{"query on name", partner.ListFilter{Query: "retail"}, []row{{"CHARLIE", "draft", 20}}, 1},
		{"query on ISA id", partner.ListFilter{Query: "bravoisa"}, []row{{"BRAVO", "certified", 80}}, 1},
		{"query with LIKE wildcard is literal", partner.ListFilter{Query: "%"}, nil, 0},
		{"page 2 of 2", partner.ListFilter{Page: 2, PageSize: 2}, []row{{"CHARLIE", "draft", 20}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches0, singles0 := e.facts.batches, e.facts.singles
			rows, total, err := e.svc.List(alice(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, r := range rows {
				got = append(got, row{r.Code, r.Status, r.Score})
				if r.Score != r.Checklist.Score {
					t.Errorf("%s: row score %d differs from its checklist's %d", r.Code, r.Score, r.Checklist.Score)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if total != tt.total {
				t.Errorf("got total %d, want %d", total, tt.total)
			}
			if len(rows) > 1 && (e.facts.batches != batches0+1 || e.facts.singles != singles0) {
				t.Errorf("facts asked %d times in batch and %d one by one for a page of %d, want one batch call",
					e.facts.batches-batches0, e.facts.singles-singles0, len(rows))
			}
		})
	}
}
