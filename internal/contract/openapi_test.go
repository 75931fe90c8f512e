package contract

import (
	"strings"
	"testing"
)

// ordersAPI is a small OpenAPI 3.0 document; the cases derive revisions of it
// with strings.Replace so that each one shows only the edit under test.
const ordersAPI = `openapi: 3.0.3
info:
  title: Orders
  version: 1.0.0
paths:
  /orders:
    get:
      operationId: listOrders
      parameters:
        - name: status
          in: query
          schema:
            type: string
      responses:
        "200":
          description: The orders.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: "#/components/schemas/Order"
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [number]
              properties:
                number:
                  type: string
      responses:
        "201":
          description: Created.
components:
  schemas:
    Order:
      type: object
      required: [number, total]
      properties:
        number:
          type: string
        total:
          type: number
        state:
          type: string
          enum: [open, closed]
`

// editOrders applies old->new replacements to ordersAPI and fails when one of
// them does not match, so that a case cannot silently test nothing.
func editOrders(t *testing.T, pairs ...string) string {
	t.Helper()
	doc := ordersAPI
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(doc, pairs[i]) {
			t.Fatalf("editOrders: %q not in the document", pairs[i])
		}
		doc = strings.Replace(doc, pairs[i], pairs[i+1], 1)
	}
	return doc
}

func TestCompareOpenAPI(t *testing.T) {
	type want struct {
		path, kind, message string // message: a substring
		breaking            bool
	}
	cases := []struct {
		name     string
		edits    []string
		breaking bool
		want     []want
	}{
		{
			name: "removed endpoint",
			edits: []string{`    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [number]
              properties:
                number:
                  type: string
      responses:
        "201":
          description: Created.
`, ""},
			breaking: true,
			want: []want{
				{"POST /orders", "openapi-api-removed-without-deprecation", "API removed without deprecation", true},
				// The document's info.version was not bumped: a warning, not a break.
				{"info", "openapi-api-version-not-bumped", "the version is still `1.0.0`", false},
			},
		},
		{
			name: "new required request property",
			edits: []string{`              required: [number]
              properties:
                number:
                  type: string
`, `              required: [number, currency]
              properties:
                number:
                  type: string
                currency:
                  type: string
`},
			breaking: true,
			want: []want{
				{"POST /orders", "openapi-new-required-request-property", "`currency`", true},
			},
		},
		{
			name: "removed response property",
			edits: []string{`required: [number, total]`, `required: [number]`, `        total:
          type: number
`, ""},
			breaking: true,
			want: []want{
				{"GET /orders", "openapi-response-required-property-removed", "`items/total`", true},
			},
		},
		{
			// oasdiff reports an optional response property's removal as a
			// warning: non-breaking here.
			name: "removed optional response property",
			edits: []string{`        state:
          type: string
          enum: [open, closed]
`, ""},
			breaking: false,
			want: []want{
				{"GET /orders", "openapi-response-optional-property-removed", "`items/state`", false},
			},
		},
		{
			name: "new optional query parameter",
			edits: []string{`          schema:
            type: string
      responses:`, `          schema:
            type: string
        - name: since
          in: query
          schema:
            type: string
            format: date
      responses:`},
			breaking: false,
			want: []want{
				{"GET /orders", "openapi-new-optional-request-parameter", "`since`", false},
			},
		},
		{
			name: "new endpoint",
			edits: []string{`components:
`, `  /orders/{number}:
    get:
      operationId: getOrder
      parameters:
        - name: number
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: The order.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Order"
components:
`},
			breaking: false,
			want: []want{
				{"GET /orders/{number}", "openapi-endpoint-added", "endpoint added", false},
			},
		},
		{
			// oasdiff's default: a client may not know a new response enum
			// value, so adding one is an error (breaking).
			name:     "response enum value added",
			edits:    []string{`enum: [open, closed]`, `enum: [open, closed, cancelled]`},
			breaking: true,
			want: []want{
				{"GET /orders", "openapi-response-property-enum-value-added", "`cancelled`", true},
			},
		},
		{
			name:     "request property made optional",
			edits:    []string{`required: [number]`, `required: []`},
			breaking: false,
			want: []want{
				{"POST /orders", "openapi-request-property-became-optional", "`number`", false},
			},
		},
		{
			name:  "description only",
			edits: []string{`description: Created.`, `description: The order was created.`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CompareOpenAPI([]byte(ordersAPI), []byte(editOrders(t, tc.edits...)))
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("changes are nil, want a slice")
			}
			v := Verdict{Changes: got}
			if v.Breaking() != tc.breaking {
				t.Errorf("breaking = %v, want %v; changes:\n%s", v.Breaking(), tc.breaking, dumpChanges(got))
			}
			for _, w := range tc.want {
				found := false
				for _, c := range got {
					if c.Path == w.path && c.Kind == w.kind && strings.Contains(c.Message, w.message) && c.Breaking == w.breaking {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %+v in:\n%s", w, dumpChanges(got))
				}
			}
			if len(tc.want) == 0 && len(got) != 0 {
				t.Errorf("want no findings, got:\n%s", dumpChanges(got))
			}
			for i, c := range got {
				if !strings.HasPrefix(c.Kind, OpenAPIKindPrefix) || c.Message == "" || c.SchemaPointer != "" || c.Path == "" {
					t.Errorf("malformed change %s", c)
				}
				if i > 0 && (got[i-1].Path > c.Path || got[i-1].Path == c.Path && got[i-1].Kind > c.Kind) {
					t.Errorf("not sorted: %s before %s", got[i-1], c)
				}
			}
		})
	}
}

func TestCompareOpenAPIDeterministicAndFormatAgnostic(t *testing.T) {
	// The same document as JSON: no finding against the YAML original.
	asJSON := `{"openapi":"3.0.3","info":{"title":"Orders","version":"1.0.0"},"paths":{"/orders":{
 "get":{"operationId":"listOrders","parameters":[{"name":"status","in":"query","schema":{"type":"string"}}],
  "responses":{"200":{"description":"The orders.","content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/Order"}}}}}}},
 "post":{"operationId":"createOrder","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["number"],"properties":{"number":{"type":"string"}}}}}},
  "responses":{"201":{"description":"Created."}}}}},
 "components":{"schemas":{"Order":{"type":"object","required":["number","total"],"properties":{"number":{"type":"string"},"total":{"type":"number"},"state":{"type":"string","enum":["open","closed"]}}}}}}`
	got, err := CompareOpenAPI([]byte(asJSON), []byte(ordersAPI))
	if err != nil || len(got) != 0 {
		t.Fatalf("JSON vs YAML of the same document: %v\n%s", err, dumpChanges(got))
	}

	rev := editOrders(t, `required: [number, total]`, `required: [number]`, `        total:
          type: number
`, "", `enum: [open, closed]`, `enum: [open]`, `post:`, `delete:`)
	first, err := CompareOpenAPI([]byte(ordersAPI), []byte(rev))
	if err != nil || len(first) < 3 {
		t.Fatalf("%v\n%s", err, dumpChanges(first))
	}
	for range 5 {
		again, err := CompareOpenAPI([]byte(ordersAPI), []byte(rev))
		if err != nil || dumpChanges(again) != dumpChanges(first) {
			t.Fatalf("not deterministic:\n%s\nthen\n%s", dumpChanges(first), dumpChanges(again))
		}
	}
}

func TestCompareOpenAPIErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "  \n", "empty"},
		{"not YAML", "openapi: [3.0.3\n  info: {", "not valid YAML"},
		{"not JSON", `{"openapi": "3.0.3",`, "not an OpenAPI document"},
		{"swagger 2", "swagger: \"2.0\"\ninfo: {title: x, version: \"1\"}\npaths: {}\n", "only OpenAPI 3.x"},
		{"invalid", "openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n", "version"},
		{"external ref", strings.Replace(ordersAPI, `"#/components/schemas/Order"`, `"https://example.com/order.yaml"`, 1), "external"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CompareOpenAPI([]byte(ordersAPI), []byte(tc.doc)); err == nil || !strings.Contains(err.Error(), "new OpenAPI document") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("new side: got %v, want an error about %q", err, tc.want)
			}
			if _, err := CompareOpenAPI([]byte(tc.doc), []byte(ordersAPI)); err == nil || !strings.Contains(err.Error(), "old OpenAPI document") {
				t.Errorf("old side: got %v, want an error", err)
			}
		})
	}
}

func dumpChanges(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}
