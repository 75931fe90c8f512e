package web

import (
	"bytes"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Markdown for catalog descriptions and changelogs. Raw HTML in the source
// is dropped by goldmark (it runs without WithUnsafe), and the output is
// then sanitized with bluemonday's UGC policy, so javascript: links, event
// handlers and anything else that slipped through never reach the page.
// Both values are configured once here and only read afterwards.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
	ugc      = bluemonday.UGCPolicy().RequireNoFollowOnLinks(true)
)

// renderMarkdown returns sanitized HTML for src, "" for blank input. Only
// its result may be given to templ.Raw.
func renderMarkdown(src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// Goldmark does not fail on text; should it ever, show the text
		// escaped rather than nothing.
		return ugc.Sanitize("<pre>" + html.EscapeString(src) + "</pre>")
	}
	return string(ugc.SanitizeBytes(buf.Bytes()))
}
