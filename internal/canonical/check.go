package canonical

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Checker validates documents against one compiled schema. It first runs
// a fast check over a copy of the compiled schema graph (no allocation per
// value, common patterns matched without regexp); only when that check
// fails, or when the schema uses a keyword the fast check does not
// implement, does it ask the jsonschema library, whose error is then the
// answer. So the verdict and every error message are the library's, and
// valid documents (the common case) cost a fraction of a full validation.
//
// The fast check implements: boolean schemas, $ref, type, const, enum,
// format, allOf, if/then/else, required, properties,
// additionalProperties, items, minItems, maxItems, minLength, maxLength,
// pattern, minimum and maximum (the keywords of the canonical schemas);
// TestCheckerAgreesWithLibrary compares both on thousands of mutated
// documents. A Checker is safe for concurrent use.
type Checker struct {
	schema *jsonschema.Schema
	root   *node // nil when the schema is outside the fast check
	every  bool  // the fast check looks at every value (ChecksEveryValue)
}

// NewChecker prepares a Checker for s.
func NewChecker(s *jsonschema.Schema) *Checker {
	c := &Checker{schema: s}
	memo := map[*jsonschema.Schema]*node{}
	if n, ok := compileNode(s, memo); ok {
		for _, m := range memo {
			m.link()
		}
		c.root = n.target()
		c.every = everyValue(memo, c.root)
	}
	return c
}

// ChecksEveryValue reports whether the fast check looks at every value of
// a document (every object of the schema denies or checks additional
// properties, every array has items, ...). Then a document QuickCheck
// accepts holds only JSON values: nil, bool, string, int, finite float64,
// json.Number, []any and map[string]any (no *big.Int, no NaN, no other Go
// type), so it needs no normalising.
func (c *Checker) ChecksEveryValue() bool { return c.every }

// Fast reports whether the schema is within what the fast check handles.
func (c *Checker) Fast() bool { return c.root != nil }

// QuickCheck reports whether the fast check alone accepts v; false means
// only that the library has to decide (Validate does that).
func (c *Checker) QuickCheck(v any) bool { return c.root != nil && c.root.valid(v) }

// Validate returns nil when v is valid and the library's
// *jsonschema.ValidationError when it is not.
func (c *Checker) Validate(v any) error {
	if c.QuickCheck(v) {
		return nil
	}
	return c.schema.Validate(v)
}

type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBool
	tNumber
	tInteger
	tString
	tArray
	tObject
)

// node is one schema of the graph, reduced to what the fast check needs.
type node struct {
	boolean  *bool
	types    typeSet
	constant *any
	enum     []any
	format   func(any) error
	ref      *node
	required []string
	props    map[string]*node
	// propList holds props with their required flag; reqOther the
	// required names that have no props entry (see link).
	propList   []prop
	reqOther   []string
	constStr   *string  // constant, when it is a string
	enumStr    []string // enum, when every value is a string
	addlDeny   bool
	addl       *node
	minItems   int // -1: none
	maxItems   int
	items      *node
	minLen     int
	maxLen     int
	lengths    bool
	pattern    func(string) bool
	min, max   *big.Rat
	intBounds  bool // min and max (when set) are integers fitting int64
	minI, maxI int64
	allOf      []*node
	ifN, thenN *node
	elseN      *node
}

type prop struct {
	name     string
	node     *node
	required bool
}

// onlyRef reports whether n is nothing but a $ref (plus annotations):
// validating it is validating its target.
func (n *node) onlyRef() bool {
	return n.ref != nil && n.boolean == nil && n.types == 0 && n.constant == nil && n.enum == nil &&
		n.format == nil && n.required == nil && n.props == nil && !n.addlDeny && n.addl == nil &&
		n.minItems < 0 && n.maxItems < 0 && n.items == nil && !n.lengths && n.pattern == nil &&
		n.min == nil && n.max == nil && n.allOf == nil && n.ifN == nil && n.thenN == nil && n.elseN == nil
}

// target follows a chain of $ref-only nodes to the node that does the work
// (a cycle of them stops where it closes).
func (n *node) target() *node {
	for i := 0; n != nil && n.onlyRef() && i < 64; i++ {
		n = n.ref
	}
	return n
}

// link prepares n for valid once the whole graph is compiled: references
// skip $ref-only nodes, properties become a list with their required flag,
// and string constants and enums are compared as strings.
func (n *node) link() {
	n.ref, n.addl, n.items = n.ref.target(), n.addl.target(), n.items.target()
	n.ifN, n.thenN, n.elseN = n.ifN.target(), n.thenN.target(), n.elseN.target()
	for i, a := range n.allOf {
		n.allOf[i] = a.target()
	}
	n.propList = n.propList[:0]
	for k, p := range n.props {
		n.props[k] = p.target()
	}
	for k, p := range n.props {
		n.propList = append(n.propList, prop{name: k, node: p})
	}
	slices.SortFunc(n.propList, func(a, b prop) int { return strings.Compare(a.name, b.name) })
	n.reqOther = n.reqOther[:0]
	for _, r := range n.required {
		i := slices.IndexFunc(n.propList, func(p prop) bool { return p.name == r })
		if i >= 0 {
			n.propList[i].required = true
		} else {
			n.reqOther = append(n.reqOther, r)
		}
	}
	n.constStr = nil
	if n.constant != nil {
		if c, ok := (*n.constant).(string); ok {
			n.constStr = &c
		}
	}
	n.enumStr = nil
	if len(n.enum) > 0 {
		strs := make([]string, 0, len(n.enum))
		for _, e := range n.enum {
			if s, ok := e.(string); ok {
				strs = append(strs, s)
			}
		}
		if len(strs) == len(n.enum) {
			n.enumStr = strs
		}
	}
}

// everyValue decides which nodes check every value (see checksEvery) and
// returns the answer for root. It is the greatest fixpoint: all nodes start
// as checking and lose it until nothing changes, so a recursive schema
// counts as checking (valid descends into every level of a finite
// document) while a cycle through a node that does not check stays false.
func everyValue(memo map[*jsonschema.Schema]*node, root *node) bool {
	every := make(map[*node]bool, len(memo))
	for _, n := range memo {
		every[n] = true
	}
	for changed := true; changed; {
		changed = false
		for _, n := range memo {
			if every[n] && !n.checksEvery(every) {
				every[n], changed = false, true
			}
		}
	}
	return every[root]
}

// checksEvery reports whether valid, when it accepts a value, has checked
// the type of the value and of every value inside it, given which of the
// nodes n refers to do (every; a nil node does not).
func (n *node) checksEvery(every map[*node]bool) bool {
	if n.boolean != nil {
		return !*n.boolean // true accepts anything unchecked; false accepts nothing
	}
	if n.constStr != nil || n.enumStr != nil {
		return true // only a string can pass
	}
	noObjects := n.types != 0 && n.types&tObject == 0
	objects := noObjects || n.addlDeny || n.addl != nil && every[n.addl]
	for _, p := range n.propList {
		objects = objects && (noObjects || every[p.node])
	}
	arrays := n.types != 0 && n.types&tArray == 0 || n.items != nil && every[n.items]
	if objects && arrays {
		return true
	}
	// valid also requires $ref and every allOf schema to accept v.
	if n.ref != nil && every[n.ref] {
		return true
	}
	for _, a := range n.allOf {
		if every[a] {
			return true
		}
	}
	return false
}

// compileNode copies s into a node; ok is false when s (or any schema it
// reaches) uses a keyword the fast check does not implement.
func compileNode(s *jsonschema.Schema, memo map[*jsonschema.Schema]*node) (*node, bool) {
	if s == nil {
		return nil, true
	}
	if n, seen := memo[s]; seen {
		return n, true
	}
	if s.DraftVersion < 2019 || s.Not != nil || s.AnyOf != nil || s.OneOf != nil ||
		s.RecursiveRef != nil || s.DynamicRef != nil || s.MaxProperties != nil || s.MinProperties != nil ||
		s.PropertyNames != nil || s.PatternProperties != nil || s.Dependencies != nil ||
		s.DependentRequired != nil || s.DependentSchemas != nil || s.UnevaluatedProperties != nil ||
		s.UnevaluatedItems != nil || s.UniqueItems || s.Contains != nil || s.MinContains != nil ||
		s.MaxContains != nil || s.Items != nil || s.AdditionalItems != nil || s.PrefixItems != nil ||
		s.ContentEncoding != nil || s.ContentMediaType != nil || s.ContentSchema != nil ||
		s.ExclusiveMaximum != nil || s.ExclusiveMinimum != nil || s.MultipleOf != nil ||
		len(s.Extensions) > 0 {
		return nil, false
	}
	n := &node{boolean: s.Bool, constant: s.Const, required: s.Required, min: s.Minimum, max: s.Maximum,
		minItems: -1, maxItems: -1}
	memo[s] = n
	n.intBounds = true
	if n.min != nil {
		n.intBounds = n.min.IsInt() && n.min.Num().IsInt64()
		if n.intBounds {
			n.minI = n.min.Num().Int64()
		}
	}
	if n.max != nil && n.intBounds {
		n.intBounds = n.max.IsInt() && n.max.Num().IsInt64()
		if n.intBounds {
			n.maxI = n.max.Num().Int64()
		}
	}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			n.types |= map[string]typeSet{"null": tNull, "boolean": tBool, "number": tNumber,
				"integer": tInteger, "string": tString, "array": tArray, "object": tObject}[t]
		}
	}
	if s.Enum != nil {
		n.enum = s.Enum.Values
		if n.enum == nil {
			n.enum = []any{}
		}
	}
	if s.Format != nil {
		n.format = s.Format.Validate
	}
	if s.MinItems != nil {
		n.minItems = *s.MinItems
	}
	if s.MaxItems != nil {
		n.maxItems = *s.MaxItems
	}
	n.minLen, n.maxLen = -1, -1
	if s.MinLength != nil {
		n.minLen, n.lengths = *s.MinLength, true
	}
	if s.MaxLength != nil {
		n.maxLen, n.lengths = *s.MaxLength, true
	}
	if s.Pattern != nil {
		n.pattern = matcher(s.Pattern)
	}
	var ok bool
	switch ap := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.addlDeny = !ap
	case *jsonschema.Schema:
		if n.addl, ok = compileNode(ap, memo); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	for _, sub := range []struct {
		s   *jsonschema.Schema
		dst **node
	}{{s.Ref, &n.ref}, {s.If, &n.ifN}, {s.Then, &n.thenN}, {s.Else, &n.elseN}, {s.Items2020, &n.items}} {
		if *sub.dst, ok = compileNode(sub.s, memo); !ok {
			return nil, false
		}
	}
	for _, a := range s.AllOf {
		an, ok := compileNode(a, memo)
		if !ok {
			return nil, false
		}
		n.allOf = append(n.allOf, an)
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]*node, len(s.Properties))
		for k, p := range s.Properties {
			pn, ok := compileNode(p, memo)
			if !ok {
				return nil, false
			}
			n.props[k] = pn
		}
	}
	return n, true
}

// matcher returns a hand-written matcher for the patterns the canonical
// schemas use most, and the compiled regexp for any other.
func matcher(re jsonschema.Regexp) func(string) bool {
	switch re.String() {
	case `^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`:
		return isDecimal
	case `^[0-9]{13}$`:
		return func(s string) bool { return len(s) == 13 && digits(s) }
	case `^[0-9]{14}$`:
		return func(s string) bool { return len(s) == 14 && digits(s) }
	case `^[0-9]{18}$`:
		return func(s string) bool { return len(s) == 18 && digits(s) }
	case `^[A-Za-z][A-Za-z0-9]*(:[A-Za-z0-9_.-]+)?$`:
		return isScheme
	case `^[a-z][A-Za-z]*$`:
		return func(s string) bool {
			if len(s) == 0 || !lower(s[0]) {
				return false
			}
			for i := 1; i < len(s); i++ {
				if !letter(s[i]) {
					return false
				}
			}
			return true
		}
	case `^[A-Z]{3}$`:
		return func(s string) bool {
			return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
		}
	}
	return re.MatchString
}

func lower(c byte) bool  { return c >= 'a' && c <= 'z' }
func letter(c byte) bool { return lower(c) || c >= 'A' && c <= 'Z' }
func digit(c byte) bool  { return c >= '0' && c <= '9' }

// isScheme matches ^[A-Za-z][A-Za-z0-9]*(:[A-Za-z0-9_.-]+)?$.
func isScheme(s string) bool {
	if len(s) == 0 || !letter(s[0]) {
		return false
	}
	i := 1
	for i < len(s) && (letter(s[i]) || digit(s[i])) {
		i++
	}
	if i == len(s) {
		return true
	}
	if s[i] != ':' || i+1 == len(s) {
		return false
	}
	for _, c := range []byte(s[i+1:]) {
		if !letter(c) && !digit(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimal matches ^-?(0|[1-9][0-9]*)(\.[0-9]+)?$.
func isDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	i := 0
	switch {
	case len(s) == 0:
		return false
	case s[0] == '0':
		i = 1
	case s[0] >= '1' && s[0] <= '9':
		for i = 1; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	default:
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != '.' || i+1 == len(s) {
		return false
	}
	return digits(s[i+1:])
}

// typeOf returns the JSON type of v, 0 for anything that is not a JSON
// value as the mapping produces them (int8..uint64 and float32 too: they
// are left to the library, and ChecksEveryValue relies on it).
func typeOf(v any) typeSet {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBool
	case string:
		return tString
	case []any:
		return tArray
	case map[string]any:
		return tObject
	case int:
		return tNumber | tInteger
	case float64:
		return floatType(x)
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return 0
		}
		if r.IsInt() {
			return tNumber | tInteger
		}
		return tNumber
	}
	return 0
}

func floatType(f float64) typeSet {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	if f == math.Trunc(f) {
		return tNumber | tInteger
	}
	return tNumber
}

func (n *node) valid(v any) bool {
	if n.boolean != nil {
		return *n.boolean
	}
	t := typeOf(v)
	if t == 0 || n.types != 0 && t&n.types == 0 {
		return false
	}
	if n.constStr != nil {
		if s, ok := v.(string); !ok || s != *n.constStr {
			return false
		}
	} else if n.constant != nil && !equal(v, *n.constant) {
		return false
	}
	if n.enumStr != nil {
		s, ok := v.(string)
		if !ok || !slices.Contains(n.enumStr, s) {
			return false
		}
	} else if n.enum != nil {
		found := false
		for _, e := range n.enum {
			if equal(v, e) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.format != nil && n.format(v) != nil {
		return false
	}
	if n.ref != nil && !n.ref.valid(v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range n.reqOther {
			if _, ok := x[r]; !ok {
				return false
			}
		}
		if n.addl != nil {
			// additionalProperties is a schema: every value is checked.
			for _, p := range n.propList {
				if _, ok := x[p.name]; p.required && !ok {
					return false
				}
			}
			for k, val := range x {
				if p, ok := n.props[k]; ok {
					if !p.valid(val) {
						return false
					}
				} else if !n.addl.valid(val) {
					return false
				}
			}
			break
		}
		// Look the properties up rather than iterating the object (no
		// iterator, and a schema such as an if with one property costs
		// one lookup); with additionalProperties false, every key of
		// the object must have been one of them.
		found := 0
		for i := range n.propList {
			p := &n.propList[i]
			val, ok := x[p.name]
			if !ok {
				if p.required {
					return false
				}
				continue
			}
			found++
			if !p.node.valid(val) {
				return false
			}
		}
		if n.addlDeny && found != len(x) {
			return false
		}
	case []any:
		if n.minItems >= 0 && len(x) < n.minItems || n.maxItems >= 0 && len(x) > n.maxItems {
			return false
		}
		if n.items != nil {
			for _, e := range x {
				if !n.items.valid(e) {
					return false
				}
			}
		}
	case string:
		if n.lengths {
			l := utf8.RuneCountInString(x)
			if n.minLen >= 0 && l < n.minLen || n.maxLen >= 0 && l > n.maxLen {
				return false
			}
		}
		if n.pattern != nil && !n.pattern(x) {
			return false
		}
	case int:
		if n.intBounds && (n.min != nil && int64(x) < n.minI || n.max != nil && int64(x) > n.maxI) {
			return false
		}
		if !n.intBounds && !n.inBounds(v) {
			return false
		}
	default:
		if t&tNumber != 0 && !n.inBounds(v) {
			return false
		}
	}
	for _, a := range n.allOf {
		if !a.valid(v) {
			return false
		}
	}
	if n.ifN != nil {
		if n.ifN.valid(v) {
			if n.thenN != nil && !n.thenN.valid(v) {
				return false
			}
		} else if n.elseN != nil && !n.elseN.valid(v) {
			return false
		}
	}
	return true
}

// inBounds checks minimum and maximum.
func (n *node) inBounds(v any) bool {
	if n.min == nil && n.max == nil {
		return true
	}
	r, ok := rat(v)
	return ok && (n.min == nil || r.Cmp(n.min) >= 0) && (n.max == nil || r.Cmp(n.max) <= 0)
}

func rat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		return new(big.Rat).SetString(string(x))
	case float64:
		return new(big.Rat).SetFloat64(x), true
	case float32:
		return new(big.Rat).SetFloat64(float64(x)), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int8:
		return new(big.Rat).SetInt64(int64(x)), true
	case int16:
		return new(big.Rat).SetInt64(int64(x)), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case uint, uint8, uint16, uint32, uint64:
		b, _ := json.Marshal(x)
		return new(big.Rat).SetString(string(b))
	}
	return nil, false
}

// equal is JSON equality (numbers by value).
func equal(a, b any) bool {
	ta, tb := typeOf(a), typeOf(b)
	if ta&tNumber != 0 || tb&tNumber != 0 {
		if ta&tNumber == 0 || tb&tNumber == 0 {
			return false
		}
		ra, ok1 := rat(a)
		rb, ok2 := rat(b)
		return ok1 && ok2 && ra.Cmp(rb) == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}
