package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
)

// Before a new canonical contract is published, the publish page lists the
// partner adapters whose conformance samples would fail against it.
func TestPublishShowsImpactOnAdapters(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "IMPACT-CO", "Impact Co")
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	a, err := adapterService(t, e).CloneTemplate(ctx, w.partner.ID, "x12-850-004010", "orders", w.version.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 1.1.0 requires a field the 850 mapping never produces.
	var schema map[string]any
	if err := json.Unmarshal([]byte(w.version.Schema), &schema); err != nil {
		t.Fatal(err)
	}
	schema["required"] = append(schema["required"].([]any), "deliveryInstructions")
	b, _ := json.Marshal(schema)
	stricter := string(b)
	cat := catalog.NewService(e.db)
	if _, err := cat.SaveVersion(ctx, "canonical-order", catalog.VersionInput{Version: "1.1.0", Schema: stricter, Changelog: "stricter"}, false); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.loginAs(auth.RoleIntegrationManager)
	d := doc(t, c.get("/catalog/apis/canonical-order/versions/1.1.0/publish"))
	rows := d.Find("[data-testid=impact] [data-testid=impact-row]")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Impact Co · "+a.Name) || !strings.Contains(rows.Text(), "of") {
		t.Fatalf("impact rows: %d %q", rows.Length(), rows.Text())
	}
	var n int64
	e.db.Table("conformance_runs").Count(&n)
	if n != 0 {
		t.Errorf("impact analysis wrote %d conformance runs, want none", n)
	}
}

// A draft without a JSON Schema has no contract to check adapters against:
// its publish page shows the verdict, not an error.
func TestPublishPageOfADraftWithoutSchema(t *testing.T) {
	e := newEnv(t, nil)
	w := seedAdapterWorld(t, e, "IMPACT-CO", "Impact Co")
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: "user:seed", Name: "Seed Person", Role: string(auth.RoleIntegrationManager)})
	if _, err := adapterService(t, e).CloneTemplate(ctx, w.partner.ID, "x12-850-004010", "orders", w.version.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.NewService(e.db).SaveVersion(ctx, "canonical-order", catalog.VersionInput{Version: "1.1.0", Changelog: "no contract yet"}, false); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.loginAs(auth.RoleIntegrationManager)
	for what, resp := range map[string]*http.Response{
		"GET publish":  c.get("/catalog/apis/canonical-order/versions/1.1.0/publish"),
		"POST publish": c.post("/catalog/apis/canonical-order/versions/1.1.0/publish", url.Values{"_csrf": {c.csrf("/")}}),
	} {
		body := readBody(t, resp)
		if resp.StatusCode >= 500 || strings.Contains(body, `data-testid="impact-row"`) {
			t.Errorf("%s: %d, impact rows shown: %v", what, resp.StatusCode, strings.Contains(body, "impact-row"))
		}
	}
}
