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

	// JSON API (RFC 9457 problem details on every error).
	r.get("/api/v1/me", auth.PermProfileRead, s.apiMe)
	r.get("/api/v1/audit/events", auth.PermAuditRead, s.apiAuditEvents)

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
		{"Governance", "Audit log", "/audit", "audit", auth.PermAuditRead},
		{"Administration", "Users & roles", "/admin/users", "users", auth.PermUsersRead},
	}
	var out []layout.NavSection
	for _, e := range entries {
		if !role.Can(e.perm) {
			continue
		}
		active := path == e.href || (e.href != "/" && strings.HasPrefix(path, e.href+"/"))
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
	}
	return ""
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
