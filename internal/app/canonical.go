package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
)

// registerCanonical makes sure the canonical contracts are in the catalog;
// migrate up and seed run it, and it changes nothing when they are.
func registerCanonical(ctx context.Context, db *gorm.DB, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.Actor{ID: "system:install", Name: "Crossdock install", Role: string(auth.RoleAdmin)})
	plan, err := catalogcode.NewService(db, catalog.NewService(db)).Apply(ctx, catalogcode.CanonicalDocument(), false)
	if err != nil {
		return fmt.Errorf("register canonical contracts: %w", err)
	}
	c := plan.Counts()
	if c.Refused > 0 {
		var reasons []string
		for _, it := range plan.Items {
			if it.Action == catalogcode.Refused {
				reasons = append(reasons, it.Key+": "+strings.Join(it.Reasons, "; "))
			}
		}
		return fmt.Errorf("register canonical contracts: refused: %s", strings.Join(reasons, " | "))
	}
	if c.Create+c.Update > 0 {
		fmt.Fprintf(out, "canonical contracts registered: %d created, %d updated\n", c.Create, c.Update)
	}
	return nil
}
