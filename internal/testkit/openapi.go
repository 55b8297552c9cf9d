package testkit

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v4"
)

// Operations reads the OpenAPI document at path, which must be of version
// 3.0.3, for a test that it documents exactly the routes of the code: each path
// with its operations' ids by method (every key of the path but its parameters
// and description).
func Operations(t testing.TB, path string) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("%s: openapi %q", path, doc.OpenAPI)
	}
	out := make(map[string]map[string]string, len(doc.Paths))
	for p, keys := range doc.Paths {
		out[p] = map[string]string{}
		for k, v := range keys {
			if k == "parameters" || k == "description" {
				continue
			}
			op, _ := v.(map[string]any)
			id, _ := op["operationId"].(string)
			out[p][k] = id
		}
	}
	return out
}
