// Package web is the Fiber application: one route table (routes.go), thin
// handlers, one error handler, one render helper.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/config"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/internal/scorecard"
	"github.com/crossdock/crossdock/internal/serviceaccount"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/static"
	"github.com/crossdock/crossdock/views/layout"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// Deps is everything the web app needs, built by internal/app.
type Deps struct {
	Config    config.Config
	Log       *slog.Logger
	DB        *gorm.DB
	Redis     redis.UniversalClient
	Inspector *asynq.Inspector
	Migrator  *store.Migrator
	Auth      *auth.Service
	OIDC      *auth.OIDC // nil when the development login is used
	Assets    *static.Assets
	Metrics   *prometheus.Registry
	Catalog   *catalog.Service
	Policy    *policy.Service
	Scorecard *scorecard.Service
	// CatalogCode applies and exports catalog documents (the JSON API).
	CatalogCode *catalogcode.Service
	// ServiceAccounts authenticates bearer tokens and backs the admin page.
	ServiceAccounts *serviceaccount.Service
	// Partners is the trading-partner register (the /partners pages).
	Partners *partner.Service
	// Adapters is partners' adapters: revisions, samples, playground runs, conformance and impact analysis.
	Adapters *adapter.Service
}

// Server is the Fiber app and its route table.
type Server struct {
	App    *fiber.App
	Routes []Route
	d      Deps
	secure bool
}

// New builds the app.
func New(d Deps) *Server {
	s := &Server{d: d, secure: strings.HasPrefix(d.Config.BaseURL, "https://")}
	s.App = fiber.New(fiber.Config{
		AppName:               "crossdock",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             16 << 20,
	})
	s.Routes = s.routes()
	return s
}

// problem is an RFC 9457 problem details document.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
}

func wantsJSON(c *fiber.Ctx) bool {
	if strings.HasPrefix(c.Path(), "/api/") {
		return true
	}
	accept := c.Get(fiber.HeaderAccept)
	return strings.Contains(accept, "json") && !strings.Contains(accept, "html")
}

// handleError turns every error into a page or RFC 9457 JSON, logs once,
// and never shows an internal error's text.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, title, detail := http.StatusInternalServerError, "Something went wrong", "The server could not complete this request. It has been logged; try again, and tell your administrator if it persists."
	var fe *fiber.Error
	var le *auth.LoginError
	var ve *validationError
	var te *catalog.TransitionError
	var pte *partner.TransitionError
	var pve *partner.ValidationError
	switch {
	case errors.As(err, &ve):
		status, title, detail = http.StatusUnprocessableEntity, "Invalid input", "Some fields are not valid; see errors."
	case errors.Is(err, middleware.ErrUnauthenticated):
		if !wantsJSON(c) {
			return c.Redirect("/login?return_to="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		status, title, detail = http.StatusUnauthorized, "Authentication required", "Sign in, or send a valid bearer token."
	case errors.Is(err, middleware.ErrForbidden):
		status, title, detail = http.StatusForbidden, "You do not have access to this page", "Your role does not allow this. If you need it, ask an administrator."
	case errors.Is(err, middleware.ErrCSRF):
		status, title, detail = http.StatusForbidden, "This form has expired", "The page was open too long or came from another site. Reload the page and try again."
	case errors.Is(err, store.ErrNotFound), errors.Is(err, catalog.ErrNotFound), errors.Is(err, policy.ErrNotFound), errors.Is(err, partner.ErrNotFound):
		status, title, detail = http.StatusNotFound, "Not found", "There is nothing here. It may have been removed, or the link is wrong."
	case errors.Is(err, catalog.ErrForbidden):
		status, title, detail = http.StatusForbidden, "Your role does not allow this change", "Ask an integration manager or an administrator to make it."
	case errors.As(err, &te):
		status, title, detail = http.StatusConflict, "This lifecycle change is not possible", strings.Join(te.Reasons, "; ")+"."
	case errors.Is(err, catalog.ErrImmutable):
		status, title, detail = http.StatusConflict, "Published version is immutable", "A published version's contract cannot change: create a new version instead."
	case errors.As(err, &pte): // before ErrConflict, which it matches
		status, title, detail = http.StatusUnprocessableEntity, "This partner change is not possible", partnerReasons(pte.Reasons)
	case errors.Is(err, partner.ErrSameApprover):
		status, title, detail = http.StatusForbidden, "Another person must approve", "You requested this go-live, so you cannot approve it: "+partner.ErrSameApprover.Error()+"."
	case errors.Is(err, partner.ErrActorRequired):
		status, title, detail = http.StatusForbidden, "A signed-in person is needed", "Go-live requests and approvals need a signed-in person; a service account cannot make them."
	case errors.Is(err, partner.ErrConflict):
		status, title, detail = http.StatusConflict, "The partner changed meanwhile", "Someone else changed this partner at the same time. Reload the page and try again."
	case errors.As(err, &pve):
		status, title, detail = http.StatusUnprocessableEntity, "Invalid input", partnerReasons(fieldMessages(pve.Fields))
	case errors.As(err, &le):
		status, title, detail = http.StatusBadRequest, "Sign-in failed", le.Reason+"."
	case errors.As(err, &fe):
		status = fe.Code
		switch fe.Code {
		case http.StatusNotFound:
			title, detail = "Page not found", "There is no page at this address. Check the link, or start again from the home page."
		case http.StatusMethodNotAllowed:
			title, detail = "Method not allowed", "This address does not accept that kind of request."
		case http.StatusRequestEntityTooLarge:
			title, detail = "Request too large", "The request body is larger than this server accepts."
		default:
			title, detail = http.StatusText(fe.Code), fe.Message
		}
	}
	log := s.d.Log.With("request_id", middleware.GetRequestID(c), "method", c.Method(), "path", c.Path(), "status", status, slog.Any("error", err))
	if status >= 500 {
		log.Error("request failed")
	} else if status != http.StatusNotFound {
		log.Warn("request refused")
	}
	if wantsJSON(c) {
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.Status(status).JSON(problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Instance: c.OriginalURL(), RequestID: middleware.GetRequestID(c), Errors: fieldErrors(ve)}, "application/problem+json")
	}
	_, inShell := middleware.GetPrincipal(c)
	return s.render(c, status, pages.Error(pages.ErrorPage{Chrome: s.chrome(c, title), Status: status, Title: title, Message: detail, InShell: inShell}))
}

// render writes a full page, or only fragment for an htmx request that
// targets part of the page (fragment may be nil).
func (s *Server) render(c *fiber.Ctx, status int, page templ.Component, fragment ...templ.Component) error {
	comp := page
	if isHTMX(c) && len(fragment) > 0 && fragment[0] != nil {
		comp = fragment[0]
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, headerHXRequest)
	return comp.Render(c.UserContext(), c.Response().BodyWriter())
}

// chrome fills the frame every page needs.
func (s *Server) chrome(c *fiber.Ctx, title string) layout.Chrome {
	ch := layout.Chrome{
		Title: title,
		Assets: layout.Assets{
			CSS: s.d.Assets.URL("css/app.css"), HTMX: s.d.Assets.URL("js/htmx.min.js"),
			AppJS: s.d.Assets.URL("js/app.js"), Logo: s.d.Assets.URL("img/logo.svg"),
		},
		CSRF:      middleware.CSRFToken(c, s.secure),
		DevLogin:  s.d.Config.DevLogin,
		RequestID: middleware.GetRequestID(c),
	}
	if p, ok := middleware.GetPrincipal(c); ok {
		ch.Person = &layout.Person{Name: p.Name, Email: p.Email, RoleLabel: p.Role.Label()}
		ch.Nav = navFor(p.Role, c.Path())
	}
	if f := c.Query("flash"); f != "" {
		ch.Flash = flashText(f)
	}
	return ch
}

// ctx is the request's context, carrying the audit actor.
func ctx(c *fiber.Ctx) context.Context { return c.UserContext() }

func fieldErrors(ve *validationError) map[string]string {
	if ve == nil {
		return nil
	}
	return ve.fields
}
