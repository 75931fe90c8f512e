package adapter

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/x12"
)

// targetSchema returns the compiled JSON Schema of an API version (nil
// when the version has none), compiling it once per version and schema
// text.
func (s *Service) targetSchema(ctx context.Context, versionID int64) (*jsonschema.Schema, error) {
	v, err := s.catalog.VersionByID(ctx, versionID)
	if err != nil {
		return nil, fmt.Errorf("target version %d: %w", versionID, err)
	}
	if strings.TrimSpace(v.Schema) == "" {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(v.Schema))
	s.mu.Lock()
	e, ok := s.schemas[versionID]
	s.mu.Unlock()
	if ok && e.sum == sum {
		return e.schema, nil
	}
	compiled, err := catalog.CompileSchema(v.Schema)
	if err != nil {
		return nil, fmt.Errorf("the JSON Schema of target version %s does not compile: %w", v.Version, err)
	}
	s.mu.Lock()
	s.schemas[versionID] = cachedSchema{sum: sum, schema: compiled}
	s.mu.Unlock()
	return compiled, nil
}

// mapperFor builds the mapper of a revision of a, validating against
// schema (nil: no validation). program, when not "", replaces the
// revision's program (impact analysis).
func (s *Service) mapperFor(a Adapter, r Revision, schema *jsonschema.Schema, program string) (*mapping.Mapper, error) {
	if program == "" {
		program = r.Program
	}
	m, err := s.compiler.NewMapper(mapping.Config{Format: a.Format, DocType: a.DocType, ParseOptions: r.ParseOptions,
		Program: program, Tables: r.Tables, Schema: schema})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDoesNotCompile, err)
	}
	return m, nil
}

// Run runs a revision of an adapter on a payload: parse with the
// revision's parse options, map with its program, validate every output
// against the target API version's JSON Schema, and for X12 input build
// the 997 that would answer it. revisionID 0 runs the adapter's newest
// revision (the draft being edited, else the active one). Problems of the
// payload are in the result's Errors, not the error: the error is for a
// missing adapter or revision (ErrNotFound), a program that does not
// compile (ErrDoesNotCompile, with line and column) or a target schema
// that cannot be loaded. The playground, RecordExpected, conformance and
// impact analysis all map through here.
func (s *Service) Run(ctx context.Context, adapterID, revisionID int64, content []byte) (RunResult, error) {
	a, err := s.Adapter(ctx, adapterID)
	if err != nil {
		return RunResult{}, err
	}
	var r Revision
	if revisionID == 0 {
		r, err = latestRevision(s.db.WithContext(ctx), a.ID, false)
	} else {
		r, err = s.Revision(ctx, revisionID)
		if err == nil && r.AdapterID != a.ID {
			err = fmt.Errorf("revision %d of adapter %d: %w", revisionID, adapterID, ErrNotFound)
		}
	}
	if err != nil {
		return RunResult{}, fmt.Errorf("adapter: run %d: %w", adapterID, err)
	}
	return s.run(ctx, a, r, content)
}

// RunDraft runs an unsaved mapping of an adapter, as typed in the editor:
// the same steps as Run with this program, tables and parse options. The
// playground uses it to show results before anything is saved.
func (s *Service) RunDraft(ctx context.Context, adapterID int64, program string, tables Tables, opts formats.Options, content []byte) (RunResult, error) {
	a, err := s.Adapter(ctx, adapterID)
	if err != nil {
		return RunResult{}, err
	}
	return s.run(ctx, a, Revision{AdapterID: a.ID, Program: program, Tables: tables, ParseOptions: opts}, content)
}

// run parses, maps and validates content with revision r of adapter a.
func (s *Service) run(ctx context.Context, a Adapter, r Revision, content []byte) (RunResult, error) {
	schema, err := s.targetSchema(ctx, a.TargetAPIVersionID)
	if err != nil {
		return RunResult{}, fmt.Errorf("adapter: run %d: %w", a.ID, err)
	}
	m, err := s.mapperFor(a, r, schema, "")
	if err != nil {
		return RunResult{}, fmt.Errorf("adapter: run %d revision %d: %w", a.ID, r.Number, err)
	}
	out := RunResult{Result: m.Run(ctx, content), Revision: r}
	if a.Format == "x12" {
		out.Ack = acknowledgments(content, s.clock())
	}
	return out, nil
}

// acknowledgments builds what goes back for every interchange of an X12
// payload: a TA1 when the sender asked for one or the interchange envelope
// has errors, then the 997 for its functional groups; "" when the payload
// does not parse or there is nothing to acknowledge.
func acknowledgments(content []byte, now time.Time) string {
	ics, err := x12.ParseAll(content)
	if err != nil || len(ics) == 0 {
		return ""
	}
	var acks []*x12.Interchange
	next := func() x12.AckOptions {
		return x12.AckOptions{Time: now, InterchangeControl: len(acks) + 1, GroupControl: 1}
	}
	for _, ic := range ics {
		if ta1 := x12.AcknowledgeInterchange(ic); ta1.Needed() {
			acks = append(acks, x12.BuildTA1(ic, ta1, next()))
		}
		if a, err := x12.Build997(ic, next()); err == nil {
			acks = append(acks, a)
		}
	}
	if len(acks) == 0 {
		return ""
	}
	return string(x12.SerializeAll(acks))
}

// evaluate judges a mapping result against a sample's expectation.
func evaluate(sm Sample, res mapping.Result) (Outcome, ResultDetail) {
	d := ResultDetail{Expect: sm.Expect, Documents: len(res.Documents)}
	for i, e := range res.Errors {
		if i == 20 {
			d.Errors = append(d.Errors, fmt.Sprintf("... and %d more", len(res.Errors)-20))
			break
		}
		d.Errors = append(d.Errors, e.Error())
	}
	switch sm.Expect {
	case ExpectAccepted:
		if n := len(res.Errors); n > 0 {
			d.Problems = append(d.Problems, fmt.Sprintf("Expected the sample to be accepted, but the mapping reported %s; the first: %s",
				plural(n, "error", "errors"), res.Errors[0].Error()))
		}
		if len(res.Documents) == 0 {
			d.Problems = append(d.Problems, "Expected the sample to be accepted, but it produced no documents.")
		}
		if sm.ExpectedOutput != nil && len(res.Documents) > 0 {
			diffs, truncated, err := diffDocuments(sm.ExpectedOutput, res.Documents)
			if err != nil {
				d.Problems = append(d.Problems, "The expected documents cannot be read: "+err.Error())
			} else if len(diffs) > 0 {
				d.Differences, d.Truncated = diffs, truncated
				n := fmt.Sprintf("%d places", len(diffs))
				switch {
				case truncated:
					n = "more than " + n
				case len(diffs) == 1:
					n = "1 place"
				}
				d.Problems = append(d.Problems, fmt.Sprintf("The documents differ from the expected ones in %s; the first at %s.", n, diffs[0].Path))
			}
		}
	case ExpectRejected:
		if len(res.Errors) == 0 {
			d.Problems = append(d.Problems, fmt.Sprintf("Expected the sample to be rejected, but it was accepted with %s.",
				plural(len(res.Documents), "document", "documents")))
		}
		texts := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			texts[i] = strings.ToLower(e.Error())
		}
		for _, want := range sm.ExpectedErrors {
			found := false
			for _, t := range texts {
				if strings.Contains(t, strings.ToLower(want)) {
					found = true
					break
				}
			}
			if !found {
				d.MissingErrors = append(d.MissingErrors, want)
			}
		}
		if len(d.MissingErrors) > 0 && len(res.Errors) > 0 {
			d.Problems = append(d.Problems, fmt.Sprintf("The sample was rejected, but not with the expected errors: %q not found.",
				strings.Join(d.MissingErrors, `", "`)))
		}
	default:
		d.Problems = append(d.Problems, fmt.Sprintf("The sample expects %q; want accepted or rejected.", sm.Expect))
	}
	if len(d.Problems) > 0 {
		return OutcomeFailed, d
	}
	return OutcomePassed, d
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
