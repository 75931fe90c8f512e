package web

import (
	"errors"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/catalogcode"
)

// applyResponse is the plan of an apply as JSON: the counts at the top
// ("refused": n tells a pipeline whether to fail), then every item.
type applyResponse struct {
	DryRun bool `json:"dry_run"`
	catalogcode.Counts
	Summary string             `json:"summary"`
	Items   []catalogcode.Item `json:"items"`
}

// documentFormat reads the format of a catalog document from its
// Content-Type; "" means detect it from the body.
func documentFormat(contentType string) (string, bool) {
	if contentType == "" {
		return "", true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", false
	}
	switch mt {
	case "application/json":
		return catalogcode.FormatJSON, true
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return catalogcode.FormatYAML, true
	case "text/plain":
		return "", true
	}
	return "", false
}

// apiApply applies a catalog document (YAML or JSON, by Content-Type) and
// answers with the plan; ?dry_run=true plans without changing anything.
// Refused items are part of a 200 answer; a document that cannot be read
// is a 422.
func (s *Server) apiApply(c *fiber.Ctx) error {
	format, ok := documentFormat(c.Get(fiber.HeaderContentType))
	if !ok {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send the catalog document as application/yaml or application/json.")
	}
	dryRun := false
	if v := c.Query("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &validationError{fields: map[string]string{"dry_run": "Use true or false."}}
		}
		dryRun = b
	}
	body := append([]byte(nil), c.Body()...) // Fiber reuses the buffer
	doc, err := catalogcode.Parse(body, format)
	var pe *catalogcode.ParseError
	if errors.As(err, &pe) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "The catalog document cannot be read: "+pe.Msg+".")
	}
	if err != nil {
		return err
	}
	plan, err := s.d.CatalogCode.Apply(ctx(c), doc, dryRun)
	if err != nil {
		return err
	}
	return c.JSON(applyResponse{DryRun: plan.DryRun, Counts: plan.Counts(), Summary: plan.Summary(), Items: plan.Items})
}

// apiExport writes the whole catalog as a catalog document;
// ?format=yaml|json (default json).
func (s *Server) apiExport(c *fiber.Ctx) error {
	format := c.Query("format", catalogcode.FormatJSON)
	contentType := fiber.MIMEApplicationJSONCharsetUTF8
	switch format {
	case catalogcode.FormatJSON:
	case catalogcode.FormatYAML:
		contentType = "application/yaml; charset=utf-8"
	default:
		return &validationError{fields: map[string]string{"format": "Use yaml or json."}}
	}
	doc, err := s.d.CatalogCode.Export(ctx(c))
	if err != nil {
		return err
	}
	b, err := catalogcode.Encode(doc, format)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}
