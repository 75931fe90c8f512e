package scorecard_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/scorecard"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/internal/testenv"
)

const (
	longDescription = "Takes purchase orders from trading partners and books them in the ERP."
	jsonSchema      = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`
	asyncAPIDoc     = `{"asyncapi":"3.0.0","info":{"title":"Stock","version":"1.0.0"}}`
)

// fixture is a small catalog covering every rule passing, failing and not
// applicable. ids maps API slugs to ids.
type fixture struct {
	db  *gorm.DB
	svc *scorecard.Service
	ids map[string]int64
}

func exec(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func insertID(t *testing.T, db *gorm.DB, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := db.Raw(sql+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("%s: id %d, %v", sql, id, err)
	}
	return id
}

type version struct {
	number, lifecycle           string
	schema, changelog, asyncapi string
	sunset                      bool
	successor                   string // a version of the same API, inserted earlier
	policies                    []string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db, _ := testenv.DB(t)
	fx := fixture{db: db, svc: scorecard.NewService(db), ids: map[string]int64{}}

	teams := map[string]int64{
		"order-platform": insertID(t, db, `INSERT INTO teams (slug, name, contact_email) VALUES ('order-platform', 'Order Platform', 'orders@northwind.example')`),
		"warehouse":      insertID(t, db, `INSERT INTO teams (slug, name, contact_chat) VALUES ('warehouse', 'Warehouse', '#wms-support')`),
		"silent":         insertID(t, db, `INSERT INTO teams (slug, name, contact_email, contact_chat) VALUES ('silent', 'Silent', '  ', '')`),
	}
	policies := map[string]int64{}
	for name, settings := range map[string]string{
		"api-key":     `{"authentication":{"methods":["api-key"]}}`,
		"open":        `{"authentication":{}}`,
		"idempotency": `{"idempotency":{"mode":"key-required","retentionHours":72}}`,
		"rate":        `{"rateLimit":{"rate":5,"burst":10}}`,
	} {
		policies[name] = insertID(t, db, `INSERT INTO policies (name, version, settings) VALUES (?, 1, ?::jsonb)`, name, settings)
	}

	api := func(slug, kind, domain, owner, description string, versions ...version) {
		t.Helper()
		var ownerID *int64
		if owner != "" {
			id := teams[owner]
			ownerID = &id
		}
		apiID := insertID(t, db, `INSERT INTO apis (slug, name, kind, domain, owner_team_id, description) VALUES (?, ?, ?, ?, ?, ?)`,
			slug, slug, kind, domain, ownerID, description)
		fx.ids[slug] = apiID
		vids := map[string]int64{}
		for _, v := range versions {
			sv, err := catalog.ParseSemVer(v.number)
			if err != nil {
				t.Fatal(err)
			}
			var deprecatedAt, sunsetAt any
			if v.lifecycle == "deprecated" {
				deprecatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			if v.sunset {
				sunsetAt = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
			}
			var successor any
			if v.successor != "" {
				successor = vids[v.successor]
			}
			vid := insertID(t, db, `INSERT INTO api_versions (api_id, version, major, minor, patch, lifecycle, schema, changelog, asyncapi,
				deprecated_at, sunset_at, successor_version_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				apiID, v.number, sv.Major, sv.Minor, sv.Patch, v.lifecycle, v.schema, v.changelog, v.asyncapi, deprecatedAt, sunsetAt, successor)
			vids[v.number] = vid
			for i, p := range v.policies {
				exec(t, db, `INSERT INTO policy_attachments (api_version_id, policy_id, position) VALUES (?, ?, ?)`, vid, policies[p], i)
			}
		}
	}

	// Passes every rule that applies; only the AsyncAPI rule does not.
	api("order-intake", "process", "order", "order-platform", longDescription,
		version{number: "1.1.0", lifecycle: "published", schema: jsonSchema, changelog: "Adds currency.", policies: []string{"api-key", "idempotency"}},
		version{number: "1.0.0", lifecycle: "deprecated", schema: jsonSchema, changelog: "First version.", sunset: true, successor: "1.1.0", policies: []string{"rate", "idempotency", "api-key"}},
		version{number: "0.9.0", lifecycle: "retired"}, // not live: lacks everything, counts for nothing
		version{number: "2.0.0", lifecycle: "draft"},
	)
	// Fails almost everything.
	api("order-legacy", "process", "order", "silent", "  Orders.  \n",
		// authentication switched off again by a later policy
		version{number: "1.0.0", lifecycle: "published", changelog: " \n", policies: []string{"api-key", "open"}},
		// switched off, then on again: passes authentication
		version{number: "1.10.0", lifecycle: "published", schema: jsonSchema, changelog: "Faster.", policies: []string{"open", "rate", "api-key"}},
		version{number: "1.2.0", lifecycle: "deprecated", schema: jsonSchema, changelog: "Fixes.", policies: []string{"api-key"}},
	)
	// An event stream, owner reachable by chat only; one version lacks its AsyncAPI document.
	api("stock-events", "event", "inventory", "warehouse", strings.Repeat("x", 39)+"\n",
		version{number: "1.0.0", lifecycle: "published", schema: jsonSchema, changelog: "First.", asyncapi: asyncAPIDoc, policies: []string{"api-key"}},
		version{number: "1.1.0", lifecycle: "published", schema: jsonSchema, changelog: "More.", asyncapi: "\n  ", policies: []string{"api-key"}},
	)
	// Nothing live: version rules do not apply.
	api("product-sync", "system", "product", "", "",
		version{number: "0.1.0", lifecycle: "draft"},
	)
	// Only deprecated versions left; not order intake because it is an experience API.
	api("partner-orders", "experience", "order", "order-platform", " "+strings.Repeat("y", 40)+" ",
		version{number: "3.0.0", lifecycle: "draft", schema: jsonSchema},
		version{number: "2.0.0", lifecycle: "deprecated", schema: jsonSchema, changelog: "Old.", sunset: true, successor: "3.0.0", policies: []string{"api-key"}},
	)
	// A process API outside the order domain: idempotency does not apply.
	// Its deprecated versions lack parts of a plan.
	api("stock-moves", "process", "inventory", "warehouse", longDescription,
		version{number: "2.0.0", lifecycle: "published", schema: jsonSchema, changelog: "New.", policies: []string{"api-key"}},
		version{number: "1.0.0", lifecycle: "deprecated", schema: jsonSchema, changelog: "Old.", sunset: true, policies: []string{"api-key"}},
		version{number: "1.1.0", lifecycle: "deprecated", schema: jsonSchema, changelog: "Older.", successor: "2.0.0", policies: []string{"api-key"}},
	)
	return fx
}

func TestRules(t *testing.T) {
	var ids []string
	for _, r := range scorecard.Rules() {
		ids = append(ids, r.ID)
		if r.Title == "" || len(r.Explanation) < 80 || !strings.Contains(r.Explanation, "Fix:") {
			t.Errorf("rule %s: title %q, explanation %q: want a title and an explanation that says how to fix it", r.ID, r.Title, r.Explanation)
		}
		if r.Severity.Weight() == 0 {
			t.Errorf("rule %s: severity %q has no weight", r.ID, r.Severity)
		}
	}
	want := []string{"owner-contact", "description", "published-schema", "published-changelog", "auth-policy",
		"order-idempotency", "deprecation-plan", "event-asyncapi", "has-live-version"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	weights := map[scorecard.Severity]int{scorecard.Critical: 8, scorecard.High: 4, scorecard.Medium: 2, scorecard.Low: 1, "unknown": 0}
	for s, w := range weights {
		if got := s.Weight(); got != w {
			t.Errorf("%s.Weight() = %d, want %d", s, got, w)
		}
	}
}

// ok, bad and na build the expected results of the tables below:
// passed, failed, not applicable.
func ok(id, detail string) scorecard.Result {
	return scorecard.Result{RuleID: id, Passed: true, Applicable: true, Detail: detail}
}
func bad(id, detail string) scorecard.Result {
	return scorecard.Result{RuleID: id, Applicable: true, Detail: detail}
}
func na(id, detail string) scorecard.Result { return scorecard.Result{RuleID: id, Detail: detail} }

func TestForAPI(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		slug    string
		score   int
		failing []string // most severe first
		results []scorecard.Result
	}{
		{
			slug: "order-intake", score: 100,
			results: []scorecard.Result{
				ok("owner-contact", "owned by order-platform, which has a contact"),
				ok("description", "the description has 70 characters"),
				ok("published-schema", "all 2 live versions have a JSON Schema"),
				ok("published-changelog", "all 2 live versions have a changelog"),
				ok("auth-policy", "all 2 live versions have an attached policy that requires authentication"),
				ok("order-idempotency", "all 2 live versions have an attached policy that sets idempotency"),
				ok("deprecation-plan", "the deprecated version has a sunset date and a successor"),
				na("event-asyncapi", "applies to event APIs only"),
				ok("has-live-version", "1 published version"),
			},
		},
		{
			// applicable: owner 4 + description 1 + schema 4 + changelog 2 + auth 8 + idempotency 4
			// + deprecation 4 + live 1 = 28; passed: live 1 -> 100/28 = 3.57, rounded down.
			slug: "order-legacy", score: 3,
			failing: []string{"auth-policy", "owner-contact", "published-schema", "order-idempotency", "deprecation-plan", "published-changelog", "description"},
			results: []scorecard.Result{
				bad("owner-contact", "owner team silent has no contact email or chat"),
				bad("description", "the description has 7 characters; it needs at least 40"),
				bad("published-schema", "1.0.0 has no JSON Schema"),
				bad("published-changelog", "1.0.0 has no changelog"),
				bad("auth-policy", "1.0.0 has no attached policy that requires authentication"),
				bad("order-idempotency", "1.0.0, 1.2.0 and 1.10.0 have no attached policy that sets idempotency"),
				bad("deprecation-plan", "1.2.0 has no sunset date; 1.2.0 has no successor"),
				na("event-asyncapi", "applies to event APIs only"),
				ok("has-live-version", "2 published versions"),
			},
		},
		{
			// applicable: owner 4 + description 1 + schema 4 + changelog 2 + auth 8 + asyncapi 2 + live 1 = 22;
			// passed 22 - 1 - 2 = 19 -> 86.4.
			slug: "stock-events", score: 86,
			failing: []string{"event-asyncapi", "description"},
			results: []scorecard.Result{
				ok("owner-contact", "owned by warehouse, which has a contact"),
				bad("description", "the description has 39 characters; it needs at least 40"),
				ok("published-schema", "all 2 live versions have a JSON Schema"),
				ok("published-changelog", "all 2 live versions have a changelog"),
				ok("auth-policy", "all 2 live versions have an attached policy that requires authentication"),
				na("order-idempotency", "applies to process APIs in the order domain only"),
				na("deprecation-plan", "no deprecated versions"),
				bad("event-asyncapi", "1.1.0 has no AsyncAPI document"),
				ok("has-live-version", "2 published versions"),
			},
		},
		{
			// applicable: owner 4 + description 1 + live 1 = 6, none passed.
			slug: "product-sync", score: 0,
			failing: []string{"owner-contact", "description", "has-live-version"},
			results: []scorecard.Result{
				bad("owner-contact", "no owner team"),
				bad("description", "no description"),
				na("published-schema", "no live (published or deprecated) versions"),
				na("published-changelog", "no live (published or deprecated) versions"),
				na("auth-policy", "no live (published or deprecated) versions"),
				na("order-idempotency", "applies to process APIs in the order domain only"),
				na("deprecation-plan", "no deprecated versions"),
				na("event-asyncapi", "applies to event APIs only"),
				bad("has-live-version", "no published version"),
			},
		},
		{
			// applicable: owner 4 + description 1 + schema 4 + changelog 2 + auth 8 + deprecation 4 + live 1 = 24;
			// passed 23 -> 95.8.
			slug: "partner-orders", score: 95,
			failing: []string{"has-live-version"},
			results: []scorecard.Result{
				ok("owner-contact", "owned by order-platform, which has a contact"),
				ok("description", "the description has 40 characters"),
				ok("published-schema", "the live version has a JSON Schema"),
				ok("published-changelog", "the live version has a changelog"),
				ok("auth-policy", "the live version has an attached policy that requires authentication"),
				na("order-idempotency", "applies to process APIs in the order domain only"),
				ok("deprecation-plan", "the deprecated version has a sunset date and a successor"),
				na("event-asyncapi", "applies to event APIs only"),
				bad("has-live-version", "no published version, only 1 deprecated version"),
			},
		},
		{
			// applicable: 4 + 1 + 4 + 2 + 8 + deprecation 4 + 1 = 24; passed 20 -> 83.3.
			slug: "stock-moves", score: 83,
			failing: []string{"deprecation-plan"},
			results: []scorecard.Result{
				ok("owner-contact", "owned by warehouse, which has a contact"),
				ok("description", "the description has 70 characters"),
				ok("published-schema", "all 3 live versions have a JSON Schema"),
				ok("published-changelog", "all 3 live versions have a changelog"),
				ok("auth-policy", "all 3 live versions have an attached policy that requires authentication"),
				na("order-idempotency", "applies to process APIs in the order domain only"),
				bad("deprecation-plan", "1.1.0 has no sunset date; 1.0.0 has no successor"),
				na("event-asyncapi", "applies to event APIs only"),
				ok("has-live-version", "1 published version"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			card, err := fx.svc.ForAPI(ctx, fx.ids[tt.slug])
			if err != nil {
				t.Fatal(err)
			}
			if card.APISlug != tt.slug {
				t.Errorf("APISlug = %q, want %q", card.APISlug, tt.slug)
			}
			if card.Score != tt.score {
				t.Errorf("Score = %d, want %d", card.Score, tt.score)
			}
			if diff := cmp.Diff(tt.results, card.Results); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			var failing []string
			for _, r := range card.Failing {
				failing = append(failing, r.ID)
			}
			if diff := cmp.Diff(tt.failing, failing); diff != "" {
				t.Errorf("failing rules (-want +got):\n%s", diff)
			}
		})
	}
	if len(tests) != len(fx.ids) {
		t.Errorf("the table covers %d APIs, the fixture has %d", len(tests), len(fx.ids))
	}
}

func TestForAPINotFound(t *testing.T) {
	fx := newFixture(t)
	_, err := fx.svc.ForAPI(context.Background(), 987654)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ForAPI(unknown) error = %v, want store.ErrNotFound", err)
	}
}

func TestForAPIsMatchesForAPI(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	ids := []int64{987654}
	for _, id := range fx.ids {
		ids = append(ids, id)
	}
	cards, err := fx.svc.ForAPIs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != len(fx.ids) {
		t.Errorf("ForAPIs returned %d cards, want %d (the unknown id left out)", len(cards), len(fx.ids))
	}
	for slug, id := range fx.ids {
		want, err := fx.svc.ForAPI(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, cards[id]); diff != "" {
			t.Errorf("%s: ForAPIs differs from ForAPI (-ForAPI +ForAPIs):\n%s", slug, diff)
		}
	}
	empty, err := fx.svc.ForAPIs(ctx, nil)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("ForAPIs(nil) = %v, %v; want an empty map", empty, err)
	}
}

// A list page of 25 APIs costs one query.
func TestForAPIsIsOneQuery(t *testing.T) {
	fx := newFixture(t)
	seed(t, fx.db, 25, 75)
	var ids []int64
	if err := fx.db.Raw(`SELECT id FROM apis WHERE slug LIKE 'bench-%' ORDER BY id`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	queries := 0
	count := func(*gorm.DB) { queries++ }
	for name, cb := range map[string]interface {
		Register(string, func(*gorm.DB)) error
	}{
		"query": fx.db.Callback().Query().After("gorm:query"),
		"raw":   fx.db.Callback().Raw().After("gorm:raw"),
		"row":   fx.db.Callback().Row().After("gorm:row"),
	} {
		if err := cb.Register("scorecard_test:count_"+name, count); err != nil {
			t.Fatal(err)
		}
	}
	cards, err := fx.svc.ForAPIs(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 25 || len(cards) != 25 {
		t.Fatalf("graded %d of %d APIs, want 25", len(cards), len(ids))
	}
	if queries != 1 {
		t.Errorf("ForAPIs for 25 APIs ran %d queries, want 1", queries)
	}
}

func TestFailing(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	want := map[string][]string{
		"owner-contact":       {"order-legacy", "product-sync"},
		"description":         {"order-legacy", "product-sync", "stock-events"},
		"published-schema":    {"order-legacy"},
		"published-changelog": {"order-legacy"},
		"auth-policy":         {"order-legacy"},
		"order-idempotency":   {"order-legacy"},
		"deprecation-plan":    {"order-legacy", "stock-moves"},
		"event-asyncapi":      {"stock-events"},
		"has-live-version":    {"partner-orders", "product-sync"},
	}
	for _, r := range scorecard.Rules() {
		got, err := fx.svc.Failing(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[r.ID], got); diff != "" {
			t.Errorf("Failing(%s) (-want +got):\n%s", r.ID, diff)
		}
	}
	if _, err := fx.svc.Failing(ctx, "no-such-rule"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Failing(unknown) error = %v, want store.ErrNotFound", err)
	}
}

// With nothing failing, Failing returns an empty list, not nil: the catalog
// list reads nil as "no filter".
func TestFailingNoneIsEmptyNotNil(t *testing.T) {
	db, _ := testenv.DB(t)
	got, err := scorecard.NewService(db).Failing(context.Background(), "auth-policy")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("Failing on an empty catalog = %#v, want an empty, non-nil list", got)
	}
}

func TestSummary(t *testing.T) {
	fx := newFixture(t)
	got, err := fx.svc.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, s := range got {
		counts[s.ID] = s.Failing
	}
	want := map[string]int{"owner-contact": 2, "description": 3, "published-schema": 1, "published-changelog": 1,
		"auth-policy": 1, "order-idempotency": 1, "deprecation-plan": 2, "event-asyncapi": 1, "has-live-version": 2}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(scorecard.Rules(), rulesOf(got)); diff != "" {
		t.Errorf("summary rules are not Rules() in order (-want +got):\n%s", diff)
	}
}

func rulesOf(s []scorecard.RuleSummary) []scorecard.Rule {
	out := make([]scorecard.Rule, len(s))
	for i, r := range s {
		out[i] = r.Rule
	}
	return out
}

// The SQL failing condition of each rule and its Go evaluation must agree.
// The generated catalog mixes every case the benchmark uses; for each rule,
// Failing and Summary must name exactly the APIs whose card fails it.
func TestFailingMatchesCards(t *testing.T) {
	fx := newFixture(t)
	seed(t, fx.db, 600, 1800)
	ctx := context.Background()
	var ids []int64
	if err := fx.db.Raw(`SELECT id FROM apis`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	cards, err := fx.svc.ForAPIs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != len(ids) {
		t.Fatalf("graded %d of %d APIs", len(cards), len(ids))
	}
	fromCards := map[string][]string{}
	for _, c := range cards {
		for _, r := range c.Failing {
			fromCards[r.ID] = append(fromCards[r.ID], c.APISlug)
		}
	}
	summary, err := fx.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range summary {
		want := fromCards[s.ID]
		slices.Sort(want)
		if len(want) == 0 || len(want) == len(ids) {
			t.Errorf("rule %s fails for %d of %d APIs: the generated catalog should exercise both outcomes", s.ID, len(want), len(ids))
		}
		got, err := fx.svc.Failing(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Failing(%s) disagrees with the cards (-cards +Failing):\n%s", s.ID, diff)
		}
		if s.Failing != len(want) {
			t.Errorf("Summary says %d APIs fail %s, the cards say %d", s.Failing, s.ID, len(want))
		}
	}
}
