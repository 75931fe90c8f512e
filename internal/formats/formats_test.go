package formats

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCSVGrouped(t *testing.T) {
	docs, err := Parse("csv", readFile(t, "csv", "order-lines.csv"), Options{Header: true, GroupBy: "po_number"})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2 (PO-1001, PO-1002)", len(docs))
	}
	first := docs[0].(map[string]any)
	if first["key"] != "PO-1001" {
		t.Errorf("first key %v, want PO-1001", first["key"])
	}
	rows := first["rows"].([]any)
	var lines []string
	for _, r := range rows {
		lines = append(lines, r.(map[string]any)["line"].(string))
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, lines); diff != "" {
		t.Errorf("PO-1001 lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{2, 3, 5}, first["rowNumbers"]); diff != "" {
		t.Errorf("row numbers (-want +got):\n%s", diff)
	}
	if got := rows[0].(map[string]any)["description"]; got != "Widget, small" {
		t.Errorf("quoted comma: got %q", got)
	}
	if got := rows[1].(map[string]any)["description"]; got != `Widget "medium"` {
		t.Errorf("doubled quote: got %q", got)
	}
	second := docs[1].(map[string]any)["rows"].([]any)[0].(map[string]any)
	if got := second["description"]; got != "Two-line\ndescription" {
		t.Errorf("quoted newline: got %q", got)
	}
}

func TestParseCSVOptions(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []any
	}{
		{"no header", "a,b\nc,d\n", Options{},
			[]any{map[string]any{"rows": []any{
				map[string]any{"1": "a", "2": "b"}, map[string]any{"1": "c", "2": "d"}},
				"rowNumbers": []any{1, 2}}}},
		{"semicolon, comment, BOM, CRLF", "\uFEFFpo;qty\r\n# a comment\r\nP1;3\r\n", Options{Header: true, Delimiter: ';', Comment: '#'},
			[]any{map[string]any{"rows": []any{map[string]any{"po": "P1", "qty": "3"}}, "rowNumbers": []any{2}}}},
		{"header names trimmed", " po , qty\nP1,3\n", Options{Header: true},
			[]any{map[string]any{"rows": []any{map[string]any{"po": "P1", "qty": "3"}}, "rowNumbers": []any{2}}}},
		{"group without header", "P1,a\nP2,b\nP1,c\n", Options{GroupBy: "1"},
			[]any{
				map[string]any{"key": "P1", "rows": []any{map[string]any{"1": "P1", "2": "a"}, map[string]any{"1": "P1", "2": "c"}}, "rowNumbers": []any{1, 3}},
				map[string]any{"key": "P2", "rows": []any{map[string]any{"1": "P2", "2": "b"}}, "rowNumbers": []any{2}},
			}},
		{"tab", "a\tb\n1\t2\n", Options{Header: true, Delimiter: '\t'},
			[]any{map[string]any{"rows": []any{map[string]any{"a": "1", "b": "2"}}, "rowNumbers": []any{2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("csv", []byte(tt.in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	header7 := "a,b,c,d,e,f,g\n"
	var rows strings.Builder
	rows.WriteString(header7)
	for i := 2; i < 12; i++ {
		rows.WriteString("1,2,3,4,5,6,7\n")
	}
	rows.WriteString("1,2,3,4,5\n")
	tests := []struct {
		name string
		in   string
		opts Options
		want string
	}{
		{"field count", rows.String(), Options{Header: true}, "formats: csv: row 12 has 5 fields, the header has 7"},
		{"field count, line differs", "a,b\n\"x\ny\",1\n1\n", Options{Header: true}, "formats: csv: row 3 (line 4) has 1 field, the header has 2"},
		{"field count without header", "a,b,c\n1,2\n", Options{}, "formats: csv: row 2 has 2 fields, row 1 has 3"},
		{"bare quote", "a,b\n1,x\"y\n", Options{Header: true}, `formats: csv: line 2, column 4: bare " in non-quoted-field`},
		{"unterminated quote", "a,b\n1,\"xy\n", Options{Header: true}, `formats: csv: line 2, column 7: extraneous or missing " in quoted-field`},
		{"duplicate header", "po,qty,po\n", Options{Header: true}, `formats: csv: header columns 1 and 3 are both named "po"`},
		{"empty header", "po,,qty\n", Options{Header: true}, "formats: csv: header column 2 has no name"},
		{"unknown GroupBy", "po,qty\nP1,1\n", Options{Header: true, GroupBy: "order"}, `formats: csv: GroupBy column "order" is not among the columns po, qty`},
		{"empty group key", "po,qty\nP1,1\n,2\n", Options{Header: true, GroupBy: "po"}, `formats: csv: row 3: the GroupBy column "po" is empty`},
		{"header only", "po,qty\n", Options{Header: true}, "formats: csv: no documents in the payload"},
		{"too large", "a,b\n1,2\n", Options{MaxBytes: 4}, "formats: csv: payload too large: 8 bytes, the limit is 4"},
		{"bad delimiter", "a\n", Options{Delimiter: '"'}, "formats: csv: invalid field or comment delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("csv", []byte(tt.in), tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	_, err := Parse("csv", []byte("a,b\n1,2\n"), Options{MaxBytes: 4})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("errors.Is(err, ErrTooLarge) = false for %v", err)
	}
}

func TestParseJSON(t *testing.T) {
	docs, err := Parse("json", readFile(t, "json", "order.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("got %d documents, want 1", len(docs))
	}
	lines := docs[0].(map[string]any)["lines"].([]any)
	prices := []any{lines[0].(map[string]any)["price"], lines[1].(map[string]any)["price"]}
	want := []any{json.Number("12.50"), json.Number("1234567890.123456789")}
	if diff := cmp.Diff(want, prices); diff != "" {
		t.Errorf("numbers must keep every digit (-want +got):\n%s", diff)
	}

	docs, err = Parse("json", readFile(t, "json", "orders.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[1].(map[string]any)["orderNumber"] != "A-2" {
		t.Errorf("array of documents: got %v", docs)
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	deepObj := "{" + strings.Repeat(`"a":{`, 64) + strings.Repeat("}", 64) + "}"
	tests := []struct {
		name, in string
		opts     Options
		want     string
		is       error
	}{
		{"depth", `{"a":` + deep + `}`, Options{}, "formats: json: nesting too deep: more than 64 levels", ErrTooDeep},
		{"depth object", deepObj, Options{}, "formats: json: nesting too deep: more than 64 levels", ErrTooDeep},
		{"custom depth", `{"a":{"b":{}}}`, Options{MaxDepth: 2}, "more than 2 levels", ErrTooDeep},
		{"size", `{"a":1}`, Options{MaxBytes: 3}, "formats: json: payload too large: 7 bytes, the limit is 3", ErrTooLarge},
		{"duplicate key", `{"a":1,"a":2}`, Options{}, `formats: json: duplicate key "a"`, nil},
		{"trailing data", `{"a":1} {"b":2}`, Options{}, "formats: json: unexpected data after the top-level value", nil},
		{"scalar", `"hello"`, Options{}, "formats: json: the payload is a string, want an object or an array of objects", nil},
		{"array of numbers", `[{"a":1}, 2]`, Options{}, "formats: json: document 2 of the top-level array is a number, want an object", nil},
		{"empty array", `[]`, Options{}, "formats: json: no documents in the payload", ErrNoDocuments},
		{"truncated", `{"a":[1,2`, Options{}, "formats: json: unexpected end of input", nil},
		{"syntax", `{"a" 1}`, Options{}, "formats: json: invalid character '1' after object key", nil},
		{"empty", ``, Options{}, "formats: json: unexpected end of input at byte 0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("json", []byte(tt.in), tt.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestParseXML(t *testing.T) {
	docs, err := Parse("xml", readFile(t, "xml", "order.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"Order": map[string]any{
		"@version": "2",
		"Number":   "4500012345",
		"Date":     "2024-03-01",
		"Buyer":    map[string]any{"@gln": "0614141000012", "#text": "ACME & Sons"},
		"Line": []any{
			map[string]any{"@no": "1",
				"Item": map[string]any{"@scheme": "gtin", "#text": "00614141000036"},
				"Qty":  map[string]any{"@unit": "EA", "#text": "12"}},
			map[string]any{"@no": "2",
				"Item": map[string]any{"@scheme": "gtin", "#text": "614141000043"},
				"Qty":  map[string]any{"@unit": "CA", "#text": "6"},
				"Note": ""},
		},
	}}}
	if diff := cmp.Diff(want, docs); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestParseXMLLatin1(t *testing.T) {
	in := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xfcller</a>")
	docs, err := Parse("xml", in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := docs[0].(map[string]any)["a"]; got != "Müller" {
		t.Errorf("got %q, want Müller", got)
	}
}

func TestParseXMLRejects(t *testing.T) {
	xxe := `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`
	deep := strings.Repeat("<a>", 65) + strings.Repeat("</a>", 65)
	many := "<r>" + strings.Repeat("<i/>", 100) + "</r>"
	tests := []struct {
		name, in string
		opts     Options
		want     string
		is       error
	}{
		{"xxe", xxe, Options{}, "formats: xml: DTDs are not accepted: a <!DOCTYPE> declaration", ErrDTD},
		{"billion laughs", laughs, Options{}, "DTDs are not accepted", ErrDTD},
		{"lower-case doctype", `<!doctype x><x/>`, Options{}, "DTDs are not accepted", ErrDTD},
		{"undefined entity", `<a>&nbsp;</a>`, Options{}, "formats: xml: line 1: invalid character entity &nbsp;", nil},
		{"depth", deep, Options{}, "formats: xml: nesting too deep: more than 64 levels at <a>", ErrTooDeep},
		{"elements", many, Options{MaxElements: 50}, "formats: xml: too many elements: more than 50 elements", ErrTooManyElements},
		{"size", `<a/>`, Options{MaxBytes: 2}, "formats: xml: payload too large: 4 bytes, the limit is 2", ErrTooLarge},
		{"two roots", `<a/><b/>`, Options{}, "formats: xml: a second root element <b>", nil},
		{"text outside", `<a/>junk`, Options{}, "formats: xml: text outside the root element", nil},
		{"unclosed", `<a><b></b>`, Options{}, "formats: xml: unexpected end of input: <a> is not closed", nil},
		{"mismatch", `<a></b>`, Options{}, "formats: xml: element <a> closed by </b> at byte 7", nil},
		{"empty", ``, Options{}, "formats: xml: no documents in the payload", ErrNoDocuments},
		{"encoding", `<?xml version="1.0" encoding="EBCDIC"?><a/>`, Options{}, `encoding "EBCDIC" is not supported`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("xml", []byte(tt.in), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestParseX12(t *testing.T) {
	docs, err := Parse("x12", readFile(t, "edi", "940_ediengine_multi-isa-multi-gs.x12"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 6 {
		t.Fatalf("got %d documents, want 6 (two ISAs, two GS each, six STs)", len(docs))
	}
	last := docs[5].(map[string]any)
	wantIndex := map[string]any{"interchange": 1, "group": 1, "set": 0}
	if diff := cmp.Diff(wantIndex, last["index"]); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
	gs := last["group"].(map[string]any)
	if gs["functionalId"] != "OW" || gs["controlNumber"] != "3316" || gs["version"] != "004010" {
		t.Errorf("group = %v", gs)
	}
	isa := last["interchange"].(map[string]any)
	if isa["controlNumber"] != "000003439" || isa["usage"] != "P" || isa["senderId"] != "ABCDEFGHIJKLMNO" {
		t.Errorf("interchange = %v", isa)
	}
	for _, k := range []string{"authInfo", "securityInfo"} {
		if _, ok := isa[k]; ok {
			t.Errorf("interchange exposes %s", k)
		}
	}
	set := last["set"].(map[string]any)
	if set["set"] != "940" || set["control"] != "0001" {
		t.Errorf("set = %v %v", set["set"], set["control"])
	}

	docs, err = Parse("x12", readFile(t, "edi", "850_ediengine_vics_nl-terminated.x12"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	isa = docs[0].(map[string]any)["interchange"].(map[string]any)
	if isa["senderId"] == nil || strings.HasSuffix(isa["senderId"].(string), " ") {
		t.Errorf("senderId must be trimmed: %q", isa["senderId"])
	}

	_, err = Parse("x12", readFile(t, "edi", "850_edinet_missing_isa16_BAD.x12"), Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "formats: x12: ISA16 component separator missing") {
		t.Errorf("missing ISA16: got %v", err)
	}
	_, err = Parse("x12", []byte("hello"), Options{})
	if err == nil || !strings.Contains(err.Error(), "ISA segment expected") {
		t.Errorf("no ISA: got %v", err)
	}
}

func TestParseEDIFACT(t *testing.T) {
	docs, err := Parse("edifact", readFile(t, "edi", "ORDERS_staedi_eancom_d96b_ung-group_unt-count-off_BAD.edifact"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("got %d documents, want 1", len(docs))
	}
	d := docs[0].(map[string]any)
	if _, ok := d["group"].(map[string]any); !ok {
		t.Errorf("message inside UNG has no group: %v", d)
	}
	msg := d["message"].(map[string]any)
	if typ := msg["type"].([]any); typ[0] != "ORDERS" {
		t.Errorf("message type %v", typ)
	}

	docs, err = Parse("edifact", readFile(t, "edi", "INVOIC_staedi_d97b_una-custom-delims.edifact"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d = docs[0].(map[string]any)
	if _, ok := d["group"]; ok {
		t.Errorf("message outside a group has a group")
	}
	if una := d["interchange"].(map[string]any)["una"]; una != true {
		t.Errorf("una = %v, want true", una)
	}
	_, err = Parse("edifact", []byte("nothing"), Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "formats: edifact: ") {
		t.Errorf("got %v", err)
	}
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse("yaml", []byte("a: 1"), Options{})
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), `"yaml"`) {
		t.Errorf("got %v", err)
	}
	if diff := cmp.Diff([]string{"x12", "edifact", "csv", "json", "xml"}, Formats()); diff != "" {
		t.Error(diff)
	}
}
