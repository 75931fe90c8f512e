package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crossdock/crossdock/internal/store"
)

// ListFilter selects APIs for the catalog list.
type ListFilter struct {
	Query     string // matches name, slug, description, tags
	Kind      string
	Domain    string
	Owner     string // team slug
	Lifecycle Lifecycle
	Slugs     []string // restrict to these (e.g. APIs failing a rule); nil = all
	Sort      string   // "name" (default), "-updated", "kind", "domain"
	Page      int
	PageSize  int
}

// ListRow is one API in the catalog list.
type ListRow struct {
	ID            int64
	Slug          string
	Name          string
	Kind          string
	Domain        string
	OwnerSlug     string
	OwnerName     string
	Tags          Tags
	UpdatedAt     time.Time
	LatestVersion string
	Published     int
	Deprecated    int
	Drafts        int
	Retired       int
}

// List returns one page of APIs and the total matching. It is one query
// with lateral aggregates, so its cost does not grow with the page count.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ListRow, int64, error) {
	if f.PageSize <= 0 || f.PageSize > 200 {
		f.PageSize = 25
	}
	if f.Page < 1 {
		f.Page = 1
	}
	where := []string{"TRUE"}
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := store.Contains(q)
		where = append(where, "(lower(a.name) LIKE ? OR a.slug LIKE ? OR lower(a.description) LIKE ? OR a.tags @> ?::jsonb)")
		args = append(args, like, like, like, fmt.Sprintf("[%q]", strings.ToLower(q)))
	}
	if f.Kind != "" {
		where = append(where, "a.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Domain != "" {
		where = append(where, "a.domain = ?")
		args = append(args, f.Domain)
	}
	if f.Owner != "" {
		where = append(where, "t.slug = ?")
		args = append(args, f.Owner)
	}
	if f.Lifecycle != "" {
		where = append(where, "EXISTS (SELECT 1 FROM api_versions lv WHERE lv.api_id = a.id AND lv.lifecycle = ?)")
		args = append(args, f.Lifecycle)
	}
	if f.Slugs != nil {
		where = append(where, "a.slug IN ?")
		if len(f.Slugs) == 0 {
			f.Slugs = []string{""}
		}
		args = append(args, f.Slugs)
	}
	cond := strings.Join(where, " AND ")
	from := ` FROM apis a LEFT JOIN teams t ON t.id = a.owner_team_id WHERE ` + cond
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw(`SELECT count(*)`+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("catalog: count apis: %w", err)
	}
	order := "lower(a.name), a.id"
	switch f.Sort {
	case "-updated":
		order = "a.updated_at DESC, a.id"
	case "kind":
		order = "a.kind, lower(a.name), a.id"
	case "domain":
		order = "a.domain, lower(a.name), a.id"
	}
	// catalog list: page the APIs first, then aggregate versions of that page only.
	q := `SELECT p.*, coalesce(v.latest, '') AS latest_version, coalesce(v.published, 0) AS published,
	        coalesce(v.deprecated, 0) AS deprecated, coalesce(v.drafts, 0) AS drafts, coalesce(v.retired, 0) AS retired
	     FROM (SELECT a.id, a.slug, a.name, a.kind, a.domain, a.tags, a.updated_at,
	                  coalesce(t.slug, '') AS owner_slug, coalesce(t.name, '') AS owner_name` + from + `
	           ORDER BY ` + order + ` LIMIT ? OFFSET ?) p
	     LEFT JOIN LATERAL (
	        SELECT (array_agg(version ORDER BY major DESC, minor DESC, patch DESC) FILTER (WHERE lifecycle <> 'retired'))[1] AS latest,
	               count(*) FILTER (WHERE lifecycle = 'published') AS published,
	               count(*) FILTER (WHERE lifecycle = 'deprecated') AS deprecated,
	               count(*) FILTER (WHERE lifecycle = 'draft') AS drafts,
	               count(*) FILTER (WHERE lifecycle = 'retired') AS retired
	        FROM api_versions WHERE api_id = p.id) v ON TRUE`
	order = strings.ReplaceAll(order, "a.", "p.")
	q += ` ORDER BY ` + order
	var rows []ListRow
	if err := db.Raw(q, append(args, f.PageSize, (f.Page-1)*f.PageSize)...).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("catalog: list apis: %w", err)
	}
	return rows, total, nil
}

// VersionRef names an API version for people: its API's slug and name,
// the version and its lifecycle.
type VersionRef struct {
	ID        int64
	APISlug   string
	APIName   string
	Version   string
	Lifecycle Lifecycle
}

// versionRefSelect reads API versions with their API's slug and name.
const versionRefSelect = `SELECT v.id, a.slug AS api_slug, a.name AS api_name, v.version, v.lifecycle
	FROM api_versions v JOIN apis a ON a.id = v.api_id`

// VersionRefFilter selects API versions for VersionRefs.
type VersionRefFilter struct {
	Lifecycle  Lifecycle // only this lifecycle; "" = every one
	Unretired  bool      // leave retired versions out
	WithSchema bool      // only versions with a JSON Schema contract
}

// VersionRefs lists API versions for forms that offer them: by API name
// (ignoring case), then newest version first, at most 1000.
func (s *Service) VersionRefs(ctx context.Context, f VersionRefFilter) ([]VersionRef, error) {
	q := versionRefSelect + ` WHERE TRUE`
	var args []any
	if f.Lifecycle != "" {
		q += ` AND v.lifecycle = ?`
		args = append(args, f.Lifecycle)
	}
	if f.Unretired {
		q += ` AND v.lifecycle <> 'retired'`
	}
	if f.WithSchema {
		q += ` AND btrim(v.schema) <> ''`
	}
	q += ` ORDER BY lower(a.name), v.major DESC, v.minor DESC, v.patch DESC LIMIT 1000`
	var out []VersionRef
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("catalog: list version refs: %w", err)
	}
	return out, nil
}

// VersionRefsByID loads the API versions with these ids, by id; unknown
// ids are left out.
func (s *Service) VersionRefsByID(ctx context.Context, ids []int64) (map[int64]VersionRef, error) {
	out := map[int64]VersionRef{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []VersionRef
	if err := s.db.WithContext(ctx).Raw(versionRefSelect+` WHERE v.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("catalog: version refs by id: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// APISlugsBySystem maps system ids to the slugs of the APIs in front of
// them, in slug order. APIs without a system are left out.
func (s *Service) APISlugsBySystem(ctx context.Context) (map[int64][]string, error) {
	var rows []struct {
		Slug     string
		SystemID int64
	}
	if err := s.db.WithContext(ctx).Table("apis").Select("slug, system_id").Where("system_id IS NOT NULL").Order("slug").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("catalog: api slugs by system: %w", err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.SystemID] = append(out[r.SystemID], r.Slug)
	}
	return out, nil
}
