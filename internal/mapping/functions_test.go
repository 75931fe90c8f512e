package mapping

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type fnCase struct {
	program string
	input   any
	want    any    // when wantErr is ""
	wantErr string // substring of the error
}

func runCases(t *testing.T, cases []fnCase) {
	t.Helper()
	c := newCompiler(t)
	for _, tc := range cases {
		name := tc.program
		if s, ok := tc.input.(string); ok {
			name += " <- " + s
		}
		t.Run(name, func(t *testing.T) {
			out, err := run(t, c, tc.program, tc.input, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, %v; want an error containing %q", out, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 {
				t.Fatalf("got %d outputs %v, want 1", len(out), out)
			}
			if diff := cmp.Diff(tc.want, out[0]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestX12Date(t *testing.T) {
	runCases(t, []fnCase{
		{"x12date", "20240229", "2024-02-29", ""},
		{"x12date", "19971219", "1997-12-19", ""},
		{"x12date", "040317", "2004-03-17", ""},
		{"x12date", "000101", "2000-01-01", ""},
		{"x12date", "491231", "2049-12-31", ""},
		{"x12date", "500101", "1950-01-01", ""},
		{"x12date", "991231", "1999-12-31", ""},
		{"x12date", "070102", "2007-01-02", ""},
		{"x12date", nil, nil, ""},
		{"x12date", "", nil, ""},
		{"x12date", "20230229", nil, `x12date: "20230229" is not a calendar date`},
		{"x12date", "20241301", nil, `x12date: "20241301" is not a calendar date`},
		{"x12date", "2024-03-01", nil, `x12date: "2024-03-01" is not a date: want CCYYMMDD or YYMMDD`},
		{"x12date", "2024031", nil, `x12date: "2024031" is not a date`},
		{"x12date", "BAD_DATE", nil, `x12date: "BAD_DATE" is not a date`},
		{"x12date", json.Number("20240101"), nil, "x12date: expected a string, got a number"},
		{"isodate", "2024-03-01", "2024-03-01", ""},
		{"isodate", "20240301", "2024-03-01", ""},
		{"isodate", "2024-02-30", nil, `isodate: "2024-02-30" is not a calendar date`},
		{"isodate", "01/03/2024", nil, `isodate: "01/03/2024" is not a date: want YYYY-MM-DD`},
		{"x12time", "0801", "08:01", ""},
		{"x12time", "142428", "14:24:28", ""},
		{"x12time", "10592012", "10:59:20.12", ""},
		{"x12time", "2460", nil, `x12time: "2460" is not a time of day`},
		{"x12time", "295335", nil, `x12time: "295335" is not a time of day`},
		{"x12time", "12", nil, `x12time: "12" is not a time`},
	})
}

func TestImpliedAndDecimal(t *testing.T) {
	runCases(t, []fnCase{
		{"implied(2)", "255438", "2554.38", ""},
		{"implied(2)", "28566", "285.66", ""},
		{"implied(2)", "36596", "365.96", ""},
		{"implied(2)", "5", "0.05", ""},
		{"implied(2)", "0", "0.00", ""},
		{"implied(2)", "-1234", "-12.34", ""},
		{"implied(2)", "-0", "0.00", ""},
		{"implied(0)", "00120", "120", ""},
		{"implied(3)", "1", "0.001", ""},
		{"implied(2)", json.Number("19998"), "199.98", ""},
		{"implied(2)", nil, nil, ""},
		{"implied(2)", "12.50", nil, `implied: "12.50" has a decimal point, but this element carries 2 implied decimals`},
		{"implied(2)", "12A", nil, `implied: "12A" is not a number with implied decimals`},
		{"implied(-1)", "1", nil, "implied: the number of decimals must be an integer from 0 to 18"},
		{"decimal", "0012.50", "12.50", ""},
		{"decimal", ".5", "0.5", ""},
		{"decimal", "5.", "5", ""},
		{"decimal", "+3", "3", ""},
		{"decimal", "-0.000", "0.000", ""},
		{"decimal", "-10", "-10", ""},
		{"decimal", " 7 ", "7", ""},
		{"decimal", json.Number("12.50"), "12.50", ""},
		{"decimal", json.Number("1234567890.123456789"), "1234567890.123456789", ""},
		{"decimal", json.Number("1e3"), "1000", ""},
		{"decimal", json.Number("1.5E-2"), "0.015", ""},
		{"decimal", 42, "42", ""},
		{"decimal", 2.5, "2.5", ""},
		{"decimal", "12,50", nil, `decimal: "12,50" is not a decimal number`},
		{"decimal", "1e3", nil, `decimal: "1e3" is not a decimal number`},
		{"decimal", ".", nil, `decimal: "." is not a decimal number`},
		{"decimal", true, nil, "decimal: expected a number or a numeric string, got a boolean"},
		{"integer", "045", 45, ""},
		{"integer", json.Number("7"), 7, ""},
		{"integer", "4.5", nil, `integer: "4.5" is not a whole number`},
	})
}

func TestGS1(t *testing.T) {
	runCases(t, []fnCase{
		// GTIN-8/12/13/14 padded to 14 digits, check digit verified.
		{"gtin", "96385074", "00000096385074", ""},
		{"gtin", "614141000036", "00614141000036", ""},
		{"gtin", "4006381333931", "04006381333931", ""},
		{"gtin", "9780446360265", "09780446360265", ""},
		{"gtin", "10614141000033", "10614141000033", ""},
		{"gtin", "002840066666", "00002840066666", ""},
		{"gtin", "002840022222", nil, `gtin: "002840022222" has check digit 2, but the GS1 check digit is 8`},
		{"gtin", "4006381333932", nil, `gtin: "4006381333932" has check digit 2, but the GS1 check digit is 1`},
		{"gtin", "09999982001", nil, `gtin: "09999982001" is not a GTIN: it must be 8, 12, 13 or 14 digits`},
		{"gtin", "EA", nil, `gtin: "EA" is not a GTIN: it must be 8, 12, 13 or 14 digits`},
		{"gtin(false)", "002840022222", "00002840022222", ""},
		{"gtin(\"no\")", "96385074", nil, "gtin: the argument must be true or false"},
		{"gtin", nil, nil, ""},
		{"gtin | gs1valid", "96385074", true, ""},
		{"gtin(false) | gs1valid", "002840022222", false, ""},
		// GLN: 13 digits.
		{"gln", "0614141000012", "0614141000012", ""},
		{"gln", "4012345000009", "4012345000009", ""},
		{"gln", "4012345000008", nil, `gln: "4012345000008" has check digit 8, but the GS1 check digit is 9`},
		{"gln", "614141000012", nil, `gln: "614141000012" is not a GLN: it must be 13 digits`},
		// SSCC: 18 digits, AI 00 stripped from 20.
		{"sscc", "106141411234567897", "106141411234567897", ""},
		{"sscc", "00106141411234567897", "106141411234567897", ""},
		{"sscc", "00000715670002152360", nil, `sscc: "00000715670002152360" has check digit 0, but the GS1 check digit is 3`},
		{"sscc(false)", "00000715670002152360", "000715670002152360", ""},
		{"sscc", "01106141411234567897", nil, "is not an SSCC: it must be 18 digits (or 20 starting with the AI 00)"},
		{"sscc", "1061414112345678", nil, "is not an SSCC"},
	})
}

func TestSegmentHelpers(t *testing.T) {
	seg := map[string]any{"id": "PO1", "pos": 13, "01": "1", "02": "120", "03": "EA", "06": "CB", "08": "PR", "09": "RO",
		"10": "VN", "11": "AB3542", "05": []any{"PC", "11.1", ""}}
	runCases(t, []fnCase{
		{"el(2)", seg, "120", ""},
		{`el("03")`, seg, "EA", ""},
		{"el(7)", seg, nil, ""},
		{"el(5)", seg, "PC", ""},
		{"el(5; 2)", seg, "11.1", ""},
		{"el(5; 3)", seg, nil, ""},
		{"el(2; 2)", seg, nil, ""},
		{"el(0)", seg, nil, "el: element number must be 1-99"},
		{"el(1)", "PO1", nil, "el: expected a segment object, got a string"},
		{"el(1)", nil, nil, ""},
		{"idpairs(6; 11)", seg, []any{
			map[string]any{"qualifier": "PR", "value": "RO"},
			map[string]any{"qualifier": "VN", "value": "AB3542"}}, ""},
		{"idpairs(2; 3)", seg, []any{map[string]any{"qualifier": "120", "value": "EA"}}, ""},
		{"idpairs(6; 4)", seg, nil, "idpairs: want element numbers"},
		{"compact", map[string]any{"a": nil, "b": []any{}, "c": map[string]any{}, "d": "x", "e": 0}, map[string]any{"d": "x", "e": 0}, ""},
		{"compact", []any{}, nil, "compact: expected an object, got an array"},
		{`{"PO1": [.]} | seg("PO1") | el(11)`, seg, "AB3542", ""},
		{`[{"N3": [{"01":"a"},{"01":"b"}]} | segs("N3") | el(1)]`, nil, []any{"a", "b"}, ""},
		{`[1, [2, 3], null] | [.[] | many]`, nil, []any{1, 2, 3}, ""},
		{`opt("")`, nil, nil, ""},
		{`qty("0012"; null)`, nil, map[string]any{"value": "12", "unit": nil}, ""},
		{`money("9.5"; "USD")`, nil, map[string]any{"amount": "9.5", "currency": "USD"}, ""},
	})
}

func TestLookup(t *testing.T) {
	c := newCompiler(t)
	tables := map[string]map[string]string{"itemQualifiers": {"UP": "gtin", "VN": "vendorItem"}}
	tests := []struct {
		program, wantErr string
		want             any
	}{
		{`"UP" | lookup("itemQualifiers")`, "", "gtin"},
		{`"ZZ" | lookup("itemQualifiers")`, "", nil},
		{`null | lookup("itemQualifiers")`, "", nil},
		{`"UP" | lookup("itemQualifier")`, `lookup: no table "itemQualifier" in this adapter's tables`, nil},
		{`x12id("itemQualifiers"; "VN"; "AB1")`, "", map[string]any{"scheme": "vendorItem", "value": "AB1", "qualifier": "VN"}},
		{`x12id("itemQualifiers"; "B6"; "X")`, "", map[string]any{"scheme": "x12:B6", "value": "X", "qualifier": "B6"}},
		{`x12id("itemQualifiers"; null; "X")`, "", map[string]any{"scheme": "x12:unqualified", "value": "X"}},
		{`x12id("itemQualifiers"; "UP"; "614141000036")`, "", map[string]any{"scheme": "gtin", "value": "00614141000036", "qualifier": "UP"}},
		// No policy table: strict.
		{`x12id("itemQualifiers"; "UP"; "002840022222")`, `gtin: "002840022222" has check digit 2`, nil},
	}
	for _, tt := range tests {
		out, err := run(t, c, tt.program, nil, tables)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got %v, %v; want error %q", tt.program, out, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(out) != 1 {
			t.Errorf("%s: got %v, %v", tt.program, out, err)
			continue
		}
		if diff := cmp.Diff(tt.want, out[0]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.program, diff)
		}
	}
	// Policy "flag": the key is kept, normalised and flagged.
	tables["policy"] = map[string]string{"checkDigits": "flag"}
	out, err := run(t, c, `x12id("itemQualifiers"; "UP"; "002840022222")`, nil, tables)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"scheme": "gtin", "value": "00002840022222", "qualifier": "UP", "checkDigitValid": false}
	if diff := cmp.Diff(want, out[0]); diff != "" {
		t.Errorf("flag policy (-want +got):\n%s", diff)
	}
	// A malformed key is an error even under "flag".
	if _, err := run(t, c, `x12id("itemQualifiers"; "UP"; "EA")`, nil, tables); err == nil || !strings.Contains(err.Error(), `gtin: "EA" is not a GTIN`) {
		t.Errorf("malformed GTIN under flag policy: got %v", err)
	}
}

func TestWithinAndCatch(t *testing.T) {
	c := newCompiler(t)
	_, err := run(t, c, `within("PO1 line 3"; within("PO104"; "1,5" | decimal))`, nil, nil)
	re, ok := err.(*RunError)
	if !ok {
		t.Fatalf("got %T %v, want *RunError", err, err)
	}
	if diff := cmp.Diff([]string{"PO1 line 3", "PO104"}, re.Where); diff != "" {
		t.Errorf("where (-want +got):\n%s", diff)
	}
	if re.Func != "decimal" || re.Value != "1,5" {
		t.Errorf("func %q value %v", re.Func, re.Value)
	}
	if got, want := re.Error(), `mapping: PO1 line 3: PO104: decimal: "1,5" is not a decimal number`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A jq error message inside within.
	_, err = run(t, c, `within("BEG"; error("no BEG"))`, nil, nil)
	if err == nil || err.Error() != "mapping: BEG: no BEG" {
		t.Errorf("got %v", err)
	}
	// try/catch sees helper errors as objects.
	out, err := run(t, c, `try ("x" | x12date) catch .function`, nil, nil)
	if err != nil || len(out) != 1 || out[0] != "x12date" {
		t.Errorf("catch: got %v, %v", out, err)
	}
}
