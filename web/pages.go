package web

import (
	"fmt"
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/views/components"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// home is the landing page: what needs the person's attention, health,
// queues, recent changes and what the role may do.
func (s *Server) home(c *fiber.Ctx) error {
	p, _ := middleware.GetPrincipal(c)
	m := pages.HomePage{Chrome: s.chrome(c, "Home"), Name: p.Name, RoleLabel: p.Role.Label(), Health: s.healthItems(c), ShowAudit: p.Role.Can(auth.PermAuditRead)}
	attention, err := s.needsAttention(c, p.Role, time.Now())
	if err != nil {
		return err
	}
	m.Attention = attention
	for _, perm := range p.Role.Permissions() {
		m.Capabilities = append(m.Capabilities, pages.Capability{Permission: string(perm), Text: describe(perm)})
	}
	if queues, err := s.d.Inspector.Queues(); err == nil {
		for _, q := range queues {
			info, err := s.d.Inspector.GetQueueInfo(q)
			if err != nil {
				continue
			}
			m.Queues = append(m.Queues, pages.QueueStat{Name: q, Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled, Retry: info.Retry, Failed: info.Archived, Processed: info.Processed})
		}
	}
	if m.ShowAudit {
		const recent = 8
		rows, total, err := s.listAudit(c, auditQuery{PageSize: recent})
		if err != nil {
			return err
		}
		m.RecentAudit, m.RecentMore = rows, total > recent
	}
	return s.render(c, fiber.StatusOK, pages.Home(m))
}

// describe says in plain words what a permission allows.
func describe(p auth.Permission) string {
	switch p {
	case auth.PermHomeView:
		return "See the home page and the health of Crossdock."
	case auth.PermProfileRead:
		return "Read your own profile through the API."
	case auth.PermAuditRead:
		return "Read the audit log of every change."
	case auth.PermAuditExport:
		return "Export the audit log as CSV or JSON."
	case auth.PermUsersRead:
		return "See users, their roles and the role mapping."
	case auth.PermUsersManage:
		return "Disable and re-enable users."
	case auth.PermCatalogRead:
		return "Browse the API catalog: owners, versions, contracts, policies."
	case auth.PermCatalogWrite:
		return "Register APIs, teams and systems, and draft versions."
	case auth.PermCatalogExport:
		return "Export the catalog and the deprecation schedule."
	case auth.PermVersionPublish:
		return "Publish versions (refused when a contract breaks its major line)."
	case auth.PermVersionDeprecate:
		return "Deprecate versions with a sunset date and successor."
	case auth.PermVersionRetire:
		return "Retire deprecated versions."
	case auth.PermPoliciesWrite:
		return "Create policy sets and attach them to API versions."
	case auth.PermScheduleRead:
		return "See the deprecation schedule."
	case auth.PermNotificationsRead:
		return "Read deprecation notices."
	case auth.PermServiceAccountsRead:
		return "See the service accounts of the JSON API."
	case auth.PermServiceAccountsManage:
		return "Create and revoke service accounts."
	case auth.PermPartnersRead:
		return "See trading partners and their onboarding."
	case auth.PermPartnersManage:
		return "Onboard partners: identifiers, keys, adapters, status."
	case auth.PermPartnersApprove:
		return "Approve a partner's go-live (never your own request)."
	}
	return string(p)
}

// timeView prepares t for components.TimeAgo.
func timeView(t time.Time, now time.Time) components.Time {
	if t.IsZero() {
		return components.Time{}
	}
	return components.Time{Rel: relative(now.Sub(t)), ISO: t.UTC().Format(time.RFC3339), UTC: t.UTC().Format("2006-01-02 15:04:05 UTC")}
}

func relative(d time.Duration) string {
	future := d < 0
	d = time.Duration(math.Abs(float64(d)))
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d.Hours()))
	case d < 60*24*time.Hour:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	default:
		s = fmt.Sprintf("%d months", int(d.Hours()/24/30))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}
