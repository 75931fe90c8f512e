// Package migrations holds the versioned SQL schema of Crossdock. Files are
// named NNNNN_description.sql, applied in order by goose and embedded in the
// binary. A file is never edited after it lands: add a new one instead.
package migrations

import "embed"

// FS is the embedded migrations directory.
//
//go:embed *.sql
var FS embed.FS
