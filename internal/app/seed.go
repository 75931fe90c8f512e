package app

import (
	"context"
	"fmt"
	"io"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
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
	return nil
}
