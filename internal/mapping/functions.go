package mapping

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// FuncError is the error of a helper function: which function failed, on
// which input value, and why. Inside a program, `try ... catch .` receives
// it as {"function", "value", "message"}.
type FuncError struct {
	Func    string
	Input   any
	Message string // the whole message, starting with the function name
}

func (e *FuncError) Error() string { return e.Message }

// Value makes FuncError a gojq.ValueError, so try/catch sees an object.
func (e *FuncError) Value() any {
	return map[string]any{"function": e.Func, "value": e.Input, "message": e.Message}
}

func funcErr(fn string, v any, format string, args ...any) *FuncError {
	return &FuncError{Func: fn, Input: v, Message: fn + ": " + fmt.Sprintf(format, args...)}
}

// helpers returns the native helper functions as gojq compiler options.
// keys is the table of element keys "01".."99" shared by el and idpairs.
func helpers(keys *[100]string) []gojq.CompilerOption {
	return []gojq.CompilerOption{
		gojq.WithFunction("x12date", 0, 0, fnX12Date),
		gojq.WithFunction("x12time", 0, 0, fnX12Time),
		gojq.WithFunction("isodate", 0, 0, fnISODate),
		gojq.WithFunction("implied", 1, 1, fnImplied),
		gojq.WithFunction("decimal", 0, 0, fnDecimal),
		gojq.WithFunction("integer", 0, 0, fnInteger),
		gojq.WithFunction("gtin", 0, 1, func(v any, args []any) any { return gs1Arg("gtin", v, args) }),
		gojq.WithFunction("gln", 0, 1, func(v any, args []any) any { return gs1Arg("gln", v, args) }),
		gojq.WithFunction("sscc", 0, 1, func(v any, args []any) any { return gs1Arg("sscc", v, args) }),
		gojq.WithFunction("gs1valid", 0, 0, fnGS1Valid),
		gojq.WithFunction("el", 1, 2, func(v any, args []any) any { return fnEl(keys, v, args) }),
		gojq.WithFunction("idpairs", 2, 2, func(v any, args []any) any { return fnIDPairs(keys, v, args) }),
		gojq.WithFunction("compact", 0, 0, fnCompact),
		gojq.WithFunction("seg", 1, 1, fnSeg),
		gojq.WithFunction("opt", 1, 1, fnOpt),
		gojq.WithFunction("pack", 0, 0, func(v any, _ []any) any { return fnPack(keys, v) }),
		gojq.WithFunction("piddesc", 0, 0, func(v any, _ []any) any { return fnDescription(keys, v) }),
		gojq.WithIterFunction("segs", 1, 1, fnSegs),
		gojq.WithFunction("qty", 2, 2, fnQty),
		gojq.WithFunction("money", 2, 2, fnMoney),
		// Table-driven helpers; prelude.jq wraps them to pass $tables.
		gojq.WithFunction("_lookup", 2, 2, fnLookup),
		gojq.WithFunction("_gs1id", 4, 4, fnGS1ID),
		gojq.WithFunction("_x12id", 4, 4, fnX12ID),
		gojq.WithFunction("_itemids", 3, 3, func(v any, args []any) any { return fnItemIDs(keys, v, args) }),
	}
}

// fnOpt: opt($v) is null for null and "", else $v.
func fnOpt(_ any, args []any) any {
	if args[0] == "" {
		return nil
	}
	return args[0]
}

// fnSeg: seg(id) is the first segment with that ID in a set, loop or HL
// object, or null.
func fnSeg(v any, args []any) any {
	m, _ := v.(map[string]any)
	id, _ := args[0].(string)
	if list, ok := m[id].([]any); ok && len(list) > 0 {
		return list[0]
	}
	return nil
}

// fnSegs: segs(id) emits every segment with that ID (nothing when there
// is none or the input is not an object).
func fnSegs(v any, args []any) gojq.Iter {
	m, _ := v.(map[string]any)
	id, _ := args[0].(string)
	list, _ := m[id].([]any)
	return gojq.NewIter(list...)
}

// fnQty: qty($value; $unit) is {value: ($value | decimal), unit: $unit},
// or null when $value is null.
func fnQty(_ any, args []any) any {
	if args[0] == nil {
		return nil
	}
	d := fnDecimal(args[0], nil)
	if err, ok := d.(error); ok {
		return err
	}
	unit := args[1]
	if unit == "" {
		unit = nil
	}
	return map[string]any{"value": d, "unit": unit}
}

// fnMoney: money($amount; $currency) is {amount: ($amount | decimal),
// currency: $currency}, or null when $amount is null.
func fnMoney(_ any, args []any) any {
	if args[0] == nil {
		return nil
	}
	d := fnDecimal(args[0], nil)
	if err, ok := d.(error); ok {
		return err
	}
	return map[string]any{"amount": d, "currency": args[1]}
}

// table returns the named table of $tables, or an error naming it.
func table(tables any, name any) (map[string]any, error) {
	t, _ := tables.(map[string]any)
	n, _ := name.(string)
	tab, ok := t[n].(map[string]any)
	if !ok {
		return nil, funcErr("lookup", name, "no table %q in this adapter's tables", fmt.Sprint(name))
	}
	return tab, nil
}

// fnLookup: _lookup($tables; $name) on a code is the table entry or null.
func fnLookup(v any, args []any) any {
	tab, err := table(args[0], args[1])
	if err != nil {
		return err
	}
	switch k := v.(type) {
	case nil:
		return nil
	case string:
		return tab[k]
	default:
		return tab[fmt.Sprint(k)]
	}
}

// flagPolicy returns true when $tables.policy.checkDigits is "flag".
func flagPolicy(tables any) bool {
	t, _ := tables.(map[string]any)
	p, _ := t["policy"].(map[string]any)
	return p["checkDigits"] == "flag"
}

// fnGS1ID: _gs1id($tables; $kind; $value; $qualifier) is a gtin, gln or
// sscc identifier. Under policy checkDigits "flag" a wrong check digit is
// kept (normalised) with checkDigitValid: false; otherwise it is an error.
func fnGS1ID(_ any, args []any) any {
	kind, _ := args[1].(string)
	return gs1ID(kind, args[1], args[2], args[3], flagPolicy(args[0]))
}

// gs1ID builds a gtin, gln or sscc identifier; kindV is kind as the
// caller holds it boxed (reused for "scheme").
func gs1ID(kind string, kindV, value, qualifier any, flag bool) any {
	if kind != "gtin" && kind != "gln" && kind != "sscc" {
		return funcErr("gs1id", kind, "kind must be gtin, gln or sscc, got %v", kind)
	}
	n := gs1Norm(kind, value, !flag)
	if n == nil || isError(n) {
		return n
	}
	id := make(map[string]any, 4)
	id["scheme"] = kindV
	id["value"] = n
	if q, ok := qualifier.(string); ok && q != "" {
		id["qualifier"] = qualifier
	}
	if flag && !gs1Valid(n.(string)) {
		id["checkDigitValid"] = false
	}
	return id
}

func isError(v any) bool {
	_, ok := v.(error)
	return ok
}

// fnX12ID: _x12id($tables; $table; $qualifier; $value) is an identifier
// whose scheme is looked up in $table; gtin, gln and sscc are normalised
// (gs1id); an unknown qualifier keeps its code as "x12:<code>".
func fnX12ID(_ any, args []any) any {
	tab, err := table(args[0], args[1])
	if err != nil {
		return err
	}
	return x12ID(tab, args[2], args[3], flagPolicy(args[0]))
}

func x12ID(tab map[string]any, qualifier, value any, flag bool) any {
	q, _ := qualifier.(string)
	schemeV := tab[q] // the table's boxed string: reused, not boxed again
	scheme, _ := schemeV.(string)
	switch scheme {
	case "gtin", "gln", "sscc":
		return gs1ID(scheme, schemeV, value, qualifier, flag)
	case "":
		if q == "" {
			schemeV = "x12:unqualified"
		} else {
			schemeV = "x12:" + q
		}
	}
	id := make(map[string]any, 3)
	id["scheme"] = schemeV
	if value != nil {
		id["value"] = value
	}
	if q != "" {
		id["qualifier"] = qualifier
	}
	return id
}

// fnItemIDs: _itemids($tables; $first; $last) on a segment is the array of
// identifiers of its qualifier/value pairs, schemes from itemQualifiers.
func fnItemIDs(keys *[100]string, v any, args []any) any {
	tab, err := table(args[0], "itemQualifiers")
	if err != nil {
		return err
	}
	if v == nil {
		return []any{}
	}
	seg, ok := v.(map[string]any)
	if !ok {
		return funcErr("itemids", v, "expected a segment object, got %s", typeName(v))
	}
	first, ok1 := gojq.ToInt(args[1])
	last, ok2 := gojq.ToInt(args[2])
	if !ok1 || !ok2 || first < 1 || last > 99 || first >= last {
		return funcErr("itemids", v, "want element numbers 1 <= first < last <= 99, got %v and %v", args[1], args[2])
	}
	flag := flagPolicy(args[0])
	var buf [8]any // one pass, then a slice of the exact length
	list := buf[:0]
	for i := first; i+1 <= last; i += 2 {
		val := component(seg[keys[i+1]], 1)
		if val == nil {
			continue
		}
		id := x12ID(tab, component(seg[keys[i]], 1), val, flag)
		if isError(id) {
			return id
		}
		list = append(list, id)
	}
	return append(make([]any, 0, len(list)), list...)
}

// fnPack: on a PO4 segment, the canonical Pack: inner packs (PO401),
// size (PO402/PO403), packaging code (PO404), gross weight (PO406/PO407)
// and gross volume (PO408/PO409) per pack; null for null.
func fnPack(keys *[100]string, v any) any {
	if v == nil {
		return nil
	}
	seg, ok := v.(map[string]any)
	if !ok {
		return funcErr("pack", v, "expected a PO4 segment object, got %s", typeName(v))
	}
	el := func(n int) any { return component(seg[keys[n]], 1) }
	out := make(map[string]any, 5)
	if p := el(1); p != nil {
		d := fnDecimal(p, nil)
		if isError(d) {
			return d
		}
		out["innerPacks"] = d
	}
	for _, q := range []struct {
		key         string
		value, unit int
	}{{"size", 2, 3}, {"grossWeight", 6, 7}, {"grossVolume", 8, 9}} {
		if el(q.value) == nil {
			continue
		}
		qty := fnQty(nil, []any{el(q.value), el(q.unit)})
		if isError(qty) {
			return qty
		}
		out[q.key] = qty
	}
	if c := el(4); c != nil {
		out["packagingCode"] = c
	}
	return out
}

// fnDescription: on a loop object, element 05 of the first PID whose
// PID01 is F (free-form description), or null.
func fnDescription(keys *[100]string, v any) any {
	m, _ := v.(map[string]any)
	pids, _ := m["PID"].([]any)
	for _, p := range pids {
		seg, _ := p.(map[string]any)
		if component(seg[keys[1]], 1) == "F" {
			if d := component(seg[keys[5]], 1); d != nil {
				return d
			}
		}
	}
	return nil
}

// text returns the string input of a helper; ok is false for null and "".
func text(fn string, v any) (string, bool, error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		s := strings.TrimSpace(x)
		return s, s != "", nil
	}
	return "", false, funcErr(fn, v, "expected a string, got %s", typeName(v))
}

// fnX12Date: "CCYYMMDD" or "YYMMDD" -> "YYYY-MM-DD". Six-digit years use a
// fixed century window: 00-49 are 2000-2049, 50-99 are 1950-1999. null and
// "" give null.
func fnX12Date(v any, _ []any) any {
	s, ok, err := text("x12date", v)
	if !ok {
		return errOrNil(err)
	}
	if !allDigits(s) || (len(s) != 8 && len(s) != 6) {
		return funcErr("x12date", v, "%q is not a date: want CCYYMMDD or YYMMDD", s)
	}
	var y int
	if len(s) == 6 {
		yy, _ := strconv.Atoi(s[:2])
		if yy < 50 {
			y = 2000 + yy
		} else {
			y = 1900 + yy
		}
		s = s[2:]
	} else {
		y, _ = strconv.Atoi(s[:4])
		s = s[4:]
	}
	m, _ := strconv.Atoi(s[:2])
	d, _ := strconv.Atoi(s[2:4])
	if !validDate(y, m, d) {
		return funcErr("x12date", v, "%q is not a calendar date", v)
	}
	return isoDate(y, m, d)
}

// isoDate formats a date as YYYY-MM-DD (fmt.Sprintf("%04d-%02d-%02d")
// for years 0-9999, without fmt's cost).
func isoDate(y, m, d int) string {
	b := [10]byte{'0' + byte(y/1000%10), '0' + byte(y/100%10), '0' + byte(y/10%10), '0' + byte(y%10), '-',
		'0' + byte(m/10), '0' + byte(m%10), '-', '0' + byte(d/10), '0' + byte(d%10)}
	return string(b[:])
}

// fnISODate: "YYYY-MM-DD" or "YYYYMMDD" -> "YYYY-MM-DD", checked.
func fnISODate(v any, _ []any) any {
	s, ok, err := text("isodate", v)
	if !ok {
		return errOrNil(err)
	}
	c := strings.ReplaceAll(s, "-", "")
	if len(c) != 8 || !allDigits(c) || (len(s) == 10 && (s[4] != '-' || s[7] != '-')) || (len(s) != 8 && len(s) != 10) {
		return funcErr("isodate", v, "%q is not a date: want YYYY-MM-DD", s)
	}
	y, _ := strconv.Atoi(c[:4])
	m, _ := strconv.Atoi(c[4:6])
	d, _ := strconv.Atoi(c[6:])
	if !validDate(y, m, d) {
		return funcErr("isodate", v, "%q is not a calendar date", s)
	}
	if x, _ := v.(string); x == s && len(s) == 10 {
		return v // already YYYY-MM-DD: no new box
	}
	return isoDate(y, m, d)
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return d <= days
}

// fnX12Time: "HHMM" -> "HH:MM", "HHMMSS" -> "HH:MM:SS", "HHMMSSd..." ->
// "HH:MM:SS.d...".
func fnX12Time(v any, _ []any) any {
	s, ok, err := text("x12time", v)
	if !ok {
		return errOrNil(err)
	}
	if !allDigits(s) || (len(s) != 4 && len(s) < 6) || len(s) > 8 {
		return funcErr("x12time", v, "%q is not a time: want HHMM, HHMMSS or HHMMSSd[d]", s)
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[2:4])
	if h > 23 || m > 59 {
		return funcErr("x12time", v, "%q is not a time of day", s)
	}
	out := s[:2] + ":" + s[2:4]
	if len(s) >= 6 {
		if sec, _ := strconv.Atoi(s[4:6]); sec > 59 {
			return funcErr("x12time", v, "%q is not a time of day", s)
		}
		out += ":" + s[4:6]
		if len(s) > 6 {
			out += "." + s[6:]
		}
	}
	return out
}

// fnImplied reads an X12 "Nn" value (digits with n implied decimals, an
// optional minus sign) as a decimal string: "255438" | implied(2) is
// "2554.38", "5" | implied(2) is "0.05". A value with a decimal point is
// an error (the sender confused an N2 field with an R field).
func fnImplied(v any, args []any) any {
	n, ok := gojq.ToInt(args[0])
	if !ok || n < 0 || n > 18 {
		return funcErr("implied", v, "the number of decimals must be an integer from 0 to 18, got %v", args[0])
	}
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return nil
		}
	case int:
		s = strconv.Itoa(x)
	case json.Number:
		s = x.String()
	default:
		return funcErr("implied", v, "expected digits as a string, got %s", typeName(v))
	}
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	if strings.Contains(digits, ".") {
		return funcErr("implied", v, "%q has a decimal point, but this element carries %d implied decimals", s, n)
	}
	if digits == "" || !allDigits(digits) {
		return funcErr("implied", v, "%q is not a number with implied decimals", s)
	}
	for len(digits) <= n {
		digits = "0" + digits
	}
	intPart, frac := digits[:len(digits)-n], digits[len(digits)-n:]
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if n > 0 {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

// fnDecimal normalises a number to a canonical decimal string: a string
// such as "0012.50", ".5", "+3" or "5." ("12.50", "0.5", "3", "5"; trailing
// zeros are kept), an integer, a JSON number (every digit kept) or a float.
func fnDecimal(v any, _ []any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return nil
		}
		d, ok := normDecimal(s)
		if !ok {
			return funcErr("decimal", v, "%q is not a decimal number", s)
		}
		if d == x {
			return v // already canonical: no new box
		}
		return d
	case int:
		return strconv.Itoa(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return funcErr("decimal", v, "%v is not a finite number", x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *big.Int:
		return x.String()
	case json.Number:
		s := x.String()
		if d, ok := normDecimal(s); ok {
			return d
		}
		f, ok := new(big.Float).SetPrec(256).SetString(s)
		if !ok || f.IsInf() {
			return funcErr("decimal", v, "%s is not a finite number", s)
		}
		return f.Text('f', -1)
	}
	return funcErr("decimal", v, "expected a number or a numeric string, got %s", typeName(v))
}

// normDecimal accepts [+-]digits[.digits] (either side may be empty, not
// both) and returns it without a plus sign and without leading zeros.
func normDecimal(s string) (string, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if (intPart == "" && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if hasPoint && frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, true
}

// fnInteger reads a whole number ("045" -> 45).
func fnInteger(v any, _ []any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return funcErr("integer", v, "%q is not a whole number", s)
		}
		return n
	case json.Number:
		n, err := strconv.Atoi(x.String())
		if err != nil {
			return funcErr("integer", v, "%s is not a whole number", x)
		}
		return n
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return funcErr("integer", v, "%v is not a whole number", x)
		}
		return int(x)
	}
	return funcErr("integer", v, "expected a whole number, got %s", typeName(v))
}

// gs1Arg implements gtin, gln and sscc. With no argument or true the GS1
// mod-10 check digit is verified; with false only the form is checked and
// normalised (use gs1valid to test the check digit separately).
func gs1Arg(kind string, v any, args []any) any {
	verify := true
	if len(args) == 1 {
		b, ok := args[0].(bool)
		if !ok {
			return funcErr(kind, v, "the argument must be true or false (verify the check digit), got %v", args[0])
		}
		verify = b
	}
	return gs1Norm(kind, v, verify)
}

// gs1Norm normalises a GS1 key and, with verify, checks its check digit.
// null and "" give null.
func gs1Norm(kind string, v any, verify bool) any {
	s, ok, err := text(kind, v)
	if !ok {
		return errOrNil(err)
	}
	norm, problem := normGS1(kind, s)
	if problem != "" {
		return funcErr(kind, v, "%q is not %s", s, problem)
	}
	if verify {
		if want := checkDigit(norm[:len(norm)-1]); norm[len(norm)-1] != want {
			return funcErr(kind, v, "%q has check digit %c, but the GS1 check digit is %c", s, norm[len(norm)-1], want)
		}
	}
	if x, _ := v.(string); x == norm {
		return v // already normalised: no new box
	}
	return norm
}

func normGS1(kind, s string) (string, string) {
	if !allDigits(s) {
		return "", map[string]string{
			"gtin": "a GTIN: it must be 8, 12, 13 or 14 digits",
			"gln":  "a GLN: it must be 13 digits",
			"sscc": "an SSCC: it must be 18 digits (or 20 starting with the AI 00)",
		}[kind]
	}
	switch kind {
	case "gtin":
		switch len(s) {
		case 8, 12, 13, 14:
			return strings.Repeat("0", 14-len(s)) + s, ""
		}
		return "", "a GTIN: it must be 8, 12, 13 or 14 digits"
	case "gln":
		if len(s) == 13 {
			return s, ""
		}
		return "", "a GLN: it must be 13 digits"
	default:
		if len(s) == 20 && strings.HasPrefix(s, "00") {
			s = s[2:]
		}
		if len(s) == 18 {
			return s, ""
		}
		return "", "an SSCC: it must be 18 digits (or 20 starting with the AI 00)"
	}
}

// checkDigit computes the GS1 mod-10 check digit of body: weights 3, 1,
// 3, ... starting from the rightmost digit.
func checkDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// fnGS1Valid reports whether a digit string ends with a correct GS1 check
// digit (any length from 2); false for anything else.
func fnGS1Valid(v any, _ []any) any {
	s, ok := v.(string)
	return ok && gs1Valid(s)
}

func gs1Valid(s string) bool {
	return len(s) >= 2 && allDigits(s) && s[len(s)-1] == checkDigit(s[:len(s)-1])
}

// elementKey returns the segment object key of element n ("01".."99").
func elementKey(keys *[100]string, n any) (string, bool) {
	switch x := n.(type) {
	case string:
		return x, true
	default:
		i, ok := gojq.ToInt(n)
		if !ok || i < 1 || i > 99 {
			return "", false
		}
		return keys[i], true
	}
}

// fnEl: on a segment object, el(n) is element n (its first component when
// composite) and el(n; c) component c; null when absent or empty.
func fnEl(keys *[100]string, v any, args []any) any {
	if v == nil {
		return nil
	}
	seg, ok := v.(map[string]any)
	if !ok {
		return funcErr("el", v, "expected a segment object, got %s", typeName(v))
	}
	k, ok := elementKey(keys, args[0])
	if !ok {
		return funcErr("el", v, "element number must be 1-99 or a key such as \"01\", got %v", args[0])
	}
	c := 1
	if len(args) == 2 {
		if c, ok = gojq.ToInt(args[1]); !ok || c < 1 {
			return funcErr("el", v, "component number must be 1 or more, got %v", args[1])
		}
	}
	return component(seg[k], c)
}

// component returns component c of element value e (a string or an array
// of components), or nil when absent or empty. It returns the interface
// value it found, so no string is boxed again (an allocation per call).
func component(e any, c int) any {
	switch x := e.(type) {
	case string:
		if c == 1 && x != "" {
			return e
		}
	case []any:
		if c <= len(x) {
			if s, _ := x[c-1].(string); s != "" {
				return x[c-1]
			}
		}
	}
	return nil
}

// fnIDPairs: on a segment object, idpairs(first; last) is the array of
// {"qualifier", "value"} for the element pairs (first, first+1),
// (first+2, first+3) ... up to last, skipping pairs without a value. A
// value without qualifier gets "qualifier": null.
func fnIDPairs(keys *[100]string, v any, args []any) any {
	if v == nil {
		return []any{}
	}
	seg, ok := v.(map[string]any)
	if !ok {
		return funcErr("idpairs", v, "expected a segment object, got %s", typeName(v))
	}
	first, ok1 := gojq.ToInt(args[0])
	last, ok2 := gojq.ToInt(args[1])
	if !ok1 || !ok2 || first < 1 || last > 99 || first >= last {
		return funcErr("idpairs", v, "want element numbers 1 <= first < last <= 99, got %v and %v", args[0], args[1])
	}
	var out []any
	for i := first; i+1 <= last; i += 2 {
		val := component(seg[keys[i+1]], 1)
		if val == nil {
			continue
		}
		out = append(out, map[string]any{"qualifier": component(seg[keys[i]], 1), "value": val})
	}
	if out == nil {
		return []any{}
	}
	return out
}

// fnCompact drops the null, [] and {} members of an object (one level).
func fnCompact(v any, _ []any) any {
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil
		}
		return funcErr("compact", v, "expected an object, got %s", typeName(v))
	}
	drop := 0
	for _, x := range m {
		if empty(x) {
			drop++
		}
	}
	if drop == 0 {
		return m
	}
	out := make(map[string]any, len(m)-drop)
	for k, x := range m {
		if !empty(x) {
			out[k] = x
		}
	}
	return out
}

func empty(x any) bool {
	switch y := x.(type) {
	case nil:
		return true
	case []any:
		return len(y) == 0
	case map[string]any:
		return len(y) == 0
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errOrNil(err error) any {
	if err != nil {
		return err
	}
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case int, float64, *big.Int, json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
