package catalogcode

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/store"
)

// policyRow is a row of policies. The policy package owns policies; apply
// needs only this much of them, so it keeps its own minimal view.
type policyRow struct {
	ID          int64
	Name        string
	Version     int
	Description string
	Settings    string // canonical JSON text
	CreatedAt   time.Time
}

func (p policyRow) key() string { return fmt.Sprintf("%s@%d", p.Name, p.Version) }

// attachedRow is a row of policy_attachments with its policy's name.
type attachedRow struct {
	APIVersionID int64
	PolicyID     int64
	Position     int
	Name         string
	Version      int
}

func (a attachedRow) key() string { return fmt.Sprintf("%s@%d", a.Name, a.Version) }

// state is the part of the catalog a document can describe, read at once.
type state struct {
	teams      map[string]catalog.Team
	teamSlug   map[int64]string
	systems    map[string]catalog.System
	systemSlug map[int64]string
	apis       map[string]catalog.API
	apiList    []catalog.API
	versions   map[int64]map[string]catalog.Version // by API id, then version string
	versionStr map[int64]string                     // version id -> version string
	policies   map[string]policyRow                 // by name@version
	policyList []policyRow
	attached   map[int64][]attachedRow // by API version id, in precedence order
	versionKey map[int64]string        // version id -> "slug@version"
	partnerState
}

// load reads the catalog in one read-only, repeatable-read transaction, so
// a plan or an export sees one consistent moment.
func (s *Service) load(ctx context.Context) (*state, error) {
	st := &state{
		teams: map[string]catalog.Team{}, teamSlug: map[int64]string{},
		systems: map[string]catalog.System{}, systemSlug: map[int64]string{},
		apis: map[string]catalog.API{}, versions: map[int64]map[string]catalog.Version{}, versionStr: map[int64]string{},
		policies: map[string]policyRow{}, attached: map[int64][]attachedRow{}, versionKey: map[int64]string{},
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var teams []catalog.Team
		if err := tx.Order("slug").Find(&teams).Error; err != nil {
			return fmt.Errorf("teams: %w", err)
		}
		for _, t := range teams {
			st.teams[t.Slug], st.teamSlug[t.ID] = t, t.Slug
		}
		var systems []catalog.System
		if err := tx.Order("slug").Find(&systems).Error; err != nil {
			return fmt.Errorf("systems: %w", err)
		}
		for _, x := range systems {
			st.systems[x.Slug], st.systemSlug[x.ID] = x, x.Slug
		}
		if err := tx.Order("slug").Find(&st.apiList).Error; err != nil {
			return fmt.Errorf("apis: %w", err)
		}
		for _, a := range st.apiList {
			st.apis[a.Slug] = a
		}
		var versions []catalog.Version
		if err := tx.Order("api_id, major, minor, patch").Find(&versions).Error; err != nil {
			return fmt.Errorf("api versions: %w", err)
		}
		apiSlug := map[int64]string{}
		for _, a := range st.apiList {
			apiSlug[a.ID] = a.Slug
		}
		for _, v := range versions {
			if st.versions[v.APIID] == nil {
				st.versions[v.APIID] = map[string]catalog.Version{}
			}
			st.versions[v.APIID][v.Version], st.versionStr[v.ID] = v, v.Version
			st.versionKey[v.ID] = apiSlug[v.APIID] + "@" + v.Version
		}
		// Named query: every policy version, settings as text.
		if err := tx.Raw(`SELECT id, name, version, description, settings::text AS settings, created_at FROM policies ORDER BY name, version`).Scan(&st.policyList).Error; err != nil {
			return fmt.Errorf("policies: %w", err)
		}
		for i, p := range st.policyList {
			c, err := canonicalJSON([]byte(p.Settings))
			if err != nil {
				return fmt.Errorf("policy %s: settings: %w", p.key(), err)
			}
			st.policyList[i].Settings = c
			st.policies[p.key()] = st.policyList[i]
		}
		// Named query: attachments in precedence order (as the policy
		// package orders them: position, then attachment time, then id).
		var rows []attachedRow
		if err := tx.Raw(`SELECT pa.api_version_id, pa.policy_id, pa.position, p.name, p.version
			FROM policy_attachments pa JOIN policies p ON p.id = pa.policy_id
			ORDER BY pa.api_version_id, pa.position, pa.created_at, pa.policy_id`).Scan(&rows).Error; err != nil {
			return fmt.Errorf("policy attachments: %w", err)
		}
		for _, r := range rows {
			st.attached[r.APIVersionID] = append(st.attached[r.APIVersionID], r)
		}
		return st.loadPartners(tx)
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("catalogcode: read catalog: %w", err)
	}
	return st, nil
}

// policyView is how a policy appears in audit events, as the policy
// package writes it.
type policyView struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Version     int       `json:"version"`
	Description string    `json:"description"`
	Settings    any       `json:"settings"`
	CreatedAt   time.Time `json:"createdAt"`
}

// refusal is an execution failure that refuses one item and lets the rest
// of the apply go on.
type refusal struct{ reasons []string }

func (r *refusal) Error() string { return strings.Join(r.reasons, "; ") }

func refuse(format string, args ...any) error {
	return &refusal{reasons: []string{fmt.Sprintf(format, args...)}}
}

// createPolicy inserts one policy version with its audit event.
func (s *Service) createPolicy(ctx context.Context, p Policy, settings string) error {
	return store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var row policyRow
		err := tx.Raw(`INSERT INTO policies (name, version, description, settings) VALUES (?, ?, ?, ?::jsonb)
			RETURNING id, name, version, description, settings::text AS settings, created_at`,
			p.Name, p.Version, strings.TrimSpace(p.Description), settings).Scan(&row).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return refuse("policy %s exists already", p.Key())
		}
		if err != nil {
			return fmt.Errorf("insert policy %s: %w", p.Key(), err)
		}
		return audit.Record(ctx, tx, audit.Change{Action: "policy.create", EntityType: "policy", EntityID: row.Name,
			After: policyView{ID: row.ID, Name: row.Name, Version: row.Version, Description: row.Description, Settings: rawJSON(row.Settings), CreatedAt: row.CreatedAt}})
	})
}

// attachmentView is how an attachment appears in audit events, as the
// policy package writes it.
type attachmentView struct {
	PolicyID int64  `json:"policyId"`
	Policy   string `json:"policy"`
	Version  int    `json:"version"`
	Position int    `json:"position"`
}

// setAttachments makes refs (name@version, in precedence order) the exact
// list of policies attached to an API version, auditing each attach,
// move and detach.
func (s *Service) setAttachments(ctx context.Context, apiSlug, version string, refs []policyRef) error {
	entity := apiSlug + "@" + version
	return store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var versionIDs []int64
		// Lock the version row against concurrent attachment changes, as
		// the policy package does.
		if err := tx.Raw(`SELECT v.id FROM api_versions v JOIN apis a ON a.id = v.api_id WHERE a.slug = ? AND v.version = ? FOR NO KEY UPDATE OF v`,
			apiSlug, version).Scan(&versionIDs).Error; err != nil {
			return fmt.Errorf("lock %s: %w", entity, err)
		}
		if len(versionIDs) == 0 {
			return refuse("%s is not in the catalog", entity)
		}
		versionID := versionIDs[0]
		want := make([]policyRow, len(refs))
		for i, r := range refs {
			if err := tx.Raw(`SELECT id, name, version FROM policies WHERE name = ? AND version = ?`, r.name, r.version).Scan(&want[i]).Error; err != nil {
				return fmt.Errorf("policy %s: %w", r, err)
			}
			if want[i].ID == 0 {
				return refuse("there is no policy %s", r)
			}
		}
		var current []attachedRow
		if err := tx.Raw(`SELECT pa.api_version_id, pa.policy_id, pa.position, p.name, p.version
			FROM policy_attachments pa JOIN policies p ON p.id = pa.policy_id
			WHERE pa.api_version_id = ? ORDER BY pa.position, pa.created_at, pa.policy_id`, versionID).Scan(&current).Error; err != nil {
			return fmt.Errorf("attachments of %s: %w", entity, err)
		}
		had := map[int64]attachedRow{}
		for _, c := range current {
			had[c.PolicyID] = c
		}
		wanted := map[int64]bool{}
		for _, p := range want {
			wanted[p.ID] = true
		}
		for _, c := range current {
			if wanted[c.PolicyID] {
				continue
			}
			if err := tx.Exec(`DELETE FROM policy_attachments WHERE api_version_id = ? AND policy_id = ?`, versionID, c.PolicyID).Error; err != nil {
				return fmt.Errorf("detach %s from %s: %w", c.key(), entity, err)
			}
			if err := audit.Record(ctx, tx, audit.Change{Action: "policy.detach", EntityType: "api_version", EntityID: entity,
				Before: attachmentView{PolicyID: c.PolicyID, Policy: c.Name, Version: c.Version, Position: c.Position}}); err != nil {
				return err
			}
		}
		for i, p := range want {
			position := i + 1
			after := attachmentView{PolicyID: p.ID, Policy: p.Name, Version: p.Version, Position: position}
			c := audit.Change{Action: "policy.attach", EntityType: "api_version", EntityID: entity, After: after}
			if prev, ok := had[p.ID]; ok {
				if prev.Position == position {
					continue
				}
				if err := tx.Exec(`UPDATE policy_attachments SET position = ? WHERE api_version_id = ? AND policy_id = ?`, position, versionID, p.ID).Error; err != nil {
					return fmt.Errorf("move %s on %s: %w", p.key(), entity, err)
				}
				c.Before = attachmentView{PolicyID: p.ID, Policy: p.Name, Version: p.Version, Position: prev.Position}
			} else if err := tx.Exec(`INSERT INTO policy_attachments (api_version_id, policy_id, position) VALUES (?, ?, ?)`, versionID, p.ID, position).Error; err != nil {
				return fmt.Errorf("attach %s to %s: %w", p.key(), entity, err)
			}
			if err := audit.Record(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }
