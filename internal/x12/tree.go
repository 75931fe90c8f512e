package x12

import "strconv"

// This file turns a transaction set into a JSON-able tree for jq mappings.
// The shape is described in doc.go ("Tree shape").

// loopSpec describes one loop: the segment that starts it, the segment IDs
// it may hold after the start (nil = any segment that does not start a
// loop at this or an enclosing level), and its nested loops.
type loopSpec struct {
	name     string
	start    string
	members  []string
	children []loopSpec
}

// setSpec describes the loops of one transaction set. summary segments
// close every open loop and go to the set level; with hl the HL segments
// build a hierarchy from HL01/HL02 (856).
type setSpec struct {
	loops   []loopSpec
	summary []string
	hl      bool
	hlLoops []loopSpec // loops inside an HL node
}

// Member lists of the N1 loop per set, from the X12 004010 set tables.

func n1Order() loopSpec {
	return loopSpec{name: "N1_loop", start: "N1",
		members: []string{"N2", "N3", "N4", "NX2", "REF", "PER", "SI", "FOB", "TD1", "TD5", "TD3", "TD4", "PKG"}}
}

func n1Invoice() loopSpec {
	return loopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER", "DMG"}}
}

func n1Ship() loopSpec {
	return loopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER", "FOB"}}
}

func n1Simple() loopSpec {
	return loopSpec{name: "N1_loop", start: "N1", members: []string{"N2", "N3", "N4", "REF", "PER"}}
}

func n9Loop() loopSpec {
	return loopSpec{name: "N9_loop", start: "N9", members: []string{"DTM", "MSG"}}
}
func slnLoop() loopSpec { return loopSpec{name: "SLN_loop", start: "SLN"} }

// specFor returns the loop layout of a set. It is built on each call (a
// few small allocations per Tree) so that no table is package state.
func specFor(set string) *setSpec {
	switch set {
	case "850", "855":
		return &setSpec{
			loops: []loopSpec{n9Loop(), n1Order(),
				{name: "PO1_loop", start: "PO1", children: []loopSpec{n9Loop(), n1Order(), slnLoop()}}},
			summary: []string{"CTT", "AMT"},
		}
	case "856":
		return &setSpec{hl: true, hlLoops: []loopSpec{n1Ship()}, summary: []string{"CTT"}}
	case "810":
		return &setSpec{
			loops: []loopSpec{n1Invoice(),
				{name: "IT1_loop", start: "IT1", children: []loopSpec{n1Invoice(), slnLoop()}}},
			summary: []string{"TDS", "CTT"},
		}
	case "846":
		return &setSpec{
			loops:   []loopSpec{n1Simple(), {name: "LIN_loop", start: "LIN", children: []loopSpec{n1Simple()}}},
			summary: []string{"CTT"},
		}
	case "940":
		return &setSpec{
			loops: []loopSpec{n1Simple(),
				{name: "LX_loop", start: "LX", children: []loopSpec{{name: "W01_loop", start: "W01"}}},
				{name: "W01_loop", start: "W01"}},
			summary: []string{"W76"},
		}
	case "945":
		return &setSpec{
			loops: []loopSpec{n1Simple(),
				{name: "LX_loop", start: "LX", children: []loopSpec{{name: "W12_loop", start: "W12"}}},
				{name: "W12_loop", start: "W12"}},
			summary: []string{"W03"},
		}
	case "997":
		return &setSpec{
			loops: []loopSpec{{name: "AK2_loop", start: "AK2", members: []string{"AK5"},
				children: []loopSpec{{name: "AK3_loop", start: "AK3", members: []string{"AK4"}}}}},
			summary: []string{"AK9"},
		}
	}
	return &setSpec{}
}

// hlLevels names the HL03 level codes.
func hlLevel(code string) string {
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

// elementKeyDigits holds the two-digit keys "00".."99" back to back.
const elementKeyDigits = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" + "60616263646566676869" +
	"70717273747576777879" + "80818283848586878889" + "90919293949596979899"

// elementKey returns the JSON key of element n (n >= 1): "01".."99", then
// the decimal number. Keys below 100 are slices of a constant (no
// allocation, no table to initialise).
func elementKey(n int) string {
	if n > 0 && n < 100 {
		return elementKeyDigits[2*n : 2*n+2]
	}
	return strconv.Itoa(n)
}

// SegmentObject returns the JSON-able form of one segment:
// {"id":"PO1","pos":13,"01":"1","02":"120",...}. "pos" is the position in
// the set (ST = 1), or in the interchange for envelope segments. Empty
// elements are left out; a composite element (more than one component)
// is an array of its components, empty components kept as "".
func SegmentObject(s *Segment) map[string]any {
	n := 2 // id, pos
	for _, el := range s.Elements {
		if len(el) > 1 || len(el) == 1 && el[0] != "" {
			n++
		}
	}
	m := make(map[string]any, n)
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
			m[elementKey(i+1)] = c
		case len(el) == 1 && el[0] != "":
			m[elementKey(i+1)] = el[0]
		}
	}
	return m
}

func contains(list []string, id string) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}

func findLoop(loops []loopSpec, id string) *loopSpec {
	for i := range loops {
		if loops[i].start == id {
			return &loops[i]
		}
	}
	return nil
}

func addSegment(obj map[string]any, s *Segment) {
	list, _ := obj[s.ID].([]any)
	obj[s.ID] = append(list, SegmentObject(s))
}

type openLoop struct {
	spec *loopSpec
	obj  map[string]any
}

// Tree returns the transaction set as a JSON-able tree of map[string]any
// and []any (see doc.go for the shape). Known loops are built for 850,
// 855, 856 (HL hierarchy), 810, 846, 940, 945 and 997; in other sets every
// segment is at the set level. No segment is dropped.
func Tree(t *TransactionSet) map[string]any {
	spec := specFor(t.ID)
	root := make(map[string]any, 16)
	root["set"], root["control"] = t.ID, t.Control
	base, baseLoops := root, spec.loops
	var stack []openLoop
	var nodes []map[string]any
	byID := map[string]map[string]any{}

	for i := range t.Segments {
		s := &t.Segments[i]
		if s.ID == "ST" || s.ID == "SE" || contains(spec.summary, s.ID) {
			stack = stack[:0]
			base, baseLoops = root, spec.loops
			addSegment(root, s)
			continue
		}
		if spec.hl && s.ID == "HL" {
			stack = stack[:0]
			node := map[string]any{"id": s.Element(1), "parent": s.Element(2), "code": s.Element(3),
				"level": hlLevel(s.Element(3)), "children": []any{}}
			addSegment(node, s)
			nodes = append(nodes, node)
			base, baseLoops = node, spec.hlLoops
			continue
		}
		for {
			children := baseLoops
			if n := len(stack); n > 0 {
				children = stack[n-1].spec.children
			}
			if child := findLoop(children, s.ID); child != nil {
				parent := base
				if n := len(stack); n > 0 {
					parent = stack[n-1].obj
				}
				inst := map[string]any{}
				addSegment(inst, s)
				list, _ := parent[child.name].([]any)
				parent[child.name] = append(list, inst)
				stack = append(stack, openLoop{child, inst})
				break
			}
			n := len(stack)
			if n == 0 {
				addSegment(base, s)
				break
			}
			top := stack[n-1]
			if s.ID == top.spec.start {
				stack = stack[:n-1]
				continue
			}
			if top.spec.members == nil {
				if startsEnclosing(s.ID, baseLoops, stack[:n-1]) {
					stack = stack[:n-1]
					continue
				}
				addSegment(top.obj, s)
				break
			}
			if contains(top.spec.members, s.ID) {
				addSegment(top.obj, s)
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

// startsEnclosing reports whether id starts a loop at the base level or
// inside one of the enclosing open loops.
func startsEnclosing(id string, baseLoops []loopSpec, enclosing []openLoop) bool {
	if findLoop(baseLoops, id) != nil {
		return true
	}
	for _, l := range enclosing {
		if findLoop(l.spec.children, id) != nil {
			return true
		}
	}
	return false
}
