package mapping

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// location is where a value sits in an input document.
type location struct {
	path    string // jq path, e.g. .set.BEG[0]["05"]
	element string // for an X12 element: "BEG05, segment 2"
}

// locate finds the first string leaf equal to value (keys visited in
// sorted order, so the answer is stable). When several leaves match, the
// element note says so: the path is then the first candidate only.
func locate(doc any, value string) (location, bool) {
	var found []location
	var walk func(v any, path []string, parent map[string]any, key string) bool
	walk = func(v any, path []string, parent map[string]any, key string) bool {
		switch x := v.(type) {
		case string:
			if x == value {
				found = append(found, location{path: strings.Join(path, ""), element: elementNote(parent, key)})
			}
		case json.Number:
			if string(x) == value {
				found = append(found, location{path: strings.Join(path, "")})
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if walk(x[k], append(path, jqKey(k)), x, k) {
					return true
				}
			}
		case []any:
			for i, e := range x {
				if walk(e, append(path, "["+strconv.Itoa(i)+"]"), nil, "") {
					return true
				}
			}
		}
		return len(found) >= 2
	}
	walk(doc, nil, nil, "")
	if len(found) == 0 {
		return location{}, false
	}
	loc := found[0]
	if len(found) > 1 {
		if loc.element != "" {
			loc.element += "; the same value also appears elsewhere"
		} else {
			loc.element = "the same value also appears elsewhere"
		}
	}
	if loc.path == "" || loc.path[0] == '[' {
		loc.path = "." + loc.path
	}
	return loc, true
}

// elementNote names an X12 element ("BEG05, segment 2") when parent is a
// segment object and key an element key.
func elementNote(parent map[string]any, key string) string {
	if parent == nil || len(key) != 2 || key[0] < '0' || key[0] > '9' {
		return ""
	}
	id, ok := parent["id"].(string)
	if !ok {
		return ""
	}
	if pos, ok := parent["pos"].(int); ok {
		return fmt.Sprintf("%s%s, segment %d", id, key, pos)
	}
	return id + key
}

func jqKey(k string) string {
	ident := k != ""
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			ident = false
			break
		}
	}
	if ident {
		return "." + k
	}
	return "[" + strconv.Quote(k) + "]"
}
