package partner_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/partner"
)

func TestValidGLN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{goodGLN, true},
		{goodGLN2, true},
		{"0000000000000", true},
		{"0614141000037", false}, // wrong check digit
		{"4012345000008", false}, // wrong check digit
		{"061414100003", false},  // 12 digits
		{"06141410000366", false},
		{"06141410000A6", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := partner.ValidGLN(tt.in); got != tt.want {
			t.Errorf("ValidGLN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	e := setup(t)
	mustCreate(t, e, partner.Input{Code: "TAKEN", Name: "Taken", ISAQualifier: "ZZ", ISAID: "TAKENISA"})
	tests := []struct {
		name   string
		edit   func(*partner.Input)
		fields []string // fields with a message; nil = valid
	}{
		{"valid", func(*partner.Input) {}, nil},
		{"valid with only name and code", func(in *partner.Input) { *in = partner.Input{Code: "MIN", Name: "Minimal"} }, nil},
		{"lowercase code is upper-cased", func(in *partner.Input) { in.Code = "acme-retail" }, nil},
		{"GLN and DUNS typed with separators", func(in *partner.Input) { in.GLN, in.DUNS = "0614141 000036", "12-345-6789" }, nil},
		{"padded ISA id is trimmed", func(in *partner.Input) { in.ISAID = "ACMERETAIL     " }, nil},
		{"ISA qualifier 01 with DUNS", func(in *partner.Input) { in.ISAQualifier, in.ISAID = "01", "123456789" }, nil},
		{"ISA qualifier 07 with GLN", func(in *partner.Input) { in.ISAQualifier, in.ISAID = "07", goodGLN2 }, nil},
		{"ISA qualifier lowercase zz", func(in *partner.Input) { in.ISAQualifier = "zz" }, nil},
		{"code too short", func(in *partner.Input) { in.Code = "A" }, []string{"code"}},
		{"code starts with dash", func(in *partner.Input) { in.Code = "-ACME" }, []string{"code"}},
		{"code with space", func(in *partner.Input) { in.Code = "ACME RETAIL" }, []string{"code"}},
		{"code too long", func(in *partner.Input) { in.Code = strings.Repeat("A", 33) }, []string{"code"}},
		{"code taken", func(in *partner.Input) { in.Code = "TAKEN" }, []string{"code"}},
		{"name missing", func(in *partner.Input) { in.Name = "  " }, []string{"name"}},
		{"GLN bad check digit", func(in *partner.Input) { in.GLN = "0614141000037" }, []string{"gln"}},
		{"GLN 12 digits", func(in *partner.Input) { in.GLN = "061414100003" }, []string{"gln"}},
		{"GLN letters", func(in *partner.Input) { in.GLN = "06141410000AB" }, []string{"gln"}},
		{"DUNS 8 digits", func(in *partner.Input) { in.DUNS = "12345678" }, []string{"duns"}},
		{"DUNS letters", func(in *partner.Input) { in.DUNS = "12345678X" }, []string{"duns"}},
		{"DUNS all zeros", func(in *partner.Input) { in.DUNS = "000000000" }, []string{"duns"}},
		{"unknown ISA qualifier", func(in *partner.Input) { in.ISAQualifier = "XX" }, []string{"isa_qualifier"}},
		{"ISA id without qualifier", func(in *partner.Input) { in.ISAQualifier = "" }, []string{"isa_qualifier"}},
		{"ISA qualifier without id", func(in *partner.Input) { in.ISAID = "" }, []string{"isa_id"}},
		{"ISA id 16 chars", func(in *partner.Input) { in.ISAID = "ACMERETAIL123456" }, []string{"isa_id"}},
		{"ISA id with delimiter", func(in *partner.Input) { in.ISAID = "ACME*RETAIL" }, []string{"isa_id"}},
		{"ISA qualifier 01 with non-DUNS", func(in *partner.Input) { in.ISAQualifier, in.ISAID = "01", "ACME" }, []string{"isa_id"}},
		{"ISA qualifier 07 with bad GLN", func(in *partner.Input) { in.ISAQualifier, in.ISAID = "07", "0614141000037" }, []string{"isa_id"}},
		{"ISA pair taken", func(in *partner.Input) { in.ISAID = "TAKENISA" }, []string{"isa_id"}},
		{"GS code too short", func(in *partner.Input) { in.GSAppCode = "A" }, []string{"gs_app_code"}},
		{"GS code too long", func(in *partner.Input) { in.GSAppCode = strings.Repeat("G", 16) }, []string{"gs_app_code"}},
		{"several bad fields", func(in *partner.Input) { in.Name, in.GLN, in.DUNS = "", "1", "1" }, []string{"duns", "gln", "name"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := acmeInput() // code and ISA id unique per case unless the case sets them
			in.Code = in.Code + "-" + string(rune('A'+i%26)) + string(rune('A'+i/26))
			in.ISAID = "ACME" + string(rune('A'+i%26)) + string(rune('A'+i/26))
			tt.edit(&in)
			p, err := e.svc.Create(alice(), in)
			var ve *partner.ValidationError
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Status != partner.StatusDraft {
					t.Errorf("got status %s, want draft", p.Status)
				}
				return
			}
			if !errors.As(err, &ve) {
				t.Fatalf("got error %v, want a *ValidationError on %v", err, tt.fields)
			}
			var got []string
			for k, msg := range ve.Fields {
				got = append(got, k)
				if msg == "" || !strings.HasSuffix(msg, ".") {
					t.Errorf("field %s: message %q is not a sentence", k, msg)
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields with messages (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(err.Error(), "partner: create ") {
				t.Errorf("got error text %q, want it wrapped as partner: create ...", err)
			}
		})
	}
}

func TestCreateNormalizesAndAudits(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, partner.Input{Code: " acme-retail ", Name: " ACME Retail ", ISAQualifier: "zz", ISAID: "  ACME  ", GLN: "0614141-000036", DUNS: "12 345 6789"})
	want := partner.Partner{ID: p.ID, Code: "ACME-RETAIL", Name: "ACME Retail", Status: partner.StatusDraft, ISAQualifier: "ZZ", ISAID: "ACME", GLN: goodGLN, DUNS: "123456789",
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("created partner (-want +got):\n%s", diff)
	}
	if got, want := p.ISAIDPadded(), "ACME           "; got != want {
		t.Errorf("got padded ISA id %q, want %q", got, want)
	}
	got, err := e.svc.ByISA(alice(), "ZZ", "ACME           ")
	if err != nil || got.ID != p.ID {
		t.Errorf("ByISA(padded) = %v, %v; want partner %d", got.ID, err, p.ID)
	}
	if _, err := e.svc.ByISA(alice(), "01", "ACME"); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("ByISA(other qualifier): got %v, want ErrNotFound", err)
	}
	if got, err := e.svc.ByCode(alice(), "acme-retail"); err != nil || got.ID != p.ID {
		t.Errorf("ByCode = %v, %v; want partner %d", got.ID, err, p.ID)
	}

	// Update: the code cannot change; unchanged input writes nothing.
	in := partner.Input{Code: "OTHER", Name: "ACME Retail Inc."}
	var ve *partner.ValidationError
	if _, err := e.svc.Update(alice(), p.ID, in); !errors.As(err, &ve) || ve.Fields["code"] == "" {
		t.Fatalf("update with another code: got %v, want a validation error on code", err)
	}
	in.Code = ""
	in.ISAQualifier, in.ISAID, in.GLN, in.DUNS = "ZZ", "ACME", goodGLN, "123456789"
	up, err := e.svc.Update(alice(), p.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "ACME Retail Inc." || up.Code != "ACME-RETAIL" {
		t.Errorf("got %q/%q after update, want ACME Retail Inc./ACME-RETAIL", up.Name, up.Code)
	}
	if _, err := e.svc.Update(alice(), p.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetNotes(alice(), p.ID, "Ships from two DCs; call before 10am."); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.AddContact(alice(), p.ID, partner.ContactInput{Name: "Dana", Email: "dana@acme.example", Role: "Technical"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RemoveContact(alice(), p.ID+1000, c.ID); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("remove contact through another partner: got %v, want ErrNotFound", err)
	}
	if err := e.svc.RemoveContact(alice(), p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(alice(), p.ID+1000, in); !errors.Is(err, partner.ErrNotFound) {
		t.Errorf("update unknown partner: got %v, want ErrNotFound", err)
	}
	wantActions := []string{"partner.create", "partner.update", "partner.notes", "partner_contact.add", "partner_contact.remove"}
	evs := auditEvents(t, e, "ACME-RETAIL")
	if diff := cmp.Diff(wantActions, actions(evs)); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	if evs[0].Actor != "user:1" {
		t.Errorf("got actor %q, want user:1", evs[0].Actor)
	}
}

func TestContactValidation(t *testing.T) {
	e := setup(t)
	p := mustCreate(t, e, acmeInput())
	tests := []struct {
		name  string
		in    partner.ContactInput
		field string // "" = valid
	}{
		{"email only", partner.ContactInput{Name: "A", Email: "a@acme.example", Role: partner.ContactBusiness}, ""},
		{"phone only", partner.ContactInput{Name: "A", Phone: "+1 555 0100", Role: partner.ContactEscalation}, ""},
		{"no name", partner.ContactInput{Email: "a@acme.example", Role: partner.ContactBusiness}, "name"},
		{"bad email", partner.ContactInput{Name: "A", Email: "not-an-email", Role: partner.ContactBusiness}, "email"},
		{"display-name email", partner.ContactInput{Name: "A", Email: "A <a@acme.example>", Role: partner.ContactBusiness}, "email"},
		{"no way to reach", partner.ContactInput{Name: "A", Role: partner.ContactBusiness}, "email"},
		{"unknown role", partner.ContactInput{Name: "A", Email: "a@acme.example", Role: "sales"}, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AddContact(alice(), p.ID, tt.in)
			var ve *partner.ValidationError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.field != "" && (!errors.As(err, &ve) || ve.Fields[tt.field] == ""):
				t.Fatalf("got %v, want a message on %s", err, tt.field)
			}
		})
	}
}

// The status table: from each status to each status, allowed or refused.
func TestStatusTransitions(t *testing.T) {
	type key = [2]partner.Status
	allowed := map[key]bool{
		{partner.StatusDraft, partner.StatusTesting}:     true,
		{partner.StatusTesting, partner.StatusCertified}: true,
		{partner.StatusLive, partner.StatusSuspended}:    true,
	}
	e := setup(t)
	// reach brings a fresh partner to status st (live through the four-eyes flow).
	n := 0
	reach := func(t *testing.T, st partner.Status) partner.Partner {
		t.Helper()
		n++
		in := acmeInput()
		in.Code, in.ISAID = "P"+string(rune('A'+n%26))+string(rune('A'+n/26)), "ISA"+string(rune('A'+n%26))+string(rune('A'+n/26))
		p := mustCreate(t, e, in)
		if st == partner.StatusDraft {
			return p
		}
		if st == partner.StatusTesting {
			if _, err := e.svc.Transition(alice(), p.ID, partner.StatusTesting, ""); err != nil {
				t.Fatal(err)
			}
			return p
		}
		ready(t, e, p) // contact, key, adapter facts, then testing -> certified
		if st == partner.StatusCertified {
			return p
		}
		req, err := e.svc.RequestGoLive(alice(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ApproveGoLive(bob(), req.ID); err != nil {
			t.Fatal(err)
		}
		if st == partner.StatusLive {
			return p
		}
		if _, err := e.svc.Transition(alice(), p.ID, partner.StatusSuspended, "unpaid invoices"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, from := range partner.Statuses() {
		for _, to := range partner.Statuses() {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				p := reach(t, from)
				before := len(auditEvents(t, e, p.Code))
				got, err := e.svc.Transition(alice(), p.ID, to, "reason given")
				if allowed[key{from, to}] {
					if err != nil {
						t.Fatalf("got %v, want the move allowed", err)
					}
					if got.Status != to {
						t.Errorf("got status %s, want %s", got.Status, to)
					}
					evs := auditEvents(t, e, p.Code)
					if len(evs) != before+1 || evs[len(evs)-1].Action != "partner.status" {
						t.Errorf("got audit actions %v, want one partner.status more", actions(evs))
					}
					return
				}
				var te *partner.TransitionError
				if !errors.As(err, &te) || !errors.Is(err, partner.ErrConflict) {
					t.Fatalf("got %v, want a *TransitionError matching ErrConflict", err)
				}
				if len(te.Reasons) == 0 {
					t.Error("got no reasons")
				}
				if to == partner.StatusLive && from.CanRequestGoLive() && !strings.Contains(te.Reasons[0], "second person") {
					t.Errorf("got reason %q, want it to point to the go-live approval", te.Reasons[0])
				}
				cur, _ := e.svc.Get(alice(), p.ID)
				if cur.Status != from {
					t.Errorf("got status %s after a refused move, want %s", cur.Status, from)
				}
				if got := len(auditEvents(t, e, p.Code)); got != before {
					t.Errorf("got %d audit events after a refused move, want %d", got, before)
				}
			})
		}
	}
	t.Run("suspending needs a reason", func(t *testing.T) {
		p := reach(t, partner.StatusLive)
		var ve *partner.ValidationError
		if _, err := e.svc.Transition(alice(), p.ID, partner.StatusSuspended, " "); !errors.As(err, &ve) || ve.Fields["reason"] == "" {
			t.Fatalf("got %v, want a validation error on reason", err)
		}
	})
}
