package x12

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse feeds arbitrary bytes through the whole package: parse,
// validate, syntax check, tree, TA1, 997 and serialization. Nothing may panic,
// and whatever parses must survive a serialize/parse round trip.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.x12")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:\u2026\r\nGS*PO*A*B*20240101*1200*1*X*005010\u2026ST*850*0001\u2026HL*1*1*S\u2026SE*3*0001\u2026"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ics, _ := ParseAll(data)
		for _, ic := range ics {
			Validate(ic)
			for gi, a := range Acknowledge(ic, AckOptions{AcceptWithErrors: len(ic.Groups)%2 == 0}) {
				a.TransactionSet("0001")
				for si := range ic.Groups[gi].Sets {
					if _, err := json.Marshal(Tree(&ic.Groups[gi].Sets[si])); err != nil {
						t.Fatalf("tree does not marshal: %v", err)
					}
				}
			}
			ta1 := Serialize(BuildTA1(ic, AcknowledgeInterchange(ic), AckOptions{Time: time.Unix(0, 0).UTC(), InterchangeControl: 7}))
			if _, err := ParseAll(ta1); err != nil {
				t.Fatalf("TA1 does not parse: %v\n%q", err, ta1)
			}
			if ack, err := Build997(ic, AckOptions{Time: time.Unix(0, 0).UTC(), InterchangeControl: 7, GroupControl: 7}); err == nil {
				if _, err := ParseAll(Serialize(ack)); err != nil {
					t.Fatalf("997 does not parse: %v\n%q", err, Serialize(ack))
				}
			}
		}
		if len(ics) == 0 {
			return
		}
		out := SerializeAll(ics)
		again, err := ParseAll(out)
		if err != nil {
			t.Fatalf("re-parse of serialized output: %v\ninput  %q\noutput %q", err, data, out)
		}
		if sameInterchanges(ics, again) {
			return
		}
		t.Fatalf("round trip differs (-first +second):\n%s\ninput  %q\noutput %q", cmp.Diff(ics, again, equivalent), data, out)
	})
}
