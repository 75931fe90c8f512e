package mapping

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/formats"
)

func TestZZScratchTrace(t *testing.T) {
	if os.Getenv("ZZ_TRACE") == "" {
		t.Skip()
	}
	m := templateMapper(t, newCompiler(t), newValidator(t), "x12-850-004010")
	if f := os.Getenv("ZZ_TPL"); f != "" {
		src, _ := os.ReadFile(f)
		tpl, _ := TemplateByID("x12-850-004010")
		cfg := tpl.Config(nil)
		cfg.Program = string(src)
		m, _ = newCompiler(t).NewMapper(cfg)
	}
	docs, err := formats.Parse("x12", x12With850Lines(zzTraceLines()), formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.MapDocument(context.Background(), docs[0]); err != nil {
		t.Fatal(err)
	}
}

// Snapshot of template outputs (scratch, removed after the perf work).
func TestZZScratchSnapshot(t *testing.T) {
	dir := os.Getenv("ZZ_SNAP_DIR")
	if dir == "" {
		t.Skip()
	}
	var inputs []struct {
		name string
		data []byte
	}
	add := func(name string, data []byte) {
		inputs = append(inputs, struct {
			name string
			data []byte
		}{name, data})
	}
	for _, d := range []string{"testdata/edi", "testdata/csv", "testdata/json", "../x12/testdata", "../formats/testdata/edi", "../formats/testdata/csv", "../formats/testdata/json"} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(d + "/" + e.Name())
			if err == nil {
				add(d+"/"+e.Name(), b)
			}
		}
	}
	add("bench1", x12With850Lines(1))
	add("bench50", x12With850Lines(50))
	add("csv500", csvLines(500))
	rich := string(x12With850Lines(3))
	rich = strings.Replace(rich, "PO4*4*6*EA~\n", "PO4*4*6*EA*CTN*1*12.5*LB*2*CF~\nSAC*A*C310***1250*3*5.5****06**DISC~\nSCH*10*EA***002*20240401*1200*010*20240402~\nDTM*002*20240320*1330~\nREF*PO*X1~\nMSG*HELLO~\nNTE*GEN*NOTE1~\nN9*L1*SPECIAL~\nMSG*N9 MSG~\nN1*ST*LINE PARTY*UL*0614141000012~\nN3*ADDR1*ADDR2~\nN4*CITY*ST*12345*US~\nPER*IC*BOB*TE*555*EM*a@b.c*FX*777~\nSLN*1**I*5*EA*1.5*PE**UP*061414100019~\n", 1)
	rich = strings.Replace(rich, "CTT*3~", "N9*ZZ*TOPN9~\nMSG*TOP MSG~\nCTT*3*33~\nAMT*TT*123.45~", 1)
	rich = strings.Replace(rich, "CUR*BY*USD~", "CUR*BY*EUR~\nPER*BD*ALICE*TE*123~\nFOB*PP*OR*DOCK~\nSAC*C*D240***500~\nNTE*ORI*HDR NOTE~\nMSG*HDR MSG~", 1)
	add("rich", []byte(rich))
	muts := map[string][2]string{
		"baddate-beg": {"BEG*00*SA*4500012345**20240301", "BEG*00*SA*4500012345**20241301"},
		"baddate-dtm": {"DTM*002*20240315", "DTM*002*2024031X"},
		"badqty":      {"PO1*2*12*EA", "PO1*2*1X2*EA"},
		"noPO101":     {"PO1*2*12*EA", "PO1**12*EA"},
		"badgtin":     {"UP*061414100023", "UP*061414100024"},
		"badgtinform": {"UP*061414100023", "UP*06141410002"},
		"badprice":    {"EA*2.25*PE", "EA*2.2.5*PE"},
		"badsac":      {"SAC*A*C310***1250", "SAC*A*C310***12.50"},
		"badsch":      {"002*20240401", "002*20240431"},
		"badpo4":      {"PO4*4*6*EA*CTN", "PO4*X*6*EA*CTN"},
		"badtime":     {"20240320*1330", "20240320*2599"},
		"nocur":       {"CUR*BY*EUR~\n", ""},
		"badn1":       {"N1*ST*LINE PARTY*UL*0614141000012", "N1*ST*LINE PARTY*UL*0614141000013"},
		"badsln":      {"SLN*1**I*5*EA*1.5", "SLN*1**I*Q*EA*1.5"},
		"badctt":      {"CTT*3*33", "CTT*X*33"},
	}
	names := make([]string, 0, len(muts))
	for name := range muts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := muts[name]
		add("rich-"+name, []byte(strings.Replace(rich, m[0], m[1], 1)))
		add("bench-"+name, []byte(strings.Replace(string(x12With850Lines(3)), m[0], m[1], 1)))
	}
	c := newCompiler(t)
	v := newValidator(t)
	for _, tpl := range Templates() {
		for _, strict := range []bool{false, true} {
			s, _ := v.Schema(tpl.Target)
			cfg := tpl.Config(s)
			if strict {
				cfg.Tables = x12Tables()
				cfg.Tables["policy"] = map[string]string{"checkDigits": "strict"}
				delete(cfg.Tables, "defaults")
			}
			mp, err := c.NewMapper(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			for _, in := range inputs {
				r := mp.Run(context.Background(), in.data)
				b, err := json.Marshal(map[string]any{"docs": r.Documents, "errors": r.Errors, "skipped": r.Skipped})
				if err != nil {
					t.Fatal(err)
				}
				out.WriteString(in.name + "\n" + string(b) + "\n")
			}
			name := tpl.ID
			if strict {
				name += "-strict"
			}
			if err := os.WriteFile(dir+"/"+name+".txt", []byte(out.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func BenchmarkZZGojqRaw(b *testing.B) {
	c := newCompiler(b)
	for _, src := range []string{
		`reduce range(0;1000) as $i (0; . + $i)`,
		`[range(0;1000) | {a: ., b: 1}] | length`,
		`[range(0;1000) | . as $x | {a: $x}] | length`,
	} {
		m, err := c.NewMapper(Config{Program: src})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rawOutputs(m, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestZZDefMid(t *testing.T) {
	c := newCompiler(t)
	out, err := run(t, c, `2 as $x | def f($i): $i * $x; [range(0;3) as $i | f($i)]`, nil, nil)
	t.Log(out, err)
}

// BenchmarkZZVariant maps the 50-line 850 with each ZZ_VARIANTS file
// (colon-separated) and checks the output equals the shipped template's.
func BenchmarkZZVariant(b *testing.B) {
	c := newCompiler(b)
	v := newValidator(b)
	tpl, _ := TemplateByID("x12-850-004010")
	s, _ := v.Schema("Order")
	docs, _ := formats.Parse("x12", x12With850Lines(zzLines()), formats.Options{})
	ref := templateMapper(b, c, v, "x12-850-004010")
	want, err := ref.MapDocument(context.Background(), docs[0])
	if err != nil {
		b.Fatal(err)
	}
	wj, _ := json.Marshal(want)
	for _, f := range strings.Split(os.Getenv("ZZ_VARIANTS"), ":") {
		if f == "" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		cfg := tpl.Config(s)
		cfg.Program = string(src)
		m, err := c.NewMapper(cfg)
		if err != nil {
			b.Fatal(err)
		}
		got, err := m.MapDocument(context.Background(), docs[0])
		if err != nil {
			b.Fatal(err)
		}
		if gj, _ := json.Marshal(got); string(gj) != string(wj) {
			b.Fatalf("%s: output differs", f)
		}
		b.Run(f[strings.LastIndex(f, "/")+1:], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.MapDocument(context.Background(), docs[0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func zzTraceLines() int {
	n, _ := strconv.Atoi(os.Getenv("ZZ_TRACE_LINES"))
	return n
}

// BenchmarkZZFloor builds the 50 lines' output maps in Go with the same
// natives (no jq): the floor of the map stage's non-interpretive work.
func BenchmarkZZFloor(b *testing.B) {
	c := newCompiler(b)
	docs, _ := formats.Parse("x12", x12With850Lines(50), formats.Options{})
	loops := docs[0].(map[string]any)["set"].(map[string]any)["PO1_loop"].([]any)
	tpl, _ := TemplateByID("x12-850-004010")
	m, _ := c.NewMapper(tpl.Config(nil))
	tables := m.tables
	keys := c.keys
	b.ReportAllocs()
	for b.Loop() {
		lines := make([]any, 0, len(loops))
		for _, l := range loops {
			loop := l.(map[string]any)
			po1 := fnSeg(loop, []any{"PO1"})
			el := func(n int) any { return fnEl(keys, po1, []any{n}) }
			line := map[string]any{
				"lineNumber":  el(1),
				"quantity":    fnQty(nil, []any{el(2), el(3)}),
				"unitPrice":   fnMoney(nil, []any{el(4), "USD"}),
				"priceBasis":  el(5),
				"itemIds":     fnItemIDs(keys, po1, []any{tables, 6, 25}),
				"description": fnDescription(keys, loop),
				"pack":        fnPack(keys, fnSeg(loop, []any{"PO4"})),
				"position":    po1.(map[string]any)["pos"],
			}
			lines = append(lines, fnCompact(line, nil))
		}
		out := map[string]any{"lines": lines}
		if _, err := normalize(out); err != nil {
			b.Fatal(err)
		}
	}
}

func zzLines() int {
	if n, err := strconv.Atoi(os.Getenv("ZZ_LINES")); err == nil {
		return n
	}
	return 50
}
