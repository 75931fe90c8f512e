package adapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// canonicalJSON turns any JSON-able value into the generic form
// (map[string]any, []any, json.Number, string, bool, nil) so that values
// from the mapping engine and from the database compare alike.
func canonicalJSON(v any) (any, error) {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// diffDocuments compares the expected documents (a JSON array) with the
// produced ones: canonical JSON equality, key order ignored, numbers by
// value. It returns at most MaxDifferences differences and whether there
// were more.
func diffDocuments(expected json.RawMessage, actual []any) ([]Difference, bool, error) {
	want, err := canonicalJSON(expected)
	if err != nil {
		return nil, false, err
	}
	got, err := canonicalJSON(actual)
	if err != nil {
		return nil, false, fmt.Errorf("produced documents: %w", err)
	}
	d := differ{}
	d.walk("", want, got)
	return d.out, d.truncated, nil
}

// jsonEqual reports whether two JSON texts hold the same value: key order
// and number spelling ("1.50" vs 1.5) do not matter.
func jsonEqual(a, b []byte) bool {
	x, err := canonicalJSON(json.RawMessage(a))
	if err != nil {
		return false
	}
	y, err := canonicalJSON(json.RawMessage(b))
	if err != nil {
		return false
	}
	d := differ{}
	d.walk("", x, y)
	return len(d.out) == 0
}

type differ struct {
	out       []Difference
	truncated bool
}

func (d *differ) add(diff Difference) {
	if len(d.out) >= MaxDifferences {
		d.truncated = true
		return
	}
	d.out = append(d.out, diff)
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func escapePointer(tok string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}

func (d *differ) walk(path string, want, got any) {
	if d.truncated {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			d.add(Difference{Path: orRoot(path), Kind: DiffChanged, Expected: compact(want), Actual: compact(got)})
			return
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "/" + escapePointer(k)
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				d.add(Difference{Path: p, Kind: DiffMissing, Expected: compact(wv)})
			case !inW:
				d.add(Difference{Path: p, Kind: DiffExtra, Actual: compact(gv)})
			default:
				d.walk(p, wv, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			d.add(Difference{Path: orRoot(path), Kind: DiffChanged, Expected: compact(want), Actual: compact(got)})
			return
		}
		for i := 0; i < max(len(w), len(g)); i++ {
			p := path + "/" + strconv.Itoa(i)
			switch {
			case i >= len(g):
				d.add(Difference{Path: p, Kind: DiffMissing, Expected: compact(w[i])})
			case i >= len(w):
				d.add(Difference{Path: p, Kind: DiffExtra, Actual: compact(g[i])})
			default:
				d.walk(p, w[i], g[i])
			}
		}
	default:
		if !scalarEqual(want, got) {
			d.add(Difference{Path: orRoot(path), Kind: DiffChanged, Expected: compact(want), Actual: compact(got)})
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func scalarEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		x, ok1 := new(big.Rat).SetString(string(an))
		y, ok2 := new(big.Rat).SetString(string(bn))
		if ok1 && ok2 {
			return x.Cmp(y) == 0
		}
		return an == bn
	}
	if aok != bok {
		return false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}
