// Package canonical holds the canonical data model of Crossdock as JSON
// Schemas (draft 2020-12): Order, OrderAck, ShipmentNotice, Invoice,
// InventoryAdvice and FunctionalAck, version 1.0.0. Every partner document,
// whatever its syntax, is mapped into one of these before it is routed
// (see /work/shared/canonical-model-reference.md for where each field
// comes from).
//
// # Conventions of the model
//
//   - Identifiers are {scheme, value} pairs, never bare strings. Known
//     qualifiers map to schemes (gtin, gln, sscc, duns, buyerPart,
//     vendorPart, sku, ...); an unknown X12 qualifier keeps its code as
//     scheme "x12:<code>". GS1 keys are normalised: gtin 14 digits, gln 13,
//     sscc 18 (without the AI 00). The schema checks their lengths; the GS1
//     check digit is checked by the mapping, which may let a bad one
//     through with "checkDigitValid": false.
//   - Decimals (quantities, prices, amounts, percentages) are JSON strings
//     such as "12.50": no binary floating point anywhere between the
//     partner and the ERP, trailing zeros kept as received. Counts (lines,
//     days, positions) are JSON integers.
//   - Quantity = {value, unit}; unit is the partner's code (X12 element
//     355) or null when none was sent, never guessed.
//   - Money = {amount, currency}; currency is ISO 4217 (three capitals).
//   - Dates are ISO 8601 "YYYY-MM-DD" (format "date", asserted); times of
//     day "HH:MM[:SS]" are separate fields.
//   - Parties are {role, roleCode, ids[], name, address, contacts[]}.
//   - Codes the model does not interpret are kept as received (purpose,
//     type, qualifiers) next to a word for the ones it knows.
//   - Every object is closed (additionalProperties false): a mapping that
//     invents a field fails validation instead of leaking it downstream.
//
// # Files and versions
//
// The schemas live in schemas/*.json. Definitions shared by all documents
// (Identifier, Quantity, Money, Party, Date ...) are written once in
// schemas/defs.json; Schemas copies them into each document's $defs so
// every published schema is self-contained (no external $ref), which is
// what the API catalog stores and serves.
package canonical

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schemas/*.json
var schemaFiles embed.FS

// Version is the version of the canonical model these schemas describe.
const Version = "1.0.0"

// Document names.
const (
	Order           = "Order"
	OrderAck        = "OrderAck"
	ShipmentNotice  = "ShipmentNotice"
	Invoice         = "Invoice"
	InventoryAdvice = "InventoryAdvice"
	FunctionalAck   = "FunctionalAck"
)

// Doc is one published schema.
type Doc struct {
	Name    string // document name, e.g. "Order"
	Version string // "1.0.0"
	ID      string // the schema's $id
	Raw     []byte // the self-contained schema (shared $defs included)
}

type schemaFile struct{ name, file string }

// schemaTable lists the documents and their files, in catalog order.
func schemaTable() []schemaFile {
	return []schemaFile{
		{Order, "order.json"},
		{OrderAck, "order-ack.json"},
		{ShipmentNotice, "shipment-notice.json"},
		{Invoice, "invoice.json"},
		{InventoryAdvice, "inventory-advice.json"},
		{FunctionalAck, "functional-ack.json"},
	}
}

// Names returns the document names in catalog order.
func Names() []string {
	t := schemaTable()
	out := make([]string, len(t))
	for i, f := range t {
		out[i] = f.name
	}
	return out
}

// Schemas returns the six document schemas, each self-contained. It panics
// only if the embedded files are broken, which the package tests rule out.
func Schemas() []Doc {
	defs, err := sharedDefs()
	if err != nil {
		panic(err)
	}
	var out []Doc
	for _, f := range schemaTable() {
		d, err := bundle(f, defs)
		if err != nil {
			panic(err)
		}
		out = append(out, d)
	}
	return out
}

// Schema returns the schema of one document by name.
func Schema(name string) (Doc, error) {
	for _, f := range schemaTable() {
		if f.name != name {
			continue
		}
		defs, err := sharedDefs()
		if err != nil {
			return Doc{}, err
		}
		return bundle(f, defs)
	}
	return Doc{}, fmt.Errorf("canonical: unknown document %q (known: %s)", name, strings.Join(Names(), ", "))
}

func sharedDefs() (map[string]any, error) {
	raw, err := schemaFiles.ReadFile("schemas/defs.json")
	if err != nil {
		return nil, fmt.Errorf("canonical: read defs.json: %w", err)
	}
	var v struct {
		Defs map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("canonical: parse defs.json: %w", err)
	}
	return v.Defs, nil
}

// bundle merges the shared definitions into the document's own $defs.
func bundle(f schemaFile, defs map[string]any) (Doc, error) {
	raw, err := schemaFiles.ReadFile("schemas/" + f.file)
	if err != nil {
		return Doc{}, fmt.Errorf("canonical: read %s: %w", f.file, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Doc{}, fmt.Errorf("canonical: parse %s: %w", f.file, err)
	}
	own, _ := doc["$defs"].(map[string]any)
	merged := make(map[string]any, len(defs)+len(own))
	for k, v := range defs {
		merged[k] = v
	}
	for k, v := range own {
		if _, dup := merged[k]; dup {
			return Doc{}, fmt.Errorf("canonical: %s: $defs/%s is also defined in defs.json", f.file, k)
		}
		merged[k] = v
	}
	doc["$defs"] = merged
	inlineLeaves(doc, merged)
	id, _ := doc["$id"].(string)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return Doc{}, fmt.Errorf("canonical: encode %s: %w", f.file, err)
	}
	return Doc{Name: f.name, Version: Version, ID: id, Raw: buf.Bytes()}, nil
}

// leafDefs are the definitions of plain values (a type plus a pattern,
// format or bound). bundle writes them in place of each reference to them:
// a $ref costs the validator a nested evaluation per value, and these are
// the most frequent values of a document.
func leafDefs() []string {
	return []string{"Decimal", "Count", "Date", "Time", "CurrencyCode", "Code", "Text", "Gtin", "Gln", "Sscc"}
}

// inlineLeaves replaces {"$ref": "#/$defs/<leaf>"} (with optional sibling
// keywords such as description) by the leaf's keywords plus the siblings.
func inlineLeaves(v any, defs map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/$defs/")
			for _, leaf := range leafDefs() {
				if name != leaf {
					continue
				}
				def, _ := defs[leaf].(map[string]any)
				delete(x, "$ref")
				for k, dv := range def {
					if _, own := x[k]; !own {
						x[k] = dv
					}
				}
			}
		}
		for k, c := range x {
			if k == "$defs" {
				for _, d := range c.(map[string]any) {
					inlineLeaves(d, defs)
				}
				continue
			}
			inlineLeaves(c, defs)
		}
	case []any:
		for _, c := range x {
			inlineLeaves(c, defs)
		}
	}
}

// noLoader refuses every external reference: the bundled schemas are
// self-contained, and validation must never reach the network or disk.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("canonical: schema %s is not bundled (external references are not loaded)", url)
}

// Compile compiles the schema of one document, with format assertions on
// (so "date" is checked, as draft 2020-12 otherwise only annotates it).
func Compile(name string) (*jsonschema.Schema, error) {
	d, err := Schema(name)
	if err != nil {
		return nil, err
	}
	return compileDoc(d)
}

func compileDoc(d Doc) (*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.Raw))
	if err != nil {
		return nil, fmt.Errorf("canonical: parse %s schema: %w", d.Name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	if err := c.AddResource(d.ID, v); err != nil {
		return nil, fmt.Errorf("canonical: add %s schema: %w", d.Name, err)
	}
	s, err := c.Compile(d.ID)
	if err != nil {
		return nil, fmt.Errorf("canonical: compile %s schema: %w", d.Name, err)
	}
	return s, nil
}
