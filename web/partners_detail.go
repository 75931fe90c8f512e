package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/views/components"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// A partner's page and the actions taken on it: status moves, contacts,
// API keys, policy overrides and go-live. A refused action re-renders the
// page with the refusal in words (and 403, 409 or 422); a new key's token
// is shown on the answer to the POST that made it, never in a URL.

const partnerHistoryLimit = 20

// actorID is the audit actor id of the signed-in person ("user:42").
func actorID(c *fiber.Ctx) string {
	p, _ := middleware.GetPrincipal(c)
	return p.ActorID()
}

// partnerByCode loads the partner named in the URL.
func (s *Server) partnerByCode(c *fiber.Ctx) (partner.Partner, error) {
	return s.d.Partners.ByCode(ctx(c), param(c, "code"))
}

// idParam parses a numeric route parameter; anything else is not found.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, partner.ErrNotFound
	}
	return id, nil
}

// overrideTarget is an API version a partner override can name.
type overrideTarget struct {
	ID        int64
	Name      string
	Version   string
	Lifecycle string
}

func (t overrideTarget) label() string {
	l := t.Name + " " + t.Version
	if t.Lifecycle == "retired" {
		l += " (retired)"
	}
	return l
}

// overrideTargets lists every API version, by API name then newest
// version first. Retired versions are kept so an old override still says
// what it was for; the form does not offer them.
func (s *Server) overrideTargets(c *fiber.Ctx) ([]overrideTarget, error) {
	refs, err := s.d.Catalog.VersionRefs(ctx(c), catalog.VersionRefFilter{})
	if err != nil {
		return nil, err
	}
	ts := make([]overrideTarget, 0, len(refs))
	for _, r := range refs {
		ts = append(ts, overrideTarget{ID: r.ID, Name: r.APIName, Version: r.Version, Lifecycle: string(r.Lifecycle)})
	}
	return ts, nil
}

// scopeValue is the form value of an override's scope.
func scopeValue(apiVersionID *int64) string {
	if apiVersionID == nil {
		return "all"
	}
	return strconv.FormatInt(*apiVersionID, 10)
}

const allVersionsLabel = "All API versions"

// keyRow prepares a key for the keys table.
func keyRow(k partner.Key, prefixes map[int64]string, now time.Time) pages.KeyRow {
	row := pages.KeyRow{ID: k.ID, Prefix: keyPrefix(k.Prefix), Label: k.Label, Status: string(k.Status), Created: timeView(k.CreatedAt, now),
		CreatedBy: k.CreatedByName}
	if k.ExpiresAt != nil {
		row.Expires = timeView(*k.ExpiresAt, now)
	}
	if k.LastUsedAt != nil {
		row.LastUsed = timeView(*k.LastUsedAt, now)
	}
	if k.ReplacedByID != nil {
		row.ReplacedBy = prefixes[*k.ReplacedByID]
	}
	switch k.Status {
	case partner.KeyActive:
		row.StatusLabel, row.Tone = "Active", components.ToneOK
	case partner.KeyExpiring:
		row.Tone = components.ToneWarn
		if k.ReplacedByID != nil && k.OverlapUntil != nil {
			row.StatusLabel, row.Until = "Being replaced", timeView(*k.OverlapUntil, now)
		} else {
			row.StatusLabel = "Expires soon"
		}
	case partner.KeyExpired:
		row.StatusLabel, row.Tone = "Expired", components.ToneNeutral
	case partner.KeyRevoked:
		row.StatusLabel, row.Tone = "Revoked", components.ToneBad
		if k.RevokedAt != nil {
			row.Revoked = timeView(*k.RevokedAt, now)
		}
	case partner.KeyRotated:
		row.StatusLabel, row.Tone = "Replaced", components.ToneNeutral
	default:
		row.StatusLabel = string(k.Status)
	}
	usable := k.Status == partner.KeyActive || k.Status == partner.KeyExpiring
	row.CanRotate = usable && k.ReplacedByID == nil
	row.CanRevoke = usable
	return row
}

// keyPrefix is how a key is named in the console: its public prefix.
func keyPrefix(prefix string) string { return "cdp_" + prefix + "_…" }

func isaQualifierLabel(code string) string {
	for _, q := range partner.ISAQualifiers() {
		if q.Code == code {
			return q.Label
		}
	}
	return ""
}

func goLiveView(r partner.GoLiveRequest, now time.Time) pages.GoLiveView {
	v := pages.GoLiveView{ID: r.ID, FromStatus: string(r.FromStatus), RequestedBy: personName(r.RequestedByName, r.RequestedBy),
		Requested: timeView(r.RequestedAt, now), Reason: r.Reason}
	if r.Decision != nil {
		v.Decision = string(*r.Decision)
	}
	if r.DecidedBy != nil {
		name := ""
		if r.DecidedByName != nil {
			name = *r.DecidedByName
		}
		v.DecidedBy = personName(name, *r.DecidedBy)
	}
	if r.DecidedAt != nil {
		v.Decided = timeView(*r.DecidedAt, now)
	}
	return v
}

// partnerModel fills the partner's page: identity, checklist, contacts,
// keys, overrides, go-live requests and audit history.
func (s *Server) partnerModel(c *fiber.Ctx, p partner.Partner) (pages.PartnerPage, error) {
	r, now := role(c), time.Now()
	m := pages.PartnerPage{Chrome: s.chrome(c, p.Name), CanManage: r.Can(auth.PermPartnersManage), CanApprove: r.Can(auth.PermPartnersApprove),
		Partner: pages.PartnerView{Code: p.Code, Name: p.Name, Status: string(p.Status), ISAQualifier: p.ISAQualifier,
			ISAQualifierLabel: isaQualifierLabel(p.ISAQualifier), ISAID: p.ISAID, ISAIDPadded: p.ISAIDPadded(), GSAppCode: p.GSAppCode,
			GLN: p.GLN, DUNS: p.DUNS, Notes: p.Notes, Created: timeView(p.CreatedAt, now), Updated: timeView(p.UpdatedAt, now)},
		ContactForm: pages.ContactFormValues{Role: string(partner.ContactTechnical)}, MaxOverlapHours: int(partner.MaxOverlap / time.Hour),
		NewOverride: pages.OverrideEditor{Scope: "all"}}
	m.Chrome.Flash = partnerFlash(c, m.Chrome.Flash)
	for _, cr := range partner.ContactRoles() {
		m.ContactRoles = append(m.ContactRoles, pages.Option{Value: string(cr), Label: contactRoleLabel(cr)})
	}

	cl, err := s.d.Partners.Checklist(ctx(c), p.ID)
	if err != nil {
		return m, err
	}
	for _, it := range cl.Items {
		m.Checklist = append(m.Checklist, pages.ChecklistItem{Key: it.Key, Label: it.Label, Hint: it.Hint, Done: it.Done, InProgress: it.InProgress})
	}
	m.Readiness, m.ReadyForGoLive = readiness(cl, p.Status), cl.ReadyForGoLive()
	for _, h := range cl.Missing() {
		m.Missing = append(m.Missing, sentence(h))
	}

	contacts, err := s.d.Partners.Contacts(ctx(c), p.ID)
	if err != nil {
		return m, err
	}
	for _, ct := range contacts {
		m.Contacts = append(m.Contacts, pages.ContactRow{ID: ct.ID, Name: ct.Name, Email: ct.Email, Phone: ct.Phone, Role: string(ct.Role), Added: timeView(ct.CreatedAt, now)})
	}

	keys, err := s.d.Partners.ListKeys(ctx(c), p.ID)
	if err != nil {
		return m, err
	}
	prefixes := map[int64]string{}
	for _, k := range keys {
		prefixes[k.ID] = keyPrefix(k.Prefix)
	}
	for _, k := range keys {
		m.Keys = append(m.Keys, keyRow(k, prefixes, now))
	}

	if err := s.fillOverrides(c, p, &m, now); err != nil {
		return m, err
	}
	if err := s.fillAdapters(c, p, &m); err != nil { // adapters.go
		return m, err
	}

	requests, err := s.d.Partners.GoLiveRequests(ctx(c), p.ID)
	if err != nil {
		return m, err
	}
	for _, gr := range requests {
		switch {
		case gr.Pending():
			v := goLiveView(gr, now)
			m.Pending, m.YouRequested = &v, gr.RequestedBy == actorID(c)
		case len(m.Decided) < 5:
			m.Decided = append(m.Decided, goLiveView(gr, now))
		}
	}

	m.History, m.HistoryMore, err = s.entityHistory(c, []audit.Filter{{EntityType: partner.EntityType, EntityID: p.Code, PageSize: partnerHistoryLimit}}, partnerHistoryLimit)
	return m, err
}

func contactRoleLabel(r partner.ContactRole) string {
	switch r {
	case partner.ContactBusiness:
		return "Business"
	case partner.ContactTechnical:
		return "Technical"
	case partner.ContactEscalation:
		return "Escalation"
	}
	return string(r)
}

// Notes on what a blank group of an override comes to.
const (
	overrideNoteAll = "A group left blank follows the policies attached to each API version; where none sets it, the built-in default shown applies."
	overrideNoteNew = "A group left blank follows the policies attached to each API version (for an override of one version, that version's policies: the all-versions override does not apply to it); where none sets it, the built-in default shown applies."
)

// fillOverrides lists the partner's overrides (in words, as a form and as
// JSON), and the scopes and the form of a new one.
func (s *Server) fillOverrides(c *fiber.Ctx, p partner.Partner, m *pages.PartnerPage, now time.Time) error {
	overrides, err := s.d.Partners.PolicyOverrides(ctx(c), p.ID)
	if err != nil {
		return err
	}
	if len(overrides) == 0 && !m.CanManage {
		return nil
	}
	targets, err := s.overrideTargets(c)
	if err != nil {
		return err
	}
	// The new override's form offers the scopes without one: a stored
	// override is changed with its own form.
	taken := map[string]bool{}
	for _, o := range overrides {
		taken[scopeValue(o.APIVersionID)] = true
	}
	labels := map[string]string{"all": allVersionsLabel}
	if !taken["all"] {
		m.Scopes = []pages.Option{{Value: "all", Label: allVersionsLabel}}
	}
	for _, t := range targets {
		v := strconv.FormatInt(t.ID, 10)
		labels[v] = t.label()
		if t.Lifecycle != "retired" && !taken[v] {
			m.Scopes = append(m.Scopes, pages.Option{Value: v, Label: t.label()})
		}
	}
	for _, o := range overrides {
		scope := scopeValue(o.APIVersionID)
		settings, err := policy.ParseSettings(o.Settings)
		if err != nil { // written by a newer release: read what this one knows
			settings = policy.Settings{}
			_ = json.Unmarshal(o.Settings, &settings)
		}
		form := settingsView("ov-"+scope, true, policy.FormFor(settings), nil)
		ed := pages.OverrideEditor{Scope: scope, ScopeLabel: labels[scope], Updated: timeView(o.UpdatedAt, now), JSON: indentJSON(o.Settings), Form: form}
		if o.APIVersionID == nil {
			ed.Form.Note, ed.Form.Inherited = overrideNoteAll, builtInDefaults()
		} else {
			inherited, err := s.d.Policy.EffectiveFor(ctx(c), *o.APIVersionID, nil)
			if err != nil {
				return err
			}
			ed.Form.Inherited = inheritedValues(inherited, false)
			ed.Form.Note = "A group left blank follows the policies attached to " + labels[scope] + "; the all-versions override does not apply to this version."
		}
		for _, f := range policy.Effective(nil, &settings).Fields() {
			if f.Source.Kind != policy.SourceOverride {
				continue
			}
			line := pages.OverrideLine{Key: f.Key, Label: f.Label, Value: f.Value}
			if o.APIVersionID != nil {
				iv := ed.Form.Inherited[f.Key]
				line.Instead = iv.Value + " (" + iv.Source + ")"
			}
			ed.Summary = append(ed.Summary, line)
		}
		m.Overrides = append(m.Overrides, ed)
	}
	if m.CanManage && len(m.Scopes) > 0 {
		m.NewOverride.Scope = m.Scopes[0].Value
		m.NewOverride.Form = newOverrideForm(policy.Form{}, nil)
	}
	return nil
}

// newOverrideForm is the settings form of a new override.
func newOverrideForm(f policy.Form, errs map[string]string) pages.SettingsForm {
	v := settingsView("ov-new", true, f, errs)
	v.Note, v.Inherited = overrideNoteNew, builtInDefaults()
	return v
}

// indentJSON pretty-prints a stored settings document.
func indentJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(b)
	}
	return string(out)
}

// partnerPage is a partner's page.
func (s *Server) partnerPage(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	m, err := s.partnerModel(c, p)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.PartnerDetail(m))
}

// partnerRefusal turns a refusal by the partner service into what the
// partner's page shows and its status; ok is false for any other error.
// conflict is the sentence for ErrConflict at this call site.
func partnerRefusal(err error, title, conflict string) (*pages.Refusal, int, bool) {
	var te *partner.TransitionError
	var ve *partner.ValidationError
	ref := &pages.Refusal{Title: title}
	switch {
	case errors.As(err, &te):
		for _, r := range te.Reasons {
			ref.Reasons = append(ref.Reasons, sentence(r))
		}
		return ref, http.StatusUnprocessableEntity, true
	case errors.As(err, &ve):
		ref.Reasons = fieldMessages(ve.Fields)
		return ref, http.StatusUnprocessableEntity, true
	case errors.Is(err, partner.ErrSameApprover):
		ref.Reasons = []string{"Another person must approve: you requested it. " + sentence(partner.ErrSameApprover.Error())}
		return ref, http.StatusForbidden, true
	case errors.Is(err, partner.ErrActorRequired):
		ref.Reasons = []string{sentence(partner.ErrActorRequired.Error())}
		return ref, http.StatusForbidden, true
	case errors.Is(err, partner.ErrConflict):
		ref.Reasons = []string{conflict}
		return ref, http.StatusConflict, true
	}
	return nil, 0, false
}

// refuse re-renders the partner's page with the refusal of err, or
// returns err when it is not a refusal.
func (s *Server) refuse(c *fiber.Ctx, p partner.Partner, err error, title, conflict string) error {
	ref, status, ok := partnerRefusal(err, title, conflict)
	if !ok {
		return err
	}
	m, merr := s.partnerModel(c, p)
	if merr != nil {
		return merr
	}
	m.Refusal = ref
	return s.render(c, status, pages.PartnerDetail(m))
}

func partnerURL(p partner.Partner, flash, section string) string {
	u := "/partners/" + p.Code + "?flash=" + flash
	if section != "" {
		u += "#" + section
	}
	return u
}

// ---- status ----

// movePartner moves a partner along draft -> testing -> certified, or
// suspends a live one (with a reason). Going live is requestGoLive.
func (s *Server) movePartner(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	to := partner.Status(formValue(c, "to"))
	if _, err := s.d.Partners.Transition(ctx(c), p.ID, to, formText(c, "reason")); err != nil {
		return s.refuse(c, p, err, p.Name+" was not moved to "+strings.ToLower(to.Label()), "Someone else changed this partner at the same time; reload the page and try again.")
	}
	return c.Redirect(partnerURL(p, "partner-"+string(to), ""), fiber.StatusSeeOther)
}

// ---- contacts ----

func (s *Server) addPartnerContact(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	v := pages.ContactFormValues{Name: formValue(c, "name"), Email: formValue(c, "email"), Phone: formValue(c, "phone"), Role: formValue(c, "role")}
	_, err = s.d.Partners.AddContact(ctx(c), p.ID, partner.ContactInput{Name: v.Name, Email: v.Email, Phone: v.Phone, Role: partner.ContactRole(v.Role)})
	if fields := partnerValidation(err); fields != nil {
		m, merr := s.partnerModel(c, p)
		if merr != nil {
			return merr
		}
		m.ContactForm, m.ContactErrors = v, fields
		return s.render(c, fiber.StatusUnprocessableEntity, pages.PartnerDetail(m))
	}
	if err != nil {
		return err
	}
	return c.Redirect(partnerURL(p, "contact-added", "contacts"), fiber.StatusSeeOther)
}

func (s *Server) removePartnerContact(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.d.Partners.RemoveContact(ctx(c), p.ID, id); err != nil {
		return err
	}
	return c.Redirect(partnerURL(p, "contact-removed", "contacts"), fiber.StatusSeeOther)
}

// ---- API keys ----

// renderKeyError re-renders the page with errors in the keys section.
func (s *Server) renderKeyError(c *fiber.Ctx, p partner.Partner, status int, form pages.KeyFormValues, fields map[string]string) error {
	m, err := s.partnerModel(c, p)
	if err != nil {
		return err
	}
	m.KeyForm, m.KeyErrors = form, fields
	return s.render(c, status, pages.PartnerDetail(m))
}

// renderIssued answers with the partner's page showing a new token: the
// one time it is shown. It is neither logged nor put in a URL.
func (s *Server) renderIssued(c *fiber.Ctx, p partner.Partner, issued *pages.IssuedKey) error {
	m, err := s.partnerModel(c, p)
	if err != nil {
		return err
	}
	m.Issued = issued
	return s.render(c, fiber.StatusCreated, pages.PartnerDetail(m))
}

// issuePartnerKey creates a key and shows its token once.
func (s *Server) issuePartnerKey(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	form := pages.KeyFormValues{Label: formValue(c, "label"), ExpiresOn: formValue(c, "expires_on")}
	var expires *time.Time
	if form.ExpiresOn != "" {
		day, err := time.Parse(time.DateOnly, form.ExpiresOn)
		if err != nil {
			return s.renderKeyError(c, p, fiber.StatusUnprocessableEntity, form, map[string]string{"expires_at": "Enter the date as YYYY-MM-DD, or leave it empty for a key that does not expire."})
		}
		end := day.UTC().AddDate(0, 0, 1) // works through that day (UTC)
		expires = &end
	}
	k, token, err := s.d.Partners.IssueKey(ctx(c), p.ID, form.Label, expires)
	if fields := partnerValidation(err); fields != nil {
		return s.renderKeyError(c, p, fiber.StatusUnprocessableEntity, form, fields)
	}
	if err != nil {
		return err
	}
	return s.renderIssued(c, p, &pages.IssuedKey{Token: token, Prefix: keyPrefix(k.Prefix), Label: k.Label})
}

// partnerKey loads the key in the URL and checks it is the partner's: a
// key of another partner is not found here.
func (s *Server) partnerKey(c *fiber.Ctx, p partner.Partner) (partner.Key, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return partner.Key{}, err
	}
	k, err := s.d.Partners.Key(ctx(c), id)
	if err != nil {
		return partner.Key{}, err
	}
	if k.PartnerID != p.ID {
		return partner.Key{}, partner.ErrNotFound
	}
	return k, nil
}

// rotatePartnerKey replaces a key; the old one works for the overlap.
func (s *Server) rotatePartnerKey(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	old, err := s.partnerKey(c, p)
	if err != nil {
		return err
	}
	hours := 24
	if v := formValue(c, "overlap_hours"); v != "" {
		if hours, err = strconv.Atoi(v); err != nil {
			return s.renderKeyError(c, p, fiber.StatusUnprocessableEntity, pages.KeyFormValues{}, map[string]string{
				"overlap": "Give the overlap as a whole number of hours, from 0 to 720."})
		}
	}
	overlap := time.Duration(hours) * time.Hour
	nk, token, err := s.d.Partners.RotateKey(ctx(c), old.ID, overlap)
	switch {
	case partnerValidation(err) != nil:
		return s.renderKeyError(c, p, fiber.StatusUnprocessableEntity, pages.KeyFormValues{}, partnerValidation(err))
	case errors.Is(err, partner.ErrConflict):
		return s.renderKeyError(c, p, fiber.StatusConflict, pages.KeyFormValues{}, map[string]string{
			"key": "Key " + keyPrefix(old.Prefix) + " was not rotated: it is revoked, expired or replaced already, and only a working key can be rotated."})
	case err != nil:
		return err
	}
	until := time.Now().Add(overlap).UTC()
	return s.renderIssued(c, p, &pages.IssuedKey{Token: token, Prefix: keyPrefix(nk.Prefix), Label: nk.Label, Rotated: true,
		OldPrefix: keyPrefix(old.Prefix), OldUntil: until.Format("2006-01-02 15:04 UTC"), Overlap: hoursText(hours)})
}

func hoursText(h int) string {
	switch {
	case h == 0:
		return "no time at all"
	case h == 1:
		return "1 hour"
	case h%24 == 0 && h >= 48:
		return strconv.Itoa(h/24) + " days"
	}
	return strconv.Itoa(h) + " hours"
}

// revokePartnerKey stops a key at once.
func (s *Server) revokePartnerKey(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	k, err := s.partnerKey(c, p)
	if err != nil {
		return err
	}
	if _, err := s.d.Partners.RevokeKey(ctx(c), k.ID); err != nil {
		if errors.Is(err, partner.ErrConflict) {
			return s.renderKeyError(c, p, fiber.StatusConflict, pages.KeyFormValues{}, map[string]string{"key": "Key " + keyPrefix(k.Prefix) + " was revoked already."})
		}
		return err
	}
	return c.Redirect(partnerURL(p, "key-revoked", "keys"), fiber.StatusSeeOther)
}

// ---- policy overrides ----

// setPartnerOverride saves the override of one scope from the typed
// settings form: blank groups are not overridden. A form with mistakes
// comes back as typed, open, with each message next to its field.
func (s *Server) setPartnerOverride(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	values, err := postedValues(c)
	if err != nil {
		return err
	}
	form := policy.ParseForm(values)
	scope := formValue(c, "scope")
	if scope == "" {
		scope = "all"
	}
	errs := map[string]string{}
	var versionID *int64
	if scope != "all" {
		id, err := strconv.ParseInt(scope, 10, 64)
		if err != nil {
			errs["api_version"] = "Choose all API versions or one version from the list."
		} else {
			versionID = &id
		}
	}
	settings, fieldErrs := form.Settings()
	if len(fieldErrs) == 0 && settings.IsZero() {
		errs["settings"] = "Set at least one value to override; every group is blank. To stop overriding, remove the override."
	}
	if len(errs) == 0 && len(fieldErrs) == 0 {
		doc, err := json.Marshal(settings)
		if err != nil {
			return err
		}
		_, err = s.d.Partners.SetPolicyOverride(ctx(c), p.ID, versionID, doc)
		fields := partnerValidation(err)
		if fields == nil && err != nil {
			return err
		}
		if fields == nil {
			return c.Redirect(partnerURL(p, "override-saved", "overrides"), fiber.StatusSeeOther)
		}
		errs = fields
	}
	m, err := s.partnerModel(c, p)
	if err != nil {
		return err
	}
	placed := false
	for i := range m.Overrides {
		if ed := &m.Overrides[i]; ed.Scope == scope {
			typed := settingsView(ed.Form.ID, true, form, fieldErrs)
			typed.Note, typed.Inherited = ed.Form.Note, ed.Form.Inherited
			ed.Form, ed.Errors, ed.Open, placed = typed, errs, true, true
		}
	}
	if !placed {
		m.NewOverride = pages.OverrideEditor{Scope: scope, Form: newOverrideForm(form, fieldErrs), Errors: errs, Open: true}
	}
	return s.render(c, fiber.StatusUnprocessableEntity, pages.PartnerDetail(m))
}

// removePartnerOverride deletes the override of the scope in the query.
func (s *Server) removePartnerOverride(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	var versionID *int64
	if scope := c.Query("scope"); scope != "all" {
		id, err := strconv.ParseInt(scope, 10, 64)
		if err != nil {
			return partner.ErrNotFound
		}
		versionID = &id
	}
	if err := s.d.Partners.RemovePolicyOverride(ctx(c), p.ID, versionID); err != nil {
		return err
	}
	return c.Redirect(partnerURL(p, "override-removed", "overrides"), fiber.StatusSeeOther)
}

// ---- go-live ----

// requestGoLive asks for a certified partner to go live (or a suspended
// one to be reinstated); a second person approves.
func (s *Server) requestGoLive(c *fiber.Ctx) error {
	p, err := s.partnerByCode(c)
	if err != nil {
		return err
	}
	if _, err := s.d.Partners.RequestGoLive(ctx(c), p.ID); err != nil {
		return s.refuse(c, p, err, "Go-live was not requested", "A go-live request for "+p.Name+" is waiting for approval already.")
	}
	return c.Redirect(partnerURL(p, "golive-requested", "go-live"), fiber.StatusSeeOther)
}

// goLiveRequest loads the request in the URL and its partner.
func (s *Server) goLiveRequest(c *fiber.Ctx) (partner.GoLiveRequest, partner.Partner, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return partner.GoLiveRequest{}, partner.Partner{}, err
	}
	req, err := s.d.Partners.GoLiveRequest(ctx(c), id)
	if err != nil {
		return req, partner.Partner{}, err
	}
	p, err := s.d.Partners.Get(ctx(c), req.PartnerID)
	return req, p, err
}

// approveGoLive makes the partner live; the requester cannot approve.
func (s *Server) approveGoLive(c *fiber.Ctx) error {
	req, p, err := s.goLiveRequest(c)
	if err != nil {
		return err
	}
	if _, err := s.d.Partners.ApproveGoLive(ctx(c), req.ID); err != nil {
		return s.refuse(c, p, err, "Go-live was not approved", "This request was decided already by someone else; the page shows where it stands now.")
	}
	return c.Redirect(partnerURL(p, "golive-approved", ""), fiber.StatusSeeOther)
}

// rejectGoLive closes a request with a reason; the partner keeps its status.
func (s *Server) rejectGoLive(c *fiber.Ctx) error {
	req, p, err := s.goLiveRequest(c)
	if err != nil {
		return err
	}
	if _, err := s.d.Partners.RejectGoLive(ctx(c), req.ID, formText(c, "reason")); err != nil {
		return s.refuse(c, p, err, "The go-live request was not rejected", "This request was decided already by someone else; the page shows where it stands now.")
	}
	return c.Redirect(partnerURL(p, "golive-rejected", "go-live"), fiber.StatusSeeOther)
}
