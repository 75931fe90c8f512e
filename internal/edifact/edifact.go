// Package edifact reads UN/EDIFACT interchanges into an envelope tree
// (UNB, optional UNG groups, UNH..UNT messages, UNZ) and checks the
// envelope counts and references. Standard library only.
//
// Service string advice: a leading "UNA" followed by six characters sets
// the component separator, element separator, decimal mark, release
// character, reserved/repetition character and segment terminator (a
// space as release character means none). Without UNA the ISO 9735
// defaults ":+.? '" apply. The release character makes the next character
// literal ("?+" is "+", "??" is "?"); a release before any other character
// is dropped ("006?415160" reads "006415160"). Tolerated: a UTF-8 BOM and
// whitespace (spaces, tabs, CR, LF) before the first segment, between
// segments and between interchanges, so indented files parse.
//
// Segment positions: Segment.Position counts in the interchange (UNB = 1,
// UNA not counted), Segment.MessagePosition inside the message (UNH = 1,
// the number UNT01 counts).
//
// Only the envelope is checked: without the message directories and code
// lists this package cannot see an invalid NAD qualifier or a non-numeric
// quantity. The one structural content rule it knows is that the section
// control segment UNS appears at most once per message.
package edifact

import (
	"errors"
	"fmt"
	"strings"
)

// Delimiters are the service characters of an interchange.
type Delimiters struct {
	Component  byte // default ':'
	Element    byte // default '+'
	Decimal    byte // default '.'
	Release    byte // default '?'; 0 when the UNA gives a space (no release character)
	Repetition byte // UNA position 5: ' ' reserved (syntax 3) or the repetition separator (syntax 4)
	Segment    byte // default '\''
}

// DefaultDelimiters returns the ISO 9735 defaults that apply without UNA.
func DefaultDelimiters() Delimiters {
	return Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: ' ', Segment: '\''}
}

// Segment is one EDIFACT segment.
type Segment struct {
	Tag string
	// Elements after the tag, each split into components, with release
	// characters removed. Elements[0] is element 01.
	Elements [][]string
	// Position in the interchange (UNB = 1); MessagePosition inside the
	// message (UNH = 1), 0 outside a message.
	Position        int
	MessagePosition int
	Offset          int // byte offset of the tag in the input (-1 when built)
}

// Element returns the first component of element n (1-based) or "".
func (s *Segment) Element(n int) string {
	if n < 1 || n > len(s.Elements) || len(s.Elements[n-1]) == 0 {
		return ""
	}
	return s.Elements[n-1][0]
}

// Component returns component c of element n (both 1-based) or "".
func (s *Segment) Component(n, c int) string {
	if n < 1 || n > len(s.Elements) || c < 1 || c > len(s.Elements[n-1]) {
		return ""
	}
	return s.Elements[n-1][c-1]
}

// Message is one UNH..UNT message.
type Message struct {
	Ref  string   // UNH01 message reference number
	Type []string // UNH02 components: type, version, release, agency, association code
	// Segments holds UNH through UNT inclusive (UNT absent when missing).
	Segments []Segment
}

// Trailer returns the UNT segment or nil.
func (m *Message) Trailer() *Segment {
	if n := len(m.Segments); n > 1 && m.Segments[n-1].Tag == "UNT" {
		return &m.Segments[n-1]
	}
	return nil
}

// Group is one UNG..UNE functional group.
type Group struct {
	Header   Segment  // UNG
	Trailer  *Segment // UNE, nil when missing
	Messages []Message
}

// Interchange is one UNB..UNZ interchange.
type Interchange struct {
	UNA        bool // a service string advice preceded the UNB
	Delimiters Delimiters
	Header     Segment  // UNB
	Trailer    *Segment // UNZ, nil when missing
	Groups     []Group
	Messages   []Message // messages outside groups
	Stray      []Segment // segments outside UNH..UNT
	Offset     int
	End        int
}

// Sentinel errors wrapped by *SyntaxError.
var (
	ErrNoUNB         = errors.New("edifact: UNA or UNB expected")
	ErrUNATruncated  = errors.New("edifact: UNA truncated")
	ErrDelimiters    = errors.New("edifact: invalid service characters")
	ErrTrailingBytes = errors.New("edifact: data after UNZ")
)

// SyntaxError is a fatal problem in the raw text at a byte offset.
type SyntaxError struct {
	Err    error
	Offset int
	Detail string
}

func (e *SyntaxError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%v at byte %d", e.Err, e.Offset)
	}
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Detail)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse parses input holding exactly one interchange.
func Parse(data []byte) (*Interchange, error) {
	ics, err := ParseAll(data)
	if err != nil {
		return nil, err
	}
	if len(ics) != 1 {
		return nil, fmt.Errorf("edifact: input holds %d interchanges, want 1 (use ParseAll)", len(ics))
	}
	return ics[0], nil
}

// ParseAll parses every interchange in data. A fatal *SyntaxError stops
// it; the interchanges read before are returned with the error.
func ParseAll(data []byte) ([]*Interchange, error) {
	p := &parser{src: string(data)}
	var out []*Interchange
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			if len(out) == 0 {
				return nil, &SyntaxError{Err: ErrNoUNB, Offset: p.pos, Detail: "no data"}
			}
			return out, nil
		}
		rest := p.src[p.pos:]
		if !strings.HasPrefix(rest, "UNA") && !strings.HasPrefix(rest, "UNB") {
			if len(out) > 0 {
				return out, &SyntaxError{Err: ErrTrailingBytes, Offset: p.pos}
			}
			return nil, &SyntaxError{Err: ErrNoUNB, Offset: p.pos}
		}
		ic, err := p.interchange()
		if err != nil {
			return out, err
		}
		out = append(out, ic)
	}
}

type parser struct {
	src string
	pos int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r', '\n', '\v', '\f':
			p.pos++
		default:
			if strings.HasPrefix(p.src[p.pos:], "\uFEFF") {
				p.pos += 3
				continue
			}
			return
		}
	}
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

// una reads the service string advice at p.pos.
func (p *parser) una() (Delimiters, error) {
	at := p.pos
	if len(p.src)-at < 9 {
		return Delimiters{}, &SyntaxError{Err: ErrUNATruncated, Offset: at, Detail: "UNA needs six service characters"}
	}
	c := p.src[at+3 : at+9]
	d := Delimiters{Component: c[0], Element: c[1], Decimal: c[2], Release: c[3], Repetition: c[4], Segment: c[5]}
	if d.Release == ' ' {
		d.Release = 0
	}
	used := []byte{d.Component, d.Element, d.Segment}
	if d.Release != 0 {
		used = append(used, d.Release)
	}
	for i, b := range used {
		if isAlnum(b) || b == ' ' || b == '\r' || b == '\n' {
			return d, &SyntaxError{Err: ErrDelimiters, Offset: at + 3 + strings.IndexByte(c, b),
				Detail: fmt.Sprintf("service character %q must not be a letter, digit, space or line break", b)}
		}
		for _, o := range used[:i] {
			if o == b {
				return d, &SyntaxError{Err: ErrDelimiters, Offset: at + 3, Detail: fmt.Sprintf("service character %q used twice", b)}
			}
		}
	}
	p.pos = at + 9
	return d, nil
}

// next reads the next segment text (escapes still in place). ok is false
// at the end of input.
func (p *parser) next(d *Delimiters) (raw string, off int, ok bool) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return "", p.pos, false
	}
	start := p.pos
	for i := start; i < len(p.src); i++ {
		switch b := p.src[i]; {
		case d.Release != 0 && b == d.Release:
			i++
		case b == d.Segment:
			p.pos = i + 1
			return p.src[start:i], start, true
		}
	}
	p.pos = len(p.src)
	return p.src[start:], start, true
}

// split splits a segment into tag and elements, removing release characters.
func split(raw string, d *Delimiters) (string, [][]string) {
	var elems [][]string
	var comps []string
	var cur strings.Builder
	escaped := false // cur holds an unescaped copy
	start := 0
	flush := func(i int) {
		if escaped {
			comps = append(comps, cur.String())
			cur.Reset()
			escaped = false
		} else {
			comps = append(comps, raw[start:i])
		}
		start = i + 1
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		switch {
		case d.Release != 0 && b == d.Release:
			if !escaped {
				cur.WriteString(raw[start:i])
				escaped = true
			}
			if i+1 < len(raw) {
				i++
				cur.WriteByte(raw[i])
			}
			continue
		case b == d.Element:
			flush(i)
			elems = append(elems, comps)
			comps = nil
			continue
		case b == d.Component:
			flush(i)
			continue
		}
		if escaped {
			cur.WriteByte(b)
		}
	}
	flush(len(raw))
	elems = append(elems, comps)
	tag := strings.Join(elems[0], string([]byte{d.Component}))
	return tag, elems[1:]
}

func (p *parser) interchange() (*Interchange, error) {
	ic := &Interchange{Offset: p.pos, Delimiters: DefaultDelimiters()}
	if strings.HasPrefix(p.src[p.pos:], "UNA") {
		d, err := p.una()
		if err != nil {
			return nil, err
		}
		ic.UNA, ic.Delimiters = true, d
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "UNB") {
			return nil, &SyntaxError{Err: ErrNoUNB, Offset: p.pos, Detail: "UNB must follow UNA"}
		}
	}
	d := &ic.Delimiters
	raw, off, _ := p.next(d)
	tag, elems := split(raw, d)
	ic.Header = Segment{Tag: tag, Elements: elems, Position: 1, Offset: off}
	pos := 1
	var grp *Group
	var msg *Message
	closeMsg := func() {
		if msg == nil {
			return
		}
		if grp != nil {
			grp.Messages = append(grp.Messages, *msg)
		} else {
			ic.Messages = append(ic.Messages, *msg)
		}
		msg = nil
	}
	closeGroup := func() {
		closeMsg()
		if grp != nil {
			ic.Groups = append(ic.Groups, *grp)
			grp = nil
		}
	}
	for {
		save := p.pos
		raw, off, ok := p.next(d)
		if !ok {
			break
		}
		if startsInterchange(raw, d) {
			p.pos = save // a new interchange: this one has no UNZ
			p.skipSpace()
			break
		}
		pos++
		tag, elems := split(raw, d)
		seg := Segment{Tag: tag, Elements: elems, Position: pos, Offset: off}
		switch tag {
		case "UNZ":
			closeGroup()
			trailer := seg
			ic.Trailer = &trailer
			ic.End = p.pos
			return ic, nil
		case "UNG":
			closeGroup()
			grp = &Group{Header: seg}
			continue
		case "UNE":
			if grp != nil {
				closeMsg()
				trailer := seg
				grp.Trailer = &trailer
				closeGroup()
				continue
			}
		case "UNH":
			closeMsg()
			seg.MessagePosition = 1
			msg = &Message{Ref: seg.Element(1), Segments: []Segment{seg}}
			if len(seg.Elements) > 1 {
				msg.Type = seg.Elements[1]
			}
			continue
		case "UNT":
			if msg != nil {
				seg.MessagePosition = len(msg.Segments) + 1
				msg.Segments = append(msg.Segments, seg)
				closeMsg()
				continue
			}
		}
		if msg != nil {
			seg.MessagePosition = len(msg.Segments) + 1
			msg.Segments = append(msg.Segments, seg)
		} else {
			ic.Stray = append(ic.Stray, seg)
		}
	}
	closeGroup()
	ic.End = p.pos
	return ic, nil
}

// startsInterchange reports whether a segment text is a UNA or UNB.
func startsInterchange(raw string, d *Delimiters) bool {
	if strings.HasPrefix(raw, "UNA") {
		return true
	}
	return strings.HasPrefix(raw, "UNB") && (len(raw) == 3 || raw[3] == d.Element || raw[3] == d.Component)
}
