package x12

import (
	"fmt"
	"strings"
	"testing"
)

// build850 returns an 850 interchange with n PO1 lines (PO1, PID, PO4
// each), about 3n+12 segments.
func build850(n int) []byte {
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*BUYER          *ZZ*SELLER         *240101*1200*U*00401*000000001*0*P*>~\n")
	b.WriteString("GS*PO*BUYER*SELLER*20240101*1200*1*X*004010~\n")
	b.WriteString("ST*850*0001~\nBEG*00*SA*PO123**20240101~\nREF*DP*038~\nDTM*002*20240115~\n")
	b.WriteString("N1*ST*STORE 12*92*0012~\nN3*1 MAIN ST~\nN4*SPRINGFIELD*IL*62701*US~\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "PO1*%d*%d*EA*9.25*PE*UP*0123456789%02d*VN*AB%04d~\n", i, i*3, i%100, i)
		fmt.Fprintf(&b, "PID*F****WIDGET NUMBER %d~\n", i)
		b.WriteString("PO4*4*4*EA*PLT94**3*LR*15*CT~\n")
	}
	fmt.Fprintf(&b, "CTT*%d~\nSE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", n, 3*n+9)
	return []byte(b.String())
}

func BenchmarkParse850(b *testing.B) {
	data := build850(50)
	if ics, err := ParseAll(data); err != nil || len(Validate(ics[0])) != 0 {
		b.Fatalf("benchmark input is not clean: %v %v", err, Validate(ics[0]))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseAll(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTree850(b *testing.B) {
	ics, err := ParseAll(build850(50))
	if err != nil {
		b.Fatal(err)
	}
	set := &ics[0].Groups[0].Sets[0]
	b.ReportAllocs()
	for b.Loop() {
		Tree(set)
	}
}
