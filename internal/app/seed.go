package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/examples"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/store"
)

// DemoUser is a person the development login offers.
type DemoUser struct {
	Identity auth.Identity
	Role     auth.Role
}

// DemoUsers are the demo people, one per role.
func DemoUsers() []DemoUser {
	u := func(sub, name, email string, r auth.Role) DemoUser {
		return DemoUser{auth.Identity{Issuer: auth.DevIssuer, Subject: sub, Email: email, Name: name}, r}
	}
	return []DemoUser{
		u("demo-admin", "Ada Okafor", "ada.okafor@northwind-distribution.example", auth.RoleAdmin),
		u("demo-integration-manager", "Ines Moreau", "ines.moreau@northwind-distribution.example", auth.RoleIntegrationManager),
		u("demo-business-user", "Marco Rossi", "marco.rossi@northwind-distribution.example", auth.RoleBusinessUser),
		u("demo-auditor", "Priya Raman", "priya.raman@northwind-distribution.example", auth.RoleAuditor),
	}
}

// seedDemo loads the demo data; running it twice changes nothing.
func seedDemo(ctx context.Context, db *gorm.DB, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.Actor{ID: "system:seed", Name: "Demo seed"})
	svc := auth.NewService(db, 0, 0)
	for _, d := range DemoUsers() {
		err := store.WithTx(ctx, db, func(tx *gorm.DB) error {
			_, err := svc.Provision(ctx, tx, d.Identity, d.Role)
			return err
		})
		if err != nil {
			return fmt.Errorf("seed demo user %s: %w", d.Identity.Subject, err)
		}
	}
	fmt.Fprintf(out, "demo users ready: %d (one per role)\n", len(DemoUsers()))
	if err := registerCanonical(ctx, db, out); err != nil {
		return err
	}
	return seedCatalog(ctx, db, out, time.Now())
}

// demoSunsetIn puts the demo's deprecated versions a few weeks from their
// sunset, so the schedule, the notices and the headers have something to show.
const demoSunsetIn = 24 * 24 * time.Hour

// seedCatalog applies the example catalog. Deprecated versions get a sunset
// a few weeks ahead at the first run and keep it afterwards, so seeding
// again changes nothing.
func seedCatalog(ctx context.Context, db *gorm.DB, out io.Writer, now time.Time) error {
	doc, err := catalogcode.Parse(examples.Catalog, catalogcode.FormatYAML)
	if err != nil {
		return fmt.Errorf("seed: example catalog: %w", err)
	}
	cat := catalog.NewService(db)
	for i := range doc.APIs {
		for j := range doc.APIs[i].Versions {
			v := &doc.APIs[i].Versions[j]
			if v.Lifecycle != string(catalog.Deprecated) {
				continue
			}
			v.SunsetAt = now.Add(demoSunsetIn).UTC().Truncate(24 * time.Hour).Format(time.RFC3339)
			if _, existing, err := cat.Version(ctx, doc.APIs[i].Slug, v.Version); err == nil && existing.SunsetAt != nil {
				v.SunsetAt = existing.SunsetAt.UTC().Format(time.RFC3339)
			}
		}
	}
	ctx = audit.WithActor(ctx, audit.Actor{ID: "system:seed", Name: "Demo seed", Role: string(auth.RoleAdmin)})
	plan, err := catalogcode.NewService(db, cat).Apply(ctx, doc, false)
	if err != nil {
		return fmt.Errorf("seed: apply example catalog: %w", err)
	}
	c := plan.Counts()
	fmt.Fprintf(out, "demo catalog ready: %d created, %d updated, %d unchanged, %d refused\n", c.Create, c.Update, c.Unchanged, c.Refused)
	if c.Refused > 0 {
		for _, it := range plan.Items {
			if it.Action == catalogcode.Refused {
				fmt.Fprintf(out, "  refused %s %s: %s\n", it.Kind, it.Key, strings.Join(it.Reasons, "; "))
			}
		}
		return errors.New("seed: the demo catalog was not applied completely")
	}
	return nil
}
