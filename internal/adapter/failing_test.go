package adapter_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/adapter"
)

// FailingAdapters keeps the adapters whose latest run failed or ended in
// error, most recently finished first; a newer run of any other status
// hides an older failure.
func TestFailingAdapters(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	acme, globex := e.partner("ACME", "Acme Retail"), e.partner("GLOBEX", "Globex")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	run := func(a adapter.Adapter, status adapter.RunStatus, failed int, msg string, finished time.Duration) {
		t.Helper()
		at := t0.Add(finished)
		r := adapter.ConformanceRun{AdapterID: a.ID, RevisionID: e.latestRevision(a).ID, Status: status, Total: 4, Message: msg, CreatedAt: at, StartedAt: &at}
		if status.Finished() {
			r.Done, r.Failed, r.Passed, r.FinishedAt = 4, failed, 4-failed, &at
		}
		if err := e.db.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}

	if got, total, err := e.adapters.FailingAdapters(ctx, 5); err != nil || len(got) != 0 || total != 0 {
		t.Fatalf("no runs: %v %d %v", got, total, err)
	}

	orders := e.bare(acme, "orders")     // failed, then passed: not failing
	invoices := e.bare(acme, "invoices") // passed, then failed: failing
	asn := e.bare(globex, "asn")         // error: failing, finished last
	stock := e.bare(globex, "stock")     // failed, then a run in progress: not failing
	e.bare(globex, "untested")           // no run: not failing
	run(orders, adapter.RunFailed, 2, "", 1*time.Hour)
	run(orders, adapter.RunPassed, 0, "", 2*time.Hour)
	run(invoices, adapter.RunPassed, 0, "", 1*time.Hour)
	run(invoices, adapter.RunFailed, 3, "", 3*time.Hour)
	run(asn, adapter.RunError, 0, "the program does not compile", 4*time.Hour)
	run(stock, adapter.RunFailed, 1, "", 1*time.Hour)
	run(stock, adapter.RunRunning, 0, "", 5*time.Hour)

	type row struct {
		Adapter, Partner, PartnerName string
		Status                        adapter.RunStatus
		Failed                        int
		Message                       string
	}
	summary := func(fs []adapter.FailingAdapter) []row {
		var out []row
		for _, f := range fs {
			out = append(out, row{f.AdapterName, f.PartnerCode, f.PartnerName, f.Status, f.Failed, f.Message})
			if f.RunID == 0 || f.FinishedAt == nil || f.AdapterID == 0 {
				t.Errorf("%s: run %d finished %v adapter %d", f.AdapterName, f.RunID, f.FinishedAt, f.AdapterID)
			}
		}
		return out
	}
	got, total, err := e.adapters.FailingAdapters(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"asn", "GLOBEX", "Globex", adapter.RunError, 0, "the program does not compile"},
		{"invoices", "ACME", "Acme Retail", adapter.RunFailed, 3, ""},
	}
	if diff := cmp.Diff(want, summary(got)); diff != "" || total != 2 {
		t.Errorf("failing adapters, total %d (-want +got):\n%s", total, diff)
	}
	if got[1].AdapterID != invoices.ID {
		t.Errorf("adapter id %d, want %d", got[1].AdapterID, invoices.ID)
	}

	// The limit cuts the list, not the total.
	got, total, err = e.adapters.FailingAdapters(ctx, 1)
	if err != nil || len(got) != 1 || got[0].AdapterName != "asn" || total != 2 {
		t.Errorf("limit 1: %v total %d %v", summary(got), total, err)
	}
}
