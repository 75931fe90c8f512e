package x12

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var ackOpts = AckOptions{Time: time.Date(2024, 1, 2, 3, 4, 0, 0, time.UTC), InterchangeControl: 42, GroupControl: 77}

func build997(t *testing.T, file string, opts AckOptions) string {
	t.Helper()
	ic, err := Parse(readSample(t, file))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := Build997(ic, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := Serialize(ack)
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("997 does not parse: %v\n%s", err, out)
	}
	for _, e := range Validate(again) {
		t.Errorf("997 envelope: %v", e)
	}
	return string(out)
}

func TestBuild997(t *testing.T) {
	tests := []struct {
		file string
		opts AckOptions
		want string
	}{
		{"940_ediengine_control-number-mismatch_BAD.x12", ackOpts,
			"ISA*00*          *00*          *ZZ*123456789012345*ZZ*ABCDEFGHIJKLMNO*240102*0304*U*00400*000000042*0*P*>\n" +
				"GS*FA*3111350000*7705551212*20240102*0304*77*T*004010\n" +
				"ST*997*0001\nAK1*OW*3314\nAK2*940*0001\nAK5*R*3\nAK9*R*1*1*0*4\nSE*6*0001\n" +
				"GE*1*77\nIEA*1*000000042\n"},
		{"940_ediengine_two-groups_one-bad-n9_for-997.x12", ackOpts,
			"ISA*00*          *00*          *ZZ*WAREHOUSE      *ZZ*VENDOR         *240102*0304*U*00401*000000042*0*P*>\n" +
				"GS*FA*WAREHOUSE*VENDOR*20240102*0304*77*X*004010\n" +
				"ST*997*0001\nAK1*OW*9221\nAK2*940*20066\nAK5*A\nAK2*940*20067\nAK3*N9*7**8\nAK4*1*128*1\nAK5*R*5\nAK9*P*2*2*1\nSE*10*0001\n" +
				"GE*1*77\n" +
				"GS*FA*WAREHOUSE*VENDOR*20240102*0304*78*X*004010\n" +
				"ST*997*0001\nAK1*OW*9222\nAK2*940*20068\nAK5*A\nAK9*A*1*1*1\nSE*6*0001\n" +
				"GE*1*78\nIEA*2*000000042\n"},
		{"940_ediengine_two-groups_one-bad-n9_for-997.x12", AckOptions{Time: ackOpts.Time, InterchangeControl: 1, GroupControl: 1, AcceptWithErrors: true},
			"ISA*00*          *00*          *ZZ*WAREHOUSE      *ZZ*VENDOR         *240102*0304*U*00401*000000001*0*P*>\n" +
				"GS*FA*WAREHOUSE*VENDOR*20240102*0304*1*X*004010\n" +
				"ST*997*0001\nAK1*OW*9221\nAK2*940*20066\nAK5*A\nAK2*940*20067\nAK3*N9*7**8\nAK4*1*128*1\nAK5*E*5\nAK9*E*2*2*2\nSE*10*0001\n" +
				"GE*1*1\n" +
				"GS*FA*WAREHOUSE*VENDOR*20240102*0304*2*X*004010\n" +
				"ST*997*0001\nAK1*OW*9222\nAK2*940*20068\nAK5*A\nAK9*A*1*1*1\nSE*6*0001\n" +
				"GE*1*2\nIEA*2*000000001\n"},
		{"855_staedi_two-st_one-group.x12", ackOpts,
			"ISA*00*          *00*          *ZZ*ALEXANDRE0JACOB*ZZ*ALEXANDRE0JACOB*240102*0304*U*00401*000000042*0*T*^~\n" +
				"GS*FA*ALEXANDRE0JACOB*ALEXANDRE0JACOB*20240102*0304*77*X*004010~\n" +
				"ST*997*0001~\nAK1*PR*0001~\nAK2*855*0001~\nAK5*A~\nAK2*855*0002~\nAK5*A~\nAK9*A*2*2*2~\nSE*8*0001~\n" +
				"GE*1*77~\nIEA*1*000000042~\n"},
		{"850_stupidedi_003010_bang-terminator_short-isa_BAD.x12", ackOpts,
			"ISA*00*          *00*          *01*123456789PURT *01*054481205PURT *240102*0304*U*00200*000000042*0*P*@!\n" +
				"GS*FA*123456789*054481205*240102*0304*77*X*003010!\n" +
				"ST*997*0001!\nAK1*PO*1!\nAK2*850*0001!\nAK5*R*4!\nAK9*R*1*1*0!\nSE*6*0001!\n" +
				"GE*1*77!\nIEA*1*000000042!\n"},
		{"846_x12types_5010_minimal.x12", ackOpts,
			"ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *240102*0304*U*00501*000000042*0*P*>~\n" +
				"GS*FA*RECEIVER*SENDER*20240102*0304*77*X*005010~\n" +
				"ST*997*0001~\nAK1*IB*1*005010~\nAK2*846*0001~\nAK5*A~\nAK9*A*1*1*1~\nSE*6*0001~\n" +
				"GE*1*77~\nIEA*1*000000042~\n"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, build997(t, tt.file, tt.opts)); diff != "" {
				t.Errorf("997 (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuild997NeverAcknowledgesFA(t *testing.T) {
	ic, err := Parse(readSample(t, "997_staedi_5010_rejected_ak3_ak4.x12"))
	if err != nil {
		t.Fatal(err)
	}
	if ack, err := Build997(ic, ackOpts); !errors.Is(err, ErrNothingToAcknowledge) {
		t.Errorf("Build997 = %v, %v; want ErrNothingToAcknowledge", ack, err)
	}
}

func TestCheckSyntaxEdiEngineNotes(t *testing.T) {
	// EdiEngine's SyntaxNoteTests expect P0607 at 13, C0506 and P0607 at 30.
	got := CheckSyntax(firstSet(t, "850_ediengine_syntaxnote_errors_BAD.x12"))
	var notes []string
	for _, se := range got {
		for _, ee := range se.Elements {
			notes = append(notes, se.SegmentID+"@"+itoa(se.Position)+":"+ee.Rule)
		}
	}
	if diff := cmp.Diff([]string{"PO1@13:P0607", "PO4@30:C0506", "PO4@30:P0607"}, notes); diff != "" {
		t.Errorf("syntax notes (-want +got):\n%s", diff)
	}
}

func TestBuildTA1(t *testing.T) {
	ic, err := Parse(readSample(t, "940_ediengine_control-number-mismatch_BAD.x12"))
	if err != nil {
		t.Fatal(err)
	}
	a := AcknowledgeInterchange(ic)
	if !a.Needed() || a.Status != "E" || a.Note != "001" || len(a.Errors) != 1 || a.Errors[0].Segment != "IEA" {
		t.Errorf("acknowledgment %+v: want needed, E, 001, the IEA error", a)
	}
	out := Serialize(BuildTA1(ic, a, ackOpts))
	want := "ISA*00*          *00*          *ZZ*123456789012345*ZZ*ABCDEFGHIJKLMNO*240102*0304*U*00400*000000042*0*P*>\n" +
		"TA1*" + ic.ISA.ControlNumber + "*" + ic.ISA.Date + "*" + ic.ISA.Time + "*E*001\n" +
		"IEA*0*000000042\n"
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("TA1 interchange (-want +got):\n%s", diff)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("TA1 interchange does not parse: %v", err)
	}
	for _, e := range Validate(again) {
		t.Errorf("TA1 envelope: %v", e)
	}
	// A TA1 is not acknowledged in turn.
	again.ISA.AckRequested = "1"
	if a := AcknowledgeInterchange(again); a.Needed() || a.Status != "A" {
		t.Errorf("acknowledging a TA1: %+v, want nothing to send", a)
	}

	// A clean interchange needs no TA1 unless its sender asks for one.
	clean, err := Parse(readSample(t, "850_ediengine_sln_composite.x12"))
	if err != nil {
		t.Fatal(err)
	}
	if a := AcknowledgeInterchange(clean); a.Needed() {
		t.Errorf("clean interchange, ISA14 %q: TA1 needed", clean.ISA.AckRequested)
	}
	clean.ISA.AckRequested = "1"
	if a := AcknowledgeInterchange(clean); !a.Needed() || a.Status != "A" || a.Note != "000" {
		t.Errorf("ISA14 = 1: %+v, want a TA1 A 000", a)
	}
}
