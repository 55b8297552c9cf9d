package report

import (
	"fmt"
	"slices"
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
	// NewAdmins are those who become Admin or Owner of the organization.
	NewAdmins []NewAdmin `json:"new_admins"`
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
	o := &OrgChanges{Scope: string(p.Org), Invitations: []OrgChange{}, Reinvitations: []OrgChange{}, RoleChanges: []OrgChange{}, Removals: []OrgChange{}, NewAdmins: []NewAdmin{}}
	if p.Org == reconcile.OrgNewlyManaged && p.Desired != nil && p.Desired.Org != nil {
		o.Listed = len(p.Desired.Org.Members)
	}
	for _, op := range p.Ops {
		switch op.Action {
		case reconcile.OrgInvite:
			o.Invitations = append(o.Invitations, OrgChange{Email: op.Email, Role: op.OrgRole, Expires: expires.org[op.Email]})
			if adminRole(op.OrgRole) {
				o.NewAdmins = append(o.NewAdmins, NewAdmin{Email: op.Email, How: "invited as " + op.OrgRole})
			}
		case reconcile.OrgReinvite:
			c := OrgChange{Email: op.Email, Role: op.OrgRole, Expired: op.Expired}
			if !strings.EqualFold(op.FromOrgRole, op.OrgRole) {
				c.From = op.FromOrgRole
			}
			o.Reinvitations = append(o.Reinvitations, c)
			if adminRole(op.OrgRole) && (op.Expired || !adminRole(op.FromOrgRole)) {
				o.NewAdmins = append(o.NewAdmins, NewAdmin{Email: op.Email, How: "invited again as " + op.OrgRole})
			}
		case reconcile.OrgChangeRole:
			o.RoleChanges = append(o.RoleChanges, OrgChange{Email: op.Email, Role: op.OrgRole, From: op.FromOrgRole})
			if adminRole(op.OrgRole) && !adminRole(op.FromOrgRole) {
				o.NewAdmins = append(o.NewAdmins, NewAdmin{Email: op.Email, How: fmt.Sprintf("%s → %s", orUnknown(op.FromOrgRole), op.OrgRole)})
			}
		case reconcile.OrgRemove:
			o.Removals = append(o.Removals, OrgChange{Email: op.Email, Role: op.OrgRole, ExpiredOn: op.ExpiredOn.String()})
		case reconcile.OrgCancelInvite:
			o.Removals = append(o.Removals, OrgChange{Email: op.Email, Role: op.OrgRole, Expired: op.Expired, Invitation: true, ExpiredOn: op.ExpiredOn.String()})
		}
	}
	slices.SortFunc(o.NewAdmins, func(a, b NewAdmin) int { return strings.Compare(a.Email, b.Email) })
	return o
}

func orUnknown(role string) string {
	if role == "" {
		return "(unknown role)"
	}
	return role
}

// line describes one change of the organization in words; email and role render
// the values (code spans in markdown, terminal-safe in text).
func (c OrgChange) line(kind string, email, role func(string) string) string {
	from := func() string {
		if c.From == "" {
			return "(unknown role)"
		}
		return role(c.From)
	}
	switch kind {
	case "invitations":
		if c.Expires != "" {
			return fmt.Sprintf("%s as %s (expires %s)", email(c.Email), role(c.Role), c.Expires)
		}
		return fmt.Sprintf("%s as %s", email(c.Email), role(c.Role))
	case "reinvitations":
		if c.Expired && c.From == "" {
			return fmt.Sprintf("%s: the expired invitation sent again, as %s", email(c.Email), role(c.Role))
		}
		if c.Expired {
			return fmt.Sprintf("%s: the expired invitation sent again, as %s (was %s)", email(c.Email), role(c.Role), from())
		}
		return fmt.Sprintf("%s: the pending invitation replaced, %s → %s", email(c.Email), from(), role(c.Role))
	case "role changes":
		return fmt.Sprintf("%s: %s → %s", email(c.Email), from(), role(c.Role))
	}
	why := ""
	if c.ExpiredOn != "" {
		why = ": expired on " + c.ExpiredOn
	}
	switch {
	case c.Invitation && c.Expired:
		return fmt.Sprintf("%s: the expired invitation cancelled (%s)%s", email(c.Email), role(c.Role), why)
	case c.Invitation:
		return fmt.Sprintf("%s: the invitation cancelled (%s)%s", email(c.Email), role(c.Role), why)
	case c.Role == "":
		return fmt.Sprintf("%s (unknown role)%s", email(c.Email), why)
	}
	return fmt.Sprintf("%s (%s)%s", email(c.Email), role(c.Role), why)
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
