package x12

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// at walks a tree by map keys and slice indexes.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("path %v: %T is not an object at %q", path, v, k)
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("path %v: no index %d in %T (len %d)", path, k, v, len(s))
			}
			v = s[k]
		}
	}
	return v
}

func firstSet(t *testing.T, file string) *TransactionSet {
	t.Helper()
	ics, err := ParseAll(readSample(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return &ics[0].Groups[0].Sets[0]
}

func TestTreePaths(t *testing.T) {
	tests := []struct {
		file string
		path []any
		want any
	}{
		{"850_ediengine_vics_nl-terminated.x12", []any{"BEG", 0, "03"}, "08292233294"},
		{"850_ediengine_vics_nl-terminated.x12", []any{"PO1_loop", 0, "PO1", 0, "07"}, "065322-117"},
		{"850_ediengine_vics_nl-terminated.x12", []any{"PO1_loop", 5, "PID", 0, "05"}, "ORANGE WIDGET"},
		{"850_ediengine_vics_nl-terminated.x12", []any{"PO1_loop", 5, "PO4", 0, "pos"}, 30},
		{"850_ediengine_vics_nl-terminated.x12", []any{"N1_loop", 0, "N1", 0, "04"}, "0003947268292"},
		{"850_ediengine_vics_nl-terminated.x12", []any{"CTT", 0, "01"}, "6"},
		{"850_ediengine_sln_composite.x12", []any{"PO1_loop", 0, "SLN_loop", 0, "SLN", 0, "05"}, []any{"PC", "11.1", "12.2", "EA", "13.3", "14.4"}},
		{"855_nodex12_books_ack-ia-ir.x12", []any{"PO1_loop", 0, "ACK", 0, "01"}, "IA"},
		{"855_nodex12_books_ack-ia-ir.x12", []any{"PO1_loop", 0, "SCH", 0, "id"}, "SCH"},
		{"810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12", []any{"IT1_loop", 1, "N1_loop", 1, "N1", 0, "01"}, "ST"},
		{"810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12", []any{"IT1_loop", 0, "SAC", 1, "02"}, "G830"},
		{"810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12", []any{"SAC", 1, "02"}, "H850"},
		{"810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12", []any{"TDS", 0, "01"}, "36596"},
		{"846_x12types_5010_minimal.x12", []any{"LIN_loop", 0, "QTY", 0, "02"}, "100"},
		{"940_ediengine_warehouse-order.x12", []any{"N1_loop", 2, "N1", 0, "01"}, "WH"},
		{"940_ediengine_warehouse-order.x12", []any{"LX_loop", 0, "W01_loop", 0, "W01", 0, "04"}, "VN"},
		{"945_x12types_5010_lot_lpn_se-count-off.x12", []any{"LX_loop", 0, "W12_loop", 0, "N9", 0, "02"}, "LPN6569"},
		{"945_x12types_5010_lot_lpn_se-count-off.x12", []any{"W03", 0, "01"}, "3000"},
		{"997_staedi_5010_rejected_ak3_ak4.x12", []any{"AK2_loop", 0, "AK3_loop", 0, "AK4", 0, "03"}, "7"},
		{"997_staedi_5010_rejected_ak3_ak4.x12", []any{"AK2_loop", 0, "AK5", 0, "02"}, "5"},
		{"997_staedi_5010_rejected_ak3_ak4.x12", []any{"AK9", 0, "01"}, "R"},
		{"856_ediengine_crossdock_sopi_sscc.x12", []any{"HL_tree", 0, "children", 0, "children", 0, "MAN", 0, "02"}, "00000715670002152360"},
		{"856_ediengine_crossdock_sopi_sscc.x12", []any{"HL_tree", 0, "children", 0, "children", 0, "children", 0, "level"}, "item"},
		{"856_stupidedi_002001_tare-hl_bang-terminator_BAD.x12", []any{"HL_tree", 0, "children", 1, "level"}, "tare"},
		{"214_staedi_unicode-ellipsis-terminator.x12", []any{"AT7", 1, "05"}, "20200910"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tree := Tree(firstSet(t, tt.file))
			if diff := cmp.Diff(tt.want, at(t, tree, tt.path...)); diff != "" {
				t.Errorf("%v (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

// countSegments counts segment objects in a tree and checks that each
// array of segments is in position order.
func countSegments(t *testing.T, v any) int {
	t.Helper()
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["pos"]; ok {
			return 1
		}
		for _, c := range x {
			n += countSegments(t, c)
		}
	case []any:
		last := 0
		for _, c := range x {
			if m, ok := c.(map[string]any); ok {
				if p, ok := m["pos"].(int); ok {
					if p <= last {
						t.Errorf("segment %v at pos %d after pos %d", m["id"], p, last)
					}
					last = p
				}
			}
			n += countSegments(t, c)
		}
	}
	return n
}

func TestTreeKeepsEverySegment(t *testing.T) {
	for _, s := range samples {
		if s.fatal != nil {
			continue
		}
		ics, err := ParseAll(readSample(t, s.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, ic := range ics {
			for gi := range ic.Groups {
				for si := range ic.Groups[gi].Sets {
					set := &ic.Groups[gi].Sets[si]
					tree := Tree(set)
					if got := countSegments(t, tree); got != len(set.Segments) {
						t.Errorf("%s set %s: tree has %d segments, set has %d", s.file, set.Control, got, len(set.Segments))
					}
					if _, err := json.Marshal(tree); err != nil {
						t.Errorf("%s: %v", s.file, err)
					}
				}
			}
		}
	}
}

// hlShape renders an HL tree as "id(children...)".
func hlShape(nodes []any) string {
	s := ""
	for i, n := range nodes {
		m := n.(map[string]any)
		if i > 0 {
			s += " "
		}
		s += m["id"].(string) + m["code"].(string)
		if m["parent_missing"] == true {
			s += "!"
		}
		if c := m["children"].([]any); len(c) > 0 {
			s += "(" + hlShape(c) + ")"
		}
	}
	return s
}

func TestTreeHLFromParentReferences(t *testing.T) {
	// Item 7 belongs to order 2 although it comes after order 4's pack;
	// HL 8 names a parent that does not exist; HL 9 names itself.
	in := isa00401 + "GS*SH*S*R*20240101*1200*1*X*004010~ST*856*0001~BSN*00*1*20240101*1200~" +
		"HL*1**S~TD1*CTN*2~HL*2*1*O~PRF*PO1~HL*3*2*I~LIN**UP*1~HL*4*1*O~PRF*PO2~HL*5*4*P~MAN*GM*1~" +
		"HL*6*5*I~LIN**UP*2~HL*7*2*I~LIN**UP*3~HL*8*99*I~HL*9*9*I~CTT*9~SE*20*0001~GE*1*1~IEA*1*000000001~"
	ic, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(ic); len(errs) != 0 {
		t.Fatalf("Validate = %v", errs)
	}
	tree := Tree(&ic.Groups[0].Sets[0])
	if got, want := hlShape(tree["HL_tree"].([]any)), "1S(2O(3I 7I) 4O(5P(6I))) 8I! 9I!"; got != want {
		t.Errorf("HL tree = %s, want %s", got, want)
	}
	if got := at(t, tree, "HL_tree", 0, "children", 1, "children", 0, "MAN", 0, "02"); got != "1" {
		t.Errorf("pack MAN02 = %v", got)
	}
	if got := at(t, tree, "CTT", 0, "01"); got != "9" {
		t.Errorf("CTT01 = %v", got)
	}
}

func TestTreeCrossdockCounts(t *testing.T) {
	tree := Tree(firstSet(t, "856_ediengine_crossdock_sopi_sscc.x12"))
	levels := map[string]int{}
	var walk func(nodes []any)
	walk = func(nodes []any) {
		for _, n := range nodes {
			m := n.(map[string]any)
			levels[m["level"].(string)]++
			walk(m["children"].([]any))
		}
	}
	walk(tree["HL_tree"].([]any))
	want := map[string]int{"shipment": 1, "order": 2, "pack": 5, "item": 5}
	if diff := cmp.Diff(want, levels); diff != "" {
		t.Errorf("HL levels (-want +got):\n%s", diff)
	}
}
