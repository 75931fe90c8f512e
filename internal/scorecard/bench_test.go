package scorecard_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/scorecard"
	"github.com/crossdock/crossdock/internal/testenv"
)

// seedStatements generate a catalog of apis APIs with three versions each
// (1.0.0, 1.1.0, 1.2.0), one INSERT ... SELECT generate_series per table.
// Schemas are about 4 kB and AsyncAPI documents about 1.6 kB, so they are
// stored compressed like real contracts. Every rule both passes and fails
// somewhere, decided by the API number k and the version row number g:
//
//	owner-contact        no owner when k%20 = 0; team without contact when its number %5 = 0
//	description          too short when k%3 = 0
//	published-schema     missing when g%17 = 0
//	published-changelog  empty when g%13 = 0, white space only when g%26 = 0
//	auth-policy          api-key policy missing when id%19 = 0; switched off by a later policy when id%23 = 0
//	order-idempotency    idempotency policy on even version ids only (process APIs in the order domain: k%20 = 5)
//	deprecation-plan     1.0.0 is deprecated unless k%4 = 0 (retired); no sunset when g%7 = 0, no successor when id%9 = 0
//	event-asyncapi       event APIs (k%4 = 3) lack the document when g%11 = 0
//	has-live-version     1.1.0 is a draft when k%29 = 0, 1.2.0 published when k is even
var seedStatements = []string{
	`INSERT INTO teams (slug, name, contact_email, contact_chat)
	 SELECT 'bench-team-' || g, 'Bench team ' || g,
	        CASE WHEN g % 5 <> 0 THEN 'team' || g || '@example.com' ELSE '' END,
	        CASE WHEN g % 10 = 1 THEN '#team-' || g ELSE '' END
	 FROM generate_series(0, 49) g`,

	`INSERT INTO apis (slug, name, kind, domain, owner_team_id, description)
	 SELECT 'bench-api-' || k, 'Bench API ' || k,
	        (ARRAY['system', 'process', 'experience', 'event'])[k % 4 + 1],
	        (ARRAY['order', 'inventory', 'shipment', 'invoice', 'product'])[k % 5 + 1],
	        CASE WHEN k % 20 <> 0 THEN (SELECT id FROM teams WHERE slug = 'bench-team-' || (k % 50)) END,
	        CASE WHEN k % 3 <> 0 THEN 'Carries documents between trading partners and the ERP.' ELSE 'Short.' END
	 FROM generate_series(1, @apis) k`,

	`INSERT INTO api_versions (api_id, version, major, minor, patch, lifecycle, schema, asyncapi, changelog, deprecated_at, sunset_at)
	 SELECT a.id, '1.' || n || '.0', 1, n, 0, lc,
	        CASE WHEN g % 17 <> 0 THEN s.doc ELSE '' END,
	        CASE WHEN a.kind = 'event' AND g % 11 <> 0 THEN s.async ELSE '' END,
	        CASE WHEN g % 26 = 0 THEN E' \n' WHEN g % 13 = 0 THEN '' ELSE 'Changes in version ' || g || '.' END,
	        CASE WHEN lc = 'deprecated' THEN now() - interval '30 days' END,
	        CASE WHEN lc = 'deprecated' AND g % 7 <> 0 THEN now() + interval '90 days' END
	 FROM generate_series(1, @versions) g
	 CROSS JOIN LATERAL (SELECT (g - 1) / 3 + 1 AS k, (g - 1) % 3 AS n) kn
	 JOIN apis a ON a.slug = 'bench-api-' || kn.k
	 CROSS JOIN LATERAL (SELECT CASE n
	        WHEN 0 THEN CASE WHEN k % 4 = 0 THEN 'retired' ELSE 'deprecated' END
	        WHEN 1 THEN CASE WHEN k % 29 = 0 THEN 'draft' ELSE 'published' END
	        ELSE CASE WHEN k % 2 = 0 THEN 'published' ELSE 'draft' END END AS lc) l
	 CROSS JOIN (SELECT
	        '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{' ||
	        (SELECT string_agg('"field' || i || '":{"type":"string","maxLength":35,"description":"Field ' || i || ' of the canonical document"}', ',')
	         FROM generate_series(1, 40) i) || '}}' AS doc,
	        '{"asyncapi":"3.0.0","info":{"title":"Events","version":"1.0.0"},"channels":{' ||
	        (SELECT string_agg('"channel' || i || '":{"address":"inventory.' || i || '"}', ',') FROM generate_series(1, 40) i) || '}}' AS async) s`,

	`UPDATE api_versions d SET successor_version_id = s.id
	 FROM api_versions s
	 WHERE s.api_id = d.api_id AND s.minor = 1 AND d.lifecycle = 'deprecated' AND d.id % 9 <> 0
	   AND d.api_id IN (SELECT id FROM apis WHERE slug LIKE 'bench-api-%')`,

	`INSERT INTO policies (name, version, settings) VALUES
	 ('bench-api-key', 1, '{"authentication":{"methods":["api-key"]}}'),
	 ('bench-open', 1, '{"authentication":{}}'),
	 ('bench-idempotency', 1, '{"idempotency":{"mode":"key-required","retentionHours":72}}'),
	 ('bench-rate', 1, '{"rateLimit":{"rate":50,"burst":100}}')`,

	`INSERT INTO policy_attachments (api_version_id, policy_id, position)
	 SELECT v.id, p.id, CASE p.name WHEN 'bench-open' THEN 9 ELSE 1 END
	 FROM api_versions v
	 JOIN apis a ON a.id = v.api_id AND a.slug LIKE 'bench-api-%'
	 JOIN policies p ON (p.name = 'bench-api-key' AND v.id % 19 <> 0)
	                 OR (p.name = 'bench-open' AND v.id % 23 = 0)
	                 OR (p.name = 'bench-idempotency' AND v.id % 2 = 0)
	                 OR p.name = 'bench-rate'
	 WHERE v.lifecycle <> 'draft'`,

	`ANALYZE`,
}

// seed adds a generated catalog of apis APIs and versions versions
// (three per API) to db.
func seed(tb testing.TB, db *gorm.DB, apis, versions int) {
	tb.Helper()
	args := map[string]any{"apis": apis, "versions": versions}
	for _, q := range seedStatements {
		var err error
		if strings.Contains(q, "@") {
			err = db.Exec(q, args).Error
		} else {
			err = db.Exec(q).Error
		}
		if err != nil {
			tb.Fatalf("seed: %v\n%s", err, q)
		}
	}
}

// BenchmarkFailing answers the catalog filter "failing rule" for each rule
// on 10,000 APIs with 30,000 versions.
func BenchmarkFailing(b *testing.B) {
	db, _ := testenv.DB(b)
	seed(b, db, 10000, 30000)
	svc := scorecard.NewService(db)
	ctx := context.Background()
	// The floor for any rule about versions: one pass over the live
	// versions, without grading anything. Compare the rules with it.
	b.Run("baseline-scan-live-versions", func(b *testing.B) {
		for b.Loop() {
			var n int64
			if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM api_versions WHERE lifecycle IN ('published', 'deprecated')`).Scan(&n).Error; err != nil || n == 0 {
				b.Fatalf("%d live versions, %v", n, err)
			}
		}
	})
	for _, r := range scorecard.Rules() {
		b.Run(r.ID, func(b *testing.B) {
			for b.Loop() {
				slugs, err := svc.Failing(ctx, r.ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(slugs) == 0 {
					b.Fatalf("no API fails %s", r.ID)
				}
			}
		})
	}
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Summary(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	var ids []int64
	if err := db.Raw(`SELECT id FROM apis ORDER BY lower(name), id LIMIT 25 OFFSET 5000`).Scan(&ids).Error; err != nil {
		b.Fatal(err)
	}
	b.Run("for-apis-25", func(b *testing.B) {
		for b.Loop() {
			cards, err := svc.ForAPIs(ctx, ids)
			if err != nil || len(cards) != 25 {
				b.Fatalf("%d cards, %v", len(cards), err)
			}
		}
	})
}
