package edifact

import "slices"

// sameInterchange is a fast structural equality for the fuzz round trip
// (go-cmp is too slow to run on every input); it ignores byte offsets.
func sameInterchange(a, b *Interchange) bool {
	if a.UNA != b.UNA || a.Delimiters != b.Delimiters || !sameSegment(&a.Header, &b.Header) ||
		!sameSegmentPtr(a.Trailer, b.Trailer) || !sameSegments(a.Stray, b.Stray) ||
		!sameMessages(a.Messages, b.Messages) || len(a.Groups) != len(b.Groups) {
		return false
	}
	for i := range a.Groups {
		x, y := &a.Groups[i], &b.Groups[i]
		if !sameSegment(&x.Header, &y.Header) || !sameSegmentPtr(x.Trailer, y.Trailer) || !sameMessages(x.Messages, y.Messages) {
			return false
		}
	}
	return true
}

func sameMessages(a, b []Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Ref != b[i].Ref || !slices.Equal(a[i].Type, b[i].Type) || !sameSegments(a[i].Segments, b[i].Segments) {
			return false
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
	if a.Tag != b.Tag || a.Position != b.Position || a.MessagePosition != b.MessagePosition || len(a.Elements) != len(b.Elements) {
		return false
	}
	for i := range a.Elements {
		if !slices.Equal(a.Elements[i], b.Elements[i]) {
			return false
		}
	}
	return true
}
