package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/store"
)

// createLockSpace is the first key of the two-key advisory lock that
// serializes the creation of versions of one policy name (the second key
// is hashtext(name)). Two-key locks do not collide with the one-key locks
// used elsewhere (audit chain, migrations).
const createLockSpace = 731104

// Service stores policies and their attachments. Every change is audited
// in the transaction that makes it.
type Service struct {
	db *gorm.DB
}

// NewService returns the policy service.
func NewService(db *gorm.DB) *Service { return &Service{db: db} }

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, gorm.ErrForeignKeyViolated) {
		return ErrNotFound
	}
	return err
}

// CreatePolicy stores version 1 of a new name, or the next version of an
// existing one. When name's latest version already has exactly this
// description and these settings, nothing is written and that version is
// returned, so applying the same catalog file twice creates no versions.
// Invalid input is a *ValidationError.
func (s *Service) CreatePolicy(ctx context.Context, name, description string, settings Settings) (Policy, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	fields := settings.Validate()
	maps.Copy(fields, CheckDetails(name, description))
	if len(fields) > 0 {
		return Policy{}, fmt.Errorf("policy: create %s: %w", name, &ValidationError{Fields: fields})
	}
	settings = settings.Clone()
	var p Policy
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, createLockSpace, name).Error; err != nil {
			return fmt.Errorf("lock name: %w", err)
		}
		var latest *Policy
		var prev Policy
		switch err := tx.Where("name = ?", name).Order("version DESC").Take(&prev).Error; {
		case err == nil:
			latest = &prev
		case errors.Is(err, gorm.ErrRecordNotFound):
		default:
			return fmt.Errorf("read latest version: %w", err)
		}
		if latest != nil && latest.Description == description {
			same, err := sameSettings(latest.Settings, settings)
			if err != nil {
				return err
			}
			if same {
				p = *latest
				return nil
			}
		}
		p = Policy{Name: name, Version: 1, Description: description, Settings: settings}
		if latest != nil {
			p.Version = latest.Version + 1
		}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		c := audit.Change{Action: "policy.create", EntityType: "policy", EntityID: p.Name, After: p}
		if latest != nil {
			c.Before = latest
		}
		return audit.Record(ctx, tx, c)
	})
	if err != nil {
		return Policy{}, fmt.Errorf("policy: create %s: %w", name, err)
	}
	return p, nil
}

// CheckDetails checks a policy set's name and description as CreatePolicy
// does (after trimming them) and returns a message per invalid field,
// "name" or "description"; the map is empty when both are fine.
func CheckDetails(name, description string) map[string]string {
	fields := map[string]string{}
	if !nameRe.MatchString(strings.TrimSpace(name)) {
		fields["name"] = "Use lowercase letters, digits and dashes, for example standard-auth."
	}
	if len(strings.TrimSpace(description)) > MaxDescription {
		fields["description"] = fmt.Sprintf("Keep the description under %d characters.", MaxDescription)
	}
	return fields
}

// sameSettings compares two documents by their canonical JSON.
func sameSettings(a, b Settings) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("encode settings: %w", err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false, fmt.Errorf("encode settings: %w", err)
	}
	return bytes.Equal(ja, jb), nil
}

// Get loads one policy version by id.
func (s *Service) Get(ctx context.Context, id int64) (Policy, error) {
	var p Policy
	if err := s.db.WithContext(ctx).Take(&p, id).Error; err != nil {
		return Policy{}, fmt.Errorf("policy: get %d: %w", id, notFound(err))
	}
	return p, nil
}

// GetVersion loads one version of a named policy.
func (s *Service) GetVersion(ctx context.Context, name string, version int) (Policy, error) {
	var p Policy
	if err := s.db.WithContext(ctx).Where("name = ? AND version = ?", name, version).Take(&p).Error; err != nil {
		return Policy{}, fmt.Errorf("policy: get %s v%d: %w", name, version, notFound(err))
	}
	return p, nil
}

// Latest loads the newest version of a named policy.
func (s *Service) Latest(ctx context.Context, name string) (Policy, error) {
	var p Policy
	if err := s.db.WithContext(ctx).Where("name = ?", name).Order("version DESC").Take(&p).Error; err != nil {
		return Policy{}, fmt.Errorf("policy: latest %s: %w", name, notFound(err))
	}
	return p, nil
}

// List returns the latest version of every policy, by name.
func (s *Service) List(ctx context.Context) ([]Policy, error) {
	var ps []Policy
	err := s.db.WithContext(ctx).
		Where("(name, version) IN (SELECT name, max(version) FROM policies GROUP BY name)").
		Order("name").Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("policy: list: %w", err)
	}
	return ps, nil
}

// Versions returns every version of a named policy, newest first.
func (s *Service) Versions(ctx context.Context, name string) ([]Policy, error) {
	var ps []Policy
	if err := s.db.WithContext(ctx).Where("name = ?", name).Order("version DESC").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("policy: versions of %s: %w", name, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("policy: versions of %s: %w", name, ErrNotFound)
	}
	return ps, nil
}

// attachmentView is how an attachment appears in audit events.
type attachmentView struct {
	PolicyID int64  `json:"policyId"`
	Policy   string `json:"policy"`
	Version  int    `json:"version"`
	Position int    `json:"position"`
}

// versionEntity returns the audit entity id of an API version, "slug@1.2.0"
// as the catalog writes it. With lock, the version row is locked against
// concurrent attachment changes (FOR NO KEY UPDATE does not block the
// foreign-key checks of other writers).
func versionEntity(ctx context.Context, tx *gorm.DB, versionID int64, lock bool) (string, error) {
	q := `SELECT a.slug || '@' || v.version FROM api_versions v JOIN apis a ON a.id = v.api_id WHERE v.id = ?`
	if lock {
		q += ` FOR NO KEY UPDATE OF v`
	}
	var entity []string
	if err := tx.WithContext(ctx).Raw(q, versionID).Scan(&entity).Error; err != nil {
		return "", fmt.Errorf("api version %d: %w", versionID, err)
	}
	if len(entity) == 0 {
		return "", fmt.Errorf("api version %d: %w", versionID, ErrNotFound)
	}
	return entity[0], nil
}

// attachedRow is an attachment joined with its policy.
type attachedRow struct {
	Policy
	Position      int
	AttachedAt    time.Time
	LatestVersion int
}

// attachedQuery lists the attachments of one API version with their
// policy and the newest version of its name, in precedence order (position,
// then attachment time, then policy id, so equal positions stay stable).
const attachedQuery = `
SELECT p.*, pa.position, pa.created_at AS attached_at,
       (SELECT max(l.version) FROM policies l WHERE l.name = p.name) AS latest_version
FROM policy_attachments pa
JOIN policies p ON p.id = pa.policy_id
WHERE pa.api_version_id = ?`

const attachedOrder = ` ORDER BY pa.position, pa.created_at, pa.policy_id`

// Attach attaches a policy version to an API version at position (lower
// applies first). A version of the same name already attached there is
// replaced: that is how an API version moves to a newer policy version.
// Attaching the same policy again moves it to position. Unknown ids are
// ErrNotFound and write nothing.
func (s *Service) Attach(ctx context.Context, versionID, policyID int64, position int) error {
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		entity, err := versionEntity(ctx, tx, versionID, true)
		if err != nil {
			return err
		}
		var p Policy
		if err := tx.Take(&p, policyID).Error; err != nil {
			return fmt.Errorf("policy %d: %w", policyID, notFound(err))
		}
		var same []attachedRow
		if err := tx.Raw(attachedQuery+` AND p.name = ?`+attachedOrder, versionID, p.Name).Scan(&same).Error; err != nil {
			return fmt.Errorf("read attachments: %w", err)
		}
		var before *attachmentView
		for _, r := range same {
			if r.ID == policyID && r.Position == position && len(same) == 1 {
				return nil // already attached there: nothing to do
			}
			if before == nil || r.ID == policyID {
				before = &attachmentView{PolicyID: r.ID, Policy: r.Name, Version: r.Version, Position: r.Position}
			}
			if r.ID != policyID {
				if err := tx.Where("api_version_id = ? AND policy_id = ?", versionID, r.ID).Delete(&attachment{}).Error; err != nil {
					return fmt.Errorf("replace %s: %w", r.Label(), err)
				}
			}
		}
		row := attachment{APIVersionID: versionID, PolicyID: policyID, Position: position}
		res := tx.Model(&attachment{}).Where("api_version_id = ? AND policy_id = ?", versionID, policyID).Update("position", position)
		if res.Error != nil {
			return fmt.Errorf("move: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("insert: %w", notFound(err))
			}
		}
		c := audit.Change{Action: "policy.attach", EntityType: "api_version", EntityID: entity,
			After: attachmentView{PolicyID: p.ID, Policy: p.Name, Version: p.Version, Position: position}}
		if before != nil {
			c.Before = before
		}
		return audit.Record(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("policy: attach %d to api version %d: %w", policyID, versionID, err)
	}
	return nil
}

// Detach removes a policy version from an API version. It is ErrNotFound
// when that policy is not attached there.
func (s *Service) Detach(ctx context.Context, versionID, policyID int64) error {
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		entity, err := versionEntity(ctx, tx, versionID, true)
		if err != nil {
			return err
		}
		var rows []attachedRow
		if err := tx.Raw(attachedQuery+` AND pa.policy_id = ?`, versionID, policyID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("read attachment: %w", err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("policy %d is not attached: %w", policyID, ErrNotFound)
		}
		r := rows[0]
		if err := tx.Where("api_version_id = ? AND policy_id = ?", versionID, policyID).Delete(&attachment{}).Error; err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Record(ctx, tx, audit.Change{Action: "policy.detach", EntityType: "api_version", EntityID: entity,
			Before: attachmentView{PolicyID: r.ID, Policy: r.Name, Version: r.Version, Position: r.Position}})
	})
	if err != nil {
		return fmt.Errorf("policy: detach %d from api version %d: %w", policyID, versionID, err)
	}
	return nil
}

// Attachments lists what is attached to an API version, in precedence
// order (lowest first). An unknown version is ErrNotFound.
func (s *Service) Attachments(ctx context.Context, versionID int64) ([]Attachment, error) {
	db := s.db.WithContext(ctx)
	if _, err := versionEntity(ctx, db, versionID, false); err != nil {
		return nil, fmt.Errorf("policy: attachments: %w", err)
	}
	var rows []attachedRow
	if err := db.Raw(attachedQuery+attachedOrder, versionID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("policy: attachments of api version %d: %w", versionID, err)
	}
	out := make([]Attachment, 0, len(rows))
	for _, r := range rows {
		out = append(out, Attachment{Policy: r.Policy, Position: r.Position, AttachedAt: r.AttachedAt, LatestVersion: r.LatestVersion})
	}
	return out, nil
}

// Attached returns the policies attached to an API version in precedence
// order, ready for Effective.
func (s *Service) Attached(ctx context.Context, versionID int64) ([]Policy, error) {
	as, err := s.Attachments(ctx, versionID)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, len(as))
	for i, a := range as {
		out[i] = a.Policy
	}
	return out, nil
}

// EffectiveFor resolves the effective policy of an API version, with an
// optional partner-level override.
func (s *Service) EffectiveFor(ctx context.Context, versionID int64, override *Settings) (Resolved, error) {
	ps, err := s.Attached(ctx, versionID)
	if err != nil {
		return Resolved{}, err
	}
	return Effective(ps, override), nil
}

// Use is one API version a policy set is attached to.
type Use struct {
	PolicyID      int64
	PolicyVersion int
	APIVersionID  int64
	APISlug       string
	APIName       string
	Version       string
	Lifecycle     string
	Position      int
}

// UsedBy lists where any version of the named policy set is attached.
func (s *Service) UsedBy(ctx context.Context, name string) ([]Use, error) {
	var out []Use
	// policy usage: attachments of every version of one policy set.
	err := s.db.WithContext(ctx).Raw(`
		SELECT p.id AS policy_id, p.version AS policy_version, v.id AS api_version_id, a.slug AS api_slug, a.name AS api_name,
		       v.version, v.lifecycle, pa.position
		FROM policy_attachments pa
		JOIN policies p ON p.id = pa.policy_id
		JOIN api_versions v ON v.id = pa.api_version_id
		JOIN apis a ON a.id = v.api_id
		WHERE p.name = ?
		ORDER BY a.slug, v.major DESC, v.minor DESC, v.patch DESC`, name).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("policy: usage of %s: %w", name, err)
	}
	return out, nil
}

// AttachCounts counts attachments per policy name, for the list page.
func (s *Service) AttachCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Name  string
		Count int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT p.name, count(*) AS count FROM policy_attachments pa JOIN policies p ON p.id = pa.policy_id GROUP BY p.name`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("policy: attachment counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Count
	}
	return out, nil
}
