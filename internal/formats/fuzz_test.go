package formats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func seedDir(f *testing.F, dir string) {
	f.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// depth returns the nesting depth of a tree (a scalar is 0).
func depth(v any) int {
	d := 0
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			d = max(d, depth(c))
		}
		return d + 1
	case []any:
		for _, c := range x {
			d = max(d, depth(c))
		}
		return d + 1
	}
	return 0
}

func checkDocs(t *testing.T, docs []any, maxDepth int) {
	t.Helper()
	if len(docs) == 0 {
		t.Fatal("no error and no documents")
	}
	for _, d := range docs {
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("document is not JSON-able: %v", err)
		}
		if got := depth(d); got > maxDepth {
			t.Fatalf("depth %d exceeds %d", got, maxDepth)
		}
	}
}

func FuzzCSV(f *testing.F) {
	seedDir(f, "csv")
	f.Add([]byte("a,b\n\"x\"\"y\",2\n"))
	f.Add([]byte("po;qty\n#c\nP1;3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{
			{Header: true, GroupBy: "po_number"},
			{Header: true, Delimiter: ';', Comment: '#'},
			{GroupBy: "1"},
		} {
			docs, err := Parse("csv", data, opts)
			if err != nil {
				continue
			}
			checkDocs(t, docs, 4)
		}
	})
}

func FuzzJSON(f *testing.F) {
	seedDir(f, "json")
	f.Add([]byte(`{"a":[1,2,{"b":null}],"c":1e400}`))
	f.Add([]byte(`[{"a":"\u00e9"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 16
		docs, err := Parse("json", data, Options{MaxDepth: limit})
		if err != nil {
			return
		}
		checkDocs(t, docs, limit)
	})
}

func FuzzXML(f *testing.F) {
	seedDir(f, "xml")
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>`))
	f.Add([]byte(`<a x="1"><b>t</b><b/><c><d>&amp;&#65;</d></c></a>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a>` + "\xe9" + `</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 16
		docs, err := Parse("xml", data, Options{MaxDepth: limit, MaxElements: 1000})
		if err != nil {
			return
		}
		// Each XML level is at most an object plus an array of repeats,
		// and the document wraps the root in one more object.
		checkDocs(t, docs, 2*limit+1)
	})
}
