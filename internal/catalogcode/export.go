package catalogcode

import (
	"context"
	"sort"
	"time"

	"github.com/crossdock/crossdock/internal/catalog"
)

// Export writes the whole catalog as a document, sorted so that equal
// catalogs give equal documents: teams and systems by slug, policies by
// name and version, APIs by slug, versions by semantic version, partners by
// code (see exportPartners; never an API key, and no status). Applying
// the export to an empty database and exporting again gives the same
// document. Timestamps that only the lifecycle sets (released, deprecated,
// the sunset of a retired version) are not part of it.
func (s *Service) Export(ctx context.Context) (Document, error) {
	st, err := s.load(ctx)
	if err != nil {
		return Document{}, err
	}
	d := Document{APIVersion: APIVersion, Kind: Kind}
	teams := make([]catalog.Team, 0, len(st.teams))
	for _, t := range st.teams {
		teams = append(teams, t)
	}
	sort.Slice(teams, func(i, j int) bool { return teams[i].Slug < teams[j].Slug })
	for _, t := range teams {
		d.Teams = append(d.Teams, Team{Slug: t.Slug, Name: t.Name, Description: t.Description, ContactEmail: t.ContactEmail, ContactChat: t.ContactChat})
	}
	systems := make([]catalog.System, 0, len(st.systems))
	for _, x := range st.systems {
		systems = append(systems, x)
	}
	sort.Slice(systems, func(i, j int) bool { return systems[i].Slug < systems[j].Slug })
	for _, x := range systems {
		d.Systems = append(d.Systems, System{Slug: x.Slug, Name: x.Name, Kind: x.Kind, OwnerTeam: slugOf(st.teamSlug, x.OwnerTeamID), Description: x.Description})
	}
	policies := append([]policyRow(nil), st.policyList...)
	sort.Slice(policies, func(i, j int) bool {
		if policies[i].Name != policies[j].Name {
			return policies[i].Name < policies[j].Name
		}
		return policies[i].Version < policies[j].Version
	})
	for _, p := range policies {
		out := Policy{Name: p.Name, Version: p.Version, Description: p.Description}
		if p.Settings != "{}" {
			out.Settings = rawJSON(p.Settings)
		}
		d.Policies = append(d.Policies, out)
	}
	apis := append([]catalog.API(nil), st.apiList...)
	sort.Slice(apis, func(i, j int) bool { return apis[i].Slug < apis[j].Slug }) // bytes, not the database's collation
	for _, a := range apis {
		out := API{Slug: a.Slug, Name: a.Name, Kind: a.Kind, Domain: a.Domain, OwnerTeam: slugOf(st.teamSlug, a.OwnerTeamID),
			System: slugOf(st.systemSlug, a.SystemID), Description: a.Description, Tags: normalizeTags(a.Tags)}
		if len(out.Tags) == 0 {
			out.Tags = nil
		}
		versions := make([]catalog.Version, 0, len(st.versions[a.ID]))
		for _, v := range st.versions[a.ID] {
			versions = append(versions, v)
		}
		sort.Slice(versions, func(i, j int) bool { return versions[i].SemVer().Less(versions[j].SemVer()) })
		for _, v := range versions {
			out.Versions = append(out.Versions, exportVersion(st, v))
		}
		d.APIs = append(d.APIs, out)
	}
	d.Partners = exportPartners(st)
	return d, nil
}

func exportVersion(st *state, v catalog.Version) Version {
	out := Version{Version: v.Version, Lifecycle: string(v.Lifecycle), Schema: rawDocument(v.Schema, true),
		OpenAPI: rawDocument(v.OpenAPI, false), AsyncAPI: rawDocument(v.AsyncAPI, false), Changelog: v.Changelog}
	switch v.Lifecycle {
	case catalog.Deprecated:
		if v.SunsetAt != nil {
			out.SunsetAt = v.SunsetAt.UTC().Format(time.RFC3339Nano)
		}
		out.Successor = slugOf(st.versionStr, v.SuccessorVersionID)
	case catalog.Retired:
		out.Successor = slugOf(st.versionStr, v.SuccessorVersionID)
	}
	for _, r := range st.attached[v.ID] {
		out.Policies = append(out.Policies, r.key())
	}
	return out
}

func slugOf(names map[int64]string, id *int64) string {
	if id == nil {
		return ""
	}
	return names[*id]
}
