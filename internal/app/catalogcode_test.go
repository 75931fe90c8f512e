package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/testenv"
)

const cliCatalog = `apiVersion: crossdock/v1
kind: Catalog
teams:
  - slug: order-platform
    name: Order Platform
systems:
  - slug: sap-s4
    name: SAP S/4HANA
    kind: erp
    ownerTeam: order-platform
apis:
  - slug: order-intake
    name: Order intake
    kind: system
    domain: order
    ownerTeam: order-platform
    system: sap-s4
    versions:
      - version: 1.0.0
        lifecycle: published
        schema: {type: object, required: [orderNumber], properties: {orderNumber: {type: string}}}
`

func TestApplyAndExportCommands(t *testing.T) {
	db, dsn := testenv.DB(t)
	env := map[string]string{"CROSSDOCK_DATABASE_URL": dsn}
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(file, []byte(cliCatalog), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, env, "apply", "-f", file, "--dry-run")
	if code != 0 || !strings.Contains(oneSpace(out), "create version order-intake@1.0.0 lifecycle: draft → published\n") ||
		!strings.Contains(out, "Plan: 4 to create, 0 to update, 0 unchanged, 0 refused. Dry run: nothing was changed.") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, env, "apply", "-f", file); code != 0 || !strings.Contains(out, "Applied: 4 created, 0 updated, 0 unchanged, 0 refused.") {
		t.Fatalf("apply: %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run(t, env, "apply", "-f", file); code != 0 || !strings.Contains(out, "0 created, 0 updated, 4 unchanged, 0 refused") {
		t.Errorf("second apply: %d\n%s", code, out)
	}
	code, out, _ = run(t, env, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "ok: 5 events") { // 4 creates and the publish
		t.Errorf("audit after apply: %d %s", code, out)
	}
	var actors []string
	db.Table("audit_events").Distinct("actor || ' ' || actor_name || ' ' || actor_role").Pluck("actor || ' ' || actor_name || ' ' || actor_role", &actors)
	if len(actors) != 1 || actors[0] != "cli:apply crossdock apply admin" {
		t.Errorf("audit actors: %v", actors)
	}

	// Export to a file reads back as an unchanged apply.
	exported := filepath.Join(dir, "export.yaml")
	if code, out, errOut := run(t, env, "export", "-o", exported); code != 0 || !strings.Contains(out, "exported 1 teams, 1 systems, 0 policies, 1 APIs") {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, env, "apply", "-f", exported); code != 0 || !strings.Contains(out, "4 unchanged") {
		t.Errorf("apply of the export: %d\n%s", code, out)
	}
	if code, out, _ := run(t, env, "export", "--format", "json"); code != 0 || !strings.HasPrefix(out, "{\n  \"apiVersion\": \"crossdock/v1\",") {
		t.Errorf("JSON export: %d %s", code, out)
	}

	// Refused items: the plan says why, and the command fails.
	changed := strings.Replace(cliCatalog, "{orderNumber: {type: string}}", "{orderNumber: {type: integer}}", 1)
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, env, "apply", "-f", file)
	if code != 1 || !strings.Contains(oneSpace(out), "refused version order-intake@1.0.0 published version is immutable") || !strings.Contains(out, "published version is immutable") || !strings.Contains(out, "1 refused") {
		t.Errorf("refused apply: %d\n%s", code, out)
	}

	// A file that cannot be read says so on stderr.
	if err := os.WriteFile(file, []byte("apiVersion: crossdock/v1\nkind: Catalog\ntemas: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, env, "apply", "-f", file); code != 1 || !strings.Contains(errOut, `unknown field "temas"`) {
		t.Errorf("malformed file: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, env, "apply"); code != 2 || !strings.Contains(errOut, "apply needs -f FILE") {
		t.Errorf("apply without a file: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, env, "export", "--format", "xml"); code != 2 || !strings.Contains(errOut, "--format must be yaml or json") {
		t.Errorf("export --format xml: %d %s", code, errOut)
	}
}

// oneSpace collapses the table's column padding to single spaces.
func oneSpace(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
