package x12

import (
	"errors"
	"strconv"
	"time"
)

// ErrNothingToAcknowledge is returned by Build997 when the interchange
// has no functional group that may be acknowledged (no groups, or only
// FA groups: acknowledgments are never acknowledged).
var ErrNothingToAcknowledge = errors.New("x12: no functional group to acknowledge")

// AckOptions controls 997 generation.
type AckOptions struct {
	// Time stamps ISA09/ISA10 and GS04/GS05 of the 997 interchange.
	Time time.Time
	// InterchangeControl is ISA13/IEA02 of the 997 interchange.
	InterchangeControl int
	// GroupControl is GS06/GE02 of the first 997 group; the next groups
	// count up from it. Each group holds one 997 with ST02 "0001".
	GroupControl int
	// AcceptWithErrors makes a set whose only problems are AK3/AK4
	// segment or element errors "E" (accepted, errors noted) instead of
	// "R" (rejected). Envelope errors (AK502 2, 3, 4, 6, 7, 23) always
	// reject the set.
	AcceptWithErrors bool
}

// SetAck is the acknowledgment of one transaction set: AK2, AK3/AK4, AK5.
type SetAck struct {
	ID       string // AK201 = ST01
	Control  string // AK202 = ST02
	Status   string // AK501: A accepted, E accepted with errors, R rejected
	Codes    []string
	Segments []SegmentError // AK3/AK4
}

// GroupAck is the content of the 997 for one functional group.
type GroupAck struct {
	FunctionalID string // AK101 = GS01
	Control      string // AK102 = GS06
	Version      string // AK103 = GS08 (written for 005010 and later)
	Sets         []SetAck
	Status       string // AK901: A, E, P (partially accepted) or R
	Included     int    // AK902: GE01 as received (the actual count when GE is missing or GE01 is not a number)
	Received     int    // AK903
	Accepted     int    // AK904: sets whose AK501 is A or E
	Codes        []string
}

// AcknowledgeGroup evaluates group gi of ic (use Acknowledge for all
// groups: it validates the interchange once): envelope errors from Validate
// become AK5/AK9 codes, CheckSyntax results become AK3/AK4 segments.
// Interchange-level errors (ISA13/IEA02, IEA01, missing IEA) are not part
// of a 997 (they belong in a TA1) and do not change the result.
//
// AK901 is R when the group has a group-level error (AK905 code) or no set
// was accepted; P when some but not all sets were accepted; E when all were
// accepted but one with errors noted; A otherwise. AK904 counts the sets
// accepted at set level even when the group is rejected.
func AcknowledgeGroup(ic *Interchange, gi int, opts AckOptions) GroupAck {
	var errs []EnvelopeError
	for _, e := range Validate(ic) {
		if e.Group == gi {
			errs = append(errs, e)
		}
	}
	return acknowledge(ic, gi, errs, opts)
}

// Acknowledge evaluates every group of ic, FA groups included (Build997
// leaves those out), validating the interchange once.
func Acknowledge(ic *Interchange, opts AckOptions) []GroupAck {
	errs := byGroup(Validate(ic), len(ic.Groups))
	out := make([]GroupAck, len(ic.Groups))
	for gi := range ic.Groups {
		out[gi] = acknowledge(ic, gi, errs[gi], opts)
	}
	return out
}

// byGroup splits envelope errors by group index.
func byGroup(errs []EnvelopeError, groups int) [][]EnvelopeError {
	out := make([][]EnvelopeError, groups)
	for _, e := range errs {
		if e.Group >= 0 && e.Group < groups {
			out[e.Group] = append(out[e.Group], e)
		}
	}
	return out
}

func acknowledge(ic *Interchange, gi int, errs []EnvelopeError, opts AckOptions) GroupAck {
	g := &ic.Groups[gi]
	a := GroupAck{FunctionalID: g.GS.FunctionalID, Control: g.GS.ControlNumber, Version: g.GS.Version,
		Received: len(g.Sets), Included: len(g.Sets)}
	if g.GE != nil {
		if n, ok := atoi(g.GE.SetCount); ok {
			a.Included = n
		}
	}
	a.Sets = make([]SetAck, len(g.Sets))
	for si := range g.Sets {
		t := &g.Sets[si]
		a.Sets[si] = SetAck{ID: t.ID, Control: t.Control, Segments: CheckSyntax(t)}
	}
	for _, e := range errs {
		if e.Group != gi || e.Severity != SeverityError {
			continue
		}
		if c := e.Code.AK5(); c != "" && e.Set >= 0 && e.Set < len(a.Sets) {
			a.Sets[e.Set].Codes = appendCode(a.Sets[e.Set].Codes, c)
		}
		if c := e.Code.AK9(); c != "" {
			a.Codes = appendCode(a.Codes, c)
		}
	}
	anyE := false
	for si := range a.Sets {
		s := &a.Sets[si]
		switch {
		case len(s.Codes) > 0:
			s.Status = "R"
			if len(s.Segments) > 0 {
				s.Codes = appendCode(s.Codes, "5")
			}
		case len(s.Segments) > 0 && opts.AcceptWithErrors:
			s.Status = "E"
			s.Codes = []string{"5"}
			anyE = true
		case len(s.Segments) > 0:
			s.Status = "R"
			s.Codes = []string{"5"}
		default:
			s.Status = "A"
		}
		if len(s.Codes) > 5 {
			s.Codes = s.Codes[:5]
		}
		if s.Status != "R" {
			a.Accepted++
		}
	}
	if len(a.Codes) > 5 {
		a.Codes = a.Codes[:5]
	}
	switch {
	case len(a.Codes) > 0 || a.Accepted == 0:
		a.Status = "R"
	case a.Accepted < a.Received:
		a.Status = "P"
	case anyE:
		a.Status = "E"
	default:
		a.Status = "A"
	}
	return a
}

// appendCode adds c to codes once, keeping the codes in numeric order.
func appendCode(codes []string, c string) []string {
	for _, v := range codes {
		if v == c {
			return codes
		}
	}
	codes = append(codes, c)
	for i := len(codes) - 1; i > 0 && codeLess(codes[i], codes[i-1]); i-- {
		codes[i], codes[i-1] = codes[i-1], codes[i]
	}
	return codes
}

func codeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// newSegment builds a segment from simple elements, dropping trailing
// empty elements.
func newSegment(id string, elems ...string) Segment {
	for len(elems) > 0 && elems[len(elems)-1] == "" {
		elems = elems[:len(elems)-1]
	}
	s := Segment{ID: id, Elements: make([][]string, len(elems)), Offset: -1}
	for i, e := range elems {
		s.Elements[i] = []string{e}
	}
	return s
}

// TransactionSet returns the 997 transaction set (ST..SE) for this
// acknowledgment with the given ST02.
func (a GroupAck) TransactionSet(control string) TransactionSet {
	segs := []Segment{newSegment("ST", "997", control), newSegment("AK1", a.FunctionalID, a.Control, ak103(a.Version))}
	for _, s := range a.Sets {
		segs = append(segs, newSegment("AK2", s.ID, s.Control))
		for _, se := range s.Segments {
			segs = append(segs, newSegment("AK3", se.SegmentID, strconv.Itoa(se.Position), "", se.Code))
			seen := map[[2]string]bool{}
			for _, ee := range se.Elements {
				key := [2]string{strconv.Itoa(ee.Position), ee.Code}
				if seen[key] {
					continue
				}
				seen[key] = true
				segs = append(segs, newSegment("AK4", key[0], ee.Ref, ee.Code, ee.Value))
			}
		}
		segs = append(segs, newSegment("AK5", append([]string{s.Status}, s.Codes...)...))
	}
	ak9 := []string{a.Status, strconv.Itoa(a.Included), strconv.Itoa(a.Received), strconv.Itoa(a.Accepted)}
	segs = append(segs, newSegment("AK9", append(ak9, a.Codes...)...))
	segs = append(segs, newSegment("SE", strconv.Itoa(len(segs)+1), control))
	for i := range segs {
		segs[i].SetPosition = i + 1
	}
	return TransactionSet{ID: "997", Control: control, Segments: segs}
}

// ak103 returns the version for AK103, which exists from 005010 on.
func ak103(version string) string {
	if len(version) >= 6 && version[:6] >= "005010" {
		return version
	}
	return ""
}

// Build997 builds the 997 interchange that answers ic: one functional
// group with one 997 per received group, FA groups excepted (no
// acknowledgment of acknowledgments). The envelope swaps sender and
// receiver (ISA05/06 <-> ISA07/08, GS02 <-> GS03), keeps ISA11, ISA12,
// ISA15, the GS08 version (without an implementation guide suffix such as
// "X358") and the partner's delimiters, sets ISA14 to 0 and blanks the
// authorization and security information. Serialize the result to get the
// X12 text.
func Build997(ic *Interchange, opts AckOptions) (*Interchange, error) {
	errs := byGroup(Validate(ic), len(ic.Groups))
	out := replyEnvelope(ic, opts)
	pos := 1
	ctl := opts.GroupControl
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		if g.GS.FunctionalID == "FA" {
			continue
		}
		a := acknowledge(ic, gi, errs[gi], opts)
		date := opts.Time.Format("20060102")
		if len(g.GS.Date) == 6 {
			date = opts.Time.Format("060102")
		}
		version := g.GS.Version
		if len(version) > 6 {
			version = version[:6]
		}
		gctl := strconv.Itoa(ctl % 1000000000)
		ctl++
		gs := GS{FunctionalID: "FA", SenderCode: g.GS.ReceiverCode, ReceiverCode: g.GS.SenderCode, Date: date,
			Time: opts.Time.Format("1504"), ControlNumber: gctl, Agency: g.GS.Agency, Version: version}
		pos++
		hdr := newSegment("GS", gs.FunctionalID, gs.SenderCode, gs.ReceiverCode, gs.Date, gs.Time, gs.ControlNumber, gs.Agency, gs.Version)
		hdr.Position = pos
		t := a.TransactionSet("0001")
		for i := range t.Segments {
			pos++
			t.Segments[i].Position = pos
		}
		pos++
		ge := newSegment("GE", "1", gctl)
		ge.Position = pos
		out.Groups = append(out.Groups, Group{GS: gs, GE: &GE{SetCount: "1", ControlNumber: gctl},
			Sets: []TransactionSet{t}, Header: hdr, Trailer: &ge})
	}
	if len(out.Groups) == 0 {
		return nil, ErrNothingToAcknowledge
	}
	closeEnvelope(out, pos+1)
	return out, nil
}
