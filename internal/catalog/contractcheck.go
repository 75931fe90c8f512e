package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// CompileSchema checks that raw is a JSON Schema (2020-12 unless it says
// otherwise) that compiles, and returns it for validating documents.
func CompileSchema(raw string) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		if _, ok := doc.(bool); !ok {
			return nil, fmt.Errorf("a schema must be a JSON object")
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// No remote references: a contract must be self-contained.
	c.UseLoader(noLoader{})
	if err := c.AddResource("contract.json", doc); err != nil {
		return nil, err
	}
	s, err := c.Compile("contract.json")
	if err != nil {
		return nil, fmt.Errorf("%v", strings.ReplaceAll(err.Error(), "file:///contract.json", ""))
	}
	return s, nil
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external reference %s is not allowed; put definitions in $defs", url)
}

// ValidateOpenAPI checks an OpenAPI 3 document (JSON or YAML).
func ValidateOpenAPI(ctx context.Context, raw string) error {
	b := []byte(raw)
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var err error
		if b, err = yaml.YAMLToJSON(b); err != nil {
			return fmt.Errorf("not valid YAML: %v", err)
		}
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return fmt.Errorf("not an OpenAPI document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return fmt.Errorf("only OpenAPI 3.x is supported, got %q", doc.OpenAPI)
	}
	if err := doc.Validate(ctx); err != nil {
		return err
	}
	return nil
}

// ValidateAsyncAPI checks an AsyncAPI document's shape: valid JSON or YAML
// with an asyncapi version and channels.
func ValidateAsyncAPI(raw string) error {
	b := []byte(raw)
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var err error
		if b, err = yaml.YAMLToJSON(b); err != nil {
			return fmt.Errorf("not valid YAML: %v", err)
		}
	}
	var doc struct {
		AsyncAPI string         `json:"asyncapi"`
		Channels map[string]any `json:"channels"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("not an AsyncAPI document: %v", err)
	}
	if doc.AsyncAPI == "" {
		return fmt.Errorf("the asyncapi field (for example \"3.0.0\") is missing")
	}
	if len(doc.Channels) == 0 {
		return fmt.Errorf("an AsyncAPI document needs at least one channel")
	}
	return nil
}
