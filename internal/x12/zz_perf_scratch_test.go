package x12

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Scratch snapshot of Tree for every sample (removed after the perf work).
func TestZZScratchTreeSnapshot(t *testing.T) {
	out := os.Getenv("ZZ_SNAP_FILE")
	if out == "" {
		t.Skip()
	}
	var b strings.Builder
	dirs := []string{"testdata", "../mapping/testdata/edi", "../formats/testdata/edi"}
	for _, d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			data, err := os.ReadFile(d + "/" + e.Name())
			if err != nil {
				continue
			}
			ics, _ := ParseAll(data)
			for _, ic := range ics {
				for _, g := range ic.Groups {
					for si := range g.Sets {
						j, err := json.Marshal(Tree(&g.Sets[si]))
						if err != nil {
							t.Fatal(err)
						}
						b.WriteString(d + "/" + e.Name() + "\n" + string(j) + "\n")
					}
				}
			}
		}
	}
	for _, n := range []int{0, 1, 50} {
		ics, _ := ParseAll(build850(n))
		j, _ := json.Marshal(Tree(&ics[0].Groups[0].Sets[0]))
		b.WriteString("build850\n" + string(j) + "\n")
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzZZTreeSame(f *testing.F) {
	for _, d := range []string{"testdata", "../mapping/testdata/edi"} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if b, err := os.ReadFile(d + "/" + e.Name()); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add(build850(3))
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*U*00401*000000001*0*P*>~\n"
	for _, body := range []string{
		"ST*856*1~HL*1**S~children*x~id*y~parent*z~HL*2*1*O~HL_tree*q~N1*ST*X~N1_loop*w~REF*A*B~set*1~control*2~SE*9*1~",
		"ST*850*1~set*a~control*b~N1_loop*c~N1*ST*X~N1_loop*d~PO1*1~N1_loop*e~PO1_loop*f~PO1*2~CTT*1~SE*9*1~",
		"ST*850*1~PO1*1~N1*ST~N3*A~PO1*2~N9*A~MSG*B~DTM*1~SLN*1~N1*BT~PO4*1~CTT*1~AMT*1~N1*ZZ~SE*9*1~",
		"ST*997*1~AK1*PO*1~AK2*850*1~AK3*N1*5~AK4*1~AK3*N2*6~AK5*A~AK2*850*2~AK9*A*1*1*1~SE*9*1~",
	} {
		f.Add([]byte(isa + "GS*PO*A*B*20240101*1200*1*X*004010~" + body + "GE*1*1~IEA*1*000000001~"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ics, _ := ParseAll(data)
		for _, ic := range ics {
			for gi := range ic.Groups {
				g := &ic.Groups[gi]
				for si := range g.Sets {
					// also try every set type on the same segments
					for _, id := range []string{"", "850", "855", "856", "810", "846", "940", "945", "997"} {
						set := g.Sets[si]
						if id != "" {
							set.ID = id
						}
						a, _ := json.Marshal(Tree(&set))
						b, _ := json.Marshal(zzOldTree(&set))
						if string(a) != string(b) {
							t.Fatalf("set %s: trees differ\nnew %s\nold %s", id, a, b)
						}
					}
				}
			}
		}
	})
}

func TestZZSeedIDs(t *testing.T) {
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*U*00401*000000001*0*P*>~\n"
	ics, err := ParseAll([]byte(isa + "GS*PO*A*B*20240101*1200*1*X*004010~ST*856*1~HL*1**S~children*x~set*1~SE*9*1~GE*1*1~IEA*1*000000001~"))
	j, _ := json.Marshal(Tree(&ics[0].Groups[0].Sets[0]))
	t.Log(err, string(j))
}
