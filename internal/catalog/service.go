package catalog

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/contract"
	"github.com/crossdock/crossdock/internal/store"
)

// Service reads and changes the catalog. Every change is audited in its
// own transaction.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns the catalog service.
func NewService(db *gorm.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// DB exposes the handle for read models in sibling packages' tests.
func (s *Service) DB() *gorm.DB { return s.db }

// TeamInput is what a form or a catalog file says about a team.
type TeamInput struct {
	Slug, Name, Description, ContactEmail, ContactChat string
}

// SystemInput describes a system; OwnerTeam is a team slug.
type SystemInput struct {
	Slug, Name, Kind, Description, OwnerTeam string
}

// APIInput describes an API; OwnerTeam and System are slugs.
type APIInput struct {
	Slug, Name, Kind, Domain, OwnerTeam, System, Description string
	Tags                                                     []string
}

// VersionInput describes a version's contract.
type VersionInput struct {
	Version, Schema, OpenAPI, AsyncAPI, Changelog string
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func duplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// ---- teams ----

func (in TeamInput) validate(fields map[string]string) {
	if !slugRe.MatchString(in.Slug) {
		fields["slug"] = "Use lowercase letters, digits and dashes, for example order-platform."
	}
	if strings.TrimSpace(in.Name) == "" {
		fields["name"] = "Give the team a name."
	}
	if in.ContactEmail != "" {
		if _, err := mail.ParseAddress(in.ContactEmail); err != nil {
			fields["contact_email"] = "Enter an email address such as team@example.com."
		}
	}
}

// Teams lists every team by name.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	var ts []Team
	if err := s.db.WithContext(ctx).Order("name").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("catalog: list teams: %w", err)
	}
	return ts, nil
}

// Team loads a team by slug.
func (s *Service) Team(ctx context.Context, slug string) (Team, error) {
	var t Team
	if err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&t).Error; err != nil {
		return Team{}, fmt.Errorf("catalog: team %s: %w", slug, notFound(err))
	}
	return t, nil
}

// SaveTeam creates the team, or updates it when update is true.
func (s *Service) SaveTeam(ctx context.Context, in TeamInput, update bool) (Team, error) {
	in.Name, in.ContactEmail = strings.TrimSpace(in.Name), strings.TrimSpace(in.ContactEmail)
	fields := map[string]string{}
	in.validate(fields)
	if len(fields) > 0 {
		return Team{}, &ValidationError{Fields: fields}
	}
	var t Team
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var before *Team
		if update {
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("slug = ?", in.Slug).Take(&t).Error; err != nil {
				return notFound(err)
			}
			b := t
			before = &b
		}
		t.Slug, t.Name, t.Description, t.ContactEmail, t.ContactChat = in.Slug, in.Name, in.Description, in.ContactEmail, in.ContactChat
		t.UpdatedAt = s.now()
		if err := tx.Save(&t).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"slug": "A team with this slug exists already."}}
			}
			return err
		}
		return record(ctx, tx, "team", t.Slug, before, &t, update)
	})
	if err != nil {
		return Team{}, wrap("save team "+in.Slug, err)
	}
	return t, nil
}

// record writes the audit event of a create or update.
func record[T any](ctx context.Context, tx *gorm.DB, entity, id string, before, after *T, update bool) error {
	action := entity + ".create"
	if update {
		action = entity + ".update"
	}
	c := audit.Change{Action: action, EntityType: entity, EntityID: id, After: after}
	if before != nil {
		c.Before = before
	}
	return audit.Record(ctx, tx, c)
}

func wrap(what string, err error) error {
	var ve *ValidationError
	var te *TransitionError
	if errors.As(err, &ve) || errors.As(err, &te) || errors.Is(err, ErrImmutable) {
		return err
	}
	return fmt.Errorf("catalog: %s: %w", what, err)
}

// ---- systems ----

// Systems lists every system by name.
func (s *Service) Systems(ctx context.Context) ([]System, error) {
	var out []System
	if err := s.db.WithContext(ctx).Order("name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("catalog: list systems: %w", err)
	}
	return out, nil
}

// System loads a system by slug.
func (s *Service) System(ctx context.Context, slug string) (System, error) {
	var out System
	if err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&out).Error; err != nil {
		return System{}, fmt.Errorf("catalog: system %s: %w", slug, notFound(err))
	}
	return out, nil
}

func (s *Service) teamID(tx *gorm.DB, slug string, fields map[string]string, field string) *int64 {
	if slug == "" {
		return nil
	}
	var t Team
	if err := tx.Select("id").Where("slug = ?", slug).Take(&t).Error; err != nil {
		fields[field] = fmt.Sprintf("There is no team %q.", slug)
		return nil
	}
	return &t.ID
}

// SaveSystem creates or updates a system.
func (s *Service) SaveSystem(ctx context.Context, in SystemInput, update bool) (System, error) {
	var out System
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		fields := map[string]string{}
		if !slugRe.MatchString(in.Slug) {
			fields["slug"] = "Use lowercase letters, digits and dashes, for example sap-s4."
		}
		if strings.TrimSpace(in.Name) == "" {
			fields["name"] = "Give the system a name."
		}
		if !contains(SystemKinds(), in.Kind) {
			fields["kind"] = "Choose one of " + strings.Join(SystemKinds(), ", ") + "."
		}
		owner := s.teamID(tx, in.OwnerTeam, fields, "owner_team")
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
		var before *System
		if update {
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("slug = ?", in.Slug).Take(&out).Error; err != nil {
				return notFound(err)
			}
			b := out
			before = &b
		}
		out.Slug, out.Name, out.Kind, out.Description, out.OwnerTeamID = in.Slug, strings.TrimSpace(in.Name), in.Kind, in.Description, owner
		out.UpdatedAt = s.now()
		if err := tx.Save(&out).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"slug": "A system with this slug exists already."}}
			}
			return err
		}
		return record(ctx, tx, "system", out.Slug, before, &out, update)
	})
	if err != nil {
		return System{}, wrap("save system "+in.Slug, err)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- APIs ----

// API loads an API by slug.
func (s *Service) API(ctx context.Context, slug string) (API, error) {
	var a API
	if err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&a).Error; err != nil {
		return API{}, fmt.Errorf("catalog: api %s: %w", slug, notFound(err))
	}
	return a, nil
}

// SaveAPI creates or updates an API.
func (s *Service) SaveAPI(ctx context.Context, in APIInput, update bool) (API, error) {
	var a API
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		fields := map[string]string{}
		if !slugRe.MatchString(in.Slug) {
			fields["slug"] = "Use lowercase letters, digits and dashes, for example order-intake."
		}
		if strings.TrimSpace(in.Name) == "" {
			fields["name"] = "Give the API a name."
		}
		if !contains(APIKinds(), in.Kind) {
			fields["kind"] = "Choose system, process, experience or event."
		}
		if !domainRe.MatchString(in.Domain) {
			fields["domain"] = "Choose a business domain such as order or inventory."
		}
		owner := s.teamID(tx, in.OwnerTeam, fields, "owner_team")
		var system *int64
		if in.System != "" {
			var sys System
			if err := tx.Select("id").Where("slug = ?", in.System).Take(&sys).Error; err != nil {
				fields["system"] = fmt.Sprintf("There is no system %q.", in.System)
			} else {
				system = &sys.ID
			}
		}
		tags := normalizeTags(in.Tags)
		for _, t := range tags {
			if len(t) > 40 {
				fields["tags"] = "Tags are at most 40 characters."
			}
		}
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
		var before *API
		if update {
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("slug = ?", in.Slug).Take(&a).Error; err != nil {
				return notFound(err)
			}
			b := a
			before = &b
		}
		a.Slug, a.Name, a.Kind, a.Domain, a.OwnerTeamID, a.SystemID, a.Description, a.Tags = in.Slug, strings.TrimSpace(in.Name), in.Kind, in.Domain, owner, system, in.Description, tags
		a.UpdatedAt = s.now()
		if err := tx.Save(&a).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"slug": "An API with this slug exists already."}}
			}
			return err
		}
		return record(ctx, tx, "api", a.Slug, before, &a, update)
	})
	if err != nil {
		return API{}, wrap("save api "+in.Slug, err)
	}
	return a, nil
}

func normalizeTags(in []string) Tags {
	seen := map[string]bool{}
	out := Tags{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// ---- versions ----

// Versions lists an API's versions, newest first.
func (s *Service) Versions(ctx context.Context, apiID int64) ([]Version, error) {
	var vs []Version
	if err := s.db.WithContext(ctx).Where("api_id = ?", apiID).Order("major DESC, minor DESC, patch DESC").Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("catalog: versions of api %d: %w", apiID, err)
	}
	return vs, nil
}

// Version loads one version of an API.
func (s *Service) Version(ctx context.Context, apiSlug, version string) (API, Version, error) {
	a, err := s.API(ctx, apiSlug)
	if err != nil {
		return API{}, Version{}, err
	}
	var v Version
	if err := s.db.WithContext(ctx).Where("api_id = ? AND version = ?", a.ID, version).Take(&v).Error; err != nil {
		return a, Version{}, fmt.Errorf("catalog: version %s of %s: %w", version, apiSlug, notFound(err))
	}
	return a, v, nil
}

// VersionByID loads a version by id.
func (s *Service) VersionByID(ctx context.Context, id int64) (Version, error) {
	var v Version
	if err := s.db.WithContext(ctx).Take(&v, id).Error; err != nil {
		return Version{}, fmt.Errorf("catalog: version %d: %w", id, notFound(err))
	}
	return v, nil
}

func (s *Service) checkContract(ctx context.Context, in VersionInput, kind string, fields map[string]string) {
	if strings.TrimSpace(in.Schema) != "" {
		if _, err := CompileSchema(in.Schema); err != nil {
			fields["schema"] = "The JSON Schema does not compile: " + err.Error()
		}
	}
	if strings.TrimSpace(in.OpenAPI) != "" {
		if err := ValidateOpenAPI(ctx, in.OpenAPI); err != nil {
			fields["openapi"] = "The OpenAPI document is not valid: " + err.Error()
		}
	}
	if strings.TrimSpace(in.AsyncAPI) != "" {
		if kind != "event" {
			fields["asyncapi"] = "AsyncAPI documents belong to event APIs."
		} else if err := ValidateAsyncAPI(in.AsyncAPI); err != nil {
			fields["asyncapi"] = "The AsyncAPI document is not valid: " + err.Error()
		}
	}
}

// SaveVersion creates a draft version, or updates one that is still a
// draft. A published version is immutable.
func (s *Service) SaveVersion(ctx context.Context, apiSlug string, in VersionInput, update bool) (Version, error) {
	a, err := s.API(ctx, apiSlug)
	if err != nil {
		return Version{}, err
	}
	fields := map[string]string{}
	sv, err := ParseSemVer(in.Version)
	if err != nil {
		fields["version"] = "Use MAJOR.MINOR.PATCH, for example 1.4.0."
	}
	s.checkContract(ctx, in, a.Kind, fields)
	if len(fields) > 0 {
		return Version{}, &ValidationError{Fields: fields}
	}
	var v Version
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var before *Version
		if update {
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("api_id = ? AND version = ?", a.ID, sv.String()).Take(&v).Error; err != nil {
				return notFound(err)
			}
			if v.Lifecycle != Draft {
				if v.Schema == in.Schema && v.OpenAPI == in.OpenAPI && v.AsyncAPI == in.AsyncAPI && v.Changelog == in.Changelog {
					return nil // nothing changes: not an edit
				}
				return ErrImmutable
			}
			b := v
			before = &b
		} else {
			v = Version{APIID: a.ID, Lifecycle: Draft, CreatedAt: s.now()}
		}
		v.Version, v.Major, v.Minor, v.Patch = sv.String(), sv.Major, sv.Minor, sv.Patch
		v.Schema, v.OpenAPI, v.AsyncAPI, v.Changelog = in.Schema, in.OpenAPI, in.AsyncAPI, in.Changelog
		v.UpdatedAt = s.now()
		if err := tx.Save(&v).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"version": "This API has version " + sv.String() + " already."}}
			}
			return err
		}
		return record(ctx, tx, "api_version", versionEntity(a, v), before, &v, update)
	})
	if err != nil {
		return Version{}, wrap("save version "+apiSlug+" "+in.Version, err)
	}
	return v, nil
}

func versionEntity(a API, v Version) string { return a.Slug + "@" + v.Version }

// TransitionPermission names the permission a lifecycle move needs, and
// whether the move is valid at all.
func TransitionPermission(from, to Lifecycle) (auth.Permission, bool) {
	switch {
	case from == Draft && to == Published:
		return auth.PermVersionPublish, true
	case from == Published && to == Deprecated:
		return auth.PermVersionDeprecate, true
	case from == Deprecated && to == Retired:
		return auth.PermVersionRetire, true
	}
	return "", false
}

// ErrForbidden is returned when the actor's role lacks the permission.
var ErrForbidden = errors.New("catalog: your role does not allow this change")

func (s *Service) authorize(ctx context.Context, from, to Lifecycle) error {
	perm, ok := TransitionPermission(from, to)
	if !ok {
		return &TransitionError{From: from, To: to, Reasons: []string{fmt.Sprintf("a %s version cannot become %s; the lifecycle is draft → published → deprecated → retired", from, to)}}
	}
	if !auth.Role(audit.ActorFrom(ctx).Role).Can(perm) {
		return ErrForbidden
	}
	return nil
}

// PreviousInLine is the latest live version below v in the same major line,
// the one a new version must stay compatible with.
func (s *Service) PreviousInLine(ctx context.Context, tx *gorm.DB, v Version) (*Version, error) {
	var prev Version
	err := tx.WithContext(ctx).Where("api_id = ? AND major = ? AND lifecycle IN ? AND (minor < ? OR (minor = ? AND patch < ?))",
		v.APIID, v.Major, []Lifecycle{Published, Deprecated}, v.Minor, v.Minor, v.Patch).
		Order("minor DESC, patch DESC").Take(&prev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &prev, nil
}

// PublishResult says what publishing compared against and found.
type PublishResult struct {
	Version   Version
	Previous  *Version
	Verdict   contract.Verdict
	Refused   bool
	RefusedBy []string
}

// CheckPublish computes the verdict without changing anything, for the
// confirmation page.
func (s *Service) CheckPublish(ctx context.Context, apiSlug, version string) (PublishResult, error) {
	_, v, err := s.Version(ctx, apiSlug, version)
	if err != nil {
		return PublishResult{}, err
	}
	return s.verdictFor(ctx, s.db, v)
}

func (s *Service) verdictFor(ctx context.Context, tx *gorm.DB, v Version) (PublishResult, error) {
	res := PublishResult{Version: v}
	if strings.TrimSpace(v.Schema) == "" {
		res.Refused = true
		res.RefusedBy = append(res.RefusedBy, "the version has no JSON Schema contract")
	}
	prev, err := s.PreviousInLine(ctx, tx, v)
	if err != nil {
		return res, err
	}
	res.Previous = prev
	if prev == nil {
		return res, nil
	}
	verdict, err := compareVersions(*prev, v)
	if err != nil {
		return res, err
	}
	res.Verdict = verdict
	if verdict.Breaking() {
		res.Refused = true
		for _, c := range verdict.BreakingChanges() {
			res.RefusedBy = append(res.RefusedBy, refusalReason(c))
		}
	}
	return res, nil
}

// compareVersions diffs the contracts of two versions: the JSON Schemas when
// both have one, then the OpenAPI documents (with oasdiff) when both have
// one. The verdict lists the JSON Schema changes first, then the OpenAPI
// ones, each part sorted by Path then Kind; Changes is never nil.
func compareVersions(from, to Version) (contract.Verdict, error) {
	verdict := contract.Verdict{Changes: []contract.Change{}}
	if strings.TrimSpace(from.Schema) != "" && strings.TrimSpace(to.Schema) != "" {
		v, err := contract.Compare([]byte(from.Schema), []byte(to.Schema))
		if err != nil {
			return contract.Verdict{}, err
		}
		verdict.Changes = append(verdict.Changes, v.Changes...)
	}
	if strings.TrimSpace(from.OpenAPI) != "" && strings.TrimSpace(to.OpenAPI) != "" {
		changes, err := contract.CompareOpenAPI([]byte(from.OpenAPI), []byte(to.OpenAPI))
		if err != nil {
			return contract.Verdict{}, err
		}
		verdict.Changes = append(verdict.Changes, changes...)
	}
	return verdict, nil
}

// refusalReason words a breaking change for a refused publish. oasdiff's
// messages do not name the operation, so OpenAPI reasons are prefixed with it.
func refusalReason(c contract.Change) string {
	if strings.HasPrefix(c.Kind, contract.OpenAPIKindPrefix) {
		return "OpenAPI " + c.Path + ": " + c.Message
	}
	return c.Message
}

// Publish moves a draft to published when its contract is compatible with
// the previous version of its major line; a breaking change is refused
// with the reasons (publish it as a new major version instead).
func (s *Service) Publish(ctx context.Context, apiSlug, version string) (PublishResult, error) {
	a, err := s.API(ctx, apiSlug)
	if err != nil {
		return PublishResult{}, err
	}
	var res PublishResult
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var v Version
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("api_id = ? AND version = ?", a.ID, version).Take(&v).Error; err != nil {
			return notFound(err)
		}
		if err := s.authorize(ctx, v.Lifecycle, Published); err != nil {
			return err
		}
		if res, err = s.verdictFor(ctx, tx, v); err != nil {
			return err
		}
		if res.Refused {
			reasons := res.RefusedBy
			if res.Previous != nil && res.Verdict.Breaking() {
				reasons = append(reasons, fmt.Sprintf("%s has breaking changes against %s; publish them as %d.0.0", v.Version, res.Previous.Version, v.Major+1))
			}
			return &TransitionError{From: Draft, To: Published, Reasons: reasons}
		}
		before := v
		now := s.now()
		v.Lifecycle, v.UpdatedAt = Published, now
		if v.ReleasedAt == nil {
			v.ReleasedAt = &now
		}
		if err := tx.Save(&v).Error; err != nil {
			return err
		}
		res.Version = v
		return audit.Record(ctx, tx, audit.Change{Action: "api_version.publish", EntityType: "api_version", EntityID: versionEntity(a, v),
			Before: map[string]any{"lifecycle": before.Lifecycle}, After: map[string]any{"lifecycle": v.Lifecycle, "released_at": v.ReleasedAt, "breaking_changes": len(res.Verdict.BreakingChanges()), "changes": len(res.Verdict.Changes)}})
	})
	if err != nil {
		return res, wrap("publish "+apiSlug+" "+version, err)
	}
	return res, nil
}

// DeprecateInput sets when the version sunsets and what replaces it.
type DeprecateInput struct {
	SunsetAt  *time.Time
	Successor string // a version string of the same API
}

// Deprecate marks a published version deprecated.
func (s *Service) Deprecate(ctx context.Context, apiSlug, version string, in DeprecateInput) (Version, error) {
	a, err := s.API(ctx, apiSlug)
	if err != nil {
		return Version{}, err
	}
	var v Version
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("api_id = ? AND version = ?", a.ID, version).Take(&v).Error; err != nil {
			return notFound(err)
		}
		if err := s.authorize(ctx, v.Lifecycle, Deprecated); err != nil {
			return err
		}
		now := s.now()
		fields := map[string]string{}
		if in.SunsetAt != nil && !in.SunsetAt.After(now) {
			fields["sunset_at"] = "The sunset date must be in the future."
		}
		var successor *int64
		if in.Successor != "" {
			var succ Version
			if err := tx.Where("api_id = ? AND version = ?", a.ID, in.Successor).Take(&succ).Error; err != nil {
				fields["successor"] = fmt.Sprintf("This API has no version %s.", in.Successor)
			} else if !succ.SemVer().Less(v.SemVer()) && succ.ID != v.ID && succ.Lifecycle == Published {
				successor = &succ.ID
			} else {
				fields["successor"] = "The successor must be a newer, published version."
			}
		}
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
		before := v
		v.Lifecycle, v.DeprecatedAt, v.SunsetAt, v.SuccessorVersionID, v.UpdatedAt = Deprecated, &now, in.SunsetAt, successor, now
		if err := tx.Save(&v).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "api_version.deprecate", EntityType: "api_version", EntityID: versionEntity(a, v),
			Before: map[string]any{"lifecycle": before.Lifecycle}, After: map[string]any{"lifecycle": v.Lifecycle, "sunset_at": v.SunsetAt, "successor": in.Successor}})
	})
	if err != nil {
		return Version{}, wrap("deprecate "+apiSlug+" "+version, err)
	}
	return v, nil
}

// Retire ends a deprecated version: the runtime answers 410 for it.
func (s *Service) Retire(ctx context.Context, apiSlug, version string) (Version, error) {
	a, err := s.API(ctx, apiSlug)
	if err != nil {
		return Version{}, err
	}
	var v Version
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("api_id = ? AND version = ?", a.ID, version).Take(&v).Error; err != nil {
			return notFound(err)
		}
		if err := s.authorize(ctx, v.Lifecycle, Retired); err != nil {
			return err
		}
		before := v.Lifecycle
		now := s.now()
		v.Lifecycle, v.UpdatedAt = Retired, now
		if v.SunsetAt == nil || v.SunsetAt.After(now) {
			v.SunsetAt = &now
		}
		if err := tx.Save(&v).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "api_version.retire", EntityType: "api_version", EntityID: versionEntity(a, v),
			Before: map[string]any{"lifecycle": before}, After: map[string]any{"lifecycle": v.Lifecycle, "sunset_at": v.SunsetAt}})
	})
	if err != nil {
		return Version{}, wrap("retire "+apiSlug+" "+version, err)
	}
	return v, nil
}

// Compare diffs the contracts of two versions of an API.
func (s *Service) Compare(ctx context.Context, apiSlug, from, to string) (Version, Version, contract.Verdict, error) {
	_, a, err := s.Version(ctx, apiSlug, from)
	if err != nil {
		return Version{}, Version{}, contract.Verdict{}, err
	}
	_, b, err := s.Version(ctx, apiSlug, to)
	if err != nil {
		return Version{}, Version{}, contract.Verdict{}, err
	}
	v, err := compareVersions(a, b)
	return a, b, v, err
}

// IDString formats an id for audit entity ids.
func IDString(id int64) string { return strconv.FormatInt(id, 10) }
