package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type compareCase struct {
	name     string
	old, new string
	breaking bool
	want     []string // "kind@path", path "" being the document root
}

// purchaseOrder is a realistic v1 purchase-order payload contract; the cases
// derive variants of it with strings.Replace so that each case shows only the
// edit under test.
const purchaseOrder = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "PurchaseOrder",
  "type": "object",
  "required": ["orderId", "buyer", "lines"],
  "additionalProperties": false,
  "properties": {
    "schemaVersion": {"const": "1"},
    "orderId": {"type": "string", "minLength": 1, "maxLength": 35},
    "buyer": {"type": "string", "format": "uuid"},
    "buyerReference": {"type": "string", "maxLength": 35},
    "deliveryNote": {"type": ["string", "null"]},
    "requestedDelivery": {"type": "string", "format": "date-time"},
    "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
    "shipTo": {
      "type": "object",
      "required": ["postcode", "country"],
      "properties": {
        "street": {"type": "string"},
        "postcode": {"type": "string", "maxLength": 10},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"}
      }
    },
    "lines": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "required": ["gtin", "quantity", "unit"],
        "additionalProperties": false,
        "properties": {
          "gtin": {"type": "string", "pattern": "^[0-9]{14}$", "description": "GTIN-14"},
          "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},
          "unit": {"type": "string", "enum": ["EA", "KGM", "PAL", "CT"]},
          "unitPrice": {"type": "number", "minimum": 0, "multipleOf": 0.01}
        }
      }
    }
  }
}`

// edit returns purchaseOrder with each (old, new) pair replaced once; it
// panics when a pair does not apply so that a broken fixture is obvious.
func edit(pairs ...string) string {
	s := purchaseOrder
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic("fixture edit does not apply: " + pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

const lineQuantity = `"quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},`

func compareCases() []compareCase {
	return []compareCase{
		{
			name: "identical purchase order",
			old:  purchaseOrder, new: purchaseOrder,
		},
		{
			name: "line property removed from closed object",
			old:  purchaseOrder,
			new: edit(lineQuantity, ``,
				`"required": ["gtin", "quantity", "unit"]`, `"required": ["gtin", "unit"]`),
			breaking: true,
			want:     []string{"property-removed@lines[].quantity"},
		},
		{
			name:     "property removed from open object is still breaking",
			old:      purchaseOrder,
			new:      edit(`"street": {"type": "string"},`, ``),
			breaking: true,
			want:     []string{"property-removed@shipTo.street"},
		},
		{
			name: "optional property added",
			old:  purchaseOrder,
			new:  edit(`"buyerReference":`, `"incoterm": {"type": "string", "enum": ["EXW", "FCA", "DAP", "DDP"]}, "buyerReference":`),
			want: []string{"property-added@incoterm"},
		},
		{
			name: "new required property",
			old:  purchaseOrder,
			new: edit(`"required": ["orderId", "buyer", "lines"]`, `"required": ["orderId", "buyer", "lines", "costCentre"]`,
				`"buyerReference":`, `"costCentre": {"type": "string"}, "buyerReference":`),
			breaking: true,
			want:     []string{"required-property-added@costCentre"},
		},
		{
			name:     "existing property made required",
			old:      purchaseOrder,
			new:      edit(`"required": ["orderId", "buyer", "lines"]`, `"required": ["orderId", "buyer", "lines", "currency"]`),
			breaking: true,
			want:     []string{"property-made-required@currency"},
		},
		{
			name: "property made optional",
			old:  purchaseOrder,
			new:  edit(`"required": ["postcode", "country"]`, `"required": ["country"]`),
			want: []string{"property-made-optional@shipTo.postcode"},
		},
		{
			name:     "nullable type narrowed to string",
			old:      purchaseOrder,
			new:      edit(`"deliveryNote": {"type": ["string", "null"]}`, `"deliveryNote": {"type": "string"}`),
			breaking: true,
			want:     []string{"type-narrowed@deliveryNote"},
		},
		{
			name:     "number narrowed to integer",
			old:      purchaseOrder,
			new:      edit(lineQuantity, `"quantity": {"type": "integer", "exclusiveMinimum": 0, "maximum": 100000},`),
			breaking: true,
			want:     []string{"type-narrowed@lines[].quantity"},
		},
		{
			name: "integer widened to number",
			old:  edit(lineQuantity, `"quantity": {"type": "integer", "exclusiveMinimum": 0, "maximum": 100000},`),
			new:  purchaseOrder,
			want: []string{"type-widened@lines[].quantity"},
		},
		{
			name: "string widened to nullable string",
			old:  purchaseOrder,
			new:  edit(`"buyerReference": {"type": "string", "maxLength": 35}`, `"buyerReference": {"type": ["string", "null"], "maxLength": 35}`),
			want: []string{"type-widened@buyerReference"},
		},
		{
			name: "order id changed from string to number",
			old:  purchaseOrder,
			new:  edit(`"orderId": {"type": "string", "minLength": 1, "maxLength": 35}`, `"orderId": {"type": "integer", "minimum": 1}`),
			// The string keywords no longer apply and minimum only matters
			// for values that were not valid before: only the type is reported.
			breaking: true,
			want:     []string{"type-changed@orderId"},
		},
		{
			name:     "unit code removed from enum",
			old:      purchaseOrder,
			new:      edit(`["EA", "KGM", "PAL", "CT"]`, `["EA", "KGM", "CT"]`),
			breaking: true,
			want:     []string{"enum-value-removed@lines[].unit"},
		},
		{
			name: "unit codes added to enum",
			old:  purchaseOrder,
			new:  edit(`["EA", "KGM", "PAL", "CT"]`, `["EA", "KGM", "PAL", "CT", "BX", "LTR"]`),
			want: []string{"enum-value-added@lines[].unit", "enum-value-added@lines[].unit"},
		},
		{
			name: "enum reordered is no change",
			old:  purchaseOrder,
			new:  edit(`["EA", "KGM", "PAL", "CT"]`, `["CT", "PAL", "KGM", "EA"]`),
		},
		{
			name:     "const changed",
			old:      purchaseOrder,
			new:      edit(`{"const": "1"}`, `{"const": "2"}`),
			breaking: true,
			want:     []string{"const-changed@schemaVersion"},
		},
		{
			name: "const relaxed to enum",
			old:  purchaseOrder,
			new:  edit(`{"const": "1"}`, `{"enum": ["1", "1.1"]}`),
			want: []string{"enum-value-added@schemaVersion"},
		},
		{
			name:     "enum constraint added to free text",
			old:      purchaseOrder,
			new:      edit(`"buyerReference": {"type": "string", "maxLength": 35}`, `"buyerReference": {"type": "string", "enum": ["PO", "CONTRACT"]}`),
			breaking: true,
			want:     []string{"enum-added@buyerReference", "max-length-removed@buyerReference"},
		},
		{
			name: "additionalProperties closed on ship-to",
			old:  purchaseOrder,
			new: edit(`"required": ["postcode", "country"],`,
				`"required": ["postcode", "country"], "additionalProperties": false,`),
			breaking: true,
			want:     []string{"additional-properties-closed@shipTo"},
		},
		{
			name: "additionalProperties opened on lines",
			old:  purchaseOrder,
			new: edit(`"required": ["gtin", "quantity", "unit"],
        "additionalProperties": false,`, `"required": ["gtin", "quantity", "unit"],`),
			want: []string{"additional-properties-opened@lines[]"},
		},
		{
			name:     "maxLength decreased",
			old:      purchaseOrder,
			new:      edit(`"buyerReference": {"type": "string", "maxLength": 35}`, `"buyerReference": {"type": "string", "maxLength": 20}`),
			breaking: true,
			want:     []string{"max-length-decreased@buyerReference"},
		},
		{
			name: "maxLength increased and minLength removed",
			old:  purchaseOrder,
			new:  edit(`"orderId": {"type": "string", "minLength": 1, "maxLength": 35}`, `"orderId": {"type": "string", "maxLength": 70}`),
			want: []string{"max-length-increased@orderId", "min-length-removed@orderId"},
		},
		{
			name:     "maxItems newly set on lines",
			old:      purchaseOrder,
			new:      edit(`"minItems": 1,`, `"minItems": 1, "maxItems": 999,`),
			breaking: true,
			want:     []string{"max-items-added@lines"},
		},
		{
			name:     "minItems increased",
			old:      purchaseOrder,
			new:      edit(`"minItems": 1,`, `"minItems": 2,`),
			breaking: true,
			want:     []string{"min-items-increased@lines"},
		},
		{
			name: "vacuous minLength 0 added is not breaking",
			old:  purchaseOrder,
			new:  edit(`"street": {"type": "string"}`, `"street": {"type": "string", "minLength": 0}`),
			want: []string{"min-length-added@shipTo.street"},
		},
		{
			name: "maximum removed and minimum lowered",
			old:  purchaseOrder,
			new:  edit(lineQuantity, `"quantity": {"type": "number", "exclusiveMinimum": -1},`),
			want: []string{"exclusive-minimum-decreased@lines[].quantity", "maximum-removed@lines[].quantity"},
		},
		{
			name:     "minimum newly set on a line quantity that allowed fractions above zero",
			old:      purchaseOrder,
			new:      edit(lineQuantity, `"quantity": {"type": "number", "minimum": 1, "maximum": 100000},`),
			breaking: true,
			want:     []string{"exclusive-minimum-removed@lines[].quantity", "minimum-added@lines[].quantity"},
		},
		{
			name: "maximum swapped for a looser exclusiveMaximum",
			old:  purchaseOrder,
			new:  edit(lineQuantity, `"quantity": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100001},`),
			want: []string{"exclusive-maximum-added@lines[].quantity", "maximum-removed@lines[].quantity"},
		},
		{
			name:     "maximum swapped for the same exclusiveMaximum",
			old:      purchaseOrder,
			new:      edit(lineQuantity, `"quantity": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100000},`),
			breaking: true,
			want:     []string{"exclusive-maximum-added@lines[].quantity", "maximum-removed@lines[].quantity"},
		},
		{
			name: "multipleOf refined to a divisor",
			old:  purchaseOrder,
			new:  edit(`"multipleOf": 0.01`, `"multipleOf": 0.001`),
			want: []string{"multiple-of-changed@lines[].unitPrice"},
		},
		{
			name:     "multipleOf coarsened",
			old:      purchaseOrder,
			new:      edit(`"multipleOf": 0.01`, `"multipleOf": 0.05`),
			breaking: true,
			want:     []string{"multiple-of-changed@lines[].unitPrice"},
		},
		{
			name:     "GTIN pattern changed to accept GTIN-13",
			old:      purchaseOrder,
			new:      edit(`"^[0-9]{14}$"`, `"^[0-9]{13,14}$"`),
			breaking: true,
			want:     []string{"pattern-changed@lines[].gtin"},
		},
		{
			name:     "pattern added to postcode",
			old:      purchaseOrder,
			new:      edit(`"postcode": {"type": "string", "maxLength": 10}`, `"postcode": {"type": "string", "maxLength": 10, "pattern": "^[0-9A-Z -]+$"}`),
			breaking: true,
			want:     []string{"pattern-added@shipTo.postcode"},
		},
		{
			name: "country pattern removed",
			old:  purchaseOrder,
			new:  edit(`"country": {"type": "string", "pattern": "^[A-Z]{2}$"}`, `"country": {"type": "string"}`),
			want: []string{"pattern-removed@shipTo.country"},
		},
		{
			name:     "format changed from date-time to date",
			old:      purchaseOrder,
			new:      edit(`"format": "date-time"`, `"format": "date"`),
			breaking: true,
			want:     []string{"format-changed@requestedDelivery"},
		},
		{
			name:     "format added",
			old:      purchaseOrder,
			new:      edit(`"street": {"type": "string"}`, `"street": {"type": "string", "format": "hostname"}`),
			breaking: true,
			want:     []string{"format-added@shipTo.street"},
		},
		{
			name: "format removed",
			old:  purchaseOrder,
			new:  edit(`"buyer": {"type": "string", "format": "uuid"}`, `"buyer": {"type": "string"}`),
			want: []string{"format-removed@buyer"},
		},
		{
			name: "documentation only changes",
			old:  purchaseOrder,
			new: edit(`"title": "PurchaseOrder",`, `"title": "Purchase order", "description": "An order sent by a buyer.",`,
				`"description": "GTIN-14"`, `"description": "Global Trade Item Number, 14 digits", "examples": ["00012345678905"]`),
			want: []string{
				"annotation-changed@",
				"annotation-changed@",
				"annotation-changed@lines[].gtin",
				"annotation-changed@lines[].gtin",
			},
		},
		{
			name:     "uniqueItems added",
			old:      purchaseOrder,
			new:      edit(`"minItems": 1,`, `"minItems": 1, "uniqueItems": true,`),
			breaking: true,
			want:     []string{"unique-items-added@lines"},
		},
		{
			name: "type list narrowed but the enum never allowed null",
			old:  `{"type": "object", "properties": {"priority": {"type": ["string", "null"], "enum": ["LOW", "HIGH"]}}}`,
			new:  `{"type": "object", "properties": {"priority": {"type": "string", "enum": ["LOW", "HIGH"]}}}`,
		},
		{
			name: "inline line schema moved to $defs",
			old:  `{"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object", "properties": {"gtin": {"type": "string", "pattern": "^[0-9]{14}$"}}}}}}`,
			new: `{"type": "object", "properties": {"lines": {"type": "array", "items": {"$ref": "#/$defs/OrderLine"}}},
			       "$defs": {"OrderLine": {"type": "object", "properties": {"gtin": {"type": "string", "pattern": "^[0-9]{14}$"}}}}}`,
		},
		{
			name: "change inside a referenced definition",
			old: `{"type": "object", "properties": {"lines": {"type": "array", "items": {"$ref": "#/$defs/OrderLine"}}},
			       "$defs": {"OrderLine": {"type": "object", "properties": {"quantity": {"type": "integer", "maximum": 1000}}}}}`,
			new: `{"type": "object", "properties": {"lines": {"type": "array", "items": {"$ref": "#/$defs/OrderLine"}}},
			       "$defs": {"OrderLine": {"type": "object", "properties": {"quantity": {"type": "integer", "maximum": 500}}}}}`,
			breaking: true,
			want:     []string{"maximum-decreased@lines[].quantity"},
		},
		{
			name: "payment oneOf alternative removed",
			old: `{"type": "object", "properties": {"payment": {"oneOf": [
			        {"type": "object", "properties": {"method": {"const": "card"}, "token": {"type": "string"}}},
			        {"type": "object", "properties": {"method": {"const": "invoice"}, "dueDays": {"type": "integer"}}}]}}}`,
			new: `{"type": "object", "properties": {"payment": {"oneOf": [
			        {"type": "object", "properties": {"method": {"const": "card"}, "token": {"type": "string"}}}]}}}`,
			breaking: true,
			want:     []string{"one-of-alternative-removed@payment"},
		},
		{
			name: "payment oneOf alternative added and another edited",
			old: `{"type": "object", "properties": {"payment": {"oneOf": [
			        {"type": "object", "properties": {"method": {"const": "card"}, "token": {"type": "string"}}},
			        {"type": "object", "properties": {"method": {"const": "invoice"}, "dueDays": {"type": "integer", "maximum": 90}}}]}}}`,
			new: `{"type": "object", "properties": {"payment": {"oneOf": [
			        {"type": "object", "properties": {"method": {"const": "sepa"}, "iban": {"type": "string"}}},
			        {"type": "object", "properties": {"method": {"const": "invoice"}, "dueDays": {"type": "integer", "maximum": 60}}},
			        {"type": "object", "properties": {"method": {"const": "card"}, "token": {"type": "string"}}}]}}}`,
			breaking: true,
			want:     []string{"maximum-decreased@payment.dueDays", "one-of-alternative-added@payment"},
		},
		{
			name: "anyOf alternative added",
			old:  `{"type": "object", "properties": {"discount": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]}}}`,
			new:  `{"type": "object", "properties": {"discount": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}, {"type": "string", "pattern": "^[0-9]+%$"}]}}}`,
			want: []string{"any-of-alternative-added@discount"},
		},
		{
			name:     "anyOf introduced",
			old:      `{"type": "object", "properties": {"discount": {}}}`,
			new:      `{"type": "object", "properties": {"discount": {"anyOf": [{"type": "number"}, {"type": "null"}]}}}`,
			breaking: true,
			want:     []string{"any-of-added@discount"},
		},
		{
			name:     "allOf entry added",
			old:      `{"allOf": [{"$ref": "#/$defs/Envelope"}], "$defs": {"Envelope": {"type": "object"}}}`,
			new:      `{"allOf": [{"$ref": "#/$defs/Envelope"}, {"required": ["traceId"]}], "$defs": {"Envelope": {"type": "object"}}}`,
			breaking: true,
			want:     []string{"all-of-entry-added@"},
		},
		{
			name:     "boolean true schema replaced by an object schema",
			old:      `true`,
			new:      `{"type": "object", "required": ["orderId"], "properties": {"orderId": {"type": "string"}}}`,
			breaking: true,
			want:     []string{"required-property-added@orderId", "type-narrowed@"},
		},
		{
			name:     "property forbidden with a false schema",
			old:      `{"type": "object", "properties": {"legacyCode": {"type": "string"}}}`,
			new:      `{"type": "object", "properties": {"legacyCode": false}}`,
			breaking: true,
			want:     []string{"schema-became-false@legacyCode"},
		},
		{
			name: "false schema opened",
			old:  `{"type": "object", "properties": {"giftWrap": false}}`,
			new:  `{"type": "object", "properties": {"giftWrap": true}}`,
			want: []string{"schema-no-longer-false@giftWrap"},
		},
		{
			name: "tuple position narrowed",
			old:  `{"type": "object", "properties": {"geo": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false}}}`,
			new:  `{"type": "object", "properties": {"geo": {"type": "array", "prefixItems": [{"type": "number", "minimum": -90, "maximum": 90}, {"type": "number"}], "items": false}}}`,
			// -90 <= lat <= 90 applies to numbers that were valid before.
			breaking: true,
			want:     []string{"maximum-added@geo[0]", "minimum-added@geo[0]"},
		},
		{
			name:     "dependentRequired added",
			old:      `{"type": "object", "properties": {"vatId": {"type": "string"}, "country": {"type": "string"}}}`,
			new:      `{"type": "object", "properties": {"vatId": {"type": "string"}, "country": {"type": "string"}}, "dependentRequired": {"vatId": ["country"]}}`,
			breaking: true,
			want:     []string{"dependent-required-added@vatId"},
		},
		{
			name:     "extension pattern properties removed",
			old:      `{"type": "object", "additionalProperties": false, "patternProperties": {"^x-": {"type": "string"}}}`,
			new:      `{"type": "object", "additionalProperties": false}`,
			breaking: true,
			want:     []string{"pattern-property-removed@[/^x-/]"},
		},
		{
			name:     "external reference changed",
			old:      `{"type": "object", "properties": {"party": {"$ref": "https://schemas.example.com/party/v1.json"}}}`,
			new:      `{"type": "object", "properties": {"party": {"$ref": "https://schemas.example.com/party/v2.json"}}}`,
			breaking: true,
			want:     []string{"ref-changed@party"},
		},
		{
			name:     "not keyword added",
			old:      `{"type": "object", "properties": {"orderId": {"type": "string"}}}`,
			new:      `{"type": "object", "properties": {"orderId": {"type": "string", "not": {"const": "TEST"}}}}`,
			breaking: true,
			want:     []string{"keyword-added@orderId"},
		},
		{
			name: "additionalProperties schema narrowed",
			old:  `{"type": "object", "properties": {"attributes": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 100}}}}`,
			new:  `{"type": "object", "properties": {"attributes": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 50}}}}`,
			// a quoted property name in the path
			breaking: true,
			want:     []string{"max-length-decreased@attributes.*"},
		},
		{
			name:     "property name that is not an identifier",
			old:      `{"type": "object", "properties": {"unit code": {"type": "string"}}}`,
			new:      `{"type": "object", "properties": {"unit code": {"type": "string", "maxLength": 3}}}`,
			breaking: true,
			want:     []string{`max-length-added@["unit code"]`},
		},
	}
}

func kindsAndPaths(v Verdict) []string {
	out := make([]string, 0, len(v.Changes))
	for _, c := range v.Changes {
		out = append(out, c.Kind+"@"+c.Path)
	}
	return out
}

func TestCompareTable(t *testing.T) {
	cases := compareCases()
	if len(cases) < 25 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Compare([]byte(tc.old), []byte(tc.new))
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			got := kindsAndPaths(v)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if want == nil {
				want = []string{}
			}
			sortedGot := slices.Sorted(slices.Values(got))
			if sortedGot == nil {
				sortedGot = []string{}
			}
			if diff := cmp.Diff(want, sortedGot); diff != "" {
				t.Errorf("changes (-want +got):\n%s\nall changes:\n%s", diff, dump(v))
			}
			if v.Breaking() != tc.breaking {
				t.Errorf("Breaking() = %v, want %v\n%s", v.Breaking(), tc.breaking, dump(v))
			}
			for _, c := range v.Changes {
				if c.Message == "" || c.Kind == "" {
					t.Errorf("incomplete change %+v", c)
				}
			}
		})
	}
}

func dump(v Verdict) string {
	var b strings.Builder
	for _, c := range v.Changes {
		fmt.Fprintln(&b, "  ", c)
	}
	return b.String()
}

// TestCompareSelf checks that every fixture compared with itself yields no
// change at all.
func TestCompareSelf(t *testing.T) {
	for _, tc := range compareCases() {
		for _, s := range []string{tc.old, tc.new} {
			v, err := Compare([]byte(s), []byte(s))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(v.Changes) != 0 {
				t.Errorf("%s: self comparison reported changes:\n%s", tc.name, dump(v))
			}
		}
	}
}

func TestMessagesAndPointers(t *testing.T) {
	// quantity disappears from properties but stays in "required": it is
	// still required, so only property-removed is reported for it.
	v, err := Compare([]byte(purchaseOrder), []byte(edit(lineQuantity, ``,
		`["EA", "KGM", "PAL", "CT"]`, `["EA", "KGM", "CT"]`,
		`"street": {"type": "string"},`, `"street": {"type": "string", "description": "Street and number"},`)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{
			Path:          "lines[].quantity",
			SchemaPointer: "/properties/lines/items/properties/quantity",
			Kind:          "property-removed",
			Breaking:      true,
			Message:       `property "quantity" was removed from lines[]; documents that still send it are rejected (additionalProperties is false)`,
		},
		{
			Path:          "lines[].unit",
			SchemaPointer: "/properties/lines/items/properties/unit/enum",
			Kind:          "enum-value-removed",
			Breaking:      true,
			Message:       `value "PAL" is no longer allowed for lines[].unit`,
		},
		{
			Path:          "shipTo.street",
			SchemaPointer: "/properties/shipTo/properties/street/description",
			Kind:          "annotation-changed",
			Message:       `description of shipTo.street was added`,
		},
	}
	if diff := cmp.Diff(want, v.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], v.BreakingChanges()); diff != "" {
		t.Errorf("BreakingChanges (-want +got):\n%s", diff)
	}
}

// TestPointerBelowRemovedSubschema checks where changes point when the new
// schema no longer has the subschema that held the removed constraints.
func TestPointerBelowRemovedSubschema(t *testing.T) {
	old := `{"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "maxLength": 16}}}}`
	new := `{"type": "object", "properties": {"tags": {"type": "array"}}}`
	v := withTimeout(t, old, new)
	var got []string
	for _, c := range v.Changes {
		got = append(got, fmt.Sprintf("%s@%s@%s@%v", c.Kind, c.Path, c.SchemaPointer, c.Breaking))
	}
	want := []string{
		"max-length-removed@tags[]@/properties/tags/items@false",
		"type-widened@tags[]@/properties/tags/items@false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	v = withTimeout(t, `{"type": "object", "required": ["orderId"]}`, `true`)
	got = got[:0]
	for _, c := range v.Changes {
		got = append(got, fmt.Sprintf("%s@%s@%s@%v", c.Kind, c.Path, c.SchemaPointer, c.Breaking))
	}
	want = []string{
		"type-widened@@@false",
		"property-made-optional@orderId@@false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestVerdictHelpers(t *testing.T) {
	v := Verdict{Changes: []Change{
		{Path: "a", Kind: "property-added", Message: "m1"},
		{Path: "b", Kind: "property-removed", Breaking: true, Message: "m2"},
	}}
	if !v.Breaking() {
		t.Error("Breaking() = false")
	}
	if got := v.BreakingChanges(); len(got) != 1 || got[0].Path != "b" {
		t.Errorf("BreakingChanges() = %v", got)
	}
	if v.Changes[0].Severity() != SeverityNonBreaking || v.Changes[1].Severity() != SeverityBreaking {
		t.Error("Severity mismatch")
	}
	if got := (Change{Kind: "k", Message: "m"}).String(); got != "non-breaking k at (root) (): m" {
		t.Errorf("String() = %q", got)
	}
	if (Verdict{}).Breaking() || (Verdict{}).BreakingChanges() != nil {
		t.Error("empty verdict")
	}

	same, err := Compare([]byte(`{}`), []byte(`true`))
	if err != nil {
		t.Fatal(err)
	}
	if same.Changes == nil || len(same.Changes) != 0 {
		t.Errorf("Changes = %#v, want empty non-nil", same.Changes)
	}
	b, _ := json.Marshal(same)
	if string(b) != `{"changes":[]}` {
		t.Errorf("JSON = %s", b)
	}
}

func TestCompareErrors(t *testing.T) {
	valid := `{"type": "object"}`
	for _, bad := range []string{``, `   `, `{`, `[]`, `"object"`, `42`, `null`, `{} {}`, `{"a": 1} x`, `tru`} {
		if _, err := Compare([]byte(bad), []byte(valid)); err == nil {
			t.Errorf("old %q: no error", bad)
		}
		if _, err := Compare([]byte(valid), []byte(bad)); err == nil {
			t.Errorf("new %q: no error", bad)
		}
	}
	for _, ok := range []string{`true`, `false`, `{}`, " {\"type\": 1, \"properties\": [], \"required\": {}} \n"} {
		if _, err := Compare([]byte(ok), []byte(valid)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestDeterministicOrder(t *testing.T) {
	old := purchaseOrder
	new := edit(lineQuantity, `"quantity": {"type": "integer", "maximum": 10},`,
		`"format": "date-time"`, `"format": "date"`,
		`"required": ["orderId", "buyer", "lines"]`, `"required": ["orderId", "buyer", "lines", "currency", "buyerReference"]`,
		`["EA", "KGM", "PAL", "CT"]`, `["EA"]`)
	first, err := Compare([]byte(old), []byte(new))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(first.Changes, func(a, b Change) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	}) {
		t.Errorf("not sorted by path then kind:\n%s", dump(first))
	}
	for range 20 {
		again, _ := Compare([]byte(old), []byte(new))
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("non deterministic (-first +again):\n%s", diff)
		}
	}
}

// withTimeout fails instead of hanging when the comparison does not end.
func withTimeout(t *testing.T, old, new string) Verdict {
	t.Helper()
	type result struct {
		v   Verdict
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := Compare([]byte(old), []byte(new))
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Compare: %v", r.err)
		}
		return r.v
	case <-time.After(10 * time.Second):
		t.Fatal("Compare did not return within 10s")
	}
	return Verdict{}
}

func TestRefSharedDefinition(t *testing.T) {
	schema := func(maxLen int) string {
		return fmt.Sprintf(`{
		  "type": "object",
		  "properties": {
		    "billTo": {"$ref": "#/$defs/Address", "description": "Invoice address"},
		    "shipTo": {"$ref": "#/$defs/Address"},
		    "parties": {"type": "array", "items": {"$ref": "#/$defs/Party"}}
		  },
		  "$defs": {
		    "Party": {"type": "object", "properties": {"address": {"$ref": "#/$defs/Address"}}},
		    "Address": {"type": "object", "properties": {"postcode": {"type": "string", "maxLength": %d}}}
		  }
		}`, maxLen)
	}
	v := withTimeout(t, schema(10), schema(8))
	var got []string
	for _, c := range v.Changes {
		got = append(got, c.Kind+"@"+c.Path+"@"+c.SchemaPointer)
		if !strings.Contains(c.Message, c.Path) {
			t.Errorf("message %q does not name %q", c.Message, c.Path)
		}
	}
	want := []string{
		"max-length-decreased@billTo.postcode@/$defs/Address/properties/postcode/maxLength",
		"max-length-decreased@parties[].address.postcode@/$defs/Address/properties/postcode/maxLength",
		"max-length-decreased@shipTo.postcode@/$defs/Address/properties/postcode/maxLength",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRefForms(t *testing.T) {
	for _, ref := range []string{"#/$defs/Qty", "#/%24defs/Qty", "#qty", "#/definitions/Alias"} {
		old := `{"type": "object", "properties": {"quantity": {"$ref": "` + ref + `"}},
		  "definitions": {"Alias": {"$ref": "#/$defs/Qty"}},
		  "$defs": {"Qty": {"$anchor": "qty", "type": "integer", "minimum": 1}}}`
		new := strings.Replace(old, `"minimum": 1`, `"minimum": 1, "maximum": 9999`, 1)
		v := withTimeout(t, old, new)
		if diff := cmp.Diff([]string{"maximum-added@quantity"}, kindsAndPaths(v)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ref, diff)
		}
		if len(v.Changes) == 1 && v.Changes[0].SchemaPointer != "/$defs/Qty/maximum" {
			t.Errorf("%s: pointer %q", ref, v.Changes[0].SchemaPointer)
		}
	}
}

func TestRefCycles(t *testing.T) {
	// A bill of materials: components contain components.
	bom := func(maxLen int) string {
		return fmt.Sprintf(`{
		  "$ref": "#/$defs/Component",
		  "$defs": {
		    "Component": {
		      "type": "object",
		      "properties": {
		        "sku": {"type": "string", "maxLength": %d},
		        "components": {"type": "array", "items": {"$ref": "#/$defs/Component"}},
		        "alternative": {"$ref": "#/$defs/Alt"}
		      }
		    },
		    "Alt": {"anyOf": [{"$ref": "#/$defs/Component"}, {"type": "null"}]}
		  }
		}`, maxLen)
	}
	v := withTimeout(t, bom(40), bom(30))
	if diff := cmp.Diff([]string{"max-length-decreased@sku"}, kindsAndPaths(v)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Root recursion through "#", self references and mutual reference loops
	// that never reach a schema object.
	for _, s := range []string{
		`{"type": "object", "properties": {"child": {"$ref": "#"}}}`,
		`{"$ref": "#"}`,
		`{"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}}`,
		`{"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}}`,
		`{"$ref": "#/$defs/A", "$defs": {"A": {"items": {"$ref": "#/$defs/B"}}, "B": {"items": {"$ref": "#/$defs/A"}}}}`,
	} {
		withTimeout(t, s, s)
		withTimeout(t, s, `{"type": "object", "properties": {"child": {"$ref": "#", "maxProperties": 3}}}`)
		withTimeout(t, `{"properties": {"child": {"properties": {"child": {"$ref": "#"}}}}}`, s)
	}
}

// TestRefFanOut checks that a definition reached by exponentially many
// paths neither takes exponential time nor produces unbounded output.
func TestRefFanOut(t *testing.T) {
	build := func(maxLen int) string {
		var defs []string
		const depth = 30
		for i := range depth {
			defs = append(defs, fmt.Sprintf(`"D%d": {"type": "object", "properties": {"a": {"$ref": "#/$defs/D%d"}, "b": {"$ref": "#/$defs/D%d"}}}`, i, i+1, i+1))
		}
		defs = append(defs, fmt.Sprintf(`"D%d": {"type": "string", "maxLength": %d}`, depth, maxLen))
		return `{"$ref": "#/$defs/D0", "$defs": {` + strings.Join(defs, ",") + `}}`
	}
	start := time.Now()
	v := withTimeout(t, build(10), build(5))
	if len(v.Changes) == 0 || len(v.Changes) > maxChanges {
		t.Errorf("%d changes", len(v.Changes))
	}
	if !v.Breaking() {
		t.Error("not breaking")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func FuzzCompare(f *testing.F) {
	for _, tc := range compareCases() {
		f.Add([]byte(tc.old), []byte(tc.new))
	}
	f.Add([]byte(`{"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}}`), []byte(`{"$ref": "#"}`))
	f.Add([]byte(`{"items": [{"type": "string"}], "additionalItems": false}`), []byte(`{"prefixItems": [{"type": "string"}], "items": {"type": "number"}}`))
	f.Fuzz(func(t *testing.T, oldSchema, newSchema []byte) {
		v, err := Compare(oldSchema, newSchema)
		if err != nil {
			return
		}
		again, err := Compare(oldSchema, newSchema)
		if err != nil {
			t.Fatalf("second Compare failed: %v", err)
		}
		if !cmp.Equal(v, again) {
			t.Fatalf("non deterministic:\n%s\nvs\n%s", dump(v), dump(again))
		}
		for i, c := range v.Changes {
			if c.Kind == "" || c.Message == "" {
				t.Fatalf("incomplete change %+v", c)
			}
			if i > 0 {
				p := v.Changes[i-1]
				if p.Path > c.Path || (p.Path == c.Path && p.Kind > c.Kind) {
					t.Fatalf("not sorted: %v before %v", p, c)
				}
			}
		}
		for _, s := range [][]byte{oldSchema, newSchema} {
			self, err := Compare(s, s)
			if err != nil {
				t.Fatalf("self Compare failed: %v", err)
			}
			if len(self.Changes) != 0 {
				t.Fatalf("self comparison of %s reported changes:\n%s", s, dump(self))
			}
		}
	})
}
