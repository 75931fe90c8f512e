package canonical

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// FieldError is one problem in a document: Path is the JSON Pointer of the
// offending value ("/lines/0/quantity/value"; "" is the whole document),
// Message says in plain words what is wrong with it.
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) String() string {
	p := e.Path
	if p == "" {
		p = "(document)"
	}
	return p + ": " + e.Message
}

// ValidationError reports every problem of one invalid document.
type ValidationError struct {
	Document string // "Order", ...
	Fields   []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return fmt.Sprintf("canonical: invalid %s: %s", e.Document, strings.Join(parts, "; "))
}

// Validator validates documents against the compiled canonical schemas.
// It is safe for concurrent use.
type Validator struct {
	schemas  map[string]*jsonschema.Schema
	checkers map[string]*Checker
}

// NewValidator compiles the six schemas.
func NewValidator() (*Validator, error) {
	v := &Validator{schemas: make(map[string]*jsonschema.Schema), checkers: make(map[string]*Checker)}
	for _, d := range Schemas() {
		s, err := compileDoc(d)
		if err != nil {
			return nil, err
		}
		v.schemas[d.Name] = s
		v.checkers[d.Name] = NewChecker(s)
	}
	return v, nil
}

// Schema returns the compiled schema of a document.
func (v *Validator) Schema(name string) (*jsonschema.Schema, bool) {
	s, ok := v.schemas[name]
	return s, ok
}

// Validate checks doc (a JSON value as decoded by encoding/json:
// map[string]any, []any, string, json.Number or float64, bool, nil)
// against the schema of the named document. It returns nil when the
// document is valid and a *ValidationError listing every problem when not.
func (v *Validator) Validate(name string, doc any) error {
	c, ok := v.checkers[name]
	if !ok {
		return fmt.Errorf("canonical: unknown document %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	if err := c.Validate(doc); err != nil {
		return &ValidationError{Document: name, Fields: FieldErrors(err)}
	}
	return nil
}

// ValidateDocument validates doc against the schema its "documentType"
// names.
func (v *Validator) ValidateDocument(doc any) error {
	m, ok := doc.(map[string]any)
	if !ok {
		return &ValidationError{Fields: []FieldError{{Path: "", Message: "must be a JSON object, not " + jsonType(doc)}}}
	}
	name, _ := m["documentType"].(string)
	if _, ok := v.schemas[name]; !ok {
		return &ValidationError{Fields: []FieldError{{Path: "/documentType",
			Message: fmt.Sprintf("must name a canonical document (%s); got %s", strings.Join(Names(), ", "), preview(m["documentType"]))}}}
	}
	return v.Validate(name, doc)
}

// FieldErrors turns an error from (*jsonschema.Schema).Validate into
// plain-word field errors, sorted by path. Any other error becomes one
// FieldError for the whole document.
func FieldErrors(err error) []FieldError {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []FieldError{{Path: "", Message: err.Error()}}
	}
	var out []FieldError
	collect(ve, &out)
	slices.SortStableFunc(out, func(a, b FieldError) int { return strings.Compare(a.Path, b.Path) })
	return slices.Compact(out)
}

func collect(e *jsonschema.ValidationError, out *[]FieldError) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collect(c, out)
		}
		return
	}
	path := pointer(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			*out = append(*out, FieldError{Path: path + "/" + escape(m), Message: "is required but missing"})
		}
		return
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, FieldError{Path: path + "/" + escape(p), Message: "is not a field of this object"})
		}
		return
	}
	*out = append(*out, FieldError{Path: path, Message: describe(e)})
}

func describe(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = article(w)
		}
		msg := fmt.Sprintf("must be %s, not %s", strings.Join(want, " or "), article(k.Got))
		if k.Got == "number" && slices.Equal(k.Want, []string{"string"}) {
			msg += ` (decimals are written as strings, e.g. "12.50")`
		}
		return msg
	case *kind.Pattern:
		if w, ok := patternWords(k.Want, e.SchemaURL); ok {
			return fmt.Sprintf("must be %s; got %q", w, k.Got)
		}
		return fmt.Sprintf("%q does not have the expected form %s", k.Got, k.Want)
	case *kind.Format:
		if k.Want == "date" {
			return fmt.Sprintf("must be a calendar date written YYYY-MM-DD; got %s", preview(k.Got))
		}
		return fmt.Sprintf("must be a valid %s; got %s", k.Want, preview(k.Got))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = preview(w)
		}
		return fmt.Sprintf("must be one of %s; got %s", strings.Join(want, ", "), preview(k.Got))
	case *kind.Const:
		return fmt.Sprintf("must be %s; got %s", preview(k.Want), preview(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d %s; it has %d", k.Want, plural(k.Want, "entry", "entries"), k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d %s; it has %d", k.Want, plural(k.Want, "entry", "entries"), k.Got)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters long; it has %d", k.Want, k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long; it has %d", k.Want, k.Got)
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s; got %s", k.Want.RatString(), k.Got.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s; got %s", k.Want.RatString(), k.Got.RatString())
	case *kind.FalseSchema:
		return "is not allowed here"
	}
	return e.ErrorKind.LocalizedString(nil)
}

// patternWords describes the patterns of the model in words, by pattern
// (the leaf definitions are inlined, so the pattern is what identifies
// them; TestPatternWords keeps this list in step with defs.json).
func patternWords(pattern, loc string) (string, bool) {
	switch pattern {
	case `^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`:
		return `a decimal number written as a string, such as "12.50" or "-3" (no thousands separators, no exponent, no leading zeros)`, true
	case `^[A-Z]{3}$`:
		return "an ISO 4217 currency code of three capital letters, such as USD", true
	case `^[0-9]{14}$`:
		return "a GTIN of exactly 14 digits (pad GTIN-8/12/13 with leading zeros)", true
	case `^[0-9]{13}$`:
		return "a GLN of exactly 13 digits", true
	case `^[0-9]{18}$`:
		return "an SSCC of exactly 18 digits (without the application identifier 00)", true
	case `^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$`:
		return "a time of day HH:MM or HH:MM:SS", true
	}
	switch {
	case strings.HasSuffix(loc, "/properties/scheme"):
		return `an identifier scheme such as "gtin", "duns" or "x12:VN"`, true
	case strings.HasSuffix(loc, "/properties/role"):
		return `a role word such as "buyer" or "shipTo"`, true
	case strings.HasSuffix(loc, "/properties/kind"):
		return `a lower-case kind such as "invoice" or "credit-memo"`, true
	}
	return "", false
}

func article(t string) string {
	switch t {
	case "object", "array", "integer":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func jsonType(v any) string {
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
	}
	return "a number"
}

func preview(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 60 {
			x = x[:57] + "..."
		}
		return fmt.Sprintf("%q", x)
	case map[string]any, []any:
		return jsonType(v)
	}
	return fmt.Sprint(v)
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escape(t))
	}
	return b.String()
}

func escape(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}
