package x12

import (
	"fmt"
	"strconv"
)

// InterchangeAck is the TA1 (interchange acknowledgment) for one
// received interchange: TA101..TA105.
type InterchangeAck struct {
	Control string // TA101 = ISA13 of the received interchange
	Date    string // TA102 = ISA09
	Time    string // TA103 = ISA10
	// Status is TA104: A accepted, E accepted with errors noted, R
	// rejected (no functional group could be read).
	Status string
	// Note is TA105, the interchange note code of the first
	// interchange-level error ("000": no error).
	Note string
	// Errors are the interchange-level envelope errors behind Status and
	// Note, in segment order.
	Errors []EnvelopeError
	// Requested is true when the sender asked for a TA1 (ISA14 = 1).
	Requested bool
}

// Needed reports whether a TA1 goes back: the sender asked for one, or
// the interchange envelope has errors (which no 997 can report).
func (a InterchangeAck) Needed() bool { return a.Requested || a.Status != "A" }

// ta1Note returns the TA105 note code for an interchange-level envelope
// error (outside any functional group), or "" for other errors.
func ta1Note(e EnvelopeError) string {
	if e.Group >= 0 || e.Severity != SeverityError {
		return ""
	}
	switch e.Code {
	case CodeISAControlMismatch:
		return "001" // control numbers in header and trailer do not match
	case CodeISAControlSyntax:
		return "018" // invalid interchange control number value
	case CodeGroupCount:
		return "021" // invalid number of included groups value
	case CodeMissingIEA:
		return "023" // improper (premature) end of file
	case CodeUnexpectedSegment:
		return "024" // invalid interchange content
	}
	return ""
}

// AcknowledgeInterchange evaluates the interchange envelope of ic for a
// TA1. Group and set errors are the 997's business and do not count here.
// The functional groups of an interchange with envelope errors are still
// processed, so such an interchange is E (accepted, errors noted); it is R
// only when it holds no functional group at all.
func AcknowledgeInterchange(ic *Interchange) InterchangeAck {
	a := InterchangeAck{Control: ic.ISA.ControlNumber, Date: ic.ISA.Date, Time: ic.ISA.Time,
		Status: "A", Note: "000", Requested: ic.ISA.AckRequested == "1"}
	for _, e := range Validate(ic) {
		if note := ta1Note(e); note != "" {
			if len(a.Errors) == 0 {
				a.Note = note
			}
			a.Errors = append(a.Errors, e)
		}
	}
	switch {
	case len(ic.Groups) == 0 && len(ic.Stray) > 0 && len(a.Errors) == 0:
		// Only TA1 segments: acknowledgments are never acknowledged.
		a.Requested = false
	case len(ic.Groups) == 0:
		a.Status = "R"
		if a.Note == "000" {
			a.Note = "024"
		}
	case len(a.Errors) > 0:
		a.Status = "E"
	}
	return a
}

// BuildTA1 returns the interchange holding the TA1 a (from
// AcknowledgeInterchange(ic)) that answers ic: the same envelope rules as
// Build997 (sender and receiver swapped, the partner's delimiters, ISA14 =
// 0), no functional group, IEA01 = 0.
func BuildTA1(ic *Interchange, a InterchangeAck, opts AckOptions) *Interchange {
	out := replyEnvelope(ic, opts)
	ta1 := newSegment("TA1", a.Control, a.Date, a.Time, a.Status, a.Note)
	ta1.Position = 2
	out.Stray = []Segment{ta1}
	closeEnvelope(out, 3)
	return out
}

// replyEnvelope starts the interchange answering ic (ISA only; see
// Build997 for the rules).
func replyEnvelope(ic *Interchange, opts AckOptions) *Interchange {
	rx := ic.ISA
	out := &Interchange{
		Delimiters: ic.Delimiters,
		ISA: ISA{AuthQualifier: "00", AuthInfo: "          ", SecurityQualifier: "00", SecurityInfo: "          ",
			SenderQualifier: rx.ReceiverQualifier, SenderID: rx.ReceiverID,
			ReceiverQualifier: rx.SenderQualifier, ReceiverID: rx.SenderID,
			Date: opts.Time.Format("060102"), Time: opts.Time.Format("1504"),
			Repetition: rx.Repetition, Version: rx.Version, ControlNumber: fmt.Sprintf("%09d", opts.InterchangeControl%1000000000),
			AckRequested: "0", Usage: rx.Usage, ComponentSep: ic.Delimiters.Component},
		Offset: -1, End: -1,
	}
	out.Header = Segment{ID: "ISA", Position: 1, Offset: -1, Elements: make([][]string, 16)}
	for i, v := range out.ISA.Elements() {
		out.Header.Elements[i] = []string{v}
	}
	return out
}

// closeEnvelope adds the IEA (at segment position pos) counting the
// groups of out.
func closeEnvelope(out *Interchange, pos int) {
	iea := newSegment("IEA", strconv.Itoa(len(out.Groups)), out.ISA.ControlNumber)
	iea.Position = pos
	out.Trailer = &iea
	out.IEA = &IEA{GroupCount: iea.Element(1), ControlNumber: iea.Element(2)}
}

// TA1NoteText says in words what a TA105 note code means, for the codes
// AcknowledgeInterchange gives ("" for others).
func TA1NoteText(code string) string {
	switch code {
	case "000":
		return "no error"
	case "001":
		return "the control numbers in ISA13 and IEA02 do not match"
	case "018":
		return "the interchange control number is invalid"
	case "021":
		return "IEA01 does not count the functional groups"
	case "023":
		return "the interchange ends early (no IEA)"
	case "024":
		return "the interchange content is invalid"
	}
	return ""
}
