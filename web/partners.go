package web

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/views/pages"
)

// The partner pages: the list, the partner form and the go-live approvals
// inbox here; the partner's own page and its actions in
// partners_detail.go.

// partnerFlashText maps the partner pages' flash codes to sentences. The
// partner handlers apply it themselves (flashText in routes.go does not
// know these codes), so no text from the URL is ever echoed.
func partnerFlashText(code string) string {
	switch code {
	case "partner-created":
		return "The partner was created in draft. Add a contact and issue an API key to start onboarding."
	case "partner-updated":
		return "The partner was saved."
	case "partner-testing":
		return "The partner is in testing: it can exchange test documents."
	case "partner-certified":
		return "The partner is certified. Request go-live when the checklist is complete."
	case "partner-suspended":
		return "The partner is suspended: calls with its API keys are refused."
	case "contact-added":
		return "The contact was added."
	case "contact-removed":
		return "The contact was removed."
	case "key-revoked":
		return "The key was revoked: calls with it are refused from now on."
	case "override-saved":
		return "The policy override was saved; it applies to the partner's next documents."
	case "override-removed":
		return "The policy override was removed."
	case "golive-requested":
		return "Go-live was requested. Another person with approval rights must approve it."
	case "golive-approved":
		return "Go-live was approved: the partner is live."
	case "golive-rejected":
		return "The go-live request was rejected; the partner keeps its status."
	}
	return ""
}

// partnerFlash sets the page's flash from a partner flash code, if any.
func partnerFlash(c *fiber.Ctx, current string) string {
	if t := partnerFlashText(c.Query("flash")); t != "" {
		return t
	}
	return current
}

// sentence makes a reason from the partner package read as a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// partnerReasons joins refusal reasons for the error page.
func partnerReasons(reasons []string) string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = sentence(r)
	}
	return strings.Join(out, " ")
}

// fieldMessages lists a validation error's messages in field order.
func fieldMessages(fields map[string]string) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fields[k]
	}
	return out
}

// partnerValidation returns the field messages of a partner validation
// error, or nil.
func partnerValidation(err error) map[string]string {
	var ve *partner.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func partnerStatusOptions() []pages.Option {
	out := []pages.Option{}
	for _, st := range partner.Statuses() {
		out = append(out, pages.Option{Value: string(st), Label: st.Label()})
	}
	return out
}

// nextStep says in a few words what an open checklist item asks for.
func nextStep(it partner.Item, status partner.Status) string {
	switch it.Key {
	case partner.ItemProfile:
		return "complete the profile"
	case partner.ItemAPIKey:
		return "issue an API key"
	case partner.ItemAdapter:
		return "activate an adapter"
	case partner.ItemConformance:
		return "pass conformance tests"
	case partner.ItemApproval:
		switch {
		case it.InProgress:
			return "" // the status column says go-live was requested
		case status == partner.StatusSuspended:
			return "request reinstatement"
		case status == partner.StatusCertified:
			return "request go-live"
		}
		return "certify, then request go-live"
	}
	return strings.ToLower(it.Label)
}

// readiness summarises a checklist for the list and the inbox.
func readiness(c partner.Checklist, status partner.Status) pages.Readiness {
	r := pages.Readiness{Total: len(c.Items)}
	next := false
	for _, it := range c.Items {
		if it.Done {
			r.Done++
		} else if !next {
			r.Next, next = nextStep(it, status), true
		}
	}
	return r
}

// ---- list ----

type partnerQuery struct {
	pages.PartnerFilter
	Page int
}

func readPartnerQuery(c *fiber.Ctx) partnerQuery {
	q := partnerQuery{PartnerFilter: pages.PartnerFilter{Q: strings.TrimSpace(strings.Clone(c.Query("q"))), Status: strings.Clone(c.Query("status"))},
		Page: c.QueryInt("page", 1)}
	if !partner.Status(q.Status).Valid() {
		q.Status = ""
	}
	if q.Page < 1 {
		q.Page = 1
	}
	return q
}

func (q partnerQuery) values(page int) url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// partnersPage lists partners with their readiness; filters in the URL.
func (s *Server) partnersPage(c *fiber.Ctx) error {
	q := readPartnerQuery(c)
	const pageSize = 25
	rows, total, err := s.d.Partners.List(ctx(c), partner.ListFilter{Query: q.Q, Status: partner.Status(q.Status), Page: q.Page, PageSize: pageSize})
	if err != nil {
		return err
	}
	r, now := role(c), time.Now()
	m := pages.PartnersPage{Chrome: s.chrome(c, "Trading partners"), Filter: q.PartnerFilter, Statuses: partnerStatusOptions(),
		CanManage: r.Can(auth.PermPartnersManage), CanApprove: r.Can(auth.PermPartnersApprove)}
	for _, row := range rows {
		approval, _ := row.Checklist.Item(partner.ItemApproval)
		m.Rows = append(m.Rows, pages.PartnerRow{Code: row.Code, Name: row.Name, Status: string(row.Status),
			ISAQualifier: row.ISAQualifier, ISAID: row.ISAID, GLN: row.GLN, DUNS: row.DUNS,
			Readiness: readiness(row.Checklist, row.Status), GoLivePending: approval.InProgress, Updated: timeView(row.UpdatedAt, now)})
	}
	if m.CanApprove {
		pending, err := s.d.Partners.PendingGoLiveRequests(ctx(c))
		if err != nil {
			return err
		}
		m.Pending = len(pending)
	}
	m.Pager = pager(total, q.Page, pageSize, "partners", func(page int) string { return "/partners?" + q.values(page).Encode() })
	m.Chrome.Flash = partnerFlash(c, m.Chrome.Flash)
	return s.render(c, fiber.StatusOK, pages.Partners(m))
}

// ---- partner form ----

// isaQualifierOptions lists the known qualifiers, and the typed value when
// it is not one of them, so the form shows what was entered.
func isaQualifierOptions(current string) []pages.Option {
	var out []pages.Option
	known := false
	for _, q := range partner.ISAQualifiers() {
		out = append(out, pages.Option{Value: q.Code, Label: q.Code + ": " + q.Label})
		known = known || q.Code == current
	}
	if current != "" && !known {
		out = append(out, pages.Option{Value: current, Label: current + " (not a known qualifier)"})
	}
	return out
}

func (s *Server) partnerForm(c *fiber.Ctx, status int, edit bool, v pages.PartnerFormValues, errs map[string]string) error {
	title := "New trading partner"
	if edit {
		title = "Edit " + v.Name
	}
	return s.render(c, status, pages.PartnerForm(pages.PartnerFormPage{Chrome: s.chrome(c, title), Edit: edit, Values: v, Errors: errs,
		ISAQualifiers: isaQualifierOptions(v.ISAQualifier)}))
}

func readPartnerForm(c *fiber.Ctx) pages.PartnerFormValues {
	return pages.PartnerFormValues{Code: formValue(c, "code"), Name: formValue(c, "name"), ISAQualifier: formValue(c, "isa_qualifier"),
		ISAID: formValue(c, "isa_id"), GSAppCode: formValue(c, "gs_app_code"), GLN: formValue(c, "gln"), DUNS: formValue(c, "duns"),
		Notes: formText(c, "notes")}
}

func partnerInput(v pages.PartnerFormValues) partner.Input {
	return partner.Input{Code: v.Code, Name: v.Name, ISAQualifier: v.ISAQualifier, ISAID: v.ISAID, GSAppCode: v.GSAppCode,
		GLN: v.GLN, DUNS: v.DUNS, Notes: v.Notes}
}

func (s *Server) newPartnerPage(c *fiber.Ctx) error {
	return s.partnerForm(c, fiber.StatusOK, false, pages.PartnerFormValues{}, nil)
}

// reservedCodes are the literal segments of the partner routes: a partner
// with one of these codes could not be reached at /partners/:code (Fiber
// matches paths case-insensitively).
var reservedCodes = []string{"NEW", "APPROVALS"}

func (s *Server) createPartner(c *fiber.Ctx) error {
	v := readPartnerForm(c)
	for _, r := range reservedCodes {
		if strings.EqualFold(strings.TrimSpace(v.Code), r) {
			return s.partnerForm(c, fiber.StatusUnprocessableEntity, false, v, map[string]string{"code": r + " is a reserved word in partner addresses; choose another code."})
		}
	}
	p, err := s.d.Partners.Create(ctx(c), partnerInput(v))
	if fields := partnerValidation(err); fields != nil {
		return s.partnerForm(c, fiber.StatusUnprocessableEntity, false, v, fields)
	}
	if errors.Is(err, partner.ErrConflict) { // lost a race with another create of the same code
		return s.partnerForm(c, fiber.StatusConflict, false, v, map[string]string{"code": "Another partner was just created with this code or ISA id; choose another."})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/partners/"+p.Code+"?flash=partner-created", fiber.StatusSeeOther)
}

func (s *Server) editPartnerPage(c *fiber.Ctx) error {
	p, err := s.d.Partners.ByCode(ctx(c), param(c, "code"))
	if err != nil {
		return err
	}
	v := pages.PartnerFormValues{Code: p.Code, Name: p.Name, ISAQualifier: p.ISAQualifier, ISAID: p.ISAID, GSAppCode: p.GSAppCode,
		GLN: p.GLN, DUNS: p.DUNS, Notes: p.Notes}
	return s.partnerForm(c, fiber.StatusOK, true, v, nil)
}

func (s *Server) updatePartner(c *fiber.Ctx) error {
	p, err := s.d.Partners.ByCode(ctx(c), param(c, "code"))
	if err != nil {
		return err
	}
	v := readPartnerForm(c)
	v.Code = p.Code
	if _, err := s.d.Partners.Update(ctx(c), p.ID, partnerInput(v)); err != nil {
		if fields := partnerValidation(err); fields != nil {
			return s.partnerForm(c, fiber.StatusUnprocessableEntity, true, v, fields)
		}
		return err
	}
	return c.Redirect("/partners/"+p.Code+"?flash=partner-updated", fiber.StatusSeeOther)
}

// ---- go-live approvals ----

// partnerApprovalsPage is the approver's inbox: every pending request,
// oldest first.
func (s *Server) partnerApprovalsPage(c *fiber.Ctx) error {
	pending, err := s.d.Partners.PendingGoLiveRequests(ctx(c))
	if err != nil {
		return err
	}
	me, now := actorID(c), time.Now()
	m := pages.ApprovalsPage{Chrome: s.chrome(c, "Go-live approvals")}
	for _, r := range pending {
		cl, err := s.d.Partners.Checklist(ctx(c), r.PartnerID)
		if err != nil {
			return err
		}
		m.Rows = append(m.Rows, pages.ApprovalRow{ID: r.ID, PartnerCode: r.PartnerCode, PartnerName: r.PartnerName, FromStatus: string(r.FromStatus),
			RequestedBy: personName(r.RequestedByName, r.RequestedBy), Requested: timeView(r.RequestedAt, now), Mine: r.RequestedBy == me,
			Readiness: readiness(cl, r.FromStatus)})
	}
	m.Chrome.Flash = partnerFlash(c, m.Chrome.Flash)
	return s.render(c, fiber.StatusOK, pages.PartnerApprovals(m))
}

// personName is a recorded name, or the actor id when none was recorded.
func personName(name, id string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return id
}
