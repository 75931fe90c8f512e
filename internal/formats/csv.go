package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseCSV reads RFC 4180 CSV with encoding/csv (strict quotes: a quote
// inside an unquoted field or an unterminated quoted field is an error).
// A UTF-8 BOM is dropped. Every record must have as many fields as the
// header (or, without a header, as the first record); the error names the
// row, counted from 1 with the header as row 1, like a spreadsheet. Empty
// lines are skipped. Values are strings, kept exactly (no trimming).
//
// Without a header, columns are named "1", "2", ... (1-based). With
// GroupBy, rows are grouped by that column into one document per distinct
// value, in order of first appearance; rows of one key need not be
// adjacent. An empty group key is an error.
func parseCSV(data []byte, opts Options) ([]any, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	if opts.Delimiter != 0 {
		r.Comma = opts.Delimiter
	}
	r.Comment = opts.Comment
	r.FieldsPerRecord = -1 // checked below, with a clearer message
	r.LazyQuotes = false

	var (
		columns    []string
		wantFields int
		widthFrom  string
		row        int
		groupCol   = -1
		single     = map[string]any{}
		rows       []any
		rowNums    []any
		groups     []any
		byKey      = map[string]map[string]any{}
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
			}
			return nil, err
		}
		row++
		if columns == nil {
			wantFields = len(rec)
			if opts.Header {
				cols, err := headerColumns(rec)
				if err != nil {
					return nil, err
				}
				columns, widthFrom = cols, "the header has"
			} else {
				columns = make([]string, len(rec))
				for i := range rec {
					columns[i] = strconv.Itoa(i + 1)
				}
				widthFrom = "row 1 has"
			}
			if opts.GroupBy != "" {
				for i, c := range columns {
					if c == opts.GroupBy {
						groupCol = i
					}
				}
				if groupCol < 0 {
					return nil, fmt.Errorf("GroupBy column %q is not among the columns %s", opts.GroupBy, strings.Join(columns, ", "))
				}
			}
			if opts.Header {
				continue
			}
		}
		if len(rec) != wantFields {
			where := fmt.Sprintf("row %d", row)
			if line, _ := r.FieldPos(0); line != row {
				where += fmt.Sprintf(" (line %d)", line)
			}
			return nil, fmt.Errorf("%s has %d %s, %s %d", where, len(rec), fieldWord(len(rec)), widthFrom, wantFields)
		}
		obj := make(map[string]any, len(rec))
		for i, v := range rec {
			obj[columns[i]] = v
		}
		if groupCol < 0 {
			rows = append(rows, obj)
			rowNums = append(rowNums, row)
			continue
		}
		key := rec[groupCol]
		if key == "" {
			return nil, fmt.Errorf("row %d: the GroupBy column %q is empty", row, opts.GroupBy)
		}
		g, ok := byKey[key]
		if !ok {
			g = map[string]any{"key": key, "rows": []any{}, "rowNumbers": []any{}}
			byKey[key] = g
			groups = append(groups, g)
		}
		g["rows"] = append(g["rows"].([]any), obj)
		g["rowNumbers"] = append(g["rowNumbers"].([]any), row)
	}
	if groupCol >= 0 {
		return groups, nil
	}
	if len(rows) == 0 {
		return nil, nil
	}
	single["rows"] = rows
	single["rowNumbers"] = rowNums
	return []any{single}, nil
}

func fieldWord(n int) string {
	if n == 1 {
		return "field"
	}
	return "fields"
}

// headerColumns checks the header row: names are trimmed and must be
// non-empty and unique.
func headerColumns(rec []string) ([]string, error) {
	cols := make([]string, len(rec))
	seen := make(map[string]int, len(rec))
	for i, v := range rec {
		name := strings.TrimSpace(v)
		if name == "" {
			return nil, fmt.Errorf("header column %d has no name", i+1)
		}
		if j, dup := seen[name]; dup {
			return nil, fmt.Errorf("header columns %d and %d are both named %q", j+1, i+1, name)
		}
		seen[name] = i
		cols[i] = name
	}
	return cols, nil
}
