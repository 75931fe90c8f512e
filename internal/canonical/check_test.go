package canonical

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// deepCopy copies a JSON tree.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// containers lists every object and array in a tree, in a stable order.
func containers(v any, out *[]any) {
	switch x := v.(type) {
	case map[string]any:
		*out = append(*out, x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			containers(x[k], out)
		}
	case []any:
		*out = append(*out, x)
		for _, e := range x {
			containers(e, out)
		}
	}
}

func candidates() []any {
	return []any{
		nil, true, false, "", "x", "12,5", "12.50", "-0", "007", "1e3", "2024-13-01", "2024-02-29", "2023-02-29",
		"08:01", "24:00", "USD", "usd", "gtin", "gln", "sscc", "duns", "x12:VN", "x12:", "00614141000036",
		"614141000036", "0614141000012", "106141411234567897", "A", "allowance", "purchase-order", "Order",
		json.Number("1"), json.Number("-1"), json.Number("1.5"), json.Number("1e2"), 1.5, 3, 0, -2,
		map[string]any{}, []any{}, []any{"x"}, map[string]any{"scheme": "gtin", "value": "1"},
		map[string]any{"value": "1", "unit": nil}, "é", "1.", "-", "01", "1.0", "-0.5", "0.", ".5", "１２",
		"12\n", "0614141000012\n", "US", "USDX", "Usd", "0061414100003", "001061414112345678970",
		"2024-03-01T00:00:00Z", "buyer", "Ship To", "credit-memo", "Credit", "x12:B6", "x12:A b", "x12:a.b-c_d", "1abc", "ab:", "shipTo", "shipTo2", json.Number("1.0"), 1.0, 2.5,
	}
}

func mutate(r *rand.Rand, doc any) {
	var cs []any
	containers(doc, &cs)
	c := cs[r.IntN(len(cs))]
	cand := candidates()
	switch x := c.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch op := r.IntN(10); {
		case op == 0 || len(keys) == 0:
			x[fmt.Sprintf("extra%d", r.IntN(3))] = cand[r.IntN(len(cand))]
		case op < 3:
			delete(x, keys[r.IntN(len(keys))])
		default:
			x[keys[r.IntN(len(keys))]] = deepCopy(cand[r.IntN(len(cand))])
		}
	case []any:
		if len(x) == 0 {
			return
		}
		if r.IntN(4) == 0 {
			for i := range x {
				x[i] = nil
			}
			return
		}
		x[r.IntN(len(x))] = deepCopy(cand[r.IntN(len(cand))])
	}
}

// TestCheckerAgreesWithLibrary compares the fast check with the library on
// mutated versions of the valid examples: the fast check must never accept
// what the library rejects, and should reject exactly the same documents.
func TestCheckerAgreesWithLibrary(t *testing.T) {
	v := newValidator(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range Names() {
		base := loadExample(t, name)
		c := v.checkers[name]
		if !c.Fast() {
			t.Fatalf("%s: the schema is not within the fast check", name)
		}
		if !c.QuickCheck(base) {
			t.Fatalf("%s: the fast check rejects the valid example", name)
		}
		var valid, invalid int
		for i := 0; i < 3000; i++ {
			doc := deepCopy(base)
			for n := 1 + r.IntN(3); n > 0; n-- {
				mutate(r, doc)
			}
			fast := c.QuickCheck(doc)
			lib := v.schemas[name].Validate(doc) == nil
			if fast != lib {
				b, _ := json.Marshal(doc)
				t.Fatalf("%s: fast check says %v, library says %v for\n%s", name, fast, lib, b)
			}
			if lib {
				valid++
			} else {
				invalid++
			}
		}
		if valid == 0 || invalid == 0 {
			t.Errorf("%s: mutations gave %d valid and %d invalid documents; want both", name, valid, invalid)
		}
	}
}

// TestChecksEveryValue: the canonical schemas let the fast check see every
// value, so a document it accepts holds only JSON values (the mapping
// then skips normalising it). A non-JSON value anywhere must be rejected.
func TestChecksEveryValue(t *testing.T) {
	v := newValidator(t)
	bad := []any{big.NewInt(1), math.NaN(), math.Inf(1), int64(1), float32(1.5), uint8(1), struct{}{}}
	for _, name := range Names() {
		c := v.checkers[name]
		if !c.ChecksEveryValue() {
			t.Fatalf("%s: the fast check does not look at every value", name)
		}
		base := loadExample(t, name)
		var cs []any
		containers(base, &cs)
		for ci := range cs {
			for _, b := range bad {
				doc := deepCopy(base)
				var dcs []any
				containers(doc, &dcs)
				switch x := dcs[ci].(type) {
				case map[string]any:
					for k := range x {
						old := x[k]
						x[k] = b
						if c.QuickCheck(doc) {
							t.Fatalf("%s: the fast check accepts %T at member %q", name, b, k)
						}
						x[k] = old
					}
				case []any:
					for i := range x {
						old := x[i]
						x[i] = b
						if c.QuickCheck(doc) {
							t.Fatalf("%s: the fast check accepts %T in an array", name, b)
						}
						x[i] = old
					}
				}
			}
		}
	}
	for _, tc := range []struct {
		schema string
		every  bool
	}{
		{`{"type": "object", "properties": {"a": {"type": "string"}}}`, false},
		{`{"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}`, true},
		{`{"type": "object", "additionalProperties": {"type": "integer"}}`, true},
		{`{"type": "object", "additionalProperties": false, "properties": {"a": {"type": "array"}}}`, false},
		{`{"type": "object", "additionalProperties": false, "properties": {"a": {"type": "array", "items": {"type": "string"}}}}`, true},
		{`{"type": "object", "additionalProperties": false, "properties": {"a": true}}`, false},
		{`{"type": "object", "additionalProperties": false, "properties": {"a": {"$ref": "#/$defs/t"}}, "$defs": {"t": {"const": "x"}}}`, true},
		{`{"allOf": [{"type": "object", "additionalProperties": false}]}`, true},
		{`{"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "additionalProperties": false, "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/n"}}}}}}`, true},
		// A cycle through a node that does not check everything (c).
		{`{"$ref": "#/$defs/a", "allOf": [{"$ref": "#/$defs/b"}], "$defs": {
		   "a": {"type": "object", "additionalProperties": false, "properties": {"b": {"$ref": "#/$defs/b"}, "c": {"type": "object"}}},
		   "b": {"type": "object", "additionalProperties": false, "properties": {"a": {"$ref": "#/$defs/a"}}}}}`, false},
	} {
		var doc any
		if err := json.Unmarshal([]byte(tc.schema), &doc); err != nil {
			t.Fatal(err)
		}
		jc := jsonschema.NewCompiler()
		if err := jc.AddResource("mem://s.json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := jc.Compile("mem://s.json")
		if err != nil {
			t.Fatal(err)
		}
		if c := NewChecker(s); !c.Fast() || c.ChecksEveryValue() != tc.every {
			t.Errorf("%s: ChecksEveryValue = %v (fast %v), want %v", tc.schema, c.ChecksEveryValue(), c.Fast(), tc.every)
		}
	}
}
