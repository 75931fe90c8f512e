package x12

import (
	"bytes"
	"slices"
)

// Serialize writes an interchange as X12 text with its own delimiters
// (DefaultDelimiters when ic.Delimiters.Element is empty), a terminator
// after every segment and Delimiters.Suffix after each terminator.
//
// The ISA is written from ic.ISA, with ISA16 set to the component
// separator and ISA11 to the repetition separator when there is one;
// every other segment is written from its raw Segment (Group.Header,
// TransactionSet.Segments, Trailer ...), not from the typed GS/GE/IEA
// views. Segments are written in Position order, so stray segments come
// back where they were. Re-parsing the output gives the same structure.
func Serialize(ic *Interchange) []byte {
	var buf bytes.Buffer
	writeInterchange(&buf, ic)
	return buf.Bytes()
}

// SerializeAll writes several interchanges one after the other.
func SerializeAll(ics []*Interchange) []byte {
	var buf bytes.Buffer
	for _, ic := range ics {
		writeInterchange(&buf, ic)
	}
	return buf.Bytes()
}

func writeInterchange(buf *bytes.Buffer, ic *Interchange) {
	d := ic.Delimiters
	if d.Element == "" {
		d = DefaultDelimiters()
	}
	if isNewline(d.Segment) {
		d.Suffix = ""
	}
	isa := ic.ISA.Elements()
	isa[15] = d.Component
	if d.Repetition != "" {
		isa[10] = d.Repetition
	}
	buf.WriteString("ISA")
	for _, v := range isa {
		buf.WriteString(d.Element)
		buf.WriteString(v)
	}
	buf.WriteString(d.Segment)
	buf.WriteString(d.Suffix)

	segs := make([]*Segment, 0, 64)
	stray := len(ic.Stray) > 0
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		segs = append(segs, &g.Header)
		for si := range g.Sets {
			for k := range g.Sets[si].Segments {
				segs = append(segs, &g.Sets[si].Segments[k])
			}
		}
		for k := range g.Stray {
			segs = append(segs, &g.Stray[k])
			stray = true
		}
		if g.Trailer != nil {
			segs = append(segs, g.Trailer)
		}
	}
	for k := range ic.Stray {
		segs = append(segs, &ic.Stray[k])
	}
	if stray {
		slices.SortStableFunc(segs, func(a, b *Segment) int { return a.Position - b.Position })
	}
	if ic.Trailer != nil {
		segs = append(segs, ic.Trailer)
	}
	for _, s := range segs {
		writeSegment(buf, s, &d)
	}
}

func writeSegment(buf *bytes.Buffer, s *Segment, d *Delimiters) {
	buf.WriteString(s.ID)
	for _, el := range s.Elements {
		buf.WriteString(d.Element)
		for j, c := range el {
			if j > 0 {
				buf.WriteString(d.Component)
			}
			buf.WriteString(c)
		}
	}
	buf.WriteString(d.Segment)
	buf.WriteString(d.Suffix)
}
