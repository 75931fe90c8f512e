package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/serviceaccount"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// bearerPrincipal resolves a JSON API bearer token to its service account,
// for middleware.Bearer.
func (s *Server) bearerPrincipal(c context.Context, token string) (auth.Principal, error) {
	if s.d.ServiceAccounts == nil {
		return auth.Principal{}, fmt.Errorf("%w: service accounts are not configured", middleware.ErrUnauthenticated)
	}
	a, err := s.d.ServiceAccounts.Authenticate(c, token)
	if errors.Is(err, serviceaccount.ErrInvalidToken) {
		return auth.Principal{}, fmt.Errorf("%w: %w", middleware.ErrUnauthenticated, err)
	}
	if err != nil {
		return auth.Principal{}, err
	}
	return a.Principal(), nil
}

// serviceAccountsModel fills the page: every account, the create form.
func (s *Server) serviceAccountsModel(c *fiber.Ctx) (pages.ServiceAccountsPage, error) {
	p, _ := middleware.GetPrincipal(c)
	accounts, err := s.d.ServiceAccounts.List(ctx(c))
	if err != nil {
		return pages.ServiceAccountsPage{}, err
	}
	m := pages.ServiceAccountsPage{Chrome: s.chrome(c, "Service accounts"), CanManage: p.Role.Can(auth.PermServiceAccountsManage),
		BaseURL: strings.TrimRight(s.d.Config.BaseURL, "/"), Form: pages.ServiceAccountForm{Role: string(auth.RoleIntegrationManager)}}
	for _, r := range auth.Roles() {
		m.Roles = append(m.Roles, pages.RoleOption{Value: string(r), Label: r.Label()})
	}
	now := time.Now()
	for _, a := range accounts {
		row := pages.ServiceAccountRow{ID: a.ID, Name: a.Name, RoleLabel: a.Role.Label(), Prefix: serviceaccount.TokenPrefix + a.TokenPrefix + "_…",
			CreatedBy: a.CreatedBy, Created: timeView(a.CreatedAt, now), Active: a.Active()}
		if a.LastUsedAt != nil {
			row.LastUsed = timeView(*a.LastUsedAt, now)
		}
		if a.RevokedAt != nil {
			row.Revoked = timeView(*a.RevokedAt, now)
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

// serviceAccountsPage lists the service accounts.
func (s *Server) serviceAccountsPage(c *fiber.Ctx) error {
	m, err := s.serviceAccountsModel(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.ServiceAccounts(m))
}

// createServiceAccount creates an account and shows its token on the page
// it answers with: once, never again (it is not stored).
func (s *Server) createServiceAccount(c *fiber.Ctx) error {
	form := pages.ServiceAccountForm{Name: strings.Clone(c.FormValue("name")), Role: strings.Clone(c.FormValue("role"))}
	a, token, err := s.d.ServiceAccounts.Create(ctx(c), form.Name, auth.Role(form.Role))
	var ve *serviceaccount.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	m, lerr := s.serviceAccountsModel(c)
	if lerr != nil {
		return lerr
	}
	if ve != nil {
		m.Form, m.Errors = form, ve.Fields
		return s.render(c, fiber.StatusUnprocessableEntity, pages.ServiceAccounts(m))
	}
	m.NewToken, m.NewName = token, a.Name
	return s.render(c, fiber.StatusCreated, pages.ServiceAccounts(m))
}

// revokeServiceAccount stops accepting an account's token.
func (s *Server) revokeServiceAccount(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if _, err := s.d.ServiceAccounts.Revoke(ctx(c), id); err != nil {
		return err
	}
	return c.Redirect("/admin/service-accounts?flash=service-account-revoked", fiber.StatusSeeOther)
}
