package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
)

// MaxOverrideBytes is the largest settings document accepted.
const MaxOverrideBytes = 64 << 10

// scoped restricts q to the override of apiVersionID (nil = all versions).
func scoped(q *gorm.DB, partnerID int64, apiVersionID *int64) *gorm.DB {
	q = q.Where("partner_id = ?", partnerID)
	if apiVersionID == nil {
		return q.Where("api_version_id IS NULL")
	}
	return q.Where("api_version_id = ?", *apiVersionID)
}

func scopeLabel(apiVersionID *int64) string {
	if apiVersionID == nil {
		return "all versions"
	}
	return fmt.Sprintf("api version %d", *apiVersionID)
}

// SetPolicyOverride stores the partner's settings document for one API
// version, or for all versions when apiVersionID is nil, replacing any
// previous one. The document stays opaque here: it must be a JSON object;
// internal/policy parses it (validate it with the policy package before
// calling, as the console's handler does).
func (s *Service) SetPolicyOverride(ctx context.Context, partnerID int64, apiVersionID *int64, settings json.RawMessage) (PolicyOverride, error) {
	what := fmt.Sprintf("partner: set policy override of %d for %s", partnerID, scopeLabel(apiVersionID))
	trimmed := bytes.TrimSpace(settings)
	switch {
	case len(trimmed) > MaxOverrideBytes:
		return PolicyOverride{}, fmt.Errorf("%s: %w", what, &ValidationError{Fields: map[string]string{"settings": "The settings document is too large; keep it under 64 KB."}})
	case !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{':
		return PolicyOverride{}, fmt.Errorf("%s: %w", what, &ValidationError{Fields: map[string]string{"settings": "The settings must be a JSON object, for example {\"rateLimit\": {\"rate\": 20, \"burst\": 40}}."}})
	}
	var o PolicyOverride
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := lockPartner(tx, partnerID) // serializes override writes of this partner
		if err != nil {
			return err
		}
		if apiVersionID != nil {
			var n int64
			if err := tx.Table("api_versions").Where("id = ?", *apiVersionID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return &ValidationError{Fields: map[string]string{"api_version": "There is no such API version."}}
			}
		}
		var before any
		now := s.clock()
		switch err := scoped(tx, p.ID, apiVersionID).Take(&o).Error; {
		case err == nil:
			if bytes.Equal(normalizeJSON(o.Settings), normalizeJSON(trimmed)) {
				return nil
			}
			before = map[string]any{"api_version_id": apiVersionID, "settings": json.RawMessage(o.Settings)}
			if err := tx.Model(&o).Updates(map[string]any{"settings": string(trimmed), "updated_at": now}).Error; err != nil {
				return err
			}
		case errors.Is(err, gorm.ErrRecordNotFound):
			o = PolicyOverride{PartnerID: p.ID, APIVersionID: apiVersionID, Settings: trimmed, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&o).Error; err != nil {
				return err
			}
		default:
			return err
		}
		if err := tx.Take(&o, o.ID).Error; err != nil { // read back the stored (jsonb-normalized) document
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_policy.set", EntityType: EntityType, EntityID: p.Code,
			Before: before, After: map[string]any{"api_version_id": apiVersionID, "settings": json.RawMessage(o.Settings)}})
	})
	if err != nil {
		return PolicyOverride{}, fmt.Errorf("%s: %w", what, err)
	}
	return o, nil
}

// normalizeJSON compacts a document for comparison; jsonb reorders keys,
// so documents are compared after a round trip through a Go value.
func normalizeJSON(b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return b
	}
	out, err := json.Marshal(v)
	if err != nil {
		return b
	}
	return out
}

// RemovePolicyOverride deletes the partner's override for one API version,
// or the all-versions one when apiVersionID is nil.
func (s *Service) RemovePolicyOverride(ctx context.Context, partnerID int64, apiVersionID *int64) error {
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		p, err := lockPartner(tx, partnerID)
		if err != nil {
			return err
		}
		var o PolicyOverride
		if err := scoped(tx, p.ID, apiVersionID).Take(&o).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Delete(&o).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "partner_policy.remove", EntityType: EntityType, EntityID: p.Code,
			Before: map[string]any{"api_version_id": apiVersionID, "settings": json.RawMessage(o.Settings)}})
	})
	if err != nil {
		return fmt.Errorf("partner: remove policy override of %d for %s: %w", partnerID, scopeLabel(apiVersionID), err)
	}
	return nil
}

// PolicyOverride returns the settings document that applies to the partner's
// traffic on an API version: the version's own override when there is one,
// otherwise the all-versions override. The version-specific document wins as
// a whole; the two are not merged, so what the console shows for a version
// is exactly what applies. With apiVersionID nil only the all-versions
// override is looked up. No override at all is ErrNotFound: use the
// catalog's policies alone (policy.Effective with a nil override).
func (s *Service) PolicyOverride(ctx context.Context, partnerID int64, apiVersionID *int64) (json.RawMessage, error) {
	q := s.db.WithContext(ctx).Where("partner_id = ?", partnerID)
	if apiVersionID == nil {
		q = q.Where("api_version_id IS NULL")
	} else {
		q = q.Where("api_version_id = ? OR api_version_id IS NULL", *apiVersionID).Order("api_version_id IS NULL") // the version's own first
	}
	var o PolicyOverride
	if err := q.Take(&o).Error; err != nil {
		return nil, fmt.Errorf("partner: policy override of %d for %s: %w", partnerID, scopeLabel(apiVersionID), notFound(err))
	}
	return json.RawMessage(o.Settings), nil
}

// PolicyOverrides lists every override of a partner, the all-versions one
// first, for the partner's policy page.
func (s *Service) PolicyOverrides(ctx context.Context, partnerID int64) ([]PolicyOverride, error) {
	var list []PolicyOverride
	if err := s.db.WithContext(ctx).Where("partner_id = ?", partnerID).Order("api_version_id NULLS FIRST").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("partner: policy overrides of %d: %w", partnerID, err)
	}
	return list, nil
}
