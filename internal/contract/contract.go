// Package contract compares two versions of an API payload contract
// expressed as JSON Schema (draft 2020-12) and reports what changed, flagging
// each change as breaking or non-breaking.
//
// # Point of view
//
// The contracts are request/payload contracts: a client SENDS documents that
// are validated by the schema. A change is breaking when a document that was
// valid under the old schema may be invalid (or silently lose meaning) under
// the new one. Loosening a constraint is therefore non-breaking and tightening
// one is breaking.
//
// # Paths
//
// Change.Path is a readable instance path, i.e. the location in the
// validated document, not in the schema:
//
//	""                  the document root
//	"orderId"           property orderId of the root object
//	"lines[]"           every item of array lines
//	"lines[].quantity"  property quantity of every item of lines
//	"coords[0]"         tuple position 0 (prefixItems)
//	"attrs.*"           any additional property of attrs (additionalProperties)
//	"attrs[/^x-/]"      properties of attrs matching a patternProperties regex
//	`lines["unit code"]` property names that are not plain identifiers are quoted
//
// Alternatives of anyOf/oneOf/allOf describe the same instance location, so
// they do not add a segment; the SchemaPointer tells them apart.
//
// Change.SchemaPointer is an RFC 6901 JSON Pointer into the NEW schema
// document, resolved through "$ref" (a change inside a shared definition
// points into "/$defs/..."). It designates the keyword that carries the change
// ("/properties/lines/items/properties/quantity/maximum") or, for property
// level changes, the property's subschema. When the keyword was removed it
// points where the keyword would live in the new schema; below a subschema
// that is absent or boolean in the new schema, it points at that subschema's
// location. The root is "".
//
// # Change kinds
//
// Kind is a stable machine identifier. Breaking (B) and non-breaking (NB):
//
//	schema-became-false (B)       subschema is now `false`, nothing is accepted
//	schema-no-longer-false (NB)   subschema was `false` and now accepts values
//	type-narrowed (B)             a previously accepted JSON type is no longer accepted
//	                              (["string","null"] -> "string", "number" -> "integer",
//	                              or a type constraint added where there was none)
//	type-widened (NB)             new JSON types are accepted ("integer" -> "number")
//	type-changed (B)              some types removed and others added ("string" -> "number")
//	enum-added (B)                enum constraint added
//	enum-removed (NB)             enum constraint removed
//	enum-value-removed (B)        one value no longer allowed (one change per value)
//	enum-value-added (NB)         one new value allowed (one change per value)
//	const-added (B), const-changed (B), const-removed (NB)
//	property-removed (B)          a documented property was removed (see below)
//	property-added (NB)           optional property added
//	required-property-added (B)   new property that is required
//	property-made-required (B)    existing (or undocumented) property became required
//	property-made-optional (NB)   property no longer required
//	additional-properties-closed (B)  additionalProperties became false
//	additional-properties-opened (NB) additionalProperties was false and no longer is
//	pattern-property-added (NB), pattern-property-removed (B)
//	dependent-required-added (B), dependent-required-removed (NB)
//	unique-items-added (B), unique-items-removed (NB)
//	pattern-added (B), pattern-changed (B), pattern-removed (NB)
//	format-added (B), format-changed (B), format-removed (NB)
//	multiple-of-added (B), multiple-of-removed (NB)
//	multiple-of-changed (B unless every multiple of the old value is a
//	                     multiple of the new one, e.g. 0.5 -> 0.25)
//	any-of-added (B), any-of-removed (NB)
//	any-of-alternative-added (NB), any-of-alternative-removed (B)
//	one-of-added (B), one-of-removed (NB)
//	one-of-alternative-added (NB), one-of-alternative-removed (B)
//	all-of-entry-added (B), all-of-entry-removed (NB)
//	keyword-added (B), keyword-changed (B), keyword-removed (NB)
//	                              for keywords compared only textually: not, if,
//	                              then, else, contains, minContains, maxContains,
//	                              unevaluatedItems, unevaluatedProperties,
//	                              propertyNames, dependentSchemas
//	ref-changed (B)               an unresolvable (non-local) $ref differs
//	annotation-changed (NB)       title, description, examples, default,
//	                              deprecated, readOnly, writeOnly, $comment,
//	                              contentMediaType, contentEncoding, contentSchema
//
// Bounds produce "<keyword>-added", "<keyword>-removed", "<keyword>-increased"
// and "<keyword>-decreased" in kebab case, for the upper bounds max-length,
// max-items, max-properties, maximum, exclusive-maximum (added and decreased
// are breaking) and the lower bounds min-length, min-items, min-properties,
// minimum, exclusive-minimum (added and increased are breaking; adding a
// vacuous minLength/minItems/minProperties of 0 is not). For the numeric range,
// maximum and exclusiveMaximum (resp. minimum and exclusiveMinimum) are also
// judged together: a change is not breaking when the effective bound did not
// get tighter (maximum 10 replaced by exclusiveMaximum 11, for instance).
//
// # Decisions and approximations
//
//   - Removing a documented property is always breaking. With
//     additionalProperties false the documents that still send it are
//     rejected; otherwise the receiver stops honouring data the sender
//     provides, which is a silent break for a payload contract.
//   - Adding an optional property is non-breaking, even when
//     additionalProperties was open (a sender could in theory already have
//     sent a value of another type under that name).
//   - Keywords only matter for the JSON types they apply to: string keywords
//     are compared only if strings were accepted by the old schema and are
//     accepted by the new one, and likewise for numbers, objects and arrays.
//     The old schema's accepted types are narrowed by its enum/const, so
//     ["string","null"] -> "string" is not breaking when the enum has no null.
//   - "format" is treated as an assertion (most validators enforce it).
//   - anyOf/oneOf/allOf alternatives are matched in this order: structurally
//     equal, same discriminator (a property with the same const or
//     single-valued enum), same declared type, then by position when the
//     leftovers have the same count. Matched alternatives are compared
//     recursively; unmatched old ones are removed, unmatched new ones added.
//     A new oneOf alternative is reported non-breaking although it could
//     overlap an existing one; overlap is not analysed.
//   - Local references ("#", "#/json/pointer", "#anchor", percent-encoded or
//     not) are resolved in the schema document. Keywords next to a "$ref"
//     take precedence over those of the target (an approximation of the
//     2020-12 "both apply" rule that is exact for the usual
//     description/title siblings). Non-local references are not fetched; if
//     the set of such references differs the change is ref-changed.
//   - Reference cycles are cut: a (old, new) pair of subschemas that is
//     already being compared higher up is not compared again. A pair reached
//     a second time through another path (a shared definition such as an
//     Address used by billTo and shipTo) is compared once and its changes are
//     repeated under every path, up to 10000 changes in total.
//   - Unknown keywords (x-... extensions, draft-04 boolean exclusiveMaximum,
//     "dependencies", "nullable") are ignored. $schema, $id, $anchor, $defs
//     and definitions are not compared by themselves; definitions matter
//     only through the references that use them.
//
// Changes are sorted by Path, then Kind, then SchemaPointer, then Message,
// and exact duplicates are removed.
package contract

import (
	"fmt"
	"slices"
	"strings"
)

// Severity classifies a change.
type Severity string

// Severities.
const (
	SeverityBreaking    Severity = "breaking"
	SeverityNonBreaking Severity = "non-breaking"
)

// Change is one difference between two versions of a contract.
type Change struct {
	// Path is the readable instance path of the data affected, such as
	// "lines[].quantity" ("" is the document root). See the package
	// documentation for the notation.
	Path string `json:"path"`
	// SchemaPointer is a JSON Pointer into the new schema (resolved through
	// $ref) of the keyword or subschema carrying the change.
	SchemaPointer string `json:"schemaPointer"`
	// Kind is a stable machine identifier such as "property-removed".
	Kind string `json:"kind"`
	// Breaking reports whether a document valid under the old schema may be
	// rejected (or lose meaning) under the new one.
	Breaking bool `json:"breaking"`
	// Message explains the change in plain words.
	Message string `json:"message"`
}

// Severity returns SeverityBreaking or SeverityNonBreaking.
func (c Change) Severity() Severity {
	if c.Breaking {
		return SeverityBreaking
	}
	return SeverityNonBreaking
}

// String formats the change on one line, for logs and test output.
func (c Change) String() string {
	path := c.Path
	if path == "" {
		path = "(root)"
	}
	return fmt.Sprintf("%s %s at %s (%s): %s", c.Severity(), c.Kind, path, c.SchemaPointer, c.Message)
}

// Verdict is the result of comparing two versions of a contract.
type Verdict struct {
	// Changes is sorted by Path then Kind; it is never nil.
	Changes []Change `json:"changes"`
}

// Breaking reports whether at least one change is breaking.
func (v Verdict) Breaking() bool {
	return slices.ContainsFunc(v.Changes, func(c Change) bool { return c.Breaking })
}

// BreakingChanges returns the breaking changes, in order. It returns nil when
// there are none.
func (v Verdict) BreakingChanges() []Change {
	var out []Change
	for _, c := range v.Changes {
		if c.Breaking {
			out = append(out, c)
		}
	}
	return out
}

// Compare compares the old and the new JSON Schema of a payload contract,
// both given as raw JSON. It returns an error only when an input is not a
// single JSON object or boolean (invalid JSON included); anything inside a
// valid JSON document is compared leniently, malformed keywords being ignored.
func Compare(oldSchema, newSchema []byte) (Verdict, error) {
	od, err := parseSchema(oldSchema)
	if err != nil {
		return Verdict{}, fmt.Errorf("contract: old schema: %w", err)
	}
	nd, err := parseSchema(newSchema)
	if err != nil {
		return Verdict{}, fmt.Errorf("contract: new schema: %w", err)
	}
	w := &walker{old: od, new: nd, memo: map[string]*visit{}}
	w.compare(od.view(od.root, ""), nd.view(nd.root, ""), "")
	return Verdict{Changes: w.result()}, nil
}

// result renders the recorded changes, sorted and without duplicates.
func (w *walker) result() []Change {
	out := make([]Change, 0, len(w.changes))
	for _, r := range w.changes {
		out = append(out, Change{
			Path:          r.path,
			SchemaPointer: r.ptr,
			Kind:          r.kind,
			Breaking:      r.breaking,
			Message:       r.msg(describe(r.where)),
		})
	}
	slices.SortFunc(out, func(a, b Change) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.SchemaPointer, b.SchemaPointer); c != 0 {
			return c
		}
		if c := strings.Compare(a.Message, b.Message); c != 0 {
			return c
		}
		// Identical text: breaking first so that Compact keeps the stricter.
		switch {
		case a.Breaking == b.Breaking:
			return 0
		case a.Breaking:
			return -1
		default:
			return 1
		}
	})
	return slices.CompactFunc(out, func(a, b Change) bool {
		return a.Path == b.Path && a.Kind == b.Kind && a.SchemaPointer == b.SchemaPointer && a.Message == b.Message
	})
}

// describe names an instance location in messages.
func describe(path string) string {
	if path == "" {
		return "the document root"
	}
	return path
}
