package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/views/layout"
	"github.com/crossdock/crossdock/web/middleware"
)

// Route is one entry of the route table: who may call what is visible here.
type Route struct {
	Method string
	Path   string
	// Perm is the permission required; empty only for Public routes.
	Perm   auth.Permission
	Public bool
}

// routes is THE route table, read top to bottom. Every route states its
// permission, or says it is public and why.
func (s *Server) routes() []Route {
	app := s.App
	app.Use(middleware.RequestID())
	app.Use(middleware.AccessLog(s.d.Log, middleware.NewMetrics(s.d.Metrics), s.handleError))
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Use(middleware.SecurityHeaders(s.secure))
	app.Use(middleware.Session(s.d.Auth, s.d.Log))
	app.Use(middleware.Bearer(s.bearerPrincipal)) // service accounts, /api/ only
	app.Use(middleware.CSRF(s.d.Config.BaseURL))

	r := &table{app: app}

	// Operations: probes and metrics are public for load balancers and
	// Prometheus; they reveal no data.
	r.public("GET", "/healthz", s.healthz)
	r.public("GET", "/readyz", s.readyz)
	r.public("GET", "/metrics", s.metrics)
	r.public("GET", "/static/*", s.static)

	// Sign-in and sign-out: public by nature, CSRF-protected when they post.
	r.public("GET", "/login", s.loginPage)
	if s.d.OIDC != nil {
		r.public("GET", "/auth/login", s.oidcBegin)
		r.public("GET", "/auth/callback", s.oidcCallback)
	}
	if s.d.Config.DevLogin {
		r.public("POST", "/auth/dev-login", s.devLogin)
	}
	r.public("POST", "/logout", s.logout)

	// Console.
	r.get("/", auth.PermHomeView, s.home)
	r.get("/audit", auth.PermAuditRead, s.auditPage)
	r.get("/audit/export.csv", auth.PermAuditExport, s.auditExportCSV)
	r.get("/audit/export.json", auth.PermAuditExport, s.auditExportJSON)
	r.get("/admin/users", auth.PermUsersRead, s.usersPage)
	r.post("/admin/users/:id/disable", auth.PermUsersManage, s.disableUser)
	r.post("/admin/users/:id/enable", auth.PermUsersManage, s.enableUser)
	r.get("/admin/service-accounts", auth.PermServiceAccountsRead, s.serviceAccountsPage)
	r.post("/admin/service-accounts", auth.PermServiceAccountsManage, s.createServiceAccount)
	r.post("/admin/service-accounts/:id/revoke", auth.PermServiceAccountsManage, s.revokeServiceAccount)

	// CATALOG: APIs, versions and their lifecycle, teams and systems.
	// Literal segments ("new", "export.csv") come before the :slug routes.
	r.get("/catalog", auth.PermCatalogRead, s.catalogPage)
	r.get("/catalog/export.csv", auth.PermCatalogExport, s.catalogExportCSV)
	r.get("/catalog/export.json", auth.PermCatalogExport, s.catalogExportJSON)
	r.get("/catalog/apis/new", auth.PermCatalogWrite, s.newAPIPage)
	r.post("/catalog/apis", auth.PermCatalogWrite, s.createAPI)
	r.get("/catalog/apis/:slug", auth.PermCatalogRead, s.apiPage)
	r.get("/catalog/apis/:slug/edit", auth.PermCatalogWrite, s.editAPIPage)
	r.post("/catalog/apis/:slug", auth.PermCatalogWrite, s.updateAPI)
	r.get("/catalog/apis/:slug/diff", auth.PermCatalogRead, s.diffPage)
	r.get("/catalog/apis/:slug/versions/new", auth.PermCatalogWrite, s.newVersionPage)
	r.post("/catalog/apis/:slug/versions", auth.PermCatalogWrite, s.createVersion)
	r.get("/catalog/apis/:slug/versions/:version", auth.PermCatalogRead, s.versionPage)
	r.get("/catalog/apis/:slug/versions/:version/edit", auth.PermCatalogWrite, s.editVersionPage)
	r.post("/catalog/apis/:slug/versions/:version", auth.PermCatalogWrite, s.updateVersion)
	r.get("/catalog/apis/:slug/versions/:version/publish", auth.PermVersionPublish, s.publishPage)
	r.post("/catalog/apis/:slug/versions/:version/publish", auth.PermVersionPublish, s.publishVersion)
	r.get("/catalog/apis/:slug/versions/:version/deprecate", auth.PermVersionDeprecate, s.deprecatePage)
	r.post("/catalog/apis/:slug/versions/:version/deprecate", auth.PermVersionDeprecate, s.deprecateVersion)
	r.post("/catalog/apis/:slug/versions/:version/retire", auth.PermVersionRetire, s.retireVersion)
	r.get("/catalog/teams", auth.PermCatalogRead, s.teamsPage)
	r.get("/catalog/teams/new", auth.PermCatalogWrite, s.newTeamPage)
	r.post("/catalog/teams", auth.PermCatalogWrite, s.createTeam)
	r.get("/catalog/teams/:slug", auth.PermCatalogRead, s.teamPage)
	r.get("/catalog/teams/:slug/edit", auth.PermCatalogWrite, s.editTeamPage)
	r.post("/catalog/teams/:slug", auth.PermCatalogWrite, s.updateTeam)
	r.get("/catalog/systems", auth.PermCatalogRead, s.systemsPage)
	r.get("/catalog/systems/new", auth.PermCatalogWrite, s.newSystemPage)
	r.post("/catalog/systems", auth.PermCatalogWrite, s.createSystem)
	r.get("/catalog/systems/:slug", auth.PermCatalogRead, s.systemPage)
	r.get("/catalog/systems/:slug/edit", auth.PermCatalogWrite, s.editSystemPage)
	r.post("/catalog/systems/:slug", auth.PermCatalogWrite, s.updateSystem)

	// Policies: governance templates attached to API versions.
	r.get("/policies", auth.PermCatalogRead, s.policiesPage)
	r.get("/policies/new", auth.PermPoliciesWrite, s.newPolicyPage)
	r.post("/policies", auth.PermPoliciesWrite, s.createPolicy)
	r.get("/policies/:name", auth.PermCatalogRead, s.policyPage)
	r.post("/policies/:name/attach", auth.PermPoliciesWrite, s.attachPolicy)
	r.post("/policies/:name/detach", auth.PermPoliciesWrite, s.detachPolicy)

	// Deprecations and notices.
	r.get("/deprecations", auth.PermScheduleRead, s.schedulePage)
	r.get("/deprecations/export.csv", auth.PermCatalogExport, s.scheduleExportCSV)
	r.get("/notifications", auth.PermNotificationsRead, s.notificationsPage)

	// PARTNERS: trading partners, their contacts, API keys and policy
	// overrides, onboarding status and the four-eyes go-live. Literal
	// segments ("new", "approvals", "go-live") come before the :code routes.
	r.get("/partners", auth.PermPartnersRead, s.partnersPage)
	r.get("/partners/new", auth.PermPartnersManage, s.newPartnerPage)
	r.post("/partners", auth.PermPartnersManage, s.createPartner)
	r.get("/partners/approvals", auth.PermPartnersApprove, s.partnerApprovalsPage)
	r.post("/partners/go-live/:id/approve", auth.PermPartnersApprove, s.approveGoLive)
	r.post("/partners/go-live/:id/reject", auth.PermPartnersApprove, s.rejectGoLive)
	r.get("/partners/:code", auth.PermPartnersRead, s.partnerPage)
	r.get("/partners/:code/edit", auth.PermPartnersManage, s.editPartnerPage)
	r.post("/partners/:code", auth.PermPartnersManage, s.updatePartner)
	r.post("/partners/:code/status", auth.PermPartnersManage, s.movePartner)
	r.post("/partners/:code/contacts", auth.PermPartnersManage, s.addPartnerContact)
	r.post("/partners/:code/contacts/:id/remove", auth.PermPartnersManage, s.removePartnerContact)
	r.post("/partners/:code/keys", auth.PermPartnersManage, s.issuePartnerKey)
	r.post("/partners/:code/keys/:id/rotate", auth.PermPartnersManage, s.rotatePartnerKey)
	r.post("/partners/:code/keys/:id/revoke", auth.PermPartnersManage, s.revokePartnerKey)
	r.post("/partners/:code/policy-overrides", auth.PermPartnersManage, s.setPartnerOverride)
	r.post("/partners/:code/policy-overrides/remove", auth.PermPartnersManage, s.removePartnerOverride)
	r.post("/partners/:code/go-live", auth.PermPartnersManage, s.requestGoLive)

	// ADAPTERS: the mapping templates library, partners' adapters (cloned
	// from a template; immutable revisions; samples with expected outcomes),
	// the mapping playground and conformance runs. Reading needs
	// partners:read; changing an adapter, or running mapping code typed in
	// the console (playground, impact analysis), needs partners:manage.
	r.get("/templates", auth.PermPartnersRead, s.templatesPage)
	r.get("/templates/:id", auth.PermPartnersRead, s.templatePage)
	r.post("/templates/:id/impact", auth.PermPartnersManage, s.templateImpact)
	r.post("/partners/:code/adapters", auth.PermPartnersManage, s.cloneTemplate)
	r.get("/partners/:code/adapters/:id", auth.PermPartnersRead, s.adapterPage)
	r.post("/partners/:code/adapters/:id/revisions", auth.PermPartnersManage, s.saveRevision)
	r.post("/partners/:code/adapters/:id/revisions/:rev/activate", auth.PermPartnersManage, s.activateRevision)
	r.post("/partners/:code/adapters/:id/playground", auth.PermPartnersManage, s.playground)
	r.post("/partners/:code/adapters/:id/samples", auth.PermPartnersManage, s.addSample)
	r.post("/partners/:code/adapters/:id/samples/:sample/expect", auth.PermPartnersManage, s.recordExpected)
	r.post("/partners/:code/adapters/:id/samples/:sample/remove", auth.PermPartnersManage, s.removeSample)
	r.post("/partners/:code/adapters/:id/conformance", auth.PermPartnersManage, s.startConformance)
	r.get("/partners/:code/adapters/:id/conformance/:run", auth.PermPartnersRead, s.conformancePage)

	// JSON API (RFC 9457 problem details on every error).
	r.get("/api/v1/me", auth.PermProfileRead, s.apiMe)
	r.get("/api/v1/audit/events", auth.PermAuditRead, s.apiAuditEvents)
	r.post("/api/v1/apply", auth.PermCatalogWrite, s.apiApply)
	r.get("/api/v1/export", auth.PermCatalogExport, s.apiExport)

	return r.routes
}

// table registers routes on the app and remembers them for the RBAC test.
type table struct {
	app    *fiber.App
	routes []Route
}

func (t *table) add(method, path string, perm auth.Permission, h fiber.Handler) {
	if perm == "" {
		panic("web: route " + method + " " + path + " has no permission")
	}
	t.routes = append(t.routes, Route{Method: method, Path: path, Perm: perm})
	t.app.Add(method, path, middleware.Require(perm), h)
}

func (t *table) get(path string, perm auth.Permission, h fiber.Handler) { t.add("GET", path, perm, h) }
func (t *table) post(path string, perm auth.Permission, h fiber.Handler) {
	t.add("POST", path, perm, h)
}

func (t *table) public(method, path string, h fiber.Handler) {
	t.routes = append(t.routes, Route{Method: method, Path: path, Public: true})
	t.app.Add(method, path, h)
}

// navFor lists the sections the role may see; only pages that exist.
func navFor(role auth.Role, path string) []layout.NavSection {
	type entry struct {
		section, label, href, icon string
		perm                       auth.Permission
	}
	entries := []entry{
		{"", "Home", "/", "home", auth.PermHomeView},
		{"Catalog", "APIs", "/catalog", "catalog", auth.PermCatalogRead},
		{"Catalog", "Teams & systems", "/catalog/teams", "teams", auth.PermCatalogRead},
		{"Catalog", "Policies", "/policies", "policies", auth.PermCatalogRead},
		{"Catalog", "Deprecations", "/deprecations", "schedule", auth.PermScheduleRead},
		{"Partners", "Trading partners", "/partners", "partners", auth.PermPartnersRead},
		{"Partners", "Adapter templates", "/templates", "templates", auth.PermPartnersRead},
		{"Governance", "Audit log", "/audit", "audit", auth.PermAuditRead},
		{"Administration", "Users & roles", "/admin/users", "users", auth.PermUsersRead},
		{"Administration", "Service accounts", "/admin/service-accounts", "key", auth.PermServiceAccountsRead},
	}
	// The most specific matching entry is the current one (/catalog/teams
	// inside /catalog); navAlias maps pages to the entry that lists them.
	path = navAlias(path)
	current := ""
	for _, e := range entries {
		if role.Can(e.perm) && (path == e.href || (e.href != "/" && strings.HasPrefix(path, e.href+"/"))) && len(e.href) > len(current) {
			current = e.href
		}
	}
	var out []layout.NavSection
	for _, e := range entries {
		if !role.Can(e.perm) {
			continue
		}
		active := e.href == current
		item := layout.NavItem{Label: e.label, Href: e.href, Icon: e.icon, Active: active}
		if n := len(out); n > 0 && out[n-1].Title == e.section {
			out[n-1].Items = append(out[n-1].Items, item)
			continue
		}
		out = append(out, layout.NavSection{Title: e.section, Items: []layout.NavItem{item}})
	}
	return out
}

// flashText maps the flash codes handlers redirect with to sentences, so no
// text from the URL is ever echoed.
func flashText(code string) string {
	switch code {
	case "user-disabled":
		return "The user was disabled and signed out everywhere."
	case "user-enabled":
		return "The user was enabled."
	case "logged-out":
		return "You have signed out."
	case "service-account-revoked":
		return "The service account was revoked; its token no longer works."
	}
	return catalogFlashText(code)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
