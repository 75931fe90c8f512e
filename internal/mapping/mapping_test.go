package mapping

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/formats"
)

func TestCompileCache(t *testing.T) {
	c := newCompiler(t)
	const src = `{documentType: "Order"}`
	var wg sync.WaitGroup
	progs := make([]*Program, 16)
	for i := range progs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.Compile(src)
			if err != nil {
				t.Error(err)
			}
			progs[i] = p
		}()
	}
	wg.Wait()
	for _, p := range progs[1:] {
		if p != progs[0] {
			t.Fatal("the same text compiled to different programs")
		}
	}
	if c.Len() != 1 {
		t.Errorf("cache holds %d programs, want 1", c.Len())
	}
	if len(progs[0].Hash()) != 64 || progs[0].Source() != src {
		t.Errorf("hash %q source %q", progs[0].Hash(), progs[0].Source())
	}
	p2, err := c.Compile(src + " ")
	if err != nil {
		t.Fatal(err)
	}
	if p2 == progs[0] || c.Len() != 2 {
		t.Errorf("a different text must compile separately (len %d)", c.Len())
	}
	// Two compilers share nothing.
	if other := newCompiler(t); other.Len() != 0 {
		t.Errorf("new compiler has %d programs", other.Len())
	}
}

func TestCompileErrors(t *testing.T) {
	c := newCompiler(t)
	tests := []struct{ src, want string }{
		{".set as $s\n| {number: ($s | seg(\"BEG\") | el(3)}", `mapping: compile: line 2, column 36: unexpected token "}"`},
		{".set | segs(\"PO1\")\n  | po1line", "mapping: compile: line 2, column 5: function not defined: po1line/0"},
		{"{a: $nope}", "mapping: compile: line 1, column 5: variable not defined: $nope"},
		{`"unterminated`, "mapping: compile: line 1, column 14: unterminated string literal"},
	}
	for _, tt := range tests {
		_, err := c.Compile(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Compile(%q):\ngot  %v\nwant %s", tt.src, err, tt.want)
		}
		// The error is cached too.
		_, err2 := c.Compile(tt.src)
		if err2 == nil || err2.Error() != err.Error() {
			t.Errorf("cached error differs: %v", err2)
		}
	}
}

func TestMappingErrors(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	m := templateMapper(t, c, v, "x12-850-004010")
	good := string(readTestdata(t, "edi/850_ediengine_vics_nl-terminated.x12"))
	tests := []struct {
		name, from, to string
		stage, path    string
		message        string
	}{
		{"bad date", "BEG*00*SA*08292233294**20101127", "BEG*00*SA*08292233294**20101327", StageMap,
			`.set.BEG[0]["05"]`, `BEG (segment 2): x12date: "20101327" is not a calendar date (BEG05, segment 2)`},
		{"bad price", "PO1*3*126*EA*10.99*", "PO1*3*126*EA*10,99*", StageMap,
			`.set.PO1_loop[2].PO1[0]["04"]`, `PO1 line 3 (segment 19): decimal: "10,99" is not a decimal number (PO104, segment 19)`},
		{"bad quantity", "PO1*2*220*", "PO1*2*2.2.0*", StageMap,
			`.set.PO1_loop[1].PO1[0]["02"]`, `PO1 line 2 (segment 16): decimal: "2.2.0" is not a decimal number (PO102, segment 16)`},
		{"bad ITD days", "ITD*14*3*2**45", "ITD*14*3*2**4X", StageMap,
			`.set.ITD[0]["05"]`, `integer: "4X" is not a whole number (ITD05, segment 5)`},
		{"missing BEG03", "BEG*00*SA*08292233294*", "BEG*00*SA**", StageValidate,
			"/number", "/number is required but missing"},
		{"missing quantity", "PO1*1*120*EA", "PO1*1**EA", StageValidate,
			"/lines/0/quantity", "/lines/0/quantity is required but missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.from) {
				t.Fatalf("sample has no %q", tt.from)
			}
			r := m.Run(context.Background(), []byte(strings.Replace(good, tt.from, tt.to, 1)))
			if len(r.Errors) != 1 {
				t.Fatalf("got errors %v, want 1", r.Errors)
			}
			e := r.Errors[0]
			if e.Stage != tt.stage || e.Path != tt.path || e.Message != tt.message {
				t.Errorf("got  %q %q %q\nwant %q %q %q", e.Stage, e.Path, e.Message, tt.stage, tt.path, tt.message)
			}
			if tt.stage == StageMap && (len(r.Documents) != 0 || e.Input != 0 || e.Output != -1) {
				t.Errorf("map error: documents %d input %d output %d", len(r.Documents), e.Input, e.Output)
			}
			if tt.stage == StageValidate && (len(r.Documents) != 1 || e.Output != 0 || len(r.Valid()) != 0) {
				t.Errorf("validate error: documents %d output %d valid %d", len(r.Documents), e.Output, len(r.Valid()))
			}
			if !strings.HasPrefix(e.Error(), "mapping: "+tt.stage) || r.Err() == nil {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestMappingErrorCases(t *testing.T) {
	c := newCompiler(t)
	doc := map[string]any{"a": "1", "b": map[string]any{"c": "x1", "d": "x1"}}
	tests := []struct {
		name, program string
		cfg           Config
		wantPath      string
		wantMsg       string
	}{
		{"not an object", `"hello"`, Config{}, "", "output 1 is a string; a mapping must output objects (canonical documents)"},
		{"value in two places", `.b.c | x12date`, Config{}, `.b.c`, `x12date: "x1" is not a date: want CCYYMMDD or YYMMDD (the same value also appears elsewhere)`},
		{"value not in the input", `"zz" | x12date`, Config{}, "", `x12date: "zz" is not a date: want CCYYMMDD or YYMMDD`},
		{"jq runtime error", `.a[]`, Config{}, "", `cannot iterate over: string ("1")`},
		{"error()", `error("PO 4500012345: unknown unit of measure 'CSE'")`, Config{}, "",
			"PO 4500012345: unknown unit of measure 'CSE'"},
		{"too many outputs", `range(5) | {n: .}`, Config{MaxOutputs: 3}, "", "the program produced more than 3 documents for one input"},
		{"NaN", `{n: nan}`, Config{}, "", "output 1: NaN is not a JSON number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Program = tt.program
			m, err := c.NewMapper(cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Map(context.Background(), []any{doc})
			if len(r.Errors) != 1 {
				t.Fatalf("got %v", r.Errors)
			}
			if e := r.Errors[0]; e.Path != tt.wantPath || e.Message != tt.wantMsg || e.Stage != StageMap {
				t.Errorf("got  %q %q\nwant %q %q", e.Path, e.Message, tt.wantPath, tt.wantMsg)
			}
		})
	}
}

func TestMapOutputs(t *testing.T) {
	c := newCompiler(t)
	m, err := c.NewMapper(Config{Program: `.lines[] | {line: ., big: 100000000000000000000 * 100, n: 1.5}`})
	if err != nil {
		t.Fatal(err)
	}
	r := m.Map(context.Background(), []any{
		map[string]any{"lines": []any{"a", "b"}},
		map[string]any{"lines": "x"},
		map[string]any{"lines": []any{"c"}},
	})
	if len(r.Documents) != 3 {
		t.Fatalf("got %d documents, want 3 (a, b, c)", len(r.Documents))
	}
	if len(r.Errors) != 1 || r.Errors[0].Input != 1 {
		t.Errorf("got errors %v, want one for input 1", r.Errors)
	}
	got := r.Documents[2].(map[string]any)
	if got["line"] != "c" || got["big"] != json.Number("10000000000000000000000") {
		t.Errorf("document 3 = %#v", got)
	}
	if _, err := json.Marshal(r.Documents); err != nil {
		t.Error(err)
	}
	// halt stops a program without an error.
	m, _ = c.NewMapper(Config{Program: `{a: 1}, halt, {b: 2}`})
	if r := m.Map(context.Background(), []any{nil}); len(r.Documents) != 1 || len(r.Errors) != 0 {
		t.Errorf("halt: %v %v", r.Documents, r.Errors)
	}
}

// TestMapOutputsWithSchema: with a schema whose fast check looks at every
// value, valid outputs skip normalising; big numbers and NaN must still be
// normalised or reported as before.
func TestMapOutputsWithSchema(t *testing.T) {
	c := newCompiler(t)
	s, _ := newValidator(t).Schema("Order")
	order := `{documentType: "Order", kind: "purchase-order", number: "1",
	           lines: [{lineNumber: "1", quantity: {value: "1", unit: "EA"}, itemIds: [{scheme: "sku", value: "A"}]}]}`
	for _, tc := range []struct {
		name, program string
		docs          int
		err           string
		check         func(doc map[string]any) bool
	}{
		{"valid", order, 1, "", func(d map[string]any) bool { return d["number"] == "1" }},
		{"big", order + ` | .totals.lineCount = 100000000000000000000 * 100`, 1, "",
			func(d map[string]any) bool {
				return d["totals"].(map[string]any)["lineCount"] == json.Number("10000000000000000000000")
			}},
		{"NaN", order + ` | .totals.lineCount = nan`, 0, "output 1: NaN is not a JSON number", nil},
		{"NaN in second", order + `, (` + order + ` | .x = [nan])`, 0, "output 2: NaN is not a JSON number", nil},
		{"invalid", order + ` | .number = 5`, 1, "/number", nil},
		{"not an object", order + `, 1`, 0, "output 2 is a number", nil},
	} {
		m, err := c.NewMapper(Config{Program: tc.program, Schema: s})
		if err != nil {
			t.Fatal(err)
		}
		r := m.Map(context.Background(), []any{nil})
		if len(r.Documents) != tc.docs {
			t.Errorf("%s: got %d documents, want %d (%v)", tc.name, len(r.Documents), tc.docs, r.Err())
			continue
		}
		switch {
		case tc.err == "" && len(r.Errors) > 0:
			t.Errorf("%s: %v", tc.name, r.Err())
		case tc.err != "" && (len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Error(), tc.err)):
			t.Errorf("%s: got %v, want an error with %q", tc.name, r.Err(), tc.err)
		}
		if tc.check != nil && !tc.check(r.Documents[0].(map[string]any)) {
			t.Errorf("%s: document %#v", tc.name, r.Documents[0])
		}
		if _, err := json.Marshal(r.Documents); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestMapSkipsOtherTypes(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	r := templateMapper(t, c, v, "x12-810-004010").Run(context.Background(), readTestdata(t, "edi/810+850_staedi_two-groups_multi-st.x12"))
	if diff := cmp.Diff([]int{2}, r.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if len(r.Documents) != 2 || len(r.Errors) != 0 {
		t.Errorf("got %d documents, errors %v", len(r.Documents), r.Errors)
	}
}

func TestMapCancelled(t *testing.T) {
	c := newCompiler(t)
	m, _ := c.NewMapper(Config{Program: `{a: 1}`})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := m.Map(ctx, []any{nil, nil})
	if len(r.Errors) != 2 || !strings.Contains(r.Errors[0].Message, "cancelled: context canceled") {
		t.Errorf("got %v", r.Errors)
	}
	_, err := m.MapDocument(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	// A program that never ends stops with the context.
	m, _ = c.NewMapper(Config{Program: `def f: f; f`})
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- m.Map(ctx, []any{nil}) }()
	cancel()
	if r := <-done; len(r.Errors) != 1 {
		t.Errorf("endless program: got %v", r.Errors)
	}
}

func TestRunParseError(t *testing.T) {
	c := newCompiler(t)
	m, _ := c.NewMapper(Config{Format: "csv", ParseOptions: formats.Options{Header: true}, Program: "."})
	r := m.Run(context.Background(), []byte("a,b\n1\n"))
	want := []Error{{Stage: StageParse, Input: -1, Output: -1, Message: "formats: csv: row 2 has 1 field, the header has 2"}}
	if diff := cmp.Diff(want, r.Errors); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCSVGroupingToOrders(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	m := templateMapper(t, c, v, "csv-order-lines")
	in := "po_number,line,gtin,qty,uom,order_date\n" +
		"P1,1,96385074,2,EA,2024-01-05\n" +
		"P2,1,4006381333931,1,CA,2024-01-06\n" +
		"P1,2,614141000036,5,EA,2024-01-05\n" +
		"P2,2,4006381333932,1,CA,2024-01-06\n"
	r := m.Run(context.Background(), []byte(in))
	if len(r.Documents) != 1 || at(r.Documents[0], "/number") != "P1" || at(r.Documents[0], "/lines#") != 2 {
		t.Fatalf("documents %v", r.Documents)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("errors %v", r.Errors)
	}
	e := r.Errors[0]
	if e.Input != 1 || e.Path != ".rows[1].gtin" ||
		e.Message != `row 5: gtin: "4006381333932" has check digit 2, but the GS1 check digit is 1` {
		t.Errorf("got %d %q %q", e.Input, e.Path, e.Message)
	}
}
