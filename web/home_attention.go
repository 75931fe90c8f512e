package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/views/pages"
)

// The home page's "Needs attention" cards: each is built from the same
// service calls as the page it links to, and shown only to a role that
// may open that page (the permission of its route in routes.go).

// attentionRows is how many rows a card lists; the card links to the rest.
const attentionRows = 5

// sunsetWindowDays is how far ahead the sunsets card looks.
const sunsetWindowDays = 90

func (s *Server) needsAttention(c *fiber.Ctx, r auth.Role, now time.Time) (pages.Attention, error) {
	var a pages.Attention
	if r.Can(auth.PermPartnersApprove) { // GET /partners/approvals
		pending, err := s.d.Partners.PendingGoLiveRequests(ctx(c))
		if err != nil {
			return a, err
		}
		me := actorID(c)
		a.Approvals = &pages.ApprovalsCard{Total: len(pending)}
		for _, p := range pending {
			mine := p.RequestedBy == me
			if mine {
				a.Approvals.Mine++
			}
			if len(a.Approvals.Rows) < attentionRows {
				a.Approvals.Rows = append(a.Approvals.Rows, pages.AttentionApproval{PartnerCode: p.PartnerCode, PartnerName: p.PartnerName,
					RequestedBy: personName(p.RequestedByName, p.RequestedBy), Requested: timeView(p.RequestedAt, now), Mine: mine})
			}
		}
	}
	if r.Can(auth.PermPartnersRead) { // GET /partners
		rows, total, err := s.d.Partners.List(ctx(c), partner.ListFilter{Statuses: partner.OnboardingStatuses(), PageSize: attentionRows})
		if err != nil {
			return a, err
		}
		a.Onboarding = &pages.OnboardingCard{Total: int(total)}
		for _, row := range rows {
			approval, _ := row.Checklist.Item(partner.ItemApproval)
			a.Onboarding.Rows = append(a.Onboarding.Rows, pages.PartnerRow{Code: row.Code, Name: row.Name, Status: string(row.Status),
				Readiness: readiness(row.Checklist, row.Status), GoLivePending: approval.InProgress, Updated: timeView(row.UpdatedAt, now)})
		}
		// GET /partners/:code/adapters/:id/conformance/:run; left out when
		// the console runs without the adapter service.
		if s.d.Adapters != nil {
			failing, total, err := s.d.Adapters.FailingAdapters(ctx(c), attentionRows)
			if err != nil {
				return a, err
			}
			a.Failing = &pages.FailingCard{Total: total}
			for _, f := range failing {
				row := pages.FailingRow{PartnerName: f.PartnerName, AdapterName: f.AdapterName, Status: string(f.Status),
					Href: adapterURL(f.PartnerCode, f.AdapterID) + "/conformance/" + strconv.FormatInt(f.RunID, 10), Detail: f.Message}
				if f.Status == "failed" {
					row.Detail = strconv.Itoa(f.Failed) + " of " + strconv.Itoa(f.Total) + " samples failed"
				}
				if f.FinishedAt != nil {
					row.Finished = timeView(*f.FinishedAt, now)
				}
				a.Failing.Rows = append(a.Failing.Rows, row)
			}
		}
	}
	if r.Can(auth.PermScheduleRead) { // GET /deprecations
		entries, err := deprecation.Schedule(ctx(c), s.d.DB, now, deprecation.Filter{Status: deprecation.StatusUpcoming,
			SunsetBefore: now.AddDate(0, 0, sunsetWindowDays), Limit: attentionRows + 1}, s.consumers())
		if err != nil {
			return a, err
		}
		a.Sunsets = &pages.SunsetsCard{Days: sunsetWindowDays, More: len(entries) > attentionRows}
		for i, e := range entries {
			if i == attentionRows {
				break
			}
			a.Sunsets.Rows = append(a.Sunsets.Rows, scheduleRow(e, now))
		}
	}
	return a, nil
}
