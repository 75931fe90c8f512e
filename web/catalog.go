package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/scorecard"
	"github.com/crossdock/crossdock/views/components"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// The catalog pages: the API list and its exports, API forms and the API
// detail page. Versions are in catalog_versions.go, teams and systems in
// catalog_teams.go.

// catalogFlashText maps the catalog's flash codes to sentences.
func catalogFlashText(code string) string {
	switch code {
	case "api-created":
		return "The API was registered. Add its first version with a JSON Schema contract."
	case "api-updated":
		return "The API was saved."
	case "version-created":
		return "The draft version was created. Publish it when its contract is final."
	case "version-updated":
		return "The draft was saved."
	case "version-published":
		return "The version was published: partners can call it, and its contract is now frozen."
	case "version-deprecated":
		return "The version was deprecated: partners calling it now get Deprecation and Sunset headers."
	case "version-retired":
		return "The version was retired: partners calling it now get 410 Gone."
	case "team-created":
		return "The team was created."
	case "team-updated":
		return "The team was saved."
	case "system-created":
		return "The system was created."
	case "system-updated":
		return "The system was saved."
	}
	return ""
}

// navAlias maps a page to the navigation entry that lists it: systems are
// listed under "Teams & systems".
func navAlias(path string) string {
	if path == "/catalog/systems" || strings.HasPrefix(path, "/catalog/systems/") {
		return "/catalog/teams" + strings.TrimPrefix(path, "/catalog/systems")
	}
	return path
}

// param copies a route parameter out of Fiber's reused buffers.
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// formValue copies a trimmed form field.
func formValue(c *fiber.Ctx, name string) string {
	return strings.TrimSpace(strings.Clone(c.FormValue(name)))
}

// formText copies a multi-line form field as typed, with line endings
// normalised.
func formText(c *fiber.Ctx, name string) string {
	return strings.ReplaceAll(strings.Clone(c.FormValue(name)), "\r\n", "\n")
}

func role(c *fiber.Ctx) auth.Role {
	p, _ := middleware.GetPrincipal(c)
	return p.Role
}

// catalogValidation returns the field messages of a catalog validation
// error, or nil.
func catalogValidation(err error) map[string]string {
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// ---- list ----

var catalogSorts = []pages.Option{{Value: "name", Label: "Name"}, {Value: "-updated", Label: "Recently updated"}, {Value: "kind", Label: "Kind"}, {Value: "domain", Label: "Domain"}}

func lifecycles() []string {
	return []string{string(catalog.Draft), string(catalog.Published), string(catalog.Deprecated), string(catalog.Retired)}
}

type catalogQuery struct {
	pages.CatalogFilter
	Page int
}

func readCatalogQuery(c *fiber.Ctx) catalogQuery {
	q := catalogQuery{CatalogFilter: pages.CatalogFilter{
		Q: strings.TrimSpace(strings.Clone(c.Query("q"))), Kind: strings.Clone(c.Query("kind")), Domain: strings.Clone(c.Query("domain")),
		Owner: strings.Clone(c.Query("owner")), Lifecycle: strings.Clone(c.Query("lifecycle")), Sort: strings.Clone(c.Query("sort")),
		Rule: strings.Clone(c.Query("rule")),
	}, Page: c.QueryInt("page", 1)}
	if !slices.ContainsFunc(scorecard.Rules(), func(r scorecard.Rule) bool { return r.ID == q.Rule }) {
		q.Rule = ""
	}
	if !slices.Contains(catalog.APIKinds(), q.Kind) {
		q.Kind = ""
	}
	if !slices.Contains(lifecycles(), q.Lifecycle) {
		q.Lifecycle = ""
	}
	if !slices.ContainsFunc(catalogSorts, func(o pages.Option) bool { return o.Value == q.Sort }) {
		q.Sort = "name"
	}
	return q
}

func (q catalogQuery) filter(pageSize int) catalog.ListFilter {
	return catalog.ListFilter{Query: q.Q, Kind: q.Kind, Domain: q.Domain, Owner: q.Owner, Lifecycle: catalog.Lifecycle(q.Lifecycle),
		Sort: q.Sort, Page: q.Page, PageSize: pageSize}
}

func (q catalogQuery) values(page int) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Q, "kind": q.Kind, "domain": q.Domain, "owner": q.Owner, "lifecycle": q.Lifecycle, "rule": q.Rule} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Sort != "" && q.Sort != "name" {
		v.Set("sort", q.Sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// scoredRows prepares list rows with their governance scores (one query).
func (s *Server) scoredRows(c *fiber.Ctx, rows []catalog.ListRow) ([]pages.CatalogRow, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	cards, err := s.d.Scorecard.ForAPIs(ctx(c), ids)
	if err != nil {
		return nil, err
	}
	return catalogRows(rows, cards, time.Now()), nil
}

func catalogRows(rows []catalog.ListRow, cards map[int64]scorecard.Card, now time.Time) []pages.CatalogRow {
	out := make([]pages.CatalogRow, len(rows))
	for i, r := range rows {
		card := cards[r.ID]
		titles := make([]string, len(card.Failing))
		for j, f := range card.Failing {
			titles[j] = f.Title
		}
		title := "All governance rules pass"
		if len(titles) > 0 {
			title = "Failing: " + strings.Join(titles, "; ")
		}
		out[i] = pages.CatalogRow{Slug: r.Slug, Name: r.Name, Kind: r.Kind, Domain: r.Domain, OwnerSlug: r.OwnerSlug, OwnerName: r.OwnerName,
			Latest: r.LatestVersion, Published: r.Published, Deprecated: r.Deprecated, Drafts: r.Drafts, Retired: r.Retired,
			Tags: []string(r.Tags), Updated: timeView(r.UpdatedAt, now), Score: card.Score, ScoreTitle: title}
	}
	return out
}

func teamOptions(teams []catalog.Team) []pages.Option {
	out := make([]pages.Option, len(teams))
	for i, t := range teams {
		out[i] = pages.Option{Value: t.Slug, Label: t.Name}
	}
	return out
}

// listFilter adds the failing-rule filter, which the scorecard resolves
// to the set of failing APIs.
func (s *Server) listFilter(c *fiber.Ctx, q catalogQuery, pageSize int) (catalog.ListFilter, error) {
	f := q.filter(pageSize)
	if q.Rule != "" {
		slugs, err := s.d.Scorecard.Failing(ctx(c), q.Rule)
		if err != nil {
			return f, err
		}
		f.Slugs = slugs
	}
	return f, nil
}

func ruleOptions() []pages.Option {
	rules := scorecard.Rules()
	out := make([]pages.Option, len(rules))
	for i, r := range rules {
		out[i] = pages.Option{Value: r.ID, Label: r.Title}
	}
	return out
}

// catalogPage lists APIs with filters in the URL.
func (s *Server) catalogPage(c *fiber.Ctx) error {
	q := readCatalogQuery(c)
	const pageSize = 25
	f, err := s.listFilter(c, q, pageSize)
	if err != nil {
		return err
	}
	rows, total, err := s.d.Catalog.List(ctx(c), f)
	if err != nil {
		return err
	}
	scored, err := s.scoredRows(c, rows)
	if err != nil {
		return err
	}
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	r := role(c)
	m := pages.CatalogPage{Chrome: s.chrome(c, "API catalog"), Filter: q.CatalogFilter, Kinds: catalog.APIKinds(), Domains: catalog.Domains(),
		Teams: teamOptions(teams), Lifecycles: lifecycles(), Sorts: catalogSorts, Rules: ruleOptions(), Rows: scored,
		CanWrite: r.Can(auth.PermCatalogWrite), CanExport: r.Can(auth.PermCatalogExport), ExportQuery: q.values(0).Encode()}
	if q.Domain != "" && !slices.Contains(m.Domains, q.Domain) {
		m.Domains = append(m.Domains, q.Domain)
	}
	m.Pager = pager(total, q.Page, pageSize, "APIs", func(page int) string { return "/catalog?" + q.values(page).Encode() })
	return s.render(c, fiber.StatusOK, pages.Catalog(m))
}

// eachCatalogRow pages through every API matching the filter.
func (s *Server) eachCatalogRow(ctx context.Context, f catalog.ListFilter, fn func(catalog.ListRow) error) error {
	f.PageSize = 200
	for f.Page = 1; ; f.Page++ {
		rows, total, err := s.d.Catalog.List(ctx, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) == 0 || int64(f.Page*f.PageSize) >= total {
			return nil
		}
	}
}

// catalogExportRow is the exported shape of one API.
type catalogExportRow struct {
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	Domain        string    `json:"domain"`
	OwnerTeam     string    `json:"owner_team"`
	OwnerName     string    `json:"owner_name"`
	LatestVersion string    `json:"latest_version"`
	Published     int       `json:"published"`
	Deprecated    int       `json:"deprecated"`
	Drafts        int       `json:"drafts"`
	Retired       int       `json:"retired"`
	Tags          []string  `json:"tags"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func exportRow(r catalog.ListRow) catalogExportRow {
	tags := []string(r.Tags)
	if tags == nil {
		tags = []string{}
	}
	return catalogExportRow{Slug: r.Slug, Name: r.Name, Kind: r.Kind, Domain: r.Domain, OwnerTeam: r.OwnerSlug, OwnerName: r.OwnerName,
		LatestVersion: r.LatestVersion, Published: r.Published, Deprecated: r.Deprecated, Drafts: r.Drafts, Retired: r.Retired,
		Tags: tags, UpdatedAt: r.UpdatedAt.UTC()}
}

func catalogAttachment(c *fiber.Ctx, ext string) {
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="crossdock-catalog-`+time.Now().UTC().Format("20060102-150405")+`.`+ext+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
}

// catalogExportCSV writes every API matching the list's filters.
func (s *Server) catalogExportCSV(c *fiber.Ctx) error {
	f, err := s.listFilter(c, readCatalogQuery(c), 200)
	if err != nil {
		return err
	}
	catalogAttachment(c, "csv")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	rctx, log := context.WithoutCancel(ctx(c)), s.d.Log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"slug", "name", "kind", "domain", "owner_team", "owner_name", "latest_version", "published", "deprecated", "drafts", "retired", "tags", "updated_at"})
		err := s.eachCatalogRow(rctx, f, func(r catalog.ListRow) error {
			e := exportRow(r)
			return cw.Write([]string{e.Slug, e.Name, e.Kind, e.Domain, e.OwnerTeam, e.OwnerName, e.LatestVersion, strconv.Itoa(e.Published),
				strconv.Itoa(e.Deprecated), strconv.Itoa(e.Drafts), strconv.Itoa(e.Retired), strings.Join(e.Tags, ","), e.UpdatedAt.Format(time.RFC3339)})
		})
		cw.Flush()
		if err != nil {
			log.Error("catalog CSV export failed midway", "error", err)
		}
	})
	return nil
}

// catalogExportJSON writes every API matching the list's filters as a
// JSON array.
func (s *Server) catalogExportJSON(c *fiber.Ctx) error {
	f, err := s.listFilter(c, readCatalogQuery(c), 200)
	if err != nil {
		return err
	}
	catalogAttachment(c, "json")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	rctx, log := context.WithoutCancel(ctx(c)), s.d.Log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		enc := json.NewEncoder(w)
		_, _ = w.WriteString("[")
		first := true
		err := s.eachCatalogRow(rctx, f, func(r catalog.ListRow) error {
			if !first {
				_, _ = w.WriteString(",")
			}
			first = false
			return enc.Encode(exportRow(r))
		})
		_, _ = w.WriteString("]\n")
		if err != nil {
			log.Error("catalog JSON export failed midway", "error", err)
		}
	})
	return nil
}

// ---- API form ----

func (s *Server) apiForm(c *fiber.Ctx, status int, edit bool, v pages.APIFormValues, errs map[string]string) error {
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	systems, err := s.d.Catalog.Systems(ctx(c))
	if err != nil {
		return err
	}
	title := "Register an API"
	if edit {
		title = "Edit " + v.Name
	}
	m := pages.APIFormPage{Chrome: s.chrome(c, title), Edit: edit, Values: v, Errors: errs, Kinds: catalog.APIKinds(), Domains: catalog.Domains(), Teams: teamOptions(teams)}
	if v.Domain != "" && !slices.Contains(m.Domains, v.Domain) {
		m.Domains = append(m.Domains, v.Domain)
	}
	for _, sys := range systems {
		m.Systems = append(m.Systems, pages.Option{Value: sys.Slug, Label: sys.Name + " (" + pages.SystemKindLabel(sys.Kind) + ")"})
	}
	return s.render(c, status, pages.APIForm(m))
}

func readAPIForm(c *fiber.Ctx) pages.APIFormValues {
	return pages.APIFormValues{Slug: formValue(c, "slug"), Name: formValue(c, "name"), Kind: formValue(c, "kind"), Domain: formValue(c, "domain"),
		OwnerTeam: formValue(c, "owner_team"), System: formValue(c, "system"), Description: formText(c, "description"), Tags: formValue(c, "tags")}
}

func apiInput(v pages.APIFormValues) catalog.APIInput {
	var tags []string
	for _, t := range strings.Split(v.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return catalog.APIInput{Slug: v.Slug, Name: v.Name, Kind: v.Kind, Domain: v.Domain, OwnerTeam: v.OwnerTeam, System: v.System, Description: v.Description, Tags: tags}
}

func (s *Server) newAPIPage(c *fiber.Ctx) error {
	return s.apiForm(c, fiber.StatusOK, false, pages.APIFormValues{Kind: "system"}, nil)
}

func (s *Server) createAPI(c *fiber.Ctx) error {
	v := readAPIForm(c)
	a, err := s.d.Catalog.SaveAPI(ctx(c), apiInput(v), false)
	if fields := catalogValidation(err); fields != nil {
		return s.apiForm(c, fiber.StatusUnprocessableEntity, false, v, fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/catalog/apis/"+a.Slug+"?flash=api-created", fiber.StatusSeeOther)
}

func (s *Server) apiValues(c *fiber.Ctx, a catalog.API) (pages.APIFormValues, error) {
	v := pages.APIFormValues{Slug: a.Slug, Name: a.Name, Kind: a.Kind, Domain: a.Domain, Description: a.Description, Tags: strings.Join(a.Tags, ", ")}
	owner, system, err := s.ownerAndSystem(ctx(c), a.OwnerTeamID, a.SystemID)
	if err != nil {
		return v, err
	}
	v.OwnerTeam, v.System = owner.Slug, system.Slug
	return v, nil
}

// ownerAndSystem resolves ids to the team and system (zero when unset).
func (s *Server) ownerAndSystem(ctx context.Context, teamID, systemID *int64) (catalog.Team, catalog.System, error) {
	var team catalog.Team
	var system catalog.System
	if teamID != nil {
		teams, err := s.d.Catalog.Teams(ctx)
		if err != nil {
			return team, system, err
		}
		for _, t := range teams {
			if t.ID == *teamID {
				team = t
			}
		}
	}
	if systemID != nil {
		systems, err := s.d.Catalog.Systems(ctx)
		if err != nil {
			return team, system, err
		}
		for _, x := range systems {
			if x.ID == *systemID {
				system = x
			}
		}
	}
	return team, system, nil
}

func (s *Server) editAPIPage(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	v, err := s.apiValues(c, a)
	if err != nil {
		return err
	}
	return s.apiForm(c, fiber.StatusOK, true, v, nil)
}

func (s *Server) updateAPI(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	v := readAPIForm(c)
	v.Slug = a.Slug
	if _, err := s.d.Catalog.SaveAPI(ctx(c), apiInput(v), true); err != nil {
		if fields := catalogValidation(err); fields != nil {
			return s.apiForm(c, fiber.StatusUnprocessableEntity, true, v, fields)
		}
		return err
	}
	return c.Redirect("/catalog/apis/"+a.Slug+"?flash=api-updated", fiber.StatusSeeOther)
}

// ---- API detail ----

// versionRows prepares an API's versions (newest first) for display, with
// the actions the role may take on each.
func versionRows(vs []catalog.Version, r auth.Role, now time.Time) []pages.VersionRow {
	byID := map[int64]string{}
	for _, v := range vs {
		byID[v.ID] = v.Version
	}
	out := make([]pages.VersionRow, len(vs))
	for i, v := range vs {
		out[i] = versionRow(v, byID, r, now)
	}
	return out
}

func versionRow(v catalog.Version, byID map[int64]string, r auth.Role, now time.Time) pages.VersionRow {
	row := pages.VersionRow{Version: v.Version, Lifecycle: string(v.Lifecycle),
		CanEdit:      v.Lifecycle == catalog.Draft && r.Can(auth.PermCatalogWrite),
		CanPublish:   v.Lifecycle == catalog.Draft && r.Can(auth.PermVersionPublish),
		CanDeprecate: v.Lifecycle == catalog.Published && r.Can(auth.PermVersionDeprecate),
		CanRetire:    v.Lifecycle == catalog.Deprecated && r.Can(auth.PermVersionRetire),
	}
	if v.ReleasedAt != nil {
		row.Released = timeView(*v.ReleasedAt, now)
	}
	if v.DeprecatedAt != nil {
		row.Deprecated = timeView(*v.DeprecatedAt, now)
	}
	if v.SunsetAt != nil {
		row.Sunset = timeView(*v.SunsetAt, now)
		row.SunsetDate = v.SunsetAt.UTC().Format(time.DateOnly)
		if v.Lifecycle != catalog.Retired {
			row.SunsetLeft, row.SunsetTone = daysLeft(*v.SunsetAt, now)
		}
	}
	if v.SuccessorVersionID != nil {
		row.Successor = byID[*v.SuccessorVersionID]
	}
	return row
}

// daysLeft says how long until a sunset, coloured by urgency.
func daysLeft(sunset, now time.Time) (string, components.Tone) {
	d := sunset.Sub(now)
	if d <= 0 {
		return "sunset passed", components.ToneBad
	}
	days := int((d + 24*time.Hour - 1) / (24 * time.Hour))
	text := strconv.Itoa(days) + " days left"
	if days == 1 {
		text = "1 day left"
	}
	switch {
	case days <= 7:
		return text, components.ToneBad
	case days <= 30:
		return text, components.ToneWarn
	}
	return text, components.ToneNeutral
}

// apiHistory is the audit trail of an API and its versions, newest first.
func (s *Server) apiHistory(c *fiber.Ctx, a catalog.API, limit int) ([]pages.AuditRow, bool, error) {
	return s.entityHistory(c, []audit.Filter{{PageSize: limit, Entities: []audit.EntityMatch{
		{Type: "api", ID: a.Slug}, {Type: "api_version", ID: a.Slug + "@", Prefix: true}}}}, limit)
}

// entityHistory merges the events of several filters, newest first.
func (s *Server) entityHistory(c *fiber.Ctx, filters []audit.Filter, limit int) ([]pages.AuditRow, bool, error) {
	var events []audit.Event
	var total int64
	for _, f := range filters {
		es, n, err := audit.List(ctx(c), s.d.DB, f)
		if err != nil {
			return nil, false, err
		}
		events = append(events, es...)
		total += n
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ID > events[j].ID })
	more := total > int64(limit)
	if len(events) > limit {
		events = events[:limit]
	}
	return auditRows(events), more, nil
}

// apiPage is an API's detail: header, description, versions, policies,
// consumers and audit history.
func (s *Server) apiPage(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	owner, system, err := s.ownerAndSystem(ctx(c), a.OwnerTeamID, a.SystemID)
	if err != nil {
		return err
	}
	r, now := role(c), time.Now()
	m := pages.APIPage{Chrome: s.chrome(c, a.Name), Slug: a.Slug, Name: a.Name, Kind: a.Kind, Domain: a.Domain,
		OwnerSlug: owner.Slug, OwnerName: owner.Name, OwnerContact: owner.ContactEmail, SystemSlug: system.Slug, SystemName: system.Name,
		Tags: []string(a.Tags), DescriptionHTML: renderMarkdown(a.Description), Created: timeView(a.CreatedAt, now), Updated: timeView(a.UpdatedAt, now),
		Versions: versionRows(vs, r, now), CanWrite: r.Can(auth.PermCatalogWrite)}
	if len(vs) > 1 {
		m.CompareFrom, m.CompareTo = vs[1].Version, vs[0].Version
	}
	if err := s.governance(c, a, vs, &m); err != nil {
		return err
	}
	const historyLimit = 20
	if m.History, m.HistoryMore, err = s.apiHistory(c, a, historyLimit); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.APIDetail(m))
}

// governance fills the API page's scorecard and the effective policy of its
// newest live version (or newest version when none is live).
func (s *Server) governance(c *fiber.Ctx, a catalog.API, vs []catalog.Version, m *pages.APIPage) error {
	card, err := s.d.Scorecard.ForAPI(ctx(c), a.ID)
	if err != nil {
		return err
	}
	m.Score = card.Score
	details := map[string]string{}
	for _, r := range card.Results {
		details[r.RuleID] = r.Detail
	}
	for _, f := range card.Failing {
		m.Failing = append(m.Failing, pages.ScoreRule{ID: f.ID, Title: f.Title, Severity: string(f.Severity), Explanation: f.Explanation, Detail: details[f.ID]})
	}
	if len(vs) == 0 {
		return nil
	}
	target := vs[0]
	for _, v := range vs {
		if v.Lifecycle.Live() {
			target = v
			break
		}
	}
	if src := s.consumers(); src != nil {
		ids := make([]int64, len(vs))
		for i, v := range vs {
			ids[i] = v.ID
		}
		found, err := src.ConsumersOf(ctx(c), ids)
		if err != nil {
			return err
		}
		for _, v := range vs {
			for _, con := range found[v.ID] {
				m.Consumers = append(m.Consumers, pages.ConsumerRow{Version: v.Version, Name: con.Name, Link: con.Link})
			}
		}
	}
	resolved, err := s.d.Policy.EffectiveFor(ctx(c), target.ID, nil)
	if err != nil {
		return err
	}
	m.PolicyVersion = target.Version
	m.Policies = policyRows(resolved.Fields(), false)
	return nil
}
