package catalogcode

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/contract"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
)

// Service plans, applies and exports catalog documents. Every change goes
// through the catalog, partner and adapter services (same validation, same
// audit events), except policy sets and their attachments, which it writes
// itself with the same audit actions as the policy package.
type Service struct {
	db      *gorm.DB
	catalog *catalog.Service
	now     func() time.Time

	// The partner and adapter services are built at the first document
	// with partners (see initPartners).
	partnerOnce sync.Once
	partnerErr  error
	partners    *partner.Service
	adapters    *adapter.Service
	compiler    *mapping.Compiler
}

// NewService returns the service. cat must use the same database.
func NewService(db *gorm.DB, cat *catalog.Service) *Service {
	return &Service{db: db, catalog: cat, now: time.Now}
}

// SetClock replaces the clock used to judge sunset dates (and the clock of
// the partner and adapter services apply uses), for tests (set the catalog
// service's clock to the same).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Action is what applying an item does.
type Action string

// Actions.
const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Refused   Action = "refused"
)

// ItemKind is the kind of object an item is about.
type ItemKind string

// Item kinds, in the order a plan lists and applies them.
const (
	KindTeam       ItemKind = "team"
	KindSystem     ItemKind = "system"
	KindPolicy     ItemKind = "policy"
	KindAPI        ItemKind = "api"
	KindVersion    ItemKind = "version"
	KindAttachment ItemKind = "attachment"
	KindPartner    ItemKind = "partner"
	KindContact    ItemKind = "contact"
	KindOverride   ItemKind = "policy-override"
	KindAdapter    ItemKind = "adapter"
	KindSample     ItemKind = "sample"
)

// Item is one object of the document and what happens to it. Key is the
// slug, "policy@version", or "api@version" (versions and attachments); for
// partners the code, and "CODE/name" (contacts, adapters), "CODE/api@version"
// or "CODE/all versions" (policy overrides), "CODE/adapter/name" (samples).
type Item struct {
	Kind    ItemKind `json:"kind"`
	Key     string   `json:"key"`
	Action  Action   `json:"action"`
	Changes []string `json:"changes,omitempty"` // field names, for updates
	Reasons []string `json:"reasons,omitempty"` // why it is refused
	Notes   []string `json:"notes,omitempty"`   // lifecycle moves and other remarks
}

// Plan is the ordered list of items of a document.
type Plan struct {
	DryRun bool   `json:"dry_run"`
	Items  []Item `json:"items"`
	steps  []step
}

// step is one call that applying an item makes; an item may need several
// (save, publish, deprecate, retire), run in phases across items.
type step struct {
	phase int
	item  int
	does  string // "saved as a draft", for the note when a later step is refused
	run   func(ctx context.Context) error
}

// Phases of an apply: references exist before what refers to them, and
// every publish of an API happens before any deprecation (a successor
// must be published when its predecessor is deprecated).
const (
	phaseTeams = iota
	phaseSystems
	phasePolicies
	phaseAPIs
	phaseContent
	phasePublish
	phaseDeprecate
	phaseRetire
	phaseAttach
	phasePartners // partners, contacts, policy overrides
	phaseAdapters // clone, save the revision, activate
	phaseSamples
)

// Counts sums the items by action.
type Counts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
}

// Counts sums the items by action.
func (p Plan) Counts() Counts {
	var c Counts
	for _, it := range p.Items {
		switch it.Action {
		case Create:
			c.Create++
		case Update:
			c.Update++
		case Unchanged:
			c.Unchanged++
		case Refused:
			c.Refused++
		}
	}
	return c
}

// Summary is one line: "3 to create, 1 to update, 10 unchanged, 1 refused"
// for a dry run, "3 created, 1 updated, ..." once applied.
func (p Plan) Summary() string {
	c := p.Counts()
	if p.DryRun {
		return fmt.Sprintf("%d to create, %d to update, %d unchanged, %d refused", c.Create, c.Update, c.Unchanged, c.Refused)
	}
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d refused", c.Create, c.Update, c.Unchanged, c.Refused)
}

// slugRe and domainRe mirror the catalog's rules (and the schema's checks).
var (
	slugRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	domainRe = regexp.MustCompile(`^[a-z][a-z-]{0,31}$`)
)

var lifecycleOrder = []catalog.Lifecycle{catalog.Draft, catalog.Published, catalog.Deprecated, catalog.Retired}

func rank(l catalog.Lifecycle) int { return slices.Index(lifecycleOrder, l) }

// planner holds what planning one document needs.
type planner struct {
	ctx  context.Context
	s    *Service
	st   *state
	role auth.Role
	now  time.Time
	plan *Plan

	teamOK   map[string]bool // slug -> exists after the apply
	systemOK map[string]bool
	policyOK map[string]bool // name@version
	apis     map[string]apiTarget
	pp       partnerPlanner
}

// apiTarget is an API as versions see it after the API item.
type apiTarget struct {
	ok     bool // exists after the apply
	exists bool // exists now
	id     int64
	kind   string
}

func (p *planner) add(it Item) int {
	p.plan.Items = append(p.plan.Items, it)
	return len(p.plan.Items) - 1
}

func (p *planner) addStep(phase, item int, does string, run func(ctx context.Context) error) {
	p.plan.steps = append(p.plan.steps, step{phase: phase, item: item, does: does, run: run})
}

// Plan compares doc with the database and says what applying it would do.
// It writes nothing. Publishing is judged against the previous version of
// the major line as it will be at that point of the apply, with the same
// breaking-change verdicts as the console.
func (s *Service) Plan(ctx context.Context, doc Document) (Plan, error) {
	st, err := s.load(ctx)
	if err != nil {
		return Plan{}, err
	}
	p := &planner{ctx: ctx, s: s, st: st, role: auth.Role(audit.ActorFrom(ctx).Role), now: s.now(), plan: &Plan{DryRun: true, Items: []Item{}},
		teamOK: map[string]bool{}, systemOK: map[string]bool{}, policyOK: map[string]bool{}, apis: map[string]apiTarget{},
		pp: partnerPlanner{versionAfter: map[string]versionState{}, isaOwner: map[string]string{}}}
	for _, a := range st.apiList {
		for _, v := range st.versions[a.ID] {
			p.pp.versionAfter[st.versionKey[v.ID]] = versionState{lifecycle: v.Lifecycle, schema: v.Schema}
		}
	}
	for _, x := range st.partners {
		if x.ISAID != "" {
			p.pp.isaOwner[x.ISAQualifier+"/"+x.ISAID] = x.Code
		}
	}
	for slug := range st.teams {
		p.teamOK[slug] = true
	}
	for slug := range st.systems {
		p.systemOK[slug] = true
	}
	for key := range st.policies {
		p.policyOK[key] = true
	}
	for _, t := range doc.Teams {
		p.team(t)
	}
	for _, x := range doc.Systems {
		p.system(x)
	}
	for _, x := range doc.Policies {
		p.policy(x)
	}
	for _, a := range doc.APIs {
		p.api(a)
	}
	var attachments []func()
	for _, a := range doc.APIs {
		attachments = append(attachments, p.versions(a)...)
	}
	for _, f := range attachments {
		f()
	}
	if len(doc.Partners) > 0 {
		if err := s.initPartners(); err != nil {
			return Plan{}, err
		}
		for _, x := range doc.Partners {
			p.partner(x)
		}
	}
	return *p.plan, nil
}

// fieldDiff lists the names of fields whose values differ.
type fieldDiff []string

func (d *fieldDiff) cmp(name string, was, is any) {
	if fmt.Sprint(was) != fmt.Sprint(is) {
		*d = append(*d, name)
	}
}

func reasonsOf(fields map[string]string) []string {
	out := make([]string, 0, len(fields))
	for k, v := range fields {
		out = append(out, k+": "+v)
	}
	sort.Strings(out)
	return out
}

// ---- teams, systems, policies, APIs ----

func (p *planner) team(t Team) {
	in := catalog.TeamInput{Slug: t.Slug, Name: strings.TrimSpace(t.Name), Description: t.Description, ContactEmail: strings.TrimSpace(t.ContactEmail), ContactChat: t.ContactChat}
	it := Item{Kind: KindTeam, Key: t.Slug}
	fields := map[string]string{}
	if !slugRe.MatchString(in.Slug) {
		fields["slug"] = "use lowercase letters, digits and dashes, for example order-platform"
	}
	if in.Name == "" {
		fields["name"] = "give the team a name"
	}
	if in.ContactEmail != "" {
		if _, err := mail.ParseAddress(in.ContactEmail); err != nil {
			fields["contactEmail"] = "enter an email address such as team@example.com"
		}
	}
	cur, exists := p.st.teams[in.Slug]
	switch {
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		var d fieldDiff
		d.cmp("name", cur.Name, in.Name)
		d.cmp("description", cur.Description, in.Description)
		d.cmp("contactEmail", cur.ContactEmail, in.ContactEmail)
		d.cmp("contactChat", cur.ContactChat, in.ContactChat)
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Update
		}
	default:
		it.Action = Create
	}
	i := p.add(it)
	if it.Action == Create || it.Action == Update {
		update := it.Action == Update
		p.addStep(phaseTeams, i, "", func(ctx context.Context) error { _, err := p.s.catalog.SaveTeam(ctx, in, update); return err })
	}
	p.teamOK[in.Slug] = exists || it.Action == Create
}

// ref checks a reference to a team or system by slug.
func ref(fields map[string]string, field, what, slug string, ok map[string]bool) {
	if slug != "" && !ok[slug] {
		fields[field] = fmt.Sprintf("there is no %s %q in the catalog or in this document (or its item is refused)", what, slug)
	}
}

func (p *planner) system(x System) {
	in := catalog.SystemInput{Slug: x.Slug, Name: strings.TrimSpace(x.Name), Kind: x.Kind, Description: x.Description, OwnerTeam: x.OwnerTeam}
	it := Item{Kind: KindSystem, Key: x.Slug}
	fields := map[string]string{}
	if !slugRe.MatchString(in.Slug) {
		fields["slug"] = "use lowercase letters, digits and dashes, for example sap-s4"
	}
	if in.Name == "" {
		fields["name"] = "give the system a name"
	}
	if !slices.Contains(catalog.SystemKinds(), in.Kind) {
		fields["kind"] = "choose one of " + strings.Join(catalog.SystemKinds(), ", ")
	}
	ref(fields, "ownerTeam", "team", in.OwnerTeam, p.teamOK)
	cur, exists := p.st.systems[in.Slug]
	switch {
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		var d fieldDiff
		d.cmp("name", cur.Name, in.Name)
		d.cmp("kind", cur.Kind, in.Kind)
		d.cmp("ownerTeam", p.teamSlugOf(cur.OwnerTeamID), in.OwnerTeam)
		d.cmp("description", cur.Description, in.Description)
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Update
		}
	default:
		it.Action = Create
	}
	i := p.add(it)
	if it.Action == Create || it.Action == Update {
		update := it.Action == Update
		p.addStep(phaseSystems, i, "", func(ctx context.Context) error { _, err := p.s.catalog.SaveSystem(ctx, in, update); return err })
	}
	p.systemOK[in.Slug] = exists || it.Action == Create
}

func (p *planner) teamSlugOf(id *int64) string {
	if id == nil {
		return ""
	}
	return p.st.teamSlug[*id]
}

func (p *planner) policy(x Policy) {
	it := Item{Kind: KindPolicy, Key: x.Key()}
	fields := map[string]string{}
	if !slugRe.MatchString(x.Name) {
		fields["name"] = "use lowercase letters, digits and dashes, for example standard-auth"
	}
	if x.Version < 1 {
		fields["version"] = "policy versions are numbered from 1"
	}
	settings := "{}"
	if len(x.Settings) > 0 && string(x.Settings) != "null" {
		c, err := canonicalJSON(x.Settings)
		switch {
		case err != nil:
			fields["settings"] = "not valid JSON: " + err.Error()
		case !strings.HasPrefix(c, "{"):
			fields["settings"] = "the settings must be an object"
		default:
			settings = c
		}
	}
	description := strings.TrimSpace(x.Description)
	cur, exists := p.st.policies[x.Key()]
	switch {
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		var d fieldDiff
		d.cmp("description", cur.Description, description)
		d.cmp("settings", cur.Settings, settings)
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Refused
			it.Reasons = []string{fmt.Sprintf("policy versions are immutable: declare the change as %s version %d", x.Name, p.nextPolicyVersion(x.Name))}
		}
	default:
		it.Action = Create
	}
	i := p.add(it)
	if it.Action == Create {
		p.addStep(phasePolicies, i, "", func(ctx context.Context) error { return p.s.createPolicy(ctx, x, settings) })
		p.policyOK[x.Key()] = true
	}
}

func (p *planner) nextPolicyVersion(name string) int {
	n := 0
	for _, r := range p.st.policyList {
		if r.Name == name && r.Version > n {
			n = r.Version
		}
	}
	return n + 1
}

// normalizeTags is the catalog's: lowercase, trimmed, unique, sorted.
func normalizeTags(in []string) []string {
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

func (p *planner) api(a API) {
	in := catalog.APIInput{Slug: a.Slug, Name: strings.TrimSpace(a.Name), Kind: a.Kind, Domain: a.Domain, OwnerTeam: a.OwnerTeam, System: a.System, Description: a.Description, Tags: normalizeTags(a.Tags)}
	it := Item{Kind: KindAPI, Key: a.Slug}
	fields := map[string]string{}
	if !slugRe.MatchString(in.Slug) {
		fields["slug"] = "use lowercase letters, digits and dashes, for example order-intake"
	}
	if in.Name == "" {
		fields["name"] = "give the API a name"
	}
	if !slices.Contains(catalog.APIKinds(), in.Kind) {
		fields["kind"] = "choose system, process, experience or event"
	}
	if !domainRe.MatchString(in.Domain) {
		fields["domain"] = "choose a business domain such as order or inventory"
	}
	ref(fields, "ownerTeam", "team", in.OwnerTeam, p.teamOK)
	ref(fields, "system", "system", in.System, p.systemOK)
	for _, t := range in.Tags {
		if len(t) > 40 {
			fields["tags"] = "tags are at most 40 characters"
		}
	}
	cur, exists := p.st.apis[in.Slug]
	switch {
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		var d fieldDiff
		d.cmp("name", cur.Name, in.Name)
		d.cmp("kind", cur.Kind, in.Kind)
		d.cmp("domain", cur.Domain, in.Domain)
		d.cmp("ownerTeam", p.teamSlugOf(cur.OwnerTeamID), in.OwnerTeam)
		system := ""
		if cur.SystemID != nil {
			system = p.st.systemSlug[*cur.SystemID]
		}
		d.cmp("system", system, in.System)
		d.cmp("description", cur.Description, in.Description)
		d.cmp("tags", strings.Join(normalizeTags(cur.Tags), "\x00"), strings.Join(in.Tags, "\x00"))
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Update
		}
	default:
		it.Action = Create
	}
	i := p.add(it)
	if it.Action == Create || it.Action == Update {
		update := it.Action == Update
		p.addStep(phaseAPIs, i, "", func(ctx context.Context) error { _, err := p.s.catalog.SaveAPI(ctx, in, update); return err })
	}
	t := apiTarget{exists: exists, ok: exists || it.Action == Create, id: cur.ID, kind: cur.Kind}
	if it.Action == Create || it.Action == Update || it.Action == Unchanged {
		t.kind = in.Kind
	}
	p.apis[in.Slug] = t
}

// ---- versions ----

// vplan is one version of the document being planned.
type vplan struct {
	item      int
	doc       Version
	key       string
	sv        catalog.SemVer
	cur       *catalog.Version
	in        catalog.VersionInput
	from, to  catalog.Lifecycle
	changed   []string
	sunset    *time.Time
	successor string
	refused   bool
	reasons   []string
	notes     []string
}

func (v *vplan) refuse(reasons ...string) {
	v.refused = true
	v.reasons = append(v.reasons, reasons...)
}

func (v *vplan) moves(to catalog.Lifecycle) bool {
	return rank(v.from) < rank(to) && rank(to) <= rank(v.to)
}

// simVersion is a version as the apply will have left it at some phase.
type simVersion struct {
	sv        catalog.SemVer
	lifecycle catalog.Lifecycle
	schema    string
}

// versions plans the versions of one API and returns the planning of their
// attachments, to run after every version is planned.
func (p *planner) versions(a API) []func() {
	target := p.apis[a.Slug]
	var current map[string]catalog.Version
	if target.exists {
		current = p.st.versions[target.id]
	}
	var vps []*vplan
	for _, dv := range a.Versions {
		vp := &vplan{doc: dv, key: a.Slug + "@" + dv.Version}
		sv, err := catalog.ParseSemVer(dv.Version)
		if err != nil {
			vp.refuse("version: use MAJOR.MINOR.PATCH, for example 1.4.0")
		} else {
			vp.sv, vp.key = sv, a.Slug+"@"+sv.String()
		}
		if !target.ok {
			vp.refuse(fmt.Sprintf("API %s is not in the catalog (its item is refused)", a.Slug))
		}
		vps = append(vps, vp)
	}
	// Ascending semantic versions: publishing compares with lower versions.
	sort.SliceStable(vps, func(i, j int) bool { return vps[i].sv.Less(vps[j].sv) })
	for _, vp := range vps {
		if !vp.refused {
			if c, ok := current[vp.sv.String()]; ok {
				vp.cur = &c
			}
			p.checkVersion(vp, target.kind)
		}
	}
	p.simulate(a.Slug, vps, current)
	var attachments []func()
	for _, vp := range vps {
		it := Item{Kind: KindVersion, Key: vp.key, Notes: vp.notes}
		switch {
		case vp.refused:
			it.Action, it.Reasons = Refused, vp.reasons
		case vp.cur == nil:
			it.Action = Create
		case len(vp.changed) > 0 || vp.from != vp.to:
			it.Action, it.Changes = Update, vp.changed
			if vp.from != vp.to {
				it.Changes = append(it.Changes, "lifecycle")
			}
		default:
			it.Action = Unchanged
		}
		if !vp.refused && vp.from != vp.to {
			it.Notes = append([]string{fmt.Sprintf("lifecycle: %s → %s", vp.from, vp.to)}, it.Notes...)
		}
		vp.item = p.add(it)
		if !vp.refused {
			p.versionSteps(a.Slug, vp)
			schema := vp.in.Schema
			if vp.cur != nil && vp.cur.Lifecycle != catalog.Draft {
				schema = vp.cur.Schema
			}
			p.pp.versionAfter[vp.key] = versionState{lifecycle: vp.to, schema: schema}
		}
		attachments = append(attachments, func() { p.attachments(a.Slug, vp) })
	}
	return attachments
}

// checkVersion judges one version on its own: contract documents,
// lifecycle move, immutability, dates and permissions.
func (p *planner) checkVersion(vp *vplan, apiKind string) {
	d := vp.doc
	vp.to = catalog.Lifecycle(d.Lifecycle)
	if vp.to == "" {
		vp.to = catalog.Draft
	}
	if rank(vp.to) < 0 {
		vp.refuse(fmt.Sprintf("lifecycle: %q is not a lifecycle state; use draft, published, deprecated or retired", d.Lifecycle))
		return
	}
	vp.from = catalog.Draft
	if vp.cur != nil {
		vp.from = vp.cur.Lifecycle
	}
	vp.in = catalog.VersionInput{Version: vp.sv.String(), Changelog: d.Changelog}
	var err error
	if vp.in.Schema, err = documentText(d.Schema, true); err != nil {
		vp.refuse("schema: not valid JSON: " + err.Error())
	} else if vp.in.Schema != "" {
		if _, err := catalog.CompileSchema(vp.in.Schema); err != nil {
			vp.refuse("schema: the JSON Schema does not compile: " + err.Error())
		}
	}
	if vp.in.OpenAPI, err = documentText(d.OpenAPI, false); err != nil {
		vp.refuse("openapi: " + err.Error())
	} else if vp.in.OpenAPI != "" {
		if err := catalog.ValidateOpenAPI(p.ctx, vp.in.OpenAPI); err != nil {
			vp.refuse("openapi: the OpenAPI document is not valid: " + err.Error())
		}
	}
	if vp.in.AsyncAPI, err = documentText(d.AsyncAPI, false); err != nil {
		vp.refuse("asyncapi: " + err.Error())
	} else if vp.in.AsyncAPI != "" {
		if apiKind != "event" {
			vp.refuse("asyncapi: AsyncAPI documents belong to event APIs")
		} else if err := catalog.ValidateAsyncAPI(vp.in.AsyncAPI); err != nil {
			vp.refuse("asyncapi: the AsyncAPI document is not valid: " + err.Error())
		}
	}
	if c := vp.cur; c != nil {
		if !sameJSON(c.Schema, vp.in.Schema) {
			vp.changed = append(vp.changed, "schema")
		}
		if c.OpenAPI != vp.in.OpenAPI {
			vp.changed = append(vp.changed, "openapi")
		}
		if c.AsyncAPI != vp.in.AsyncAPI {
			vp.changed = append(vp.changed, "asyncapi")
		}
		if c.Changelog != vp.in.Changelog {
			vp.changed = append(vp.changed, "changelog")
		}
		if c.Lifecycle != catalog.Draft && len(vp.changed) > 0 {
			vp.refuse(catalog.ErrImmutable.Error()+" (changed: "+strings.Join(vp.changed, ", ")+")", "it is "+string(c.Lifecycle)+"; publish the change as a new version")
		}
	}
	if rank(vp.to) < rank(vp.from) {
		vp.refuse(fmt.Sprintf("lifecycle: a %s version cannot become %s; the lifecycle is draft → published → deprecated → retired", vp.from, vp.to))
		return
	}
	for i := rank(vp.from) + 1; i <= rank(vp.to); i++ {
		perm, _ := catalog.TransitionPermission(lifecycleOrder[i-1], lifecycleOrder[i])
		if !p.role.Can(perm) {
			vp.refuse(fmt.Sprintf("your role (%s) does not allow %s", p.role.Label(), perm))
		}
	}
	p.checkDates(vp)
}

// checkDates judges sunsetAt and successor, which are set when a version
// is deprecated and fixed from then on.
func (p *planner) checkDates(vp *vplan) {
	d := vp.doc
	if d.SunsetAt != "" {
		t, err := time.Parse(time.RFC3339Nano, d.SunsetAt)
		if err != nil {
			t, err = time.Parse(time.DateOnly, d.SunsetAt)
		}
		if err != nil {
			vp.refuse("sunsetAt: use an RFC 3339 time such as 2027-01-15T00:00:00Z")
			return
		}
		t = t.UTC().Truncate(time.Microsecond)
		vp.sunset = &t
	}
	vp.successor = d.Successor
	if d.Successor != "" {
		sv, err := catalog.ParseSemVer(d.Successor)
		if err != nil {
			vp.refuse("successor: use the successor's version, MAJOR.MINOR.PATCH")
			return
		}
		vp.successor = sv.String()
	}
	switch vp.to {
	case catalog.Draft, catalog.Published:
		if vp.sunset != nil || vp.successor != "" {
			vp.refuse(fmt.Sprintf("sunsetAt and successor are set when a version is deprecated; this version is %s", vp.to))
		}
		return
	case catalog.Retired:
		if vp.sunset != nil {
			vp.notes = append(vp.notes, "sunsetAt is not applied to a retired version: its sunset is the day it retired")
			vp.sunset = nil
		}
	}
	if rank(vp.from) >= rank(catalog.Deprecated) {
		// Already deprecated: the dates were announced and stay.
		var fixed []string
		if vp.to == catalog.Deprecated && !sameTime(vp.cur.SunsetAt, vp.sunset) {
			fixed = append(fixed, "sunsetAt (stored: "+formatTime(vp.cur.SunsetAt)+")")
		}
		stored := ""
		if vp.cur.SuccessorVersionID != nil {
			stored = p.st.versionStr[*vp.cur.SuccessorVersionID]
		}
		if stored != vp.successor {
			fixed = append(fixed, "successor (stored: "+orNone(stored)+")")
		}
		if len(fixed) > 0 {
			vp.refuse("the sunset date and successor of a deprecated version are fixed when it is deprecated; apply cannot change " + strings.Join(fixed, " or "))
		}
		return
	}
	if vp.to == catalog.Deprecated && vp.sunset != nil && !vp.sunset.After(p.now) {
		vp.refuse("sunsetAt: the sunset date must be in the future")
	}
	if vp.successor != "" {
		if sv, _ := catalog.ParseSemVer(vp.successor); !vp.sv.Less(sv) {
			vp.refuse("successor: the successor must be a newer version")
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.UTC().Truncate(time.Microsecond).Equal(b.UTC().Truncate(time.Microsecond))
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// sameJSON compares two stored documents by their canonical JSON, or as
// text when either is not JSON.
func sameJSON(a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := canonicalJSON([]byte(a))
	cb, errB := canonicalJSON([]byte(b))
	if errA != nil || errB != nil {
		return false
	}
	return ca == cb
}

// simulate walks the versions of one API through the publish and
// deprecate phases in ascending order, refusing what the catalog would
// refuse: a publish with breaking changes against the previous version of
// its major line, a successor that is not published at that point.
func (p *planner) simulate(apiSlug string, vps []*vplan, current map[string]catalog.Version) {
	sim := map[string]*simVersion{}
	for _, c := range current {
		sim[c.Version] = &simVersion{sv: c.SemVer(), lifecycle: c.Lifecycle, schema: c.Schema}
	}
	// Publish phase.
	for _, vp := range vps {
		if vp.refused {
			continue
		}
		schema := vp.in.Schema
		if vp.cur != nil && vp.cur.Lifecycle != catalog.Draft {
			schema = vp.cur.Schema
		}
		state := &simVersion{sv: vp.sv, lifecycle: vp.from, schema: schema}
		if vp.moves(catalog.Published) {
			if reasons := p.publishVerdict(vp, sim); len(reasons) > 0 {
				vp.refuse(reasons...)
				continue
			}
			state.lifecycle = catalog.Published
		}
		sim[vp.sv.String()] = state
	}
	// Deprecate phase: a successor must be published when its predecessor
	// is deprecated; later versions have not been deprecated yet.
	for _, vp := range vps {
		if vp.refused || !vp.moves(catalog.Deprecated) {
			continue
		}
		if vp.successor != "" {
			succ, ok := sim[vp.successor]
			switch {
			case !ok:
				vp.refuse(fmt.Sprintf("successor: %s has no version %s", apiSlug, vp.successor))
				continue
			case succ.lifecycle != catalog.Published:
				vp.refuse(fmt.Sprintf("successor: %s must be published when %s is deprecated; it will be %s", vp.successor, vp.sv, succ.lifecycle))
				continue
			}
		}
		sim[vp.sv.String()].lifecycle = catalog.Deprecated
	}
}

// publishVerdict mirrors catalog.Publish: a contract is required, and it
// must be compatible with the latest live version below it in its major
// line.
func (p *planner) publishVerdict(vp *vplan, sim map[string]*simVersion) []string {
	if strings.TrimSpace(vp.in.Schema) == "" {
		return []string{"the version has no JSON Schema contract"}
	}
	var prev *simVersion
	for _, s := range sim {
		if s.sv.Major == vp.sv.Major && s.sv.Less(vp.sv) && s.lifecycle.Live() && (prev == nil || prev.sv.Less(s.sv)) {
			prev = s
		}
	}
	if prev == nil || prev.schema == "" {
		return nil
	}
	verdict, err := contract.Compare([]byte(prev.schema), []byte(vp.in.Schema))
	if err != nil {
		return []string{fmt.Sprintf("cannot compare the contract with %s: %v", prev.sv, err)}
	}
	if !verdict.Breaking() {
		return nil
	}
	var reasons []string
	for _, c := range verdict.BreakingChanges() {
		reasons = append(reasons, c.Message)
	}
	return append(reasons, fmt.Sprintf("%s has breaking changes against %s; publish them as %d.0.0", vp.sv, prev.sv, vp.sv.Major+1))
}

// versionSteps queues the catalog calls that make one version true.
func (p *planner) versionSteps(apiSlug string, vp *vplan) {
	cat, version, in := p.s.catalog, vp.sv.String(), vp.in
	switch {
	case vp.cur == nil:
		p.addStep(phaseContent, vp.item, "saved as a draft", func(ctx context.Context) error {
			_, err := cat.SaveVersion(ctx, apiSlug, in, false)
			return err
		})
	case len(vp.changed) > 0:
		p.addStep(phaseContent, vp.item, "draft updated", func(ctx context.Context) error {
			_, err := cat.SaveVersion(ctx, apiSlug, in, true)
			return err
		})
	}
	if vp.moves(catalog.Published) {
		p.addStep(phasePublish, vp.item, "published", func(ctx context.Context) error {
			_, err := cat.Publish(ctx, apiSlug, version)
			return err
		})
	}
	if vp.moves(catalog.Deprecated) {
		dep := catalog.DeprecateInput{Successor: vp.successor}
		if vp.to == catalog.Deprecated {
			dep.SunsetAt = vp.sunset
		}
		p.addStep(phaseDeprecate, vp.item, "deprecated", func(ctx context.Context) error {
			_, err := cat.Deprecate(ctx, apiSlug, version, dep)
			return err
		})
	}
	if vp.moves(catalog.Retired) {
		p.addStep(phaseRetire, vp.item, "retired", func(ctx context.Context) error {
			_, err := cat.Retire(ctx, apiSlug, version)
			return err
		})
	}
}

// ---- attachments ----

// policyRef is "name@version" in a version's policies list.
type policyRef struct {
	name    string
	version int
}

func (r policyRef) String() string { return r.name + "@" + strconv.Itoa(r.version) }

func parsePolicyRef(s string) (policyRef, bool) {
	name, v, ok := strings.Cut(strings.TrimSpace(s), "@")
	n, err := strconv.Atoi(v)
	if !ok || err != nil || n < 1 || !slugRe.MatchString(name) {
		return policyRef{}, false
	}
	return policyRef{name: name, version: n}, true
}

// attachments plans the policy list of one version: the list in the file
// is the complete list, in precedence order.
func (p *planner) attachments(apiSlug string, vp *vplan) {
	var current []string
	if vp.cur != nil {
		for _, r := range p.st.attached[vp.cur.ID] {
			current = append(current, r.key())
		}
	}
	if len(vp.doc.Policies) == 0 && len(current) == 0 {
		return
	}
	it := Item{Kind: KindAttachment, Key: vp.key}
	var refs []policyRef
	var want []string
	names := map[string]bool{}
	for _, s := range vp.doc.Policies {
		r, ok := parsePolicyRef(s)
		switch {
		case !ok:
			it.Reasons = append(it.Reasons, fmt.Sprintf("policies: %q is not a policy reference; write name@version, for example standard-auth@1", s))
			continue
		case names[r.name]:
			it.Reasons = append(it.Reasons, fmt.Sprintf("policies: attach one version of %s", r.name))
		case !p.policyOK[r.String()]:
			it.Reasons = append(it.Reasons, fmt.Sprintf("policies: there is no policy %s in the catalog or in this document (or its item is refused)", r))
		}
		names[r.name] = true
		refs = append(refs, r)
		want = append(want, r.String())
	}
	if vp.cur == nil && p.plan.Items[vp.item].Action == Refused {
		it.Reasons = append(it.Reasons, fmt.Sprintf("version %s is not in the catalog (its item is refused)", vp.key))
	}
	switch {
	case len(it.Reasons) > 0:
		it.Action = Refused
	case slices.Equal(current, want):
		it.Action = Unchanged
	case len(current) == 0:
		it.Action = Create
	default:
		it.Action, it.Changes = Update, []string{"policies"}
	}
	if it.Action == Create || it.Action == Update {
		it.Notes = []string{"policies: " + orNone(strings.Join(want, ", "))}
	}
	i := p.add(it)
	if it.Action == Create || it.Action == Update {
		version := vp.sv.String()
		p.addStep(phaseAttach, i, "", func(ctx context.Context) error { return p.s.setAttachments(ctx, apiSlug, version, refs) })
	}
}
