// Package static embeds the console's CSS, scripts and images and serves
// them under fingerprinted URLs (/static/<hash>/<path>) that may be cached
// forever: a changed file gets a new URL.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
)

//go:embed css js img
var files embed.FS

// Assets maps each embedded file to its fingerprinted URL.
type Assets struct {
	fs     fs.FS
	urls   map[string]string // "css/app.css" -> "/static/ab12cd34/css/app.css"
	byHash map[string]string // "ab12cd34/css/app.css" -> "css/app.css"
}

// Load fingerprints every embedded file.
func Load() (*Assets, error) {
	a := &Assets{fs: files, urls: map[string]string{}, byHash: map[string]string{}}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		key := hex.EncodeToString(sum[:])[:12] + "/" + path
		a.urls[path] = "/static/" + key
		a.byHash[key] = path
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of path ("css/app.css"); it panics on an
// unknown path, which is a programming error caught by every page test.
func (a *Assets) URL(path string) string {
	u, ok := a.urls[path]
	if !ok {
		panic("static: unknown asset " + path)
	}
	return u
}

// Open resolves a request path below /static/ ("<hash>/css/app.css") to the
// file's content; ok is false for unknown or stale fingerprints.
func (a *Assets) Open(rest string) (content []byte, path string, ok bool) {
	path, ok = a.byHash[strings.TrimPrefix(rest, "/")]
	if !ok {
		return nil, "", false
	}
	b, err := fs.ReadFile(a.fs, path)
	if err != nil {
		return nil, "", false
	}
	return b, path, true
}
