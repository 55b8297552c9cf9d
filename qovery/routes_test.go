package qovery

import (
	"slices"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// openapi.yaml documents exactly the routes of routes.go.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	paths := testkit.Operations(t, "openapi.yaml")
	want := map[string][]string{
		BasePath + PathMembers:      {"get", "post"},
		BasePath + PathMember:       {"delete", "put"},
		BasePath + PathBlueprints:   {"get"},
		BasePath + PathBlueprintACL: {"get", "put"},
		PathEmulatorStats:           {"delete", "get"},
	}
	if len(paths) != len(want) {
		t.Errorf("openapi.yaml has %d paths, routes.go %d", len(paths), len(want))
	}
	for path, methods := range want {
		var got []string
		for method := range paths[path] {
			got = append(got, method)
		}
		slices.Sort(got)
		if !slices.Equal(got, methods) {
			t.Errorf("%s: methods %v, want %v", path, got, methods)
		}
	}
}
