package mapping

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/formats"
)

// gtin12 returns a valid GTIN-12 built from n.
func gtin12(n int) string {
	body := fmt.Sprintf("06141410%03d", n%1000)
	return body + string(checkDigit(body))
}

// x12With850Lines builds one interchange holding one 850 with n PO1 lines
// (each with PID and PO4), three N1 loops and the usual header segments.
func x12With850Lines(n int) []byte {
	var seg []string
	add := func(s string) { seg = append(seg, s) }
	add("ST*850*0001")
	add("BEG*00*SA*4500012345**20240301")
	add("CUR*BY*USD")
	add("REF*DP*038")
	add("REF*IA*0000100183")
	add("ITD*14*3*2**45**46")
	add("DTM*002*20240315")
	add("TD5*A*2*UPSN**UPS GROUND")
	add("N1*ST*ACME DC 12*UL*0614141000012")
	add("N3*31875 SOLON RD")
	add("N4*SOLON*OH*44139*US")
	add("N1*BT*ACME INC*92*1000")
	add("N3*PO BOX 1")
	add("N4*CLEVELAND*OH*44101*US")
	add("N1*SU*WIDGETS LTD*92*V-77")
	for i := 1; i <= n; i++ {
		add(fmt.Sprintf("PO1*%d*%d*EA*%d.25*PE*UP*%s*VN*AB%04d*BP*SKU-%d", i, 10+i, i, gtin12(i), i, i))
		add(fmt.Sprintf("PID*F****WIDGET MODEL %d", i))
		add("PO4*4*6*EA")
	}
	add(fmt.Sprintf("CTT*%d", n))
	add(fmt.Sprintf("SE*%d*0001", len(seg)+1))
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*ACME           *ZZ*CROSSDOCK      *240301*1200*U*00401*000000001*0*P*>~\n")
	b.WriteString("GS*PO*ACME*CROSSDOCK*20240301*1200*1*X*004010~\n")
	for _, s := range seg {
		b.WriteString(s + "~\n")
	}
	b.WriteString("GE*1*1~\nIEA*1*000000001~\n")
	return []byte(b.String())
}

func TestBenchmarkInputsMap(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	r := templateMapper(t, c, v, "x12-850-004010").Run(context.Background(), x12With850Lines(50))
	if err := r.Err(); err != nil || len(r.Documents) != 1 || at(r.Documents[0], "/lines#") != 50 {
		t.Fatalf("850: %v, %d documents", err, len(r.Documents))
	}
	if got := at(r.Documents[0], "/lines/49/itemIds/0/value"); got != "00"+gtin12(50) {
		t.Errorf("GTIN of line 50 = %v", got)
	}
	r = templateMapper(t, c, v, "csv-order-lines").Run(context.Background(), csvLines(500))
	if err := r.Err(); err != nil || len(r.Documents) != 50 {
		t.Fatalf("csv: %v, %d documents", err, len(r.Documents))
	}
}

func BenchmarkParseMapValidate850(b *testing.B) {
	c := newCompiler(b)
	v := newValidator(b)
	m := templateMapper(b, c, v, "x12-850-004010")
	data := x12With850Lines(50)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r := m.Run(ctx, data)
		if len(r.Errors) != 0 || len(r.Documents) != 1 {
			b.Fatal(r.Err())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// csvLines builds n order lines, ten per PO number.
func csvLines(n int) []byte {
	var b strings.Builder
	b.WriteString("po_number,order_date,line,gtin,buyer_sku,description,qty,uom,unit_price,currency,ship_to_gln\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "PO-%04d,2024-03-01,%d,%s,SKU-%d,\"Widget, model %d\",%d,EA,%d.50,USD,0614141000012\n",
			i/10, i%10+1, gtin12(i), i, i, i%7+1, i%90+1)
	}
	return []byte(b.String())
}

func BenchmarkCSV500(b *testing.B) {
	c := newCompiler(b)
	v := newValidator(b)
	m := templateMapper(b, c, v, "csv-order-lines")
	data := csvLines(500)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r := m.Run(ctx, data)
		if len(r.Errors) != 0 || len(r.Documents) != 50 {
			b.Fatal(r.Err())
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "lines/s")
}

// The three stages of BenchmarkParseMapValidate850 on their own.

func BenchmarkStage850Parse(b *testing.B) {
	data := x12With850Lines(50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := formats.Parse("x12", data, formats.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStage850Map(b *testing.B) {
	m := templateMapper(b, newCompiler(b), newValidator(b), "x12-850-004010")
	docs, err := formats.Parse("x12", x12With850Lines(50), formats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.MapDocument(ctx, docs[0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStage850Validate(b *testing.B) {
	v := newValidator(b)
	m := templateMapper(b, newCompiler(b), v, "x12-850-004010")
	docs, _ := formats.Parse("x12", x12With850Lines(50), formats.Options{})
	outs, err := m.MapDocument(context.Background(), docs[0])
	if err != nil {
		b.Fatal(err)
	}
	s, _ := v.Schema("Order")
	b.Run("checker", func(b *testing.B) {
		c := canonical.NewChecker(s)
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Validate(outs[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Validate(outs[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStage850MapFloor is the lower bound of the map stage on this
// data model: the 50 order lines of BenchmarkStage850Map built by plain Go
// calls to the same native helpers (qty, money, itemids, piddesc, pack),
// with no interpreter in between and no header fields. It shows how much
// of the map stage is the work of building map[string]any documents,
// which gojq requires, and how much is the jq program.
func BenchmarkStage850MapFloor(b *testing.B) {
	c := newCompiler(b)
	m := templateMapper(b, c, newValidator(b), "x12-850-004010")
	docs, err := formats.Parse("x12", x12With850Lines(50), formats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	set := docs[0].(map[string]any)["set"].(map[string]any)
	loops := set["PO1_loop"].([]any)
	itemArgs := []any{m.tables, 6, 25}
	b.ReportAllocs()
	for b.Loop() {
		lines := make([]any, 0, len(loops))
		for _, l := range loops {
			loop := l.(map[string]any)
			po1 := fnSeg(loop, []any{"PO1"})
			el := func(n int) any { return fnEl(c.keys, po1, []any{n}) }
			line := map[string]any{
				"lineNumber":  el(1),
				"quantity":    fnQty(nil, []any{el(2), el(3)}),
				"unitPrice":   fnMoney(nil, []any{el(4), "USD"}),
				"priceBasis":  el(5),
				"itemIds":     fnItemIDs(c.keys, po1, itemArgs),
				"description": fnDescription(c.keys, loop),
				"pack":        fnPack(c.keys, fnSeg(loop, []any{"PO4"})),
				"position":    po1.(map[string]any)["pos"],
			}
			lines = append(lines, fnCompact(line, nil))
		}
		if len(lines) != 50 || len(lines[49].(map[string]any)["itemIds"].([]any)) != 3 {
			b.Fatalf("floor mapping built %d lines", len(lines))
		}
	}
}
