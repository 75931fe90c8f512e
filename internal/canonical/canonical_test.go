package canonical

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemasCompile(t *testing.T) {
	docs := Schemas()
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
		if d.Version != "1.0.0" {
			t.Errorf("%s: version %q, want 1.0.0", d.Name, d.Version)
		}
		if !strings.HasSuffix(d.ID, ".json") || !strings.Contains(d.ID, "/1.0.0/") {
			t.Errorf("%s: $id %q does not carry the version", d.Name, d.ID)
		}
		if !json.Valid(d.Raw) {
			t.Errorf("%s: Raw is not valid JSON", d.Name)
		}
		// Self-contained: every $ref points inside the document.
		for _, line := range strings.Split(string(d.Raw), "\n") {
			if i := strings.Index(line, `"$ref": "`); i >= 0 && !strings.HasPrefix(line[i+len(`"$ref": "`):], "#/$defs/") {
				t.Errorf("%s: external reference %s", d.Name, strings.TrimSpace(line))
			}
		}
		if _, err := Compile(d.Name); err != nil {
			t.Errorf("Compile(%s): %v", d.Name, err)
		}
	}
	want := []string{"Order", "OrderAck", "ShipmentNotice", "Invoice", "InventoryAdvice", "FunctionalAck"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("schema names (-want +got):\n%s", diff)
	}
	if _, err := Compile("Product"); err == nil || !strings.Contains(err.Error(), `unknown document "Product"`) {
		t.Errorf("Compile(Product): got %v, want an unknown-document error", err)
	}
}

func loadExample(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "valid", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func newValidator(t *testing.T) *Validator {
	t.Helper()
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidExamples(t *testing.T) {
	v := newValidator(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			doc := loadExample(t, name)
			if err := v.Validate(name, doc); err != nil {
				t.Fatalf("valid example rejected: %v", err)
			}
			if err := v.ValidateDocument(doc); err != nil {
				t.Fatalf("ValidateDocument: %v", err)
			}
		})
	}
}

// set walks a JSON Pointer-like path of keys and indexes and replaces (or,
// with del, removes) the value there.
func set(t *testing.T, doc any, path string, val any, del bool) {
	t.Helper()
	toks := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := doc
	for i, tok := range toks {
		last := i == len(toks)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if del {
					delete(c, tok)
				} else {
					c[tok] = val
				}
				return
			}
			cur = c[tok]
		case []any:
			var n int
			if err := json.Unmarshal([]byte(tok), &n); err != nil || n >= len(c) {
				t.Fatalf("bad index %q in %s", tok, path)
			}
			if last {
				c[n] = val
				return
			}
			cur = c[n]
		default:
			t.Fatalf("path %s: cannot descend into %T", path, cur)
		}
	}
}

func TestBrokenExamples(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		doc, path string
		val       any
		del       bool
		wantPath  string
		wantMsg   string
	}{
		{"Order", "/number", nil, true, "/number", "is required but missing"},
		{"Order", "/orderDate", "2024-02-30", false, "/orderDate", `must be a calendar date written YYYY-MM-DD; got "2024-02-30"`},
		{"Order", "/orderDate", "20240301", false, "/orderDate", "calendar date"},
		{"Order", "/lines/0/quantity/value", json.Number("120"), false, "/lines/0/quantity/value", `must be a string, not a number (decimals are written as strings, e.g. "12.50")`},
		{"Order", "/lines/0/unitPrice/amount", "9,25", false, "/lines/0/unitPrice/amount", `must be a decimal number written as a string`},
		{"Order", "/lines/0/unitPrice/currency", "usd", false, "/lines/0/unitPrice/currency", "ISO 4217"},
		{"Order", "/lines/0/itemIds/0/value", "614141000036", false, "/lines/0/itemIds/0/value", "GTIN of exactly 14 digits"},
		{"Order", "/lines/0/quantity/unit", nil, true, "/lines/0/quantity/unit", "is required but missing"},
		{"Order", "/lines/1/quantity/unit", "", false, "/lines/1/quantity/unit", "must not be empty"},
		{"Order", "/lines", []any{}, false, "/lines", "must have at least 1 entry; it has 0"},
		{"Order", "/lines/0/colour", "red", false, "/lines/0/colour", "is not a field of this object"},
		{"Order", "/kind", "blanket", false, "/kind", `must be one of "purchase-order", "warehouse-shipping-order"; got "blanket"`},
		{"Order", "/documentType", "Orders", false, "/documentType", `must be "Order"; got "Orders"`},
		{"Order", "/parties/0/role", "Ship To", false, "/parties/0/role", "role word"},
		{"Order", "/parties/0/ids/0/value", "61414100001", false, "/parties/0/ids/0/value", "GLN of exactly 13 digits"},
		{"Order", "/totals/lineCount", json.Number("-1"), false, "/totals/lineCount", "must be at least 0; got -1"},
		{"OrderAck", "/lines/0/acks/0/promisedDate/date", "2024-3-10", false, "/lines/0/acks/0/promisedDate/date", "calendar date"},
		{"ShipmentNotice", "/packages/0/sscc", "00106141411234567897", false, "/packages/0/sscc", "SSCC of exactly 18 digits"},
		{"ShipmentNotice", "/createdTime", "8:01", false, "/createdTime", "time of day"},
		{"ShipmentNotice", "/items/0/shippedQuantity", nil, true, "/items/0/shippedQuantity", "is required but missing"},
		{"Invoice", "/totals/invoiceAmount", nil, true, "/totals/invoiceAmount", "is required but missing"},
		{"Invoice", "/allowancesCharges/0/indicator", "A", false, "/allowancesCharges/0/indicator", `must be one of "allowance", "charge", "none"; got "A"`},
		{"InventoryAdvice", "/items/0/quantities/0/quantity/value", "1e3", false, "/items/0/quantities/0/quantity/value", "decimal number"},
		{"FunctionalAck", "/sets/1/status", "P", false, "/sets/1/status", `must be one of "A", "E", "R", "M", "W", "X"; got "P"`},
	}
	for _, tt := range tests {
		t.Run(tt.doc+tt.path, func(t *testing.T) {
			doc := loadExample(t, tt.doc)
			set(t, doc, tt.path, tt.val, tt.del)
			err := v.Validate(tt.doc, doc)
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			var found bool
			for _, f := range ve.Fields {
				if f.Path == tt.wantPath && strings.Contains(f.Message, tt.wantMsg) {
					found = true
				}
			}
			if !found {
				t.Errorf("got %v, want an error at %s containing %q", ve.Fields, tt.wantPath, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "canonical: invalid "+tt.doc+": ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestValidateDocumentUnknownType(t *testing.T) {
	v := newValidator(t)
	err := v.ValidateDocument(map[string]any{"documentType": "Product"})
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Fields) != 1 || ve.Fields[0].Path != "/documentType" {
		t.Fatalf("got %v, want one error at /documentType", err)
	}
	if err := v.ValidateDocument([]any{}); err == nil || !strings.Contains(err.Error(), "must be a JSON object, not an array") {
		t.Errorf("array document: got %v", err)
	}
	if err := v.Validate("Product", map[string]any{}); err == nil || !strings.Contains(err.Error(), "canonical: unknown document") {
		t.Errorf("unknown name: got %v", err)
	}
}

func TestPatternWords(t *testing.T) {
	defs, err := sharedDefs()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range leafDefs() {
		def := defs[name].(map[string]any)
		p, ok := def["pattern"].(string)
		if !ok {
			continue
		}
		if _, ok := patternWords(p, ""); !ok {
			t.Errorf("pattern of %s (%s) has no words", name, p)
		}
	}
	// Leaf definitions are inlined: no $ref to them is left.
	for _, d := range Schemas() {
		for _, name := range leafDefs() {
			if strings.Contains(string(d.Raw), `"#/$defs/`+name+`"`) {
				t.Errorf("%s still refers to %s", d.Name, name)
			}
		}
	}
}
