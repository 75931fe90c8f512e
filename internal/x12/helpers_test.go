package x12

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// sentinelName names a sentinel error for compact test tables.
func sentinelName(err error) string {
	for _, s := range []struct {
		err  error
		name string
	}{
		{ErrNoISA, "NoISA"}, {ErrISATruncated, "ISATruncated"}, {ErrISAMalformed, "ISAMalformed"},
		{ErrISASplit, "ISASplit"}, {ErrMissingISA16, "MissingISA16"}, {ErrDelimiters, "Delimiters"},
		{ErrISALength, "ISALength"}, {ErrISACharset, "ISACharset"},
	} {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return fmt.Sprintf("unknown(%v)", err)
}

// describe summarizes interchanges as "GS01 ST01/ST02 ...; GS01 ..." per interchange.
func describe(ics []*Interchange) []string {
	var out []string
	for _, ic := range ics {
		var groups []string
		for _, g := range ic.Groups {
			parts := []string{g.GS.FunctionalID}
			for _, s := range g.Sets {
				parts = append(parts, s.ID+"/"+s.Control)
			}
			groups = append(groups, strings.Join(parts, " "))
		}
		out = append(out, strings.Join(groups, "; "))
	}
	return out
}

// ackText renders the 997 body (AK1..AK9) for group gi on one line.
func ackText(ic *Interchange, gi int) string {
	t := AcknowledgeGroup(ic, gi, AckOptions{}).TransactionSet("0001")
	d := Delimiters{Element: "*", Component: ":", Segment: " "}
	var b strings.Builder
	for i := range t.Segments[1 : len(t.Segments)-1] {
		writeSegmentString(&b, &t.Segments[i+1], &d)
	}
	return strings.TrimSpace(b.String())
}

func writeSegmentString(b *strings.Builder, s *Segment, d *Delimiters) {
	b.WriteString(s.ID)
	for _, el := range s.Elements {
		b.WriteString(d.Element)
		b.WriteString(strings.Join(el, d.Component))
	}
	b.WriteString(d.Segment)
}

// sameInterchanges is a fast structural equality for the fuzz round trip
// (go-cmp is too slow to run on every input); it ignores byte offsets.
func sameInterchanges(a, b []*Interchange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ISA != y.ISA || x.Delimiters != y.Delimiters || (x.IEA == nil) != (y.IEA == nil) ||
			(x.IEA != nil && *x.IEA != *y.IEA) || len(x.Warnings) != len(y.Warnings) ||
			!sameSegment(&x.Header, &y.Header) || !sameSegmentPtr(x.Trailer, y.Trailer) ||
			!sameSegments(x.Stray, y.Stray) || len(x.Groups) != len(y.Groups) {
			return false
		}
		for k := range x.Warnings {
			if x.Warnings[k].Err != y.Warnings[k].Err || x.Warnings[k].Detail != y.Warnings[k].Detail {
				return false
			}
		}
		for g := range x.Groups {
			gx, gy := &x.Groups[g], &y.Groups[g]
			if gx.GS != gy.GS || (gx.GE == nil) != (gy.GE == nil) || (gx.GE != nil && *gx.GE != *gy.GE) ||
				!sameSegment(&gx.Header, &gy.Header) || !sameSegmentPtr(gx.Trailer, gy.Trailer) ||
				!sameSegments(gx.Stray, gy.Stray) || len(gx.Sets) != len(gy.Sets) {
				return false
			}
			for s := range gx.Sets {
				sx, sy := &gx.Sets[s], &gy.Sets[s]
				if sx.ID != sy.ID || sx.Control != sy.Control || !sameSegments(sx.Segments, sy.Segments) {
					return false
				}
			}
		}
	}
	return true
}

func sameSegments(a, b []Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameSegment(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

func sameSegmentPtr(a, b *Segment) bool {
	if a == nil || b == nil {
		return a == b
	}
	return sameSegment(a, b)
}

func sameSegment(a, b *Segment) bool {
	if a.ID != b.ID || a.Position != b.Position || a.SetPosition != b.SetPosition || len(a.Elements) != len(b.Elements) {
		return false
	}
	for i := range a.Elements {
		if !slices.Equal(a.Elements[i], b.Elements[i]) {
			return false
		}
	}
	return true
}
