package organization

import (
	"slices"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// openapi.yaml documents exactly the routes of routes.go, with the published
// operationIds, and the published getMemberInvitation the emulator also serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	paths := testkit.Operations(t, "openapi.yaml")
	want := map[string][]string{
		BasePath + PathAvailableRoles: {"get listOrganizationAvailableRoles"},
		BasePath + PathMembers:        {"delete deleteMember", "get getOrganizationMembers", "put editOrganizationMemberRole"},
		BasePath + PathInvitations:    {"get getOrganizationInvitedMembers", "post postInviteMember"},
		BasePath + PathInvitation:     {"delete deleteInviteMember", "get getMemberInvitation"},
	}
	if len(paths) != len(want) {
		t.Errorf("openapi.yaml has %d paths, routes.go %d", len(paths), len(want))
	}
	for path, ops := range want {
		var got []string
		for method, id := range paths[path] {
			got = append(got, method+" "+id)
		}
		slices.Sort(got)
		if !slices.Equal(got, ops) {
			t.Errorf("%s: operations %v, want %v", path, got, ops)
		}
	}
}
