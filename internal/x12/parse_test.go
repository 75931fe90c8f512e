package x12

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const isa00401 = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*000000001*0*P*>~"

func TestParseDelimiters(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Delimiters
	}{
		{"tilde newline", isa00401 + "\nIEA*0*000000001~\n", Delimiters{Element: "*", Component: ">", Segment: "~", Suffix: "\n"}},
		{"crlf", isa00401 + "\r\nIEA*0*000000001~\r\n", Delimiters{Element: "*", Component: ">", Segment: "~", Suffix: "\r\n"}},
		{"repetition 00501", strings.Replace(isa00401, "*U*00401*", "*^*00501*", 1) + "IEA*0*000000001~",
			Delimiters{Element: "*", Repetition: "^", Component: ">", Segment: "~"}},
		{"letter in ISA11 is not a separator", strings.Replace(isa00401, "*00401*", "*00501*", 1) + "IEA*0*000000001~",
			Delimiters{Element: "*", Component: ">", Segment: "~"}},
		{"NEL as UTF-8", strings.TrimSuffix(isa00401, "~") + "\u0085IEA*0*000000001\u0085", Delimiters{Element: "*", Component: ">", Segment: "\u0085"}},
		{"NEL as Latin-1 byte", strings.TrimSuffix(isa00401, "~") + "\x85IEA*0*000000001\x85", Delimiters{Element: "*", Component: ">", Segment: "\x85"}},
		{"line feed terminator", strings.TrimSuffix(isa00401, "~") + "\nIEA*0*000000001\n", Delimiters{Element: "*", Component: ">", Segment: "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ic.Delimiters); diff != "" {
				t.Errorf("delimiters (-want +got):\n%s", diff)
			}
			if len(ic.Warnings) != 0 {
				t.Errorf("got warnings %v, want none", ic.Warnings)
			}
			if ic.IEA == nil || ic.IEA.ControlNumber != "000000001" {
				t.Errorf("IEA = %+v, want control 000000001", ic.IEA)
			}
		})
	}
}

func TestParseFatal(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   error
		offset int
	}{
		{"empty", "", ErrNoISA, 0},
		{"not X12", "UNB+UNOA:3+X", ErrNoISA, 0},
		{"truncated", isa00401[:50], ErrISATruncated, 35},
		{"alnum element separator", "ISA000", ErrDelimiters, 3},
		{"ISA16 empty", strings.Replace(isa00401, "*>~", "**~", 1), ErrMissingISA16, 104},
		{"nothing after ISA15", strings.TrimSuffix(isa00401, ">~") + "\nGS*PO~", ErrMissingISA16, 104},
		{"terminator is a letter", strings.TrimSuffix(isa00401, "~") + "GS*PO", ErrDelimiters, 105},
		{"terminator repeats element separator", strings.TrimSuffix(isa00401, "~") + "*GS", ErrDelimiters, 105},
		{"garbage after IEA", isa00401 + "IEA*0*000000001~\nhello", ErrNoISA, 123},
		{"no element separator", "ISA*" + strings.Repeat("x", 200), ErrISAMalformed, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAll([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if se.Offset != tt.offset {
				t.Errorf("offset = %d, want %d (%v)", se.Offset, tt.offset, err)
			}
		})
	}
}

func TestParseStructure(t *testing.T) {
	in := "\uFEFF  " + isa00401 + "\n" +
		"  REF*ZZ*stray~\n" +
		"GS*PO*SENDER*RECEIVER*20240101*1200*7*X*004010~\n" +
		"\tST*850*0001~\n\t\tBEG*00*SA*PO1**20240101~\n\t\tPO1*1*2*EA*3**UP*012345678905~\n" + // no SE
		"ST*850*0002~BEG*00*SA*PO2**20240101~SE*3*0002~\n" +
		"N9*XX*between sets~\n" +
		"GE*2*7~\n" +
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*000000002*0*P*:!" +
		"GS*PO*S*R*20240101*1200*8*X*004010!ST*850*0003!SE*2*0003!" // no GE, no IEA
	ics, err := ParseAll([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(ics); !cmp.Equal(got, []string{"PO 850/0001 850/0002", "PO 850/0003"}) {
		t.Fatalf("structure = %q", got)
	}
	first := ics[0]
	if first.IEA != nil || first.Trailer != nil {
		t.Errorf("first interchange has IEA %+v, want none (next ISA started)", first.IEA)
	}
	if got := first.Groups[0].Sets[0].Segments[2]; got.ID != "PO1" || got.SetPosition != 3 || got.Position != 6 || got.Component(7, 1) != "012345678905" {
		t.Errorf("PO1 = %+v", got)
	}
	if ics[1].Delimiters.Segment != "!" || ics[1].Delimiters.Component != ":" {
		t.Errorf("second interchange delimiters = %+v", ics[1].Delimiters)
	}
	var got []string
	for _, e := range Validate(first) {
		got = append(got, string(e.Code)+"@"+e.Segment+itoa(e.Position)+"/"+itoa(e.SetPosition))
	}
	want := []string{"unexpected_segment@REF2/0", "se_missing@SE7/4", "unexpected_segment@N910/0", "iea_missing@IEA12/0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
	got = got[:0]
	for _, e := range Validate(ics[1]) {
		got = append(got, string(e.Code)+"@"+itoa(e.Position))
	}
	if diff := cmp.Diff([]string{"ge_missing@5", "iea_missing@5"}, got); diff != "" {
		t.Errorf("Validate second (-want +got):\n%s", diff)
	}
	if a := AcknowledgeGroup(first, 0, AckOptions{}); a.Status != "P" || a.Sets[0].Status != "R" || !cmp.Equal(a.Sets[0].Codes, []string{"2"}) {
		t.Errorf("ack = %+v, want P with set 1 rejected (code 2)", a)
	}
	if a := AcknowledgeGroup(ics[1], 0, AckOptions{}); a.Status != "R" || !cmp.Equal(a.Codes, []string{"3"}) {
		t.Errorf("ack = %+v, want R with AK905 3", a)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestParseRequiresOneInterchange(t *testing.T) {
	two := isa00401 + "IEA*0*000000001~" + isa00401 + "IEA*0*000000001~"
	if _, err := Parse([]byte(two)); err == nil {
		t.Fatal("Parse of two interchanges succeeded, want an error pointing to ParseAll")
	}
	ics, err := ParseAll([]byte(two))
	if err != nil || len(ics) != 2 {
		t.Fatalf("ParseAll = %d, %v; want 2 interchanges", len(ics), err)
	}
}

func TestDuplicateST02(t *testing.T) {
	in := isa00401 + "GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~SE*2*0001~ST*850*0001~SE*2*0001~GE*2*1~IEA*1*000000001~"
	ic, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	a := AcknowledgeGroup(ic, 0, AckOptions{})
	if a.Sets[1].Status != "R" || !cmp.Equal(a.Sets[1].Codes, []string{"23"}) || a.Status != "P" {
		t.Errorf("ack = %+v, want second set R/23 and group P", a)
	}
}

func TestMultiByteTerminatorAcrossLineBreak(t *testing.T) {
	term := "\u2026"
	in := strings.TrimSuffix(isa00401, "~") + term + "\nGS*PO*S*R*20240101*1200*1*X*004010" + term[:1] + "\n" + term[1:] +
		"ST*850*0001" + term + "SE*2*0001" + term + "GE*1*1" + term + "IEA*1*000000001" + term
	ic, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := describe([]*Interchange{ic}); !cmp.Equal(got, []string{"PO 850/0001"}) {
		t.Errorf("structure = %q", got)
	}
	if errs := Validate(ic); len(errs) != 0 {
		t.Errorf("Validate = %v", errs)
	}
}
