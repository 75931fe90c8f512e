package contract

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// maxChanges caps the changes repeated for shared definitions (see replay).
// Changes found by an actual comparison are never dropped.
const maxChanges = 10000

// record is a change whose message is rendered at the end, so that the
// location it names can be rebased when the change is repeated under
// another path.
type record struct {
	path, ptr, kind string
	breaking        bool
	where           string // instance path named by the message
	msg             func(where string) string
}

// visit is the memo entry of one (old, new) pair of subschemas.
type visit struct {
	done       bool
	start, end int    // range of w.changes produced by the comparison
	path       string // instance path of the comparison
}

type walker struct {
	old, new *doc
	changes  []record
	memo     map[string]*visit
}

// emit records a change. The message format receives describe(where) as
// argument 1, followed by args.
func (w *walker) emit(path, where, ptr, kind string, breaking bool, format string, args ...any) int {
	w.changes = append(w.changes, record{
		path: path, ptr: ptr, kind: kind, breaking: breaking, where: where,
		msg: func(loc string) string {
			return fmt.Sprintf(format, append([]any{loc}, args...)...)
		},
	})
	return len(w.changes) - 1
}

// at records a change whose message names its own path.
func (w *walker) at(path, ptr, kind string, breaking bool, format string, args ...any) int {
	return w.emit(path, path, ptr, kind, breaking, format, args...)
}

// compare compares two subschemas describing the instance location path.
func (w *walker) compare(o, n view, path string) {
	key := o.key + "\x01" + n.key
	if v, ok := w.memo[key]; ok {
		if v.done {
			w.replay(v, path)
		}
		// Otherwise the pair is being compared higher up: a reference
		// cycle, whose changes are reported at the shorter path.
		return
	}
	v := &visit{start: len(w.changes), path: path}
	w.memo[key] = v
	w.compareSchemas(o, n, path)
	v.done, v.end = true, len(w.changes)
}

// replay repeats the changes of an already compared pair under another path.
func (w *walker) replay(v *visit, path string) {
	if path == v.path {
		return
	}
	rebase := func(p string) string {
		rel := strings.TrimPrefix(p, v.path)
		if v.path != "" {
			rel = strings.TrimPrefix(rel, ".")
		}
		return joinPath(path, rel)
	}
	for i := v.start; i < v.end && len(w.changes) < maxChanges; i++ {
		r := w.changes[i]
		r.path, r.where = rebase(r.path), rebase(r.where)
		w.changes = append(w.changes, r)
	}
}

func (w *walker) compareSchemas(o, n view, path string) {
	switch {
	case o.falsy && n.falsy:
		return
	case o.falsy:
		w.at(path, n.start, "schema-no-longer-false", false,
			"%[1]s accepted no value before (schema false) and now accepts values")
		return
	case n.falsy:
		w.at(path, n.start, "schema-became-false", true,
			"%[1]s no longer accepts any value (the schema is now false)")
		return
	case o.isTrivial() && n.isTrivial():
		return
	}
	w.compareRefs(o, n, path)

	oDecl, nDecl := declaredTypes(o), declaredTypes(n)
	oEff := effectiveTypes(o, oDecl)
	w.compareTypes(n, path, oDecl, oEff, nDecl)
	w.compareValues(o, n, path, oDecl)

	// Keywords of a type family matter only if values of that family were
	// valid before and can still be valid now.
	both := func(t typeMask) bool { return oEff&t != 0 && nDecl&t != 0 }
	if both(tObject) {
		w.compareObject(o, n, path)
	}
	if both(tArray) {
		w.compareArray(o, n, path)
	}
	if both(tString) {
		w.compareString(o, n, path)
	}
	if both(tNumeric) {
		w.compareNumber(o, n, path)
	}
	w.compareAlternatives(o, n, path, "anyOf", "any-of", "at least one")
	w.compareAlternatives(o, n, path, "oneOf", "one-of", "exactly one")
	w.compareAllOf(o, n, path)
	w.compareTextual(o, n, path, "not", "if", "then", "else")
	w.compareAnnotations(o, n, path)
}

func (w *walker) compareRefs(o, n view, path string) {
	ou := slices.Compact(slices.Sorted(slices.Values(o.unresolved)))
	nu := slices.Compact(slices.Sorted(slices.Values(n.unresolved)))
	if slices.Equal(ou, nu) {
		return
	}
	quote := func(refs []string) string {
		if len(refs) == 0 {
			return "none"
		}
		q := make([]string, len(refs))
		for i, r := range refs {
			q[i] = strconv.Quote(r)
		}
		return strings.Join(q, ", ")
	}
	w.at(path, n.home+"/$ref", "ref-changed", true,
		"the references of %[1]s that cannot be resolved in the schema changed from %[2]s to %[3]s; compatibility cannot be verified",
		quote(ou), quote(nu))
}

func typeDesc(m typeMask) string {
	if m == tAll {
		return "any type"
	}
	return m.String()
}

func (w *walker) compareTypes(n view, path string, oDecl, oEff, nDecl typeMask) {
	removed := oEff.uncovered(nDecl)
	added := nDecl.uncovered(oDecl)
	_, ptr, _ := n.get("type")
	switch {
	case removed != 0 && added != 0:
		w.at(path, ptr, "type-changed", true,
			"the type of %[1]s changed from %[2]s to %[3]s; %[4]s values are no longer accepted",
			typeDesc(oDecl), typeDesc(nDecl), removed)
	case removed != 0 && oDecl == tAll:
		w.at(path, ptr, "type-narrowed", true,
			"%[1]s had no type constraint and now only accepts %[2]s", nDecl)
	case removed != 0:
		w.at(path, ptr, "type-narrowed", true,
			"the type of %[1]s was narrowed from %[2]s to %[3]s; %[4]s values are no longer accepted",
			typeDesc(oDecl), typeDesc(nDecl), removed)
	case added != 0:
		w.at(path, ptr, "type-widened", false,
			"the type of %[1]s was widened from %[2]s to %[3]s", typeDesc(oDecl), typeDesc(nDecl))
	}
}

// compareValues compares const and enum.
func (w *walker) compareValues(o, n view, path string, oDecl typeMask) {
	ov, _, oConst, oHas := allowedValues(o)
	nv, nPtr, nConst, nHas := allowedValues(n)
	switch {
	case !oHas && !nHas:
		return
	case !oHas && nConst:
		w.at(path, nPtr, "const-added", true, "%[1]s must now be exactly %[2]s", display(nv[0]))
		return
	case !oHas:
		w.at(path, nPtr, "enum-added", true, "%[1]s is now restricted to the values %[2]s", display(nv))
		return
	case !nHas && oConst:
		_, ptr, _ := n.get("const")
		w.at(path, ptr, "const-removed", false, "%[1]s no longer has to be exactly %[2]s", display(ov[0]))
		return
	case !nHas:
		_, ptr, _ := n.get("enum")
		w.at(path, ptr, "enum-removed", false, "%[1]s is no longer restricted to a list of values")
		return
	}
	oSet, nSet := map[string]bool{}, map[string]bool{}
	for _, v := range ov {
		oSet[canon(v)] = true
	}
	for _, v := range nv {
		nSet[canon(v)] = true
	}
	if oConst && nConst {
		if a, b := canon(ov[0]), canon(nv[0]); a != b {
			w.at(path, nPtr, "const-changed", true, "%[1]s must now be exactly %[2]s instead of %[3]s",
				display(nv[0]), display(ov[0]))
		}
		return
	}
	reported := map[string]bool{}
	for _, v := range ov {
		c := canon(v)
		if nSet[c] || reported[c] || !oDecl.covers(valueType(v)) {
			continue // kept, duplicate, or never valid anyway
		}
		reported[c] = true
		w.at(path, nPtr, "enum-value-removed", true, "value %[2]s is no longer allowed for %[1]s", display(v))
	}
	for _, v := range nv {
		c := canon(v)
		if oSet[c] || reported[c] {
			continue
		}
		reported[c] = true
		w.at(path, nPtr, "enum-value-added", false, "value %[2]s is now allowed for %[1]s", display(v))
	}
}

func (w *walker) compareObject(o, n view, path string) {
	oProps, oPropsPtr := o.object("properties")
	nProps, nPropsPtr := n.object("properties")
	oReq, _ := o.stringSet("required")
	nReq, nReqPtr := n.stringSet("required")
	oAP, oAPPtr, _ := o.get("additionalProperties")
	nAP, nAPPtr, _ := n.get("additionalProperties")
	oAPv, nAPv := w.old.view(oAP, oAPPtr), w.new.view(nAP, nAPPtr)

	names := sortedKeys(oProps)
	for _, k := range sortedKeys(nProps) {
		if _, ok := oProps[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		child := joinPath(path, propSegment(name))
		oPtr := oPropsPtr + "/" + escapeToken(name)
		nPtr := nPropsPtr + "/" + escapeToken(name)
		oNode, oIn := oProps[name]
		nNode, nIn := nProps[name]
		switch {
		case oIn && nIn:
			w.compare(w.old.view(oNode, oPtr), w.new.view(nNode, nPtr), child)
		case nIn && nReq[name] && !oReq[name]:
			w.emit(child, path, nPtr, "required-property-added", true,
				"new required property %[2]q was added to %[1]s; documents without it are rejected", name)
		case nIn:
			w.emit(child, path, nPtr, "property-added", false,
				"optional property %[2]q was added to %[1]s", name)
		default:
			consequence := "it is no longer part of the contract, so data sent in it may be ignored or rejected"
			if nAPv.falsy {
				consequence = "documents that still send it are rejected (additionalProperties is false)"
			}
			w.emit(child, path, nPtr, "property-removed", true,
				"property %[2]q was removed from %[1]s; %[3]s", name, consequence)
		}
	}
	for _, name := range sortedKeys(nReq) {
		_, oIn := oProps[name]
		_, nIn := nProps[name]
		if oReq[name] || (nIn && !oIn) {
			continue // already required, or reported as required-property-added
		}
		w.emit(joinPath(path, propSegment(name)), path, nReqPtr, "property-made-required", true,
			"property %[2]q of %[1]s is now required; documents without it are rejected", name)
	}
	for _, name := range sortedKeys(oReq) {
		_, oIn := oProps[name]
		_, nIn := nProps[name]
		if nReq[name] || (oIn && !nIn) {
			continue // still required, or reported as property-removed
		}
		w.emit(joinPath(path, propSegment(name)), path, nReqPtr, "property-made-optional", false,
			"property %[2]q of %[1]s is no longer required", name)
	}

	switch {
	case !oAPv.falsy && nAPv.falsy:
		w.at(path, nAPPtr, "additional-properties-closed", true,
			"%[1]s no longer accepts undeclared properties (additionalProperties is now false)")
	case oAPv.falsy && !nAPv.falsy:
		w.at(path, nAPPtr, "additional-properties-opened", false,
			"%[1]s now accepts undeclared properties (additionalProperties is no longer false)")
	case !oAPv.falsy && !nAPv.falsy:
		w.compare(oAPv, nAPv, joinPath(path, "*"))
	}

	oPP, oPPPtr := o.object("patternProperties")
	nPP, nPPPtr := n.object("patternProperties")
	patterns := sortedKeys(oPP)
	for _, k := range sortedKeys(nPP) {
		if _, ok := oPP[k]; !ok {
			patterns = append(patterns, k)
		}
	}
	slices.Sort(patterns)
	for _, re := range patterns {
		child := joinPath(path, "[/"+re+"/]")
		oPtr := oPPPtr + "/" + escapeToken(re)
		nPtr := nPPPtr + "/" + escapeToken(re)
		oNode, oIn := oPP[re]
		nNode, nIn := nPP[re]
		switch {
		case oIn && nIn:
			w.compare(w.old.view(oNode, oPtr), w.new.view(nNode, nPtr), child)
		case nIn:
			w.emit(child, path, nPtr, "pattern-property-added", false,
				"properties of %[1]s whose name matches /%[2]s/ are now described", re)
		default:
			w.emit(child, path, nPtr, "pattern-property-removed", true,
				"the description of properties of %[1]s whose name matches /%[2]s/ was removed", re)
		}
	}

	oDR, _ := o.object("dependentRequired")
	nDR, nDRPtr := n.object("dependentRequired")
	keys := sortedKeys(oDR)
	for _, k := range sortedKeys(nDR) {
		if _, ok := oDR[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		oDeps, nDeps := stringsOf(oDR[k]), stringsOf(nDR[k])
		var added, removed []string
		for _, d := range sortedKeys(nDeps) {
			if !oDeps[d] {
				added = append(added, strconv.Quote(d))
			}
		}
		for _, d := range sortedKeys(oDeps) {
			if !nDeps[d] {
				removed = append(removed, strconv.Quote(d))
			}
		}
		child := joinPath(path, propSegment(k))
		ptr := nDRPtr + "/" + escapeToken(k)
		if len(added) > 0 {
			w.emit(child, path, ptr, "dependent-required-added", true,
				"when %[2]q is present in %[1]s, %[3]s must now be present too", k, strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			w.emit(child, path, ptr, "dependent-required-removed", false,
				"when %[2]q is present in %[1]s, %[3]s no longer has to be present", k, strings.Join(removed, ", "))
		}
	}

	w.bound(o, n, path, "minProperties", "min-properties", false, true, false)
	w.bound(o, n, path, "maxProperties", "max-properties", true, true, false)
	w.compareTextual(o, n, path, "propertyNames", "dependentSchemas", "unevaluatedProperties")
}

func stringsOf(v any) map[string]bool {
	a, _ := v.([]any)
	set := map[string]bool{}
	for _, e := range a {
		if s, ok := e.(string); ok {
			set[s] = true
		}
	}
	return set
}

// arrayShape returns the tuple schemas and the schema of the other items,
// accepting the pre-2020 array form of items with additionalItems.
func arrayShape(v view) (prefix []any, prefixPtr string, items any, itemsPtr string, hasItems bool) {
	it, itPtr, itHas := v.get("items")
	if arr, ok := it.([]any); ok {
		ai, aiPtr, aiHas := v.get("additionalItems")
		return arr, itPtr, ai, aiPtr, aiHas
	}
	prefix, prefixPtr, _ = v.array("prefixItems")
	return prefix, prefixPtr, it, itPtr, itHas
}

func (w *walker) compareArray(o, n view, path string) {
	oPre, oPrePtr, oItems, oItemsPtr, oHas := arrayShape(o)
	nPre, nPrePtr, nItems, nItemsPtr, nHas := arrayShape(n)
	for i := range max(len(oPre), len(nPre)) {
		idx := strconv.Itoa(i)
		ov := w.old.view(oItems, oItemsPtr)
		if i < len(oPre) {
			ov = w.old.view(oPre[i], oPrePtr+"/"+idx)
		}
		nv := w.new.view(nItems, nItemsPtr)
		if i < len(nPre) {
			nv = w.new.view(nPre[i], nPrePtr+"/"+idx)
		}
		w.compare(ov, nv, joinPath(path, "["+idx+"]"))
	}
	if oHas || nHas {
		w.compare(w.old.view(oItems, oItemsPtr), w.new.view(nItems, nItemsPtr), joinPath(path, "[]"))
	}
	w.bound(o, n, path, "minItems", "min-items", false, true, false)
	w.bound(o, n, path, "maxItems", "max-items", true, true, false)

	ou, _, _ := o.get("uniqueItems")
	nu, ptr, _ := n.get("uniqueItems")
	switch {
	case ou != true && nu == true:
		w.at(path, ptr, "unique-items-added", true, "the items of %[1]s must now be unique")
	case ou == true && nu != true:
		w.at(path, ptr, "unique-items-removed", false, "the items of %[1]s no longer have to be unique")
	}
	w.compareTextual(o, n, path, "contains", "minContains", "maxContains", "unevaluatedItems")
}

func (w *walker) compareString(o, n view, path string) {
	w.bound(o, n, path, "minLength", "min-length", false, true, false)
	w.bound(o, n, path, "maxLength", "max-length", true, true, false)

	op, _, oHas := o.get("pattern")
	np, nPtr, nHas := n.get("pattern")
	ops, _ := op.(string)
	nps, _ := np.(string)
	switch {
	case !oHas && nHas:
		w.at(path, nPtr, "pattern-added", true, "%[1]s must now match the pattern /%[2]s/", nps)
	case oHas && !nHas:
		w.at(path, nPtr, "pattern-removed", false, "%[1]s no longer has to match the pattern /%[2]s/", ops)
	case oHas && canon(op) != canon(np):
		w.at(path, nPtr, "pattern-changed", true, "the pattern of %[1]s changed from /%[2]s/ to /%[3]s/", ops, nps)
	}

	of, _, oHas := o.get("format")
	nf, nPtr, nHas := n.get("format")
	switch {
	case !oHas && nHas:
		w.at(path, nPtr, "format-added", true, "%[1]s must now have the format %[2]s", display(nf))
	case oHas && !nHas:
		w.at(path, nPtr, "format-removed", false, "%[1]s no longer has to have the format %[2]s", display(of))
	case oHas && canon(of) != canon(nf):
		w.at(path, nPtr, "format-changed", true, "the format of %[1]s changed from %[2]s to %[3]s",
			display(of), display(nf))
	}
}

// limit is the effective bound of a numeric range.
type limit struct {
	v         float64
	exclusive bool
	ok        bool
}

func effectiveLimit(v view, inclusive, exclusive string, upper bool) limit {
	var l limit
	if f, _, _, ok := v.number(inclusive); ok {
		l = limit{v: f, ok: true}
	}
	if f, _, _, ok := v.number(exclusive); ok {
		tighter := f >= l.v
		if upper {
			tighter = f <= l.v
		}
		if !l.ok || tighter {
			l = limit{v: f, exclusive: true, ok: true}
		}
	}
	return l
}

// admits reports whether the new limit accepts everything the old one did.
func admits(old, new limit, upper bool) bool {
	switch {
	case !new.ok:
		return true
	case !old.ok:
		return false
	case new.v != old.v:
		return (new.v > old.v) == upper
	}
	return old.exclusive || !new.exclusive
}

func (w *walker) compareNumber(o, n view, path string) {
	upperOK := admits(effectiveLimit(o, "maximum", "exclusiveMaximum", true),
		effectiveLimit(n, "maximum", "exclusiveMaximum", true), true)
	lowerOK := admits(effectiveLimit(o, "minimum", "exclusiveMinimum", false),
		effectiveLimit(n, "minimum", "exclusiveMinimum", false), false)
	w.bound(o, n, path, "minimum", "minimum", false, false, lowerOK)
	w.bound(o, n, path, "exclusiveMinimum", "exclusive-minimum", false, false, lowerOK)
	w.bound(o, n, path, "maximum", "maximum", true, false, upperOK)
	w.bound(o, n, path, "exclusiveMaximum", "exclusive-maximum", true, false, upperOK)

	of, oRaw, _, oHas := o.number("multipleOf")
	nf, nRaw, nPtr, nHas := n.number("multipleOf")
	oHas = oHas && of > 0
	nHas = nHas && nf > 0
	switch {
	case !oHas && nHas:
		w.at(path, nPtr, "multiple-of-added", true, "%[1]s must now be a multiple of %[2]s", nRaw)
	case oHas && !nHas:
		w.at(path, nPtr, "multiple-of-removed", false, "%[1]s no longer has to be a multiple of %[2]s", oRaw)
	case oHas && of != nf:
		r := of / nf
		compatible := !math.IsInf(r, 0) && math.Abs(r-math.Round(r)) <= 1e-9*math.Max(1, math.Abs(r)) && math.Round(r) >= 1
		suffix := "; some values that were accepted are now rejected"
		if compatible {
			suffix = "; every multiple of the old value is still accepted"
		}
		w.at(path, nPtr, "multiple-of-changed", !compatible,
			"%[1]s must now be a multiple of %[2]s instead of %[3]s%[4]s", nRaw, oRaw, suffix)
	}
}

// bound compares a numeric bound keyword. upper tells the direction; count
// marks non-negative counts (lengths, item and property counts) for which a
// lower bound of 0 is vacuous; looseOverall marks a numeric range whose
// effective bound did not get tighter, so that no change of it is breaking.
func (w *walker) bound(o, n view, path, kw, kind string, upper, count, looseOverall bool) {
	of, oRaw, _, oHas := o.number(kw)
	nf, nRaw, nPtr, nHas := n.number(kw)
	const tighter = "; values that were accepted may now be rejected"
	note := func(breaking bool) (bool, string) {
		switch {
		case breaking && looseOverall:
			return false, " (the effective bound is not tighter)"
		case breaking:
			return true, tighter
		}
		return false, ""
	}
	switch {
	case !oHas && nHas:
		breaking, s := note(upper || !count || nf > 0)
		w.at(path, nPtr, kind+"-added", breaking, "%[2]s %[3]s was added to %[1]s%[4]s", kw, nRaw, s)
	case oHas && !nHas:
		w.at(path, nPtr, kind+"-removed", false, "%[2]s (was %[3]s) was removed from %[1]s", kw, oRaw)
	case oHas && nf < of:
		breaking, s := note(upper)
		w.at(path, nPtr, kind+"-decreased", breaking, "%[2]s of %[1]s decreased from %[3]s to %[4]s%[5]s",
			kw, oRaw, nRaw, s)
	case oHas && nf > of:
		breaking, s := note(!upper)
		w.at(path, nPtr, kind+"-increased", breaking, "%[2]s of %[1]s increased from %[3]s to %[4]s%[5]s",
			kw, oRaw, nRaw, s)
	}
}

// compareAlternatives compares anyOf or oneOf.
func (w *walker) compareAlternatives(o, n view, path, kw, kind, how string) {
	oa, oPtr, oHas := o.array(kw)
	na, nPtr, nHas := n.array(kw)
	switch {
	case !oHas && !nHas:
		return
	case !oHas:
		w.at(path, nPtr, kind+"-added", true, "%[1]s must now match %[2]s of %[3]s (%[4]s)",
			how, plural(len(na), "alternative"), kw)
		return
	case !nHas:
		w.at(path, nPtr, kind+"-removed", false, "%[1]s no longer has to match %[2]s of the %[3]s alternatives", how, kw)
		return
	}
	pairs, oLeft, nLeft := w.match(oa, oPtr, na, nPtr)
	for _, p := range pairs {
		w.compare(w.old.view(oa[p[0]], oPtr+"/"+strconv.Itoa(p[0])),
			w.new.view(na[p[1]], nPtr+"/"+strconv.Itoa(p[1])), path)
	}
	for _, i := range oLeft {
		w.at(path, nPtr, kind+"-alternative-removed", true,
			"%[2]s alternative #%[3]d of %[1]s (%[4]s) was removed; documents matching only it are rejected",
			kw, i, summary(oa[i]))
	}
	for _, j := range nLeft {
		w.at(path, nPtr+"/"+strconv.Itoa(j), kind+"-alternative-added", false,
			"%[2]s alternative #%[3]d (%[4]s) was added to %[1]s", kw, j, summary(na[j]))
	}
}

// compareAllOf compares allOf, each entry being one more constraint.
func (w *walker) compareAllOf(o, n view, path string) {
	oa, oPtr, _ := o.array("allOf")
	na, nPtr, _ := n.array("allOf")
	if len(oa) == 0 && len(na) == 0 {
		return
	}
	pairs, oLeft, nLeft := w.match(oa, oPtr, na, nPtr)
	for _, p := range pairs {
		w.compare(w.old.view(oa[p[0]], oPtr+"/"+strconv.Itoa(p[0])),
			w.new.view(na[p[1]], nPtr+"/"+strconv.Itoa(p[1])), path)
	}
	for _, i := range oLeft {
		w.at(path, nPtr, "all-of-entry-removed", false,
			"allOf entry #%[2]d of %[1]s (%[3]s) was removed", i, summary(oa[i]))
	}
	for _, j := range nLeft {
		w.at(path, nPtr+"/"+strconv.Itoa(j), "all-of-entry-added", true,
			"allOf entry #%[2]d (%[3]s) was added to %[1]s; documents must now also match it", j, summary(na[j]))
	}
}

// match pairs old and new alternatives: structurally equal, same
// discriminator, same declared type, then by position if the leftovers have
// the same count.
func (w *walker) match(oa []any, oPtr string, na []any, nPtr string) (pairs [][2]int, oLeft, nLeft []int) {
	oUsed, nUsed := make([]bool, len(oa)), make([]bool, len(na))
	ov, nv := make([]view, len(oa)), make([]view, len(na))
	for i := range oa {
		ov[i] = w.old.view(oa[i], oPtr+"/"+strconv.Itoa(i))
	}
	for j := range na {
		nv[j] = w.new.view(na[j], nPtr+"/"+strconv.Itoa(j))
	}
	pass := func(same func(i, j int) bool) {
		for i := range oa {
			if oUsed[i] {
				continue
			}
			for j := range na {
				if !nUsed[j] && same(i, j) {
					oUsed[i], nUsed[j] = true, true
					pairs = append(pairs, [2]int{i, j})
					break
				}
			}
		}
	}
	oc, nc := make([]string, len(oa)), make([]string, len(na))
	for i := range oa {
		oc[i] = canon(oa[i])
	}
	for j := range na {
		nc[j] = canon(na[j])
	}
	pass(func(i, j int) bool { return oc[i] == nc[j] })

	od, nd := make([][]string, len(oa)), make([][]string, len(na))
	for i := range oa {
		if !oUsed[i] {
			od[i] = w.old.discriminators(ov[i])
		}
	}
	for j := range na {
		if !nUsed[j] {
			nd[j] = w.new.discriminators(nv[j])
		}
	}
	pass(func(i, j int) bool {
		return slices.ContainsFunc(od[i], func(s string) bool { return slices.Contains(nd[j], s) })
	})
	pass(func(i, j int) bool {
		t := declaredTypes(ov[i])
		return t != tAll && t == declaredTypes(nv[j])
	})
	for i := range oa {
		if !oUsed[i] {
			oLeft = append(oLeft, i)
		}
	}
	for j := range na {
		if !nUsed[j] {
			nLeft = append(nLeft, j)
		}
	}
	if len(oLeft) == len(nLeft) {
		for k := range oLeft {
			pairs = append(pairs, [2]int{oLeft[k], nLeft[k]})
		}
		oLeft, nLeft = nil, nil
	}
	return pairs, oLeft, nLeft
}

// discriminators lists the properties of a schema that have a single allowed
// value, as "name=value".
func (d *doc) discriminators(v view) []string {
	props, ptr := v.object("properties")
	var out []string
	for _, name := range sortedKeys(props) {
		vals, _, _, ok := allowedValues(d.view(props[name], ptr+"/"+escapeToken(name)))
		if ok && len(vals) == 1 {
			out = append(out, name+"="+canon(vals[0]))
		}
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// summary names an alternative in messages.
func summary(node any) string {
	if m, ok := node.(map[string]any); ok {
		for _, kw := range []string{"$ref", "title"} {
			if s, ok := m[kw].(string); ok {
				return kw + " " + strconv.Quote(s)
			}
		}
	}
	return display(node)
}

// compareTextual compares keywords whose subschemas are not analysed: any
// textual difference is reported, conservatively, as breaking.
func (w *walker) compareTextual(o, n view, path string, kws ...string) {
	for _, kw := range kws {
		ov, _, oHas := o.get(kw)
		nv, nPtr, nHas := n.get(kw)
		switch {
		case !oHas && nHas:
			w.at(path, nPtr, "keyword-added", true, "%[2]s was added to %[1]s; documents must now satisfy it", kw)
		case oHas && !nHas:
			w.at(path, nPtr, "keyword-removed", false, "%[2]s was removed from %[1]s", kw)
		case oHas && canon(ov) != canon(nv):
			w.at(path, nPtr, "keyword-changed", true,
				"%[2]s of %[1]s changed; the change is not analysed and is assumed to be breaking", kw)
		}
	}
}

func (w *walker) compareAnnotations(o, n view, path string) {
	for _, kw := range []string{"$comment", "contentEncoding", "contentMediaType", "contentSchema",
		"default", "deprecated", "description", "examples", "readOnly", "title", "writeOnly"} {
		ov, _, oHas := o.get(kw)
		nv, nPtr, nHas := n.get(kw)
		switch {
		case !oHas && nHas:
			w.at(path, nPtr, "annotation-changed", false, "%[2]s of %[1]s was added", kw)
		case oHas && !nHas:
			w.at(path, nPtr, "annotation-changed", false, "%[2]s of %[1]s was removed", kw)
		case oHas && canon(ov) != canon(nv):
			w.at(path, nPtr, "annotation-changed", false, "%[2]s of %[1]s changed", kw)
		}
	}
}
