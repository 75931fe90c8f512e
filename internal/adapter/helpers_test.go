package adapter_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/testenv"
)

const (
	template850 = "x12-850-004010"
	goodSample  = "850_ediengine_vics_nl-terminated.x12"
	badSample   = "850_edinet_missing_isa16_BAD.x12"
	// badSampleError is part of the parse error of badSample.
	badSampleError = "ISA16 component separator missing"
)

// as returns a context whose audit actor is an integration manager.
func as(id, name string) context.Context {
	return audit.WithActor(context.Background(), audit.Actor{ID: id, Name: name, Role: string(auth.RoleIntegrationManager)})
}

func alice() context.Context { return as("user:1", "Alice Integrator") }

// env is one test's world: a database, the catalog with an Order API
// version, the services under test and, when started, a worker.
type env struct {
	t        *testing.T
	db       *gorm.DB
	catalog  *catalog.Service
	partners *partner.Service
	adapters *adapter.Service
	redis    asynq.RedisClientOpt
	version  catalog.Version // order-intake 1.0.0, schema = canonical Order, published
}

// newEnv builds the services on a fresh database. With queue, the
// adapter service queues conformance runs on the test's own Redis
// database.
func newEnv(t *testing.T, queue bool) *env {
	t.Helper()
	db, _ := testenv.DB(t)
	e := &env{t: t, db: db, catalog: catalog.NewService(db)}
	compiler, err := mapping.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	var opts []adapter.Option
	if queue {
		e.redis, _ = testenv.Redis(t)
		client := asynq.NewClient(e.redis)
		t.Cleanup(func() { client.Close() })
		opts = append(opts, adapter.WithEnqueuer(client))
	}
	e.adapters = adapter.NewService(db, e.catalog, compiler, testenv.Logger(), opts...)
	e.partners = partner.NewService(db, e.adapters)
	e.version = e.orderVersion("order-intake", "1.0.0", orderSchema(t))
	return e
}

// orderSchema is the canonical Order schema as published in the catalog.
func orderSchema(t *testing.T) string {
	t.Helper()
	d, err := canonical.Schema(canonical.Order)
	if err != nil {
		t.Fatal(err)
	}
	return string(d.Raw)
}

// requireField returns schema with field added to the top-level required
// list.
func requireField(t *testing.T, schema, field string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(schema), &doc); err != nil {
		t.Fatal(err)
	}
	req, _ := doc["required"].([]any)
	doc["required"] = append(req, field)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// orderVersion registers an API (once) and publishes a version of it.
func (e *env) orderVersion(api, version, schema string) catalog.Version {
	e.t.Helper()
	ctx := alice()
	if _, err := e.catalog.Team(ctx, "order-platform"); err != nil {
		if _, err := e.catalog.SaveTeam(ctx, catalog.TeamInput{Slug: "order-platform", Name: "Order Platform", ContactEmail: "orders@example.com"}, false); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.catalog.API(ctx, api); err != nil {
		if _, err := e.catalog.SaveAPI(ctx, catalog.APIInput{Slug: api, Name: "Order intake " + api, Kind: "process", Domain: "order", OwnerTeam: "order-platform"}, false); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.catalog.SaveVersion(ctx, api, catalog.VersionInput{Version: version, Schema: schema, Changelog: "first"}, false); err != nil {
		e.t.Fatalf("save version: %v", err)
	}
	res, err := e.catalog.Publish(ctx, api, version)
	if err != nil {
		e.t.Fatalf("publish %s %s: %v", api, version, err)
	}
	return res.Version
}

// partner creates a partner in draft.
func (e *env) partner(code, name string) partner.Partner {
	e.t.Helper()
	p, err := e.partners.Create(alice(), partner.Input{Code: code, Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// clone creates an adapter from the 850 template targeting the Order
// version.
func (e *env) clone(p partner.Partner, name string) adapter.Adapter {
	e.t.Helper()
	a, err := e.adapters.CloneTemplate(alice(), p.ID, template850, name, e.version.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// bare clones the 850 template and deletes the samples the clone brought,
// straight in the database (no audit events), for tests that add their own.
func (e *env) bare(p partner.Partner, name string) adapter.Adapter {
	e.t.Helper()
	a := e.clone(p, name)
	if err := e.db.Where("adapter_id = ?", a.ID).Delete(&adapter.Sample{}).Error; err != nil {
		e.t.Fatal(err)
	}
	return a
}

// templateSamples counts a template's samples: all, and the accepted ones.
func templateSamples(templateID string) (all, accepted int) {
	for _, s := range mapping.TemplateSamples(templateID) {
		all++
		if s.Expect == mapping.SampleAccepted {
			accepted++
		}
	}
	return all, accepted
}

// sampleNamed finds a sample of an adapter by name.
func (e *env) sampleNamed(a adapter.Adapter, name string) adapter.Sample {
	e.t.Helper()
	sms, err := e.adapters.Samples(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, sm := range sms {
		if sm.Name == name {
			return sm
		}
	}
	e.t.Fatalf("adapter %d has no sample %s", a.ID, name)
	return adapter.Sample{}
}

// withSamples adds the good sample (expectation recorded from a run) and
// the broken one (rejected with the parse error), to a bare adapter.
func (e *env) withSamples(a adapter.Adapter) (good, bad adapter.Sample) {
	e.t.Helper()
	ctx := alice()
	good, err := e.adapters.AddSample(ctx, a.ID, goodSample, readTestdata(e.t, goodSample), adapter.ExpectAccepted, nil, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if good, err = e.adapters.RecordExpected(ctx, good.ID); err != nil {
		e.t.Fatal(err)
	}
	bad, err = e.adapters.AddSample(ctx, a.ID, badSample, readTestdata(e.t, badSample), adapter.ExpectRejected, nil, []string{badSampleError})
	if err != nil {
		e.t.Fatal(err)
	}
	return good, bad
}

func (e *env) activeRevision(a adapter.Adapter) adapter.Revision {
	e.t.Helper()
	revs, err := e.adapters.Revisions(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range revs {
		if r.Status == adapter.RevisionActive {
			return r
		}
	}
	e.t.Fatalf("adapter %d has no active revision", a.ID)
	return adapter.Revision{}
}

func (e *env) latestRevision(a adapter.Adapter) adapter.Revision {
	e.t.Helper()
	revs, err := e.adapters.Revisions(context.Background(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(revs) == 0 {
		e.t.Fatalf("adapter %d has no revisions", a.ID)
	}
	return revs[0]
}

func (e *env) activate(r adapter.Revision) adapter.Revision {
	e.t.Helper()
	r, err := e.adapters.Activate(alice(), r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// facts asks the service what the partner checklist asks.
func (e *env) facts(partnerID int64) (active, passing bool) {
	e.t.Helper()
	a, p, err := e.adapters.AdapterFacts(context.Background(), partnerID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, p
}

// count returns the rows of a table.
func (e *env) count(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Table(table).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// auditActions lists the audit actions recorded for an adapter, oldest
// first.
func (e *env) auditActions(a adapter.Adapter) []string {
	e.t.Helper()
	var out []string
	if err := e.db.Table("audit_events").Where("entity_type = ? AND entity_id = ?", adapter.EntityType, itoa(a.ID)).
		Order("id").Pluck("action", &out).Error; err != nil {
		e.t.Fatal(err)
	}
	return out
}

// startWorker runs a real jobs.Worker with the conformance processor
// until the test ends.
func (e *env) startWorker() {
	e.t.Helper()
	w := jobs.NewWorker(e.redis, 2, testenv.Logger())
	w.Handle(adapter.TypeRunConformance, adapter.ConformanceProcessor{Adapters: e.adapters, Log: testenv.Logger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("worker stop: %v", err)
			}
		case <-time.After(30 * time.Second):
			e.t.Error("worker did not shut down")
		}
	})
}

// conform starts a conformance run and waits for the worker to end it.
func (e *env) conform(a adapter.Adapter) adapter.ConformanceRun {
	e.t.Helper()
	run, err := e.adapters.StartConformance(alice(), a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if run.Status != adapter.RunQueued {
		e.t.Fatalf("new run status = %s, want queued", run.Status)
	}
	return e.wait(run.ID)
}

// wait polls a run until it ends.
func (e *env) wait(runID int64) adapter.ConformanceRun {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		run, err := e.adapters.ConformanceRun(context.Background(), runID)
		if err != nil {
			e.t.Fatal(err)
		}
		if run.Status.Finished() {
			return run
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run %d still %s (%d/%d) after 30s", runID, run.Status, run.Done, run.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
