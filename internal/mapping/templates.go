package mapping

import (
	"embed"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossdock/crossdock/internal/formats"
)

//go:embed templates/*.jq
var templateFiles embed.FS

// Template is a shipped starting point for an adapter's mapping.
type Template struct {
	ID      string // stable id, e.g. "x12-850-004010"
	Name    string
	Format  string // formats.Parse format
	DocType string // X12 set id ("850"), "csv" or "json"
	// Versions are the X12 GS08 versions the template was tested with.
	Versions     []string
	Target       string // canonical document name
	Program      string
	ParseOptions formats.Options
	Tables       map[string]map[string]string
	// Samples name the test files (internal/mapping/testdata) the template
	// maps in its tests.
	Samples []string
}

type templateSpec struct {
	id, name, format, docType, target, file string
	versions                                []string
	opts                                    formats.Options
	samples                                 []string
}

func templateSpecs() []templateSpec {
	return []templateSpec{
		{"x12-850-004010", "X12 850 purchase order to Order", "x12", "850", "Order", "x12-850.jq",
			[]string{"004010", "003010"}, formats.Options{}, []string{
				"edi/850_ediengine_vics_nl-terminated.x12",
				"edi/850_ediengine_sln_composite.x12",
				"edi/850_ediengine_syntaxnote_errors_BAD.x12",
				"edi/850_edinet_bom_nbsp-isa_iea02-mismatch_BAD.x12",
				"edi/850_edinet_indented_nbsp-isa_iea02-mismatch_BAD.x12",
				"edi/850_stupidedi_003010_bang-terminator_short-isa_BAD.x12",
				"edi/850_x12types_snacks_ua_cb.x12",
				"edi/810+850_staedi_two-groups_multi-st.x12",
			}},
		{"x12-855-004010", "X12 855 order acknowledgment to OrderAck", "x12", "855", "OrderAck", "x12-855.jq",
			[]string{"004010", "004010X358"}, formats.Options{}, []string{
				"edi/855_nodex12_books_ack-ia-ir.x12",
				"edi/855_staedi_two-st_one-group.x12",
				"edi/855_stupidedi_brace-component-sep.x12",
				"edi/855_stupidedi_x358_rejected_crlf.x12",
			}},
		{"x12-856-004010", "X12 856 ship notice to ShipmentNotice", "x12", "856", "ShipmentNotice", "x12-856.jq",
			[]string{"004010", "004060", "002001"}, formats.Options{}, []string{
				"edi/856_ediengine_crossdock_sopi_sscc.x12",
				"edi/856_x12types_004060_soi.x12",
				"edi/856_stupidedi_002001_tare-hl_bang-terminator_BAD.x12",
			}},
		{"x12-810-004010", "X12 810 invoice to Invoice", "x12", "810", "Invoice", "x12-810.jq",
			[]string{"004010"}, formats.Options{}, []string{
				"edi/810_staedi_simple_it1_tds.x12",
				"edi/810_stupidedi_pipe-element-sep.x12",
				"edi/810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12",
				"edi/810+850_staedi_two-groups_multi-st.x12",
			}},
		{"x12-846-005010", "X12 846 inventory advice to InventoryAdvice", "x12", "846", "InventoryAdvice", "x12-846.jq",
			[]string{"005010"}, formats.Options{}, []string{
				"edi/846_x12types_5010_minimal.x12",
			}},
		{"x12-940-004010", "X12 940 warehouse shipping order to Order", "x12", "940", "Order", "x12-940.jq",
			[]string{"004010"}, formats.Options{}, []string{
				"edi/940_ediengine_warehouse-order.x12",
				"edi/940_ediengine_multi-isa-multi-gs.x12",
				"edi/940_ediengine_two-groups_one-bad-n9_for-997.x12",
				"edi/940_ediengine_control-number-mismatch_BAD.x12",
				"edi/940_ediengine_wrong-ge01-iea01-counts_BAD.x12",
			}},
		{"x12-945-005010", "X12 945 warehouse shipping advice to ShipmentNotice", "x12", "945", "ShipmentNotice", "x12-945.jq",
			[]string{"005010"}, formats.Options{}, []string{
				"edi/945_x12types_5010_lot_lpn_se-count-off.x12",
			}},
		{"x12-997", "X12 997 functional acknowledgment to FunctionalAck", "x12", "997", "FunctionalAck", "x12-997.jq",
			[]string{"004010", "005010X230"}, formats.Options{}, []string{
				"edi/997_staedi_5010_rejected_ak3_ak4.x12",
				"edi/997_staedi_three-interchanges.x12",
				"edi/997_stupidedi_accepted_backtick-sep_short-isa_BAD.x12",
				"edi/997_staedi_invalid-codes-dates_BAD.x12",
			}},
		{"csv-order-lines", "CSV order lines (grouped by PO number) to Order", "csv", "csv", "Order", "csv-order-lines.jq",
			nil, formats.Options{Header: true, GroupBy: "po_number"}, []string{
				"csv/order-lines.csv",
			}},
		{"json-order", "JSON order to Order", "json", "json", "Order", "json-order.jq",
			nil, formats.Options{}, []string{
				"json/order.json",
				"json/orders.json",
			}},
	}
}

// Templates returns the shipped mapping templates, each with its own copy
// of the lookup tables.
func Templates() []Template {
	var out []Template
	for _, s := range templateSpecs() {
		src, err := templateFiles.ReadFile("templates/" + s.file)
		if err != nil {
			panic(fmt.Sprintf("mapping: embedded template %s missing: %v", s.file, err)) // ruled out by the tests
		}
		tables := x12Tables()
		if s.format != "x12" {
			tables = map[string]map[string]string{
				"policy":   {"checkDigits": "strict"},
				"defaults": {"currency": "USD"},
			}
		}
		out = append(out, Template{
			ID: s.id, Name: s.name, Format: s.format, DocType: s.docType, Versions: s.versions,
			Target: s.target, Program: string(src), ParseOptions: s.opts, Tables: tables, Samples: s.samples,
		})
	}
	return out
}

// TemplateByID returns one shipped template.
func TemplateByID(id string) (Template, error) {
	for _, t := range Templates() {
		if t.ID == id {
			return t, nil
		}
	}
	return Template{}, fmt.Errorf("mapping: no template %q", id)
}

// Config returns the mapper configuration of a template, validating
// against schema (nil: no validation).
func (t Template) Config(schema *jsonschema.Schema) Config {
	c := Config{Format: t.Format, ParseOptions: t.ParseOptions, Program: t.Program, Tables: t.Tables, Schema: schema}
	if t.Format == "x12" || t.Format == "edifact" {
		c.DocType = t.DocType
	}
	return c
}
