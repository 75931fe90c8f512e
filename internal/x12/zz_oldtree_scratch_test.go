package x12

// Scratch: the original Tree, for a differential fuzz test (removed after the perf work).

// This file turns a transaction set into a JSON-able tree for jq mappings.
// The shape is described in doc.go ("zzOldTree shape").

// zzOldLoopSpec describes one loop: the segment that starts it, the segment IDs
// it may hold after the start (nil = any segment that does not start a
// loop at this or an enclosing level), and its nested loops.
type zzOldLoopSpec struct {
	name     string
	start    string
	members  []string
	children []zzOldLoopSpec
}

// zzOldSetSpec describes the loops of one transaction set. summary segments
// close every open loop and go to the set level; with hl the HL segments
// build a hierarchy from HL01/HL02 (856).
type zzOldSetSpec struct {
	loops   []zzOldLoopSpec
	summary []string
	hl      bool
	hlLoops []zzOldLoopSpec // loops inside an HL node
}

// Member lists of the N1 loop per set, from the X12 004010 set tables.
var (
	zzOldN1Order = zzOldLoopSpec{name: "N1_loop", start: "N1",
		members: []string{"N2", "N3", "N4", "NX2", "REF", "PER", "SI", "FOB", "TD1", "TD5", "TD3", "TD4", "PKG"}}
	zzOldN1Invoice = zzOldLoopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER", "DMG"}}
	zzOldN1Ship    = zzOldLoopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER", "FOB"}}
	zzOldN1Simple  = zzOldLoopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER"}}
	zzOldN9Loop    = zzOldLoopSpec{name: "N9_loop", start: "N9", members: []string{"DTM", "MSG"}}
	zzOldSlnLoop   = zzOldLoopSpec{name: "SLN_loop", start: "SLN"}
)

var (
	zzOldSpec850 = zzOldSetSpec{
		loops: []zzOldLoopSpec{zzOldN9Loop, zzOldN1Order,
			{name: "PO1_loop", start: "PO1", children: []zzOldLoopSpec{zzOldN9Loop, zzOldN1Order, zzOldSlnLoop}}},
		summary: []string{"CTT", "AMT"},
	}
	zzOldSpec855 = zzOldSetSpec{
		loops: []zzOldLoopSpec{zzOldN9Loop, zzOldN1Order,
			{name: "PO1_loop", start: "PO1", children: []zzOldLoopSpec{zzOldN9Loop, zzOldN1Order, zzOldSlnLoop}}},
		summary: []string{"CTT", "AMT"},
	}
	zzOldSpec856 = zzOldSetSpec{hl: true, hlLoops: []zzOldLoopSpec{zzOldN1Ship}, summary: []string{"CTT"}}
	zzOldSpec810 = zzOldSetSpec{
		loops: []zzOldLoopSpec{zzOldN1Invoice,
			{name: "IT1_loop", start: "IT1", children: []zzOldLoopSpec{zzOldN1Invoice, zzOldSlnLoop}}},
		summary: []string{"TDS", "CTT"},
	}
	zzOldSpec846 = zzOldSetSpec{
		loops:   []zzOldLoopSpec{zzOldN1Simple, {name: "LIN_loop", start: "LIN", children: []zzOldLoopSpec{zzOldN1Simple}}},
		summary: []string{"CTT"},
	}
	zzOldSpec940 = zzOldSetSpec{
		loops: []zzOldLoopSpec{zzOldN1Simple,
			{name: "LX_loop", start: "LX", children: []zzOldLoopSpec{{name: "W01_loop", start: "W01"}}},
			{name: "W01_loop", start: "W01"}},
		summary: []string{"W76"},
	}
	zzOldSpec945 = zzOldSetSpec{
		loops: []zzOldLoopSpec{zzOldN1Simple,
			{name: "LX_loop", start: "LX", children: []zzOldLoopSpec{{name: "W12_loop", start: "W12"}}},
			{name: "W12_loop", start: "W12"}},
		summary: []string{"W03"},
	}
	zzOldSpec997 = zzOldSetSpec{
		loops: []zzOldLoopSpec{{name: "AK2_loop", start: "AK2", members: []string{"AK5"},
			children: []zzOldLoopSpec{{name: "AK3_loop", start: "AK3", members: []string{"AK4"}}}}},
		summary: []string{"AK9"},
	}
	zzOldSpecFlat = zzOldSetSpec{}
)

func zzOldSpecFor(set string) *zzOldSetSpec {
	switch set {
	case "850":
		return &zzOldSpec850
	case "855":
		return &zzOldSpec855
	case "856":
		return &zzOldSpec856
	case "810":
		return &zzOldSpec810
	case "846":
		return &zzOldSpec846
	case "940":
		return &zzOldSpec940
	case "945":
		return &zzOldSpec945
	case "997":
		return &zzOldSpec997
	}
	return &zzOldSpecFlat
}

// hlLevels names the HL03 level codes.
func zzOldHlLevel(code string) string {
	switch code {
	case "S":
		return "shipment"
	case "O":
		return "order"
	case "T":
		return "tare"
	case "P":
		return "pack"
	case "I":
		return "item"
	}
	return code
}

// zzOldElementKeys are the JSON keys of elements 01..99.
var zzOldElementKeys = func() [100]string {
	var k [100]string
	for i := 1; i < 100; i++ {
		k[i] = string([]byte{'0' + byte(i/10), '0' + byte(i%10)})
	}
	return k
}()

func zzOldElementKey(n int) string {
	if n < 100 {
		return zzOldElementKeys[n]
	}
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{'0' + byte(n%10)}, b...)
	}
	return string(b)
}

// zzOldSegmentObject returns the JSON-able form of one segment:
// {"id":"PO1","pos":13,"01":"1","02":"120",...}. "pos" is the position in
// the set (ST = 1), or in the interchange for envelope segments. Empty
// elements are left out; a composite element (more than one component)
// is an array of its components, empty components kept as "".
func zzOldSegmentObject(s *Segment) map[string]any {
	m := make(map[string]any, len(s.Elements)+2)
	m["id"] = s.ID
	if s.SetPosition > 0 {
		m["pos"] = s.SetPosition
	} else {
		m["pos"] = s.Position
	}
	for i, el := range s.Elements {
		switch {
		case len(el) > 1:
			c := make([]any, len(el))
			for j, v := range el {
				c[j] = v
			}
			m[zzOldElementKey(i+1)] = c
		case len(el) == 1 && el[0] != "":
			m[zzOldElementKey(i+1)] = el[0]
		}
	}
	return m
}

func zzOldAddSegment(obj map[string]any, s *Segment) {
	list, _ := obj[s.ID].([]any)
	obj[s.ID] = append(list, zzOldSegmentObject(s))
}

func zzOldContains(list []string, id string) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}

func zzOldFindLoop(loops []zzOldLoopSpec, id string) *zzOldLoopSpec {
	for i := range loops {
		if loops[i].start == id {
			return &loops[i]
		}
	}
	return nil
}

type zzOldOpenLoop struct {
	spec *zzOldLoopSpec
	obj  map[string]any
}

// zzOldTree returns the transaction set as a JSON-able tree of map[string]any
// and []any (see doc.go for the shape). Known loops are built for 850,
// 855, 856 (HL hierarchy), 810, 846, 940, 945 and 997; in other sets every
// segment is at the set level. No segment is dropped.
func zzOldTree(t *TransactionSet) map[string]any {
	spec := zzOldSpecFor(t.ID)
	root := map[string]any{"set": t.ID, "control": t.Control}
	base, baseLoops := root, spec.loops
	var stack []zzOldOpenLoop
	var nodes []map[string]any
	byID := map[string]map[string]any{}

	for i := range t.Segments {
		s := &t.Segments[i]
		if s.ID == "ST" || s.ID == "SE" || zzOldContains(spec.summary, s.ID) {
			stack = stack[:0]
			base, baseLoops = root, spec.loops
			zzOldAddSegment(root, s)
			continue
		}
		if spec.hl && s.ID == "HL" {
			stack = stack[:0]
			node := map[string]any{"id": s.Element(1), "parent": s.Element(2), "code": s.Element(3),
				"level": zzOldHlLevel(s.Element(3)), "children": []any{}}
			zzOldAddSegment(node, s)
			nodes = append(nodes, node)
			base, baseLoops = node, spec.hlLoops
			continue
		}
		for {
			children := baseLoops
			if n := len(stack); n > 0 {
				children = stack[n-1].spec.children
			}
			if child := zzOldFindLoop(children, s.ID); child != nil {
				parent := base
				if n := len(stack); n > 0 {
					parent = stack[n-1].obj
				}
				inst := map[string]any{}
				zzOldAddSegment(inst, s)
				list, _ := parent[child.name].([]any)
				parent[child.name] = append(list, inst)
				stack = append(stack, zzOldOpenLoop{child, inst})
				break
			}
			n := len(stack)
			if n == 0 {
				zzOldAddSegment(base, s)
				break
			}
			top := stack[n-1]
			if s.ID == top.spec.start {
				stack = stack[:n-1]
				continue
			}
			if top.spec.members == nil {
				if zzOldStartsEnclosing(s.ID, baseLoops, stack[:n-1]) {
					stack = stack[:n-1]
					continue
				}
				zzOldAddSegment(top.obj, s)
				break
			}
			if zzOldContains(top.spec.members, s.ID) {
				zzOldAddSegment(top.obj, s)
				break
			}
			stack = stack[:n-1]
		}
	}

	if spec.hl {
		var roots []any
		for _, node := range nodes {
			pid, _ := node["parent"].(string)
			parent, ok := byID[pid]
			if pid != "" && ok {
				parent["children"] = append(parent["children"].([]any), node)
			} else {
				if pid != "" {
					node["parent_missing"] = true
				}
				roots = append(roots, node)
			}
			if id, _ := node["id"].(string); id != "" {
				byID[id] = node
			}
		}
		if roots != nil {
			root["HL_tree"] = roots
		}
	}
	return root
}

// zzOldStartsEnclosing reports whether id starts a loop at the base level or
// inside one of the enclosing open loops.
func zzOldStartsEnclosing(id string, baseLoops []zzOldLoopSpec, enclosing []zzOldOpenLoop) bool {
	if zzOldFindLoop(baseLoops, id) != nil {
		return true
	}
	for _, l := range enclosing {
		if zzOldFindLoop(l.spec.children, id) != nil {
			return true
		}
	}
	return false
}
