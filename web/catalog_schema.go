package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/crossdock/crossdock/views/pages"
)

// Reading a JSON Schema as a tree for people: properties in the order the
// schema declares them, with type, required marker, constraints and
// description; $defs shown once below and linked from each $ref.

// object is a JSON object that remembers the order of its keys.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) str(k string) string {
	s, _ := o.vals[k].(string)
	return s
}

func (o *object) obj(k string) *object {
	v, _ := o.vals[k].(*object)
	return v
}

// decodeOrdered parses JSON keeping object key order; numbers stay
// json.Number so they print as written.
func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func readJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		o := &object{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := o.vals[k]; !dup {
				o.keys = append(o.keys, k)
			}
			o.vals[k] = v
		}
		_, err := dec.Token()
		return o, err
	case '[':
		arr := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// maxSchemaDepth bounds the tree; deeper levels are in the raw JSON.
const maxSchemaDepth = 10

type schemaReader struct {
	root *object
	defs map[string]string // "#/$defs/Address" -> "Address"
}

// schemaView builds the readable tree of a schema.
func schemaView(raw string) pages.SchemaView {
	doc, err := decodeOrdered([]byte(raw))
	if err != nil {
		return pages.SchemaView{Error: "The stored schema is not valid JSON: " + err.Error()}
	}
	r := &schemaReader{defs: map[string]string{}}
	var sv pages.SchemaView
	root, ok := doc.(*object)
	if !ok {
		sv.Root = r.node("", "root", doc, false, 0)
		return sv
	}
	r.root = root
	sv.Dialect = root.str("$schema")
	var defs []pages.SchemaDef
	for _, kw := range []string{"$defs", "definitions"} {
		d := root.obj(kw)
		if d == nil {
			continue
		}
		for _, name := range d.keys {
			r.defs["#/"+kw+"/"+pointerEscape(name)] = name
		}
		for _, name := range d.keys {
			n := r.node(name, "def", d.vals[name], false, 1)
			n.Open, n.ID = true, defAnchor(name)
			defs = append(defs, pages.SchemaDef{Name: name, Anchor: defAnchor(name), Node: n})
		}
	}
	sv.Root = r.node("", "root", root, false, 0)
	sv.Root.Open = true
	sv.Defs = defs
	return sv
}

var anchorUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func defAnchor(name string) string { return "def-" + anchorUnsafe.ReplaceAllString(name, "_") }

func pointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// resolve finds the definition a local $ref names.
func (r *schemaReader) resolve(ref string) (string, *object) {
	if r.root == nil || !strings.HasPrefix(ref, "#/") {
		return "", nil
	}
	key := ref
	if u, err := url.PathUnescape(ref); err == nil {
		key = u
	}
	name, ok := r.defs[key]
	if !ok {
		return "", nil
	}
	kw := "$defs"
	if strings.HasPrefix(key, "#/definitions/") {
		kw = "definitions"
	}
	return name, r.root.obj(kw).obj(name)
}

// node builds the tree of one subschema.
func (r *schemaReader) node(name, kind string, s any, required bool, depth int) pages.SchemaNode {
	n := pages.SchemaNode{Name: name, Kind: kind, Required: required, Open: depth < 3}
	switch v := s.(type) {
	case bool:
		if v {
			n.Type = "anything"
		} else {
			n.Type = "nothing (false)"
		}
		return n
	case *object:
		r.fill(&n, v, depth)
	default:
		n.Type = "?"
	}
	return n
}

func (r *schemaReader) fill(n *pages.SchemaNode, o *object, depth int) {
	n.Title, n.Description = o.str("title"), o.str("description")
	var target *object
	if ref := o.str("$ref"); ref != "" {
		if name, t := r.resolve(ref); t != nil {
			n.RefName, n.RefAnchor, target = name, defAnchor(name), t
		} else {
			n.Facts = append(n.Facts, "$ref: "+ref)
		}
	}
	n.Type = typeLabel(o)
	if target != nil {
		// Resolved one level: the definition's type and description show
		// here; its members are listed once, under Definitions.
		if n.Type == "" {
			n.Type = typeLabel(target)
		}
		if n.Description == "" && n.Title == "" {
			n.Title, n.Description = target.str("title"), target.str("description")
		}
	}
	if n.Type == "" && n.RefName == "" && len(facts(o)) == 0 && !hasChildren(o) {
		n.Type = "anything"
	}
	n.Facts = append(n.Facts, facts(o)...)
	if depth >= maxSchemaDepth {
		n.Truncated = hasChildren(o)
		return
	}
	required := map[string]bool{}
	if req, ok := o.vals["required"].([]any); ok {
		for _, x := range req {
			if s, ok := x.(string); ok {
				required[s] = true
			}
		}
	}
	if props := o.obj("properties"); props != nil {
		for _, k := range props.keys {
			n.Children = append(n.Children, r.node(k, "property", props.vals[k], required[k], depth+1))
		}
	}
	// Required names with no schema of their own still have to be present.
	for _, x := range asSlice(o.vals["required"]) {
		if k, ok := x.(string); ok && (o.obj("properties") == nil || !hasKey(o.obj("properties"), k)) {
			n.Children = append(n.Children, pages.SchemaNode{Name: k, Kind: "property", Required: true, Type: "anything"})
		}
	}
	if pp := o.obj("patternProperties"); pp != nil {
		for _, k := range pp.keys {
			n.Children = append(n.Children, r.node("/"+k+"/", "pattern", pp.vals[k], false, depth+1))
		}
	}
	if ap, ok := o.get("additionalProperties"); ok {
		if sub, isObj := ap.(*object); isObj {
			n.Children = append(n.Children, r.node("other properties", "additional", sub, false, depth+1))
		}
	}
	for i, x := range asSlice(o.vals["prefixItems"]) {
		n.Children = append(n.Children, r.node(fmt.Sprintf("[%d]", i), "items", x, false, depth+1))
	}
	if items, ok := o.get("items"); ok {
		if _, isObj := items.(*object); isObj {
			n.Children = append(n.Children, r.node("[] each item", "items", items, false, depth+1))
		}
	}
	for _, c := range []struct{ kw, label string }{{"allOf", "all of"}, {"anyOf", "any of"}, {"oneOf", "one of"}} {
		for i, x := range asSlice(o.vals[c.kw]) {
			n.Children = append(n.Children, r.node(fmt.Sprintf("%s · %d", c.label, i+1), "variant", x, false, depth+1))
		}
	}
	for _, kw := range []string{"if", "then", "else", "not"} {
		if x, ok := o.get(kw); ok {
			n.Children = append(n.Children, r.node(kw, "variant", x, false, depth+1))
		}
	}
}

func hasKey(o *object, k string) bool {
	_, ok := o.vals[k]
	return ok
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func hasChildren(o *object) bool {
	for _, kw := range []string{"properties", "patternProperties", "prefixItems", "allOf", "anyOf", "oneOf", "if", "not"} {
		if _, ok := o.vals[kw]; ok {
			return true
		}
	}
	if _, ok := o.vals["items"].(*object); ok {
		return true
	}
	_, ok := o.vals["additionalProperties"].(*object)
	return ok
}

// typeLabel is "string", "string | null", "array of object", or "" when
// the schema declares no type and none is implied.
func typeLabel(o *object) string {
	var types []string
	switch t := o.vals["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types = append(types, s)
			}
		}
	}
	if len(types) == 0 {
		switch {
		case o.vals["properties"] != nil:
			types = []string{"object"}
		case o.vals["items"] != nil || o.vals["prefixItems"] != nil:
			types = []string{"array"}
		}
	}
	for i, t := range types {
		if t == "array" {
			if items := o.obj("items"); items != nil {
				if it := typeLabel(items); it != "" && !strings.Contains(it, "|") {
					types[i] = "array of " + it
				}
			}
		}
	}
	return strings.Join(types, " | ")
}

// facts lists a subschema's constraints in words.
func facts(o *object) []string {
	var out []string
	if f := o.str("format"); f != "" {
		out = append(out, "format: "+f)
	}
	if p := o.str("pattern"); p != "" {
		out = append(out, "pattern: "+p)
	}
	if e := asSlice(o.vals["enum"]); len(e) > 0 {
		vals := make([]string, len(e))
		for i, x := range e {
			vals[i] = jsonText(x)
		}
		out = append(out, "one of: "+strings.Join(vals, ", "))
	}
	if c, ok := o.get("const"); ok {
		out = append(out, "always "+jsonText(c))
	}
	out = append(out, rangeFact(o, "minLength", "maxLength", "length", "characters")...)
	out = append(out, rangeFact(o, "minItems", "maxItems", "", "items")...)
	out = append(out, rangeFact(o, "minProperties", "maxProperties", "", "properties")...)
	if v, ok := o.vals["minimum"].(json.Number); ok {
		out = append(out, "≥ "+v.String())
	}
	if v, ok := o.vals["exclusiveMinimum"].(json.Number); ok {
		out = append(out, "> "+v.String())
	}
	if v, ok := o.vals["maximum"].(json.Number); ok {
		out = append(out, "≤ "+v.String())
	}
	if v, ok := o.vals["exclusiveMaximum"].(json.Number); ok {
		out = append(out, "< "+v.String())
	}
	if v, ok := o.vals["multipleOf"].(json.Number); ok {
		out = append(out, "multiple of "+v.String())
	}
	if b, _ := o.vals["uniqueItems"].(bool); b {
		out = append(out, "unique items")
	}
	if b, ok := o.vals["additionalProperties"].(bool); ok && !b {
		out = append(out, "no other properties")
	}
	if d, ok := o.get("default"); ok {
		out = append(out, "default "+jsonText(d))
	}
	if b, _ := o.vals["deprecated"].(bool); b {
		out = append(out, "deprecated")
	}
	if b, _ := o.vals["readOnly"].(bool); b {
		out = append(out, "read-only")
	}
	if b, _ := o.vals["writeOnly"].(bool); b {
		out = append(out, "write-only")
	}
	if ex := asSlice(o.vals["examples"]); len(ex) > 0 {
		out = append(out, "e.g. "+jsonText(ex[0]))
	}
	return out
}

// rangeFact words a min/max pair: "length 1–35", "≥ 1 items".
func rangeFact(o *object, minKW, maxKW, prefix, unit string) []string {
	lo, hasLo := o.vals[minKW].(json.Number)
	hi, hasHi := o.vals[maxKW].(json.Number)
	label := func(s string) string {
		if prefix != "" {
			return prefix + " " + s
		}
		return s + " " + unit
	}
	switch {
	case hasLo && hasHi && lo.String() == hi.String():
		return []string{label(lo.String())}
	case hasLo && hasHi:
		return []string{label(lo.String() + "–" + hi.String())}
	case hasLo:
		return []string{label("≥ " + lo.String())}
	case hasHi:
		return []string{label("≤ " + hi.String())}
	}
	return nil
}

// jsonText prints a decoded value back as compact JSON, in key order.
func jsonText(v any) string {
	var b strings.Builder
	writeJSON(&b, v)
	s := b.String()
	if len(s) > 80 {
		s = s[:77] + "…"
	}
	return s
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case *object:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, k)
			b.WriteByte(':')
			writeJSON(b, x.vals[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(x.String())
	default:
		out, _ := json.Marshal(x)
		b.Write(out)
	}
}

// prettyLines pretty-prints JSON keeping key order; other text (YAML) is
// returned as it is. Either way, one string per line.
func prettyLines(raw string) []string {
	raw = strings.TrimRight(raw, "\n\r\t ")
	if raw == "" {
		return nil
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(raw), "", "  ") == nil {
		raw = buf.String()
	}
	return strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
}

// diffLines marks the lines only in a (removed) and only in b (added),
// by the longest common subsequence of lines. Very long inputs are shown
// unmarked rather than spending quadratic time on them.
func diffLines(a, b []string) (left, right []pages.DiffLine) {
	left, right = make([]pages.DiffLine, len(a)), make([]pages.DiffLine, len(b))
	for i, l := range a {
		left[i] = pages.DiffLine{Text: l}
	}
	for i, l := range b {
		right[i] = pages.DiffLine{Text: l}
	}
	if len(a)*len(b) > 4_000_000 {
		return left, right
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if lineKey(a[i]) == lineKey(b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case lineKey(a[i]) == lineKey(b[j]):
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			left[i].Mark = "del"
			i++
		default:
			right[j].Mark = "add"
			j++
		}
	}
	for ; i < len(a); i++ {
		left[i].Mark = "del"
	}
	for ; j < len(b); j++ {
		right[j].Mark = "add"
	}
	return left, right
}

// lineKey ignores a trailing comma, so a line that only lost or gained its
// comma (the last item of a list moved) is not shown as changed.
func lineKey(s string) string { return strings.TrimSuffix(strings.TrimRight(s, " \t"), ",") }
