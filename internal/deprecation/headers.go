// Package deprecation carries the deprecation policy of the API catalog to
// the people and systems that depend on it: the RFC 9745 Deprecation and
// RFC 8594 Sunset response headers the runtime sends, the deprecation
// schedule page, and the notices recorded (once each) and delivered to
// webhooks as a sunset approaches.
package deprecation

import (
	"net/http"
	"strconv"
	"time"

	"github.com/crossdock/crossdock/internal/catalog"
)

// Headers returns the response headers the runtime adds for version v, and
// whether v is retired, in which case the runtime answers 410 Gone (with the
// same headers, so the client still learns when and where to move).
//
//   - Deprecation (RFC 9745): "@<unix seconds>" of deprecated_at. A published
//     version with a planned deprecation carries its date even when it is in
//     the future; RFC 9745 allows that ("will be deprecated at"). A deprecated
//     or retired version always has deprecated_at set by the catalog; should
//     it be missing, the version is treated as already deprecated and the
//     header carries its updated_at (a stable moment at which it was surely
//     deprecated), or now when that is unknown. Drafts carry none.
//   - Sunset (RFC 8594): the IMF-fixdate (GMT) of sunset_at, when set.
//   - Link: <successorURL>; rel="successor-version", when a successor URL is
//     given and the version carries a Deprecation or Sunset header. A
//     version with no deprecation plan gets no headers at all.
//
// retired is true for lifecycle "retired" and for any version whose sunset_at
// is at or before now: the sunset takes effect on time, even before the
// catalog moves the version to retired.
func Headers(v catalog.Version, successorURL string, now time.Time) (h http.Header, retired bool) {
	h = http.Header{}
	retired = v.Lifecycle == catalog.Retired || (v.SunsetAt != nil && !v.SunsetAt.After(now))

	var since *time.Time
	switch {
	case v.Lifecycle == catalog.Draft:
	case v.DeprecatedAt != nil:
		since = v.DeprecatedAt
	case v.Lifecycle == catalog.Deprecated || v.Lifecycle == catalog.Retired:
		t := v.UpdatedAt
		if t.IsZero() || t.After(now) {
			t = now
		}
		since = &t
	}
	if since != nil {
		h.Set("Deprecation", "@"+strconv.FormatInt(since.Unix(), 10))
	}
	if v.SunsetAt != nil && v.Lifecycle != catalog.Draft {
		h.Set("Sunset", v.SunsetAt.UTC().Format(http.TimeFormat))
	}
	if successorURL != "" && len(h) > 0 {
		h.Set("Link", "<"+successorURL+`>; rel="successor-version"`)
	}
	return h, retired
}
