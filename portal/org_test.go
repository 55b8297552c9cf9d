package portal_test

import (
	"testing"

	"github.com/qovery/portalctl/portal"
)

// TestOrgRole: a role by name is the exact match, else the only case-insensitive
// one; two case-insensitive matches without an exact one are ambiguous.
func TestOrgRole(t *testing.T) {
	o := &portal.Org{Roles: []portal.OrgRole{
		{ID: "r1", Name: "Owner"}, {ID: "r2", Name: "owner"}, {ID: "r3", Name: "Data Team"}, {ID: "r4", Name: "DATA TEAM"}, {ID: "r5", Name: "Viewer"},
	}}
	tests := []struct {
		name       string
		want       string // role id; "" when none
		candidates int
	}{
		{"Owner", "r1", 0},
		{"owner", "r2", 0},
		{"OWNER", "", 2},
		{"Data Team", "r3", 0},
		{"DATA TEAM", "r4", 0},
		{"data team", "", 2},
		{"viewer", "r5", 0},
		{"Billing Manager", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, candidates := o.Role(tt.name)
			if ok != (tt.want != "") || r.ID != tt.want || len(candidates) != tt.candidates {
				t.Errorf("Role(%q) = %+v %v %+v, want %q and %d candidates", tt.name, r, ok, candidates, tt.want, tt.candidates)
			}
		})
	}
	if r, ok := o.RoleByID("R3"); !ok || r.Name != "Data Team" {
		t.Errorf("RoleByID compares case-sensitively: %+v", r)
	}
}
