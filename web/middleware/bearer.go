package middleware

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
)

// BearerAuthenticator resolves a bearer token to the principal it stands
// for (a service account). For an invalid or revoked token its error wraps
// ErrUnauthenticated (a 401); any other error is a failure of the server.
type BearerAuthenticator func(ctx context.Context, token string) (auth.Principal, error)

// APIPrefix is where bearer tokens are accepted: the JSON API only.
const APIPrefix = "/api/"

// bearerToken returns the token of an "Authorization: Bearer ..." header.
func bearerToken(c *fiber.Ctx) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	if !ok && strings.EqualFold(scheme, "Bearer") {
		return "", true // "Bearer" with nothing after it
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Bearer authenticates JSON API requests that carry an Authorization:
// Bearer token, replacing any session principal, so RBAC (Require) and the
// audit actor work exactly as for a person. An invalid or revoked token is
// a 401; it never falls back to the session. Other paths ignore the header.
func Bearer(authenticate BearerAuthenticator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !strings.HasPrefix(c.Path(), APIPrefix) {
			return c.Next()
		}
		token, ok := bearerToken(c)
		if !ok {
			return c.Next()
		}
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="crossdock"`)
		if token == "" {
			return fmt.Errorf("%w: empty bearer token", ErrUnauthenticated)
		}
		p, err := authenticate(c.UserContext(), token)
		if errors.Is(err, ErrUnauthenticated) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="crossdock", error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		c.Locals(keyPrincipal, p)
		c.SetUserContext(audit.WithActor(c.UserContext(), audit.Actor{
			ID: p.ActorID(), Name: p.Name, Role: string(p.Role), RequestID: GetRequestID(c), ClientIP: c.IP(),
		}))
		return c.Next()
	}
}

// bearerWithoutSession reports a request authenticated only by its bearer
// token: no cookie travels with it, so there is nothing to forge and CSRF
// does not apply.
func bearerWithoutSession(c *fiber.Ctx) bool {
	if !strings.HasPrefix(c.Path(), APIPrefix) || c.Cookies(SessionCookie) != "" {
		return false
	}
	token, ok := bearerToken(c)
	return ok && token != ""
}
