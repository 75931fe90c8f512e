package x12

import "fmt"

// SegmentError is a segment-level problem inside a transaction set: the
// content of one 997 AK3 segment and its AK4 segments.
type SegmentError struct {
	SegmentID string // AK301
	Position  int    // AK302: position in the set, ST = 1
	Code      string // AK304: 1 unrecognized segment ID, 8 segment has data element errors
	Elements  []ElementError
}

// ElementError is the content of one 997 AK4 segment.
type ElementError struct {
	Position int    // AK401: element position in the segment (1-based)
	Ref      string // AK402: data element reference number
	Code     string // AK403: 1 mandatory missing, 2 conditional required missing, 10 exclusion violated
	Value    string // AK404: copy of the bad data element ("" when missing)
	// Rule names the broken rule: "M01" (mandatory element 01) or an X12
	// syntax note such as "P0607" or "R0203".
	Rule string
}

// syntaxRule is one relational condition from the X12 standard. kind is
// 'M' (mandatory), 'P' (paired: all or none), 'R' (at least one), 'C'
// (if the first is present all others are required) or 'E' (at most one).
type syntaxRule struct {
	kind  byte
	elems []int
}

type segmentSyntax struct {
	refs  []string // element reference numbers, refs[0] is element 01
	rules []syntaxRule
}

// idPairs returns P rules for product ID qualifier/value pairs from
// element first to last (inclusive, last is the value of the last pair).
func idPairs(first, last int) []syntaxRule {
	var r []syntaxRule
	for i := first; i+1 <= last; i += 2 {
		r = append(r, syntaxRule{'P', []int{i, i + 1}})
	}
	return r
}

// idRefs returns element refs for n elements where elements from first on
// alternate 235 (qualifier) and 234 (product ID).
func idRefs(head []string, first, n int) []string {
	refs := append([]string(nil), head...)
	for i := first; i <= n; i++ {
		if (i-first)%2 == 0 {
			refs = append(refs, "235")
		} else {
			refs = append(refs, "234")
		}
	}
	return refs
}

// segmentRules returns the syntax rules of the segments this package
// checks. The table is a deliberately small subset of the X12 dictionary
// that is the same from 003010 to 005010: mandatory qualifiers and the
// relational conditions of the segments that carry party, reference and
// item identifiers. Anything else (mandatory elements of other segments,
// code lists, lengths) needs the partner's implementation guide.
func segmentRules(id string) (segmentSyntax, bool) {
	switch id {
	case "PO1":
		return segmentSyntax{idRefs([]string{"350", "330", "355", "212", "639"}, 6, 25), idPairs(6, 25)}, true
	case "IT1":
		return segmentSyntax{idRefs([]string{"350", "358", "355", "212", "639"}, 6, 25), idPairs(6, 25)}, true
	case "LIN":
		return segmentSyntax{idRefs([]string{"350"}, 2, 31),
			append([]syntaxRule{{'M', []int{2}}, {'M', []int{3}}}, idPairs(4, 31)...)}, true
	case "SLN":
		return segmentSyntax{idRefs([]string{"350", "350", "662", "380", "C001", "212", "639", "662"}, 9, 28), idPairs(9, 28)}, true
	case "PO4":
		return segmentSyntax{[]string{"356", "357", "355", "103", "187", "384", "355", "385", "355", "82", "189", "65", "355"},
			[]syntaxRule{{'C', []int{5, 6}}, {'P', []int{6, 7}}}}, true
	case "N1":
		return segmentSyntax{[]string{"98", "93", "66", "67"},
			[]syntaxRule{{'M', []int{1}}, {'R', []int{2, 3}}, {'P', []int{3, 4}}}}, true
	case "N9":
		return segmentSyntax{[]string{"128", "127", "369"}, []syntaxRule{{'M', []int{1}}, {'R', []int{2, 3}}}}, true
	case "REF":
		return segmentSyntax{[]string{"128", "127", "352"}, []syntaxRule{{'M', []int{1}}, {'R', []int{2, 3}}}}, true
	}
	return segmentSyntax{}, false
}

// validSegmentID reports whether id looks like an X12 segment ID: two or
// three upper-case letters or digits starting with a letter.
func validSegmentID(id string) bool {
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// CheckSyntax checks the segments of a transaction set against the small
// rule table above and reports malformed segment IDs. The result feeds
// the 997 AK3/AK4 segments.
func CheckSyntax(t *TransactionSet) []SegmentError {
	var out []SegmentError
	for i := range t.Segments {
		s := &t.Segments[i]
		if !validSegmentID(s.ID) {
			out = append(out, SegmentError{SegmentID: s.ID, Position: s.SetPosition, Code: "1"})
			continue
		}
		syn, ok := segmentRules(s.ID)
		if !ok {
			continue
		}
		var els []ElementError
		present := func(n int) bool { return s.Element(n) != "" || len(s.Elements) >= n && len(s.Elements[n-1]) > 1 }
		missing := func(n int, code string, rule syntaxRule) {
			ref := ""
			if n-1 < len(syn.refs) {
				ref = syn.refs[n-1]
			}
			els = append(els, ElementError{Position: n, Ref: ref, Code: code, Rule: ruleName(rule)})
		}
		for _, r := range syn.rules {
			switch r.kind {
			case 'M':
				if !present(r.elems[0]) {
					missing(r.elems[0], "1", r)
				}
			case 'P':
				some := false
				for _, n := range r.elems {
					some = some || present(n)
				}
				if some {
					for _, n := range r.elems {
						if !present(n) {
							missing(n, "2", r)
						}
					}
				}
			case 'R':
				found := false
				for _, n := range r.elems {
					found = found || present(n)
				}
				if !found {
					missing(r.elems[0], "2", r)
				}
			case 'C':
				if present(r.elems[0]) {
					for _, n := range r.elems[1:] {
						if !present(n) {
							missing(n, "2", r)
						}
					}
				}
			case 'E':
				count := 0
				for _, n := range r.elems {
					if present(n) {
						count++
						if count > 1 {
							els = append(els, ElementError{Position: n, Code: "10", Value: s.Element(n), Rule: ruleName(r)})
						}
					}
				}
			}
		}
		if len(els) > 0 {
			out = append(out, SegmentError{SegmentID: s.ID, Position: s.SetPosition, Code: "8", Elements: els})
		}
	}
	return out
}

func ruleName(r syntaxRule) string {
	name := string(r.kind)
	for _, n := range r.elems {
		name += fmt.Sprintf("%02d", n)
	}
	return name
}
