package portal

import (
	"slices"
	"strings"
)

// StatusExpired is an invitation to the organization that was not accepted in time:
// the invitee can no longer join with it. Only organization invitations expire.
const StatusExpired Status = "expired"

// OwnerRole is the name of the organization role held by its one owner. portalctl
// never removes the owner, never changes their role and never gives the role to
// anyone else: ownership moves with Qovery's own transfer of ownership.
const OwnerRole = "Owner"

// Org is the membership of the Qovery organization itself (not of its portal): who
// belongs to the organization, with which organization role. Portal users sign in
// with Qovery SSO; organization roles do not change what anyone sees in the portal.
//
// In a file it is the organization_members section; in the live state, what the
// organization's published API lists (members and invitations) with its roles.
type Org struct {
	// Members are the members and, in the live state, the invitations, sorted by
	// email (live: an email may appear twice, as a member and as an invitation).
	Members []OrgMember
	// Roles are the organization's roles (live state and seeds only).
	Roles []OrgRole
	// Pos is where organization_members is written (files only).
	Pos Pos
}

// OrgMember is one entry of the organization's membership.
type OrgMember struct {
	Email string // normalised
	// Role is the role's name: as written in the file (matched to the
	// organization's roles case-insensitively at plan time), or the
	// organization's own name for it in the live state.
	Role string
	// RoleID is the role's id (live state, and seeds that give one).
	RoleID string
	// Status is active for a member, pending or expired for an invitation (live
	// state and seeds only; empty in a file).
	Status Status
	// ID is the member's id, an identity subject such as "github|12345", or the
	// invitation's id (live state; optional in seeds). Ids are opaque.
	ID string
	// Inviter is who sent an invitation (live state only).
	Inviter string
	// Owner marks the member the organization's API reports as its owner (live
	// state only): the one whose deprecated role is OWNER, whatever their
	// role's name. portalctl never removes them or changes their role.
	Owner   bool
	Pos     Pos // of the email
	RolePos Pos // of the role value
	// Expires is the day the entry's access ends (files only; zero: never).
	// Not to be confused with an expired invitation (StatusExpired), which
	// the organization reports.
	Expires    Date
	ExpiresPos Pos // of the expires value
	// Invited is the day a pending invitation was sent (live state only: the
	// API's created_at; zero for a member or an expired invitation).
	Invited Date
}

// PendingFor reports how many days a pending invitation has waited on day
// today, and whether the entry is one with a known day of invitation.
func (m OrgMember) PendingFor(today Date) (int, bool) {
	if m.Status != StatusPending || m.Invited.IsZero() || today.IsZero() {
		return 0, false
	}
	return m.Invited.DaysUntil(today), true
}

// Expired reports whether the entry's access has ended on day today (its
// expires date), whatever its status.
func (m OrgMember) Expired(today Date) bool { return Expired(m.Expires, today) }

// Invitation reports whether the entry is an invitation rather than a member.
func (m OrgMember) Invitation() bool {
	return m.Status == StatusPending || m.Status == StatusExpired
}

// OrgRole is a role of the organization.
type OrgRole struct {
	ID   string
	Name string
	Pos  Pos // seeds only
}

// Role returns the role named name: the one whose name is exactly name, else the
// only one whose name equals it case-insensitively. When no role matches, ok is
// false and candidates lists the roles whose names equal name case-insensitively,
// if there are several (the name is ambiguous), or is empty (there is no such
// role).
func (o *Org) Role(name string) (r OrgRole, ok bool, candidates []OrgRole) {
	for _, r := range o.Roles {
		if r.Name == name {
			return r, true, nil
		}
	}
	for _, r := range o.Roles {
		if strings.EqualFold(r.Name, name) {
			candidates = append(candidates, r)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], true, nil
	}
	return OrgRole{}, false, candidates
}

// RoleByID returns the role with id. Role ids are UUIDs: they compare
// case-insensitively.
func (o *Org) RoleByID(id string) (OrgRole, bool) {
	for _, r := range o.Roles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return OrgRole{}, false
}

// RoleNames lists the names of the organization's roles, in the organization's
// order.
func (o *Org) RoleNames() []string {
	names := make([]string, len(o.Roles))
	for i, r := range o.Roles {
		names[i] = r.Name
	}
	return names
}

// IsOwner reports whether role, as written in a file, names the owner's role:
// a file gives the organization's owner `role: Owner`. In a live state the owner
// is the member marked Owner, never a role found by its name.
func IsOwner(role string) bool { return strings.EqualFold(role, OwnerRole) }

// SortOrgMembers puts entries in email order, members before invitations of the
// same email, keeping the order of equal entries.
func SortOrgMembers(ms []OrgMember) {
	slices.SortStableFunc(ms, func(a, b OrgMember) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		switch {
		case !a.Invitation() && b.Invitation():
			return -1
		case a.Invitation() && !b.Invitation():
			return 1
		}
		return 0
	})
}
