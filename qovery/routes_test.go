package qovery

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"
)

// openapi.yaml documents exactly the routes of routes.go.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	data, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	want := map[string][]string{
		BasePath + PathMembers:      {"get", "post"},
		BasePath + PathMember:       {"delete", "put"},
		BasePath + PathBlueprints:   {"get"},
		BasePath + PathBlueprintACL: {"get", "put"},
		PathEmulatorStats:           {"delete", "get"},
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("openapi.yaml has %d paths, routes.go %d", len(doc.Paths), len(want))
	}
	for path, methods := range want {
		var got []string
		for k := range doc.Paths[path] {
			if k != "parameters" && k != "description" {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, methods) {
			t.Errorf("%s: methods %v, want %v", path, got, methods)
		}
	}
}
