package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/views/pages"
)

// Teams and systems: who owns what.

// apiCountsByOwner counts APIs per owner team slug.
func (s *Server) apiCountsByOwner(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := s.eachCatalogRow(ctx, catalog.ListFilter{}, func(r catalog.ListRow) error {
		counts[r.OwnerSlug]++
		return nil
	})
	return counts, err
}

func (s *Server) teamsPage(c *fiber.Ctx) error {
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	systems, err := s.d.Catalog.Systems(ctx(c))
	if err != nil {
		return err
	}
	counts, err := s.apiCountsByOwner(ctx(c))
	if err != nil {
		return err
	}
	m := pages.TeamsPage{Chrome: s.chrome(c, "Teams and systems"), CanWrite: role(c).Can(auth.PermCatalogWrite)}
	for _, t := range teams {
		row := pages.TeamRow{Slug: t.Slug, Name: t.Name, Email: t.ContactEmail, Chat: t.ContactChat, APIs: counts[t.Slug]}
		for _, x := range systems {
			if x.OwnerTeamID != nil && *x.OwnerTeamID == t.ID {
				row.Systems++
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return s.render(c, fiber.StatusOK, pages.Teams(m))
}

func (s *Server) teamPage(c *fiber.Ctx) error {
	t, err := s.d.Catalog.Team(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	apis, _, err := s.d.Catalog.List(ctx(c), catalog.ListFilter{Owner: t.Slug, PageSize: 200})
	if err != nil {
		return err
	}
	systems, err := s.d.Catalog.Systems(ctx(c))
	if err != nil {
		return err
	}
	bySystem, err := s.d.Catalog.APISlugsBySystem(ctx(c))
	if err != nil {
		return err
	}
	rows, err := s.scoredRows(c, apis)
	if err != nil {
		return err
	}
	m := pages.TeamPage{Chrome: s.chrome(c, t.Name), Slug: t.Slug, Name: t.Name, Description: t.Description, Email: t.ContactEmail, Chat: t.ContactChat,
		APIs: rows, CanWrite: role(c).Can(auth.PermCatalogWrite)}
	for _, x := range systems {
		if x.OwnerTeamID != nil && *x.OwnerTeamID == t.ID {
			m.Systems = append(m.Systems, pages.SystemRow{Slug: x.Slug, Name: x.Name, Kind: x.Kind, APIs: len(bySystem[x.ID])})
		}
	}
	if m.History, m.HistoryMore, err = s.entityHistory(c, []audit.Filter{{EntityType: "team", EntityID: t.Slug, PageSize: 20}}, 20); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.Team(m))
}

func (s *Server) teamForm(c *fiber.Ctx, status int, edit bool, v pages.TeamFormValues, errs map[string]string) error {
	title := "New team"
	if edit {
		title = "Edit " + v.Name
	}
	return s.render(c, status, pages.TeamForm(pages.TeamFormPage{Chrome: s.chrome(c, title), Edit: edit, Values: v, Errors: errs}))
}

func readTeamForm(c *fiber.Ctx) pages.TeamFormValues {
	return pages.TeamFormValues{Slug: formValue(c, "slug"), Name: formValue(c, "name"), Description: formText(c, "description"),
		ContactEmail: formValue(c, "contact_email"), ContactChat: formValue(c, "contact_chat")}
}

func teamInput(v pages.TeamFormValues) catalog.TeamInput {
	return catalog.TeamInput{Slug: v.Slug, Name: v.Name, Description: v.Description, ContactEmail: v.ContactEmail, ContactChat: v.ContactChat}
}

func (s *Server) newTeamPage(c *fiber.Ctx) error {
	return s.teamForm(c, fiber.StatusOK, false, pages.TeamFormValues{}, nil)
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	v := readTeamForm(c)
	t, err := s.d.Catalog.SaveTeam(ctx(c), teamInput(v), false)
	if fields := catalogValidation(err); fields != nil {
		return s.teamForm(c, fiber.StatusUnprocessableEntity, false, v, fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/catalog/teams/"+t.Slug+"?flash=team-created", fiber.StatusSeeOther)
}

func (s *Server) editTeamPage(c *fiber.Ctx) error {
	t, err := s.d.Catalog.Team(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	return s.teamForm(c, fiber.StatusOK, true, pages.TeamFormValues{Slug: t.Slug, Name: t.Name, Description: t.Description, ContactEmail: t.ContactEmail, ContactChat: t.ContactChat}, nil)
}

func (s *Server) updateTeam(c *fiber.Ctx) error {
	t, err := s.d.Catalog.Team(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	v := readTeamForm(c)
	v.Slug = t.Slug
	if _, err := s.d.Catalog.SaveTeam(ctx(c), teamInput(v), true); err != nil {
		if fields := catalogValidation(err); fields != nil {
			return s.teamForm(c, fiber.StatusUnprocessableEntity, true, v, fields)
		}
		return err
	}
	return c.Redirect("/catalog/teams/"+t.Slug+"?flash=team-updated", fiber.StatusSeeOther)
}

// ---- systems ----

func teamsByID(teams []catalog.Team) map[int64]catalog.Team {
	out := make(map[int64]catalog.Team, len(teams))
	for _, t := range teams {
		out[t.ID] = t
	}
	return out
}

func ownerOf(byID map[int64]catalog.Team, id *int64) catalog.Team {
	if id == nil {
		return catalog.Team{}
	}
	return byID[*id]
}

func (s *Server) systemsPage(c *fiber.Ctx) error {
	systems, err := s.d.Catalog.Systems(ctx(c))
	if err != nil {
		return err
	}
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	bySystem, err := s.d.Catalog.APISlugsBySystem(ctx(c))
	if err != nil {
		return err
	}
	byID := teamsByID(teams)
	m := pages.SystemsPage{Chrome: s.chrome(c, "Systems"), CanWrite: role(c).Can(auth.PermCatalogWrite)}
	for _, x := range systems {
		owner := ownerOf(byID, x.OwnerTeamID)
		m.Rows = append(m.Rows, pages.SystemRow{Slug: x.Slug, Name: x.Name, Kind: x.Kind, OwnerSlug: owner.Slug, OwnerName: owner.Name, APIs: len(bySystem[x.ID])})
	}
	return s.render(c, fiber.StatusOK, pages.Systems(m))
}

func (s *Server) systemPage(c *fiber.Ctx) error {
	x, err := s.d.Catalog.System(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	bySystem, err := s.d.Catalog.APISlugsBySystem(ctx(c))
	if err != nil {
		return err
	}
	owner := ownerOf(teamsByID(teams), x.OwnerTeamID)
	m := pages.SystemPage{Chrome: s.chrome(c, x.Name), Slug: x.Slug, Name: x.Name, Kind: x.Kind, Description: x.Description,
		OwnerSlug: owner.Slug, OwnerName: owner.Name, CanWrite: role(c).Can(auth.PermCatalogWrite)}
	if slugs := bySystem[x.ID]; len(slugs) > 0 {
		apis, _, err := s.d.Catalog.List(ctx(c), catalog.ListFilter{Slugs: slugs, PageSize: 200})
		if err != nil {
			return err
		}
		if m.APIs, err = s.scoredRows(c, apis); err != nil {
			return err
		}
	}
	if m.History, m.HistoryMore, err = s.entityHistory(c, []audit.Filter{{EntityType: "system", EntityID: x.Slug, PageSize: 20}}, 20); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, pages.System(m))
}

func (s *Server) systemForm(c *fiber.Ctx, status int, edit bool, v pages.SystemFormValues, errs map[string]string) error {
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	title := "New system"
	if edit {
		title = "Edit " + v.Name
	}
	return s.render(c, status, pages.SystemForm(pages.SystemFormPage{Chrome: s.chrome(c, title), Edit: edit, Values: v, Errors: errs,
		Kinds: catalog.SystemKinds(), Teams: teamOptions(teams)}))
}

func readSystemForm(c *fiber.Ctx) pages.SystemFormValues {
	return pages.SystemFormValues{Slug: formValue(c, "slug"), Name: formValue(c, "name"), Kind: formValue(c, "kind"),
		Description: formText(c, "description"), OwnerTeam: formValue(c, "owner_team")}
}

func systemInput(v pages.SystemFormValues) catalog.SystemInput {
	return catalog.SystemInput{Slug: v.Slug, Name: v.Name, Kind: v.Kind, Description: v.Description, OwnerTeam: v.OwnerTeam}
}

func (s *Server) newSystemPage(c *fiber.Ctx) error {
	return s.systemForm(c, fiber.StatusOK, false, pages.SystemFormValues{}, nil)
}

func (s *Server) createSystem(c *fiber.Ctx) error {
	v := readSystemForm(c)
	x, err := s.d.Catalog.SaveSystem(ctx(c), systemInput(v), false)
	if fields := catalogValidation(err); fields != nil {
		return s.systemForm(c, fiber.StatusUnprocessableEntity, false, v, fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/catalog/systems/"+x.Slug+"?flash=system-created", fiber.StatusSeeOther)
}

func (s *Server) editSystemPage(c *fiber.Ctx) error {
	x, err := s.d.Catalog.System(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	teams, err := s.d.Catalog.Teams(ctx(c))
	if err != nil {
		return err
	}
	owner := ownerOf(teamsByID(teams), x.OwnerTeamID)
	return s.systemForm(c, fiber.StatusOK, true, pages.SystemFormValues{Slug: x.Slug, Name: x.Name, Kind: x.Kind, Description: x.Description, OwnerTeam: owner.Slug}, nil)
}

func (s *Server) updateSystem(c *fiber.Ctx) error {
	x, err := s.d.Catalog.System(ctx(c), param(c, "slug"))
	if err != nil {
		return err
	}
	v := readSystemForm(c)
	v.Slug = x.Slug
	if _, err := s.d.Catalog.SaveSystem(ctx(c), systemInput(v), true); err != nil {
		if fields := catalogValidation(err); fields != nil {
			return s.systemForm(c, fiber.StatusUnprocessableEntity, true, v, fields)
		}
		return err
	}
	return c.Redirect("/catalog/systems/"+x.Slug+"?flash=system-updated", fiber.StatusSeeOther)
}
