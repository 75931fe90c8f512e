package mapping

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossdock/crossdock/internal/canonical"
)

// check is one expected value in a mapped document: the value at path
// (see at) in document doc of the sample's result.
type check struct {
	doc  int
	path string
	want any
}

// sampleCases lists, per template and sample, how many documents the
// sample gives and the key fields to check.
func sampleCases() map[string]map[string][]check {
	return map[string]map[string][]check{
		"x12-850-004010": {
			"edi/850_ediengine_vics_nl-terminated.x12": {
				{0, "/number", "08292233294"}, {0, "/orderDate", "2010-11-27"}, {0, "/lines#", 6},
				{0, "/lines/0/quantity", map[string]any{"value": "120", "unit": "EA"}},
				{0, "/lines/0/unitPrice", map[string]any{"amount": "9.25", "currency": "USD"}},
				{0, "/lines/5/quantity/value", "696"}, {0, "/lines/0/itemIds/0/scheme", "buyerCatalog"},
				{0, "/dates/0/date", "2010-12-14"}, {0, "/totals/lineCount", 6},
				{0, "/totals/amount/amount", "13045.94"}, {0, "/parties/0/role", "shipTo"},
				{0, "/parties/0/ids/0", map[string]any{"scheme": "duns4", "value": "0003947268292", "qualifier": "9"}},
				{0, "/source/setControlNumber", "000000010"},
			},
			"edi/850_ediengine_sln_composite.x12": {
				{0, "/number", "08292233294"}, {0, "/lines#", 2},
				{0, "/lines/0/sublines/0/quantity", map[string]any{"value": "10000", "unit": "PC"}},
				{0, "/lines/0/sublines/0/itemIds/1", map[string]any{"scheme": "x12:UI", "value": "09999982001", "qualifier": "UI"}},
			},
			"edi/850_ediengine_syntaxnote_errors_BAD.x12": {
				{0, "/lines#", 6}, {0, "/lines/0/itemIds#", 2}, {0, "/lines/0/itemIds/0/scheme", "x12:PR"},
				{0, "/lines/1/itemIds#", 3},
			},
			"edi/850_edinet_bom_nbsp-isa_iea02-mismatch_BAD.x12": {
				{0, "/number", "1000012"}, {0, "/orderDate", "2009-08-27"},
				{0, "/lines/0/quantity", map[string]any{"value": "1", "unit": "EA"}},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "vendorItem", "value": "0054321", "qualifier": "VN"}},
				{0, "/parties/0/address/postalCode", "11788-1234"},
			},
			"edi/850_edinet_indented_nbsp-isa_iea02-mismatch_BAD.x12": {
				{0, "/number", "4600000406"}, {0, "/orderDate", "2014-07-24"}, {0, "/currency", "USD"},
				{0, "/lines#", 3}, {0, "/lines/0/lineNumber", "000100001"},
				{0, "/lines/0/quantity", map[string]any{"value": "2500", "unit": "YD"}},
				{0, "/lines/0/dates/1/date", "2014-08-04"}, {0, "/terms/0/netDays", 60},
				{0, "/notes/0/text", "PO 3 EDI test ASNs"}, {0, "/parties#", 5},
			},
			"edi/850_stupidedi_003010_bang-terminator_short-isa_BAD.x12": {
				{0, "/number", "PR12345678"}, {0, "/orderDate", "2007-01-02"},
				{0, "/dates/0/date", "2007-02-01"}, {0, "/dates/1/date", "2008-01-01"},
				{0, "/lines#", 2}, {0, "/lines/0/quantity/value", "3"}, {0, "/source/version", "003010"},
				{0, "/lines/0/notes/0/text", "ANY FREE FORM COMMENTS THAT NEED TO GO WITH THE PO LINE ITEM."},
			},
			"edi/850_x12types_snacks_ua_cb.x12": {
				{0, "/number", "A99999-01"}, {0, "/orderDate", "1997-02-14"}, {0, "/lines#", 7},
				{0, "/lines/0/lineNumber", "1"}, {0, "/lines/6/lineNumber", "7"},
				{0, "/lines/0/itemIds/1", map[string]any{"scheme": "gtin", "value": "00002840022222", "qualifier": "UA", "checkDigitValid": false}},
				{0, "/lines/4/itemIds/1", map[string]any{"scheme": "gtin", "value": "00002840066666", "qualifier": "UA"}},
				{0, "/lines/0/pack/size", map[string]any{"value": "7.89", "unit": "LB"}},
				{0, "/totals/lineCount", 7},
			},
			"edi/810+850_staedi_two-groups_multi-st.x12": {
				{0, "/number", "S115921858"}, {0, "/orderDate", "2004-03-17"}, {0, "/releaseNumber", "1017760"},
				{0, "/lines#", 4}, {0, "/totals/hashQuantity", "250"},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "buyerItem", "value": "02006", "qualifier": "IN"}},
			},
		},
		"x12-855-004010": {
			"edi/855_nodex12_books_ack-ia-ir.x12": {
				{0, "/orderNumber", "POTEST1112"}, {0, "/ackType", "AD"}, {0, "/status", "acceptedNoChange"},
				{0, "/ackDate", "2020-10-15"}, {0, "/lines#", 4}, {0, "/lines/0/status", "IA"},
				{0, "/lines/1/status", "IR"}, {0, "/lines/1/statusText", "rejected"},
				{0, "/lines/0/acks/0/quantity", map[string]any{"value": "3", "unit": "UN"}},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "gtin", "value": "09780446360265", "qualifier": "EN"}},
				{0, "/lines/0/schedule/0/dates/0/date", "2004-12-31"}, {0, "/totals/hashQuantity", "5"},
				{0, "/parties/0/ids/0/scheme", "san"},
			},
			"edi/855_staedi_two-st_one-group.x12": {
				{0, "/orderNumber", "ORDER1"}, {1, "/orderNumber", "ORDER2"}, {1, "/ackType", "AC"}, {1, "/orderDate", "2026-01-27"},
			},
			"edi/855_stupidedi_brace-component-sep.x12": {
				{0, "/orderNumber", "1D711419"}, {0, "/ackType", "AT"}, {0, "/sellerOrderNumber", "338093"},
				{0, "/ackDate", "2017-04-25"}, {0, "/lines/0/quantity", map[string]any{"value": "72", "unit": "EA"}},
			},
			"edi/855_stupidedi_x358_rejected_crlf.x12": {
				{0, "/ackType", "RJ"}, {0, "/status", "rejected"}, {0, "/purpose", "11"},
				{0, "/contacts/0/phone", "1-800-555-1212"}, {0, "/source/version", "004010X358"},
			},
		},
		"x12-856-004010": {
			"edi/856_ediengine_crossdock_sopi_sscc.x12": {
				{0, "/asnNumber", "000009"}, {0, "/createdAt", "2009-09-21"}, {0, "/createdTime", "08:01"},
				{0, "/shippedAt", "2009-09-21"}, {0, "/estimatedDelivery", "2009-09-25"},
				{0, "/structureCode", "0001"}, {0, "/carrier/scac", "OVNT"}, {0, "/billOfLading", "000001"},
				{0, "/proNumber", "0000000008741"}, {0, "/orders#", 2}, {0, "/orders/0/poNumber", "POREF00"},
				{0, "/orders/1/poNumber", "POREF01"}, {0, "/packages#", 5}, {0, "/packages/0/sscc", "000715670002152360"},
				{0, "/packages/4/sscc", "000715670002152111"}, {0, "/packages/4/order", "11"},
				{0, "/items#", 5}, {0, "/items/0/package", "3"}, {0, "/items/0/order", "2"},
				{0, "/items/0/itemIds/0/value", "00000000000642"},
				{0, "/items/0/shippedQuantity", map[string]any{"value": "12", "unit": "EA"}},
				{0, "/totals/hlCount", 13}, {0, "/totals/packages", map[string]any{"value": "5", "unit": "CTN"}},
			},
			"edi/856_x12types_004060_soi.x12": {
				{0, "/asnNumber", "829716"}, {0, "/purpose", "14"}, {0, "/createdTime", "14:24:28"},
				{0, "/orders/0/poNumber", "99999817"}, {0, "/orders/0/poDate", "2011-12-05"},
				{0, "/packages", nil}, {0, "/items#", 2}, {0, "/items/0/package", nil},
				{0, "/items/0/itemIds/1/value", "00999999310145"},
				{0, "/items/1/shippedQuantity", map[string]any{"value": "6", "unit": "EA"}},
				{0, "/totals/hashQuantity", "30"}, {0, "/totals/weight", map[string]any{"value": "60.310", "unit": "LB"}},
			},
			"edi/856_stupidedi_002001_tare-hl_bang-terminator_BAD.x12": {
				{0, "/asnNumber", "35100"}, {0, "/createdAt", "2007-01-01"}, {0, "/shippedTime", "11:30"},
				{0, "/packages#", 7}, {0, "/packages/0/level", "tare"}, {0, "/packages/2/parent", "5"},
				{0, "/items#", 4}, {0, "/items/0/package", "2"}, {0, "/totals/hashQuantity", "1432"},
				{0, "/totals/weight", map[string]any{"value": "1200", "unit": "LB"}},
				{1, "/asnNumber", "02"}, {1, "/items#", 2}, {1, "/totals/hashQuantity", "259"},
			},
		},
		"x12-810-004010": {
			"edi/810_staedi_simple_it1_tds.x12": {
				{0, "/number", "00001"}, {0, "/invoiceDate", "1997-12-11"}, {0, "/orderNumber", "A99999-01"},
				{0, "/kind", "invoice"}, {0, "/totals/invoiceAmount", map[string]any{"amount": "2554.38", "currency": "USD"}},
				{0, "/lines#", 7}, {0, "/totals/lineCount", 7},
				{0, "/shipmentSummary/quantity", map[string]any{"value": "207", "unit": "CA"}},
				{0, "/parties/2/role", "remitTo"}, {1, "/invoiceDate", "1997-12-15"}, {1, "/lines#", 2},
			},
			"edi/810_stupidedi_pipe-element-sep.x12": {
				{0, "/number", "00237058"}, {0, "/orderNumber", "0691-0014403"}, {0, "/orderDate", "2021-11-02"},
				{0, "/totals/invoiceAmount/amount", "285.66"},
				{0, "/lines/0/quantity", map[string]any{"value": "4", "unit": nil}},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "gtin", "value": "09781501331978", "qualifier": "EN"}},
				{0, "/lines/1/unitPrice/amount", "5.66"},
			},
			"edi/810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12": {
				{0, "/number", "DO091003TESTINV01"}, {0, "/kind", "debit-invoice"}, {0, "/invoiceDate", "2003-03-10"},
				{0, "/totals/invoiceAmount/amount", "365.96"}, {0, "/terms#", 5}, {0, "/terms/3/discountPercent", "-5"},
				{0, "/lines/0/allowancesCharges/0/amount/amount", "199.98"}, {0, "/allowancesCharges#", 2},
				{0, "/allowancesCharges/0/amount/amount", "6.00"}, {0, "/lines/0/parties#", 2},
			},
			"edi/810+850_staedi_two-groups_multi-st.x12": {
				{0, "/orderNumber", "A99999-01"}, {1, "/orderNumber", "A99999-04"},
			},
		},
		"x12-846-005010": {
			"edi/846_x12types_5010_minimal.x12": {
				{0, "/reportId", "REF1"}, {0, "/reportDate", "2020-01-01"}, {0, "/reportType", "SI"},
				{0, "/items/0/itemIds/0", map[string]any{"scheme": "vendorItem", "value": "ABC123", "qualifier": "VN"}},
				{0, "/items/0/quantities/0", map[string]any{"qualifier": "33", "type": "availableForSale",
					"quantity": map[string]any{"value": "100", "unit": "EA"}}},
				{0, "/parties/0/role", "supplier"}, {0, "/source/version", "005010"},
			},
		},
		"x12-940-004010": {
			"edi/940_ediengine_warehouse-order.x12": {
				{0, "/kind", "warehouse-shipping-order"}, {0, "/number", "538686"}, {0, "/lines#", 3},
				{0, "/lines/0/quantity", map[string]any{"value": "12", "unit": "CA"}},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "gtin", "value": "00000100000010", "checkDigitValid": false}},
				{0, "/lines/0/itemIds/1", map[string]any{"scheme": "vendorItem", "value": "000100", "qualifier": "VN"}},
				{0, "/lines/2/lineNumber", "3"}, {0, "/lines/2/description", "11.500 STRUDEL RASPBRY"},
				{0, "/dates/0", map[string]any{"qualifier": "10", "type": "requestedShip", "date": "2000-02-04"}},
				{0, "/parties#", 3}, {0, "/parties/1/role", "depositor"}, {0, "/parties/2/role", "warehouse"},
				{0, "/carrier/mode", "M"}, {0, "/totals/weight", map[string]any{"value": "500", "unit": "LB"}},
			},
			"edi/940_ediengine_multi-isa-multi-gs.x12": {
				{0, "/number", "538686"}, {5, "/number", "538686"}, {5, "/source/groupControlNumber", "3316"},
			},
			"edi/940_ediengine_two-groups_one-bad-n9_for-997.x12": {
				{0, "/number", "35131"}, {0, "/purchaseOrderNumber", "POMAIL"},
				{1, "/lines/0/references/1", map[string]any{"value": "3"}}, {2, "/source/setControlNumber", "20068"},
				{0, "/lines/0/itemIds/0", map[string]any{"scheme": "gtin", "value": "00000100022220", "checkDigitValid": false}},
			},
			"edi/940_ediengine_control-number-mismatch_BAD.x12": {{0, "/number", "538686"}},
			"edi/940_ediengine_wrong-ge01-iea01-counts_BAD.x12": {{0, "/number", "538686"}},
		},
		"x12-945-005010": {
			"edi/945_x12types_5010_lot_lpn_se-count-off.x12": {
				{0, "/kind", "warehouse-shipping-advice"}, {0, "/asnNumber", "BOL12345"}, {0, "/shippedAt", "2019-06-04"},
				{0, "/orders/0", map[string]any{"ref": "1", "poNumber": "PO9865", "depositorOrderNumber": "IF102"}},
				{0, "/items/0/lotNumber", "LOT12314"}, {0, "/items/0/package", "LPN6569"},
				{0, "/items/0/shippedQuantity", map[string]any{"value": "3000", "unit": "EA"}},
				{0, "/packages/0/ids/0/scheme", "licensePlate"}, {0, "/carrier/scac", "NPLT"},
				{0, "/totals/weight", map[string]any{"value": "15000", "unit": "LB"}},
			},
		},
		"x12-997": {
			"edi/997_staedi_5010_rejected_ak3_ak4.x12": {
				{0, "/ackedGroup", map[string]any{"functionalId": "HC", "controlNumber": "000001"}},
				{0, "/groupStatus", "R"}, {0, "/counts", map[string]any{"included": 1, "received": 1, "accepted": 0}},
				{0, "/sets/0/status", "R"}, {0, "/sets/0/errorCodes", []any{"5"}},
				{0, "/sets/0/segmentErrors/0/elementErrors/0", map[string]any{"position": 8, "reference": "66", "code": "7", "value": "MI"}},
			},
			"edi/997_staedi_three-interchanges.x12":                     {{2, "/groupStatus", "R"}},
			"edi/997_stupidedi_accepted_backtick-sep_short-isa_BAD.x12": {{0, "/groupStatus", "A"}, {0, "/sets/0/setId", "824"}},
			"edi/997_staedi_invalid-codes-dates_BAD.x12":                {{0, "/sets", []any{}}, {0, "/ackedGroup/functionalId", "<NOT_IN_CODESET>"}},
		},
		"csv-order-lines": {
			"csv/order-lines.csv": {
				{0, "/number", "PO-1001"}, {0, "/orderDate", "2024-03-01"}, {0, "/lines#", 3},
				{0, "/lines/1/itemIds/0/value", "00614141000043"}, {0, "/lines/2/itemIds/0/value", "00000096385074"},
				{0, "/lines/0/quantity", map[string]any{"value": "12", "unit": "EA"}},
				{0, "/lines/0/description", "Widget, small"}, {0, "/parties/0/ids/0/value", "0614141000012"},
				{1, "/number", "PO-1002"}, {1, "/lines#", 1}, {1, "/lines/0/unitPrice/amount", "120.00"},
			},
		},
		"json-order": {
			"json/order.json": {
				{0, "/number", "WEB-77812"}, {0, "/currency", "EUR"}, {0, "/lines/0/unitPrice/amount", "12.50"},
				{0, "/lines/1/unitPrice/amount", "1234567890.123456789"},
				{0, "/lines/1/quantity", map[string]any{"value": "2.5", "unit": "KGM"}},
				{0, "/lines/0/itemIds/0/value", "04006381333931"}, {0, "/parties/0/ids/0/scheme", "gln"},
			},
			"json/orders.json": {{0, "/number", "A-1"}, {1, "/number", "A-2"}, {1, "/lines/0/quantity/value", "3"}},
		},
	}
}

func isDigits(s string) bool { return s != "" && allDigits(s) }

func isISODate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// checkKeys walks a document: every identifier with scheme gtin, gln or
// sscc has 14, 13 or 18 digits, every "sscc" field 18 digits and every
// date field is ISO.
func checkKeys(t *testing.T, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if scheme, ok := x["scheme"].(string); ok {
			want := map[string]int{"gtin": 14, "gln": 13, "sscc": 18}[scheme]
			if val, _ := x["value"].(string); want > 0 && (len(val) != want || !isDigits(val)) {
				t.Errorf("%s: %s %q is not %d digits", path, scheme, val, want)
			}
		}
		for k, c := range x {
			p := path + "/" + k
			if s, ok := c.(string); ok {
				switch {
				case k == "sscc" && (len(s) != 18 || !isDigits(s)):
					t.Errorf("%s: sscc %q is not 18 digits", p, s)
				case (k == "date" || strings.HasSuffix(k, "Date") || k == "createdAt" || k == "shippedAt" ||
					k == "estimatedDelivery" || k == "asOf" || k == "expiry") && !isISODate(s):
					t.Errorf("%s: date %q is not YYYY-MM-DD", p, s)
				}
			}
			checkKeys(t, c, p)
		}
	case []any:
		for i, c := range x {
			checkKeys(t, c, path+"/"+strconv.Itoa(i))
		}
	}
}

func TestTemplatesMapSamples(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	cases := sampleCases()
	for _, tpl := range Templates() {
		want, ok := cases[tpl.ID]
		if !ok {
			t.Errorf("template %s has no sample checks", tpl.ID)
			continue
		}
		m := templateMapper(t, c, v, tpl.ID)
		schema, _ := v.Schema(tpl.Target)
		checker := canonical.NewChecker(schema)
		var listed []string
		for _, sample := range tpl.Samples {
			listed = append(listed, sample)
			t.Run(tpl.ID+"/"+sample, func(t *testing.T) {
				r := m.Run(context.Background(), readTestdata(t, sample))
				for _, e := range r.Errors {
					t.Errorf("%v", e)
				}
				if len(r.Documents) == 0 {
					t.Fatal("no documents")
				}
				for i, d := range r.Documents {
					if err := v.ValidateDocument(d); err != nil {
						t.Errorf("document %d: %v", i, err)
					}
					if !checker.QuickCheck(d) {
						t.Errorf("document %d: valid, but the fast check does not accept it", i)
					}
					if got := d.(map[string]any)["documentType"]; got != tpl.Target {
						t.Errorf("document %d: documentType %v, want %s", i, got, tpl.Target)
					}
					checkKeys(t, d, "")
				}
				for _, ck := range want[sample] {
					if ck.doc >= len(r.Documents) {
						t.Errorf("document %d: only %d documents", ck.doc, len(r.Documents))
						continue
					}
					if diff := cmp.Diff(ck.want, at(r.Documents[ck.doc], ck.path)); diff != "" {
						t.Errorf("document %d %s (-want +got):\n%s", ck.doc, ck.path, diff)
					}
				}
			})
		}
		var checked []string
		for s := range want {
			checked = append(checked, s)
		}
		sort.Strings(listed)
		sort.Strings(checked)
		if diff := cmp.Diff(listed, checked); diff != "" {
			t.Errorf("%s: Samples and checked samples differ (-samples +checks):\n%s", tpl.ID, diff)
		}
	}
}

// excludedSamples are the sample files of mapped set types that are not
// in any template's Samples, with the error a user sees (see
// testdata/edi/SOURCES.md).
func excludedSamples() map[string]struct{ template, stage, path, message string } {
	return map[string]struct{ template, stage, path, message string }{
		"edi/850_edinet_missing_isa16_BAD.x12": {"x12-850-004010", StageParse, "",
			"formats: x12: ISA16 component separator missing"},
		"edi/850_stupidedi_003050_isa-split-line_BAD.x12": {"x12-850-004010", StageParse, "",
			"formats: x12: ISA split across lines"},
		"edi/855_stupidedi_isa-split-line_short-isa_BAD.x12": {"x12-855-004010", StageParse, "",
			"formats: x12: ISA split across lines"},
		"edi/856_stupidedi_mixed-terminators_BAD.x12": {"x12-856-004010", StageMap, "",
			"HL 3 (segment 17) names parent HL 2, which is not an earlier HL: the HL hierarchy is broken"},
		"edi/940_ediengine_bad-se01-count_BAD.x12": {"x12-940-004010", StageMap, `.set.LX_loop[0].W01_loop[0].W01[0]["03"]`,
			`W01 line 1 (segment 5): gtin: "EA" is not a GTIN: it must be 8, 12, 13 or 14 digits (W0103, segment 5)`},
	}
}

func TestEverySampleIsMappedOrExcluded(t *testing.T) {
	entries, err := os.ReadDir("testdata/edi")
	if err != nil {
		t.Fatal(err)
	}
	inTemplates := map[string]bool{}
	for _, tpl := range Templates() {
		for _, s := range tpl.Samples {
			inTemplates[s] = true
		}
	}
	excluded := excludedSamples()
	mappedTypes := []string{"850", "855", "856", "810", "846", "940", "945"}
	var n int
	for _, e := range entries {
		name := "edi/" + e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".x12") {
			continue
		}
		var relevant bool
		for _, typ := range mappedTypes {
			if strings.HasPrefix(e.Name(), typ) || strings.Contains(e.Name(), "+"+typ) {
				relevant = true
			}
		}
		if !relevant {
			continue
		}
		n++
		_, ex := excluded[name]
		switch {
		case inTemplates[name] && ex:
			t.Errorf("%s is both mapped and excluded", name)
		case !inTemplates[name] && !ex:
			t.Errorf("%s is neither in a template's Samples nor excluded with a reason", name)
		}
	}
	if n != 30 {
		t.Errorf("found %d 850/855/856/810/846/940/945 samples, want 30", n)
	}
}

func TestExcludedSamplesFailClearly(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	for name, ex := range excludedSamples() {
		t.Run(name, func(t *testing.T) {
			m := templateMapper(t, c, v, ex.template)
			r := m.Run(context.Background(), readTestdata(t, name))
			if len(r.Errors) != 1 {
				t.Fatalf("got %d errors %v, want 1", len(r.Errors), r.Errors)
			}
			e := r.Errors[0]
			if e.Stage != ex.stage || e.Path != ex.path || !strings.Contains(e.Message, ex.message) {
				t.Errorf("got stage %q path %q message %q\nwant stage %q path %q message containing %q",
					e.Stage, e.Path, e.Message, ex.stage, ex.path, ex.message)
			}
			if len(r.Documents) != 0 {
				t.Errorf("got %d documents, want none", len(r.Documents))
			}
		})
	}
}

func TestTemplatesList(t *testing.T) {
	var ids []string
	for _, tpl := range Templates() {
		ids = append(ids, tpl.ID+" "+tpl.Format+" "+tpl.DocType+" -> "+tpl.Target)
		if tpl.Program == "" || len(tpl.Tables) == 0 {
			t.Errorf("%s: empty program or tables", tpl.ID)
		}
	}
	want := []string{
		"x12-850-004010 x12 850 -> Order",
		"x12-855-004010 x12 855 -> OrderAck",
		"x12-856-004010 x12 856 -> ShipmentNotice",
		"x12-810-004010 x12 810 -> Invoice",
		"x12-846-005010 x12 846 -> InventoryAdvice",
		"x12-940-004010 x12 940 -> Order",
		"x12-945-005010 x12 945 -> ShipmentNotice",
		"x12-997 x12 997 -> FunctionalAck",
		"csv-order-lines csv csv -> Order",
		"json-order json json -> Order",
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("templates (-want +got):\n%s", diff)
	}
	// Each call returns fresh tables: changing one adapter's copy does not
	// leak into the next.
	a := Templates()[0]
	a.Tables["itemQualifiers"]["ZZ"] = "changed"
	if Templates()[0].Tables["itemQualifiers"]["ZZ"] == "changed" {
		t.Error("Templates shares its tables between calls")
	}
	if _, err := TemplateByID("x12-999"); err == nil || !strings.Contains(err.Error(), `mapping: no template "x12-999"`) {
		t.Errorf("got %v", err)
	}
}
