// Package mapping runs an adapter's mapping: a jq program (gojq) applied to
// the documents internal/formats parsed from a partner payload, producing
// canonical documents that are then validated against the JSON Schema of
// the target API version.
//
// # Programs
//
// A program is compiled once per distinct text and kept by the Compiler
// that compiled it (a cache keyed by the SHA-256 of the text, safe for
// concurrent use; whoever creates the Compiler owns the cache, there is no
// global one). Every program sees:
//
//   - the parsed document as its input (see internal/formats for shapes);
//   - $tables: the adapter's lookup tables, {"table": {"code": "value"}};
//   - native helpers: x12date ("CCYYMMDD" or "YYMMDD" -> "YYYY-MM-DD";
//     YY 00-49 is 20YY, 50-99 is 19YY), x12time ("HHMM[SS[d..]]" ->
//     "HH:MM[:SS[.d..]]"), isodate (checks "YYYY-MM-DD" or "YYYYMMDD"),
//     implied(n) (X12 Nn: "255438" | implied(2) -> "2554.38"), decimal
//     (any number or numeric string -> canonical decimal string), integer,
//     gtin / gln / sscc (GS1 keys normalised to 14 / 13 / 18 digits with the
//     mod-10 check digit verified; gtin(false) etc. skip the check; sscc
//     strips the AI 00 of a 20-digit value), gs1valid, el(n) / el(n; c)
//     (element n / component c of an X12 segment object), idpairs(first;
//     last) (qualifier/value pairs of a segment), compact (drop null and
//     empty members of an object), seg(id) / segs(id) (first / all
//     segments with that ID in a set, loop or HL object), qty(value; unit),
//     money(amount; currency), pack (PO4 -> Pack), piddesc (first PID*F
//     description of a loop), opt(v) (null for "");
//   - the jq definitions of prelude.jq: many, lookup(table) (unknown
//     code -> null, unknown table -> error), within(where; f), gs1id,
//     x12id, itemids, ref, dtm, g62, msg, nte, contact, td5, fob, terms,
//     sac, schedule, ctt, party, x12source, currency.
//
// GS1 keys follow the adapter policy $tables.policy.checkDigits: "strict"
// (the default) makes a wrong check digit a mapping error; "flag" keeps the
// normalised key with "checkDigitValid": false. The shipped X12 templates
// use "flag" (tables.go explains why); CSV and JSON use "strict".
//
// Hot building blocks are native Go (gojq interprets jq code at roughly a
// microsecond per construct), and output validation goes through
// canonical.Checker, which answers valid documents without the
// jsonschema library's per-keyword allocations and asks the library only
// for invalid ones (so every error message is the library's).
//
// Helpers pass null through (a missing element stays missing) and fail on
// bad input with a message that names the function and the value. A
// program may output any number of documents per input; each must be an
// object.
//
// # Errors
//
// Result.Errors says at which stage a document failed ("parse", "map",
// "validate"), which input or output document, where and why. For a map
// error Path is the jq path of the offending value in the input when the
// failing helper's value can be found there (for X12 the message also
// names the element and segment position, e.g. "BEG05, segment 2"), and
// Message is prefixed with the program's within(...) context. gojq does
// not report positions of runtime errors in the program text; compile
// errors carry a line and column.
package mapping

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync"

	"github.com/itchyny/gojq"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossdock/crossdock/internal/canonical"
	"github.com/crossdock/crossdock/internal/formats"
)

//go:embed prelude.jq
var preludeSource string

// Stages of Error.Stage.
const (
	StageParse    = "parse"
	StageMap      = "map"
	StageValidate = "validate"
)

// DefaultMaxOutputs bounds the documents one input may produce.
const DefaultMaxOutputs = 10_000

// Compiler compiles mapping programs and caches them by the SHA-256 of
// their text. It is safe for concurrent use.
type Compiler struct {
	keys    *[100]string
	options []gojq.CompilerOption

	mu    sync.Mutex
	cache map[[32]byte]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	prog *Program
	err  error
}

// NewCompiler returns a Compiler with an empty cache.
func NewCompiler() (*Compiler, error) {
	keys := new([100]string)
	for i := 1; i < 100; i++ {
		keys[i] = fmt.Sprintf("%02d", i)
	}
	c := &Compiler{keys: keys, cache: make(map[[32]byte]*cacheEntry)}
	c.options = append(helpers(keys), gojq.WithVariables([]string{"$tables"}))
	if _, err := c.compile(".", sha256.Sum256([]byte("."))); err != nil {
		return nil, fmt.Errorf("mapping: prelude: %w", err)
	}
	return c, nil
}

// Len returns the number of programs in the cache.
func (c *Compiler) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cache)
}

// Program is a compiled mapping program. It is safe for concurrent use.
type Program struct {
	code   *gojq.Code
	source string
	hash   string
}

// Source returns the program text.
func (p *Program) Source() string { return p.source }

// Hash returns the hex SHA-256 of the program text, the cache key.
func (p *Program) Hash() string { return p.hash }

// Compile compiles src, or returns the cached result (program or error)
// of an earlier call with the same text. Concurrent calls with the same
// text compile it once.
func (c *Compiler) Compile(src string) (*Program, error) {
	h := sha256.Sum256([]byte(src))
	c.mu.Lock()
	e, ok := c.cache[h]
	if !ok {
		e = &cacheEntry{}
		c.cache[h] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.prog, e.err = c.compile(src, h) })
	return e.prog, e.err
}

func (c *Compiler) compile(src string, h [32]byte) (*Program, error) {
	prelude, err := gojq.Parse(preludeSource + "\n.")
	if err != nil {
		return nil, fmt.Errorf("mapping: prelude: %w", err)
	}
	q, err := gojq.Parse(src)
	if err != nil {
		var pe *gojq.ParseError
		if errors.As(err, &pe) {
			line, col := lineCol(src, pe.Offset-len(pe.Token))
			return nil, fmt.Errorf("mapping: compile: line %d, column %d: %w", line, col, err)
		}
		return nil, fmt.Errorf("mapping: compile: %w", err)
	}
	q.FuncDefs = append(prelude.FuncDefs, q.FuncDefs...)
	code, err := gojq.Compile(q, c.options...)
	if err != nil {
		return nil, fmt.Errorf("mapping: compile: %s%w", compilePosition(src, err), err)
	}
	return &Program{code: code, source: src, hash: hex.EncodeToString(h[:])}, nil
}

// compilePosition finds the first use of an undefined function or
// variable in src ("function not defined: name/1", "variable not defined:
// $x"), as "line L, column C: ", or "".
func compilePosition(src string, err error) string {
	_, rest, ok := strings.Cut(err.Error(), "not defined: ")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "" {
		return ""
	}
	i := strings.Index(src, name)
	if i < 0 {
		return ""
	}
	line, col := lineCol(src, i)
	return fmt.Sprintf("line %d, column %d: ", line, col)
}

func lineCol(src string, off int) (int, int) {
	off = max(0, min(off, len(src)))
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

// Error is one problem found while turning a payload into documents.
type Error struct {
	Stage string // StageParse, StageMap or StageValidate
	// Input is the index of the parsed document the problem belongs to
	// (-1 for a parse error); Output the index in Result.Documents of an
	// invalid output (-1 unless Stage is validate).
	Input, Output int
	// Path locates the problem: for validate, the JSON Pointer in the
	// output document; for map, the jq path of the offending input value
	// when it could be found; empty otherwise.
	Path    string
	Message string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString("mapping: ")
	b.WriteString(e.Stage)
	switch {
	case e.Stage == StageValidate:
		fmt.Fprintf(&b, " document %d", e.Output+1)
	case e.Input >= 0:
		fmt.Fprintf(&b, " input %d", e.Input+1)
	}
	if e.Path != "" && e.Stage != StageValidate { // a validate message starts with its path
		fmt.Fprintf(&b, " at %s", e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Result is the outcome of a mapping run. Documents holds every output in
// order, including the ones that failed validation (an Error with Stage
// validate and their Output index): route only documents without errors.
// An input that fails to map contributes no documents.
type Result struct {
	Documents []any
	Errors    []Error
	// Skipped lists the inputs of another document type than
	// Config.DocType (an X12 set or EDIFACT message of another type): they
	// were not mapped and belong to another adapter.
	Skipped []int
}

// Err returns nil when there are no errors, else all of them joined.
func (r Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	errs := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Valid returns the documents that have no validation error.
func (r Result) Valid() []any {
	bad := map[int]bool{}
	for _, e := range r.Errors {
		if e.Stage == StageValidate {
			bad[e.Output] = true
		}
	}
	var out []any
	for i, d := range r.Documents {
		if !bad[i] {
			out = append(out, d)
		}
	}
	return out
}

// Config describes one adapter's mapping.
type Config struct {
	Format string // formats.Parse format for Run
	// DocType, for x12 and edifact, is the set ID ("850") or message type
	// ("ORDERS") the program maps; other inputs are skipped (see
	// Result.Skipped). Empty maps every input.
	DocType      string
	ParseOptions formats.Options // options for Run
	Program      string
	Tables       map[string]map[string]string
	// Schema, when set, validates every output document (the target API
	// version's contract).
	Schema *jsonschema.Schema
	// MaxOutputs bounds the documents one input may produce (0: default).
	MaxOutputs int
}

// Mapper applies one compiled program with its tables and schema. It is
// safe for concurrent use.
type Mapper struct {
	prog       *Program
	checker    *canonical.Checker // nil without a schema
	tables     map[string]any
	cfg        Config
	maxOutputs int
}

// NewMapper compiles (or reuses) the program of cfg.
func (c *Compiler) NewMapper(cfg Config) (*Mapper, error) {
	p, err := c.Compile(cfg.Program)
	if err != nil {
		return nil, err
	}
	tables := make(map[string]any, len(cfg.Tables))
	for name, t := range cfg.Tables {
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[k] = v
		}
		tables[name] = m
	}
	maxOut := cfg.MaxOutputs
	if maxOut <= 0 {
		maxOut = DefaultMaxOutputs
	}
	m := &Mapper{prog: p, tables: tables, cfg: cfg, maxOutputs: maxOut}
	if cfg.Schema != nil {
		m.checker = canonical.NewChecker(cfg.Schema)
	}
	return m, nil
}

// Program returns the mapper's compiled program.
func (m *Mapper) Program() *Program { return m.prog }

// Run parses data with the configured format and options, maps every
// document and validates the outputs.
func (m *Mapper) Run(ctx context.Context, data []byte) Result {
	docs, err := formats.Parse(m.cfg.Format, data, m.cfg.ParseOptions)
	if err != nil {
		return Result{Errors: []Error{{Stage: StageParse, Input: -1, Output: -1, Message: err.Error()}}}
	}
	return m.Map(ctx, docs)
}

// Map maps parsed documents and validates the outputs. A cancelled
// context stops it; the remaining inputs get a map error.
func (m *Mapper) Map(ctx context.Context, docs []any) Result {
	var r Result
	for i, doc := range docs {
		if m.cfg.DocType != "" {
			if t := documentType(doc); t != "" && t != m.cfg.DocType {
				r.Skipped = append(r.Skipped, i)
				continue
			}
		}
		outs, checked, err := m.mapDocument(ctx, doc, m.checker != nil && m.checker.ChecksEveryValue())
		if err != nil {
			r.Errors = append(r.Errors, m.mapError(i, doc, err))
			continue
		}
		for k, o := range outs {
			r.Documents = append(r.Documents, o)
			if m.checker == nil || k < 64 && checked&(1<<k) != 0 { // already checked by mapDocument
				continue
			}
			if verr := m.checker.Validate(o); verr != nil {
				for _, f := range canonical.FieldErrors(verr) {
					r.Errors = append(r.Errors, Error{Stage: StageValidate, Input: i, Output: len(r.Documents) - 1,
						Path: f.Path, Message: fieldMessage(f)})
				}
			}
		}
	}
	return r
}

func fieldMessage(f canonical.FieldError) string {
	if f.Path == "" {
		return "the document " + f.Message
	}
	return f.Path + " " + f.Message
}

// MapDocument runs the program on one input and returns its outputs,
// normalised to JSON values (json.Number for big integers) and checked to
// be objects. The error is a *RunError.
func (m *Mapper) MapDocument(ctx context.Context, doc any) (outs []any, err error) {
	outs, _, err = m.mapDocument(ctx, doc, false)
	return outs, err
}

// mapDocument is MapDocument. With quick (the mapper's checker looks at
// every value, canonical.Checker.ChecksEveryValue), an output the fast
// check accepts is known to be a valid object of JSON values and is not
// normalised (a second walk of the document); bit k of checked is set for
// such an output k < 64, which Map then need not validate again. Any other
// output goes through normalize and the object check as before, in the
// same order, so the errors are the same.
func (m *Mapper) mapDocument(ctx context.Context, doc any, quick bool) (outs []any, checked uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			outs, checked, err = nil, 0, &RunError{Message: fmt.Sprintf("internal error in the mapping engine: %v", p)}
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, 0, &RunError{Message: "cancelled: " + err.Error(), cause: err}
	}
	runCtx := ctx
	if ctx.Done() == nil {
		// gojq checks a context at every instruction unless it is
		// Background; one that can never be cancelled needs no check.
		runCtx = context.Background()
	}
	iter := m.prog.code.RunWithContext(runCtx, doc, m.tables)
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if e, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(e, &halt) && halt.Value() == nil {
				break
			}
			return nil, 0, runError(e)
		}
		if len(outs) >= m.maxOutputs {
			return nil, 0, &RunError{Message: fmt.Sprintf("the program produced more than %d documents for one input", m.maxOutputs)}
		}
		if _, isObj := v.(map[string]any); isObj && quick && len(outs) < 64 && m.checker.QuickCheck(v) {
			checked |= 1 << len(outs)
			outs = append(outs, v)
			continue
		}
		o, err := normalize(v)
		if err != nil {
			return nil, 0, &RunError{Message: fmt.Sprintf("output %d: %v", len(outs)+1, err)}
		}
		if _, ok := o.(map[string]any); !ok {
			return nil, 0, &RunError{Message: fmt.Sprintf("output %d is %s; a mapping must output objects (canonical documents)", len(outs)+1, typeName(o))}
		}
		outs = append(outs, o)
	}
	return outs, checked, nil
}

// RunError is a failure of a program on one input.
type RunError struct {
	Where   []string // within(...) contexts, outermost first
	Func    string   // the failing helper, if any
	Value   any      // the helper's input value, if any
	Message string
	cause   error
}

func (e *RunError) Error() string { return "mapping: " + e.Text() }

// Text is the error without the package prefix: the within(...) contexts,
// then the message.
func (e *RunError) Text() string {
	if len(e.Where) == 0 {
		return e.Message
	}
	return strings.Join(e.Where, ": ") + ": " + e.Message
}

func (e *RunError) Unwrap() error { return e.cause }

// runError turns a gojq error into a *RunError, unpacking helper errors
// and the objects within(...) raises.
func runError(err error) *RunError {
	re := &RunError{Message: err.Error(), cause: err}
	var fe *FuncError
	if errors.As(err, &fe) {
		re.Func, re.Value, re.Message = fe.Func, fe.Input, fe.Message
		return re
	}
	var ve interface{ Value() any }
	if !errors.As(err, &ve) {
		return re
	}
	switch v := ve.Value().(type) {
	case string:
		re.Message = v
	case map[string]any:
		if msg, ok := v["message"].(string); ok {
			re.Message = msg
			re.Func, _ = v["function"].(string)
			re.Value = v["value"]
			if where, ok := v["where"].([]any); ok {
				for _, w := range where {
					re.Where = append(re.Where, fmt.Sprint(w))
				}
			}
		}
	}
	return re
}

func (m *Mapper) mapError(i int, doc any, err error) Error {
	e := Error{Stage: StageMap, Input: i, Output: -1, Message: err.Error()}
	var re *RunError
	if !errors.As(err, &re) {
		return e
	}
	e.Message = re.Text()
	if s, ok := re.Value.(string); ok && s != "" {
		if loc, found := locate(doc, s); found {
			e.Path = loc.path
			if loc.element != "" {
				e.Message += " (" + loc.element + ")"
			}
		}
	}
	return e
}

// normalize checks that v is a JSON value and converts *big.Int to
// json.Number (the schema validator does not know big.Int).
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, int, json.Number:
		return v, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a JSON number", x)
		}
		return v, nil
	case *big.Int:
		return json.Number(x.String()), nil
	case []any:
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			if _, big := e.(*big.Int); big {
				x[i] = n
			}
		}
		return v, nil // v, not x: boxing the slice again would allocate
	case map[string]any:
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			if _, big := e.(*big.Int); big {
				x[k] = n
			}
		}
		return x, nil
	}
	return nil, fmt.Errorf("%T is not a JSON value", v)
}

// documentType returns the X12 set ID or EDIFACT message type of a parsed
// document, or "".
func documentType(doc any) string {
	m, _ := doc.(map[string]any)
	if set, ok := m["set"].(map[string]any); ok {
		id, _ := set["set"].(string)
		return id
	}
	if msg, ok := m["message"].(map[string]any); ok {
		if typ, ok := msg["type"].([]any); ok && len(typ) > 0 {
			id, _ := typ[0].(string)
			return id
		}
	}
	return ""
}
