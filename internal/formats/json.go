package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// parseJSON decodes one JSON value token by token, so the depth limit is
// enforced before anything deeper is built. Numbers stay json.Number (no
// float rounding; the mapping decides). Duplicate object keys are an error
// rather than last-one-wins. A top-level object is one document; a
// top-level array is a list of documents, each of which must be an object.
func parseJSON(data []byte, opts Options) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	dec.UseNumber()
	b := jsonBuilder{dec: dec, maxDepth: opts.maxDepth()}
	v, err := b.value()
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("unexpected data after the top-level value at byte %d", dec.InputOffset())
	}
	switch x := v.(type) {
	case map[string]any:
		return []any{x}, nil
	case []any:
		for i, d := range x {
			if _, ok := d.(map[string]any); !ok {
				return nil, fmt.Errorf("document %d of the top-level array is %s, want an object", i+1, kindOf(d))
			}
		}
		return x, nil
	}
	return nil, fmt.Errorf("the payload is %s, want an object or an array of objects", kindOf(v))
}

type jsonBuilder struct {
	dec      *json.Decoder
	maxDepth int
	depth    int
}

func (b *jsonBuilder) value() (any, error) {
	tok, err := b.dec.Token()
	if err != nil {
		return nil, jsonSyntax(b.dec, err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool, nil
	}
	b.depth++
	if b.depth > b.maxDepth {
		return nil, fmt.Errorf("%w: more than %d levels at byte %d", ErrTooDeep, b.maxDepth, b.dec.InputOffset())
	}
	defer func() { b.depth-- }()
	switch d {
	case '{':
		obj := map[string]any{}
		for b.dec.More() {
			kt, err := b.dec.Token()
			if err != nil {
				return nil, jsonSyntax(b.dec, err)
			}
			key, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key expected at byte %d", b.dec.InputOffset())
			}
			if _, dup := obj[key]; dup {
				return nil, fmt.Errorf("duplicate key %q at byte %d", key, b.dec.InputOffset())
			}
			v, err := b.value()
			if err != nil {
				return nil, err
			}
			obj[key] = v
		}
		if _, err := b.dec.Token(); err != nil { // '}'
			return nil, jsonSyntax(b.dec, err)
		}
		return obj, nil
	case '[':
		arr := []any{}
		for b.dec.More() {
			v, err := b.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := b.dec.Token(); err != nil { // ']'
			return nil, jsonSyntax(b.dec, err)
		}
		return arr, nil
	}
	return nil, fmt.Errorf("unexpected %q at byte %d", d, b.dec.InputOffset())
}

func jsonSyntax(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("unexpected end of input at byte %d", dec.InputOffset())
	}
	return err
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
