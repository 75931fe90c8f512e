package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/crossdock/crossdock/internal/auth"
)

// seedLargeCatalog fills the database with 10,000 APIs, 30,000 versions
// (one deprecated with a sunset, one published, one draft per API) and
// 100,000 audit events, each table in one INSERT ... SELECT.
func seedLargeCatalog(b *testing.B, e *env) {
	b.Helper()
	stmts := []string{
		`INSERT INTO teams (slug, name, contact_email) SELECT 'team-' || i, 'Team ' || i, 'team' || i || '@northwind.example' FROM generate_series(1, 50) i`,
		`INSERT INTO apis (slug, name, kind, domain, owner_team_id, description, tags)
		 SELECT 'api-' || i,
		        (ARRAY['Order intake','Inventory sync','Shipment status','Invoice posting','Price list','Returns'])[1 + i % 6] || ' ' || lpad(i::text, 5, '0'),
		        (ARRAY['system','process','experience','event'])[1 + i % 4],
		        (ARRAY['order','inventory','shipment','invoice','product','returns'])[1 + i % 6],
		        (SELECT id FROM teams ORDER BY id LIMIT 1 OFFSET i % 50),
		        'Generated API number ' || i || ' for the benchmark; it moves documents between partners and the ERP.',
		        '["bench"]'::jsonb
		 FROM generate_series(1, 10000) i`,
		`INSERT INTO api_versions (api_id, version, major, minor, patch, lifecycle, schema, changelog, released_at, deprecated_at, sunset_at)
		 SELECT a.id, v.version, v.major, v.minor, 0, v.lifecycle,
		        '{"type":"object","properties":{"number":{"type":"string"}}}', 'Generated',
		        now() - interval '200 days',
		        CASE WHEN v.lifecycle = 'deprecated' THEN now() - interval '60 days' END,
		        CASE WHEN v.lifecycle = 'deprecated' THEN now() + ((a.id % 400) - 40) * interval '1 day' END
		 FROM apis a CROSS JOIN (VALUES ('1.0.0', 1, 0, 'deprecated'), ('1.1.0', 1, 1, 'published'), ('2.0.0', 2, 0, 'draft')) AS v(version, major, minor, lifecycle)`,
		`UPDATE api_versions d SET successor_version_id = p.id FROM api_versions p WHERE d.version = '1.0.0' AND p.api_id = d.api_id AND p.version = '1.1.0'`,
		`INSERT INTO audit_events (occurred_at, actor, actor_name, actor_role, action, entity_type, entity_id, after, request_id, client_ip, prev_hash, hash)
		 SELECT now() - i * interval '1 minute', 'user:2', 'Ines Moreau', 'integration_manager',
		        CASE WHEN i % 2 = 0 THEN 'api.update' ELSE 'api_version.publish' END,
		        CASE WHEN i % 2 = 0 THEN 'api' ELSE 'api_version' END,
		        CASE WHEN i % 2 = 0 THEN 'api-' || (1 + i % 10000) ELSE 'api-' || (1 + i % 10000) || '@1.1.0' END,
		        '{"note":"generated"}', 'bench', '127.0.0.1', repeat('0', 64), repeat('0', 64)
		 FROM generate_series(1, 100000) i`,
		`ANALYZE`,
	}
	for _, s := range stmts {
		if err := e.db.Exec(s).Error; err != nil {
			b.Fatalf("seed: %v\n%s", err, s)
		}
	}
}

// BenchmarkCatalogPages measures the server-side time of the catalog list
// with a search term, an API's detail page and the deprecation schedule on
// a large catalog, through the real Fiber app. It reports p50 and p95.
func BenchmarkCatalogPages(b *testing.B) {
	e := newEnv(b, nil)
	seedLargeCatalog(b, e)
	c := e.client()
	c.loginAs(auth.RoleAuditor)
	pages := []struct{ name, path string }{
		{"catalog-search", "/catalog?q=intake+01"},
		{"api-detail", "/catalog/apis/api-4242"},
		{"schedule", "/deprecations"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodGet, p.path, nil)
				start := time.Now()
				resp := c.do(req)
				durations = append(durations, time.Since(start))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", p.path, resp.StatusCode)
				}
				resp.Body.Close()
			}
			slices.Sort(durations)
			pct := func(q float64) float64 {
				return float64(durations[int(q*float64(len(durations)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(0, "ns/op")
			fmt.Printf("%-16s %-32s n=%-5d p50=%6.2f ms  p95=%6.2f ms\n", p.name, p.path, len(durations), pct(0.50), pct(0.95))
		})
	}
}
