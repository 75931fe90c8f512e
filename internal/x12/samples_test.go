package x12

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sample is the expected outcome for one file in testdata (see
// testdata/SOURCES.md for what each file exercises).
type sample struct {
	file string
	// fatal is the sentinel of a fatal syntax error and offset its byte
	// offset; the other fields are empty then.
	fatal  error
	offset int
	// structure has one entry per interchange: per group "GS01 ST01/ST02 ...",
	// groups separated by "; ".
	structure []string
	// warnings are ISA warnings as "Sentinel@byte offset".
	warnings []string
	// envelope are Validate results as "code@interchange position".
	envelope []string
	// acks is the 997 body (AK1..AK9) AcknowledgeGroup gives for each
	// group, in file order. (Build997 itself never answers FA groups.)
	acks []string
	// ta1 is "TA104 TA105" of AcknowledgeInterchange for each interchange,
	// with "+" when the sender asked for a TA1; nil means "A 000" for all.
	ta1 []string
}

var samples = []sample{
	{file: "210_staedi_wrapped-80-columns.x12",
		structure: []string{"IM 210/1305"},
		acks:      []string{"AK1*IM*2619 AK2*210*1305 AK5*A AK9*A*1*1*1"}},
	{file: "214_staedi_unicode-ellipsis-terminator.x12",
		structure: []string{"QM 214/757760001"},
		acks:      []string{"AK1*QM*75776 AK2*214*757760001 AK5*A AK9*A*1*1*1"}},
	{file: "810+850_staedi_two-groups_multi-st.x12",
		structure: []string{"IN 810/000000001 810/000000002; PO 850/000191240"},
		acks:      []string{"AK1*IN*1 AK2*810*000000001 AK5*A AK2*810*000000002 AK5*A AK9*A*2*2*2", "AK1*PO*165 AK2*850*000191240 AK3*N1*9**8 AK4*4*67*2 AK5*R*5 AK9*R*1*1*0"}},
	{file: "810_edinet_ariba_sac_itd_indented_short-isa_BAD.x12",
		structure: []string{"IN 810/0001"},
		warnings:  []string{"ISALength@10"},
		acks:      []string{"AK1*IN*1 AK2*810*0001 AK5*A AK9*A*1*1*1"}},
	{file: "810_staedi_simple_it1_tds.x12",
		structure: []string{"IN 810/000000001 810/000000002"},
		acks:      []string{"AK1*IN*1 AK2*810*000000001 AK5*A AK2*810*000000002 AK5*A AK9*A*2*2*2"}},
	{file: "810_stupidedi_pipe-element-sep.x12",
		structure: []string{"IN 810/5639689"},
		acks:      []string{"AK1*IN*5639689 AK2*810*5639689 AK5*A AK9*A*1*1*1"}},
	{file: "846_x12types_5010_minimal.x12",
		structure: []string{"IB 846/0001"},
		acks:      []string{"AK1*IB*1*005010 AK2*846*0001 AK5*A AK9*A*1*1*1"}},
	{file: "850_ediengine_sln_composite.x12",
		structure: []string{"PO 850/000000010"},
		acks:      []string{"AK1*PO*1421 AK2*850*000000010 AK5*A AK9*A*1*1*1"}},
	{file: "850_ediengine_syntaxnote_errors_BAD.x12",
		structure: []string{"PO 850/000000010"},
		acks:      []string{"AK1*PO*1421 AK2*850*000000010 AK3*PO1*13**8 AK4*7*234*2 AK3*PO4*30**8 AK4*6*384*2 AK5*R*5 AK9*R*1*1*0"}},
	{file: "850_ediengine_vics_nl-terminated.x12",
		structure: []string{"PO 850/000000010"},
		acks:      []string{"AK1*PO*1421 AK2*850*000000010 AK5*A AK9*A*1*1*1"}},
	{file: "850_edinet_bom_nbsp-isa_iea02-mismatch_BAD.x12",
		structure: []string{"PO 850/0003"},
		warnings:  []string{"ISACharset@11"},
		envelope:  []string{"isa13_iea02_mismatch@15"},
		acks:      []string{"AK1*PO*2 AK2*850*0003 AK5*A AK9*A*1*1*1"},
		ta1:       []string{"E 001"}},
	{file: "850_edinet_indented_nbsp-isa_iea02-mismatch_BAD.x12",
		structure: []string{"PO 850/0001"},
		warnings:  []string{"ISALength@70", "ISACharset@11"},
		envelope:  []string{"isa13_iea02_mismatch@54"},
		acks:      []string{"AK1*PO*2 AK2*850*0001 AK5*A AK9*A*1*1*1"},
		ta1:       []string{"E 001"}},
	{file: "850_edinet_missing_isa16_BAD.x12",
		fatal: ErrMissingISA16, offset: 104},
	{file: "850_stupidedi_003010_bang-terminator_short-isa_BAD.x12",
		structure: []string{"PO 850/0001"},
		warnings:  []string{"ISALength@7"},
		envelope:  []string{"se01_segment_count@29"},
		acks:      []string{"AK1*PO*1 AK2*850*0001 AK5*R*4 AK9*R*1*1*0"},
		ta1:       []string{"A 000 +"}},
	{file: "850_stupidedi_003050_isa-split-line_BAD.x12",
		fatal: ErrISASplit, offset: 48},
	{file: "850_x12types_snacks_ua_cb.x12",
		structure: []string{"PO 850/000000001"},
		acks:      []string{"AK1*PO*1 AK2*850*000000001 AK5*A AK9*A*1*1*1"}},
	{file: "855_nodex12_books_ack-ia-ir.x12",
		structure: []string{"PR 855/0005"},
		acks:      []string{"AK1*PR*5 AK2*855*0005 AK5*A AK9*A*1*1*1"}},
	{file: "855_staedi_two-st_one-group.x12",
		structure: []string{"PR 855/0001 855/0002"},
		acks:      []string{"AK1*PR*0001 AK2*855*0001 AK5*A AK2*855*0002 AK5*A AK9*A*2*2*2"}},
	{file: "855_stupidedi_brace-component-sep.x12",
		structure: []string{"PR 855/000002015"},
		acks:      []string{"AK1*PR*365 AK2*855*000002015 AK5*A AK9*A*1*1*1"}},
	{file: "855_stupidedi_isa-split-line_short-isa_BAD.x12",
		fatal: ErrISASplit, offset: 57},
	{file: "855_stupidedi_x358_rejected_crlf.x12",
		structure: []string{"SC 855/0001"},
		envelope:  []string{"gs01_st01_mismatch@3"},
		acks:      []string{"AK1*SC*20213 AK2*855*0001 AK5*A AK9*A*1*1*1"}},
	{file: "856_ediengine_crossdock_sopi_sscc.x12",
		structure: []string{"SH 856/0001"},
		acks:      []string{"AK1*SH*91 AK2*856*0001 AK5*A AK9*A*1*1*1"}},
	{file: "856_stupidedi_002001_tare-hl_bang-terminator_BAD.x12",
		structure: []string{"SH 856/0001 856/0002"},
		warnings:  []string{"ISALength@7"},
		acks:      []string{"AK1*SH*1 AK2*856*0001 AK5*A AK2*856*0002 AK5*A AK9*A*2*2*2"}},
	{file: "856_stupidedi_mixed-terminators_BAD.x12",
		structure: []string{"SH 856/0000001"},
		envelope:  []string{"se01_segment_count@24"},
		acks:      []string{"AK1*SH*000000089 AK2*856*0000001 AK5*R*4 AK9*R*1*1*0"}},
	{file: "856_x12types_004060_soi.x12",
		structure: []string{"SH 856/0008"},
		acks:      []string{"AK1*SH*49 AK2*856*0008 AK5*A AK9*A*1*1*1"}},
	{file: "940_ediengine_bad-se01-count_BAD.x12",
		structure: []string{"OW 940/20066"},
		envelope:  []string{"se01_segment_count@11"},
		acks:      []string{"AK1*OW*9221 AK2*940*20066 AK5*R*4 AK9*R*1*1*0"}},
	{file: "940_ediengine_control-number-mismatch_BAD.x12",
		structure: []string{"OW 940/0001"},
		envelope:  []string{"st02_se02_mismatch@7", "gs06_ge02_mismatch@8", "isa13_iea02_mismatch@9"},
		acks:      []string{"AK1*OW*3314 AK2*940*0001 AK5*R*3 AK9*R*1*1*0*4"},
		ta1:       []string{"E 001"}},
	{file: "940_ediengine_multi-isa-multi-gs.x12",
		structure: []string{"OW 940/0001 940/0002; OW 940/0001", "OW 940/0001 940/0002; OW 940/0001"},
		envelope:  []string{"control_number_not_padded@21", "control_number_not_padded@21"},
		acks:      []string{"AK1*OW*3313 AK2*940*0001 AK5*A AK2*940*0002 AK5*A AK9*A*2*2*2", "AK1*OW*3314 AK2*940*0001 AK5*A AK9*A*1*1*1", "AK1*OW*3315 AK2*940*0001 AK5*A AK2*940*0002 AK5*A AK9*A*2*2*2", "AK1*OW*3316 AK2*940*0001 AK5*A AK9*A*1*1*1"}},
	{file: "940_ediengine_two-groups_one-bad-n9_for-997.x12",
		structure: []string{"OW 940/20066 940/20067; OW 940/20068"},
		acks:      []string{"AK1*OW*9221 AK2*940*20066 AK5*A AK2*940*20067 AK3*N9*7**8 AK4*1*128*1 AK5*R*5 AK9*P*2*2*1", "AK1*OW*9222 AK2*940*20068 AK5*A AK9*A*1*1*1"}},
	{file: "940_ediengine_warehouse-order.x12",
		structure: []string{"OW 940/0001"},
		acks:      []string{"AK1*OW*3317 AK2*940*0001 AK5*A AK9*A*1*1*1"}},
	{file: "940_ediengine_wrong-ge01-iea01-counts_BAD.x12",
		structure: []string{"OW 940/0001"},
		envelope:  []string{"ge01_set_count@8", "control_number_not_padded@9", "iea01_group_count@9"},
		acks:      []string{"AK1*OW*3314 AK2*940*0001 AK5*A AK9*R*2*1*1*5"},
		ta1:       []string{"E 021"}},
	{file: "945_x12types_5010_lot_lpn_se-count-off.x12",
		structure: []string{"SW 945/000006123"},
		envelope:  []string{"se01_segment_count@18"},
		acks:      []string{"AK1*SW*000000123*005010 AK2*945*000006123 AK3*N1*6**8 AK4*2*93*2 AK4*3*66*2 AK5*R*4*5 AK9*R*1*1*0"}},
	{file: "997_staedi_5010_rejected_ak3_ak4.x12",
		structure: []string{"FA 997/0001"},
		acks:      []string{"AK1*FA*000005*005010X230 AK2*997*0001 AK5*A AK9*A*1*1*1"}},
	{file: "997_staedi_invalid-codes-dates_BAD.x12",
		structure: []string{"FA 997/0001"},
		envelope:  []string{"invalid_date@2", "invalid_time@2", "group_control_syntax@7", "gs06_ge02_mismatch@7"},
		acks:      []string{"AK1*FA*000005*005010X230 AK2*997*0001 AK5*A AK9*R*1*1*1*4*6"}},
	{file: "997_staedi_three-interchanges.x12",
		structure: []string{"FA 997/0001", "FA 997/0001", "FA 997/0001"},
		acks:      []string{"AK1*FA*000005*005010X230 AK2*997*0001 AK5*A AK9*A*1*1*1", "AK1*FA*000005*005010X230 AK2*997*0001 AK5*A AK9*A*1*1*1", "AK1*FA*000005*005010X230 AK2*997*0001 AK5*A AK9*A*1*1*1"}},
	{file: "997_stupidedi_accepted_backtick-sep_short-isa_BAD.x12",
		structure: []string{"FA 997/300044350"},
		warnings:  []string{"ISALength@35"},
		acks:      []string{"AK1*FA*300044351 AK2*997*300044350 AK5*A AK9*A*1*1*1"}},
}

func TestSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/*.x12")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, s := range samples {
		covered[s.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("testdata file %s has no entry in the samples table", filepath.Base(f))
		}
	}
	if len(samples) != len(files) {
		t.Errorf("samples table has %d entries, testdata has %d .x12 files", len(samples), len(files))
	}
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			data := readSample(t, s.file)
			ics, err := ParseAll(data)
			if s.fatal != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || !errors.Is(err, s.fatal) {
					t.Fatalf("ParseAll error = %v, want %v", err, s.fatal)
				}
				if se.Offset != s.offset {
					t.Errorf("error offset = %d, want %d (%v)", se.Offset, s.offset, err)
				}
				if len(ics) != 0 {
					t.Errorf("got %d interchanges before the fatal error, want 0", len(ics))
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAll: %v", err)
			}
			if diff := cmp.Diff(s.structure, describe(ics)); diff != "" {
				t.Errorf("structure mismatch (-want +got):\n%s", diff)
			}
			var warns, env, acks, ta1 []string
			for _, ic := range ics {
				a := AcknowledgeInterchange(ic)
				got := a.Status + " " + a.Note
				if a.Requested {
					got += " +"
				}
				ta1 = append(ta1, got)
				for _, w := range ic.Warnings {
					warns = append(warns, fmt.Sprintf("%s@%d", sentinelName(w.Err), w.Offset))
				}
				for _, e := range Validate(ic) {
					env = append(env, fmt.Sprintf("%s@%d", e.Code, e.Position))
				}
				for gi := range ic.Groups {
					acks = append(acks, ackText(ic, gi))
				}
			}
			if diff := cmp.Diff(s.warnings, warns); diff != "" {
				t.Errorf("ISA warnings mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.envelope, env); diff != "" {
				t.Errorf("envelope errors mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.acks, acks); diff != "" {
				t.Errorf("997 mismatch (-want +got):\n%s", diff)
			}
			wantTA1 := s.ta1
			if wantTA1 == nil {
				for range ics {
					wantTA1 = append(wantTA1, "A 000")
				}
			}
			if diff := cmp.Diff(wantTA1, ta1); diff != "" {
				t.Errorf("TA1 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip checks parse(serialize(parse(x))) == parse(x) for every
// file that parses.
func TestRoundTrip(t *testing.T) {
	for _, s := range samples {
		if s.fatal != nil {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			ics, err := ParseAll(readSample(t, s.file))
			if err != nil {
				t.Fatal(err)
			}
			out := SerializeAll(ics)
			again, err := ParseAll(out)
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, out)
			}
			if diff := cmp.Diff(ics, again, equivalent); diff != "" {
				t.Errorf("re-parsed interchange differs (-first +second):\n%s", diff)
			}
			if !strings.HasPrefix(string(out), "ISA"+ics[0].Delimiters.Element) {
				t.Errorf("output does not start with ISA and the partner's element separator: %.20q", out)
			}
		})
	}
}

// equivalent ignores where things were in the input.
var equivalent = cmp.Options{
	cmpopts.IgnoreFields(Segment{}, "Offset"),
	cmpopts.IgnoreFields(Interchange{}, "Offset", "End"),
	cmp.Comparer(func(a, b *SyntaxError) bool { return a.Err == b.Err && a.Detail == b.Detail }),
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return data
}
