package edifact

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse: no input may panic or hang, and whatever parses survives a
// serialize/parse round trip.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.edifact")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("UNA:+.? 'UNB+UNOA:3+A?+B'UNG+X'UNH+1+X'UNT+2+1'UNE+1'UNZ+1'UNB+Y'"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ics, _ := ParseAll(data)
		for _, ic := range ics {
			Validate(ic)
			if _, err := json.Marshal(Tree(ic)); err != nil {
				t.Fatal(err)
			}
			out := Serialize(ic)
			again, err := ParseAll(out)
			if err != nil {
				t.Fatalf("re-parse: %v\ninput  %q\noutput %q", err, data, out)
			}
			if len(again) != 1 {
				t.Fatalf("re-parse gave %d interchanges\ninput  %q\noutput %q", len(again), data, out)
			}
			if !sameInterchange(ic, again[0]) {
				t.Fatalf("round trip (-first +second):\n%s\ninput  %q\noutput %q", cmp.Diff(ic, again[0], equivalent), data, out)
			}
		}
	})
}
