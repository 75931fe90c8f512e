package catalogcode

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
)

// partnerState is the partner register as a document describes it. API
// keys (and their hashes), go-live requests and conformance runs are not
// read: they are never part of a document.
type partnerState struct {
	partners  map[string]partner.Partner // by code
	contacts  map[int64][]partner.Contact
	overrides map[int64][]partner.PolicyOverride // by partner id
	adapters  map[int64][]adapter.Adapter        // by partner id
	revisions map[int64][]adapter.Revision       // by adapter id, newest first
	samples   map[int64][]adapter.Sample         // by adapter id
}

// loadPartners reads partners, contacts, policy overrides, adapters, their
// revisions and samples, inside load's transaction.
func (st *state) loadPartners(tx *gorm.DB) error {
	st.partnerState = partnerState{partners: map[string]partner.Partner{}, contacts: map[int64][]partner.Contact{},
		overrides: map[int64][]partner.PolicyOverride{}, adapters: map[int64][]adapter.Adapter{},
		revisions: map[int64][]adapter.Revision{}, samples: map[int64][]adapter.Sample{}}
	var partners []partner.Partner
	if err := tx.Order("code").Find(&partners).Error; err != nil {
		return fmt.Errorf("partners: %w", err)
	}
	for _, x := range partners {
		st.partners[x.Code] = x
	}
	var contacts []partner.Contact
	if err := tx.Order("partner_id, id").Find(&contacts).Error; err != nil {
		return fmt.Errorf("partner contacts: %w", err)
	}
	for _, c := range contacts {
		st.contacts[c.PartnerID] = append(st.contacts[c.PartnerID], c)
	}
	var overrides []partner.PolicyOverride
	if err := tx.Order("partner_id, id").Find(&overrides).Error; err != nil {
		return fmt.Errorf("partner policy overrides: %w", err)
	}
	for _, o := range overrides {
		st.overrides[o.PartnerID] = append(st.overrides[o.PartnerID], o)
	}
	var adapters []adapter.Adapter
	if err := tx.Order("partner_id, name").Find(&adapters).Error; err != nil {
		return fmt.Errorf("adapters: %w", err)
	}
	for _, a := range adapters {
		st.adapters[a.PartnerID] = append(st.adapters[a.PartnerID], a)
	}
	var revisions []adapter.Revision
	if err := tx.Order("adapter_id, number DESC").Find(&revisions).Error; err != nil {
		return fmt.Errorf("adapter revisions: %w", err)
	}
	for _, r := range revisions {
		st.revisions[r.AdapterID] = append(st.revisions[r.AdapterID], r)
	}
	var samples []adapter.Sample
	if err := tx.Order("adapter_id, name").Find(&samples).Error; err != nil {
		return fmt.Errorf("adapter samples: %w", err)
	}
	for _, sm := range samples {
		st.samples[sm.AdapterID] = append(st.samples[sm.AdapterID], sm)
	}
	return nil
}

// initPartners builds the partner and adapter services apply goes
// through, once, and only for documents that have partners.
func (s *Service) initPartners() error {
	s.partnerOnce.Do(func() {
		compiler, err := mapping.NewCompiler()
		if err != nil {
			s.partnerErr = fmt.Errorf("catalogcode: %w", err)
			return
		}
		clock := func() time.Time { return s.now() }
		s.compiler = compiler
		s.adapters = adapter.NewService(s.db, s.catalog, compiler, nil, adapter.WithClock(clock))
		s.partners = partner.NewService(s.db, s.adapters)
		s.partners.SetClock(clock)
	})
	return s.partnerErr
}

func partnerCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

func overrideScope(api string) string {
	if api = strings.TrimSpace(api); api != "" {
		return api
	}
	return "all versions"
}

// parseVersionRef reads "slug@version" into its normalized form.
func parseVersionRef(s string) (string, bool) {
	slug, v, ok := strings.Cut(strings.TrimSpace(s), "@")
	if !ok || !slugRe.MatchString(slug) {
		return "", false
	}
	sv, err := catalog.ParseSemVer(v)
	if err != nil {
		return "", false
	}
	return slug + "@" + sv.String(), true
}

// versionState is an API version as partners see it once the catalog part
// of the document is applied.
type versionState struct {
	lifecycle catalog.Lifecycle
	schema    string
}

// partnerPlanner is what planning the partners of one document keeps.
type partnerPlanner struct {
	versionAfter map[string]versionState // "slug@version"
	isaOwner     map[string]string       // "qualifier/id" -> partner code
}

// mayManagePartners refuses a change to a partner when the role may not
// manage partners.
func (p *planner) mayManagePartners(it *Item) {
	if (it.Action == Create || it.Action == Update) && !p.role.Can(auth.PermPartnersManage) {
		it.Action, it.Changes = Refused, nil
		it.Reasons = []string{fmt.Sprintf("your role (%s) does not allow %s", p.role.Label(), auth.PermPartnersManage)}
	}
}

// partnerMissing is the reason for refusing what belongs to a partner
// that will not exist.
func partnerMissing(code string) string {
	return fmt.Sprintf("partner %s is not in the catalog (its item is refused)", code)
}

// ---- partners ----

// partnerInput is the document's partner as the partner package stores it
// (normalized by partner.Check: trimmed, upper-case code and qualifier,
// separators stripped from GLN and DUNS).
func partnerInput(x Partner) partner.Input {
	in := partner.Input{Code: partnerCode(x.Code), Name: x.Name, GSAppCode: x.GSAppCode, GLN: x.GLN, DUNS: x.DUNS, Notes: x.Notes}
	if x.ISA != nil {
		in.ISAQualifier, in.ISAID = x.ISA.Qualifier, x.ISA.ID
	}
	in, _ = partner.Check(in)
	return in
}

// validatePartner applies the partner form's own rules (partner.Check) and
// names the fields as the document does.
func validatePartner(in partner.Input) map[string]string {
	_, fields := partner.Check(in)
	names := map[string]string{"isa_qualifier": "isa.qualifier", "isa_id": "isa.id", "gs_app_code": "gsAppCode"}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}

// partner plans a partner's own item, then its contacts, policy overrides
// and adapters (with their samples).
func (p *planner) partner(x Partner) {
	in := partnerInput(x)
	it := Item{Kind: KindPartner, Key: in.Code}
	fields := validatePartner(in)
	isa := in.ISAQualifier + "/" + in.ISAID
	if in.ISAID != "" && len(fields) == 0 {
		if owner, ok := p.pp.isaOwner[isa]; ok && owner != in.Code {
			fields["isa"] = fmt.Sprintf("partner %s uses ISA %s/%s already; interchanges must identify one partner", owner, in.ISAQualifier, in.ISAID)
		}
	}
	cur, exists := p.st.partners[in.Code]
	switch {
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		var d fieldDiff
		d.cmp("name", cur.Name, in.Name)
		d.cmp("isa", cur.ISAQualifier+"/"+cur.ISAID, isa)
		d.cmp("gsAppCode", cur.GSAppCode, in.GSAppCode)
		d.cmp("gln", cur.GLN, in.GLN)
		d.cmp("duns", cur.DUNS, in.DUNS)
		d.cmp("notes", cur.Notes, in.Notes)
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Update
		}
	default:
		it.Action = Create
	}
	if status := strings.TrimSpace(x.Status); status != "" && it.Action != Refused {
		now := partner.StatusDraft
		if exists {
			now = cur.Status
		}
		if partner.Status(strings.ToLower(status)) != now {
			it.Notes = append(it.Notes, fmt.Sprintf("status is not applied from a file (the file says %s, the partner is %s): onboarding moves need the checklist and a four-eyes go-live approval in the console", status, now))
		}
	}
	p.mayManagePartners(&it)
	i := p.add(it)
	ps := p.s.partners
	switch it.Action {
	case Create:
		p.addStep(phasePartners, i, "created", func(ctx context.Context) error { _, err := ps.Create(ctx, in); return err })
	case Update:
		id := cur.ID
		p.addStep(phasePartners, i, "updated", func(ctx context.Context) error { _, err := ps.Update(ctx, id, in); return err })
	}
	if it.Action == Create || it.Action == Update {
		if exists && cur.ISAID != "" && p.pp.isaOwner[cur.ISAQualifier+"/"+cur.ISAID] == in.Code {
			delete(p.pp.isaOwner, cur.ISAQualifier+"/"+cur.ISAID)
		}
		if in.ISAID != "" {
			p.pp.isaOwner[isa] = in.Code
		}
	}
	ok := exists || it.Action == Create
	var curp *partner.Partner
	if exists {
		curp = &cur
	}
	p.contacts(in.Code, ok, curp, x.Contacts)
	p.overrides(in.Code, ok, curp, x.PolicyOverrides)
	for _, a := range x.Adapters {
		p.adapter(in.Code, ok, curp, a)
	}
}

// ---- contacts ----

func contactInput(c Contact) partner.ContactInput {
	return partner.ContactInput{Name: strings.TrimSpace(c.Name), Email: strings.TrimSpace(c.Email), Phone: strings.TrimSpace(c.Phone),
		Role: partner.ContactRole(strings.ToLower(strings.TrimSpace(c.Role)))}
}

func validateContact(in partner.ContactInput) map[string]string {
	f := map[string]string{}
	switch {
	case in.Name == "":
		f["name"] = "give the contact's name"
	case utf8.RuneCountInString(in.Name) > partner.MaxContactLen:
		f["name"] = fmt.Sprintf("keep the name under %d characters", partner.MaxContactLen)
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > partner.MaxContactLen {
			f["email"] = "enter an email address such as edi@partner.example"
		}
	}
	if len(in.Phone) > 40 {
		f["phone"] = "keep the phone number under 40 characters"
	}
	if in.Email == "" && in.Phone == "" {
		f["email"] = "give an email address or a phone number, so the contact can be reached"
	}
	if !slices.Contains(partner.ContactRoles(), in.Role) {
		f["role"] = "use business, technical or escalation"
	}
	return f
}

// contacts plans a partner's contacts. A contact of the file is the
// stored contact with the same name, role, email and phone; else it
// replaces the stored contact with the same name and role (contacts are
// not edited in place: the old one is removed, the new one added); else
// it is added. Stored contacts the file does not name are left alone.
func (p *planner) contacts(code string, ok bool, cur *partner.Partner, list []Contact) {
	var stored []partner.Contact
	if cur != nil {
		stored = p.st.contacts[cur.ID]
	}
	used := make([]bool, len(stored))
	ins := make([]partner.ContactInput, len(list))
	same, replaces := make([]int, len(list)), make([]int, len(list))
	for i, c := range list {
		ins[i], same[i], replaces[i] = contactInput(c), -1, -1
		for j, sc := range stored {
			if !used[j] && sc.Name == ins[i].Name && sc.Role == ins[i].Role && sc.Email == ins[i].Email && sc.Phone == ins[i].Phone {
				used[j], same[i] = true, j
				break
			}
		}
	}
	for i := range list {
		if same[i] >= 0 {
			continue
		}
		for j, sc := range stored {
			if !used[j] && strings.EqualFold(sc.Name, ins[i].Name) && sc.Role == ins[i].Role {
				used[j], replaces[i] = true, j
				break
			}
		}
	}
	ps := p.s.partners
	for i, in := range ins {
		it := Item{Kind: KindContact, Key: code + "/" + in.Name}
		fields := validateContact(in)
		switch {
		case !ok:
			it.Action, it.Reasons = Refused, []string{partnerMissing(code)}
		case len(fields) > 0:
			it.Action, it.Reasons = Refused, reasonsOf(fields)
		case same[i] >= 0:
			it.Action = Unchanged
		case replaces[i] >= 0:
			old := stored[replaces[i]]
			var d fieldDiff
			d.cmp("name", old.Name, in.Name)
			d.cmp("email", old.Email, in.Email)
			d.cmp("phone", old.Phone, in.Phone)
			it.Action, it.Changes = Update, d
		default:
			it.Action = Create
		}
		p.mayManagePartners(&it)
		k := p.add(it)
		in := in
		switch it.Action {
		case Update:
			oldID := stored[replaces[i]].ID
			p.addStep(phasePartners, k, "old contact removed", func(ctx context.Context) error {
				pid, err := p.s.partnerID(ctx, code)
				if err != nil {
					return err
				}
				return ps.RemoveContact(ctx, pid, oldID)
			})
			fallthrough
		case Create:
			p.addStep(phasePartners, k, "", func(ctx context.Context) error {
				pid, err := p.s.partnerID(ctx, code)
				if err != nil {
					return err
				}
				_, err = ps.AddContact(ctx, pid, in)
				return err
			})
		}
	}
}

// ---- policy overrides ----

// overrideSettings checks a settings document as the console does (strict
// names, valid values) and returns its canonical text.
func overrideSettings(raw json.RawMessage, fields map[string]string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		fields["settings"] = "give the settings to override as an object, for example {rateLimit: {rate: 20, burst: 40}}"
		return ""
	}
	c, err := canonicalJSON(raw)
	switch {
	case err != nil:
		fields["settings"] = "not valid JSON: " + err.Error()
		return ""
	case !strings.HasPrefix(c, "{"):
		fields["settings"] = "the settings must be an object"
		return ""
	case len(c) > partner.MaxOverrideBytes:
		fields["settings"] = "the settings document is too large; keep it under 64 KB"
		return ""
	}
	settings, err := policy.ParseSettings([]byte(c))
	if err != nil {
		fields["settings"] = "cannot be read: " + strings.TrimPrefix(err.Error(), "policy: parse settings: ")
		return ""
	}
	for k, v := range settings.Validate() {
		fields["settings."+k] = v
	}
	return c
}

// overrides plans a partner's policy overrides, one per scope; stored
// overrides the file does not name are left alone.
func (p *planner) overrides(code string, ok bool, cur *partner.Partner, list []PolicyOverride) {
	stored := map[string]partner.PolicyOverride{}
	if cur != nil {
		for _, o := range p.st.overrides[cur.ID] {
			scope := ""
			if o.APIVersionID != nil {
				scope = p.st.versionKey[*o.APIVersionID]
			}
			stored[scope] = o
		}
	}
	ps := p.s.partners
	for _, o := range list {
		fields := map[string]string{}
		scope := ""
		if strings.TrimSpace(o.API) != "" {
			ref, good := parseVersionRef(o.API)
			switch _, known := p.pp.versionAfter[ref]; {
			case !good:
				fields["api"] = "write the API version as slug@version, for example order-intake@1.1.0, or leave api out for all versions"
			case !known:
				fields["api"] = fmt.Sprintf("there is no API version %s in the catalog or in this document (or its item is refused)", ref)
			}
			scope = ref
			if !good {
				scope = strings.TrimSpace(o.API)
			}
		}
		it := Item{Kind: KindOverride, Key: code + "/" + overrideScope(scope)}
		settings := overrideSettings(o.Settings, fields)
		was, exists := stored[scope]
		switch {
		case !ok:
			it.Action, it.Reasons = Refused, []string{partnerMissing(code)}
		case len(fields) > 0:
			it.Action, it.Reasons = Refused, reasonsOf(fields)
		case exists:
			it.Action = Unchanged
			if c, err := canonicalJSON(was.Settings); err != nil || c != settings {
				it.Action, it.Changes = Update, []string{"settings"}
			}
		default:
			it.Action = Create
		}
		p.mayManagePartners(&it)
		k := p.add(it)
		if it.Action == Create || it.Action == Update {
			p.addStep(phasePartners, k, "", func(ctx context.Context) error {
				pid, err := p.s.partnerID(ctx, code)
				if err != nil {
					return err
				}
				var vid *int64
				if scope != "" {
					id, err := p.s.versionID(ctx, scope)
					if err != nil {
						return err
					}
					vid = &id
				}
				_, err = ps.SetPolicyOverride(ctx, pid, vid, json.RawMessage(settings))
				return err
			})
		}
	}
}

// ---- adapters ----

// revisionContent is the mapping of a revision, as compared and saved.
type revisionContent struct {
	program string
	tables  adapter.Tables
	options formats.Options
}

func (c revisionContent) sameAs(r adapter.Revision) bool {
	if c.program != r.Program || c.options != r.ParseOptions {
		return false
	}
	if len(c.tables) == 0 && len(r.Tables) == 0 {
		return true
	}
	return reflect.DeepEqual(c.tables, r.Tables)
}

func (c revisionContent) diff(r adapter.Revision) []string {
	var d []string
	if c.program != r.Program {
		d = append(d, "program")
	}
	if !(len(c.tables) == 0 && len(r.Tables) == 0) && !reflect.DeepEqual(c.tables, r.Tables) {
		d = append(d, "tables")
	}
	if c.options != r.ParseOptions {
		d = append(d, "parseOptions")
	}
	return d
}

func oneChar(s string) (rune, bool) {
	if s == "" {
		return 0, true
	}
	r, n := utf8.DecodeRuneInString(s)
	return r, n == len(s) && r != utf8.RuneError
}

// revisionOf checks a revision of the document into its content.
func revisionOf(r *AdapterRevision, fields map[string]string) revisionContent {
	c := revisionContent{program: r.Program, tables: adapter.Tables{}}
	if strings.TrimSpace(r.Program) == "" {
		fields["revision.program"] = "the mapping program is empty"
	}
	for name, t := range r.Tables {
		c.tables[name] = t
	}
	if o := r.ParseOptions; o != nil {
		var ok bool
		if c.options.Delimiter, ok = oneChar(o.Delimiter); !ok {
			fields["revision.parseOptions.delimiter"] = "the delimiter is one character"
		}
		if c.options.Comment, ok = oneChar(o.Comment); !ok {
			fields["revision.parseOptions.comment"] = "the comment character is one character"
		}
		if o.MaxBytes < 0 || o.MaxDepth < 0 || o.MaxElements < 0 {
			fields["revision.parseOptions"] = "limits are positive (or left out for the defaults)"
		}
		c.options.Header, c.options.GroupBy = o.Header, o.GroupBy
		c.options.MaxBytes, c.options.MaxDepth, c.options.MaxElements = o.MaxBytes, o.MaxDepth, o.MaxElements
	}
	return c
}

// adapterTarget checks an adapter's target API version as CloneTemplate
// will, once the catalog part of the document is applied.
func (p *planner) adapterTarget(target string, fields map[string]string) string {
	ref, good := parseVersionRef(target)
	if !good {
		fields["target"] = "write the target API version as slug@version, for example canonical-order@1.0.0"
		return ""
	}
	v, known := p.pp.versionAfter[ref]
	switch {
	case !known:
		fields["target"] = fmt.Sprintf("there is no API version %s in the catalog or in this document (or its item is refused)", ref)
	case v.lifecycle == catalog.Retired:
		fields["target"] = fmt.Sprintf("%s is retired; choose a live version", ref)
	case strings.TrimSpace(v.schema) == "":
		fields["target"] = fmt.Sprintf("%s has no JSON Schema contract to validate against", ref)
	default:
		if _, err := catalog.CompileSchema(v.schema); err != nil {
			fields["target"] = fmt.Sprintf("the JSON Schema of %s does not compile: %v", ref, err)
		}
	}
	return ref
}

// adapterApply carries what the steps of one adapter item learn.
type adapterApply struct {
	id       int64
	revision int64
}

// adapter plans one adapter and its samples. A new adapter is cloned from
// its template, its revision content saved (over the template's) and
// activated when active. An existing adapter keeps its template and
// target; a different content with active: true becomes a new revision
// that is activated (the old one is superseded, never changed), and
// without active a draft.
func (p *planner) adapter(code string, ok bool, cur *partner.Partner, a Adapter) {
	name := strings.TrimSpace(a.Name)
	it := Item{Kind: KindAdapter, Key: code + "/" + name}
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "give the adapter a name"
	case utf8.RuneCountInString(name) > 100:
		fields["name"] = "use at most 100 characters"
	}
	templateID := strings.TrimSpace(a.Template)
	var was adapter.Adapter
	exists := false
	if cur != nil {
		for _, x := range p.st.adapters[cur.ID] {
			if x.Name == name {
				was, exists = x, true
			}
		}
	}
	// A new adapter is judged as CloneTemplate will judge it; an existing
	// one only keeps its template and target (which may have been retired
	// since, or the template withdrawn: neither is a change).
	var target string
	if exists {
		if was.TemplateID != templateID {
			fields["template"] = fmt.Sprintf("the adapter was cloned from %s; its template cannot change (add another adapter)", orNone(was.TemplateID))
		}
		ref, good := parseVersionRef(a.Target)
		if stored := p.st.versionKey[was.TargetAPIVersionID]; !good || ref != stored {
			fields["target"] = fmt.Sprintf("the adapter targets %s; its target cannot change (add another adapter)", stored)
		}
	} else {
		if _, err := mapping.TemplateByID(templateID); err != nil {
			var ids []string
			for _, t := range mapping.Templates() {
				ids = append(ids, t.ID)
			}
			fields["template"] = fmt.Sprintf("there is no mapping template %q; use one of %s", templateID, strings.Join(ids, ", "))
		}
		target = p.adapterTarget(a.Target, fields)
	}
	var want revisionContent
	if a.Revision != nil {
		want = revisionOf(a.Revision, fields)
		if a.Revision.Active && fields["revision.program"] == "" {
			if _, err := p.s.compiler.Compile(want.program); err != nil {
				fields["revision.program"] = "the program does not compile, so it cannot be active: " + err.Error()
			}
		}
	}
	var saveDraft, activate bool
	switch {
	case !ok:
		it.Action, it.Reasons = Refused, []string{partnerMissing(code)}
	case exists:
		if len(fields) > 0 {
			it.Action, it.Reasons = Refused, reasonsOf(fields)
			break
		}
		it.Action = Unchanged
		if a.Revision == nil {
			break
		}
		saveDraft, activate, it.Changes, it.Notes, it.Reasons = p.revisionMoves(p.st.revisions[was.ID], want, a.Revision.Active)
		switch {
		case len(it.Reasons) > 0:
			it.Action = Refused
		case saveDraft || activate:
			it.Action = Update
		}
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	default:
		it.Action = Create
		saveDraft = a.Revision != nil
		activate = a.Revision != nil && a.Revision.Active
		state := "draft"
		if activate {
			state = "active"
		}
		content := "the template's content"
		if a.Revision != nil {
			content = "the file's content"
		}
		it.Notes = []string{fmt.Sprintf("revision 1 (%s): %s", content, state)}
	}
	p.mayManagePartners(&it)
	k := p.add(it)
	as := p.s.adapters
	run := &adapterApply{id: was.ID}
	if it.Action == Create {
		p.addStep(phaseAdapters, k, "cloned from "+templateID, func(ctx context.Context) error {
			pid, err := p.s.partnerID(ctx, code)
			if err != nil {
				return err
			}
			vid, err := p.s.versionID(ctx, target)
			if err != nil {
				return err
			}
			ad, err := as.CloneTemplate(ctx, pid, templateID, name, vid)
			run.id = ad.ID
			return err
		})
	}
	if it.Action == Create || it.Action == Update {
		if saveDraft || activate { // saving what the newest revision holds writes nothing and returns it
			p.addStep(phaseAdapters, k, "revision saved", func(ctx context.Context) error {
				r, err := as.SaveDraft(ctx, run.id, want.program, want.tables, want.options)
				run.revision = r.ID
				return err
			})
		}
		if activate {
			p.addStep(phaseAdapters, k, "", func(ctx context.Context) error {
				_, err := as.Activate(ctx, run.revision)
				return err
			})
		}
	}
	var curAdapter *adapter.Adapter
	if exists {
		curAdapter = &was
	}
	adapterOK := exists || it.Action == Create
	for _, sm := range a.Samples {
		p.sample(code, name, adapterOK, curAdapter, sm)
	}
}

// revisionMoves compares the content of the file with an existing
// adapter's revisions (newest first) and says what to do.
func (p *planner) revisionMoves(revs []adapter.Revision, want revisionContent, active bool) (saveDraft, activate bool, changes, notes, reasons []string) {
	if len(revs) == 0 {
		return true, active, []string{"revision"}, nil, nil
	}
	newest := revs[0]
	var act *adapter.Revision
	for i := range revs {
		if revs[i].Status == adapter.RevisionActive {
			act = &revs[i]
		}
	}
	next := newest.Number // SaveDraft edits a draft in place
	if !newest.Editable() {
		next++
	}
	if want.sameAs(newest) {
		next = newest.Number
	}
	if active {
		if act != nil && want.sameAs(*act) {
			if newest.ID != act.ID {
				notes = []string{fmt.Sprintf("draft revision %d is pending; revision %d stays active", newest.Number, act.Number)}
			}
			return false, false, nil, notes, nil
		}
		if act != nil {
			changes = want.diff(*act)
			notes = []string{fmt.Sprintf("revision %d activated; revision %d superseded", next, act.Number)}
		} else {
			changes = append(want.diff(newest), "active")
			notes = []string{fmt.Sprintf("revision %d activated", next)}
		}
		return !want.sameAs(newest), true, changes, notes, nil
	}
	if act != nil && newest.ID == act.ID && want.sameAs(*act) {
		return false, false, nil, nil, []string{fmt.Sprintf("revision %d, with this content, is active; apply does not deactivate an adapter (set active: true)", act.Number)}
	}
	if want.sameAs(newest) {
		return false, false, nil, nil, nil
	}
	changes = want.diff(newest)
	if newest.Editable() {
		notes = []string{fmt.Sprintf("draft revision %d updated", next)}
	} else {
		notes = []string{fmt.Sprintf("saved as draft revision %d; revision %d stays active", next, newest.Number)}
	}
	return true, false, changes, notes, nil
}

// ---- samples ----

// expectedOutput checks an accepted sample's expected documents and
// returns them as canonical JSON of an array ("" for none).
func expectedOutput(raw json.RawMessage, fields map[string]string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		fields["expectedOutput"] = "not valid JSON: " + err.Error()
		return ""
	}
	switch x := v.(type) {
	case map[string]any:
		raw = append(append([]byte("["), raw...), ']')
	case []any:
		for _, d := range x {
			if _, ok := d.(map[string]any); !ok {
				fields["expectedOutput"] = "the expected output is canonical documents: objects"
				return ""
			}
		}
	default:
		fields["expectedOutput"] = "the expected output is a canonical document or an array of them"
		return ""
	}
	c, err := canonicalJSON(raw)
	if err != nil {
		fields["expectedOutput"] = err.Error()
	}
	return c
}

func trimmedList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// sampleContent decodes a sample's content.
func sampleContent(sm Sample, fields map[string]string) []byte {
	var b []byte
	switch {
	case sm.Content != "" && sm.ContentBase64 != "":
		fields["content"] = "give the content as text (content) or as base64 (contentBase64), not both"
	case sm.ContentBase64 != "":
		var err error
		if b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(sm.ContentBase64), "")); err != nil {
			fields["contentBase64"] = "not valid base64: " + err.Error()
		}
	default:
		b = []byte(sm.Content)
	}
	switch {
	case len(fields) > 0:
	case len(bytes.TrimSpace(b)) == 0:
		fields["content"] = "the sample is empty"
	case len(b) > adapter.MaxSampleBytes:
		fields["content"] = fmt.Sprintf("the sample has %d bytes; the limit is %d", len(b), adapter.MaxSampleBytes)
	}
	return b
}

// sample plans one sample. A new sample is added; an existing one keeps
// its content (a sample's content never changes: add another sample) and
// gets the file's expectation. Samples the file does not name are left
// alone.
func (p *planner) sample(code, adapterName string, adapterOK bool, cur *adapter.Adapter, sm Sample) {
	name := strings.TrimSpace(sm.Name)
	it := Item{Kind: KindSample, Key: code + "/" + adapterName + "/" + name}
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "give the sample a name, e.g. the file name"
	case utf8.RuneCountInString(name) > 200:
		fields["name"] = "use at most 200 characters"
	}
	content := sampleContent(sm, fields)
	expect := adapter.Expect(strings.ToLower(strings.TrimSpace(sm.Expect)))
	output := expectedOutput(sm.ExpectedOutput, fields)
	errs := trimmedList(sm.ExpectedErrors)
	switch expect {
	case adapter.ExpectAccepted:
		if len(errs) > 0 {
			fields["expectedErrors"] = "an accepted sample has no expected errors"
		}
	case adapter.ExpectRejected:
		if output != "" {
			fields["expectedOutput"] = "a rejected sample has no expected output; list expected errors instead"
		}
	default:
		fields["expect"] = "use accepted or rejected"
	}
	var was adapter.Sample
	exists := false
	if cur != nil {
		for _, x := range p.st.samples[cur.ID] {
			if x.Name == name {
				was, exists = x, true
			}
		}
	}
	switch {
	case !adapterOK:
		it.Action, it.Reasons = Refused, []string{fmt.Sprintf("adapter %s/%s is not in the catalog (its item is refused)", code, adapterName)}
	case len(fields) > 0:
		it.Action, it.Reasons = Refused, reasonsOf(fields)
	case exists:
		if !bytes.Equal(was.Content, content) {
			it.Action, it.Reasons = Refused, []string{"content: the content of a sample never changes (conformance results refer to it); add the new content as another sample"}
			break
		}
		var d fieldDiff
		d.cmp("expect", was.Expect, expect)
		stored := ""
		if was.ExpectedOutput != nil {
			stored, _ = canonicalJSON(was.ExpectedOutput)
		}
		d.cmp("expectedOutput", stored, output)
		if !slices.Equal(was.ExpectedErrors, errs) {
			d = append(d, "expectedErrors")
		}
		it.Action, it.Changes = Unchanged, d
		if len(d) > 0 {
			it.Action = Update
		}
	default:
		it.Action = Create
	}
	p.mayManagePartners(&it)
	k := p.add(it)
	as := p.s.adapters
	var out json.RawMessage
	if output != "" {
		out = json.RawMessage(output)
	}
	switch it.Action {
	case Create:
		p.addStep(phaseSamples, k, "", func(ctx context.Context) error {
			id, err := p.s.adapterID(ctx, code, adapterName)
			if err != nil {
				return err
			}
			// Cloning may have given the adapter its template's samples:
			// one of them with this name and content is this sample.
			var found []adapter.Sample
			if err := p.s.db.WithContext(ctx).Where("adapter_id = ? AND name = ?", id, name).Find(&found).Error; err != nil {
				return fmt.Errorf("sample %s: %w", it.Key, err)
			}
			if len(found) > 0 {
				if !bytes.Equal(found[0].Content, content) {
					return refuse("the adapter has a sample named %q already (from its template) with other content; give this sample another name", name)
				}
				_, err = as.SetExpectation(ctx, found[0].ID, expect, out, errs)
				return err
			}
			_, err = as.AddSample(ctx, id, name, content, expect, out, errs)
			return err
		})
	case Update:
		id := was.ID
		p.addStep(phaseSamples, k, "", func(ctx context.Context) error {
			_, err := as.SetExpectation(ctx, id, expect, out, errs)
			return err
		})
	}
}

// ---- lookups while applying ----

func (s *Service) partnerID(ctx context.Context, code string) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM partners WHERE code = ?`, code).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("partner %s: %w", code, err)
	}
	if len(ids) == 0 {
		return 0, refuse("partner %s is not in the catalog", code)
	}
	return ids[0], nil
}

func (s *Service) versionID(ctx context.Context, ref string) (int64, error) {
	slug, version, _ := strings.Cut(ref, "@")
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT v.id FROM api_versions v JOIN apis a ON a.id = v.api_id WHERE a.slug = ? AND v.version = ?`, slug, version).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("api version %s: %w", ref, err)
	}
	if len(ids) == 0 {
		return 0, refuse("%s is not in the catalog", ref)
	}
	return ids[0], nil
}

func (s *Service) adapterID(ctx context.Context, code, name string) (int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT a.id FROM adapters a JOIN partners p ON p.id = a.partner_id WHERE p.code = ? AND a.name = ?`, code, name).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("adapter %s/%s: %w", code, name, err)
	}
	if len(ids) == 0 {
		return 0, refuse("adapter %s/%s is not in the catalog", code, name)
	}
	return ids[0], nil
}

// ---- export ----

// exportPartners writes the partners sorted by code, with their contacts
// (by name, role, email, phone), overrides (all versions first, then by
// API version), adapters and samples (by name). No API key, hash or
// prefix is read, let alone written; status is left out (see Partner).
func exportPartners(st *state) []Partner {
	codes := make([]string, 0, len(st.partners))
	for code := range st.partners {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var out []Partner
	for _, code := range codes {
		x := st.partners[code]
		d := Partner{Code: x.Code, Name: x.Name, GSAppCode: x.GSAppCode, GLN: x.GLN, DUNS: x.DUNS, Notes: x.Notes}
		if x.ISAID != "" || x.ISAQualifier != "" {
			d.ISA = &ISA{Qualifier: x.ISAQualifier, ID: x.ISAID}
		}
		for _, c := range st.contacts[x.ID] {
			d.Contacts = append(d.Contacts, Contact{Name: c.Name, Email: c.Email, Phone: c.Phone, Role: string(c.Role)})
		}
		key := func(c Contact) string { return strings.Join([]string{c.Name, c.Role, c.Email, c.Phone}, "\x00") }
		sort.SliceStable(d.Contacts, func(i, j int) bool { return key(d.Contacts[i]) < key(d.Contacts[j]) })
		for _, o := range st.overrides[x.ID] {
			e := PolicyOverride{}
			if o.APIVersionID != nil {
				e.API = st.versionKey[*o.APIVersionID]
			}
			if c, err := canonicalJSON(o.Settings); err == nil {
				e.Settings = rawJSON(c)
			} else {
				e.Settings = rawJSON("{}")
			}
			d.PolicyOverrides = append(d.PolicyOverrides, e)
		}
		sort.SliceStable(d.PolicyOverrides, func(i, j int) bool { return d.PolicyOverrides[i].API < d.PolicyOverrides[j].API })
		for _, a := range st.adapters[x.ID] {
			d.Adapters = append(d.Adapters, exportAdapter(st, a))
		}
		sort.SliceStable(d.Adapters, func(i, j int) bool { return d.Adapters[i].Name < d.Adapters[j].Name })
		out = append(out, d)
	}
	return out
}

func exportAdapter(st *state, a adapter.Adapter) Adapter {
	out := Adapter{Name: a.Name, Template: a.TemplateID, Target: st.versionKey[a.TargetAPIVersionID]}
	revs := st.revisions[a.ID] // newest first
	var r *adapter.Revision
	for i := range revs {
		if revs[i].Status == adapter.RevisionActive {
			r = &revs[i]
		}
	}
	if r == nil && len(revs) > 0 {
		r = &revs[0]
	}
	if r != nil {
		rev := &AdapterRevision{Program: r.Program, Active: r.Status == adapter.RevisionActive}
		if len(r.Tables) > 0 {
			rev.Tables = r.Tables
		}
		if o := r.ParseOptions; o != (formats.Options{}) {
			rev.ParseOptions = &ParseOptions{Delimiter: runeString(o.Delimiter), Header: o.Header, GroupBy: o.GroupBy, Comment: runeString(o.Comment),
				MaxBytes: o.MaxBytes, MaxDepth: o.MaxDepth, MaxElements: o.MaxElements}
		}
		out.Revision = rev
	}
	for _, sm := range st.samples[a.ID] {
		e := Sample{Name: sm.Name, Expect: string(sm.Expect)}
		if printableText(sm.Content) {
			e.Content = string(sm.Content)
		} else {
			e.ContentBase64 = base64.StdEncoding.EncodeToString(sm.Content)
		}
		if sm.ExpectedOutput != nil {
			if c, err := canonicalJSON(sm.ExpectedOutput); err == nil {
				e.ExpectedOutput = rawJSON(c)
			}
		}
		if len(sm.ExpectedErrors) > 0 {
			e.ExpectedErrors = sm.ExpectedErrors
		}
		out.Samples = append(out.Samples, e)
	}
	sort.SliceStable(out.Samples, func(i, j int) bool { return out.Samples[i].Name < out.Samples[j].Name })
	return out
}

func runeString(r rune) string {
	if r == 0 {
		return ""
	}
	return string(r)
}

// printableText reports whether a sample can be written as text: UTF-8
// with printable characters, tabs and line breaks only.
func printableText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r != '\n' && r != '\r' && r != '\t' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
