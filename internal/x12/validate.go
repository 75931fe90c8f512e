package x12

import (
	"fmt"
	"slices"
	"strings"
)

// Severity tells whether an EnvelopeError makes the envelope invalid.
type Severity int

const (
	// SeverityError marks a broken envelope rule.
	SeverityError Severity = iota
	// SeverityWarning marks a tolerated deviation (a non-zero-padded
	// IEA02, an invalid GS date, a GS01 that does not fit ST01).
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

// Envelope rule codes. AK5 and AK9 give the 997 code each one maps to.
const (
	CodeISAControlMismatch   Code = "isa13_iea02_mismatch"      // ISA13 != IEA02 (TA1 001)
	CodeGroupCount           Code = "iea01_group_count"         // IEA01 != number of GS (TA1 021)
	CodeMissingIEA           Code = "iea_missing"               // TA1 023
	CodeGroupControlMismatch Code = "gs06_ge02_mismatch"        // AK905 = 4
	CodeSetCount             Code = "ge01_set_count"            // AK905 = 5
	CodeMissingGE            Code = "ge_missing"                // AK905 = 3
	CodeGroupControlSyntax   Code = "group_control_syntax"      // GS06/GE02 not 1-9 digits: AK905 = 6
	CodeSetControlMismatch   Code = "st02_se02_mismatch"        // AK502 = 3
	CodeSegmentCount         Code = "se01_segment_count"        // AK502 = 4
	CodeMissingSE            Code = "se_missing"                // AK502 = 2
	CodeSetIDSyntax          Code = "st01_syntax"               // ST01 not 3 digits: AK502 = 6
	CodeSetControlSyntax     Code = "st02_syntax"               // ST02 not 4-9 characters: AK502 = 7
	CodeSetControlDuplicate  Code = "st02_duplicate"            // ST02 repeated in the group: AK502 = 23
	CodeISAControlSyntax     Code = "isa13_syntax"              // ISA13/IEA02 not 9 digits (TA1 018)
	CodeControlNotPadded     Code = "control_number_not_padded" // warning: equal numerically, not textually
	CodeUnexpectedSegment    Code = "unexpected_segment"        // segment outside GS..GE or ST..SE
	CodeFunctionalIDMismatch Code = "gs01_st01_mismatch"        // warning: GS01 does not fit ST01
	CodeInvalidDate          Code = "invalid_date"              // warning: ISA09/GS04
	CodeInvalidTime          Code = "invalid_time"              // warning: ISA10/GS05
)

// AK5 returns the AK502 (transaction set syntax error) code for a
// set-level rule, or "".
func (c Code) AK5() string {
	switch c {
	case CodeMissingSE:
		return "2"
	case CodeSetControlMismatch:
		return "3"
	case CodeSegmentCount:
		return "4"
	case CodeSetIDSyntax:
		return "6"
	case CodeSetControlSyntax:
		return "7"
	case CodeSetControlDuplicate:
		return "23"
	}
	return ""
}

// AK9 returns the AK905 (functional group syntax error) code for a
// group-level rule, or "".
func (c Code) AK9() string {
	switch c {
	case CodeMissingGE:
		return "3"
	case CodeGroupControlMismatch:
		return "4"
	case CodeSetCount:
		return "5"
	case CodeGroupControlSyntax:
		return "6"
	}
	return ""
}

// EnvelopeError is one broken (or, as a warning, bent) envelope rule.
type EnvelopeError struct {
	Code     Code
	Severity Severity
	Message  string
	// Segment is the ID of the segment the error points at ("IEA", "GE",
	// "SE", ...). For a missing trailer it is the missing segment's ID and
	// the positions are where it was expected.
	Segment string
	// Position is the 1-based segment position in the interchange
	// (ISA = 1); SetPosition the position inside the set (ST = 1) or 0.
	Position    int
	SetPosition int
	// Group and Set index Interchange.Groups and Group.Sets; -1 when the
	// error is above that level.
	Group, Set int
}

func (e EnvelopeError) Error() string {
	return fmt.Sprintf("x12: %s %s at segment %d (%s): %s", e.Severity, e.Code, e.Position, e.Segment, e.Message)
}

// Validate checks the envelope of one interchange: ISA13/IEA02, IEA01,
// GS06/GE02, GE01, ST02/SE02, SE01, missing trailers, control number
// syntax, duplicate ST02, segments outside envelopes, ISA/GS dates and
// times and GS01/ST01 agreement. Errors come in segment order.
func Validate(ic *Interchange) []EnvelopeError {
	var out []EnvelopeError
	add := func(code Code, sev Severity, seg string, pos, setPos, g, s int, format string, args ...any) {
		out = append(out, EnvelopeError{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...),
			Segment: seg, Position: pos, SetPosition: setPos, Group: g, Set: s})
	}
	isa := ic.ISA
	if !isDigits(isa.ControlNumber) || len(isa.ControlNumber) != 9 {
		add(CodeISAControlSyntax, SeverityError, "ISA", 1, 0, -1, -1, "ISA13 %q is not 9 digits", isa.ControlNumber)
	}
	if !validDate(isa.Date) {
		add(CodeInvalidDate, SeverityWarning, "ISA", 1, 0, -1, -1, "ISA09 %q is not a YYMMDD date", isa.Date)
	}
	if !validTime(isa.Time) || len(isa.Time) != 4 {
		add(CodeInvalidTime, SeverityWarning, "ISA", 1, 0, -1, -1, "ISA10 %q is not an HHMM time", isa.Time)
	}
	for _, s := range ic.Stray {
		if s.ID == "TA1" {
			continue // interchange acknowledgments sit between ISA and the first GS
		}
		add(CodeUnexpectedSegment, SeverityError, s.ID, s.Position, 0, -1, -1, "segment %s outside any functional group", s.ID)
	}
	last := 1
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		gs := g.GS
		gpos := g.Header.Position
		if !isDigits(gs.ControlNumber) || len(gs.ControlNumber) > 9 {
			add(CodeGroupControlSyntax, SeverityError, "GS", gpos, 0, gi, -1, "GS06 %q is not 1-9 digits", gs.ControlNumber)
		}
		if !validDate(gs.Date) {
			add(CodeInvalidDate, SeverityWarning, "GS", gpos, 0, gi, -1, "GS04 %q is not a CCYYMMDD or YYMMDD date", gs.Date)
		}
		if !validTime(gs.Time) {
			add(CodeInvalidTime, SeverityWarning, "GS", gpos, 0, gi, -1, "GS05 %q is not an HHMM[SS[d..]] time", gs.Time)
		}
		last = max(last, gpos)
		seen := map[string]int{}
		for si := range g.Sets {
			t := &g.Sets[si]
			st := &t.Segments[0]
			end := &t.Segments[len(t.Segments)-1]
			last = max(last, end.Position)
			if len(t.ID) != 3 || !isDigits(t.ID) {
				add(CodeSetIDSyntax, SeverityError, "ST", st.Position, 1, gi, si, "ST01 %q is not a 3-digit transaction set ID", t.ID)
			} else if want := functionalID(t.ID); want != "" && gs.FunctionalID != want {
				add(CodeFunctionalIDMismatch, SeverityWarning, "ST", st.Position, 1, gi, si,
					"GS01 %q does not fit ST01 %s (expected %s)", gs.FunctionalID, t.ID, want)
			}
			if n := len(t.Control); n < 4 || n > 9 {
				add(CodeSetControlSyntax, SeverityError, "ST", st.Position, 1, gi, si, "ST02 %q is not 4-9 characters", t.Control)
			}
			if prev, dup := seen[t.Control]; dup {
				add(CodeSetControlDuplicate, SeverityError, "ST", st.Position, 1, gi, si,
					"ST02 %q repeats the control number of the set at segment %d", t.Control, prev)
			} else {
				seen[t.Control] = st.Position
			}
			se := t.Trailer()
			if se == nil {
				add(CodeMissingSE, SeverityError, "SE", end.Position+1, len(t.Segments)+1, gi, si,
					"transaction set %s %q has no SE trailer", t.ID, t.Control)
				continue
			}
			if se.Element(2) != t.Control {
				add(CodeSetControlMismatch, SeverityError, "SE", se.Position, se.SetPosition, gi, si,
					"SE02 %q does not match ST02 %q", se.Element(2), t.Control)
			}
			if n, ok := atoi(se.Element(1)); !ok || n != len(t.Segments) {
				add(CodeSegmentCount, SeverityError, "SE", se.Position, se.SetPosition, gi, si,
					"SE01 %q but the set has %d segments (ST through SE)", se.Element(1), len(t.Segments))
			}
		}
		for _, s := range g.Stray {
			add(CodeUnexpectedSegment, SeverityError, s.ID, s.Position, 0, gi, -1, "segment %s outside any transaction set", s.ID)
			last = max(last, s.Position)
		}
		if g.Trailer == nil {
			add(CodeMissingGE, SeverityError, "GE", last+1, 0, gi, -1, "functional group %s %q has no GE trailer", gs.FunctionalID, gs.ControlNumber)
			continue
		}
		ge := g.GE
		gepos := g.Trailer.Position
		last = gepos
		if !isDigits(ge.ControlNumber) || len(ge.ControlNumber) > 9 {
			add(CodeGroupControlSyntax, SeverityError, "GE", gepos, 0, gi, -1, "GE02 %q is not 1-9 digits", ge.ControlNumber)
		}
		switch eq, padded := controlEqual(gs.ControlNumber, ge.ControlNumber); {
		case !eq:
			add(CodeGroupControlMismatch, SeverityError, "GE", gepos, 0, gi, -1, "GE02 %q does not match GS06 %q", ge.ControlNumber, gs.ControlNumber)
		case !padded:
			add(CodeControlNotPadded, SeverityWarning, "GE", gepos, 0, gi, -1, "GE02 %q equals GS06 %q only numerically", ge.ControlNumber, gs.ControlNumber)
		}
		if n, ok := atoi(ge.SetCount); !ok || n != len(g.Sets) {
			add(CodeSetCount, SeverityError, "GE", gepos, 0, gi, -1, "GE01 %q but the group has %d transaction sets", ge.SetCount, len(g.Sets))
		}
	}
	for _, s := range ic.Stray {
		last = max(last, s.Position)
	}
	if ic.Trailer == nil {
		add(CodeMissingIEA, SeverityError, "IEA", last+1, 0, -1, -1, "interchange %q has no IEA trailer", isa.ControlNumber)
		return sortErrors(out)
	}
	iea := ic.IEA
	ipos := ic.Trailer.Position
	switch eq, padded := controlEqual(isa.ControlNumber, iea.ControlNumber); {
	case !eq:
		add(CodeISAControlMismatch, SeverityError, "IEA", ipos, 0, -1, -1, "IEA02 %q does not match ISA13 %q", iea.ControlNumber, isa.ControlNumber)
	case !padded:
		add(CodeControlNotPadded, SeverityWarning, "IEA", ipos, 0, -1, -1, "IEA02 %q is not zero-padded to 9 digits (ISA13 %q)", iea.ControlNumber, isa.ControlNumber)
	}
	if n, ok := atoi(iea.GroupCount); !ok || n != len(ic.Groups) {
		add(CodeGroupCount, SeverityError, "IEA", ipos, 0, -1, -1, "IEA01 %q but the interchange has %d functional groups", iea.GroupCount, len(ic.Groups))
	}
	return sortErrors(out)
}

// sortErrors orders errors by segment position, keeping the order of
// errors on the same segment.
func sortErrors(errs []EnvelopeError) []EnvelopeError {
	slices.SortStableFunc(errs, func(a, b EnvelopeError) int { return a.Position - b.Position })
	return errs
}

// functionalID returns the GS01 code that goes with a transaction set ID,
// or "" when the set is not in this table.
func functionalID(set string) string {
	switch set {
	case "850":
		return "PO"
	case "855":
		return "PR"
	case "856":
		return "SH"
	case "810":
		return "IN"
	case "846":
		return "IB"
	case "940":
		return "OW"
	case "945":
		return "SW"
	case "997", "999":
		return "FA"
	case "214":
		return "QM"
	case "210":
		return "IM"
	case "860":
		return "PC"
	case "865":
		return "CA"
	case "820":
		return "RA"
	case "824":
		return "AG"
	case "204":
		return "SM"
	case "990":
		return "GF"
	case "944":
		return "RE"
	case "947":
		return "AW"
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a non-negative decimal count (spaces trimmed).
func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if !isDigits(s) || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// controlEqual compares control numbers numerically when both are
// digits; padded is false when they are equal only numerically.
func controlEqual(header, trailer string) (eq, padded bool) {
	if header == trailer {
		return true, true
	}
	h, t := strings.TrimSpace(header), strings.TrimSpace(trailer)
	if !isDigits(h) || !isDigits(t) {
		return false, false
	}
	h, t = strings.TrimLeft(h, "0"), strings.TrimLeft(t, "0")
	return h == t, false
}

// validDate accepts YYMMDD and CCYYMMDD with a plausible month and day.
func validDate(s string) bool {
	if !isDigits(s) || (len(s) != 6 && len(s) != 8) {
		return false
	}
	md := s[len(s)-4:]
	m := int(md[0]-'0')*10 + int(md[1]-'0')
	d := int(md[2]-'0')*10 + int(md[3]-'0')
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m]
}

// validTime accepts HHMM, HHMMSS and HHMMSSd / HHMMSSdd.
func validTime(s string) bool {
	if !isDigits(s) || len(s) < 4 || len(s) > 8 || len(s) == 5 {
		return false
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[2]-'0')*10 + int(s[3]-'0')
	if h > 23 || m > 59 {
		return false
	}
	if len(s) >= 6 {
		if sec := int(s[4]-'0')*10 + int(s[5]-'0'); sec > 59 {
			return false
		}
	}
	return true
}
