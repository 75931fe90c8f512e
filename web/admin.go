package web

import (
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/views/pages"
	"github.com/crossdock/crossdock/web/middleware"
)

// usersPage lists users and the role mapping in force.
func (s *Server) usersPage(c *fiber.Ctx) error {
	p, _ := middleware.GetPrincipal(c)
	users, err := s.d.Auth.Users(ctx(c))
	if err != nil {
		return err
	}
	now := time.Now()
	m := pages.UsersPage{Chrome: s.chrome(c, "Users & roles"), RoleClaim: s.d.Config.OIDC.RoleClaim, CanManage: p.Role.Can(auth.PermUsersManage), LoginMethod: "single sign-on at " + s.d.Config.OIDC.Issuer}
	if s.d.OIDC == nil {
		m.LoginMethod = "development login (demo users keep their seeded roles)"
	}
	for _, u := range users {
		row := pages.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Subject: u.Subject, Issuer: u.Issuer, Disabled: u.Disabled, Self: u.ID == p.UserID, Created: timeView(u.CreatedAt, now)}
		if u.Role != "" {
			row.RoleLabel = u.Role.Label()
		}
		if u.LastLoginAt != nil {
			row.LastLogin = timeView(*u.LastLoginAt, now)
		}
		m.Users = append(m.Users, row)
	}
	claims := make([]string, 0, len(s.d.Config.OIDC.RoleMap))
	for k := range s.d.Config.OIDC.RoleMap {
		claims = append(claims, k)
	}
	sort.Strings(claims)
	for _, k := range claims {
		m.RoleMap = append(m.RoleMap, pages.RoleMapRow{Claim: k, RoleLabel: auth.Role(s.d.Config.OIDC.RoleMap[k]).Label()})
	}
	return s.render(c, fiber.StatusOK, pages.Users(m))
}

func (s *Server) setDisabled(c *fiber.Ctx, disabled bool) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if p, _ := middleware.GetPrincipal(c); p.UserID == id {
		return fiber.NewError(fiber.StatusBadRequest, "You cannot disable or enable your own account.")
	}
	if err := s.d.Auth.SetDisabled(ctx(c), id, disabled); err != nil {
		return err
	}
	flash := "user-enabled"
	if disabled {
		flash = "user-disabled"
	}
	return c.Redirect("/admin/users?flash="+flash, fiber.StatusSeeOther)
}

func (s *Server) disableUser(c *fiber.Ctx) error { return s.setDisabled(c, true) }
func (s *Server) enableUser(c *fiber.Ctx) error  { return s.setDisabled(c, false) }
