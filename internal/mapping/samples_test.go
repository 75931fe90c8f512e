package mapping

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every template ships samples; each has the outcome its spec says when
// mapped by the template, validated against the canonical schema.
func TestTemplateSamplesHaveTheirOutcome(t *testing.T) {
	c := newCompiler(t)
	v := newValidator(t)
	for _, tpl := range Templates() {
		specs := TemplateSamples(tpl.ID)
		if len(specs) == 0 {
			t.Errorf("%s ships no samples", tpl.ID)
			continue
		}
		var accepted []string
		names := map[string]bool{}
		m := templateMapper(t, c, v, tpl.ID)
		for _, s := range specs {
			if names[s.Name()] {
				t.Errorf("%s: two samples named %s", tpl.ID, s.Name())
			}
			names[s.Name()] = true
			if s.Expect == SampleAccepted {
				accepted = append(accepted, s.File)
			}
			t.Run(tpl.ID+"/"+s.Name(), func(t *testing.T) {
				b, err := TemplateSample(s.File)
				if err != nil {
					t.Fatal(err)
				}
				r := m.Run(context.Background(), b)
				switch s.Expect {
				case SampleAccepted:
					if len(r.Errors) > 0 || len(r.Documents) == 0 || s.Error != "" {
						t.Errorf("accepted sample: %d documents, errors %v, expected error %q", len(r.Documents), r.Errors, s.Error)
					}
				case SampleRejected:
					if len(r.Errors) == 0 || s.Error == "" {
						t.Fatalf("rejected sample: %d documents, no errors, or no expected error (%q)", len(r.Documents), s.Error)
					}
					found := false
					for _, e := range r.Errors {
						found = found || strings.Contains(strings.ToLower(e.Error()), strings.ToLower(s.Error))
					}
					if !found {
						t.Errorf("no error contains %q: %v", s.Error, r.Errors)
					}
				default:
					t.Errorf("expect %q", s.Expect)
				}
			})
		}
		if diff := cmp.Diff(tpl.Samples, accepted); diff != "" {
			t.Errorf("%s: the accepted samples are not the template's Samples (-Samples +accepted):\n%s", tpl.ID, diff)
		}
	}
	if got := TemplateSamples("x12-999"); got != nil {
		t.Errorf("unknown template: %v", got)
	}
}

// The rejected samples are the excluded files of the template tests, with
// part of the same error.
func TestRejectedSamplesAreTheExcludedOnes(t *testing.T) {
	excluded := excludedSamples()
	n := 0
	for _, tpl := range Templates() {
		for _, s := range TemplateSamples(tpl.ID) {
			if s.Expect != SampleRejected {
				continue
			}
			n++
			ex, ok := excluded[s.File]
			if !ok || ex.template != tpl.ID || !strings.Contains(ex.message, s.Error) {
				t.Errorf("%s %s: not excluded for this template with an error containing %q (%+v)", tpl.ID, s.File, s.Error, ex)
			}
		}
	}
	if n != len(excluded) {
		t.Errorf("%d rejected samples, %d excluded files", n, len(excluded))
	}
}

// The embedded files are the test data, byte for byte, with their
// licences; each is a sample of some template.
func TestEmbeddedSamplesAreTheTestdata(t *testing.T) {
	used := map[string]bool{}
	for _, tpl := range Templates() {
		for _, s := range TemplateSamples(tpl.ID) {
			used[s.File] = true
		}
	}
	var embedded []string
	err := fs.WalkDir(sampleFiles, "templates/samples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "templates/samples/")
		embedded = append(embedded, rel)
		b, err := sampleFiles.ReadFile(p)
		if err != nil {
			return err
		}
		if path.Base(rel) == "SOURCES.md" {
			if !bytes.Contains(b, []byte("LICENSES/")) {
				t.Errorf("%s does not point to the licences", rel)
			}
			return nil
		}
		want, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
		if err != nil {
			t.Errorf("%s: no such test file: %v", rel, err)
			return nil
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from testdata/%s", rel, rel)
		}
		if strings.HasPrefix(rel, "edi/LICENSES/") {
			return nil
		}
		if !used[rel] {
			t.Errorf("%s is embedded but no template's sample", rel)
		}
		if _, err := TemplateSample(rel); err != nil {
			t.Error(err)
		}
		delete(used, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range used {
		t.Errorf("%s is a template's sample but not embedded", f)
	}
	sort.Strings(embedded)
	for _, want := range []string{"edi/SOURCES.md", "edi/LICENSES/xlate-staedi.Apache-2.0.txt", "csv/order-lines.csv", "json/order.json"} {
		if i := sort.SearchStrings(embedded, want); i == len(embedded) || embedded[i] != want {
			t.Errorf("%s is not embedded", want)
		}
	}
	for _, bad := range []string{"edi/SOURCES.md", "edi/LICENSES/xlate-staedi.Apache-2.0.txt", "../templates.go", "edi", "edi/nope.x12", ""} {
		if _, err := TemplateSample(bad); err == nil || !strings.Contains(err.Error(), "no template sample") {
			t.Errorf("TemplateSample(%q): %v", bad, err)
		}
	}
}
