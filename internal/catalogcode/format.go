// Package catalogcode is "catalog as code": a declarative document (YAML or
// JSON) listing teams, systems, policy sets, APIs and their versions, and
// trading partners with their contacts, policy overrides and adapters
// (revision content and samples), which Plan compares with the database,
// Apply makes true through the catalog, partner and adapter services, and
// Export writes back out. API keys and other secrets are never part of a
// document, and a partner's onboarding status is not applied from one. Applying the same document twice
// changes nothing the second time; export -> apply into an empty database
// -> export gives the same bytes.
package catalogcode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// APIVersion and Kind identify a catalog document.
const (
	APIVersion = "crossdock/v1"
	Kind       = "Catalog"
)

// Document is a catalog file. Field order here is the order of an export.
type Document struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Teams      []Team   `json:"teams,omitempty"`
	Systems    []System `json:"systems,omitempty"`
	Policies   []Policy `json:"policies,omitempty"`
	APIs       []API    `json:"apis,omitempty"`
	// Partners are trading partners; never their API keys.
	Partners []Partner `json:"partners,omitempty"`
}

// Team owns systems and APIs.
type Team struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	ContactEmail string `json:"contactEmail,omitempty"`
	ContactChat  string `json:"contactChat,omitempty"`
}

// System is an ERP, WMS, 3PL network... behind system APIs.
type System struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	OwnerTeam   string `json:"ownerTeam,omitempty"`
	Description string `json:"description,omitempty"`
}

// Policy is one version of a named policy set. Settings is the policy
// document (its fields belong to the policy package); it is compared and
// stored as canonical JSON.
type Policy struct {
	Name        string          `json:"name"`
	Version     int             `json:"version"`
	Description string          `json:"description,omitempty"`
	Settings    json.RawMessage `json:"settings,omitempty"`
}

// Key is "name@version", as versions refer to it.
func (p Policy) Key() string { return p.Name + "@" + strconv.Itoa(p.Version) }

// API is one catalog entry with its versions.
type API struct {
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Domain      string    `json:"domain"`
	OwnerTeam   string    `json:"ownerTeam,omitempty"`
	System      string    `json:"system,omitempty"`
	Description string    `json:"description,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Versions    []Version `json:"versions,omitempty"`
}

// Version is one version of an API: its contract, its lifecycle state and
// the policy sets attached to it, in precedence order.
type Version struct {
	Version   string `json:"version"`
	Lifecycle string `json:"lifecycle,omitempty"` // draft (default) | published | deprecated | retired
	// SunsetAt (RFC 3339) and Successor are set when a version is
	// deprecated; a retired version keeps its successor.
	SunsetAt  string `json:"sunsetAt,omitempty"`
	Successor string `json:"successor,omitempty"`
	// Policies are the attached policy sets ("name@version"), lowest
	// precedence first; the list is complete (omitted: none attached).
	Policies  []string `json:"policies,omitempty"`
	Changelog string   `json:"changelog,omitempty"`
	// Schema is the JSON Schema of the payload, as an object (or a string
	// holding JSON); it is stored as canonical JSON text.
	Schema json.RawMessage `json:"schema,omitempty"`
	// OpenAPI and AsyncAPI are documents stored as the text given (JSON or
	// YAML); an object is stored as canonical JSON.
	OpenAPI  json.RawMessage `json:"openapi,omitempty"`
	AsyncAPI json.RawMessage `json:"asyncapi,omitempty"`
}

// Partner is a trading partner: its identity, contacts, policy overrides
// and adapters. API keys are never part of a document: they are issued in
// the console, shown once and stored only as hashes.
type Partner struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Status is informational only: onboarding moves need the checklist
	// and a four-eyes go-live approval, so apply never changes a partner's
	// status (it notes a difference), a new partner starts in draft, and
	// export leaves the field out.
	Status    string `json:"status,omitempty"`
	ISA       *ISA   `json:"isa,omitempty"`
	GSAppCode string `json:"gsAppCode,omitempty"`
	GLN       string `json:"gln,omitempty"`
	DUNS      string `json:"duns,omitempty"`
	Notes     string `json:"notes,omitempty"`
	// Contacts are matched by name and role; contacts the file does not
	// name are left alone.
	Contacts []Contact `json:"contacts,omitempty"`
	// PolicyOverrides are matched by API version ("slug@version", or none
	// for all versions); overrides the file does not name are left alone.
	PolicyOverrides []PolicyOverride `json:"policyOverrides,omitempty"`
	Adapters        []Adapter        `json:"adapters,omitempty"`
}

// ISA is the partner's X12 interchange identity (ISA05/06 or ISA07/08).
type ISA struct {
	Qualifier string `json:"qualifier"`
	ID        string `json:"id"`
}

// Contact is a person at the partner.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Role  string `json:"role"` // business | technical | escalation
}

// PolicyOverride is the partner's settings document for one API version
// ("slug@version") or, without api, for all versions.
type PolicyOverride struct {
	API      string          `json:"api,omitempty"`
	Settings json.RawMessage `json:"settings"`
}

// Adapter is a partner's adapter: cloned from a mapping template, mapping
// into the contract of a target API version ("slug@version"). Template and
// target are fixed once the adapter exists.
type Adapter struct {
	Name     string `json:"name"`
	Template string `json:"template"`
	Target   string `json:"target"`
	// Revision is the mapping: the active revision's content (or the
	// newest draft's when none is active). Omitted on a new adapter: the
	// template's content, as a draft.
	Revision *AdapterRevision `json:"revision,omitempty"`
	// Samples are matched by name; samples the file does not name are
	// left alone.
	Samples []Sample `json:"samples,omitempty"`
}

// AdapterRevision is the content of an adapter revision. It is complete:
// omitted tables are no tables, omitted parse options the defaults.
type AdapterRevision struct {
	Program      string                       `json:"program"`
	Tables       map[string]map[string]string `json:"tables,omitempty"`
	ParseOptions *ParseOptions                `json:"parseOptions,omitempty"`
	// Active makes this content the active revision: when it differs from
	// the active one it is saved as a new revision and activated (the old
	// one is superseded; an activated revision never changes). Without
	// it the content is saved as a draft.
	Active bool `json:"active,omitempty"`
}

// ParseOptions are the formats.Parse options of a revision, as the adapter
// package stores them.
type ParseOptions struct {
	Delimiter   string `json:"delimiter,omitempty"` // one character
	Header      bool   `json:"header,omitempty"`
	GroupBy     string `json:"groupBy,omitempty"`
	Comment     string `json:"comment,omitempty"` // one character
	MaxBytes    int    `json:"maxBytes,omitempty"`
	MaxDepth    int    `json:"maxDepth,omitempty"`
	MaxElements int    `json:"maxElements,omitempty"`
}

// Sample is a sample document of an adapter with its expected outcome.
type Sample struct {
	Name   string `json:"name"`
	Expect string `json:"expect"` // accepted | rejected
	// Content is the payload as text; ContentBase64 holds payloads that
	// are not printable UTF-8 text. Exactly one is set. The content of a
	// sample never changes (add a sample under a new name instead).
	Content       string `json:"content,omitempty"`
	ContentBase64 string `json:"contentBase64,omitempty"`
	// ExpectedOutput (accepted samples) is the canonical documents the
	// sample must map to: one object or an array of them.
	ExpectedOutput json.RawMessage `json:"expectedOutput,omitempty"`
	// ExpectedErrors (rejected samples) are substrings each of which must
	// appear in the errors.
	ExpectedErrors []string `json:"expectedErrors,omitempty"`
}

// ParseError is a document that cannot be read: bad YAML or JSON, an
// unknown field, a wrong type, a duplicate key. Nothing is planned for it.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return "catalog document: " + e.Msg }

// Formats of a document.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// Parse reads a document in format ("yaml", "json", or "" to detect:
// JSON when it starts with "{"). YAML is converted to JSON first, so both
// follow the same rules: unknown fields and duplicate keys are errors.
func Parse(data []byte, format string) (Document, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Document{}, &ParseError{Msg: "the document is empty"}
	}
	if format == "" {
		format = FormatYAML
		if trimmed[0] == '{' {
			format = FormatJSON
		}
	}
	j := trimmed
	switch format {
	case FormatJSON:
	case FormatYAML:
		var err error
		if j, err = yaml.YAMLToJSONStrict(data); err != nil {
			return Document{}, &ParseError{Msg: strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")}
		}
	default:
		return Document{}, fmt.Errorf("catalogcode: unknown format %q", format)
	}
	if err := checkDuplicateKeys(j); err != nil {
		return Document{}, &ParseError{Msg: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		return Document{}, &ParseError{Msg: describeJSONError(err)}
	}
	if dec.More() {
		return Document{}, &ParseError{Msg: "unexpected content after the document"}
	}
	if err := d.check(); err != nil {
		return Document{}, &ParseError{Msg: err.Error()}
	}
	return d, nil
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: expected %s, got %s", te.Field, te.Type, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// check enforces what makes a document readable at all: its header and
// unique keys. Everything else is judged per item by Plan.
func (d Document) check() error {
	if d.APIVersion != APIVersion {
		return fmt.Errorf("apiVersion must be %q, got %q", APIVersion, d.APIVersion)
	}
	if d.Kind != Kind {
		return fmt.Errorf("kind must be %q, got %q", Kind, d.Kind)
	}
	seen := map[string]bool{}
	dup := func(what, key string) error {
		k := what + "\x00" + key
		if seen[k] {
			return fmt.Errorf("%s %q appears twice", what, key)
		}
		seen[k] = true
		return nil
	}
	for _, t := range d.Teams {
		if err := dup("team", t.Slug); err != nil {
			return err
		}
	}
	for _, s := range d.Systems {
		if err := dup("system", s.Slug); err != nil {
			return err
		}
	}
	for _, p := range d.Policies {
		if err := dup("policy", p.Key()); err != nil {
			return err
		}
	}
	for _, a := range d.APIs {
		if err := dup("api", a.Slug); err != nil {
			return err
		}
		for _, v := range a.Versions {
			if err := dup("version", a.Slug+"@"+v.Version); err != nil {
				return err
			}
		}
	}
	for _, x := range d.Partners {
		code := partnerCode(x.Code)
		if err := dup("partner", code); err != nil {
			return err
		}
		for _, o := range x.PolicyOverrides {
			if err := dup("policy override of partner", code+" for "+overrideScope(o.API)); err != nil {
				return err
			}
		}
		for _, a := range x.Adapters {
			name := strings.TrimSpace(a.Name)
			if err := dup("adapter", code+"/"+name); err != nil {
				return err
			}
			for _, sm := range a.Samples {
				if err := dup("sample", code+"/"+name+"/"+strings.TrimSpace(sm.Name)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkDuplicateKeys rejects JSON objects with a key twice (YAML input is
// checked by the strict converter already).
func checkDuplicateKeys(j []byte) error {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			keys := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if keys[k] {
					return fmt.Errorf("key %q appears twice in one object", k)
				}
				keys[k] = true
				if err := walk(); err != nil {
					return err
				}
			}
		case '[':
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // closing delimiter
		return err
	}
	if err := walk(); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the document ends too early")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
		}
		return err
	}
	return nil
}

// Encode writes d as YAML or JSON. The output depends only on d: keys in
// the order of the Go types (JSON Schemas and settings in sorted key
// order), so exports of equal catalogs are byte-identical.
func Encode(d Document, format string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	switch format {
	case FormatJSON:
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("catalogcode: encode json: %w", err)
		}
		return buf.Bytes(), nil
	case FormatYAML:
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("catalogcode: encode: %w", err)
		}
		v, err := orderedValue(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("catalogcode: encode yaml: %w", err)
		}
		out, err := yamlv2.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("catalogcode: encode yaml: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("catalogcode: unknown format %q", format)
}

// orderedValue decodes JSON keeping the key order, as YAML mapping slices.
func orderedValue(j []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var read func() (any, error)
	read = func() (any, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' {
				m := yamlv2.MapSlice{}
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return nil, err
					}
					v, err := read()
					if err != nil {
						return nil, err
					}
					m = append(m, yamlv2.MapItem{Key: k, Value: v})
				}
				_, err := dec.Token()
				return m, err
			}
			l := []any{}
			for dec.More() {
				v, err := read()
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		case json.Number:
			if i, err := t.Int64(); err == nil {
				return i, nil
			}
			f, err := t.Float64()
			return f, err
		default:
			return t, nil
		}
	}
	return read()
}

// canonicalJSON returns raw with object keys sorted, numbers normalized and
// two-space indentation: equal documents give equal text, and the text
// survives a trip through YAML unchanged.
func canonicalJSON(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	if dec.More() {
		return "", errors.New("unexpected content after the JSON value")
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v, ""); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func writeCanonical(buf *bytes.Buffer, v any, indent string) error {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			buf.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteString("{\n")
		for i, k := range keys {
			buf.WriteString(indent + "  ")
			writeString(buf, k)
			buf.WriteString(": ")
			if err := writeCanonical(buf, t[k], indent+"  "); err != nil {
				return err
			}
			if i < len(keys)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, e := range t {
			buf.WriteString(indent + "  ")
			if err := writeCanonical(buf, e, indent+"  "); err != nil {
				return err
			}
			if i < len(t)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case string:
		writeString(buf, t)
	case json.Number:
		n, err := canonicalNumber(t)
		if err != nil {
			return err
		}
		buf.WriteString(n)
	case bool:
		buf.WriteString(strconv.FormatBool(t))
	case nil:
		buf.WriteString("null")
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// canonicalNumber keeps integers exact and writes other numbers in the
// shortest form that reads back to the same float64.
func canonicalNumber(n json.Number) (string, error) {
	if i, err := n.Int64(); err == nil {
		return strconv.FormatInt(i, 10), nil
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("number %s is out of range", n)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), nil
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}

func writeString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Write(bytes.TrimRight(b.Bytes(), "\n"))
}

// documentText turns a schema, OpenAPI or AsyncAPI field into the text to
// store: a JSON string is taken as the text itself; any other JSON value
// is stored as canonical JSON. canonical says whether a string holding
// JSON is canonicalized too (schemas: yes; OpenAPI text: kept as written).
func documentText(raw json.RawMessage, canonical bool) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if canonical && strings.TrimSpace(s) != "" {
			c, err := canonicalJSON([]byte(s))
			if err != nil {
				return "", fmt.Errorf("not valid JSON: %v", err)
			}
			return c, nil
		}
		return s, nil
	}
	return canonicalJSON(raw)
}

// rawDocument is the export form of a stored document: JSON text becomes
// an object (canonical), anything else a string.
func rawDocument(text string, asObject bool) json.RawMessage {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if asObject {
		if c, err := canonicalJSON([]byte(text)); err == nil {
			return json.RawMessage(c)
		}
	}
	var buf bytes.Buffer
	writeString(&buf, text)
	return buf.Bytes()
}
