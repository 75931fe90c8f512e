package web

import "github.com/gofiber/fiber/v2"

// htmx request headers; the only place they are named.
const (
	headerHXRequest = "HX-Request"
	headerHXBoosted = "HX-Boosted"
)

// isHTMX reports whether the request is an htmx partial update (boosted
// navigations want the full page).
func isHTMX(c *fiber.Ctx) bool {
	return c.Get(headerHXRequest) == "true" && c.Get(headerHXBoosted) != "true"
}
