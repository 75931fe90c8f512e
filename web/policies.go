package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

func canWrite(c *fiber.Ctx, p auth.Permission) bool {
	pr, _ := middleware.GetPrincipal(c)
	return pr.Role.Can(p)
}

// policyRows turns resolved fields into table rows; only fields set by a
// policy set when definedOnly.
func policyRows(fields []policy.ResolvedField, definedOnly bool) []pages.PolicyRow {
	rows := make([]pages.PolicyRow, 0, len(fields))
	for _, f := range fields {
		if definedOnly && f.Source.Kind == policy.SourceDefault {
			continue
		}
		r := pages.PolicyRow{Key: f.Key, Label: f.Label, Value: f.Value, Source: f.Source.String()}
		for _, o := range f.Overridden {
			r.Overridden = append(r.Overridden, o.String())
		}
		rows = append(rows, r)
	}
	return rows
}

// policiesPage lists the latest version of every policy set.
func (s *Server) policiesPage(c *fiber.Ctx) error {
	list, err := s.d.Policy.List(ctx(c))
	if err != nil {
		return err
	}
	uses, err := s.d.Policy.AttachCounts(ctx(c))
	if err != nil {
		return err
	}
	m := pages.PoliciesPage{Chrome: s.chrome(c, "Policies"), CanWrite: canWrite(c, auth.PermPoliciesWrite)}
	for _, p := range list {
		m.Rows = append(m.Rows, pages.PolicyListRow{Name: p.Name, Version: p.Version, Description: p.Description,
			Summary: policyRows(policy.Effective([]policy.Policy{p}, nil).Fields(), true), Uses: uses[p.Name]})
	}
	return s.render(c, fiber.StatusOK, pages.Policies(m))
}

// policySetNote says what a blank group means on the policy set form.
const policySetNote = "A group left blank is not set by this policy set: it comes from the sets attached before this one, or from the built-in default shown with it."

// newPolicyPage is the form for a new set, or a new version with ?from=name.
func (s *Server) newPolicyPage(c *fiber.Ctx) error {
	m := pages.PolicyFormPage{Chrome: s.chrome(c, "New policy set"), Errors: map[string]string{}}
	form := policy.Form{}
	if from := c.Query("from"); from != "" {
		p, err := s.d.Policy.Latest(ctx(c), from)
		if err != nil {
			return err
		}
		m.Name, m.Description, m.NameFixed, m.FromVersion, m.JSON = p.Name, p.Description, true, p.Version, settingsJSON(p.Settings)
		m.Chrome = s.chrome(c, "New version of "+p.Name)
		form = policy.FormFor(p.Settings)
	}
	m.Settings = policySettingsView(form, nil)
	return s.render(c, fiber.StatusOK, pages.PolicyForm(m))
}

func policySettingsView(f policy.Form, errs map[string]string) pages.SettingsForm {
	v := settingsView("ps", false, f, errs)
	v.Note, v.Inherited = policySetNote, builtInDefaults()
	return v
}

// createPolicy saves a set (or its next version) from the typed form; a
// form with mistakes comes back as typed, each message next to its field.
func (s *Server) createPolicy(c *fiber.Ctx) error {
	values, err := postedValues(c)
	if err != nil {
		return err
	}
	form := policy.ParseForm(values)
	m := pages.PolicyFormPage{Chrome: s.chrome(c, "New policy set"), Name: formValue(c, "name"), Description: formValue(c, "description")}
	if latest, err := s.d.Policy.Latest(ctx(c), m.Name); err == nil {
		m.NameFixed, m.FromVersion, m.JSON = true, latest.Version, settingsJSON(latest.Settings)
		m.Chrome = s.chrome(c, "New version of "+latest.Name)
	}
	settings, errs := form.Settings()
	m.Errors = policy.CheckDetails(m.Name, m.Description)
	if len(errs) == 0 && len(m.Errors) == 0 {
		p, err := s.d.Policy.CreatePolicy(ctx(c), m.Name, m.Description, settings)
		var ve *policy.ValidationError
		if !errors.As(err, &ve) {
			if err != nil {
				return err
			}
			return c.Redirect("/policies/"+p.Name, fiber.StatusSeeOther)
		}
		for k, v := range ve.Fields { // checked above: a safety net
			if k == "name" || k == "description" {
				m.Errors[k] = v
			} else {
				errs[k] = v
			}
		}
	}
	m.Settings = policySettingsView(form, errs)
	return s.render(c, fiber.StatusUnprocessableEntity, pages.PolicyForm(m))
}

// policyPage shows a set's versions and where it is attached.
func (s *Server) policyPage(c *fiber.Ctx) error {
	return s.renderPolicy(c, c.Params("name"), "", fiber.StatusOK)
}

func (s *Server) renderPolicy(c *fiber.Ctx, name, errText string, status int) error {
	versions, err := s.d.Policy.Versions(ctx(c), name)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return catalog.ErrNotFound
	}
	uses, err := s.d.Policy.UsedBy(ctx(c), name)
	if err != nil {
		return err
	}
	now := time.Now()
	m := pages.PolicyPage{Chrome: s.chrome(c, name), Name: name, CanWrite: canWrite(c, auth.PermPoliciesWrite), Error: errText}
	for _, v := range versions {
		b, _ := json.MarshalIndent(v.Settings, "", "  ")
		m.Versions = append(m.Versions, pages.PolicyVersionRow{ID: v.ID, Version: v.Version, Description: v.Description, Created: timeView(v.CreatedAt, now),
			Fields: policyRows(policy.Effective([]policy.Policy{v}, nil).Fields(), true), JSON: string(b)})
	}
	attached := map[string]bool{}
	for _, u := range uses {
		m.Uses = append(m.Uses, pages.PolicyUseRow{PolicyID: u.PolicyID, PolicyVersion: u.PolicyVersion, APISlug: u.APISlug, APIName: u.APIName, Version: u.Version, Lifecycle: u.Lifecycle, Outdated: u.PolicyVersion < versions[0].Version})
		attached[u.APISlug+"@"+u.Version] = u.PolicyVersion == versions[0].Version
	}
	if m.CanWrite {
		targets, err := s.attachTargets(c)
		if err != nil {
			return err
		}
		for _, t := range targets {
			if !attached[t.Value] {
				m.Targets = append(m.Targets, t)
			}
		}
	}
	return s.render(c, status, pages.PolicyDetail(m))
}

// attachTargets lists API versions that are not retired, "slug@version".
func (s *Server) attachTargets(c *fiber.Ctx) ([]pages.Option, error) {
	refs, err := s.d.Catalog.VersionRefs(ctx(c), catalog.VersionRefFilter{Unretired: true})
	if err != nil {
		return nil, err
	}
	out := make([]pages.Option, 0, len(refs))
	for _, r := range refs {
		out = append(out, pages.Option{Value: r.APISlug + "@" + r.Version, Label: r.APIName + " " + r.Version})
	}
	return out, nil
}

func (s *Server) policyTarget(c *fiber.Ctx, ref string) (catalog.Version, error) {
	slug, version, ok := strings.Cut(ref, "@")
	if !ok {
		return catalog.Version{}, catalog.ErrNotFound
	}
	_, v, err := s.d.Catalog.Version(ctx(c), slug, version)
	return v, err
}

// attachPolicy attaches the latest version of a set to an API version,
// after any already attached.
func (s *Server) attachPolicy(c *fiber.Ctx) error {
	name := c.Params("name")
	p, err := s.d.Policy.Latest(ctx(c), name)
	if err != nil {
		return err
	}
	v, err := s.policyTarget(c, c.FormValue("target"))
	if errors.Is(err, catalog.ErrNotFound) {
		return s.renderPolicy(c, name, "Choose the API version to attach "+name+" to.", fiber.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	current, err := s.d.Policy.Attachments(ctx(c), v.ID)
	if err != nil {
		return err
	}
	if err := s.d.Policy.Attach(ctx(c), v.ID, p.ID, len(current)); err != nil {
		return err
	}
	return c.Redirect("/policies/"+name, fiber.StatusSeeOther)
}

// detachPolicy removes a set's attachment from an API version.
func (s *Server) detachPolicy(c *fiber.Ctx) error {
	name := c.Params("name")
	v, err := s.policyTarget(c, c.Query("target"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Query("policy_id"), 10, 64)
	if err != nil {
		return catalog.ErrNotFound
	}
	if err := s.d.Policy.Detach(ctx(c), v.ID, id); err != nil {
		return err
	}
	return c.Redirect("/policies/"+name, fiber.StatusSeeOther)
}
