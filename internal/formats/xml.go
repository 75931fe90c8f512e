package formats

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// parseXML reads one XML document securely and returns {"<root>": value}.
//
// Security: any <!DOCTYPE ...> (or other <!...> declaration) is rejected
// with ErrDTD, so there are no internal or external entities and no entity
// expansion; only the five predefined entities and character references
// are understood (encoding/xml in strict mode with no Entity map). Depth,
// element count and size are limited. Only UTF-8 (or US-ASCII) and
// ISO-8859-1 encodings are accepted.
//
// Tree convention (namespaces are dropped: only local names are kept, and
// xmlns attributes are left out):
//
//   - an element without attributes and without child elements is its text
//     as a string: <PONumber>4500</PONumber> -> "4500" (an empty element
//     is "");
//   - any other element is an object: attributes as "@name": "value",
//     child elements under their name, and its own text (trimmed) as
//     "#text" when there is any;
//   - a child element that occurs more than once becomes an array of its
//     values in document order; once-only children stay single values (use
//     the mapping helper `many` to treat both alike).
//
// Comments and processing instructions are ignored. Text is trimmed of
// surrounding whitespace in "#text" and kept as is in string leaves.
func parseXML(data []byte, opts Options) ([]any, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil
	dec.CharsetReader = charsetReader
	maxDepth, maxElems := opts.maxDepth(), opts.maxElements()

	type node struct {
		name     string
		prefix   string
		obj      map[string]any // nil until an attribute or child appears
		text     strings.Builder
		children bool
	}
	var (
		stack []*node
		root  any
		name  string
		elems int
		done  bool
	)
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if done {
				return nil, fmt.Errorf("a second root element <%s> at byte %d (one document per payload)", t.Name.Local, dec.InputOffset())
			}
			elems++
			if elems > maxElems {
				return nil, fmt.Errorf("%w: more than %d elements", ErrTooManyElements, maxElems)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: more than %d levels at <%s>, byte %d", ErrTooDeep, maxDepth, t.Name.Local, dec.InputOffset())
			}
			n := &node{name: t.Name.Local, prefix: t.Name.Space}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				if n.obj == nil {
					n.obj = map[string]any{}
				}
				n.obj["@"+a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				stack[len(stack)-1].children = true
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unexpected </%s> at byte %d", t.Name.Local, dec.InputOffset())
			}
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.name != t.Name.Local || n.prefix != t.Name.Space {
				return nil, fmt.Errorf("element <%s> closed by </%s> at byte %d", n.name, t.Name.Local, dec.InputOffset())
			}
			var v any
			if n.obj == nil && !n.children {
				v = n.text.String()
			} else {
				if n.obj == nil {
					n.obj = map[string]any{}
				}
				if txt := strings.TrimSpace(n.text.String()); txt != "" {
					n.obj["#text"] = txt
				}
				v = n.obj
			}
			if len(stack) == 0 {
				root, name, done = v, n.name, true
				continue
			}
			p := stack[len(stack)-1]
			if p.obj == nil {
				p.obj = map[string]any{}
			}
			switch prev := p.obj[n.name].(type) {
			case nil:
				p.obj[n.name] = v
			case []any:
				p.obj[n.name] = append(prev, v)
			default:
				p.obj[n.name] = []any{prev, v}
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, fmt.Errorf("text outside the root element at byte %d", dec.InputOffset())
				}
				continue
			}
			stack[len(stack)-1].text.Write(t)
		case xml.Directive:
			d := strings.TrimSpace(string(t))
			if len(d) >= 7 && strings.EqualFold(d[:7], "DOCTYPE") {
				return nil, fmt.Errorf("%w: a <!DOCTYPE> declaration at byte %d (DTDs and entities are disabled for security; remove the DOCTYPE)", ErrDTD, dec.InputOffset())
			}
			return nil, fmt.Errorf("%w: a <!%s> declaration at byte %d", ErrDTD, firstWord(d), dec.InputOffset())
		case xml.Comment, xml.ProcInst:
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unexpected end of input: <%s> is not closed", stack[len(stack)-1].name)
	}
	if !done {
		return nil, nil
	}
	return []any{map[string]any{name: root}}, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

func xmlError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: %s", se.Line, se.Msg)
	}
	return err
}

// charsetReader accepts the encodings a partner may declare besides UTF-8.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported (use UTF-8 or ISO-8859-1)", label)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.buf) > 0 {
			c := copy(p[n:], l.buf)
			l.buf = l.buf[c:]
			n += c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	return n, nil
}
