// Package formats turns partner payloads into JSON trees (map[string]any,
// []any, string, json.Number, bool, nil) that mapping programs work on.
// One payload gives one or more documents:
//
//   - "x12": one document per transaction set (internal/x12), with its
//     envelope: {"interchange": {...ISA...}, "group": {...GS...},
//     "set": <x12.Tree>, "index": {"interchange": 0, "group": 0, "set": 0}}.
//     ISA02 and ISA04 (authorization and security information) are left
//     out: mappings never see partner passwords.
//   - "edifact": one document per message (internal/edifact):
//     {"interchange": {...UNB...}, "group": {...UNG...} (only inside a
//     group), "message": {"ref", "type", "segments"}, "index": {...}}.
//     The UNB recipient password (UNB06) is left out.
//   - "csv": one document {"rows": [{column: value}, ...], "rowNumbers":
//     [...]} or, with Options.GroupBy, one document per key:
//     {"key": "PO123", "rows": [...], "rowNumbers": [...]}.
//   - "json": the object, or each element of a top-level array.
//   - "xml": one document {"<root>": <element>} (see parseXML for the
//     element convention).
//
// Every parser enforces a size limit; JSON and XML a nesting depth limit;
// XML an element count limit, and it refuses DTDs (so no entity expansion
// and no external entities). Errors are wrapped with "formats: <format>:".
package formats

import (
	"errors"
	"fmt"
	"strings"
)

// Default limits, used when an Options field is zero.
const (
	DefaultMaxBytes    = 10 << 20 // 10 MiB
	DefaultMaxDepth    = 64
	DefaultMaxElements = 100_000
)

// Sentinel errors; test with errors.Is.
var (
	ErrUnknownFormat   = errors.New("formats: unknown format")
	ErrTooLarge        = errors.New("payload too large")
	ErrTooDeep         = errors.New("nesting too deep")
	ErrTooManyElements = errors.New("too many elements")
	ErrDTD             = errors.New("DTDs are not accepted")
	ErrNoDocuments     = errors.New("no documents")
)

// Options controls parsing. The zero value is usable: comma-separated CSV
// without a header row, default limits.
type Options struct {
	// CSV only.
	Delimiter rune   // field separator; 0 means ','
	Header    bool   // the first record names the columns
	GroupBy   string // column whose value groups rows into documents ("" = one document)
	Comment   rune   // lines starting with it are skipped; 0 = none

	// Limits; 0 means the default.
	MaxBytes    int // payload size (all formats)
	MaxDepth    int // nesting depth (JSON, XML)
	MaxElements int // elements (XML)
}

func (o Options) maxBytes() int {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return DefaultMaxDepth
}

func (o Options) maxElements() int {
	if o.MaxElements > 0 {
		return o.MaxElements
	}
	return DefaultMaxElements
}

// Formats returns the format names Parse accepts.
func Formats() []string { return []string{"x12", "edifact", "csv", "json", "xml"} }

// Parse parses data in the named format into documents. On error it
// returns no documents: a payload is accepted or rejected as a whole.
func Parse(format string, data []byte, opts Options) ([]any, error) {
	var parse func([]byte, Options) ([]any, error)
	switch format {
	case "x12":
		parse = parseX12
	case "edifact":
		parse = parseEDIFACT
	case "csv":
		parse = parseCSV
	case "json":
		parse = parseJSON
	case "xml":
		parse = parseXML
	default:
		return nil, fmt.Errorf("%w %q (want one of x12, edifact, csv, json, xml)", ErrUnknownFormat, format)
	}
	if n, max := len(data), opts.maxBytes(); n > max {
		return nil, fmt.Errorf("formats: %s: %w: %d bytes, the limit is %d", format, ErrTooLarge, n, max)
	}
	docs, err := parse(data, opts)
	if err != nil {
		if strings.HasPrefix(err.Error(), format+": ") { // x12 and edifact errors name themselves
			return nil, fmt.Errorf("formats: %w", err)
		}
		return nil, fmt.Errorf("formats: %s: %w", format, err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("formats: %s: %w in the payload", format, ErrNoDocuments)
	}
	return docs, nil
}
