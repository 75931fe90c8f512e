package adapter_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/mapping"
)

// Every template's clone brings the template's samples with expectations
// that hold: accepted ones expect exactly the template's output, rejected
// ones its error, and conformance passes right after cloning.
func TestCloneBringsTemplateSamples(t *testing.T) {
	e := newEnv(t, true)
	e.startWorker()
	ctx := alice()
	p := e.partner("ACME", "Acme Retail")
	versions := map[string]catalog.Version{canonical.Order: e.version}
	for _, tpl := range mapping.Templates() {
		t.Run(tpl.ID, func(t *testing.T) {
			v, ok := versions[tpl.Target]
			if !ok {
				d, err := canonical.Schema(tpl.Target)
				if err != nil {
					t.Fatal(err)
				}
				v = e.orderVersion("canonical-"+strings.ToLower(tpl.Target), "1.0.0", string(d.Raw))
				versions[tpl.Target] = v
			}
			a, err := e.adapters.CloneTemplate(ctx, p.ID, tpl.ID, "", v.ID)
			if err != nil {
				t.Fatal(err)
			}
			specs := mapping.TemplateSamples(tpl.ID)
			sms, err := e.adapters.Samples(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(sms) != len(specs) || len(specs) == 0 {
				t.Fatalf("%d samples, want the template's %d", len(sms), len(specs))
			}
			for _, spec := range specs {
				sm := e.sampleNamed(a, spec.Name())
				want, _ := mapping.TemplateSample(spec.File)
				if string(sm.Content) != string(want) {
					t.Errorf("%s: content differs from the template's file", sm.Name)
				}
				switch spec.Expect {
				case mapping.SampleAccepted:
					var docs []map[string]any
					if sm.Expect != adapter.ExpectAccepted || sm.ExpectedErrors != nil || json.Unmarshal(sm.ExpectedOutput, &docs) != nil || len(docs) == 0 {
						t.Errorf("%s: expect %s, output %.80s, errors %q", sm.Name, sm.Expect, sm.ExpectedOutput, sm.ExpectedErrors)
						continue
					}
					for _, d := range docs {
						if d["documentType"] != tpl.Target {
							t.Errorf("%s: expected documentType %v, want %s", sm.Name, d["documentType"], tpl.Target)
						}
					}
				case mapping.SampleRejected:
					if sm.Expect != adapter.ExpectRejected || sm.ExpectedOutput != nil || !slices.Equal(sm.ExpectedErrors, adapter.StringList{spec.Error}) {
						t.Errorf("%s: expect %s, output %.80s, errors %q", sm.Name, sm.Expect, sm.ExpectedOutput, sm.ExpectedErrors)
					}
				}
			}
			actions := e.auditActions(a)
			if len(actions) != 1+len(specs) || actions[0] != adapter.ActionCreate || slices.ContainsFunc(actions[1:], func(s string) bool { return s != adapter.ActionSampleAdd }) {
				t.Errorf("audit trail %v, want create then %d sample adds", actions, len(specs))
			}
			run := e.conform(a) // revision 1, the template's program, still a draft
			if run.Status != adapter.RunPassed || run.Total != len(specs) || run.Passed != len(specs) {
				rep, _ := e.adapters.RunReport(context.Background(), run.ID)
				var problems []string
				for _, r := range rep.Results {
					problems = append(problems, r.SampleName+": "+strings.Join(r.Detail.Problems, "; "))
				}
				t.Errorf("run right after cloning = %s %d/%d passed %q: %s", run.Status, run.Passed, run.Total, run.Message, strings.Join(problems, "\n"))
			}
		})
	}
	if n := e.count("adapter_samples"); n < int64(len(mapping.Templates())) {
		t.Errorf("%d samples in all", n)
	}
}

// When the target's schema refuses what the template maps, the accepted
// samples expect any valid output (never "rejected"): conformance fails
// and says why, so the mapping gets adapted to the contract.
func TestCloneOntoAStricterTarget(t *testing.T) {
	e := newEnv(t, true)
	e.startWorker()
	ctx := alice()
	strict := e.orderVersion("strict-order", "1.0.0", requireField(t, orderSchema(t), "partnerReference"))
	a, err := e.adapters.CloneTemplate(ctx, e.partner("ACME", "Acme Retail").ID, template850, "", strict.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, accepted := templateSamples(template850)
	sms, err := e.adapters.Samples(ctx, a.ID)
	if err != nil || len(sms) != n {
		t.Fatalf("samples: %d (%v), want %d", len(sms), err, n)
	}
	for _, sm := range sms {
		if sm.ExpectedOutput != nil {
			t.Errorf("%s: expected output recorded although the target refuses it", sm.Name)
		}
		if sm.Expect == adapter.ExpectRejected && len(sm.ExpectedErrors) != 1 {
			t.Errorf("%s: rejected without its error", sm.Name)
		}
	}
	if good := e.sampleNamed(a, goodSample); good.Expect != adapter.ExpectAccepted {
		t.Errorf("good sample expects %s, want accepted", good.Expect)
	}
	run := e.conform(a)
	if run.Status != adapter.RunFailed || run.Failed != accepted || run.Passed != n-accepted {
		t.Fatalf("run = %s, %d failed %d passed; want failed, %d failed", run.Status, run.Failed, run.Passed, accepted)
	}
	rep, err := e.adapters.RunReport(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Results[0].Detail.Problems; len(p) == 0 || !strings.Contains(strings.Join(p, " "), "partnerReference") {
		t.Errorf("the failure does not name the missing field: %q", p)
	}
}
