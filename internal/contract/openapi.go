package contract

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/checker/localizations"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
	"sigs.k8s.io/yaml"
)

// OpenAPIKindPrefix starts the Kind of every change CompareOpenAPI reports;
// the rest is the oasdiff rule id, e.g. "openapi-api-removed-without-deprecation".
const OpenAPIKindPrefix = "openapi-"

// englishLocalizer renders oasdiff's messages in English.
var englishLocalizer = sync.OnceValue(func() checker.Localizer {
	return checker.NewLocalizer(localizations.LangEn)
})

// CompareOpenAPI compares two OpenAPI 3 documents (JSON or YAML) with
// oasdiff (github.com/oasdiff/oasdiff): the diff of the two documents is run
// through oasdiff's backward-compatibility checks, all rules at their default
// levels, as `oasdiff changelog` does.
//
// Each finding becomes a Change:
//
//   - Path is "<METHOD> <path>" for an operation ("POST /orders"), the path
//     alone for a path-level finding, and otherwise oasdiff's section
//     ("components", "security", "info", ...);
//   - SchemaPointer is empty;
//   - Kind is "openapi-" followed by the oasdiff rule id;
//   - Breaking is true for level ERR only; WARN and INFO findings are
//     reported as non-breaking;
//   - Message is oasdiff's English text.
//
// Changes are sorted by Path, then Kind, then Message, and exact duplicates
// are removed; the result is never nil. An error is returned when a document
// cannot be parsed, is not OpenAPI 3.x, does not validate, or uses an
// external $ref (documents must be self-contained).
func CompareOpenAPI(oldDoc, newDoc []byte) (changes []Change, err error) {
	base, err := loadOpenAPI(oldDoc, "base.json")
	if err != nil {
		return nil, fmt.Errorf("contract: old OpenAPI document: %w", err)
	}
	revision, err := loadOpenAPI(newDoc, "revision.json")
	if err != nil {
		return nil, fmt.Errorf("contract: new OpenAPI document: %w", err)
	}

	// oasdiff is a large rule set run on user documents: a panic in one rule
	// must not take the caller (a publish request) down.
	defer func() {
		if r := recover(); r != nil {
			changes, err = nil, fmt.Errorf("contract: comparing the OpenAPI documents failed: %v", r)
		}
	}()

	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), base, revision)
	if err != nil {
		return nil, fmt.Errorf("contract: OpenAPI diff: %w", err)
	}
	found := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)

	l := englishLocalizer()
	out := make([]Change, 0, len(found))
	for _, c := range found {
		out = append(out, Change{
			Path:     openAPIPath(c),
			Kind:     OpenAPIKindPrefix + c.GetId(),
			Breaking: c.GetLevel() == checker.ERR,
			Message:  c.GetUncolorizedText(l),
		})
	}
	return sortChanges(out), nil
}

// loadOpenAPI parses, checks and resolves one document the way the
// catalog's ValidateOpenAPI accepts it, with a fresh loader per document (the
// loader caches documents by name).
func loadOpenAPI(raw []byte, name string) (*load.SpecInfo, error) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return nil, fmt.Errorf("the document is empty")
	}
	if b[0] != '{' {
		var err error
		if b, err = yaml.YAMLToJSON(b); err != nil {
			return nil, fmt.Errorf("not valid YAML: %v", err)
		}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	// Header names are compared case-insensitively, oasdiff's default.
	spec, err := load.NewSpecInfoFromData(loader, b, name, load.WithLowercaseHeaders())
	if err != nil {
		return nil, fmt.Errorf("not an OpenAPI document: %v", err)
	}
	if spec.Spec == nil || !strings.HasPrefix(spec.Spec.OpenAPI, "3.") {
		version := ""
		if spec.Spec != nil {
			version = spec.Spec.OpenAPI
		}
		return nil, fmt.Errorf("only OpenAPI 3.x is supported, got %q", version)
	}
	if err := spec.Spec.Validate(loader.Context); err != nil {
		return nil, err
	}
	return spec, nil
}

// openAPIPath names where an oasdiff finding is.
func openAPIPath(c checker.Change) string {
	path, op := c.GetPath(), strings.ToUpper(c.GetOperation())
	switch {
	case path != "" && op != "":
		return op + " " + path
	case path != "":
		return path
	default:
		return c.GetSection()
	}
}

// sortChanges orders changes by Path, Kind, SchemaPointer, Message (breaking
// first on a tie) and drops exact duplicates, keeping the breaking one.
func sortChanges(out []Change) []Change {
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
