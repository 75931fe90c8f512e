package edifact

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity tells whether an EnvelopeError breaks a rule.
type Severity int

const (
	// SeverityError marks a broken envelope rule.
	SeverityError Severity = iota
	// SeverityWarning marks a tolerated deviation (UNG and UNH disagree).
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Code identifies an envelope rule.
type Code string

const (
	CodeUNTCount          Code = "unt_segment_count"      // UNT01 != segments UNH..UNT
	CodeUNTReference      Code = "unt_reference_mismatch" // UNT02 != UNH01
	CodeMissingUNT        Code = "unt_missing"
	CodeUNECount          Code = "une_message_count"      // UNE01 != messages in the group
	CodeUNEReference      Code = "une_reference_mismatch" // UNE02 != UNG05
	CodeMissingUNE        Code = "une_missing"
	CodeUNZCount          Code = "unz_count"              // UNZ01 != groups, or messages when there are no groups
	CodeUNZReference      Code = "unz_reference_mismatch" // UNZ02 != UNB05
	CodeMissingUNZ        Code = "unz_missing"
	CodeUnexpectedSegment Code = "unexpected_segment" // outside UNH..UNT
	CodeMixedGroups       Code = "mixed_groups"       // messages both inside and outside UNG groups
	CodeUNSRepeated       Code = "uns_repeated"       // section control UNS more than once in a message
	CodeGroupMismatch     Code = "ung_unh_mismatch"   // warning: UNG01/UNG07 disagree with UNH02
)

// EnvelopeError is one broken envelope rule.
type EnvelopeError struct {
	Code     Code
	Severity Severity
	Message  string
	Segment  string // tag the error points at; for a missing trailer its tag
	// Position in the interchange (UNB = 1) and MessagePosition inside
	// the message (UNH = 1, 0 outside); for a missing trailer where it was
	// expected.
	Position, MessagePosition int
	// Group indexes Interchange.Groups (-1: none); MessageIndex indexes
	// the messages of that group, or Interchange.Messages when Group is -1
	// (-1: not about one message).
	Group, MessageIndex int
}

func (e EnvelopeError) Error() string {
	return fmt.Sprintf("edifact: %s %s at segment %d (%s): %s", e.Severity, e.Code, e.Position, e.Segment, e.Message)
}

// Validate checks the envelope of an interchange.
func Validate(ic *Interchange) []EnvelopeError {
	var out []EnvelopeError
	add := func(code Code, sev Severity, tag string, pos, mpos, g, m int, format string, args ...any) {
		out = append(out, EnvelopeError{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...),
			Segment: tag, Position: pos, MessagePosition: mpos, Group: g, MessageIndex: m})
	}
	last := 1
	checkMessages := func(msgs []Message, g int, ung *Segment) {
		for mi := range msgs {
			m := &msgs[mi]
			end := &m.Segments[len(m.Segments)-1]
			last = max(last, end.Position)
			uns := 0
			for _, s := range m.Segments {
				if s.Tag == "UNS" {
					uns++
					if uns == 2 {
						add(CodeUNSRepeated, SeverityError, "UNS", s.Position, s.MessagePosition, g, mi,
							"section control UNS repeated in message %q", m.Ref)
					}
				}
			}
			if ung != nil && len(m.Type) > 0 {
				if ung.Element(1) != "" && ung.Element(1) != m.Type[0] {
					add(CodeGroupMismatch, SeverityWarning, "UNH", m.Segments[0].Position, 1, g, mi,
						"UNG01 %q but UNH02 message type %q", ung.Element(1), m.Type[0])
				}
				if v, r := ung.Component(7, 1), ung.Component(7, 2); v != "" && len(m.Type) >= 3 && (v != m.Type[1] || r != m.Type[2]) {
					add(CodeGroupMismatch, SeverityWarning, "UNH", m.Segments[0].Position, 1, g, mi,
						"UNG07 version %s:%s but UNH02 version %s:%s", v, r, m.Type[1], m.Type[2])
				}
			}
			unt := m.Trailer()
			if unt == nil {
				add(CodeMissingUNT, SeverityError, "UNT", end.Position+1, len(m.Segments)+1, g, mi, "message %q has no UNT", m.Ref)
				continue
			}
			if n, err := strconv.Atoi(unt.Element(1)); err != nil || n != len(m.Segments) {
				add(CodeUNTCount, SeverityError, "UNT", unt.Position, unt.MessagePosition, g, mi,
					"UNT01 %q but the message has %d segments (UNH through UNT)", unt.Element(1), len(m.Segments))
			}
			if unt.Element(2) != m.Ref {
				add(CodeUNTReference, SeverityError, "UNT", unt.Position, unt.MessagePosition, g, mi,
					"UNT02 %q does not match UNH01 %q", unt.Element(2), m.Ref)
			}
		}
	}
	for _, s := range ic.Stray {
		add(CodeUnexpectedSegment, SeverityError, s.Tag, s.Position, 0, -1, -1, "segment %s outside any message", s.Tag)
		last = max(last, s.Position)
	}
	checkMessages(ic.Messages, -1, nil)
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		last = max(last, g.Header.Position)
		checkMessages(g.Messages, gi, &g.Header)
		if g.Trailer == nil {
			add(CodeMissingUNE, SeverityError, "UNE", last+1, 0, gi, -1, "group %q has no UNE", g.Header.Element(5))
			continue
		}
		une := g.Trailer
		last = max(last, une.Position)
		if n, err := strconv.Atoi(une.Element(1)); err != nil || n != len(g.Messages) {
			add(CodeUNECount, SeverityError, "UNE", une.Position, 0, gi, -1, "UNE01 %q but the group has %d messages", une.Element(1), len(g.Messages))
		}
		if une.Element(2) != g.Header.Element(5) {
			add(CodeUNEReference, SeverityError, "UNE", une.Position, 0, gi, -1, "UNE02 %q does not match UNG05 %q", une.Element(2), g.Header.Element(5))
		}
	}
	if len(ic.Groups) > 0 && len(ic.Messages) > 0 {
		add(CodeMixedGroups, SeverityError, "UNH", ic.Messages[0].Segments[0].Position, 1, -1, 0,
			"%d messages outside groups in an interchange with %d groups", len(ic.Messages), len(ic.Groups))
	}
	if ic.Trailer == nil {
		add(CodeMissingUNZ, SeverityError, "UNZ", last+1, 0, -1, -1, "interchange %q has no UNZ", ic.Header.Element(5))
	} else {
		unz := ic.Trailer
		want, what := len(ic.Messages), "messages"
		if len(ic.Groups) > 0 {
			want, what = len(ic.Groups), "groups"
		}
		if n, err := strconv.Atoi(unz.Element(1)); err != nil || n != want {
			add(CodeUNZCount, SeverityError, "UNZ", unz.Position, 0, -1, -1, "UNZ01 %q but the interchange has %d %s", unz.Element(1), want, what)
		}
		if unz.Element(2) != ic.Header.Element(5) {
			add(CodeUNZReference, SeverityError, "UNZ", unz.Position, 0, -1, -1, "UNZ02 %q does not match UNB05 %q", unz.Element(2), ic.Header.Element(5))
		}
	}
	slices.SortStableFunc(out, func(a, b EnvelopeError) int { return a.Position - b.Position })
	return out
}

// SegmentObject returns {"tag":"NAD","pos":5,"01":"BY","02":["5400110000009","","9"]}:
// pos is the position in the message (in the interchange for envelope
// segments), empty elements are left out, composites are arrays.
func SegmentObject(s *Segment) map[string]any {
	m := map[string]any{"tag": s.Tag}
	if s.MessagePosition > 0 {
		m["pos"] = s.MessagePosition
	} else {
		m["pos"] = s.Position
	}
	for i, el := range s.Elements {
		key := fmt.Sprintf("%02d", i+1)
		switch {
		case len(el) > 1:
			c := make([]any, len(el))
			for j, v := range el {
				c[j] = v
			}
			m[key] = c
		case len(el) == 1 && el[0] != "":
			m[key] = el[0]
		}
	}
	return m
}

func messageTree(m *Message) map[string]any {
	segs := make([]any, len(m.Segments))
	for i := range m.Segments {
		segs[i] = SegmentObject(&m.Segments[i])
	}
	typ := make([]any, len(m.Type))
	for i, v := range m.Type {
		typ[i] = v
	}
	return map[string]any{"ref": m.Ref, "type": typ, "segments": segs}
}

// Tree returns the interchange as a JSON-able envelope tree:
//
//	{"UNB":{...}, "groups":[{"UNG":{...}, "messages":[...], "UNE":{...}}],
//	 "messages":[{"ref":"1","type":["ORDERS","D","96B","UN","EAN008B"],
//	              "segments":[{"tag":"UNH","pos":1,...}, ...]}],
//	 "UNZ":{...}}
//
// Segments of a message stay in order (EDIFACT segment groups need the
// message directory, which this package does not carry).
func Tree(ic *Interchange) map[string]any {
	t := map[string]any{"UNB": SegmentObject(&ic.Header)}
	if ic.Trailer != nil {
		t["UNZ"] = SegmentObject(ic.Trailer)
	}
	msgs := func(ms []Message) []any {
		out := make([]any, len(ms))
		for i := range ms {
			out[i] = messageTree(&ms[i])
		}
		return out
	}
	if len(ic.Messages) > 0 {
		t["messages"] = msgs(ic.Messages)
	}
	if len(ic.Groups) > 0 {
		gs := make([]any, len(ic.Groups))
		for i := range ic.Groups {
			g := &ic.Groups[i]
			gt := map[string]any{"UNG": SegmentObject(&g.Header), "messages": msgs(g.Messages)}
			if g.Trailer != nil {
				gt["UNE"] = SegmentObject(g.Trailer)
			}
			gs[i] = gt
		}
		t["groups"] = gs
	}
	if len(ic.Stray) > 0 {
		st := make([]any, len(ic.Stray))
		for i := range ic.Stray {
			st[i] = SegmentObject(&ic.Stray[i])
		}
		t["stray"] = st
	}
	return t
}

// Serialize writes the interchange with its delimiters (a UNA first when
// the input had one or the delimiters are not the defaults), escaping
// service characters inside values with the release character, one
// segment per line. Segments are written in Position order.
func Serialize(ic *Interchange) []byte {
	var b bytes.Buffer
	d := ic.Delimiters
	if ic.UNA || d != DefaultDelimiters() {
		rel := d.Release
		if rel == 0 {
			rel = ' '
		}
		b.WriteString("UNA")
		b.Write([]byte{d.Component, d.Element, d.Decimal, rel, d.Repetition, d.Segment, '\n'})
	}
	var segs []*Segment
	segs = append(segs, &ic.Header)
	addMsgs := func(ms []Message) {
		for i := range ms {
			for k := range ms[i].Segments {
				segs = append(segs, &ms[i].Segments[k])
			}
		}
	}
	addMsgs(ic.Messages)
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		segs = append(segs, &g.Header)
		addMsgs(g.Messages)
		if g.Trailer != nil {
			segs = append(segs, g.Trailer)
		}
	}
	for i := range ic.Stray {
		segs = append(segs, &ic.Stray[i])
	}
	if ic.Trailer != nil {
		segs = append(segs, ic.Trailer)
	}
	slices.SortStableFunc(segs, func(a, b *Segment) int { return a.Position - b.Position })
	special := string([]byte{d.Component, d.Element, d.Segment})
	if d.Release != 0 {
		special += string([]byte{d.Release})
	}
	esc := func(v string) {
		if d.Release == 0 || !strings.ContainsAny(v, special) {
			b.WriteString(v)
			return
		}
		for i := 0; i < len(v); i++ {
			if strings.IndexByte(special, v[i]) >= 0 {
				b.WriteByte(d.Release)
			}
			b.WriteByte(v[i])
		}
	}
	for _, s := range segs {
		writeTag(&b, s, ic, &d)
		for _, el := range s.Elements {
			b.WriteByte(d.Element)
			for j, c := range el {
				if j > 0 {
					b.WriteByte(d.Component)
				}
				esc(c)
			}
		}
		b.WriteByte(d.Segment)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// writeTag writes a segment tag so that it reads back the same: service
// characters in it are released (component separators excepted, they
// separate the tag's components), and so are a leading space or BOM and
// an "UNA"/"UNB" start that would otherwise open a new interchange.
func writeTag(b *bytes.Buffer, s *Segment, ic *Interchange, d *Delimiters) {
	tag := s.Tag
	if d.Release == 0 {
		b.WriteString(tag)
		return
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case c == d.Element || c == d.Segment || c == d.Release:
			b.WriteByte(d.Release)
		case i == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == 0xEF):
			b.WriteByte(d.Release)
		case i == 2 && s != &ic.Header && (strings.HasPrefix(tag, "UNA") || strings.HasPrefix(tag, "UNB")):
			b.WriteByte(d.Release)
		}
		b.WriteByte(c)
	}
}
