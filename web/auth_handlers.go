package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

func (s *Server) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: middleware.SessionCookie, Value: token, Path: "/",
		MaxAge: int(s.d.Config.SessionMaxAge.Seconds()), HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) loginPageModel(c *fiber.Ctx, errText string) (pages.LoginPage, error) {
	p := pages.LoginPage{Chrome: s.chrome(c, "Sign in"), OIDC: s.d.OIDC != nil, ReturnTo: auth.SafeReturnTo(c.Query("return_to")), Error: errText}
	if !p.OIDC {
		users, err := s.d.Auth.DevUsers(ctx(c))
		if err != nil {
			return p, err
		}
		for _, u := range users {
			p.DevUsers = append(p.DevUsers, pages.DevUser{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), RoleLabel: u.Role.Label()})
		}
	}
	return p, nil
}

// loginPage offers single sign-on, or the demo users of the dev login.
func (s *Server) loginPage(c *fiber.Ctx) error {
	if _, ok := middleware.GetPrincipal(c); ok {
		return c.Redirect(auth.SafeReturnTo(c.Query("return_to")), fiber.StatusSeeOther)
	}
	p, err := s.loginPageModel(c, "")
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.Login(p))
}

// oidcBegin starts the authorization code flow and binds its state to this
// browser with a short-lived cookie.
func (s *Server) oidcBegin(c *fiber.Ctx) error {
	authURL, state, err := s.d.OIDC.Begin(ctx(c), c.Query("return_to"))
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: middleware.LoginStateCookie, Value: state, Path: "/auth", MaxAge: 600, HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(authURL, fiber.StatusFound)
}

// oidcCallback completes the flow, provisions the user and starts a session.
func (s *Server) oidcCallback(c *fiber.Ctx) error {
	browserState := c.Cookies(middleware.LoginStateCookie)
	c.Cookie(&fiber.Cookie{Name: middleware.LoginStateCookie, Value: "", Path: "/auth", MaxAge: -1, HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
	if e := c.Query("error"); e != "" {
		return &auth.LoginError{Reason: "the identity provider refused the sign-in (" + e + ")", Err: errors.New(e + ": " + c.Query("error_description"))}
	}
	cb, err := s.d.OIDC.Complete(ctx(c), c.Query("state"), browserState, c.Query("code"))
	if err != nil {
		return err
	}
	return s.startSession(c, cb.Identity, cb.Role, cb.IDToken, cb.ReturnTo)
}

// devLogin signs in as a seeded demo user; only routed with CROSSDOCK_DEV_LOGIN.
func (s *Server) devLogin(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.FormValue("user_id"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "Choose one of the demo users.")
	}
	u, err := s.d.Auth.User(ctx(c), id)
	if err != nil || u.Issuer != auth.DevIssuer {
		return fiber.NewError(fiber.StatusBadRequest, "That demo user does not exist. Reload the sign-in page.")
	}
	return s.startSession(c, auth.Identity{Issuer: u.Issuer, Subject: u.Subject, Email: u.Email, Name: u.Name}, u.Role, "", c.FormValue("return_to"))
}

func (s *Server) startSession(c *fiber.Ctx, id auth.Identity, role auth.Role, idToken, returnTo string) error {
	res, err := s.d.Auth.Login(ctx(c), id, role, idToken, c.Cookies(middleware.SessionCookie))
	switch {
	case errors.Is(err, auth.ErrNoRole):
		c.ClearCookie(middleware.SessionCookie)
		return s.render(c, fiber.StatusForbidden, pages.NoAccess(pages.NoAccessPage{Chrome: s.chrome(c, "No access"), Name: res.User.Name, Email: res.User.Email, RoleClaim: s.d.Config.OIDC.RoleClaim}))
	case errors.Is(err, auth.ErrUserDisabled):
		c.ClearCookie(middleware.SessionCookie)
		p, perr := s.loginPageModel(c, "Your Crossdock account is disabled. Ask an administrator to enable it.")
		if perr != nil {
			return perr
		}
		return s.render(c, fiber.StatusForbidden, pages.Login(p))
	case err != nil:
		return err
	}
	s.setSessionCookie(c, res.Token)
	return c.Redirect(auth.SafeReturnTo(returnTo), fiber.StatusSeeOther)
}

// logout ends the session, then, with OIDC, ends the provider's session too
// (RP-initiated logout) when it offers an end-session endpoint.
func (s *Server) logout(c *fiber.Ctx) error {
	token := c.Cookies(middleware.SessionCookie)
	var idToken string
	if token != "" {
		var err error
		if idToken, err = s.d.Auth.Logout(ctx(c), token); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: middleware.SessionCookie, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
	back := s.d.Config.BaseURL + "/login?flash=logged-out"
	if s.d.OIDC != nil {
		if u := s.d.OIDC.LogoutURL(ctx(c), idToken, back); u != "" {
			return c.Redirect(u, fiber.StatusSeeOther)
		}
	}
	return c.Redirect("/login?flash=logged-out", fiber.StatusSeeOther)
}
