package lint

import (
	"fmt"
	"slices"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// lintOrgOwner warns about an organization_members section that names no owner, or
// more than one: an organization has exactly one, and plan refuses a section that
// leaves them out or gives the role to anyone else.
func lintOrgOwner(cfg *portal.Config, ds *diag.Collector) {
	if cfg.Org == nil || len(cfg.Org.Members) == 0 {
		return
	}
	var owners []portal.OrgMember
	for _, m := range cfg.Org.Members {
		if portal.IsOwner(m.Role) {
			owners = append(owners, m)
		}
	}
	// The first written is taken for the owner; the others are flagged.
	slices.SortFunc(owners, func(a, b portal.OrgMember) int { return a.Pos.Compare(b.Pos) })
	if len(owners) == 0 {
		ds.Add(cfg.Org.Pos, diag.Warning, "no-owner",
			"no organization member has `role: Owner`: the organization's owner must be listed with that role, or plan refuses the file",
			"add the organization's owner, e.g. `- email: owner@company.com` with `role: Owner`")
	}
	for _, m := range owners[min(1, len(owners)):] {
		ds.Add(m.RolePos, diag.Warning, "several-owners",
			fmt.Sprintf("%s and %s both have `role: Owner`: an organization has one owner, and plan refuses to give the role to anyone else", owners[0].Email, m.Email),
			"give all but the current owner another role, e.g. `role: Admin`")
	}
}
