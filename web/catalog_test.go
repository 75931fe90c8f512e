package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
)

// Contracts used by the catalog tests: 1.1.0 adds a required property,
// which is breaking against 1.0.0.
const (
	schemaV1 = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Purchase order",
  "type": "object",
  "required": ["orderId", "lines"],
  "properties": {
    "orderId": {"type": "string", "pattern": "^[0-9]{10}$", "description": "ERP purchase order number"},
    "shipTo": {"$ref": "#/$defs/Address"},
    "lines": {
      "type": "array", "minItems": 1,
      "items": {
        "type": "object", "required": ["sku", "quantity"],
        "properties": {
          "sku": {"type": "string", "maxLength": 35},
          "quantity": {"type": "integer", "minimum": 1},
          "uom": {"enum": ["EA", "CS"]}
        }
      }
    }
  },
  "$defs": {
    "Address": {"type": "object", "description": "A postal address", "properties": {"line1": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}}}
  }
}`
	schemaBreaking = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["orderId", "lines", "currency"],
  "properties": {
    "orderId": {"type": "string", "pattern": "^[0-9]{10}$"},
    "currency": {"type": "string", "enum": ["EUR", "USD"]},
    "shipTo": {"$ref": "#/$defs/Address"},
    "lines": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["sku", "quantity"], "properties": {"sku": {"type": "string", "maxLength": 35}, "quantity": {"type": "integer", "minimum": 1}, "uom": {"enum": ["EA", "CS"]}}}}
  },
  "$defs": {
    "Address": {"type": "object", "description": "A postal address", "properties": {"line1": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}}}
  }
}`
)

// send posts a form with the session's CSRF token.
func (c *client) send(path string, form url.Values) *http.Response {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.csrf("/"))
	return c.post(path, form)
}

// wantStatus checks a response's status and returns its document.
func wantStatus(t *testing.T, resp *http.Response, want int, what string) *goquery.Document {
	t.Helper()
	d := doc(t, resp)
	if resp.StatusCode != want {
		msg := strings.TrimSpace(d.Find("[data-testid=error-page]").Text())
		t.Fatalf("%s: got %d, want %d (%s)", what, resp.StatusCode, want, msg)
	}
	return d
}

func wantRedirect(t *testing.T, resp *http.Response, prefix, what string) {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), prefix) {
		t.Fatalf("%s: got %d %q, want 303 to %s; body: %.400s", what, resp.StatusCode, resp.Header.Get("Location"), prefix, body)
	}
}

func has(d *goquery.Document, testid string) bool {
	return d.Find("[data-testid="+testid+"]").Length() > 0
}

// seedCatalog creates, as the integration manager, a team, a system and
// the order-intake API.
func seedCatalog(t *testing.T, im *client) {
	t.Helper()
	wantRedirect(t, im.send("/catalog/teams", url.Values{"slug": {"order-platform"}, "name": {"Order platform"}, "contact_email": {"order-platform@example.com"}, "contact_chat": {"#order-platform"}}), "/catalog/teams/order-platform", "create team")
	wantRedirect(t, im.send("/catalog/systems", url.Values{"slug": {"sap-s4"}, "name": {"SAP S/4HANA"}, "kind": {"erp"}, "owner_team": {"order-platform"}}), "/catalog/systems/sap-s4", "create system")
	wantRedirect(t, im.send("/catalog/apis", url.Values{"slug": {"order-intake"}, "name": {"Order intake"}, "kind": {"system"}, "domain": {"order"},
		"owner_team": {"order-platform"}, "system": {"sap-s4"}, "description": {"Receives **purchase orders** from partners."}, "tags": {"EDI, x12, b2b"}}), "/catalog/apis/order-intake", "create api")
}

func version(t *testing.T, e *env, slug, v string) catalog.Version {
	t.Helper()
	_, ver, err := catalog.NewService(e.db).Version(context.Background(), slug, v)
	if err != nil {
		t.Fatalf("load %s@%s: %v", slug, v, err)
	}
	return ver
}

func TestCatalogListEmptyAndFilled(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)
	auditor := e.client()
	auditor.loginAs(auth.RoleAuditor)

	// Empty: the page says what to do first, with the button only for writers.
	d := wantStatus(t, im.get("/catalog"), 200, "empty list")
	if !strings.Contains(d.Find("[data-testid=empty]").Text(), "No APIs yet. Register your first API") || !has(d, "empty-new-api") || !has(d, "new-api") {
		t.Errorf("empty state for the integration manager: %q", d.Find("[data-testid=empty]").Text())
	}
	d = wantStatus(t, auditor.get("/catalog"), 200, "empty list as auditor")
	if has(d, "empty-new-api") || has(d, "new-api") {
		t.Error("the auditor is offered to register an API")
	}
	if !has(d, "export-csv") || !has(d, "export-json") {
		t.Error("the auditor has no export links")
	}

	seedCatalog(t, im)
	wantRedirect(t, im.send("/catalog/apis", url.Values{"slug": {"inventory-events"}, "name": {"Inventory events"}, "kind": {"event"}, "domain": {"inventory"}}), "/catalog/apis/inventory-events", "create event api")

	d = wantStatus(t, im.get("/catalog"), 200, "list")
	rows := d.Find("[data-testid=catalog-row]")
	if rows.Length() != 2 {
		t.Fatalf("rows: got %d, want 2", rows.Length())
	}
	first := rows.First()
	if got := first.Find("[data-testid=api-link]").Text(); got != "Inventory events" {
		t.Errorf("first row %q, want Inventory events (sorted by name)", got)
	}
	if !strings.Contains(first.Find("[data-testid=kind]").Text(), "Event stream") {
		t.Errorf("kind badge text %q", first.Find("[data-testid=kind]").Text())
	}
	if !strings.Contains(rows.Eq(1).Text(), "Order platform") || !strings.Contains(rows.Eq(1).Text(), "b2b") {
		t.Errorf("order-intake row lacks owner or tags: %q", rows.Eq(1).Text())
	}
	if !strings.Contains(d.Find("[data-testid=pager]").Text(), "2 APIs") {
		t.Errorf("pager %q", d.Find("[data-testid=pager]").Text())
	}
	if _, ok := d.Find("[data-search]").Attr("name"); !ok {
		t.Error("no search box with data-search")
	}

	// Filters live in the URL and narrow the list; the export follows them.
	d = wantStatus(t, im.get("/catalog?kind=event"), 200, "filtered list")
	if n := d.Find("[data-testid=catalog-row]").Length(); n != 1 {
		t.Errorf("kind=event rows: %d", n)
	}
	if href := d.Find("[data-testid=export-csv]").AttrOr("href", ""); href != "/catalog/export.csv?kind=event" {
		t.Errorf("export link %q keeps no filter", href)
	}
	d = wantStatus(t, im.get("/catalog?q=nothing-like-this"), 200, "no match")
	if !strings.Contains(d.Find("[data-testid=empty]").Text(), "No APIs match") {
		t.Errorf("empty filtered state: %q", d.Find("[data-testid=empty]").Text())
	}

	resp := auditor.get("/catalog/export.csv?kind=event")
	recs, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv export: %d %v", resp.StatusCode, err)
	}
	if len(recs) != 2 || recs[0][0] != "slug" || recs[1][0] != "inventory-events" {
		t.Errorf("csv export: %v", recs)
	}
	resp = auditor.get("/catalog/export.json")
	var out []map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &out); err != nil || len(out) != 2 || out[1]["owner_team"] != "order-platform" {
		t.Errorf("json export: %v %v", out, err)
	}
	bu := e.client()
	bu.loginAs(auth.RoleBusinessUser)
	if resp := bu.get("/catalog/export.csv"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("business user export: got %d, want 403", resp.StatusCode)
	}
}

func TestCatalogAPIFormValidation(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)
	wantStatus(t, im.get("/catalog/apis/new"), 200, "new api form")

	resp := im.send("/catalog/apis", url.Values{"slug": {"Order Intake!"}, "name": {"Order intake"}, "kind": {"system"}, "domain": {"order"}, "description": {"Kept *as typed*"}, "tags": {"edi, x12"}})
	d := wantStatus(t, resp, http.StatusUnprocessableEntity, "invalid slug")
	errSlug := d.Find("[data-testid=error-slug]")
	if errSlug.Length() != 1 || !strings.Contains(errSlug.Text(), "lowercase") {
		t.Errorf("slug error: %q", errSlug.Text())
	}
	// The message sits in the slug's field, next to its input.
	if errSlug.Parent().Find("input[name=slug]").Length() != 1 {
		t.Error("the slug error is not next to the slug field")
	}
	if v := d.Find("input[name=slug]").AttrOr("value", ""); v != "Order Intake!" {
		t.Errorf("slug value not kept: %q", v)
	}
	if v := d.Find("input[name=name]").AttrOr("value", ""); v != "Order intake" {
		t.Errorf("name value not kept: %q", v)
	}
	if v := d.Find("textarea[name=description]").Text(); v != "Kept *as typed*" {
		t.Errorf("description not kept: %q", v)
	}
	if v := d.Find("select[name=domain] option[selected]").AttrOr("value", ""); v != "order" {
		t.Errorf("domain not kept: %q", v)
	}
	if !has(d, "form-errors") {
		t.Error("no summary of the errors")
	}
	// Nothing was saved.
	if _, err := catalog.NewService(e.db).API(context.Background(), "order-intake"); err == nil {
		t.Error("an invalid API was saved")
	}

	// A missing form (as the RBAC matrix sends) is a 422, not a 500.
	if resp := im.send("/catalog/apis", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty form: got %d, want 422", resp.StatusCode)
	}
	if resp := im.send("/catalog/teams", url.Values{"slug": {"ok-team"}, "name": {"OK"}, "contact_email": {"not-an-email"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("team with a bad email: got %d, want 422", resp.StatusCode)
	}

	// Edit keeps the slug and saves the rest.
	seedCatalog(t, im)
	d = wantStatus(t, im.get("/catalog/apis/order-intake/edit"), 200, "edit form")
	if v := d.Find("input[name=tags]").AttrOr("value", ""); v != "b2b, edi, x12" {
		t.Errorf("tags in edit form: %q", v)
	}
	wantRedirect(t, im.send("/catalog/apis/order-intake", url.Values{"name": {"Order intake (EU)"}, "kind": {"system"}, "domain": {"order"}, "owner_team": {"order-platform"}}), "/catalog/apis/order-intake", "update api")
	a, err := catalog.NewService(e.db).API(context.Background(), "order-intake")
	if err != nil || a.Name != "Order intake (EU)" || a.SystemID != nil {
		t.Errorf("after update: %+v %v", a, err)
	}
	if resp := im.send("/catalog/apis/no-such-api", url.Values{"name": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("update of a missing API: got %d, want 404", resp.StatusCode)
	}
}

func TestCatalogMarkdownIsSanitized(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)
	desc := "Orders **in**.\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
	wantRedirect(t, im.send("/catalog/apis", url.Values{"slug": {"xss"}, "name": {"XSS <b>test</b>"}, "kind": {"process"}, "domain": {"order"}, "description": {desc}}), "/catalog/apis/xss", "create")
	resp := im.get("/catalog/apis/xss")
	d := wantStatus(t, resp, 200, "detail")
	box := d.Find("[data-testid=api-description]")
	html, _ := box.Html()
	if box.Find("script").Length() != 0 || strings.Contains(html, "alert('x')") || strings.Contains(html, "onerror") || strings.Contains(html, "javascript:") {
		t.Errorf("description not sanitized: %s", html)
	}
	if box.Find("strong").Text() != "in" || box.Find("table td").Length() != 2 {
		t.Errorf("markdown not rendered: %s", html)
	}
	// The name is text, escaped by templ.
	if d.Find("[data-testid=api-name]").Text() != "XSS <b>test</b>" || d.Find("[data-testid=api-name] b").Length() != 0 {
		t.Errorf("name not escaped: %q", d.Find("[data-testid=api-name]").Text())
	}
}

func TestCatalogVersionLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)
	seedCatalog(t, im)
	base := "/catalog/apis/order-intake"

	// A schema that does not compile: 422 with the compiler's words under the field.
	d := wantStatus(t, im.send(base+"/versions", url.Values{"version": {"1.0.0"}, "schema": {`{"type": "strin"}`}}), http.StatusUnprocessableEntity, "bad schema")
	if msg := d.Find("[data-testid=error-schema]").Text(); !strings.Contains(msg, "does not compile") {
		t.Errorf("schema error: %q", msg)
	}
	if v := d.Find("textarea[name=schema]").Text(); v != `{"type": "strin"}` {
		t.Errorf("schema not kept: %q", v)
	}

	// 1.0.0: draft, then published.
	d = wantStatus(t, im.get(base+"/versions/new"), 200, "new version form")
	if v := d.Find("input[name=version]").AttrOr("value", ""); v != "1.0.0" {
		t.Errorf("suggested first version %q", v)
	}
	wantRedirect(t, im.send(base+"/versions", url.Values{"version": {"1.0.0"}, "schema": {schemaV1}, "changelog": {"First contract."}}), base+"/versions/1.0.0", "create 1.0.0")
	d = wantStatus(t, im.get(base+"/versions/1.0.0/publish"), 200, "publish confirmation")
	if !has(d, "verdict-first") || !has(d, "confirm-publish") {
		t.Error("publish page of the first version: no verdict or no button")
	}
	if got := d.Find("[data-testid=confirm-publish]").Text(); got != "Publish 1.0.0" {
		t.Errorf("publish button says %q", got)
	}
	wantRedirect(t, im.send(base+"/versions/1.0.0/publish", nil), base+"/versions/1.0.0", "publish 1.0.0")
	if v := version(t, e, "order-intake", "1.0.0"); v.Lifecycle != catalog.Published || v.ReleasedAt == nil {
		t.Fatalf("1.0.0 after publish: %s", v.Lifecycle)
	}

	// The published contract is immutable.
	if resp := im.get(base + "/versions/1.0.0/edit"); resp.StatusCode != http.StatusConflict {
		t.Errorf("edit page of a published version: got %d, want 409", resp.StatusCode)
	}
	d = wantStatus(t, im.send(base+"/versions/1.0.0", url.Values{"schema": {schemaBreaking}}), http.StatusConflict, "update published")
	if !strings.Contains(d.Find("[data-testid=form-conflict]").Text(), "immutable") {
		t.Errorf("immutable message: %q", d.Find("[data-testid=form-conflict]").Text())
	}

	// The contract viewer: a tree with required markers, facts and the $ref link.
	d = wantStatus(t, im.get(base+"/versions/1.0.0"), 200, "version detail")
	tree := d.Find("[data-testid=schema-tree]")
	orderID := tree.Find("[data-testid=schema-node][data-name=orderId]")
	if orderID.Length() != 1 || orderID.Find("[data-testid=required]").Length() != 1 || !strings.Contains(orderID.Text(), "pattern: ^[0-9]{10}$") || !strings.Contains(orderID.Text(), "ERP purchase order number") {
		t.Errorf("orderId node: %q", orderID.Text())
	}
	shipTo := tree.Find("[data-testid=schema-node][data-name=shipTo]")
	if shipTo.Find("[data-testid=required]").Length() != 0 || shipTo.Find("[data-testid=schema-ref]").AttrOr("href", "") != "#def-Address" {
		t.Errorf("shipTo node: %q", shipTo.Text())
	}
	if tree.Find("#def-Address").Length() != 1 || !strings.Contains(tree.Find("#def-Address").Text(), "length 2") {
		t.Errorf("Address definition: %q", tree.Find("#def-Address").Text())
	}
	qty := tree.Find("[data-testid=schema-node][data-name=quantity]")
	if !strings.Contains(qty.Text(), "integer") || !strings.Contains(qty.Text(), "≥ 1") {
		t.Errorf("quantity node: %q", qty.Text())
	}
	if tree.Find("details").Length() == 0 {
		t.Error("the tree is not collapsible")
	}
	// Properties come in the order the schema declares them.
	var names []string
	tree.Find(".schema-tree.root > .sn > details > .schema-tree > .sn").Each(func(_ int, s *goquery.Selection) {
		names = append(names, s.AttrOr("data-name", ""))
	})
	if strings.Join(names, ",") != "orderId,shipTo,lines" {
		t.Errorf("top-level properties in order %v", names)
	}
	if n := d.Find("[data-testid=raw-schema] .ln").Length(); n < 20 {
		t.Errorf("raw JSON has %d numbered lines", n)
	}
	if !strings.Contains(d.Find("[data-testid=changelog]").Text(), "First contract.") {
		t.Error("changelog not shown")
	}

	// 1.1.0 adds a required property: publishing is refused, with reasons.
	d = wantStatus(t, im.get(base+"/versions/new"), 200, "second version form")
	if v := d.Find("input[name=version]").AttrOr("value", ""); v != "1.1.0" {
		t.Errorf("suggested next version %q", v)
	}
	wantRedirect(t, im.send(base+"/versions", url.Values{"version": {"1.1.0"}, "schema": {schemaBreaking}}), base+"/versions/1.1.0", "create 1.1.0")
	d = wantStatus(t, im.get(base+"/versions/1.1.0/publish"), 200, "publish 1.1.0 confirmation")
	if has(d, "confirm-publish") || !has(d, "refused") {
		t.Error("a breaking draft offers a publish button")
	}
	if got := d.Find("[data-testid=suggest-major]").AttrOr("href", ""); got != base+"/versions/new?version=2.0.0&copy=1.1.0" {
		t.Errorf("next major suggestion %q", got)
	}
	if !strings.Contains(d.Find("[data-testid=verdict-summary]").Text(), "1.0.0") {
		t.Errorf("verdict does not say what it compared with: %q", d.Find("[data-testid=verdict-summary]").Text())
	}
	breakingRow := d.Find("[data-testid=change-row].breaking")
	if breakingRow.Length() == 0 || !strings.Contains(breakingRow.Text(), "Breaking") || !strings.Contains(breakingRow.Text(), "currency") {
		t.Errorf("breaking change rows: %q", breakingRow.Text())
	}
	d = wantStatus(t, im.send(base+"/versions/1.1.0/publish", nil), http.StatusUnprocessableEntity, "publish breaking 1.1.0")
	if reasons := d.Find("[data-testid=reasons] li"); reasons.Length() == 0 || !strings.Contains(reasons.Text(), "2.0.0") {
		t.Errorf("refusal reasons: %q", reasons.Text())
	}
	if v := version(t, e, "order-intake", "1.1.0"); v.Lifecycle != catalog.Draft {
		t.Fatalf("1.1.0 after a refused publish: %s, want draft", v.Lifecycle)
	}

	// The same contract as 2.0.0 publishes; the suggestion prefills it.
	d = wantStatus(t, im.get(base+"/versions/new?version=2.0.0&copy=1.1.0"), 200, "2.0.0 form")
	if d.Find("input[name=version]").AttrOr("value", "") != "2.0.0" || d.Find("textarea[name=schema]").Text() != schemaBreaking {
		t.Error("the suggested major version is not prefilled")
	}
	wantRedirect(t, im.send(base+"/versions", url.Values{"version": {"2.0.0"}, "schema": {schemaBreaking}}), base+"/versions/2.0.0", "create 2.0.0")
	wantRedirect(t, im.send(base+"/versions/2.0.0/publish", nil), base+"/versions/2.0.0", "publish 2.0.0")
	if v := version(t, e, "order-intake", "2.0.0"); v.Lifecycle != catalog.Published {
		t.Fatalf("2.0.0: %s, want published", v.Lifecycle)
	}

	// Deprecate 1.0.0 with a sunset and 2.0.0 as successor.
	d = wantStatus(t, im.get(base+"/versions/1.0.0/deprecate"), 200, "deprecate form")
	if got := d.Find("select[name=successor] option[selected]").AttrOr("value", ""); got != "2.0.0" {
		t.Errorf("default successor %q", got)
	}
	effects := d.Find("[data-testid=deprecate-effects]").Text()
	for _, want := range []string{"Deprecation: @", "Sunset: ", `rel="successor-version"`, "90, 30, 7 and 1 days", "410 Gone"} {
		if !strings.Contains(effects, want) {
			t.Errorf("deprecation page does not explain %q: %s", want, effects)
		}
	}
	d = wantStatus(t, im.send(base+"/versions/1.0.0/deprecate", url.Values{"sunset_at": {"2001-01-01"}, "successor": {"2.0.0"}}), http.StatusUnprocessableEntity, "sunset in the past")
	if !has(d, "error-sunset_at") || d.Find("input[name=sunset_at]").AttrOr("value", "") != "2001-01-01" {
		t.Error("past sunset: no message next to the field, or the value is lost")
	}
	sunset := time.Now().UTC().AddDate(0, 0, 60).Format(time.DateOnly)
	wantRedirect(t, im.send(base+"/versions/1.0.0/deprecate", url.Values{"sunset_at": {sunset}, "successor": {"2.0.0"}}), base, "deprecate 1.0.0")
	v1, v2 := version(t, e, "order-intake", "1.0.0"), version(t, e, "order-intake", "2.0.0")
	if v1.Lifecycle != catalog.Deprecated || v1.SunsetAt == nil || v1.SunsetAt.UTC().Format(time.DateOnly) != sunset || v1.SuccessorVersionID == nil || *v1.SuccessorVersionID != v2.ID {
		t.Fatalf("1.0.0 after deprecation: %s sunset %v successor %v", v1.Lifecycle, v1.SunsetAt, v1.SuccessorVersionID)
	}

	// The API page shows the lifecycle with words and the permitted actions.
	d = wantStatus(t, im.get(base), 200, "api detail")
	row := func(v string) *goquery.Selection {
		return d.Find("[data-testid=version-row][data-version='" + v + "']")
	}
	if got := row("1.0.0").Find("[data-testid=lifecycle]").Text(); got != "Deprecated" {
		t.Errorf("1.0.0 lifecycle badge %q", got)
	}
	if !strings.Contains(row("1.0.0").Text(), "days left") || !strings.Contains(row("1.0.0").Text(), "2.0.0") {
		t.Errorf("1.0.0 row lacks days left or successor: %q", row("1.0.0").Text())
	}
	if !has(d, "retire-1-0-0-open") || row("2.0.0").Find("[data-testid=deprecate-version]").Length() != 1 || row("1.1.0").Find("[data-testid=publish-version]").Length() != 1 || row("1.1.0").Find("[data-testid=edit-version]").Length() != 1 {
		t.Error("lifecycle actions missing on the versions table")
	}
	if row("2.0.0").Find("[data-testid=edit-version]").Length() != 0 {
		t.Error("a published version offers Edit")
	}
	if !strings.Contains(d.Find("dialog#retire-1-0-0").Text(), "410 Gone") {
		t.Error("the retire confirmation does not say partners get 410 Gone")
	}
	for _, id := range []string{"owner-link", "system-link", "api-tags", "compare-form", "policies", "consumers", "history"} {
		if !has(d, id) {
			t.Errorf("API page lacks %s", id)
		}
	}
	if got := d.Find("[data-testid=policy-rateLimit]").Text(); !strings.Contains(got, "Built-in default") {
		t.Errorf("effective policy without attachments should come from the defaults, got %q", got)
	}
	if !strings.Contains(d.Find("[data-testid=consumers]").Text(), "No partners or adapters target this API yet") {
		t.Error("consumer empty state missing")
	}
	if d.Find("[data-testid=governance]").Length() != 1 || d.Find("[data-testid=rule-auth-policy]").Length() != 1 {
		t.Error("governance score should show the failing auth-policy rule")
	}
	history := d.Find("[data-testid=history] [data-testid=audit-row]").Text()
	for _, want := range []string{"api.create", "api_version.publish", "api_version.deprecate", "order-intake@1.0.0"} {
		if !strings.Contains(history, want) {
			t.Errorf("audit history lacks %q", want)
		}
	}

	// The diff of 1.0.0 and 2.0.0 flags the breaking change.
	d = wantStatus(t, im.get(base+"/diff?from=1.0.0&to=2.0.0"), 200, "diff")
	if s := d.Find("[data-testid=diff-summary]").Text(); !strings.Contains(s, "breaking") || !strings.Contains(s, "Breaking") {
		t.Errorf("diff summary %q", s)
	}
	if !strings.Contains(d.Find("[data-testid=changes-table]").Text(), "currency") || d.Find("[data-testid=side-by-side] [data-testid=diff-pair]").Length() == 0 {
		t.Error("diff lacks the change table or the side-by-side schemas")
	}
	wantStatus(t, im.get(base+"/diff"), 200, "diff with defaults")

	// Retire 1.0.0; retiring it again is refused with the reason.
	wantRedirect(t, im.send(base+"/versions/1.0.0/retire", nil), base, "retire 1.0.0")
	if v := version(t, e, "order-intake", "1.0.0"); v.Lifecycle != catalog.Retired {
		t.Fatalf("1.0.0 after retire: %s", v.Lifecycle)
	}
	d = wantStatus(t, im.send(base+"/versions/1.0.0/retire", nil), http.StatusConflict, "retire twice")
	if !strings.Contains(d.Find("[data-testid=error-page]").Text(), "lifecycle") {
		t.Errorf("refused retire page: %q", d.Find("[data-testid=error-page]").Text())
	}

	// Missing things are 404s.
	for _, path := range []string{"/catalog/apis/nope", base + "/versions/9.9.9", base + "/versions/9.9.9/publish", "/catalog/teams/nope", "/catalog/systems/nope"} {
		if resp := im.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestCatalogAuditorReadsButCannotChange(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)
	seedCatalog(t, im)
	base := "/catalog/apis/order-intake"
	for _, v := range []string{"1.0.0", "2.0.0"} {
		wantRedirect(t, im.send(base+"/versions", url.Values{"version": {v}, "schema": {schemaV1}}), base, "create "+v)
		wantRedirect(t, im.send(base+"/versions/"+v+"/publish", nil), base, "publish "+v)
	}
	wantRedirect(t, im.send(base+"/versions/1.0.0/deprecate", url.Values{"successor": {"2.0.0"}}), base, "deprecate")
	wantRedirect(t, im.send(base+"/versions", url.Values{"version": {"2.1.0"}, "schema": {schemaV1}}), base, "draft 2.1.0")

	for _, r := range []auth.Role{auth.RoleAuditor, auth.RoleBusinessUser} {
		c := e.client()
		c.loginAs(r)
		for _, path := range []string{"/catalog", base, base + "/versions/2.1.0", base + "/versions/1.0.0", base + "/diff?from=1.0.0&to=2.1.0", "/catalog/teams", "/catalog/teams/order-platform", "/catalog/systems", "/catalog/systems/sap-s4"} {
			d := wantStatus(t, c.get(path), 200, string(r)+" GET "+path)
			for _, id := range []string{"new-api", "empty-new-api", "edit-api", "new-version", "edit-version", "publish-version", "deprecate-version", "retire-1-0-0-open", "new-team", "edit-team", "new-system", "edit-system"} {
				if has(d, id) {
					t.Errorf("%s sees %s on %s", r, id, path)
				}
			}
			if n := d.Find("form[method=post]").Length(); n != 1 { // sign-out only
				t.Errorf("%s: %s has %d post forms, want only sign-out", r, path, n)
			}
		}
		for _, path := range []string{"/catalog/apis/new", base + "/edit", base + "/versions/new", base + "/versions/2.1.0/publish", base + "/versions/2.0.0/deprecate", "/catalog/teams/new"} {
			if resp := c.get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: got %d, want 403", r, path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/catalog/apis", base, base + "/versions", base + "/versions/2.1.0", base + "/versions/2.1.0/publish", base + "/versions/2.0.0/deprecate", base + "/versions/1.0.0/retire", "/catalog/teams", "/catalog/systems/sap-s4"} {
			resp := c.send(path, url.Values{"name": {"Hijack"}, "version": {"9.0.0"}, "slug": {"x"}, "kind": {"system"}, "domain": {"order"}})
			if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-testid="error-page"`) {
				t.Errorf("%s POST %s: got %d, want the 403 page", r, path, resp.StatusCode)
			}
		}
	}
	if v := version(t, e, "order-intake", "2.1.0"); v.Lifecycle != catalog.Draft {
		t.Errorf("2.1.0 changed to %s by a read-only role", v.Lifecycle)
	}
	if v := version(t, e, "order-intake", "1.0.0"); v.Lifecycle != catalog.Deprecated {
		t.Errorf("1.0.0 changed to %s by a read-only role", v.Lifecycle)
	}
}

func TestCatalogTeamsAndSystems(t *testing.T) {
	e := newEnv(t, nil)
	im := e.client()
	im.loginAs(auth.RoleIntegrationManager)

	d := wantStatus(t, im.get("/catalog/teams"), 200, "no teams")
	if !strings.Contains(d.Find("[data-testid=empty]").Text(), "No teams yet") {
		t.Error("teams empty state missing")
	}
	seedCatalog(t, im)

	d = wantStatus(t, im.get("/catalog/teams"), 200, "teams")
	rowText := d.Find("[data-testid=team-row]").Text()
	if d.Find("[data-testid=team-row]").Length() != 1 || !strings.Contains(rowText, "order-platform@example.com") || !strings.Contains(rowText, "#order-platform") {
		t.Errorf("team row %q", rowText)
	}
	if got := d.Find("[data-testid=team-row] td.num").First().Text(); got != "1" {
		t.Errorf("team API count %q, want 1", got)
	}
	if d.Find(`[data-testid=nav] a[aria-current=page]`).AttrOr("data-testid", "") != "nav-teams" {
		t.Error("the sidebar does not mark Teams & systems as current")
	}

	d = wantStatus(t, im.get("/catalog/teams/order-platform"), 200, "team")
	if !strings.Contains(d.Find("[data-testid=team-apis]").Text(), "Order intake") || !strings.Contains(d.Find("[data-testid=team-systems]").Text(), "SAP S/4HANA") || !strings.Contains(d.Find("[data-testid=team-contacts]").Text(), "order-platform@example.com") {
		t.Error("team page lacks its APIs, systems or contacts")
	}
	if !strings.Contains(d.Find("[data-testid=history]").Text(), "team.create") {
		t.Error("team history missing")
	}

	d = wantStatus(t, im.get("/catalog/systems"), 200, "systems")
	if !strings.Contains(d.Find("[data-testid=system-row]").Text(), "ERP") || d.Find(`[data-testid=nav] a[aria-current=page]`).AttrOr("data-testid", "") != "nav-teams" {
		t.Errorf("systems row or nav: %q", d.Find("[data-testid=system-row]").Text())
	}
	d = wantStatus(t, im.get("/catalog/systems/sap-s4"), 200, "system")
	if !strings.Contains(d.Find("[data-testid=system-apis]").Text(), "Order intake") || d.Find("[data-testid=owner-link]").Text() != "Order platform" {
		t.Error("system page lacks its API or owner")
	}

	wantStatus(t, im.get("/catalog/teams/order-platform/edit"), 200, "edit team")
	wantRedirect(t, im.send("/catalog/teams/order-platform", url.Values{"name": {"Order platform EU"}, "contact_email": {"orders@example.com"}}), "/catalog/teams/order-platform", "update team")
	wantStatus(t, im.get("/catalog/systems/sap-s4/edit"), 200, "edit system")
	d = wantStatus(t, im.send("/catalog/systems/sap-s4", url.Values{"name": {"SAP"}, "kind": {"mainframe"}}), http.StatusUnprocessableEntity, "bad system kind")
	if !has(d, "error-kind") {
		t.Error("system kind error missing")
	}
	wantRedirect(t, im.send("/catalog/systems/sap-s4", url.Values{"name": {"SAP S/4HANA EU"}, "kind": {"erp"}, "owner_team": {"order-platform"}}), "/catalog/systems/sap-s4", "update system")
	d = wantStatus(t, im.get("/catalog"), 200, "list after edits")
	if !strings.Contains(d.Find("[data-testid=catalog-row]").Text(), "Order platform EU") {
		t.Error("renamed team not shown in the catalog list")
	}
	if d.Find(`[data-testid=nav] a[aria-current=page]`).AttrOr("data-testid", "") != "nav-catalog" {
		t.Error("the sidebar does not mark APIs as current on /catalog")
	}
}
