package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/contract"
	"github.com/crossdock/crossdock/views/pages"
)

// Version pages: forms for drafts, the contract viewer, the lifecycle
// confirmations (publish, deprecate, retire) and the diff of two versions.

func apiRef(a catalog.API) pages.APIRef {
	return pages.APIRef{Slug: a.Slug, Name: a.Name, Kind: a.Kind}
}

func versionURL(a catalog.API, v string) string { return "/catalog/apis/" + a.Slug + "/versions/" + v }

// ---- forms ----

func (s *Server) versionForm(c *fiber.Ctx, status int, a catalog.API, edit bool, v pages.VersionFormValues, errs map[string]string, conflict string) error {
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	title := "New version of " + a.Name
	if edit {
		title = "Edit " + a.Name + " " + v.Version
	}
	m := pages.VersionFormPage{Chrome: s.chrome(c, title), API: apiRef(a), Edit: edit, Values: v, Errors: errs, Conflict: conflict}
	if len(vs) > 0 {
		m.Latest = vs[0].Version
	}
	return s.render(c, status, pages.VersionForm(m))
}

func readVersionForm(c *fiber.Ctx) pages.VersionFormValues {
	return pages.VersionFormValues{Version: formValue(c, "version"), Schema: formText(c, "schema"), OpenAPI: formText(c, "openapi"),
		AsyncAPI: formText(c, "asyncapi"), Changelog: formText(c, "changelog")}
}

func versionInput(v pages.VersionFormValues) catalog.VersionInput {
	return catalog.VersionInput{Version: v.Version, Schema: v.Schema, OpenAPI: v.OpenAPI, AsyncAPI: v.AsyncAPI, Changelog: v.Changelog}
}

// newVersionPage offers the next minor version; ?version= and ?copy=
// (a version whose contract to start from) prefill the form, as the
// publish page's "create 2.0.0 with this contract" does.
func (s *Server) newVersionPage(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	v := pages.VersionFormValues{Version: "1.0.0"}
	if len(vs) > 0 {
		v.Version = fmt.Sprintf("%d.%d.0", vs[0].Major, vs[0].Minor+1)
	}
	if q := strings.TrimSpace(c.Query("version")); q != "" {
		if sv, err := catalog.ParseSemVer(q); err == nil {
			v.Version = sv.String()
		}
	}
	copied := ""
	if from := c.Query("copy"); from != "" {
		for _, x := range vs {
			if x.Version == from {
				v.Schema, v.OpenAPI, v.AsyncAPI, copied = x.Schema, x.OpenAPI, x.AsyncAPI, x.Version
			}
		}
	}
	m := pages.VersionFormPage{Chrome: s.chrome(c, "New version of "+a.Name), API: apiRef(a), Values: v, CopiedFrom: copied}
	if len(vs) > 0 {
		m.Latest = vs[0].Version
	}
	return s.render(c, fiber.StatusOK, pages.VersionForm(m))
}

func (s *Server) createVersion(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	v := readVersionForm(c)
	created, err := s.d.Catalog.SaveVersion(ctx(c), a.Slug, versionInput(v), false)
	if fields := catalogValidation(err); fields != nil {
		return s.versionForm(c, fiber.StatusUnprocessableEntity, a, false, v, fields, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect(versionURL(a, created.Version)+"?flash=version-created", fiber.StatusSeeOther)
}

func (s *Server) editVersionPage(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	if v.Lifecycle != catalog.Draft {
		return catalog.ErrImmutable
	}
	return s.versionForm(c, fiber.StatusOK, a, true, pages.VersionFormValues{Version: v.Version, Schema: v.Schema, OpenAPI: v.OpenAPI, AsyncAPI: v.AsyncAPI, Changelog: v.Changelog}, nil, "")
}

func (s *Server) updateVersion(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	in := readVersionForm(c)
	in.Version = v.Version
	_, err = s.d.Catalog.SaveVersion(ctx(c), a.Slug, versionInput(in), true)
	switch {
	case errors.Is(err, catalog.ErrImmutable):
		msg := v.Version + " is " + string(v.Lifecycle) + ": a published version is immutable. Nothing was saved; create a new version for the changed contract."
		return s.versionForm(c, fiber.StatusConflict, a, true, in, nil, msg)
	case catalogValidation(err) != nil:
		return s.versionForm(c, fiber.StatusUnprocessableEntity, a, true, in, catalogValidation(err), "")
	case err != nil:
		return err
	}
	return c.Redirect(versionURL(a, v.Version)+"?flash=version-updated", fiber.StatusSeeOther)
}

// ---- detail ----

func (s *Server) versionPage(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	byID := map[int64]string{}
	for _, x := range vs {
		byID[x.ID] = x.Version
	}
	now := time.Now()
	m := pages.VersionPage{Chrome: s.chrome(c, a.Name+" "+v.Version), API: apiRef(a), Row: versionRow(v, byID, role(c), now),
		Created: timeView(v.CreatedAt, now), Updated: timeView(v.UpdatedAt, now), HasSchema: strings.TrimSpace(v.Schema) != "",
		OpenAPILines: prettyLines(v.OpenAPI), AsyncAPILines: prettyLines(v.AsyncAPI), Changelog: renderMarkdown(v.Changelog)}
	if m.HasSchema {
		m.Schema, m.SchemaLines = schemaView(v.Schema), prettyLines(v.Schema)
	}
	m.Previous = previousVersion(v, vs)
	return s.render(c, fiber.StatusOK, pages.VersionDetail(m))
}

// previousVersion is what to compare v with: the newest older version
// partners could call (or could once), else the newest older draft.
func previousVersion(v catalog.Version, vs []catalog.Version) string {
	draft := ""
	for _, x := range vs { // newest first
		if !x.SemVer().Less(v.SemVer()) {
			continue
		}
		if x.Lifecycle != catalog.Draft {
			return x.Version
		}
		if draft == "" {
			draft = x.Version
		}
	}
	return draft
}

// ---- publish ----

func changeRows(v contract.Verdict) ([]pages.ChangeRow, int) {
	rows := make([]pages.ChangeRow, len(v.Changes))
	breaking := 0
	for i, ch := range v.Changes {
		rows[i] = pages.ChangeRow{Path: ch.Path, Pointer: ch.SchemaPointer, Kind: ch.Kind, Message: ch.Message, Breaking: ch.Breaking}
		if ch.Breaking {
			breaking++
		}
	}
	// Breaking changes first: they are what the reader must act on.
	slices.SortStableFunc(rows, func(a, b pages.ChangeRow) int {
		switch {
		case a.Breaking == b.Breaking:
			return 0
		case a.Breaking:
			return -1
		}
		return 1
	})
	return rows, breaking
}

// nextMajor is the first major version above v's that the API does not
// have yet.
func nextMajor(v catalog.Version, vs []catalog.Version) string {
	for major := v.Major + 1; ; major++ {
		taken := slices.ContainsFunc(vs, func(x catalog.Version) bool { return x.Major == major })
		if !taken {
			return strconv.Itoa(major) + ".0.0"
		}
	}
}

func (s *Server) publishModel(c *fiber.Ctx, a catalog.API, v catalog.Version) (pages.PublishPage, error) {
	m := pages.PublishPage{Chrome: s.chrome(c, "Publish "+a.Name+" "+v.Version), API: apiRef(a), Version: v.Version, Lifecycle: string(v.Lifecycle)}
	res, err := s.d.Catalog.CheckPublish(ctx(c), a.Slug, v.Version)
	if err != nil {
		return m, err
	}
	if res.Previous != nil {
		m.Previous = res.Previous.Version
	}
	m.Changes, m.Breaking = changeRows(res.Verdict)
	m.Refused, m.Reasons = res.Refused, res.RefusedBy
	if v.Lifecycle != catalog.Draft {
		m.Refused = true
		m.Reasons = []string{v.Version + " is " + string(v.Lifecycle) + " already; only drafts are published"}
		return m, nil
	}
	// Adapters are checked against the new contract; a draft without a
	// JSON Schema has none to check them against.
	if res.Previous != nil && s.d.Adapters != nil && strings.TrimSpace(v.Schema) != "" {
		rows, err := s.d.Adapters.Impact(ctx(c), adapter.ImpactChange{APIVersionID: res.Previous.ID, NewSchema: v.Schema})
		if err != nil {
			return m, err
		}
		m.ImpactChecked = true
		for _, r := range rows {
			m.Impact = append(m.Impact, pages.ImpactLine{Partner: r.Partner.Name, PartnerCode: r.Partner.Code, Adapter: r.Adapter.Name,
				Link: "/partners/" + r.Partner.Code + "/adapters/" + strconv.FormatInt(r.Adapter.ID, 10), Failing: r.SamplesFailing, Total: r.Total, Examples: r.Examples})
		}
	}
	if res.Previous != nil && res.Verdict.Breaking() {
		vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
		if err != nil {
			return m, err
		}
		m.NextMajor = nextMajor(v, vs)
	}
	return m, nil
}

// publishPage shows the verdict and, when publishing is possible, the
// confirmation.
func (s *Server) publishPage(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	m, err := s.publishModel(c, a, v)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.Publish(m))
}

func (s *Server) publishVersion(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	_, err = s.d.Catalog.Publish(ctx(c), a.Slug, v.Version)
	var te *catalog.TransitionError
	if errors.As(err, &te) {
		m, merr := s.publishModel(c, a, v)
		if merr != nil {
			return merr
		}
		m.Refused, m.Failed, m.Reasons = true, true, te.Reasons
		return s.render(c, fiber.StatusUnprocessableEntity, pages.Publish(m))
	}
	if err != nil {
		return err
	}
	return c.Redirect(versionURL(a, v.Version)+"?flash=version-published", fiber.StatusSeeOther)
}

// ---- deprecate ----

func (s *Server) deprecateModel(c *fiber.Ctx, a catalog.API, v catalog.Version, vals pages.DeprecateValues) (pages.DeprecatePage, error) {
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return pages.DeprecatePage{}, err
	}
	now := time.Now().UTC()
	m := pages.DeprecatePage{Chrome: s.chrome(c, "Deprecate "+a.Name+" "+v.Version), API: apiRef(a), Version: v.Version, Lifecycle: string(v.Lifecycle),
		Values: vals, MinDate: now.AddDate(0, 0, 1).Format(time.DateOnly), NoticeOffsets: s.d.Config.NoticeOffsets}
	for _, x := range vs { // newest first
		if x.Lifecycle == catalog.Published && v.SemVer().Less(x.SemVer()) {
			m.Successors = append(m.Successors, x.Version)
		}
	}
	m.HeaderExample = []string{"Deprecation: @" + strconv.FormatInt(now.Unix(), 10)}
	if t, err := time.Parse(time.DateOnly, vals.SunsetAt); err == nil {
		m.HeaderExample = append(m.HeaderExample, "Sunset: "+t.UTC().Format(http.TimeFormat))
	}
	if vals.Successor != "" {
		m.HeaderExample = append(m.HeaderExample, `Link: <`+strings.TrimRight(s.d.Config.BaseURL, "/")+versionURL(a, vals.Successor)+`>; rel="successor-version"`)
	}
	return m, nil
}

func (s *Server) deprecatePage(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	// Default: the sunset after the longest notice period, the newest
	// published version as successor.
	lead := 90
	for _, d := range s.d.Config.NoticeOffsets {
		lead = max(lead, d)
	}
	vals := pages.DeprecateValues{SunsetAt: time.Now().UTC().AddDate(0, 0, lead).Format(time.DateOnly)}
	m, err := s.deprecateModel(c, a, v, vals)
	if err != nil {
		return err
	}
	if len(m.Successors) > 0 {
		m.Values.Successor = m.Successors[0]
		if m, err = s.deprecateModel(c, a, v, m.Values); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, pages.Deprecate(m))
}

func (s *Server) deprecateVersion(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	vals := pages.DeprecateValues{SunsetAt: formValue(c, "sunset_at"), Successor: formValue(c, "successor")}
	in := catalog.DeprecateInput{Successor: vals.Successor}
	fields := map[string]string{}
	if vals.SunsetAt != "" {
		t, perr := time.Parse(time.DateOnly, vals.SunsetAt)
		if perr != nil {
			fields["sunset_at"] = "Enter a date as YYYY-MM-DD."
		}
		in.SunsetAt = &t
	}
	if len(fields) == 0 {
		_, err = s.d.Catalog.Deprecate(ctx(c), a.Slug, v.Version, in)
		if err == nil {
			return c.Redirect("/catalog/apis/"+a.Slug+"?flash=version-deprecated", fiber.StatusSeeOther)
		}
		fields = catalogValidation(err)
	}
	var te *catalog.TransitionError
	if fields == nil && !errors.As(err, &te) {
		return err
	}
	m, merr := s.deprecateModel(c, a, v, vals)
	if merr != nil {
		return merr
	}
	m.Errors = fields
	if te != nil {
		m.Reasons = te.Reasons
	}
	return s.render(c, fiber.StatusUnprocessableEntity, pages.Deprecate(m))
}

// ---- retire ----

// retireVersion ends a deprecated version; the confirmation dialog on the
// page said what happens. A refused move is a 409 page with the reason.
func (s *Server) retireVersion(c *fiber.Ctx) error {
	a, v, err := s.d.Catalog.Version(ctx(c), param(c, "slug"), param(c, "version"))
	if err != nil {
		return err
	}
	if _, err := s.d.Catalog.Retire(ctx(c), a.Slug, v.Version); err != nil {
		return err
	}
	return c.Redirect("/catalog/apis/"+a.Slug+"?flash=version-retired", fiber.StatusSeeOther)
}

// ---- diff ----

func (s *Server) diffPage(c *fiber.Ctx) error {
	a, err := s.d.Catalog.API(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	vs, err := s.d.Catalog.Versions(ctx(c), a.ID)
	if err != nil {
		return err
	}
	m := pages.DiffPage{Chrome: s.chrome(c, "Compare versions of "+a.Name), API: apiRef(a), From: strings.Clone(c.Query("from")), To: strings.Clone(c.Query("to"))}
	state := map[string]string{}
	for _, v := range vs {
		m.Versions = append(m.Versions, v.Version)
		state[v.Version] = string(v.Lifecycle)
	}
	if len(vs) < 2 {
		m.Note = "An API needs two versions to compare; " + a.Name + " has " + strconv.Itoa(len(vs)) + "."
		return s.render(c, fiber.StatusOK, pages.Diff(m))
	}
	if _, ok := state[m.From]; !ok {
		m.From = vs[1].Version
	}
	if _, ok := state[m.To]; !ok {
		m.To = vs[0].Version
	}
	m.FromState, m.ToState = state[m.From], state[m.To]
	if m.From == m.To {
		m.Note = "Choose two different versions."
		return s.render(c, fiber.StatusOK, pages.Diff(m))
	}
	from, to, verdict, err := s.d.Catalog.Compare(ctx(c), a.Slug, m.From, m.To)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(from.Schema) == "":
		m.Note = m.From + " has no JSON Schema to compare."
	case strings.TrimSpace(to.Schema) == "":
		m.Note = m.To + " has no JSON Schema to compare."
	}
	m.Changes, m.Breaking = changeRows(verdict)
	rows := alignDiff(diffLines(prettyLines(from.Schema), prettyLines(to.Schema)))
	m.FromLines, m.ToLines = lineCounts(rows)
	m.Full = c.Query("full") == "1"
	if !m.Full {
		m.Context = diffContext
		rows, m.Folded = foldUnchanged(rows, diffContext)
	}
	m.Rows = rows
	return s.render(c, fiber.StatusOK, pages.Diff(m))
}

// diffContext is how many unchanged lines the folded diff keeps around
// each change.
const diffContext = 4

// lineCounts returns the number of lines on each side of an aligned diff.
func lineCounts(rows []pages.DiffPair) (left, right int) {
	for _, r := range rows {
		left, right = max(left, r.LeftNo), max(right, r.RightNo)
	}
	return left, right
}

// foldUnchanged replaces each run of unchanged rows farther than context
// rows from any change with one fold row (Fold = the rows it hides), so a
// one-line change in a long contract is not lost in it. Runs too short to
// be worth a fold stay. It returns the rows and the number folded away.
func foldUnchanged(rows []pages.DiffPair, context int) ([]pages.DiffPair, int) {
	keep := make([]bool, len(rows))
	for i, r := range rows {
		if r.Mark() == "" {
			continue
		}
		for k := max(0, i-context); k <= min(len(rows)-1, i+context); k++ {
			keep[k] = true
		}
	}
	out := make([]pages.DiffPair, 0, len(rows))
	folded := 0
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && !keep[j] {
			j++
		}
		if n := j - i; n > 2 {
			out = append(out, pages.DiffPair{LeftNo: rows[i].LeftNo, RightNo: rows[i].RightNo, Fold: n})
			folded += n
		} else {
			out = append(out, rows[i:j]...)
		}
		if j < len(rows) {
			out = append(out, rows[j])
		}
		i = j + 1
	}
	return out, folded
}

// alignDiff lines the two sides of a diff up row by row, as a side-by-side
// view shows them: an unchanged line beside itself, removed lines beside
// the added lines that replaced them, and a gap on the side that has
// fewer. Every line of both sides appears once, in order.
func alignDiff(left, right []pages.DiffLine) []pages.DiffPair {
	rows := make([]pages.DiffPair, 0, max(len(left), len(right)))
	i, j := 0, 0
	for i < len(left) || j < len(right) {
		di, dj := i, j
		for di < len(left) && left[di].Mark == "del" {
			di++
		}
		for dj < len(right) && right[dj].Mark == "add" {
			dj++
		}
		if di == i && dj == j {
			// Unchanged on both sides; when one side ran out (a diff too
			// long to mark), the other goes on alone.
			var r pages.DiffPair
			if i < len(left) {
				r.LeftNo, r.Left = i+1, left[i]
				i++
			}
			if j < len(right) {
				r.RightNo, r.Right = j+1, right[j]
				j++
			}
			rows = append(rows, r)
			continue
		}
		for k := range max(di-i, dj-j) {
			var r pages.DiffPair
			if i+k < di {
				r.LeftNo, r.Left = i+k+1, left[i+k]
			}
			if j+k < dj {
				r.RightNo, r.Right = j+k+1, right[j+k]
			}
			rows = append(rows, r)
		}
		i, j = di, dj
	}
	return rows
}
