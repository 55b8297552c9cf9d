package organization

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"
)

// openapi.yaml documents exactly the routes of routes.go, with the published
// operationIds, and the published getMemberInvitation the emulator also serves.
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
		BasePath + PathAvailableRoles: {"get listOrganizationAvailableRoles"},
		BasePath + PathMembers:        {"delete deleteMember", "get getOrganizationMembers", "put editOrganizationMemberRole"},
		BasePath + PathInvitations:    {"get getOrganizationInvitedMembers", "post postInviteMember"},
		BasePath + PathInvitation:     {"delete deleteInviteMember", "get getMemberInvitation"},
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("openapi.yaml has %d paths, routes.go %d", len(doc.Paths), len(want))
	}
	for path, ops := range want {
		var got []string
		for method, op := range doc.Paths[path] {
			if method != "parameters" {
				id, _ := op.(map[string]any)["operationId"].(string)
				got = append(got, method+" "+id)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, ops) {
			t.Errorf("%s: operations %v, want %v", path, got, ops)
		}
	}
}
