package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// doc is one parsed schema document.
type doc struct {
	root    any
	anchors map[string]string // $anchor / $dynamicAnchor name -> JSON Pointer
}

// parseSchema decodes a schema document; numbers are kept as json.Number.
func parseSchema(b []byte) (*doc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: unexpected data after the schema")
	}
	switch v.(type) {
	case map[string]any, bool:
	default:
		return nil, fmt.Errorf("a schema must be a JSON object or boolean, got %s", jsonTypeName(v))
	}
	d := &doc{root: v, anchors: map[string]string{}}
	d.collectAnchors(v, "")
	return d, nil
}

// collectAnchors records the first occurrence (in sorted key order) of each
// anchor name.
func (d *doc) collectAnchors(node any, ptr string) {
	switch x := node.(type) {
	case map[string]any:
		for _, kw := range []string{"$anchor", "$dynamicAnchor"} {
			if a, ok := x[kw].(string); ok {
				if _, seen := d.anchors[a]; !seen {
					d.anchors[a] = ptr
				}
			}
		}
		for _, k := range sortedKeys(x) {
			d.collectAnchors(x[k], ptr+"/"+escapeToken(k))
		}
	case []any:
		for i, e := range x {
			d.collectAnchors(e, ptr+"/"+strconv.Itoa(i))
		}
	}
}

// lookup resolves a local reference. It returns the target node and its
// canonical JSON Pointer.
func (d *doc) lookup(ref string) (any, string, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, "", false
	}
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	if frag == "" {
		return d.root, "", true
	}
	if !strings.HasPrefix(frag, "/") {
		p, ok := d.anchors[frag]
		if !ok {
			return nil, "", false
		}
		frag = p
		if frag == "" {
			return d.root, "", true
		}
	}
	node := d.root
	var out strings.Builder
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := node.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, "", false
			}
			node = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) || strconv.Itoa(i) != tok {
				return nil, "", false
			}
			node = x[i]
		default:
			return nil, "", false
		}
		out.WriteByte('/')
		out.WriteString(escapeToken(tok))
	}
	return node, out.String(), true
}

// layer is one schema object taking part in a view: the schema itself, then
// the targets of its $ref chain.
type layer struct {
	m   map[string]any
	ptr string
}

// view is a subschema with its local $ref chain resolved.
type view struct {
	// start is the pointer the view was built from. For a keyword absent
	// from the schema it is the pointer the keyword would have, and the view
	// is the `true` schema.
	start string
	// key identifies the content of the view for memoisation and cycle
	// detection (see viewKey).
	key string
	// home is the pointer of the innermost schema object of the chain, where
	// absent keywords would live.
	home       string
	falsy      bool // the boolean schema false (somewhere in the chain)
	layers     []layer
	unresolved []string // $ref values that could not be resolved locally
}

// view builds the view of node, found at ptr. A nil node (absent keyword or
// JSON null) and any non-schema value behave like the `true` schema.
func (d *doc) view(node any, ptr string) view {
	v := d.resolve(node, ptr)
	v.key = v.viewKey()
	return v
}

func (d *doc) resolve(node any, ptr string) view {
	v := view{start: ptr, home: ptr}
	var seen map[string]bool
	for {
		switch s := node.(type) {
		case bool:
			v.falsy = !s
			return v
		case map[string]any:
			v.layers = append(v.layers, layer{m: s, ptr: ptr})
			v.home = ptr
			ref, isRef := s["$ref"].(string)
			if !isRef {
				ref, isRef = s["$dynamicRef"].(string)
			}
			if !isRef {
				return v
			}
			target, tptr, ok := d.lookup(ref)
			if !ok {
				v.unresolved = append(v.unresolved, ref)
				return v
			}
			if seen == nil {
				seen = map[string]bool{ptr: true}
			}
			if seen[tptr] {
				// A reference chain that loops back on itself adds nothing.
				return v
			}
			seen[tptr] = true
			node, ptr = target, tptr
		default:
			return v
		}
	}
}

// viewKey identifies the content of a view; a schema object that only
// redirects (a bare "$ref", possibly with $defs or $id) is identified by its
// target. Keys are taken from a finite set (pointers to schema objects of the
// document, or one level below them), which bounds the walk even when one
// side loops through references and the other is `true`.
func (v view) viewKey() string {
	if len(v.layers) == 0 {
		// Boolean or absent schema. Its keywords all point at the schema
		// itself (see get), so start is one level at most below a real
		// schema object and the set of such keys is finite too.
		if v.falsy {
			return "F@" + v.start
		}
		return "T@" + v.start
	}
	var b strings.Builder
	for i, l := range v.layers {
		if i == len(v.layers)-1 || !redirectOnly(l.m) {
			b.WriteString(l.ptr)
			b.WriteByte(0)
		}
	}
	if v.falsy {
		b.WriteString("F")
	}
	return b.String()
}

// redirectOnly reports whether a schema object has no keyword of its own
// besides a reference and identification or storage keywords.
func redirectOnly(m map[string]any) bool {
	for k := range m {
		switch k {
		case "$ref", "$dynamicRef", "$defs", "definitions", "$schema", "$id", "$anchor", "$dynamicAnchor", "$vocabulary":
		default:
			return false
		}
	}
	return true
}

// get returns a keyword of the view, the first layer defining it winning, and
// the pointer of the keyword (where it would be when absent).
func (v view) get(kw string) (any, string, bool) {
	for _, l := range v.layers {
		if val, ok := l.m[kw]; ok {
			return val, l.ptr + "/" + escapeToken(kw), true
		}
	}
	if len(v.layers) == 0 {
		// Nothing below a boolean or absent schema exists: point at it.
		return nil, v.home, false
	}
	return nil, v.home + "/" + escapeToken(kw), false
}

// object returns a keyword whose value is a JSON object.
func (v view) object(kw string) (map[string]any, string) {
	val, ptr, _ := v.get(kw)
	m, _ := val.(map[string]any)
	return m, ptr
}

// array returns a keyword whose value is a JSON array.
func (v view) array(kw string) ([]any, string, bool) {
	val, ptr, _ := v.get(kw)
	a, ok := val.([]any)
	return a, ptr, ok
}

// stringSet returns a keyword whose value is an array of strings.
func (v view) stringSet(kw string) (map[string]bool, string) {
	a, ptr, _ := v.array(kw)
	set := map[string]bool{}
	for _, e := range a {
		if s, ok := e.(string); ok {
			set[s] = true
		}
	}
	return set, ptr
}

// number returns a keyword whose value is a JSON number.
func (v view) number(kw string) (float64, string, string, bool) {
	val, ptr, _ := v.get(kw)
	n, ok := val.(json.Number)
	if !ok {
		return 0, "", ptr, false
	}
	f, ok := parseNumber(n)
	return f, n.String(), ptr, ok
}

// isTrivial reports whether the view has no constraint at all.
func (v view) isTrivial() bool {
	return !v.falsy && len(v.layers) == 0
}

// parseNumber converts a JSON number; out of range values become ±Inf.
func parseNumber(n json.Number) (float64, bool) {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, !math.IsNaN(f)
}

// typeMask is a set of JSON Schema types.
type typeMask uint8

const (
	tArray typeMask = 1 << iota
	tBoolean
	tInteger
	tNull
	tNumber
	tObject
	tString

	tAll     = tArray | tBoolean | tInteger | tNull | tNumber | tObject | tString
	tNumeric = tInteger | tNumber
)

// typeNames lists the types in display order (alphabetical, matching the bit
// order).
func typeNames() []string {
	return []string{"array", "boolean", "integer", "null", "number", "object", "string"}
}

func typeBit(name string) typeMask {
	if i := slices.Index(typeNames(), name); i >= 0 {
		return 1 << i
	}
	return 0
}

// String lists the types of the mask.
func (m typeMask) String() string {
	var parts []string
	for i, name := range typeNames() {
		if m&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// covers reports whether the types of m accept every instance of type t.
func (m typeMask) covers(t typeMask) bool {
	return m&t != 0 || (t == tInteger && m&tNumber != 0)
}

// uncovered returns the types of m that other does not accept.
func (m typeMask) uncovered(other typeMask) typeMask {
	var out typeMask
	for i := range typeNames() {
		t := typeMask(1 << i)
		if m&t != 0 && !other.covers(t) {
			out |= t
		}
	}
	return out
}

// declaredTypes returns the types allowed by the "type" keyword (all of them
// when it is absent or unusable).
func declaredTypes(v view) typeMask {
	val, _, ok := v.get("type")
	if !ok {
		return tAll
	}
	var m typeMask
	switch x := val.(type) {
	case string:
		m = typeBit(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				m |= typeBit(s)
			}
		}
	}
	if m == 0 {
		return tAll
	}
	return m
}

// effectiveTypes narrows the declared types by the values of const or enum.
func effectiveTypes(v view, declared typeMask) typeMask {
	vals, _, _, ok := allowedValues(v)
	if !ok {
		return declared
	}
	var eff typeMask
	for _, val := range vals {
		t := valueType(val)
		if declared.covers(t) {
			eff |= t
		}
	}
	return eff
}

// allowedValues returns the values of const (preferred) or enum.
func allowedValues(v view) (vals []any, ptr string, fromConst bool, ok bool) {
	if c, p, has := v.get("const"); has {
		return []any{c}, p, true, true
	}
	if a, p, has := v.array("enum"); has {
		return a, p, false, true
	}
	return nil, "", false, false
}

// valueType is the most precise type of a JSON value.
func valueType(v any) typeMask {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case string:
		return tString
	case []any:
		return tArray
	case map[string]any:
		return tObject
	case json.Number:
		if f, ok := parseNumber(x); ok && !math.IsInf(f, 0) && f == math.Trunc(f) {
			return tInteger
		}
		return tNumber
	}
	return 0
}

func jsonTypeName(v any) string {
	switch valueType(v) {
	case tNull:
		return "null"
	case tString:
		return "a string"
	case tInteger, tNumber:
		return "a number"
	case tArray:
		return "an array"
	}
	return "an unsupported value"
}

// canon renders a JSON value canonically: object keys sorted, numbers
// normalised so that 1, 1.0 and 1e0 are equal, as JSON Schema equality wants.
func canon(v any) string {
	var b strings.Builder
	writeCanon(&b, v)
	return b.String()
}

func writeCanon(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteString(normNumber(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanon(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanon(b, x[k])
		}
		b.WriteByte('}')
	}
}

// normNumber normalises a JSON number for equality.
func normNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return strings.ToLower(s)
	}
	if f == 0 {
		return "0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// display renders a JSON value for a message, shortened when long.
func display(v any) string {
	s := canon(v)
	const limit = 60
	if len(s) > limit {
		r := []rune(s)
		if len(r) > limit {
			s = string(r[:limit]) + "…"
		}
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// escapeToken escapes one JSON Pointer reference token.
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// propSegment renders a property name as a path segment.
func propSegment(name string) string {
	if isIdent(name) {
		return name
	}
	return "[" + strconv.Quote(name) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// joinPath appends a segment ("name", "[]", "[0]", `["a b"]`, "*") or a
// relative path to an instance path.
func joinPath(base, rel string) string {
	switch {
	case base == "":
		return rel
	case rel == "":
		return base
	case rel[0] == '[':
		return base + rel
	}
	return base + "." + rel
}
