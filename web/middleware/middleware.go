// Package middleware holds the console's HTTP middleware: request id,
// access log and metrics, security headers, session, CSRF and RBAC.
package middleware

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
)

// Cookie and header names.
const (
	SessionCookie    = "crossdock_session"
	AnonCSRFCookie   = "crossdock_csrf"
	LoginStateCookie = "crossdock_login_state"
	HeaderRequestID  = "X-Request-ID"
	HeaderCSRF       = "X-CSRF-Token"
	FormCSRF         = "_csrf"
)

type localKey int

const (
	keyPrincipal localKey = iota
	keyRequestID
)

// Errors the error handler turns into pages or problem JSON.
var (
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("permission denied")
	ErrCSRF            = errors.New("CSRF token missing or invalid")
)

// RequestID accepts a sane incoming X-Request-ID or makes one, and sets it
// on the response.
func RequestID() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Get(HeaderRequestID)
		if !saneID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Locals(keyRequestID, id)
		c.Set(HeaderRequestID, id)
		return c.Next()
	}
}

func saneID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// GetRequestID returns the request id set by RequestID.
func GetRequestID(c *fiber.Ctx) string {
	s, _ := c.Locals(keyRequestID).(string)
	return s
}

// Metrics holds the HTTP collectors.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers HTTP request counters and latency histograms on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crossdock_http_requests_total", Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "crossdock_http_request_duration_seconds", Help: "HTTP request latency by method and route.", Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// AccessLog logs each request once and records its metrics by route
// pattern (never by raw path, which would explode the label set).
func AccessLog(log *slog.Logger, m *Metrics, errorHandler fiber.ErrorHandler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// Let the error handler write the response now, so the status is known.
			if herr := errorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		route := c.Route().Path
		if status == fiber.StatusNotFound && (route == "/" || route == "") && c.Path() != "/" {
			route = "unmatched"
		}
		method := c.Method()
		elapsed := time.Since(start)
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
		attrs := []any{"method", method, "path", c.Path(), "route", route, "status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000, "request_id", GetRequestID(c)}
		if p, ok := GetPrincipal(c); ok && p.ServiceAccountID != 0 {
			attrs = append(attrs, "service_account_id", p.ServiceAccountID)
		} else if ok {
			attrs = append(attrs, "user_id", p.UserID)
		}
		if status >= 500 {
			log.Error("request", attrs...)
		} else if c.Path() != "/healthz" && c.Path() != "/metrics" {
			log.Info("request", attrs...)
		}
		return nil
	}
}

// SecurityHeaders sets the CSP (no inline script or style) and friends.
func SecurityHeaders(tls bool) fiber.Handler {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self' https: http:; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
	return func(c *fiber.Ctx) error {
		c.Set("Content-Security-Policy", csp)
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if tls {
			c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

// Session resolves the session cookie to a principal, if any, and puts the
// audit actor into the request context. It never fails the request for a
// missing or expired session: RBAC decides.
func Session(svc *auth.Service, log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		actor := audit.Actor{ID: "anonymous", RequestID: GetRequestID(c), ClientIP: c.IP()}
		if token := c.Cookies(SessionCookie); token != "" {
			p, err := svc.Authenticate(c.UserContext(), token)
			switch {
			case err == nil:
				c.Locals(keyPrincipal, p)
				actor.ID, actor.Name, actor.Role = p.ActorID(), p.Name, string(p.Role)
			case errors.Is(err, auth.ErrNoSession), errors.Is(err, auth.ErrSessionExpired), errors.Is(err, auth.ErrUserDisabled):
				c.ClearCookie(SessionCookie)
			default:
				return err
			}
		}
		c.SetUserContext(audit.WithActor(c.UserContext(), actor))
		return c.Next()
	}
}

// GetPrincipal returns the signed-in person, if any.
func GetPrincipal(c *fiber.Ctx) (auth.Principal, bool) {
	p, ok := c.Locals(keyPrincipal).(auth.Principal)
	return p, ok
}

// CSRFToken is the token forms must send back: the session's, or for
// anonymous pages (login) a random one in its own cookie.
func CSRFToken(c *fiber.Ctx, secure bool) string {
	if p, ok := GetPrincipal(c); ok {
		return p.CSRFToken
	}
	if t := c.Cookies(AnonCSRFCookie); len(t) >= 32 {
		return t
	}
	t := auth.RandomToken(32)
	c.Cookie(&fiber.Cookie{Name: AnonCSRFCookie, Value: t, Path: "/", HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
	return t
}

// CSRF rejects state-changing requests whose token does not match, and
// cross-origin ones outright. JSON API calls that carry a bearer token and
// no session cookie are exempt: a browser cannot be made to send them.
func CSRF(baseURL string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if bearerWithoutSession(c) {
			return c.Next()
		}
		if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != "null" && !strings.EqualFold(origin, baseURL) && !strings.EqualFold(origin, c.BaseURL()) {
			return ErrCSRF
		}
		var expected string
		if p, ok := GetPrincipal(c); ok {
			expected = p.CSRFToken
		} else {
			expected = c.Cookies(AnonCSRFCookie)
		}
		got := c.Get(HeaderCSRF)
		if got == "" {
			got = c.FormValue(FormCSRF)
		}
		if expected == "" || subtle.ConstantTimeCompare([]byte(expected), []byte(got)) != 1 {
			return ErrCSRF
		}
		return c.Next()
	}
}

// Require lets the request through only for a principal whose role holds
// perm.
func Require(perm auth.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, ok := GetPrincipal(c)
		if !ok {
			return ErrUnauthenticated
		}
		if !p.Role.Can(perm) {
			return ErrForbidden
		}
		return c.Next()
	}
}
