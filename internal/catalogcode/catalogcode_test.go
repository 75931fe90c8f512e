package catalogcode_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/testenv"
)

// exampleItems is how many items the example has: 35 catalog items, and
// a partner with 2 contacts, a policy override, an adapter and 2 samples.
const exampleItems = 42

// now is the fixed moment of these tests: the example's sunset dates are
// in its future, whenever the tests run.
var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func cliCtx() context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: "cli:apply", Name: "crossdock apply", Role: "admin"})
}

func newService(t *testing.T) (*catalogcode.Service, *gorm.DB) {
	t.Helper()
	db, _ := testenv.DB(t)
	cat := catalog.NewService(db)
	clock := func() time.Time { return now }
	cat.SetClock(clock)
	svc := catalogcode.NewService(db, cat)
	svc.SetClock(clock)
	return svc, db
}

// registerCanonical puts the canonical contracts in the catalog, as
// "crossdock migrate up" does: the example's adapter targets one.
func registerCanonical(t *testing.T, svc *catalogcode.Service) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "system:install", Name: "Crossdock install", Role: "admin"})
	p, err := svc.Apply(ctx, catalogcode.CanonicalDocument(), false)
	if err != nil || p.Counts().Refused > 0 {
		t.Fatalf("register canonical contracts: %v %v", err, actions(p))
	}
}

func readExample(t *testing.T) catalogcode.Document {
	t.Helper()
	b, err := os.ReadFile("../../examples/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := catalogcode.Parse(b, "")
	if err != nil {
		t.Fatalf("parse example: %v", err)
	}
	return d
}

func parse(t *testing.T, yaml string) catalogcode.Document {
	t.Helper()
	d, err := catalogcode.Parse([]byte(yaml), catalogcode.FormatYAML)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func apply(t *testing.T, svc *catalogcode.Service, d catalogcode.Document, dryRun bool) catalogcode.Plan {
	t.Helper()
	p, err := svc.Apply(cliCtx(), d, dryRun)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return p
}

func export(t *testing.T, svc *catalogcode.Service, format string) []byte {
	t.Helper()
	d, err := svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := catalogcode.Encode(d, format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// actions lists "action kind key" per item, for comparing plans.
func actions(p catalogcode.Plan) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, string(it.Action)+" "+string(it.Kind)+" "+it.Key)
	}
	return out
}

func item(t *testing.T, p catalogcode.Plan, kind catalogcode.ItemKind, key string) catalogcode.Item {
	t.Helper()
	for _, it := range p.Items {
		if it.Kind == kind && it.Key == key {
			return it
		}
	}
	t.Fatalf("no %s %s in plan: %v", kind, key, actions(p))
	return catalogcode.Item{}
}

func onlyActions(t *testing.T, p catalogcode.Plan, want catalogcode.Action) {
	t.Helper()
	for _, it := range p.Items {
		if it.Action != want {
			t.Errorf("%s %s: got %s, want %s (reasons %v, changes %v)", it.Kind, it.Key, it.Action, want, it.Reasons, it.Changes)
		}
	}
}

// The example applies cleanly to an empty database; its export applies to
// a second empty database; both exports are byte-identical, in YAML and
// JSON; and applying the export to the first database changes nothing.
func TestRoundTrip(t *testing.T) {
	svc1, db1 := newService(t)
	registerCanonical(t, svc1)
	first := apply(t, svc1, readExample(t), false)
	onlyActions(t, first, catalogcode.Create)
	if c := first.Counts(); c.Create != exampleItems {
		t.Errorf("example: got %d items created, want %d: %v", c.Create, exampleItems, actions(first))
	}
	export1 := export(t, svc1, catalogcode.FormatYAML)

	svc2, _ := newService(t)
	d, err := catalogcode.Parse(export1, "")
	if err != nil {
		t.Fatalf("parse export: %v\n%s", err, export1)
	}
	onlyActions(t, apply(t, svc2, d, false), catalogcode.Create)
	export2 := export(t, svc2, catalogcode.FormatYAML)
	if diff := cmp.Diff(string(export1), string(export2)); diff != "" {
		t.Errorf("export -> apply -> export differs (-first +second):\n%s", diff)
	}
	if j1, j2 := export(t, svc1, catalogcode.FormatJSON), export(t, svc2, catalogcode.FormatJSON); string(j1) != string(j2) {
		t.Errorf("JSON exports differ:\n%s\n---\n%s", j1, j2)
	}

	// The JSON export reads back as the same document.
	dj, err := catalogcode.Parse(export(t, svc1, catalogcode.FormatJSON), "")
	if err != nil {
		t.Fatal(err)
	}
	if y, err := catalogcode.Encode(dj, catalogcode.FormatYAML); err != nil || string(y) != string(export1) {
		t.Errorf("the JSON export is not the same document as the YAML one (%v):\n%s", err, y)
	}

	var events int64
	db1.Model(&audit.Event{}).Count(&events)
	onlyActions(t, apply(t, svc1, d, false), catalogcode.Unchanged)
	var after int64
	db1.Model(&audit.Event{}).Count(&after)
	if after != events {
		t.Errorf("an unchanged apply wrote %d audit events", after-events)
	}

	// What the export says is what the database holds.
	for _, want := range []string{
		"apiVersion: crossdock/v1\nkind: Catalog\nteams:\n- slug: integration-architecture\n", // sorted by slug
		"  contactEmail: integration-architecture@crossdock.example\n- slug: order-platform\n",
		"  - version: 1.1.0\n    lifecycle: deprecated\n",
		"    sunsetAt: \"2027-06-30T00:00:00Z\"\n    successor: 2.0.0\n",
		"    policies:\n    - standard-auth@2\n    - erp-protection@1\n",
		"      asyncapi: 3.0.0\n",
		"partners:\n- code: ACME-RETAIL\n  name: Acme Retail\n  isa:\n    qualifier: ZZ\n    id: ACMERETAIL\n",
		"  contacts:\n  - name: Dana Buyer\n    email: dana@acme.example\n    role: business\n",
		"  policyOverrides:\n  - api: order-intake@1.1.0\n    settings:\n      rateLimit:\n",
		"  adapters:\n  - name: orders\n    template: x12-850-004010\n    target: canonical-order@1.0.0\n    revision:\n      program: |\n",
		"      active: true\n",
		"    - name: acme-850-bad-order-date\n      expect: rejected\n      content: |\n        ISA*00*",
		"      expectedErrors:\n      - BEG05\n",
	} {
		if !strings.Contains(string(export1), want) {
			t.Errorf("export lacks %q:\n%s", want, export1)
		}
	}
	for _, x := range d.Partners {
		if x.Status != "" {
			t.Errorf("partner %s: the export has status %q; status is not part of a catalog file", x.Code, x.Status)
		}
	}
}

// A second apply of the same document is all unchanged, and a dry run
// predicts exactly what the apply does.
func TestIdempotentAndDryRunPredicts(t *testing.T) {
	svc, _ := newService(t)
	registerCanonical(t, svc)
	doc := readExample(t)
	plan := apply(t, svc, doc, true)
	applied := apply(t, svc, doc, false)
	if diff := cmp.Diff(actions(plan), actions(applied)); diff != "" {
		t.Errorf("dry run and apply differ:\n%s", diff)
	}
	if !plan.DryRun || applied.DryRun {
		t.Errorf("dry run flags: %v %v", plan.DryRun, applied.DryRun)
	}
	second := apply(t, svc, doc, false)
	onlyActions(t, second, catalogcode.Unchanged)
	if got, want := second.Summary(), fmt.Sprintf("0 created, 0 updated, %d unchanged, 0 refused", exampleItems); got != want {
		t.Errorf("summary: got %q, want %q", got, want)
	}
	if got, want := plan.Summary(), fmt.Sprintf("%d to create, 0 to update, 0 unchanged, 0 refused", exampleItems); got != want {
		t.Errorf("dry-run summary: got %q, want %q", got, want)
	}
}

var tables = []string{"teams", "systems", "apis", "api_versions", "policies", "policy_attachments", "audit_events",
	"partners", "partner_contacts", "partner_policy_overrides", "adapters", "adapter_revisions", "adapter_samples"}

func counts(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestDryRunWritesNothing(t *testing.T) {
	svc, db := newService(t)
	registerCanonical(t, svc)
	// Some state first, so updates are planned too.
	apply(t, svc, parse(t, `
apiVersion: crossdock/v1
kind: Catalog
teams:
  - slug: order-platform
    name: Orders (old name)
`), false)
	before := counts(t, db)
	plan := apply(t, svc, readExample(t), true)
	if c := plan.Counts(); c.Create == 0 || c.Update != 1 {
		t.Errorf("dry run plans nothing: %+v", c)
	}
	if it := item(t, plan, catalogcode.KindTeam, "order-platform"); it.Action != catalogcode.Update || !cmp.Equal(it.Changes, []string{"name", "description", "contactEmail", "contactChat"}) {
		t.Errorf("team update: %+v", it)
	}
	if diff := cmp.Diff(before, counts(t, db)); diff != "" {
		t.Errorf("dry run wrote rows:\n%s", diff)
	}
	var names []string
	db.Table("teams").Where("slug = ?", "order-platform").Pluck("name", &names)
	if !cmp.Equal(names, []string{"Orders (old name)"}) {
		t.Errorf("dry run changed a team: %v", names)
	}
}

const base = `
apiVersion: crossdock/v1
kind: Catalog
teams:
  - slug: order-platform
    name: Order Platform
policies:
  - name: standard-auth
    version: 1
    settings: {authentication: {methods: [api-key]}}
apis:
  - slug: order-intake
    name: Order intake
    kind: system
    domain: order
    ownerTeam: order-platform
    versions:
      - version: 1.0.0
        lifecycle: published
        schema:
          type: object
          required: [orderNumber]
          properties:
            orderNumber: {type: string}
            note: {type: string}
        policies: [standard-auth@1]
`

// Refused items are reported with their reasons and skipped; the rest of
// the document is applied.
func TestRefusals(t *testing.T) {
	svc, db := newService(t)
	onlyActions(t, apply(t, svc, parse(t, base), false), catalogcode.Create)

	doc := parse(t, `
apiVersion: crossdock/v1
kind: Catalog
teams:
  - slug: warehouse-systems
    name: Warehouse Systems
systems:
  - slug: manhattan-wms
    name: Manhattan WMS
    kind: wms
    ownerTeam: nobody-owns-this
apis:
  - slug: order-intake
    name: Order intake
    kind: system
    domain: order
    ownerTeam: order-platform
    versions:
      - version: 1.0.0
        lifecycle: draft
        schema: {type: object, required: [orderNumber], properties: {orderNumber: {type: string}, note: {type: string}}}
        policies: [standard-auth@1]
      - version: 1.1.0
        lifecycle: published
        schema: {type: object, required: [orderNumber, note], properties: {orderNumber: {type: string}, note: {type: string}}}
      - version: 1.2.0
        schema: {type: object, properties: {orderNumber: {type: strang}}}
      - version: 1.3.0
        lifecycle: published
        schema: {type: object, required: [orderNumber], properties: {orderNumber: {type: string}, note: {type: string}}}
        policies: [standard-auth@7]
      - version: 2.0.0
        lifecycle: published
        schema: {type: object, required: [orderNumber, note], properties: {orderNumber: {type: string}, note: {type: string}}}
  - slug: stock-levels
    name: Stock levels
    kind: system
    domain: inventory
    ownerTeam: order-platform
    system: manhattan-wms
`)
	dry := apply(t, svc, doc, true)
	before := counts(t, db)
	plan := apply(t, svc, doc, false)
	if diff := cmp.Diff(actions(dry), actions(plan)); diff != "" {
		t.Errorf("dry run and apply differ:\n%s", diff)
	}
	want := []string{
		"create team warehouse-systems",
		"refused system manhattan-wms",
		"unchanged api order-intake",
		"refused api stock-levels",
		"refused version order-intake@1.0.0",
		"refused version order-intake@1.1.0",
		"refused version order-intake@1.2.0",
		"create version order-intake@1.3.0",
		"create version order-intake@2.0.0",
		"unchanged attachment order-intake@1.0.0",
		"refused attachment order-intake@1.3.0",
	}
	if diff := cmp.Diff(want, actions(plan)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	reasons := func(kind catalogcode.ItemKind, key string) string {
		return strings.Join(item(t, plan, kind, key).Reasons, " | ")
	}
	for _, tc := range []struct {
		kind catalogcode.ItemKind
		key  string
		want []string
	}{
		{catalogcode.KindSystem, "manhattan-wms", []string{`ownerTeam: there is no team "nobody-owns-this"`}},
		{catalogcode.KindAPI, "stock-levels", []string{`system: there is no system "manhattan-wms"`}},
		{catalogcode.KindVersion, "order-intake@1.0.0", []string{"lifecycle: a published version cannot become draft"}},
		{catalogcode.KindVersion, "order-intake@1.1.0", []string{"publish them as 2.0.0", "1.1.0 has breaking changes against 1.0.0"}},
		{catalogcode.KindVersion, "order-intake@1.2.0", []string{"schema: the JSON Schema does not compile"}},
		{catalogcode.KindAttachment, "order-intake@1.3.0", []string{"there is no policy standard-auth@7"}},
	} {
		got := reasons(tc.kind, tc.key)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s: reasons %q lack %q", tc.kind, tc.key, got, w)
			}
		}
	}
	if n := len(item(t, plan, catalogcode.KindVersion, "order-intake@1.1.0").Reasons); n < 2 {
		t.Errorf("breaking publish gives %d reasons, want each breaking change and the advice", n)
	}
	after := counts(t, db)
	if after["teams"] != before["teams"]+1 || after["api_versions"] != before["api_versions"]+2 || after["systems"] != before["systems"] {
		t.Errorf("refused items were written or others skipped: before %v after %v", before, after)
	}

	// A published contract cannot change.
	changed := parse(t, strings.Replace(base, "note: {type: string}", "note: {type: string, maxLength: 80}", 1))
	plan = apply(t, svc, changed, false)
	it := item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0")
	if it.Action != catalogcode.Refused || !strings.Contains(strings.Join(it.Reasons, " "), "published version is immutable") || !strings.Contains(it.Reasons[0], "changed: schema") {
		t.Errorf("changed published schema: %+v", it)
	}
	var schema string
	db.Table("api_versions").Where("version = ?", "1.0.0").Pluck("schema", &schema)
	if strings.Contains(schema, "maxLength") {
		t.Error("the published schema was changed")
	}
}

// Lifecycle moves go through the catalog, in order, with its permissions:
// a role that may not publish gets refused items, not an error.
func TestLifecycleThroughCatalog(t *testing.T) {
	svc, db := newService(t)
	onlyActions(t, apply(t, svc, parse(t, strings.Replace(base, "lifecycle: published", "lifecycle: draft", 1)), false), catalogcode.Create)

	managerless := audit.WithActor(context.Background(), audit.Actor{ID: "user:9", Name: "Marco", Role: "business_user"})
	plan, err := svc.Apply(managerless, parse(t, base), false)
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0"); it.Action != catalogcode.Refused || !strings.Contains(it.Reasons[0], "does not allow versions:publish") {
		t.Errorf("publish without permission: %+v", it)
	}

	plan = apply(t, svc, parse(t, base), false)
	if it := item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0"); it.Action != catalogcode.Update || !cmp.Equal(it.Changes, []string{"lifecycle"}) || it.Notes[0] != "lifecycle: draft → published" {
		t.Errorf("publish: %+v", it)
	}
	// Deprecating needs a sunset in the future and a published successor.
	deprecate := strings.Replace(base, "lifecycle: published", "lifecycle: deprecated\n        sunsetAt: 2026-01-01T00:00:00Z\n        successor: 1.0.1", 1)
	plan = apply(t, svc, parse(t, deprecate), false)
	it := item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0")
	if it.Action != catalogcode.Refused || !cmp.Equal(it.Reasons, []string{"sunsetAt: the sunset date must be in the future"}) {
		t.Errorf("deprecate with a past sunset: %+v", it)
	}
	plan = apply(t, svc, parse(t, strings.Replace(deprecate, "2026-01-01", "2027-01-01", 1)), false)
	it = item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0")
	if it.Action != catalogcode.Refused || !cmp.Equal(it.Reasons, []string{"successor: order-intake has no version 1.0.1"}) {
		t.Errorf("deprecate with an unknown successor: %+v", it)
	}
	deprecate = strings.Replace(base, "lifecycle: published", "lifecycle: retired", 1)
	plan = apply(t, svc, parse(t, deprecate), false)
	if it := item(t, plan, catalogcode.KindVersion, "order-intake@1.0.0"); it.Action != catalogcode.Update || it.Notes[0] != "lifecycle: published → retired" {
		t.Errorf("retire: %+v", it)
	}
	var got []string
	db.Model(&audit.Event{}).Where("action LIKE 'api_version.%'").Order("id").Pluck("action", &got)
	if want := []string{"api_version.create", "api_version.publish", "api_version.deprecate", "api_version.retire"}; !cmp.Equal(got, want) {
		t.Errorf("audit: got %v, want %v", got, want)
	}
	var actors []string
	db.Model(&audit.Event{}).Distinct("actor").Pluck("actor", &actors)
	if !cmp.Equal(actors, []string{"cli:apply"}) {
		t.Errorf("actors: %v", actors)
	}
}

// The policies list of a version is its complete list, in order.
func TestAttachments(t *testing.T) {
	svc, db := newService(t)
	doc := strings.Replace(base, "policies:\n  - name: standard-auth", "policies:\n  - name: erp-protection\n    version: 1\n    settings: {priority: high}\n  - name: standard-auth", 1)
	apply(t, svc, parse(t, strings.Replace(doc, "[standard-auth@1]", "[standard-auth@1, erp-protection@1]", 1)), false)
	plan := apply(t, svc, parse(t, strings.Replace(doc, "[standard-auth@1]", "[erp-protection@1, standard-auth@1]", 1)), false)
	if it := item(t, plan, catalogcode.KindAttachment, "order-intake@1.0.0"); it.Action != catalogcode.Update {
		t.Errorf("reorder: %+v", it)
	}
	plan = apply(t, svc, parse(t, strings.Replace(doc, "policies: [standard-auth@1]", "", 1)), false)
	if it := item(t, plan, catalogcode.KindAttachment, "order-intake@1.0.0"); it.Action != catalogcode.Update || it.Notes[0] != "policies: none" {
		t.Errorf("detach all: %+v", it)
	}
	var n int64
	db.Table("policy_attachments").Count(&n)
	var got []string
	db.Model(&audit.Event{}).Where("action LIKE 'policy.%'").Order("id").Pluck("action", &got)
	want := []string{"policy.create", "policy.create", "policy.attach", "policy.attach", "policy.attach", "policy.attach", "policy.detach", "policy.detach"}
	if n != 0 || !cmp.Equal(got, want) {
		t.Errorf("attachments left %d, audit %v, want %v", n, got, want)
	}
	// A policy version is immutable.
	plan = apply(t, svc, parse(t, strings.Replace(doc, "{priority: high}", "{priority: low}", 1)), false)
	if it := item(t, plan, catalogcode.KindPolicy, "erp-protection@1"); it.Action != catalogcode.Refused || !strings.Contains(it.Reasons[0], "declare the change as erp-protection version 2") {
		t.Errorf("changed policy: %+v", it)
	}
}

func TestParse(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"empty":         {"  \n", "the document is empty"},
		"yaml syntax":   {"apiVersion: crossdock/v1\nkind: [", "yaml"},
		"unknown field": {"apiVersion: crossdock/v1\nkind: Catalog\nteams:\n  - slug: a\n    nmae: A\n", `unknown field "nmae"`},
		"wrong type":    {"apiVersion: crossdock/v1\nkind: Catalog\nteams: {slug: a}\n", "teams: expected []catalogcode.Team"},
		"api version":   {"apiVersion: crossdock/v2\nkind: Catalog\n", `apiVersion must be "crossdock/v1"`},
		"kind":          {"apiVersion: crossdock/v1\nkind: Partner\n", `kind must be "Catalog"`},
		"duplicate":     {"apiVersion: crossdock/v1\nkind: Catalog\nteams:\n  - {slug: a, name: A}\n  - {slug: a, name: B}\n", `team "a" appears twice`},
		"duplicate key": {"apiVersion: crossdock/v1\nkind: Catalog\nkind: Catalog\n", `"kind" already set`},
		"json dup key":  {`{"apiVersion": "crossdock/v1", "kind": "Catalog", "kind": "Catalog"}`, `key "kind" appears twice`},
		"json trailing": {`{"apiVersion": "crossdock/v1", "kind": "Catalog"} {}`, "unexpected content"},
	} {
		_, err := catalogcode.Parse([]byte(tc.in), "")
		var pe *catalogcode.ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a ParseError with %q", name, err, tc.want)
		}
	}
	d, err := catalogcode.Parse([]byte(`{"apiVersion": "crossdock/v1", "kind": "Catalog", "teams": [{"slug": "a", "name": "A"}]}`), "")
	if err != nil || len(d.Teams) != 1 {
		t.Errorf("JSON document: %+v %v", d, err)
	}
}

// Schemas are stored canonically, so formatting and key order do not make
// a published version look changed.
func TestSchemaCanonical(t *testing.T) {
	svc, db := newService(t)
	apply(t, svc, parse(t, base), false)
	var schema string
	db.Table("api_versions").Pluck("schema", &schema)
	want := "{\n  \"properties\": {\n    \"note\": {\n      \"type\": \"string\"\n    },\n    \"orderNumber\": {\n      \"type\": \"string\"\n    }\n  },\n  \"required\": [\n    \"orderNumber\"\n  ],\n  \"type\": \"object\"\n}"
	if schema != want {
		t.Errorf("stored schema:\n%s\nwant:\n%s", schema, want)
	}
	asString := strings.Replace(base, `        schema:
          type: object
          required: [orderNumber]
          properties:
            orderNumber: {type: string}
            note: {type: string}`, `        schema: '{"type":"object","properties":{"orderNumber":{"type":"string"},"note":{"type":"string"}},"required":["orderNumber"]}'`, 1)
	onlyActions(t, apply(t, svc, parse(t, asString), false), catalogcode.Unchanged)
}

// Numbers, HTML-like text and key order survive export -> apply -> export.
func TestExportIsStable(t *testing.T) {
	svc1, _ := newService(t)
	doc := strings.Replace(base, "note: {type: string}", `note: {type: string, maxLength: 1.0, pattern: "^<[a-z&]+>$"}
            amount: {type: number, multipleOf: 0.01, maximum: 1.5e10, minimum: -9007199254740993}`, 1)
	onlyActions(t, apply(t, svc1, parse(t, doc), false), catalogcode.Create)
	first := export(t, svc1, catalogcode.FormatYAML)
	svc2, _ := newService(t)
	d, err := catalogcode.Parse(first, "")
	if err != nil {
		t.Fatal(err)
	}
	onlyActions(t, apply(t, svc2, d, false), catalogcode.Create)
	if second := export(t, svc2, catalogcode.FormatYAML); string(first) != string(second) {
		t.Errorf("exports differ:\n%s\n---\n%s", first, second)
	}
	for _, want := range []string{"maxLength: 1\n", "multipleOf: 0.01\n", "maximum: 15000000000\n", "minimum: -9007199254740993\n", `pattern: ^<[a-z&]+>$`} {
		if !strings.Contains(string(first), want) {
			t.Errorf("export lacks %q:\n%s", want, first)
		}
	}
	onlyActions(t, apply(t, svc1, d, false), catalogcode.Unchanged)
}
