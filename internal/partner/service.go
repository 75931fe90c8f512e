package partner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
)

// EntityType is the audit entity type of every partner event; the entity
// id is the partner's code.
const EntityType = "partner"

// Service reads and changes partners. Every change is audited in the
// transaction that makes it.
type Service struct {
	db    *gorm.DB
	facts ReadinessFacts
	now   func() time.Time
}

// NewService returns the partner service. facts answers the checklist's
// adapter and conformance questions; nil means "no adapter, not passing"
// until the adapter package is wired in.
func NewService(db *gorm.DB, facts ReadinessFacts) *Service {
	return &Service{db: db, facts: facts, now: time.Now}
}

// SetClock replaces the clock, for tests. Key expiry, rotation overlaps
// and last-used times all follow it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func duplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

func forUpdate() clause.Expression { return clause.Locking{Strength: "UPDATE"} }

// lockPartner loads a partner inside tx and locks its row until commit.
func lockPartner(tx *gorm.DB, id int64) (Partner, error) {
	var p Partner
	if err := tx.Clauses(forUpdate()).Take(&p, id).Error; err != nil {
		return Partner{}, fmt.Errorf("partner %d: %w", id, notFound(err))
	}
	return p, nil
}

// Get loads a partner by id.
func (s *Service) Get(ctx context.Context, id int64) (Partner, error) {
	var p Partner
	if err := s.db.WithContext(ctx).Take(&p, id).Error; err != nil {
		return Partner{}, fmt.Errorf("partner: get %d: %w", id, notFound(err))
	}
	return p, nil
}

// ByCode loads a partner by its code (case-insensitive input).
func (s *Service) ByCode(ctx context.Context, code string) (Partner, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	var p Partner
	if err := s.db.WithContext(ctx).Where("code = ?", code).Take(&p).Error; err != nil {
		return Partner{}, fmt.Errorf("partner: get %s: %w", code, notFound(err))
	}
	return p, nil
}

// ByISA finds the partner of an interchange's sender (ISA05/ISA06) or
// receiver (ISA07/ISA08); the id may arrive padded with spaces.
func (s *Service) ByISA(ctx context.Context, qualifier, id string) (Partner, error) {
	qualifier, id = strings.ToUpper(strings.TrimSpace(qualifier)), strings.TrimSpace(id)
	var p Partner
	if id == "" {
		return Partner{}, fmt.Errorf("partner: by ISA %s/%q: %w", qualifier, id, ErrNotFound)
	}
	if err := s.db.WithContext(ctx).Where("isa_qualifier = ? AND isa_id = ?", qualifier, id).Take(&p).Error; err != nil {
		return Partner{}, fmt.Errorf("partner: by ISA %s/%s: %w", qualifier, id, notFound(err))
	}
	return p, nil
}

// uniqueness reports fields that clash with another partner (self excluded).
func uniqueness(tx *gorm.DB, in Input, self int64) (map[string]string, error) {
	f := map[string]string{}
	var other Partner
	err := tx.Select("id, code").Where("code = ? AND id <> ?", in.Code, self).Take(&other).Error
	switch {
	case err == nil:
		f["code"] = "Another partner has this code already."
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, err
	}
	if in.ISAID != "" {
		err := tx.Select("id, code").Where("isa_qualifier = ? AND isa_id = ? AND id <> ?", in.ISAQualifier, in.ISAID, self).Take(&other).Error
		switch {
		case err == nil:
			f["isa_id"] = fmt.Sprintf("Partner %s uses ISA %s/%s already; interchanges must identify one partner.", other.Code, in.ISAQualifier, in.ISAID)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return nil, err
		}
	}
	return f, nil
}

// Create registers a partner in draft. Invalid input is a *ValidationError.
func (s *Service) Create(ctx context.Context, in Input) (Partner, error) {
	in = in.normalize()
	if f := in.validate(); len(f) > 0 {
		return Partner{}, fmt.Errorf("partner: create %s: %w", in.Code, &ValidationError{Fields: f})
	}
	var p Partner
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		f, err := uniqueness(tx, in, 0)
		if err != nil {
			return err
		}
		if len(f) > 0 {
			return &ValidationError{Fields: f}
		}
		now := s.clock()
		p = Partner{Code: in.Code, Name: in.Name, Status: StatusDraft, ISAQualifier: in.ISAQualifier, ISAID: in.ISAID,
			GSAppCode: in.GSAppCode, GLN: in.GLN, DUNS: in.DUNS, Notes: in.Notes, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&p).Error; err != nil {
			if duplicate(err) {
				return ErrConflict // lost a race with the uniqueness check
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner.create", EntityType: EntityType, EntityID: p.Code, After: p})
	})
	if err != nil {
		return Partner{}, fmt.Errorf("partner: create %s: %w", in.Code, err)
	}
	return p, nil
}

// Update changes a partner's name, identifiers and notes. The code cannot
// change: an input code other than the partner's is a validation error
// (an empty one is ignored). Saving unchanged input writes nothing.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Partner, error) {
	var p Partner
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if p, err = lockPartner(tx, id); err != nil {
			return err
		}
		in = in.normalize()
		codeChanged := in.Code != "" && in.Code != p.Code
		in.Code = p.Code
		f := in.validate()
		if codeChanged {
			f["code"] = "The code cannot change after the partner is created."
		}
		if len(f) == 0 {
			if f, err = uniqueness(tx, in, p.ID); err != nil {
				return err
			}
		}
		if len(f) > 0 {
			return &ValidationError{Fields: f}
		}
		before := p
		p.Name, p.ISAQualifier, p.ISAID, p.GSAppCode, p.GLN, p.DUNS, p.Notes = in.Name, in.ISAQualifier, in.ISAID, in.GSAppCode, in.GLN, in.DUNS, in.Notes
		if p == before {
			return nil
		}
		p.UpdatedAt = s.clock()
		if err := tx.Model(&p).Updates(map[string]any{"name": p.Name, "isa_qualifier": p.ISAQualifier, "isa_id": p.ISAID,
			"gs_app_code": p.GSAppCode, "gln": p.GLN, "duns": p.DUNS, "notes": p.Notes, "updated_at": p.UpdatedAt}).Error; err != nil {
			if duplicate(err) {
				return ErrConflict
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner.update", EntityType: EntityType, EntityID: p.Code, Before: before, After: p})
	})
	if err != nil {
		return Partner{}, fmt.Errorf("partner: update %d: %w", id, err)
	}
	return p, nil
}

// SetNotes replaces the partner's notes only.
func (s *Service) SetNotes(ctx context.Context, id int64, notes string) (Partner, error) {
	var p Partner
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if p, err = lockPartner(tx, id); err != nil {
			return err
		}
		in := Input{Code: p.Code, Name: p.Name, Notes: notes}.normalize()
		if f := in.validate(); f["notes"] != "" {
			return &ValidationError{Fields: map[string]string{"notes": f["notes"]}}
		}
		if in.Notes == p.Notes {
			return nil
		}
		before := p.Notes
		p.Notes, p.UpdatedAt = in.Notes, s.clock()
		if err := tx.Model(&p).Updates(map[string]any{"notes": p.Notes, "updated_at": p.UpdatedAt}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner.notes", EntityType: EntityType, EntityID: p.Code,
			Before: map[string]any{"notes": before}, After: map[string]any{"notes": p.Notes}})
	})
	if err != nil {
		return Partner{}, fmt.Errorf("partner: set notes of %d: %w", id, err)
	}
	return p, nil
}

// Contacts lists a partner's contacts, by role then name.
func (s *Service) Contacts(ctx context.Context, partnerID int64) ([]Contact, error) {
	var cs []Contact
	if err := s.db.WithContext(ctx).Where("partner_id = ?", partnerID).Order("role, lower(name), id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("partner: contacts of %d: %w", partnerID, err)
	}
	return cs, nil
}

// AddContact adds a person to reach at the partner.
func (s *Service) AddContact(ctx context.Context, partnerID int64, in ContactInput) (Contact, error) {
	in = in.normalize()
	if f := in.validate(); len(f) > 0 {
		return Contact{}, fmt.Errorf("partner: add contact to %d: %w", partnerID, &ValidationError{Fields: f})
	}
	var c Contact
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := lockPartner(tx, partnerID)
		if err != nil {
			return err
		}
		c = Contact{PartnerID: p.ID, Name: in.Name, Email: in.Email, Phone: in.Phone, Role: in.Role, CreatedAt: s.clock()}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_contact.add", EntityType: EntityType, EntityID: p.Code, After: c})
	})
	if err != nil {
		return Contact{}, fmt.Errorf("partner: add contact to %d: %w", partnerID, err)
	}
	return c, nil
}

// RemoveContact removes one of the partner's contacts; a contact of
// another partner is ErrNotFound.
func (s *Service) RemoveContact(ctx context.Context, partnerID, contactID int64) error {
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := lockPartner(tx, partnerID)
		if err != nil {
			return err
		}
		var c Contact
		if err := tx.Where("id = ? AND partner_id = ?", contactID, p.ID).Take(&c).Error; err != nil {
			return fmt.Errorf("contact %d: %w", contactID, notFound(err))
		}
		if err := tx.Delete(&c).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_contact.remove", EntityType: EntityType, EntityID: p.Code, Before: c})
	})
	if err != nil {
		return fmt.Errorf("partner: remove contact %d of %d: %w", contactID, partnerID, err)
	}
	return nil
}

// Transition moves a partner along draft -> testing -> certified, or
// suspends a live one (reason required). Going live, from certified or
// back from suspended, is refused here with a *TransitionError: it needs
// RequestGoLive and ApproveGoLive by a second person. Nothing returns to
// draft.
func (s *Service) Transition(ctx context.Context, partnerID int64, to Status, reason string) (Partner, error) {
	reason = strings.TrimSpace(reason)
	var p Partner
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if p, err = lockPartner(tx, partnerID); err != nil {
			return err
		}
		from := p.Status
		if err := checkTransition(from, to); err != nil {
			return err
		}
		if to == StatusSuspended && reason == "" {
			return &ValidationError{Fields: map[string]string{"reason": "Say why the partner is suspended; the partner's contacts and the audit log will show it."}}
		}
		p.Status, p.UpdatedAt = to, s.clock()
		if err := tx.Model(&p).Updates(map[string]any{"status": p.Status, "updated_at": p.UpdatedAt}).Error; err != nil {
			return err
		}
		after := map[string]any{"status": to}
		if reason != "" {
			after["reason"] = reason
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner.status", EntityType: EntityType, EntityID: p.Code,
			Before: map[string]any{"status": from}, After: after})
	})
	if err != nil {
		return Partner{}, fmt.Errorf("partner: move %d to %s: %w", partnerID, to, err)
	}
	return p, nil
}

func checkTransition(from, to Status) error {
	for _, n := range from.Next() {
		if n == to {
			return nil
		}
	}
	te := &TransitionError{From: from, To: to}
	switch {
	case !to.Valid():
		te.Reasons = []string{fmt.Sprintf("%q is not a partner status", to)}
	case from == to:
		te.Reasons = []string{"the partner is " + from.Label() + " already"}
	case to == StatusDraft:
		te.Reasons = []string{"a partner never returns to draft"}
	case to == StatusLive && from.CanRequestGoLive():
		te.Reasons = []string{"going live needs a go-live request approved by a second person"}
	default:
		te.Reasons = []string{"the onboarding path is draft → testing → certified → live, and a live partner can be suspended and reinstated"}
	}
	return te
}
