package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/config"
)

// cliApplyActor is who the audit log names for changes made by
// "crossdock apply": an operator at the command line, with the admin role
// so the catalog's lifecycle permissions allow every move.
func cliApplyActor() audit.Actor {
	return audit.Actor{ID: "cli:apply", Name: "crossdock apply", Role: string(auth.RoleAdmin)}
}

// exitError ends a command with a code and a plain message on standard
// error (none when the output said it all already).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit status %d: %s", e.code, e.msg) }

// formatOf picks yaml or json from a flag value or a file name.
func formatOf(flagValue, file string) (string, error) {
	switch strings.ToLower(flagValue) {
	case catalogcode.FormatYAML, "yml":
		return catalogcode.FormatYAML, nil
	case catalogcode.FormatJSON:
		return catalogcode.FormatJSON, nil
	case "":
		switch strings.ToLower(filepath.Ext(file)) {
		case ".json":
			return catalogcode.FormatJSON, nil
		case ".yaml", ".yml":
			return catalogcode.FormatYAML, nil
		}
		return "", nil
	}
	return "", usageError(fmt.Sprintf("--format must be yaml or json, not %q", flagValue))
}

// runApply is "crossdock apply -f FILE [--dry-run]": it prints the plan,
// one line per item, and a summary; it fails (exit 1) when anything is
// refused.
func runApply(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("f", "", "catalog file (YAML or JSON)")
	dryRun := fs.Bool("dry-run", false, "show the plan, change nothing")
	if err := fs.Parse(args); err != nil {
		return usageError("apply: " + err.Error())
	}
	if *file == "" || fs.NArg() > 0 {
		return usageError("apply needs -f FILE (and optionally --dry-run)")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	format, _ := formatOf("", *file)
	doc, err := catalogcode.Parse(data, format)
	var pe *catalogcode.ParseError
	if errors.As(err, &pe) {
		return exitError{code: 1, msg: *file + ": " + err.Error()}
	}
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		svc := catalogcode.NewService(db, catalog.NewService(db))
		plan, err := svc.Apply(audit.WithActor(ctx, cliApplyActor()), doc, *dryRun)
		printPlan(stdout, plan)
		if err != nil {
			return err
		}
		if plan.Counts().Refused > 0 {
			return exitError{code: 1}
		}
		return nil
	})
}

// printPlan writes "ACTION KIND KEY [details]" lines and the summary.
func printPlan(w io.Writer, plan catalogcode.Plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, it := range plan.Items {
		var details []string
		if len(it.Changes) > 0 {
			details = append(details, "changes: "+strings.Join(it.Changes, ", "))
		}
		details = append(details, it.Notes...)
		details = append(details, it.Reasons...)
		line := fmt.Sprintf("%s\t%s\t%s", it.Action, it.Kind, it.Key)
		if len(details) > 0 {
			line += "\t" + strings.Join(details, "; ")
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if plan.DryRun {
		fmt.Fprintf(w, "\nPlan: %s. Dry run: nothing was changed.\n", plan.Summary())
	} else {
		fmt.Fprintf(w, "\nApplied: %s.\n", plan.Summary())
	}
}

// runExport is "crossdock export [-o FILE] [--format yaml|json]".
func runExport(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", "", "write to FILE instead of standard output")
	formatFlag := fs.String("format", "", "yaml (default) or json")
	if err := fs.Parse(args); err != nil {
		return usageError("export: " + err.Error())
	}
	if fs.NArg() > 0 {
		return usageError("export takes [-o FILE] [--format yaml|json]")
	}
	format, err := formatOf(*formatFlag, *out)
	if err != nil {
		return err
	}
	if format == "" {
		format = catalogcode.FormatYAML
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		doc, err := catalogcode.NewService(db, catalog.NewService(db)).Export(ctx)
		if err != nil {
			return err
		}
		b, err := catalogcode.Encode(doc, format)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = stdout.Write(b)
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(stdout, "exported %d teams, %d systems, %d policies, %d APIs to %s\n", len(doc.Teams), len(doc.Systems), len(doc.Policies), len(doc.APIs), *out)
		return nil
	})
}
