package report

import (
	"fmt"
	"strings"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// OrgChanges are the changes to the Qovery organization's own members, listed
// apart from the portal's: organization roles change no one's access to blueprints,
// so they have no part in the access impact.
type OrgChanges struct {
	// Scope is "managed"; comparing two files, "newly managed" (the base did not
	// list the organization's members, so what changes is known only to plan) or
	// "no longer managed" (the head stops listing them: they are left alone).
	Scope         string      `json:"scope"`
	Invitations   []OrgChange `json:"invitations"`
	Reinvitations []OrgChange `json:"reinvitations"`
	RoleChanges   []OrgChange `json:"role_changes"`
	Removals      []OrgChange `json:"removals"`
	// Listed counts the members a newly managed section lists.
	Listed int `json:"listed,omitempty"`
}

// OrgChange is one change of the organization's members.
type OrgChange struct {
	Email string `json:"email"`
	// Role is the role given, or for a removal the role held, by name.
	Role string `json:"role"`
	// From is the role held before (role changes; pending invitations whose
	// role changes).
	From string `json:"from,omitempty"`
	// Expired: an expired invitation, sent again or cancelled.
	Expired bool `json:"expired,omitempty"`
	// Invitation: a removal that cancels an invitation rather than removing a
	// member.
	Invitation bool `json:"invitation,omitempty"`
	// Expires is the day an invited member's access ends, if the file gives
	// one; ExpiredOn, why a member is removed or an invitation cancelled: the
	// file's expires date for them has passed. YYYY-MM-DD.
	Expires   string `json:"expires,omitempty"`
	ExpiredOn string `json:"expired_on,omitempty"`
}

// count is how many changes the organization's members have.
func (o *OrgChanges) count() int {
	if o == nil {
		return 0
	}
	return len(o.Invitations) + len(o.Reinvitations) + len(o.RoleChanges) + len(o.Removals)
}

// scopeChanged says the comparison starts or stops managing the organization.
func (o *OrgChanges) scopeChanged() bool {
	return o != nil && (o.Scope == string(reconcile.OrgNewlyManaged) || o.Scope == string(reconcile.OrgNoLongerManaged))
}

// adminRole reports whether a role makes its holder an administrator of the
// organization.
func adminRole(role string) bool { return strings.EqualFold(role, "Admin") || portal.IsOwner(role) }

// newOrgChanges collects the organization's operations of p, or nil when the plan
// leaves the organization alone.
func newOrgChanges(p *reconcile.Plan, expires expiryDates) *OrgChanges {
	if p.Org == reconcile.OrgLeftAlone {
		return nil
	}
	o := &OrgChanges{Scope: string(p.Org), Invitations: []OrgChange{}, Reinvitations: []OrgChange{}, RoleChanges: []OrgChange{}, Removals: []OrgChange{}}
	if p.Org == reconcile.OrgNewlyManaged && p.Desired != nil && p.Desired.Org != nil {
		o.Listed = len(p.Desired.Org.Members)
	}
	for _, op := range p.Ops {
		switch op.Action {
		case reconcile.OrgInvite:
			o.Invitations = append(o.Invitations, OrgChange{Email: op.Email, Role: op.OrgRole, Expires: expires.org[op.Email]})
		case reconcile.OrgReinvite:
			c := OrgChange{Email: op.Email, Role: op.OrgRole, Expired: op.Expired}
			if !strings.EqualFold(op.FromOrgRole, op.OrgRole) {
				c.From = op.FromOrgRole
			}
			o.Reinvitations = append(o.Reinvitations, c)
		case reconcile.OrgChangeRole:
			o.RoleChanges = append(o.RoleChanges, OrgChange{Email: op.Email, Role: op.OrgRole, From: op.FromOrgRole})
		case reconcile.OrgRemove:
			o.Removals = append(o.Removals, OrgChange{Email: op.Email, Role: op.OrgRole, ExpiredOn: op.ExpiredOn.String()})
		case reconcile.OrgCancelInvite:
			o.Removals = append(o.Removals, OrgChange{Email: op.Email, Role: op.OrgRole, Expired: op.Expired, Invitation: true, ExpiredOn: op.ExpiredOn.String()})
		}
	}
	return o
}

// adminChanges are the changes of the organization that give or take its Owner
// or Admin role, by name.
func (o *OrgChanges) adminChanges() []AdminChange {
	if o == nil {
		return nil
	}
	var out []AdminChange
	add := func(email, change, from, to string) {
		out = append(out, AdminChange{Email: email, Scope: "organization", Change: change, From: from, To: to})
	}
	for _, c := range o.Invitations {
		if adminRole(c.Role) {
			add(c.Email, "invited", "", c.Role)
		}
	}
	for _, c := range o.Reinvitations {
		switch {
		case c.From != "" && adminRole(c.From) != adminRole(c.Role):
			add(c.Email, "role changed", c.From, c.Role)
		case adminRole(c.Role) && c.Expired:
			add(c.Email, "invited again", "", c.Role)
		}
	}
	for _, c := range o.RoleChanges {
		if adminRole(c.From) || adminRole(c.Role) {
			add(c.Email, "role changed", orUnknown(c.From), c.Role)
		}
	}
	for _, c := range o.Removals {
		if !adminRole(c.Role) {
			continue
		}
		if c.Invitation {
			add(c.Email, "invitation cancelled", c.Role, "")
		} else {
			add(c.Email, "removed", c.Role, "")
		}
	}
	return out
}

func orUnknown(role string) string {
	if role == "" {
		return "(unknown role)"
	}
	return role
}

// spans describe one change of the organization in words, the roles that make
// someone an administrator in bold.
func (c OrgChange) spans(kind string) []span {
	role := func(r string) span {
		if r == "" {
			return txt("(unknown role)")
		}
		if adminRole(r) && kind != "removals" {
			return boldVal(r)
		}
		return val(r)
	}
	email := val(c.Email)
	switch kind {
	case "invitations":
		if c.Expires != "" {
			return []span{email, txt(" as "), role(c.Role), txt(" (expires " + c.Expires + ")")}
		}
		return []span{email, txt(" as "), role(c.Role)}
	case "reinvitations":
		if c.Expired && c.From == "" {
			return []span{email, txt(": the expired invitation sent again, as "), role(c.Role)}
		}
		if c.Expired {
			return []span{email, txt(": the expired invitation sent again, as "), role(c.Role), txt(" (was "), role(c.From), txt(")")}
		}
		return []span{email, txt(": the pending invitation replaced, "), role(c.From), txt(" → "), role(c.Role)}
	case "role changes":
		return []span{email, txt(": "), role(c.From), txt(" → "), role(c.Role)}
	}
	why := ""
	if c.ExpiredOn != "" {
		why = ": expired on " + c.ExpiredOn
	}
	switch {
	case c.Invitation && c.Expired:
		return []span{email, txt(": the expired invitation cancelled ("), role(c.Role), txt(")" + why)}
	case c.Invitation:
		return []span{email, txt(": the invitation cancelled ("), role(c.Role), txt(")" + why)}
	}
	return []span{email, txt(" ("), role(c.Role), txt(")" + why)}
}

// orgLists are the organization's lists in the order shown, with their report ids
// (for capping) and titles.
func (o *OrgChanges) lists() []struct {
	id, kind, title string
	items           []OrgChange
} {
	return []struct {
		id, kind, title string
		items           []OrgChange
	}{
		{"org-invitations", "invitations", "Invitations", o.Invitations},
		{"org-reinvitations", "reinvitations", "Invitations sent again", o.Reinvitations},
		{"org-role-changes", "role changes", "Role changes", o.RoleChanges},
		{"org-removals", "removals", "Removals", o.Removals},
	}
}

// scopeNote says what a change of scope means, or "".
func (o *OrgChanges) scopeNote() string {
	switch o.Scope {
	case string(reconcile.OrgNewlyManaged):
		return fmt.Sprintf("The file starts managing the Qovery organization's members (%d listed): who joins or leaves is known only against the organization; `portalctl plan` shows it.", o.Listed)
	case string(reconcile.OrgNoLongerManaged):
		return "The file stops listing the Qovery organization's members: they are left alone from now on."
	}
	return ""
}

// orgAccess is what every listing of the organization's changes says once.
const orgAccess = "Qovery organization roles do not change who sees which blueprint"
