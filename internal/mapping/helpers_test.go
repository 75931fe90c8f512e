package mapping

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crossdock/crossdock/internal/canonical"
)

func newCompiler(t testing.TB) *Compiler {
	t.Helper()
	c, err := NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newValidator(t testing.TB) *canonical.Validator {
	t.Helper()
	v, err := canonical.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// templateMapper builds the mapper of a shipped template validating
// against its target schema.
func templateMapper(t testing.TB, c *Compiler, v *canonical.Validator, id string) *Mapper {
	t.Helper()
	tpl, err := TemplateByID(id)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.Schema(tpl.Target)
	if !ok {
		t.Fatalf("no schema %s", tpl.Target)
	}
	m, err := c.NewMapper(tpl.Config(s))
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return m
}

// at returns the value at a JSON Pointer-like path; a trailing "#" gives
// the length of the array there.
func at(doc any, path string) any {
	count := strings.HasSuffix(path, "#")
	path = strings.TrimSuffix(path, "#")
	cur := doc
	if path != "" {
		for _, tok := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[tok]
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(c) {
					return nil
				}
				cur = c[i]
			default:
				return nil
			}
		}
	}
	if count {
		a, _ := cur.([]any)
		return len(a)
	}
	return cur
}

// run is a one-off program run with tables, for helper tests.
func run(t *testing.T, c *Compiler, program string, input any, tables map[string]map[string]string) ([]any, error) {
	t.Helper()
	m, err := c.NewMapper(Config{Program: program, Tables: tables})
	if err != nil {
		return nil, err
	}
	return rawOutputs(m, input)
}

// rawOutputs runs the program without the object check of MapDocument.
func rawOutputs(m *Mapper, input any) ([]any, error) {
	iter := m.prog.code.RunWithContext(context.Background(), input, m.tables)
	var out []any
	for {
		v, ok := iter.Next()
		if !ok {
			return out, nil
		}
		if err, ok := v.(error); ok {
			return out, runError(err)
		}
		out = append(out, v)
	}
}
