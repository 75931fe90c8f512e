package adapter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/mapping"
)

func TestDiffDocuments(t *testing.T) {
	tests := []struct {
		name     string
		expected string
		actual   string
		want     []Difference
	}{
		{"equal, keys reordered", `[{"a": 1, "b": {"c": "x", "d": [1, 2]}}]`, `[{"b": {"d": [1, 2], "c": "x"}, "a": 1}]`, nil},
		{"numbers by value", `[{"n": 1.50, "m": 10}]`, `[{"n": 1.5, "m": 1e1}]`, nil},
		{"changed value", `[{"number": "A1"}]`, `[{"number": "A2"}]`,
			[]Difference{{Path: "/0/number", Kind: DiffChanged, Expected: `"A1"`, Actual: `"A2"`}}},
		{"string is not a number", `[{"q": "1"}]`, `[{"q": 1}]`,
			[]Difference{{Path: "/0/q", Kind: DiffChanged, Expected: `"1"`, Actual: `1`}}},
		{"missing and extra members", `[{"a": 1, "b": 2}]`, `[{"b": 2, "c": null}]`,
			[]Difference{{Path: "/0/a", Kind: DiffMissing, Expected: `1`}, {Path: "/0/c", Kind: DiffExtra, Actual: `null`}}},
		{"array lengths", `[{"l": [1, 2, 3]}]`, `[{"l": [1]}, {"x": true}]`,
			[]Difference{{Path: "/0/l/1", Kind: DiffMissing, Expected: `2`}, {Path: "/0/l/2", Kind: DiffMissing, Expected: `3`},
				{Path: "/1", Kind: DiffExtra, Actual: `{"x":true}`}}},
		{"type change", `[{"p": {"a": 1}}]`, `[{"p": [1]}]`,
			[]Difference{{Path: "/0/p", Kind: DiffChanged, Expected: `{"a":1}`, Actual: `[1]`}}},
		{"pointer escaping", `[{"a/b": 1, "c~d": 1}]`, `[{"a/b": 2, "c~d": 2}]`,
			[]Difference{{Path: "/0/a~1b", Kind: DiffChanged, Expected: "1", Actual: "2"}, {Path: "/0/c~0d", Kind: DiffChanged, Expected: "1", Actual: "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var actual []any
			if err := json.Unmarshal([]byte(tt.actual), &actual); err != nil {
				t.Fatal(err)
			}
			got, truncated, err := diffDocuments(json.RawMessage(tt.expected), actual)
			if err != nil {
				t.Fatal(err)
			}
			if truncated {
				t.Error("truncated")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
			if eq := jsonEqual([]byte(tt.expected), []byte(tt.actual)); eq != (len(tt.want) == 0) {
				t.Errorf("jsonEqual = %v", eq)
			}
		})
	}
}

func TestDiffTruncated(t *testing.T) {
	var exp, act []string
	for i := range MaxDifferences + 10 {
		exp = append(exp, `"x`+strings.Repeat("a", i)+`"`)
		act = append(act, `"y"`)
	}
	got, truncated, err := diffDocuments(json.RawMessage(`[{"l": [`+strings.Join(exp, ",")+`]}]`),
		[]any{map[string]any{"l": mustJSON(t, `[`+strings.Join(act, ",")+`]`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxDifferences || !truncated {
		t.Errorf("got %d differences, truncated %v; want %d, true", len(got), truncated, MaxDifferences)
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEvaluate(t *testing.T) {
	doc := map[string]any{"number": "A1"}
	parseErr := mapping.Error{Stage: mapping.StageParse, Input: -1, Output: -1, Message: "formats: x12: ISA16 component separator missing"}
	tests := []struct {
		name     string
		sample   Sample
		result   mapping.Result
		want     Outcome
		problem  string // part of the first problem
		missing  []string
		nDiffs   int
		nErrors  int
		nProblem int
	}{
		{"accepted as expected", Sample{Expect: ExpectAccepted, ExpectedOutput: json.RawMessage(`[{"number":"A1"}]`)},
			mapping.Result{Documents: []any{doc}}, OutcomePassed, "", nil, 0, 0, 0},
		{"accepted, any output", Sample{Expect: ExpectAccepted}, mapping.Result{Documents: []any{doc}}, OutcomePassed, "", nil, 0, 0, 0},
		{"accepted but differs", Sample{Expect: ExpectAccepted, ExpectedOutput: json.RawMessage(`[{"number":"A2"}]`)},
			mapping.Result{Documents: []any{doc}}, OutcomeFailed, "differ from the expected ones in 1 place; the first at /0/number", nil, 1, 0, 1},
		{"accepted but rejected", Sample{Expect: ExpectAccepted}, mapping.Result{Errors: []mapping.Error{parseErr}},
			OutcomeFailed, "reported 1 error", nil, 0, 1, 2},
		{"accepted, no documents", Sample{Expect: ExpectAccepted}, mapping.Result{Skipped: []int{0}},
			OutcomeFailed, "produced no documents", nil, 0, 0, 1},
		{"rejected as expected, case-insensitive", Sample{Expect: ExpectRejected, ExpectedErrors: StringList{"isa16 COMPONENT"}},
			mapping.Result{Errors: []mapping.Error{parseErr}}, OutcomePassed, "", nil, 0, 1, 0},
		{"rejected with other errors", Sample{Expect: ExpectRejected, ExpectedErrors: StringList{"ISA16", "unknown unit"}},
			mapping.Result{Errors: []mapping.Error{parseErr}}, OutcomeFailed, `"unknown unit" not found`, []string{"unknown unit"}, 0, 1, 1},
		{"rejected but accepted", Sample{Expect: ExpectRejected}, mapping.Result{Documents: []any{doc}},
			OutcomeFailed, "accepted with 1 document", nil, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, d := evaluate(tt.sample, tt.result)
			if got != tt.want {
				t.Fatalf("outcome = %s, want %s (%q)", got, tt.want, d.Problems)
			}
			if len(d.Problems) != tt.nProblem || (tt.problem != "" && !strings.Contains(d.Problems[0], tt.problem)) {
				t.Errorf("problems = %q, want %d, the first with %q", d.Problems, tt.nProblem, tt.problem)
			}
			if diff := cmp.Diff(tt.missing, d.MissingErrors); diff != "" {
				t.Errorf("missing errors (-want +got):\n%s", diff)
			}
			if len(d.Differences) != tt.nDiffs || len(d.Errors) != tt.nErrors || d.Expect != tt.sample.Expect {
				t.Errorf("detail = %+v", d)
			}
		})
	}
}

func TestParseOptionsRoundTrip(t *testing.T) {
	r := Revision{}
	r.ParseOptions.Delimiter, r.ParseOptions.Header, r.ParseOptions.GroupBy, r.ParseOptions.Comment, r.ParseOptions.MaxBytes = ';', true, "po_number", '#', 42
	if err := r.BeforeSave(nil); err != nil {
		t.Fatal(err)
	}
	if got, want := string(r.ParseOptionsJSON), `{"delimiter":";","header":true,"groupBy":"po_number","comment":"#","maxBytes":42}`; got != want {
		t.Errorf("stored = %s, want %s", got, want)
	}
	back := Revision{ParseOptionsJSON: r.ParseOptionsJSON}
	if err := back.AfterFind(nil); err != nil {
		t.Fatal(err)
	}
	if back.ParseOptions != r.ParseOptions {
		t.Errorf("round trip = %+v, want %+v", back.ParseOptions, r.ParseOptions)
	}
}
