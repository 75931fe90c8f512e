package catalog_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/testenv"
)

func as(role auth.Role) context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: "user:1", Name: "Tester", Role: string(role)})
}

const orderV1 = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["number","lines"],
 "properties":{"number":{"type":"string","maxLength":35},"lines":{"type":"array","items":{"type":"object","required":["quantity"],
 "properties":{"quantity":{"type":"number"},"uom":{"type":"string","enum":["EA","CA","DZ"]}}}}}}`

// 1.1.0 adds an optional property: compatible.
const orderV11 = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["number","lines"],
 "properties":{"number":{"type":"string","maxLength":35},"currency":{"type":"string"},"lines":{"type":"array","items":{"type":"object","required":["quantity"],
 "properties":{"quantity":{"type":"number"},"uom":{"type":"string","enum":["EA","CA","DZ"]}}}}}}`

// Breaking: a unit of measure is removed and currency becomes required.
const orderBreaking = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["number","lines","currency"],
 "properties":{"number":{"type":"string","maxLength":35},"currency":{"type":"string"},"lines":{"type":"array","items":{"type":"object","required":["quantity"],
 "properties":{"quantity":{"type":"number"},"uom":{"type":"string","enum":["EA","CA"]}}}}}}`

func setup(t *testing.T) (*catalog.Service, context.Context) {
	t.Helper()
	db, _ := testenv.DB(t)
	svc := catalog.NewService(db)
	ctx := as(auth.RoleIntegrationManager)
	if _, err := svc.SaveTeam(ctx, catalog.TeamInput{Slug: "order-platform", Name: "Order Platform", ContactEmail: "orders@northwind.example"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveSystem(ctx, catalog.SystemInput{Slug: "sap-s4", Name: "SAP S/4HANA", Kind: "erp", OwnerTeam: "order-platform"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveAPI(ctx, catalog.APIInput{Slug: "order-intake", Name: "Order intake", Kind: "system", Domain: "order", OwnerTeam: "order-platform", System: "sap-s4", Tags: []string{"ERP", "orders", "erp"}}, false); err != nil {
		t.Fatal(err)
	}
	return svc, ctx
}

func version(t *testing.T, svc *catalog.Service, ctx context.Context, v, schema string) {
	t.Helper()
	if _, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: v, Schema: schema, Changelog: "v" + v}, false); err != nil {
		t.Fatalf("create %s: %v", v, err)
	}
}

// The lifecycle table: from x to x role -> allowed or refused.
func TestLifecycleTransitions(t *testing.T) {
	type step = func(svc *catalog.Service, ctx context.Context) error
	publish := func(svc *catalog.Service, ctx context.Context) error {
		_, err := svc.Publish(ctx, "order-intake", "1.0.0")
		return err
	}
	deprecate := func(svc *catalog.Service, ctx context.Context) error {
		_, err := svc.Deprecate(ctx, "order-intake", "1.0.0", catalog.DeprecateInput{})
		return err
	}
	retire := func(svc *catalog.Service, ctx context.Context) error {
		_, err := svc.Retire(ctx, "order-intake", "1.0.0")
		return err
	}
	moves := map[catalog.Lifecycle]step{catalog.Published: publish, catalog.Deprecated: deprecate, catalog.Retired: retire}
	reach := map[catalog.Lifecycle][]step{
		catalog.Draft:      nil,
		catalog.Published:  {publish},
		catalog.Deprecated: {publish, deprecate},
		catalog.Retired:    {publish, deprecate, retire},
	}
	valid := map[[2]catalog.Lifecycle]bool{
		{catalog.Draft, catalog.Published}: true, {catalog.Published, catalog.Deprecated}: true, {catalog.Deprecated, catalog.Retired}: true,
	}
	for _, from := range []catalog.Lifecycle{catalog.Draft, catalog.Published, catalog.Deprecated, catalog.Retired} {
		for _, to := range []catalog.Lifecycle{catalog.Published, catalog.Deprecated, catalog.Retired} {
			for _, role := range auth.Roles() {
				perm, ok := catalog.TransitionPermission(from, to)
				want := valid[[2]catalog.Lifecycle{from, to}] && ok && role.Can(perm)
				t.Run(string(from)+"->"+string(to)+" as "+string(role), func(t *testing.T) {
					t.Parallel()
					svc, ctx := setup(t)
					version(t, svc, ctx, "1.0.0", orderV1)
					for _, s := range reach[from] {
						if err := s(svc, ctx); err != nil {
							t.Fatalf("reaching %s: %v", from, err)
						}
					}
					err := moves[to](svc, as(role))
					_, v, _ := svc.Version(ctx, "order-intake", "1.0.0")
					if want {
						if err != nil || v.Lifecycle != to {
							t.Fatalf("got %v (now %s), want moved to %s", err, v.Lifecycle, to)
						}
						return
					}
					if err == nil || v.Lifecycle != from {
						t.Fatalf("got nil error or moved (now %s), want refused", v.Lifecycle)
					}
					var te *catalog.TransitionError
					if !errors.As(err, &te) && !errors.Is(err, catalog.ErrForbidden) {
						t.Errorf("refusal should be a TransitionError or ErrForbidden, got %v", err)
					}
				})
			}
		}
	}
}

func TestPublishedVersionIsImmutable(t *testing.T) {
	svc, ctx := setup(t)
	version(t, svc, ctx, "1.0.0", orderV1)
	if _, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: "1.0.0", Schema: orderV11, Changelog: "draft edit"}, true); err != nil {
		t.Fatalf("a draft can be edited: %v", err)
	}
	if _, err := svc.Publish(ctx, "order-intake", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	_, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: "1.0.0", Schema: orderV1, Changelog: "sneaky"}, true)
	if !errors.Is(err, catalog.ErrImmutable) {
		t.Fatalf("got %v, want ErrImmutable", err)
	}
	_, v, _ := svc.Version(ctx, "order-intake", "1.0.0")
	if v.Schema != orderV11 || v.Changelog != "draft edit" {
		t.Error("published version changed")
	}
}

func TestBreakingChangesNeedANewMajor(t *testing.T) {
	svc, ctx := setup(t)
	version(t, svc, ctx, "1.0.0", orderV1)
	if _, err := svc.Publish(ctx, "order-intake", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	version(t, svc, ctx, "1.1.0", orderBreaking)
	res, err := svc.Publish(ctx, "order-intake", "1.1.0")
	var te *catalog.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a refusal", err)
	}
	reasons := strings.Join(te.Reasons, "\n")
	for _, want := range []string{"currency", "DZ", "publish them as 2.0.0"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons lack %q:\n%s", want, reasons)
		}
	}
	if res.Previous == nil || res.Previous.Version != "1.0.0" {
		t.Errorf("compared against %+v, want 1.0.0", res.Previous)
	}
	if _, v, _ := svc.Version(ctx, "order-intake", "1.1.0"); v.Lifecycle != catalog.Draft {
		t.Errorf("refused version is %s, want still draft", v.Lifecycle)
	}

	version(t, svc, ctx, "1.2.0", orderV11)
	if res, err := svc.Publish(ctx, "order-intake", "1.2.0"); err != nil || res.Verdict.Breaking() || len(res.Verdict.Changes) == 0 {
		t.Fatalf("compatible minor: %v %+v", err, res.Verdict)
	}
	version(t, svc, ctx, "2.0.0", orderBreaking)
	if _, err := svc.Publish(ctx, "order-intake", "2.0.0"); err != nil {
		t.Fatalf("a major version may break: %v", err)
	}

	// Deprecate 1.2.0 with a sunset and 2.0.0 as successor.
	sunset := time.Now().Add(30 * 24 * time.Hour)
	v, err := svc.Deprecate(ctx, "order-intake", "1.2.0", catalog.DeprecateInput{SunsetAt: &sunset, Successor: "2.0.0"})
	if err != nil || v.SuccessorVersionID == nil || v.DeprecatedAt == nil {
		t.Fatalf("deprecate: %v %+v", err, v)
	}
	past := time.Now().Add(-time.Hour)
	_, err = svc.Deprecate(ctx, "order-intake", "1.0.0", catalog.DeprecateInput{SunsetAt: &past, Successor: "9.9.9"})
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) || ve.Fields["sunset_at"] == "" || ve.Fields["successor"] == "" {
		t.Fatalf("got %v, want field errors for sunset and successor", err)
	}

	_, _, verdict, err := svc.Compare(ctx, "order-intake", "1.0.0", "2.0.0")
	if err != nil || !verdict.Breaking() {
		t.Errorf("compare 1.0.0..2.0.0: %v %+v", err, verdict)
	}

	var actions []string
	svc.DB().Table("audit_events").Where("entity_type = 'api_version'").Order("id").Pluck("action", &actions)
	if got := strings.Join(actions, ","); !strings.Contains(got, "api_version.publish") || !strings.HasSuffix(got, "api_version.deprecate") {
		t.Errorf("audit: %s", got)
	}
}

func TestValidation(t *testing.T) {
	svc, ctx := setup(t)
	cases := []struct {
		name   string
		err    error
		fields []string
	}{
		{"api", func() error {
			_, err := svc.SaveAPI(ctx, catalog.APIInput{Slug: "Bad Slug", Kind: "rpc", Domain: "9x", OwnerTeam: "ghosts"}, false)
			return err
		}(), []string{"slug", "name", "kind", "domain", "owner_team"}},
		{"duplicate api", func() error {
			_, err := svc.SaveAPI(ctx, catalog.APIInput{Slug: "order-intake", Name: "Again", Kind: "system", Domain: "order"}, false)
			return err
		}(), []string{"slug"}},
		{"version", func() error {
			_, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: "v1", Schema: `{"type": "objekt"}`, OpenAPI: "openapi: 2.0", AsyncAPI: "x"}, false)
			return err
		}(), []string{"version", "schema", "openapi", "asyncapi"}},
		{"team", func() error {
			_, err := svc.SaveTeam(ctx, catalog.TeamInput{Slug: "-", ContactEmail: "not an email"}, false)
			return err
		}(), []string{"slug", "name", "contact_email"}},
	}
	for _, tc := range cases {
		var ve *catalog.ValidationError
		if !errors.As(tc.err, &ve) {
			t.Errorf("%s: got %v, want a ValidationError", tc.name, tc.err)
			continue
		}
		for _, f := range tc.fields {
			if ve.Fields[f] == "" {
				t.Errorf("%s: no message for %s in %v", tc.name, f, ve.Fields)
			}
		}
	}
	a, _ := svc.API(ctx, "order-intake")
	if strings.Join(a.Tags, ",") != "erp,orders" {
		t.Errorf("tags normalised: got %v", a.Tags)
	}
}

func TestList(t *testing.T) {
	svc, ctx := setup(t)
	version(t, svc, ctx, "1.0.0", orderV1)
	svc.Publish(ctx, "order-intake", "1.0.0")
	version(t, svc, ctx, "1.1.0", orderV11)
	for _, in := range []catalog.APIInput{
		{Slug: "inventory-events", Name: "Inventory events", Kind: "event", Domain: "inventory", OwnerTeam: "order-platform", Description: "Stock level changes per warehouse"},
		{Slug: "edi-orders", Name: "EDI purchase orders", Kind: "experience", Domain: "order", Tags: []string{"edi"}},
	} {
		if _, err := svc.SaveAPI(ctx, in, false); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		f    catalog.ListFilter
		want string
	}{
		{catalog.ListFilter{}, "edi-orders,inventory-events,order-intake"},
		{catalog.ListFilter{Query: "warehouse"}, "inventory-events"},
		{catalog.ListFilter{Query: "edi"}, "edi-orders"},
		{catalog.ListFilter{Query: "100%_"}, ""},
		{catalog.ListFilter{Domain: "order", Sort: "kind"}, "edi-orders,order-intake"},
		{catalog.ListFilter{Owner: "order-platform"}, "inventory-events,order-intake"},
		{catalog.ListFilter{Lifecycle: catalog.Published}, "order-intake"},
		{catalog.ListFilter{Slugs: []string{}}, ""},
	}
	for _, tc := range cases {
		rows, total, err := svc.List(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Slug)
		}
		if strings.Join(got, ",") != tc.want || int(total) != len(got) {
			t.Errorf("%+v: got %v (total %d), want %s", tc.f, got, total, tc.want)
		}
	}
	rows, _, _ := svc.List(ctx, catalog.ListFilter{Query: "order intake"})
	if len(rows) != 1 || rows[0].LatestVersion != "1.1.0" || rows[0].Published != 1 || rows[0].Drafts != 1 || rows[0].OwnerName != "Order Platform" {
		t.Errorf("row: %+v", rows)
	}
}

// ordersOpenAPI documents the order-intake endpoints.
const ordersOpenAPI = `openapi: 3.0.3
info:
  title: Order intake
  version: 1.0.0
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        "200":
          description: The orders.
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [number]
              properties:
                number:
                  type: string
      responses:
        "201":
          description: Created.
`

// ordersOpenAPINoPost removes POST /orders: breaking.
const ordersOpenAPINoPost = `openapi: 3.0.3
info:
  title: Order intake
  version: 1.1.0
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        "200":
          description: The orders.
`

// ordersOpenAPIMore adds GET /orders/{number}: compatible.
const ordersOpenAPIMore = ordersOpenAPI + `  /orders/{number}:
    get:
      operationId: getOrder
      parameters:
        - name: number
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: The order.
`

// versionWithOpenAPI is version with an OpenAPI document as well.
func versionWithOpenAPI(t *testing.T, svc *catalog.Service, ctx context.Context, v, schema, openAPI string) {
	t.Helper()
	if _, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: v, Schema: schema, OpenAPI: openAPI, Changelog: "v" + v}, false); err != nil {
		t.Fatalf("create %s: %v", v, err)
	}
}

func TestBreakingOpenAPIChangesNeedANewMajor(t *testing.T) {
	svc, ctx := setup(t)
	versionWithOpenAPI(t, svc, ctx, "1.0.0", orderV1, ordersOpenAPI)
	if _, err := svc.Publish(ctx, "order-intake", "1.0.0"); err != nil {
		t.Fatal(err)
	}

	// Same JSON Schema, but an endpoint is gone from the OpenAPI document.
	versionWithOpenAPI(t, svc, ctx, "1.1.0", orderV1, ordersOpenAPINoPost)
	check, err := svc.CheckPublish(ctx, "order-intake", "1.1.0")
	if err != nil || !check.Refused || !check.Verdict.Breaking() {
		t.Fatalf("check publish: %v %+v", err, check)
	}
	res, err := svc.Publish(ctx, "order-intake", "1.1.0")
	var te *catalog.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a refusal", err)
	}
	reasons := strings.Join(te.Reasons, "\n")
	for _, want := range []string{"OpenAPI POST /orders: API removed without deprecation", "publish them as 2.0.0"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons lack %q:\n%s", want, reasons)
		}
	}
	found := false
	for _, c := range res.Verdict.BreakingChanges() {
		if c.Kind == "openapi-api-removed-without-deprecation" && c.Path == "POST /orders" {
			found = true
		}
	}
	if !found {
		t.Errorf("verdict lacks the removed endpoint: %+v", res.Verdict)
	}
	if _, v, _ := svc.Version(ctx, "order-intake", "1.1.0"); v.Lifecycle != catalog.Draft {
		t.Errorf("refused version is %s, want still draft", v.Lifecycle)
	}
	_, _, verdict, err := svc.Compare(ctx, "order-intake", "1.0.0", "1.1.0")
	if err != nil || !verdict.Breaking() {
		t.Errorf("compare 1.0.0..1.1.0: %v %+v", err, verdict)
	}

	// A new endpoint is compatible: the draft is fixed and published.
	if _, err := svc.SaveVersion(ctx, "order-intake", catalog.VersionInput{Version: "1.1.0", Schema: orderV1, OpenAPI: ordersOpenAPIMore, Changelog: "v1.1.0"}, true); err != nil {
		t.Fatal(err)
	}
	res, err = svc.Publish(ctx, "order-intake", "1.1.0")
	if err != nil || res.Verdict.Breaking() {
		t.Fatalf("compatible minor: %v %+v", err, res.Verdict)
	}
	if len(res.Verdict.Changes) != 1 || res.Verdict.Changes[0].Kind != "openapi-endpoint-added" || res.Verdict.Changes[0].Path != "GET /orders/{number}" {
		t.Errorf("verdict: %+v, want the added endpoint only", res.Verdict)
	}

	// A major version may break.
	versionWithOpenAPI(t, svc, ctx, "2.0.0", orderV1, ordersOpenAPINoPost)
	if _, err := svc.Publish(ctx, "order-intake", "2.0.0"); err != nil {
		t.Fatalf("a major version may break: %v", err)
	}
}

// versionRefsWorld adds to setup's order-intake (in system sap-s4): 1.0.0
// and 1.1.0 published, 1.2.0 a draft without schema; "billing events",
// a lower-case name in no system, with 1.0.0 retired and 2.0.0 a draft;
// asn-outbound, in sap-s4, without versions.
func versionRefsWorld(t *testing.T) (*catalog.Service, context.Context) {
	t.Helper()
	svc, ctx := setup(t)
	admin := as(auth.RoleAdmin)
	version(t, svc, ctx, "1.0.0", orderV1)
	version(t, svc, ctx, "1.1.0", orderV11)
	version(t, svc, ctx, "1.2.0", "")
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, err := svc.Publish(ctx, "order-intake", v); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []catalog.APIInput{
		{Slug: "billing-events", Name: "billing events", Kind: "event", Domain: "invoice"},
		{Slug: "asn-outbound", Name: "ASN outbound", Kind: "system", Domain: "shipment", System: "sap-s4"},
	} {
		if _, err := svc.SaveAPI(ctx, in, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"1.0.0", "2.0.0"} {
		if _, err := svc.SaveVersion(ctx, "billing-events", catalog.VersionInput{Version: v, Schema: orderV1}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Publish(admin, "billing-events", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Deprecate(admin, "billing-events", "1.0.0", catalog.DeprecateInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Retire(admin, "billing-events", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	return svc, ctx
}

// refs writes version refs as "slug@version lifecycle", comma separated.
func refs(rs []catalog.VersionRef) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.APISlug+"@"+r.Version+" "+string(r.Lifecycle))
	}
	return strings.Join(out, ", ")
}

func TestVersionRefs(t *testing.T) {
	svc, ctx := versionRefsWorld(t)
	cases := []struct {
		f    catalog.VersionRefFilter
		want string
	}{
		{catalog.VersionRefFilter{},
			"billing-events@2.0.0 draft, billing-events@1.0.0 retired, order-intake@1.2.0 draft, order-intake@1.1.0 published, order-intake@1.0.0 published"},
		{catalog.VersionRefFilter{WithSchema: true},
			"billing-events@2.0.0 draft, billing-events@1.0.0 retired, order-intake@1.1.0 published, order-intake@1.0.0 published"},
		{catalog.VersionRefFilter{Lifecycle: catalog.Published, WithSchema: true}, "order-intake@1.1.0 published, order-intake@1.0.0 published"},
		{catalog.VersionRefFilter{Lifecycle: catalog.Draft}, "billing-events@2.0.0 draft, order-intake@1.2.0 draft"},
		// Attach targets: retired versions left out, names ignoring case.
		{catalog.VersionRefFilter{Unretired: true},
			"billing-events@2.0.0 draft, order-intake@1.2.0 draft, order-intake@1.1.0 published, order-intake@1.0.0 published"},
	}
	for _, tc := range cases {
		got, err := svc.VersionRefs(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if refs(got) != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.f, refs(got), tc.want)
		}
	}
}

func TestVersionRefsByID(t *testing.T) {
	svc, ctx := versionRefsWorld(t)
	_, order, err := svc.Version(ctx, "order-intake", "1.1.0")
	if err != nil {
		t.Fatal(err)
	}
	_, billing, err := svc.Version(ctx, "billing-events", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.VersionRefsByID(ctx, []int64{order.ID, billing.ID, billing.ID + 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]catalog.VersionRef{
		order.ID:   {ID: order.ID, APISlug: "order-intake", APIName: "Order intake", Version: "1.1.0", Lifecycle: catalog.Published},
		billing.ID: {ID: billing.ID, APISlug: "billing-events", APIName: "billing events", Version: "1.0.0", Lifecycle: catalog.Retired},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version refs by id (-want +got):\n%s", diff)
	}
	if none, err := svc.VersionRefsByID(ctx, nil); err != nil || none == nil || len(none) != 0 {
		t.Errorf("no ids: got %v, %v; want an empty map", none, err)
	}
}

func TestAPISlugsBySystem(t *testing.T) {
	svc, ctx := versionRefsWorld(t)
	sys, err := svc.System(ctx, "sap-s4")
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.APISlugsBySystem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || strings.Join(got[sys.ID], ",") != "asn-outbound,order-intake" {
		t.Errorf("got %v, want only system %d with asn-outbound,order-intake", got, sys.ID)
	}
}
