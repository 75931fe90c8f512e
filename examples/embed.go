// Package examples holds the example catalog document: the README's
// reference for the catalog-as-code format, and the demo data that
// `crossdock seed --demo` loads.
package examples

import _ "embed"

// Catalog is examples/catalog.yaml.
//
//go:embed catalog.yaml
var Catalog []byte
