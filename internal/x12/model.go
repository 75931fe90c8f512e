package x12

// Delimiters are the separators of one interchange, read from its ISA. Each
// is the text of one character: usually one ASCII byte, but a multi-byte
// UTF-8 character (such as U+2026 "…" as segment terminator) is kept whole.
type Delimiters struct {
	Element    string // ISA byte 4
	Repetition string // ISA11 when ISA12 >= 00401 and ISA11 is not a letter or digit; "" otherwise
	Component  string // ISA16
	Segment    string // the character after ISA16
	// Suffix is the line break written after each segment terminator when
	// serializing ("", "\n" or "\r\n"); Parse sets it to what followed the
	// ISA terminator. It is always "" when Segment is itself CR or LF.
	Suffix string
}

// DefaultDelimiters are the delimiters Serialize uses for a zero Delimiters:
// "*", "^", ">", "~" and a newline after each segment.
func DefaultDelimiters() Delimiters {
	return Delimiters{Element: "*", Repetition: "^", Component: ">", Segment: "~", Suffix: "\n"}
}

// Segment is one X12 segment.
type Segment struct {
	ID string
	// Elements holds the elements after the ID (Elements[0] is element 01),
	// each split into its components by the component separator. A simple
	// element is a one-item slice. Empty elements are kept (as [""]), so
	// positions are exact and trailing separators survive a round trip. The
	// ISA elements are never split into components. Repetitions (ISA11) are
	// left inside the component text.
	Elements [][]string
	// Position is the 1-based position of the segment in its interchange
	// (ISA = 1).
	Position int
	// SetPosition is the 1-based position inside its transaction set
	// (ST = 1, the position AK3 and SE01 count), 0 outside a set.
	SetPosition int
	// Offset is the byte offset in the parsed input where the segment ID
	// starts (-1 for built segments).
	Offset int
}

// Element returns the first component of element n (1-based), or "" when
// the segment has fewer elements.
func (s *Segment) Element(n int) string {
	if n < 1 || n > len(s.Elements) || len(s.Elements[n-1]) == 0 {
		return ""
	}
	return s.Elements[n-1][0]
}

// Component returns component c (1-based) of element n (1-based), or "".
func (s *Segment) Component(n, c int) string {
	if n < 1 || n > len(s.Elements) || c < 1 || c > len(s.Elements[n-1]) {
		return ""
	}
	return s.Elements[n-1][c-1]
}

// ISA holds the sixteen ISA elements exactly as received (padding kept).
type ISA struct {
	AuthQualifier     string // ISA01
	AuthInfo          string // ISA02
	SecurityQualifier string // ISA03
	SecurityInfo      string // ISA04
	SenderQualifier   string // ISA05
	SenderID          string // ISA06
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08
	Date              string // ISA09 YYMMDD
	Time              string // ISA10 HHMM
	Repetition        string // ISA11 repetition separator (00401+) or standards id "U"
	Version           string // ISA12
	ControlNumber     string // ISA13
	AckRequested      string // ISA14
	Usage             string // ISA15 P, T or I
	ComponentSep      string // ISA16
}

// Elements returns ISA01..ISA16 in order.
func (h ISA) Elements() [16]string {
	return [16]string{h.AuthQualifier, h.AuthInfo, h.SecurityQualifier, h.SecurityInfo,
		h.SenderQualifier, h.SenderID, h.ReceiverQualifier, h.ReceiverID, h.Date, h.Time,
		h.Repetition, h.Version, h.ControlNumber, h.AckRequested, h.Usage, h.ComponentSep}
}

func isaFromElements(e [16]string) ISA {
	return ISA{e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10], e[11], e[12], e[13], e[14], e[15]}
}

// GS holds the functional group header elements.
type GS struct {
	FunctionalID  string // GS01 (PO, PR, SH, IN, IB, OW, SW, FA ...)
	SenderCode    string // GS02
	ReceiverCode  string // GS03
	Date          string // GS04
	Time          string // GS05
	ControlNumber string // GS06
	Agency        string // GS07
	Version       string // GS08
}

// GE holds the functional group trailer elements.
type GE struct {
	SetCount      string // GE01
	ControlNumber string // GE02
}

// IEA holds the interchange trailer elements.
type IEA struct {
	GroupCount    string // IEA01
	ControlNumber string // IEA02
}

// TransactionSet is one ST..SE envelope.
type TransactionSet struct {
	ID      string // ST01
	Control string // ST02
	// Segments holds ST through SE inclusive. When SE is missing the set
	// ends with its last segment before the next ST, GE, GS, IEA or ISA.
	Segments []Segment
}

// Trailer returns the SE segment, or nil when the set has none.
func (t *TransactionSet) Trailer() *Segment {
	if n := len(t.Segments); n > 1 && t.Segments[n-1].ID == "SE" {
		return &t.Segments[n-1]
	}
	return nil
}

// Group is one GS..GE functional group.
type Group struct {
	GS   GS
	GE   *GE // nil when the GE trailer is missing
	Sets []TransactionSet
	// Header and Trailer are the raw GS and GE segments; Trailer is nil
	// when GE is missing.
	Header  Segment
	Trailer *Segment
	// Stray holds segments inside the group but outside any ST..SE.
	Stray []Segment
}

// Interchange is one ISA..IEA envelope.
type Interchange struct {
	ISA        ISA
	IEA        *IEA // nil when the IEA trailer is missing
	Delimiters Delimiters
	Groups     []Group
	// Header and Trailer are the raw ISA and IEA segments; Trailer is nil
	// when IEA is missing.
	Header  Segment
	Trailer *Segment
	// Stray holds segments inside the interchange but outside any group.
	Stray []Segment
	// Warnings are recoverable syntax problems found while reading the
	// ISA (see doc.go): a non-106-character ISA, non-ASCII ISA padding.
	Warnings []*SyntaxError
	// Offset and End delimit the interchange in the parsed input (bytes).
	Offset, End int
}
