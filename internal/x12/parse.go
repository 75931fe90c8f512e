package x12

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// isaLen is the length of a well-formed ISA in characters, terminator included.
const isaLen = 106

// isaWidths are the fixed widths of ISA01..ISA16.
var isaWidths = [16]int{2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

// maxISAElement bounds the bytes scanned for one ISA element (the widest is
// 15 characters; NBSP padding and wrapping make it longer in bytes).
const maxISAElement = 96

const bom = "\uFEFF"

// Parse parses input that holds exactly one interchange. Use ParseAll for
// files with several ISA..IEA envelopes.
func Parse(data []byte) (*Interchange, error) {
	ics, err := ParseAll(data)
	if err != nil {
		return nil, err
	}
	if len(ics) != 1 {
		return nil, fmt.Errorf("x12: input holds %d interchanges, want 1 (use ParseAll)", len(ics))
	}
	return ics[0], nil
}

// ParseAll parses every interchange in data. On a fatal syntax error
// (a *SyntaxError wrapping ErrNoISA, ErrISATruncated, ErrISAMalformed,
// ErrISASplit, ErrMissingISA16 or ErrDelimiters) it returns the
// interchanges read before the error together with the error. Envelope
// problems (counts, control numbers, missing trailers) are not errors here:
// see Validate.
func ParseAll(data []byte) ([]*Interchange, error) {
	p := &parser{src: string(data)}
	var out []*Interchange
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			if len(out) == 0 {
				return nil, &SyntaxError{Err: ErrNoISA, Offset: p.pos, Detail: "no data"}
			}
			return out, nil
		}
		if !strings.HasPrefix(p.src[p.pos:], "ISA") {
			detail := "input must start with ISA"
			if len(out) > 0 {
				detail = "unexpected data after IEA"
			}
			return out, &SyntaxError{Err: ErrNoISA, Offset: p.pos, Detail: detail}
		}
		ic, err := p.interchange()
		if err != nil {
			return out, err
		}
		out = append(out, ic)
	}
}

type parser struct {
	src   string
	pos   int
	comps []string   // slab for components
	elems [][]string // slab for elements
	segs  []Segment  // segments of the open transaction set
	sized bool       // slabs were sized from the input
}

// size allocates the slabs once, from delimiter counts in the rest of the
// input, so a typical file needs a handful of allocations.
func (p *parser) size(d *Delimiters) {
	if p.sized {
		return
	}
	p.sized = true
	rest := p.src[p.pos:]
	nseg := strings.Count(rest, d.Segment) + 1
	nel := strings.Count(rest, d.Element) + nseg
	p.elems = make([][]string, 0, nel)
	p.comps = make([]string, 0, nel+strings.Count(rest, d.Component))
	p.segs = make([]Segment, 0, nseg)
}

// skipSpace skips whitespace and byte order marks.
func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r', '\n', '\v', '\f':
			p.pos++
		default:
			if strings.HasPrefix(p.src[p.pos:], bom) {
				p.pos += len(bom)
				continue
			}
			return
		}
	}
}

func (p *parser) allocComps(n int) []string {
	if len(p.comps)+n > cap(p.comps) {
		p.comps = make([]string, 0, max(512, n, cap(p.comps)))
	}
	s := len(p.comps)
	p.comps = p.comps[:s+n]
	return p.comps[s : s : s+n]
}

func (p *parser) allocElems(n int) [][]string {
	if len(p.elems)+n > cap(p.elems) {
		p.elems = make([][]string, 0, max(256, n, cap(p.elems)))
	}
	s := len(p.elems)
	p.elems = p.elems[:s+n]
	return p.elems[s : s : s+n]
}

// charAt returns the character at byte i: one ASCII byte, one valid UTF-8
// sequence, or one raw byte when the bytes are not valid UTF-8.
func charAt(s string, i int) string {
	if s[i] < utf8.RuneSelf {
		return s[i : i+1]
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n <= 1 {
		return s[i : i+1]
	}
	return s[i : i+n]
}

func isAlnum(c string) bool {
	if len(c) != 1 {
		return false
	}
	b := c[0]
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

func isBlank(c string) bool {
	return c == " " || c == "\t" || c == "\v" || c == "\f"
}

func isNewline(c string) bool { return c == "\n" || c == "\r" }

// badChar reports a delimiter that is a lone UTF-8 lead byte: it would
// merge with the bytes written after it. (A lone byte 0x80-0xBF, such as
// a Latin-1 NEL, is accepted.)
func badChar(c string) bool { return len(c) == 1 && c[0] >= 0xC0 }

// readISA reads the ISA starting at off. It returns the elements, the
// delimiters, the offset just after the terminator and any warnings.
func (p *parser) readISA(off int) ([16]string, Delimiters, int, []*SyntaxError, error) {
	var el [16]string
	var elOff [16]int
	var d Delimiters
	src := p.src
	fail := func(err error, at int, format string, args ...any) ([16]string, Delimiters, int, []*SyntaxError, error) {
		return el, d, 0, nil, &SyntaxError{Err: err, Offset: at, Detail: fmt.Sprintf(format, args...)}
	}
	if off+4 > len(src) {
		return fail(ErrISATruncated, off, "input ends after %q", src[off:])
	}
	sep := charAt(src, off+3)
	if isAlnum(sep) || isBlank(sep) || isNewline(sep) || badChar(sep) {
		return fail(ErrDelimiters, off+3, "element separator %q must not be a letter, digit, whitespace or a lone UTF-8 lead byte", sep)
	}
	d.Element = sep
	i := off + 3
	lineBreak := -1
	for k := 0; k < 15; k++ {
		start := i + len(sep)
		limit := min(len(src), start+maxISAElement)
		j := strings.Index(src[start:limit], sep)
		if j < 0 {
			if limit == len(src) {
				return fail(ErrISATruncated, start, "input ends inside ISA%02d", k+1)
			}
			return fail(ErrISAMalformed, start, "no element separator %q after ISA%02d within %d bytes", sep, k+1, maxISAElement)
		}
		v := src[start : start+j]
		if lb := strings.IndexAny(v, "\r\n"); lb >= 0 && lineBreak < 0 {
			lineBreak = start + lb
		}
		el[k], elOff[k] = v, start
		i = start + j
	}
	p16 := i + len(sep)
	if p16 >= len(src) {
		return fail(ErrISATruncated, p16, "input ends before ISA16")
	}
	c16 := charAt(src, p16)
	if isNewline(c16) {
		return fail(ErrMissingISA16, p16, "line break right after the 16th element separator: ISA16 and the segment terminator are missing")
	}
	if c16 == sep {
		return fail(ErrMissingISA16, p16, "ISA16 is empty")
	}
	pt := p16 + len(c16)
	if pt >= len(src) {
		return fail(ErrISATruncated, pt, "input ends before the segment terminator")
	}
	term := charAt(src, pt)
	end := pt + len(term)
	el[15], elOff[15] = c16, p16
	if isNewline(term) && missingISA16(src[end:], sep, c16) {
		return fail(ErrMissingISA16, p16,
			"%q after ISA15 is followed by a line break and the GS line also ends with %q: %q is the segment terminator and ISA16 is omitted (ISA is %d characters)",
			c16, c16, c16, utf8.RuneCountInString(src[off:end])-1)
	}
	text := src[off:end]
	if lineBreak >= 0 {
		joined := stripCRLF(text)
		n := utf8.RuneCountInString(joined)
		if isNewline(term) || n != isaLen {
			return fail(ErrISASplit, lineBreak,
				"line break inside the ISA (%d characters without line breaks, terminator %q); only a fixed-width wrap of a complete 106-character ISA is accepted", n, term)
		}
		for k := range el {
			el[k] = stripCRLF(el[k])
		}
		text = joined
	}
	if isAlnum(c16) || isBlank(c16) || badChar(c16) {
		return fail(ErrDelimiters, p16, "component separator %q must not be a letter, digit, whitespace or a lone UTF-8 lead byte", c16)
	}
	if isAlnum(term) || isBlank(term) || badChar(term) {
		return fail(ErrDelimiters, pt, "segment terminator %q must not be a letter, digit, whitespace or a lone UTF-8 lead byte", term)
	}
	if term == sep || term == c16 {
		return fail(ErrDelimiters, pt, "segment terminator %q repeats another delimiter", term)
	}
	d.Component, d.Segment = c16, term
	if v, err := strconv.Atoi(el[11]); err == nil && v >= 401 && utf8.RuneCountInString(el[10]) == 1 {
		r := el[10]
		if !isAlnum(r) && !isBlank(r) && !isNewline(r) && r != sep && r != c16 && r != term {
			d.Repetition = r
		}
	}
	if !isNewline(term) {
		rest := src[end:]
		switch {
		case strings.HasPrefix(rest, "\r\n"):
			d.Suffix = "\r\n"
		case strings.HasPrefix(rest, "\n"):
			d.Suffix = "\n"
		case strings.HasPrefix(rest, "\r"):
			d.Suffix = "\r"
		}
	}

	var warns []*SyntaxError
	var bad []string
	firstBad := -1
	for k, w := range isaWidths {
		if n := utf8.RuneCountInString(el[k]); n != w {
			bad = append(bad, fmt.Sprintf("ISA%02d is %d characters, want %d", k+1, n, w))
			if firstBad < 0 {
				firstBad = elOff[k]
			}
		}
	}
	if n := utf8.RuneCountInString(text); n != isaLen || len(bad) > 0 {
		if firstBad < 0 {
			firstBad = off
		}
		detail := fmt.Sprintf("ISA is %d characters, want %d", n, isaLen)
		if len(bad) > 0 {
			detail += " (" + strings.Join(bad, "; ") + ")"
		}
		warns = append(warns, &SyntaxError{Err: ErrISALength, Offset: firstBad, Detail: detail})
	}
	for k := off; k < p16; k++ {
		if src[k] >= utf8.RuneSelf {
			c := charAt(src, k)
			r, _ := utf8.DecodeRuneInString(c)
			warns = append(warns, &SyntaxError{Err: ErrISACharset, Offset: k,
				Detail: fmt.Sprintf("%U in the ISA: it is %d characters but %d bytes, so byte-offset ISA readers fail", r, utf8.RuneCountInString(text), len(text))})
			break
		}
	}
	return el, d, end, warns, nil
}

// missingISA16 reports whether the line after the ISA is a GS segment that
// ends with c16, which means c16 is really the segment terminator.
func missingISA16(rest, sep, c16 string) bool {
	rest = strings.TrimLeft(rest, " \t\r\n")
	line := rest
	if j := strings.IndexByte(rest, '\n'); j >= 0 {
		line = rest[:j]
	}
	line = strings.TrimRight(line, " \t\r")
	return strings.HasPrefix(line, "GS"+sep) && strings.HasSuffix(line, c16)
}

func stripCRLF(s string) string {
	if strings.IndexByte(s, '\r') < 0 && strings.IndexByte(s, '\n') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nextSegment returns the text of the next non-empty segment and the byte
// offset where it starts; ok is false at the end of input.
func (p *parser) nextSegment(d *Delimiters) (raw string, off int, ok bool) {
	nl := isNewline(d.Segment)
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return "", p.pos, false
		}
		start := p.pos
		if len(d.Segment) > 1 && !nl {
			// Line breaks are removed before tokenising, so a multi-byte
			// terminator broken by a line break still ends the segment.
			b, e := indexTerm(p.src[start:], d.Segment)
			if b < 0 {
				raw, p.pos = p.src[start:], len(p.src)
			} else {
				raw, p.pos = p.src[start:start+b], start+e
			}
			raw = stripCRLF(raw)
		} else {
			j := strings.Index(p.src[start:], d.Segment)
			if j < 0 {
				raw, p.pos = p.src[start:], len(p.src)
			} else {
				raw, p.pos = p.src[start:start+j], start+j+len(d.Segment)
			}
			if nl {
				raw = strings.TrimRight(raw, "\r")
			} else {
				raw = stripCRLF(raw)
			}
		}
		if raw != "" {
			return raw, start, true
		}
	}
}

// reserve returns empty slices backed by the slabs with room for every
// component and element of rest; commit advances the slabs past what was
// used.
func (p *parser) reserve(rest, es, cs string) ([]string, [][]string) {
	n := len(rest) + 1 // upper bound for both counts
	if cap(p.comps)-len(p.comps) < n || cap(p.elems)-len(p.elems) < n {
		ne := strings.Count(rest, es) + 1
		nc := ne
		if cs != "" {
			nc += strings.Count(rest, cs)
		}
		if cap(p.comps)-len(p.comps) < nc {
			p.comps = make([]string, 0, max(512, nc, cap(p.comps)))
		}
		if cap(p.elems)-len(p.elems) < ne {
			p.elems = make([][]string, 0, max(256, ne, cap(p.elems)))
		}
		return p.comps[len(p.comps) : len(p.comps) : len(p.comps)+nc], p.elems[len(p.elems) : len(p.elems) : len(p.elems)+ne]
	}
	return p.comps[len(p.comps):len(p.comps):cap(p.comps)], p.elems[len(p.elems):len(p.elems):cap(p.elems)]
}

func (p *parser) commit(comps []string, elems [][]string) {
	// min: if append had to move comps or elems off the slab (it cannot
	// with the counts above, but stays safe if it did), skip to the end.
	p.comps = p.comps[:min(len(p.comps)+len(comps), cap(p.comps))]
	p.elems = p.elems[:min(len(p.elems)+len(elems), cap(p.elems))]
}

// indexTerm returns where the first occurrence of term in s begins and
// ends, allowing CR and LF between its bytes; -1, -1 when there is none.
// It scans each byte a bounded number of times.
func indexTerm(s, term string) (int, int) {
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(s[i:], term[0])
		if k < 0 {
			return -1, -1
		}
		i += k
		j, m := i+1, 1
		for j < len(s) && m < len(term) {
			switch c := s[j]; {
			case c == term[m]:
				m++
			case c != '\r' && c != '\n':
				j = len(s) // mismatch: stop
				continue
			}
			j++
		}
		if m == len(term) {
			return i, j
		}
	}
	return -1, -1
}

// split splits a segment into its ID and elements. Components are split
// unless noComp is set (the ISA).
func (p *parser) split(raw string, d *Delimiters, noComp bool) (string, [][]string) {
	es, cs := d.Element, d.Component
	if noComp {
		cs = ""
	}
	k := strings.Index(raw, es)
	if k < 0 {
		return raw, nil
	}
	id, rest := raw[:k], raw[k+len(es):]
	comps, elems := p.reserve(rest, es, cs)
	if len(es) == 1 && len(cs) <= 1 {
		e, c := es[0], es[0]
		if cs != "" {
			c = cs[0]
		}
		start, first := 0, 0
		for i := 0; i < len(rest); i++ {
			switch rest[i] {
			case e:
				comps = append(comps, rest[start:i])
				elems = append(elems, comps[first:len(comps):len(comps)])
				first, start = len(comps), i+1
			case c:
				comps = append(comps, rest[start:i])
				start = i + 1
			}
		}
		comps = append(comps, rest[start:])
		elems = append(elems, comps[first:len(comps):len(comps)])
		p.commit(comps, elems)
		return id, elems
	}
	for {
		j := strings.Index(rest, es)
		el := rest
		if j >= 0 {
			el = rest[:j]
			rest = rest[j+len(es):]
		}
		first := len(comps)
		for cs != "" {
			c := strings.Index(el, cs)
			if c < 0 {
				break
			}
			comps = append(comps, el[:c])
			el = el[c+len(cs):]
		}
		comps = append(comps, el)
		elems = append(elems, comps[first:len(comps):len(comps)])
		if j < 0 {
			break
		}
	}
	p.commit(comps, elems)
	return id, elems
}

// startsISA reports whether a segment text starts a new interchange.
func startsISA(raw string) bool {
	return len(raw) > 3 && strings.HasPrefix(raw, "ISA") && !isAlnum(raw[3:4])
}

// interchange parses one interchange starting at p.pos ("ISA").
func (p *parser) interchange() (*Interchange, error) {
	off := p.pos
	el, d, end, warns, err := p.readISA(off)
	if err != nil {
		return nil, err
	}
	ic := &Interchange{ISA: isaFromElements(el), Delimiters: d, Warnings: warns, Offset: off}
	p.pos = end
	p.size(&d)
	hdr := p.allocElems(16)
	comps := p.allocComps(16)
	for k := range el {
		comps = append(comps, el[k])
		hdr = append(hdr, comps[k:k+1:k+1])
	}
	ic.Header = Segment{ID: "ISA", Elements: hdr, Position: 1, Offset: off}

	pos := 1
	var grp *Group
	var set *TransactionSet
	setStart := 0
	closeSet := func() {
		if set != nil {
			n := len(p.segs)
			set.Segments = p.segs[setStart:n:n]
			setStart = n
			grp.Sets = append(grp.Sets, *set)
			set = nil
		}
	}
	addToSet := func(seg Segment) {
		seg.SetPosition = len(p.segs) - setStart + 1
		p.segs = append(p.segs, seg)
	}
	closeGroup := func() {
		closeSet()
		if grp != nil {
			ic.Groups = append(ic.Groups, *grp)
			grp = nil
		}
	}
	for {
		raw, so, ok := p.nextSegment(&d)
		if !ok {
			break
		}
		if startsISA(raw) {
			// A new interchange starts: this one has no IEA.
			p.pos = so
			break
		}
		pos++
		id, elems := p.split(raw, &d, false)
		seg := Segment{ID: id, Elements: elems, Position: pos, Offset: so}
		switch id {
		case "IEA":
			closeGroup()
			trailer := seg
			ic.Trailer = &trailer
			ic.IEA = &IEA{GroupCount: seg.Element(1), ControlNumber: seg.Element(2)}
			ic.End = p.pos
			return ic, nil
		case "GS":
			closeGroup()
			grp = &Group{Header: seg, GS: GS{seg.Element(1), seg.Element(2), seg.Element(3), seg.Element(4),
				seg.Element(5), seg.Element(6), seg.Element(7), seg.Element(8)}}
			continue
		case "GE":
			if grp != nil {
				closeSet()
				trailer := seg
				grp.Trailer = &trailer
				grp.GE = &GE{SetCount: seg.Element(1), ControlNumber: seg.Element(2)}
				closeGroup()
				continue
			}
		case "ST":
			if grp != nil {
				closeSet()
				set = &TransactionSet{ID: seg.Element(1), Control: seg.Element(2)}
				setStart = len(p.segs)
				addToSet(seg)
				continue
			}
		case "SE":
			if set != nil {
				addToSet(seg)
				closeSet()
				continue
			}
		}
		switch {
		case set != nil:
			addToSet(seg)
		case grp != nil:
			grp.Stray = append(grp.Stray, seg)
		default:
			ic.Stray = append(ic.Stray, seg)
		}
	}
	closeGroup()
	ic.End = p.pos
	return ic, nil
}
