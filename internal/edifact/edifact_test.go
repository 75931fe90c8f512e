package edifact

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// describe renders interchanges as "UNB05: [UNG05:] UNH01/type ..." per interchange.
func describe(ics []*Interchange) []string {
	var out []string
	for _, ic := range ics {
		parts := []string{ic.Header.Element(5) + ":"}
		for _, m := range ic.Messages {
			parts = append(parts, m.Ref+"/"+strings.Join(m.Type, ":"))
		}
		for _, g := range ic.Groups {
			parts = append(parts, "group "+g.Header.Element(5)+":")
			for _, m := range g.Messages {
				parts = append(parts, m.Ref+"/"+strings.Join(m.Type, ":"))
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func envelope(ic *Interchange) []string {
	var out []string
	for _, e := range Validate(ic) {
		out = append(out, fmt.Sprintf("%s@%d", e.Code, e.Position))
	}
	return out
}

var samples = []struct {
	file      string
	una       bool
	delims    string // component, element, release, terminator
	structure []string
	envelope  []string
	segments  int // segments in the first message, UNH..UNT
}{
	{"INVOIC_edinet_d01b_eancom_indented_bad-unt_BAD.edifact", true, ":+?'",
		[]string{"1: 12/INVOIC:D:01B:UN:EAN011"},
		[]string{"unt_segment_count@103", "unt_reference_mismatch@103"}, 102},
	{"INVOIC_staedi_d97b_errors_BAD.edifact", false, ":+?'",
		[]string{"00000000000778: 00000000000117/INVOIC:D:97B:UN"},
		[]string{"uns_repeated@22"}, 25},
	{"INVOIC_staedi_d97b_una-custom-delims.edifact", true, "=*?~",
		[]string{"00000000000778: 00000000000117/INVOIC:D:97B:UN"},
		nil, 24},
	{"ORDERS_staedi_eancom_d96b_ung-group_unt-count-off_BAD.edifact", false, ":+?'",
		[]string{"2722166169492: group 1: 1/ORDERS:D:96B:UN:EAN008B"},
		[]string{"ung_unh_mismatch@3", "unt_segment_count@20"}, 18},
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var equivalent = cmp.Options{
	cmpopts.IgnoreFields(Segment{}, "Offset"),
	cmpopts.IgnoreFields(Interchange{}, "Offset", "End"),
}

func TestSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/*.edifact")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(samples) {
		t.Errorf("testdata has %d .edifact files, the table %d", len(files), len(samples))
	}
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			ics, err := ParseAll(readSample(t, s.file))
			if err != nil {
				t.Fatal(err)
			}
			ic := ics[0]
			d := ic.Delimiters
			if got := string([]byte{d.Component, d.Element, d.Release, d.Segment}); ic.UNA != s.una || got != s.delims {
				t.Errorf("UNA %v delimiters %q, want %v %q", ic.UNA, got, s.una, s.delims)
			}
			if diff := cmp.Diff(s.structure, describe(ics)); diff != "" {
				t.Errorf("structure (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.envelope, envelope(ic)); diff != "" {
				t.Errorf("envelope (-want +got):\n%s", diff)
			}
			msgs := ic.Messages
			if len(ic.Groups) > 0 {
				msgs = ic.Groups[0].Messages
			}
			if got := len(msgs[0].Segments); got != s.segments {
				t.Errorf("first message has %d segments, want %d", got, s.segments)
			}
			// Round trip: parse(serialize(parse(x))) == parse(x).
			again, err := ParseAll(Serialize(ic))
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			if diff := cmp.Diff(ics, again, equivalent); diff != "" {
				t.Errorf("round trip (-first +second):\n%s", diff)
			}
			if _, err := json.Marshal(Tree(ic)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReleaseCharacter(t *testing.T) {
	in := "UNA:+.? 'UNB+UNOA:3+A?+B+C+240101:1200+REF'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++It?'s 50?:50?? ok'UNT+3+1'UNZ+1+REF'"
	ic, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := ic.Header.Element(2); got != "A+B" {
		t.Errorf("UNB02 = %q, want %q", got, "A+B")
	}
	ftx := ic.Messages[0].Segments[1]
	if got := ftx.Element(4); got != "It's 50:50? ok" {
		t.Errorf("FTX04 = %q", got)
	}
	if errs := Validate(ic); len(errs) != 0 {
		t.Errorf("Validate = %v", errs)
	}
	out := string(Serialize(ic))
	if !strings.Contains(out, "FTX+AAI+++It?'s 50?:50?? ok'") || !strings.Contains(out, "A?+B") {
		t.Errorf("Serialize did not re-escape:\n%s", out)
	}
	tree := Tree(ic)
	seg := tree["messages"].([]any)[0].(map[string]any)["segments"].([]any)[1].(map[string]any)
	if seg["tag"] != "FTX" || seg["04"] != "It's 50:50? ok" || seg["pos"] != 2 {
		t.Errorf("tree segment = %v", seg)
	}
}

func TestEnvelopeChecks(t *testing.T) {
	in := "UNB+UNOC:3+A+B+240101:1200+77'" +
		"UNG+ORDERS+A+B+240101:1200+5+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'UNH+2+ORDERS:D:96A:UN'BGM+220+2'UNE+1+6'" +
		"UNG+INVOIC+A+B+240101:1200+6+UN+D:96A'UNH+3+INVOIC:D:96A:UN'" +
		"UNZ+3+78'" +
		"UNB+UNOC:3+A+B+240101:1200+79'UNH+9+ORDERS:D:96A:UN'UNT+2+9'"
	ics, err := ParseAll([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ics) != 2 {
		t.Fatalf("got %d interchanges", len(ics))
	}
	want := []string{"unt_missing@8", "une_message_count@8", "une_reference_mismatch@8", "unt_missing@11", "une_missing@11", "unz_count@11", "unz_reference_mismatch@11"}
	if diff := cmp.Diff(want, envelope(ics[0])); diff != "" {
		t.Errorf("first interchange (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"unz_missing@4"}, envelope(ics[1])); diff != "" {
		t.Errorf("second interchange (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		at   int
	}{
		{"", ErrNoUNB, 0},
		{"ISA*00*", ErrNoUNB, 0},
		{"UNA:+", ErrUNATruncated, 0},
		{"UNA:A.? 'UNB'", ErrDelimiters, 4},
		{"UNA::.? 'UNB'", ErrDelimiters, 3},
		{"UNA:+.? 'XYZ'", ErrNoUNB, 9},
		{"UNB+X'UNZ+0+X'garbage", ErrTrailingBytes, 14},
	}
	for _, tt := range tests {
		_, err := ParseAll([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, tt.want) || se.Offset != tt.at {
			t.Errorf("ParseAll(%q) = %v, want %v at %d", tt.in, err, tt.want, tt.at)
		}
	}
}
