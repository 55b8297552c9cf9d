package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// The organization's own members (portal.yaml's organization_members): read through
// Qovery's published API, diffed against the file, checked by the rails and applied
// beside the portal's operations. Organization roles do not change who sees which
// blueprint: the access impact ignores them.

// The organization's actions. Their operations are listed apart from the portal's,
// and apply runs them around the portal's: invitations and role changes before it,
// removals after it (see actionOrder).
const (
	// OrgInvite invites someone into the organization (POST /inviteMember with
	// {email, role_id}).
	OrgInvite Action = "org_invite"
	// OrgReinvite replaces an invitation: an expired one is sent again, a
	// pending one whose role changes is deleted and sent again with the new
	// role (DELETE /inviteMember/{id}, then POST /inviteMember).
	OrgReinvite Action = "org_reinvite"
	// OrgChangeRole changes an active member's role (PUT /member with
	// {user_id, role_id}).
	OrgChangeRole Action = "org_change_role"
	// OrgCancelInvite deletes an invitation the file does not list (DELETE
	// /inviteMember/{id}).
	OrgCancelInvite Action = "org_cancel_invite"
	// OrgRemove removes a member the file does not list (DELETE /member with
	// {user_id}).
	OrgRemove Action = "org_remove"
)

// OrgScope says how a plan treats the organization's members.
type OrgScope string

// The ways a plan treats the organization's members.
const (
	// OrgLeftAlone: the file has no organization_members section.
	OrgLeftAlone OrgScope = ""
	// OrgManaged: the file lists the organization's members.
	OrgManaged OrgScope = "managed"
	// OrgNewlyManaged: comparing two files, the base had no section, so who is
	// in the organization is not known offline; plan shows the changes.
	OrgNewlyManaged OrgScope = "newly managed"
	// OrgNoLongerManaged: comparing two files, the head dropped the section:
	// the organization's members are left alone from now on.
	OrgNoLongerManaged OrgScope = "no longer managed"
)

// IsOrg reports whether a is one of the organization's actions.
func IsOrg(a Action) bool { return strings.HasPrefix(string(a), "org_") }

// OrgReader is what ReadLiveOrg needs from the organization's API: its roles,
// members and invitations read into the model (the client's translation refuses
// what it does not understand, and marks the owner).
type OrgReader interface {
	Read(ctx context.Context) (*portal.Org, error)
}

// Owners are the live members the organization's API reports as its owner (the
// client refuses an organization without exactly one).
func Owners(o *portal.Org) []portal.OrgMember {
	if o == nil {
		return nil
	}
	var out []portal.OrgMember
	for _, m := range o.Members {
		if m.Owner && !m.Invitation() {
			out = append(out, m)
		}
	}
	return out
}

// ownerRoles are the ids of the roles the owner holds: the Owner role is known by
// its holder, never by its name (a custom role may be named "owner").
func ownerRoles(o *portal.Org) map[string]bool {
	ids := map[string]bool{}
	for _, m := range Owners(o) {
		ids[m.RoleID] = true
	}
	return ids
}

// diffOrg adds to p the operations that make the organization's members those of
// the file, and returns the problems the file must fix: a role the organization does
// not have, an owner left out or given another role, someone else given the Owner
// role. Offline (comparing two files) there are no ids and no invitations: role
// names are compared as written.
func diffOrg(p *Plan, desired, current *portal.Config, opts DiffOptions) diag.List {
	offline := opts.Offline
	switch {
	case desired.Org == nil && current.Org != nil && offline:
		p.Org = OrgNoLongerManaged
		return nil
	case desired.Org == nil:
		return nil
	case current.Org == nil && offline:
		p.Org = OrgNewlyManaged
		return nil
	}
	p.Org = OrgManaged
	// Entries whose access has expired are not wanted: whoever the organization
	// holds under them is removed, or their invitation cancelled, with the date.
	expiredOn := map[string]portal.Date{}
	for _, d := range desired.Org.Members {
		if d.Expired(opts.Today) {
			expiredOn[d.Email] = d.Expires
		}
	}
	if offline {
		p.Ops = append(p.Ops, diffOrgFiles(desired.Org, current.Org, expiredOn)...)
		return nil
	}
	var ds diag.List
	if current.Org == nil {
		ds.Add(desired.Org.Pos, diag.Error, "organization-not-read", "the organization's members were not read", "this is a bug of the caller: read the live state with the organization (ReadLiveOrg)")
		return ds
	}
	live := current.Org
	if len(Owners(live)) == 0 {
		// The client refuses an organization with members and no owner; one
		// without anyone has none either. Without an owner, the Owner's role
		// is unknown, so "never give it to anyone" could not hold.
		ds.Add(desired.Org.Pos, diag.Error, "organization-without-owner", "the organization's API reports no owner: portalctl cannot tell whom it must never remove or demote, nor which role is the owner's, so it does not manage the organization's members",
			"check the organization id; or remove organization_members from portal.yaml to leave the organization's members alone")
		return ds
	}
	owners := ownerRoles(live)
	names := live.RoleNames()
	members := map[string]portal.OrgMember{}
	invitations := map[string]portal.OrgMember{}
	for _, m := range live.Members {
		if m.Invitation() {
			invitations[m.Email] = m
		} else {
			members[m.Email] = m
		}
	}
	ownerNames := func() string {
		var es []string
		for _, o := range Owners(live) {
			es = append(es, o.Email)
		}
		if len(es) == 0 {
			return "the current owner"
		}
		return strings.Join(es, ", ")
	}
	listed := map[string]bool{}
	for _, d := range desired.Org.Members {
		if _, expired := expiredOn[d.Email]; expired {
			if m, ok := members[d.Email]; ok && m.Owner {
				listed[d.Email] = true // said here, not again as an omitted owner
				ds.Add(d.ExpiresPos, diag.Error, "owner-expired", fmt.Sprintf("%s, the organization's owner, expired on %s: portalctl never removes the owner", d.Email, d.Expires),
					"remove `expires` from the owner's entry; to end their access, transfer the ownership in the Qovery console first")
			}
			continue
		}
		listed[d.Email] = true
		role, ok, candidates := live.Role(d.Role)
		switch {
		case !ok && len(candidates) > 1:
			ds.Add(d.RolePos, diag.Error, "ambiguous-organization-role", fmt.Sprintf("role %q of %s is ambiguous: the organization has %s", d.Role, d.Email, roleNames(candidates)),
				"write one of them exactly, with its case")
			continue
		case !ok && blankEnded(live, d.Role) != "":
			// portal.yaml trims a role's name: this one cannot be written.
			r := blankEnded(live, d.Role)
			ds.Add(d.RolePos, diag.Error, "unknown-organization-role", fmt.Sprintf("role %q of %s: the organization's role is named %q, with blanks at an end, which portal.yaml cannot hold (it trims role names)", d.Role, d.Email, r),
				fmt.Sprintf("rename the role in the Qovery console to %q, then plan again", strings.TrimSpace(r)))
			continue
		case !ok:
			hint := "the organization's roles: " + strings.Join(names, ", ")
			if c := suggest.Closest(d.Role, names, 1); len(c) > 0 {
				hint = fmt.Sprintf("did you mean %q? (%s)", c[0], hint)
			}
			ds.Add(d.RolePos, diag.Error, "unknown-organization-role", fmt.Sprintf("unknown organization role %q for %s", d.Role, d.Email), hint)
			continue
		}
		m, isMember := members[d.Email]
		inv, invited := invitations[d.Email]
		isOwner := isMember && m.Owner
		switch {
		case isOwner && !owners[role.ID]:
			ds.Add(d.RolePos, diag.Error, "owner-role", fmt.Sprintf("%s is the organization's owner: portalctl never changes the owner's role", d.Email),
				"write `role: Owner` for them; to make someone else the owner, transfer the ownership in the Qovery console first")
			continue
		case !isOwner && owners[role.ID]:
			ds.Add(d.RolePos, diag.Error, "owner-role", fmt.Sprintf("only the organization's owner (%s) holds the role Owner: portalctl does not transfer the ownership", ownerNames()),
				fmt.Sprintf("give %s another role, e.g. `role: Admin`; the ownership moves in the Qovery console", d.Email))
			continue
		}
		switch {
		case isMember:
			if m.RoleID != role.ID {
				p.Ops = append(p.Ops, Op{Action: OrgChangeRole, Email: d.Email, MemberID: m.ID, OrgRole: role.Name, OrgRoleID: role.ID, FromOrgRole: m.Role, FromOrgRoleID: m.RoleID})
			}
			if invited {
				// A member with an invitation left over: the file lists them once.
				p.Ops = append(p.Ops, Op{Action: OrgCancelInvite, Email: inv.Email, InviteID: inv.ID, OrgRole: inv.Role, OrgRoleID: inv.RoleID, Expired: inv.Status == portal.StatusExpired})
			}
		case invited && (inv.Status == portal.StatusExpired || inv.RoleID != role.ID):
			p.Ops = append(p.Ops, Op{Action: OrgReinvite, Email: d.Email, InviteID: inv.ID, OrgRole: role.Name, OrgRoleID: role.ID,
				FromOrgRole: inv.Role, FromOrgRoleID: inv.RoleID, Expired: inv.Status == portal.StatusExpired})
		case invited:
		default:
			p.Ops = append(p.Ops, Op{Action: OrgInvite, Email: d.Email, OrgRole: role.Name, OrgRoleID: role.ID})
		}
	}
	for _, o := range Owners(live) {
		if !listed[o.Email] {
			ds.Add(desired.Org.Pos, diag.Error, "owner-omitted", fmt.Sprintf("organization_members omits the organization's owner %s: portalctl never removes the owner", o.Email),
				fmt.Sprintf("add `- email: %s` with `role: Owner` to organization_members (the ownership moves only with Qovery's transfer of ownership)", o.Email))
		}
	}
	if ds.HasErrors() {
		return ds
	}
	for _, m := range live.Members {
		switch {
		case listed[m.Email]:
		case m.Invitation():
			p.Ops = append(p.Ops, Op{Action: OrgCancelInvite, Email: m.Email, InviteID: m.ID, OrgRole: m.Role, OrgRoleID: m.RoleID, Expired: m.Status == portal.StatusExpired, ExpiredOn: expiredOn[m.Email]})
		default:
			p.Ops = append(p.Ops, Op{Action: OrgRemove, Email: m.Email, MemberID: m.ID, OrgRole: m.Role, OrgRoleID: m.RoleID, ExpiredOn: expiredOn[m.Email]})
		}
	}
	return ds
}

// diffOrgFiles compares two files' sections: role names as written, compared
// case-insensitively. The head's entries in expiredOn are not wanted; the base's
// expired entries are out of base already (see Diff).
func diffOrgFiles(head, base *portal.Org, expiredOn map[string]portal.Date) []Op {
	var ops []Op
	was := map[string]portal.OrgMember{}
	for _, m := range base.Members {
		was[m.Email] = m
	}
	listed := map[string]bool{}
	for _, d := range head.Members {
		if _, expired := expiredOn[d.Email]; expired {
			continue
		}
		listed[d.Email] = true
		b, ok := was[d.Email]
		switch {
		case !ok:
			ops = append(ops, Op{Action: OrgInvite, Email: d.Email, OrgRole: d.Role})
		case !strings.EqualFold(b.Role, d.Role):
			ops = append(ops, Op{Action: OrgChangeRole, Email: d.Email, OrgRole: d.Role, FromOrgRole: b.Role})
		}
	}
	for _, b := range base.Members {
		if !listed[b.Email] {
			ops = append(ops, Op{Action: OrgRemove, Email: b.Email, OrgRole: b.Role, ExpiredOn: expiredOn[b.Email]})
		}
	}
	return ops
}

// blankEnded is the name of the organization's role that name would be but for the
// blanks at its ends (compared case-insensitively), or "".
func blankEnded(o *portal.Org, name string) string {
	for _, r := range o.Roles {
		if trimmed := strings.TrimSpace(r.Name); trimmed != r.Name && strings.EqualFold(trimmed, name) {
			return r.Name
		}
	}
	return ""
}

// roleNames lists roles' names for a message: "Data Team" and "DATA TEAM".
func roleNames(roles []portal.OrgRole) string {
	q := make([]string, len(roles))
	for i, r := range roles {
		q[i] = fmt.Sprintf("%q", r.Name)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// orgString describes an organization operation in a progress line.
func orgString(o Op) string {
	switch o.Action {
	case OrgInvite:
		return fmt.Sprintf("invite %s into the organization as %s", o.Email, o.OrgRole)
	case OrgReinvite:
		if o.Expired {
			return fmt.Sprintf("send the expired organization invitation of %s again, as %s", o.Email, o.OrgRole)
		}
		return fmt.Sprintf("invite %s into the organization again, as %s (pending invitation as %s)", o.Email, o.OrgRole, o.FromOrgRole)
	case OrgChangeRole:
		if o.FromOrgRole == "" {
			return fmt.Sprintf("give %s the organization role %s", o.Email, o.OrgRole)
		}
		return fmt.Sprintf("change the organization role of %s from %s to %s", o.Email, o.FromOrgRole, o.OrgRole)
	case OrgCancelInvite:
		if o.Expired {
			return fmt.Sprintf("cancel the expired organization invitation of %s (%s)%s", o.Email, o.OrgRole, o.Reason())
		}
		return fmt.Sprintf("cancel the organization invitation of %s (%s)%s", o.Email, o.OrgRole, o.Reason())
	case OrgRemove:
		return fmt.Sprintf("remove %s from the organization (%s)%s", o.Email, o.OrgRole, o.Reason())
	}
	return string(o.Action)
}

// quoteOrgOp is orgString with every value quoted, for refusals.
func quoteOrgOp(o Op) string {
	switch o.Action {
	case OrgInvite:
		return fmt.Sprintf("invite %q into the organization as %q (role id %q)", o.Email, o.OrgRole, o.OrgRoleID)
	case OrgReinvite:
		return fmt.Sprintf("re-invite %q (invitation id %q) as %q (role id %q)", o.Email, o.InviteID, o.OrgRole, o.OrgRoleID)
	case OrgChangeRole:
		return fmt.Sprintf("change the organization role of %q (member id %q) from %q to %q (role id %q)", o.Email, o.MemberID, o.FromOrgRole, o.OrgRole, o.OrgRoleID)
	case OrgCancelInvite:
		return fmt.Sprintf("cancel the organization invitation of %q (invitation id %q)", o.Email, o.InviteID)
	case OrgRemove:
		return fmt.Sprintf("remove %q from the organization (member id %q)", o.Email, o.MemberID)
	}
	return fmt.Sprintf("%q", o.Action)
}

// orgLive indexes the live organization for Bind.
type orgLive struct {
	org         *portal.Org
	members     map[string]portal.OrgMember // by id
	invitations map[string]portal.OrgMember // by id
	byEmail     map[string]portal.OrgMember // a member wins over an invitation
	owners      map[string]bool             // role ids
}

func newOrgLive(o *portal.Org) *orgLive {
	if o == nil {
		return nil
	}
	l := &orgLive{org: o, members: map[string]portal.OrgMember{}, invitations: map[string]portal.OrgMember{},
		byEmail: map[string]portal.OrgMember{}, owners: ownerRoles(o)}
	for _, m := range o.Members {
		if m.Invitation() {
			l.invitations[m.ID] = m
		} else {
			l.members[m.ID] = m
		}
		if _, ok := l.byEmail[m.Email]; !ok || !m.Invitation() {
			l.byEmail[m.Email] = m
		}
	}
	return l
}

// role says why a role id and name shown by an operation do not match the
// organization, or "".
func (l *orgLive) role(id, name string) string {
	r, ok := l.org.RoleByID(id)
	switch {
	case !ok || id == "":
		return fmt.Sprintf("names role id %q, which the organization does not have", id)
	case r.Name != name:
		return fmt.Sprintf("shows role id %q as %q, but the organization names it %q", id, name, r.Name)
	case l.owners[r.ID]:
		return "gives the owner's role, which portalctl never gives"
	}
	return ""
}

// bind checks an organization operation against the live organization as Bind
// does (see there); it returns the subject the operation acts on, or why it does
// not match.
func (l *orgLive) bind(o Op) (subject, why string) {
	if l == nil {
		return "", "acts on the organization's members, which were not read"
	}
	switch o.Action {
	case OrgInvite:
		if m, ok := l.byEmail[o.Email]; ok {
			if m.Invitation() {
				return "", fmt.Sprintf("invites %q, who is already invited (invitation id %q)", o.Email, m.ID)
			}
			return "", fmt.Sprintf("invites %q, who is already a member of the organization (id %q)", o.Email, m.ID)
		}
		if why := l.role(o.OrgRoleID, o.OrgRole); why != "" {
			return "", why
		}
		return "organization email " + o.Email, ""
	case OrgReinvite, OrgCancelInvite:
		inv, ok := l.invitations[o.InviteID]
		switch {
		case !ok || o.InviteID == "":
			return "", fmt.Sprintf("names invitation id %q, which the organization does not have", o.InviteID)
		case inv.Email != o.Email:
			return "", fmt.Sprintf("sends invitation id %q, which is %q's, not %q's", o.InviteID, inv.Email, o.Email)
		case o.Expired != (inv.Status == portal.StatusExpired):
			return "", fmt.Sprintf("expects the invitation of %q to be %s, but it is %s", o.Email, expiredWord(o.Expired), inv.Status)
		case o.Action == OrgReinvite && inv.RoleID != o.FromOrgRoleID:
			return "", fmt.Sprintf("expects the invitation of %q to be for role id %q, but it is for %q", o.Email, o.FromOrgRoleID, inv.RoleID)
		case o.Action == OrgCancelInvite && inv.RoleID != o.OrgRoleID:
			return "", fmt.Sprintf("shows the invitation of %q for role id %q, but it is for %q", o.Email, o.OrgRoleID, inv.RoleID)
		}
		if o.Action == OrgReinvite {
			if why := l.role(o.OrgRoleID, o.OrgRole); why != "" {
				return "", why
			}
		}
		return "organization invitation " + o.InviteID, ""
	case OrgChangeRole, OrgRemove:
		m, ok := l.members[o.MemberID]
		switch {
		case !ok || o.MemberID == "":
			return "", fmt.Sprintf("names organization member id %q, which the organization does not have", o.MemberID)
		case m.Email != o.Email:
			return "", fmt.Sprintf("sends member id %q, which is %q in the organization, not %q", o.MemberID, m.Email, o.Email)
		case m.Owner || l.owners[m.RoleID]:
			return "", fmt.Sprintf("acts on %q, the organization's owner, whom portalctl never demotes or removes", o.Email)
		case o.Action == OrgChangeRole && m.RoleID != o.FromOrgRoleID:
			return "", fmt.Sprintf("expects %q to hold role id %q, but the organization has them as %q", o.Email, o.FromOrgRoleID, m.RoleID)
		case o.Action == OrgRemove && m.RoleID != o.OrgRoleID:
			return "", fmt.Sprintf("shows %q with role id %q, but the organization has them as %q", o.Email, o.OrgRoleID, m.RoleID)
		}
		if o.Action == OrgChangeRole {
			if why := l.role(o.OrgRoleID, o.OrgRole); why != "" {
				return "", why
			}
		}
		return "organization member " + o.MemberID, ""
	}
	return "", fmt.Sprintf("has the unknown action %q", o.Action)
}

func expiredWord(expired bool) string {
	if expired {
		return "expired"
	}
	return "pending"
}

// ownerRefusals refuse operations that would remove the organization's owner,
// change their role or give anyone the Owner role, judged on the ids the requests
// carry. No flag overrides them. Offline (a file standing in for the
// organization) nobody is known as the owner: the file's role names are no proof.
func ownerRefusals(ops []Op, live *portal.Config) []Refusal {
	if live.Org == nil {
		return nil
	}
	owners := map[string]portal.OrgMember{}
	for _, o := range Owners(live.Org) {
		if o.ID != "" {
			owners[o.ID] = o
		}
	}
	ownerRole := ownerRoles(live.Org)
	var out []Refusal
	for _, o := range ops {
		switch o.Action {
		case OrgRemove, OrgChangeRole:
			if m, ok := owners[o.MemberID]; ok {
				out = append(out, Refusal{Rail: "owner", Message: fmt.Sprintf("the plan would remove or demote %s, the organization's owner; portalctl never does", m.Email),
					Pass: "list them with `role: Owner`"})
			}
		}
		switch o.Action {
		case OrgInvite, OrgReinvite, OrgChangeRole:
			if o.OrgRoleID != "" && ownerRole[o.OrgRoleID] {
				out = append(out, Refusal{Rail: "owner", Message: fmt.Sprintf("the plan would give %s the Owner role; portalctl never transfers the ownership", o.Email),
					Pass: "transfer it in the Qovery console"})
			}
		}
	}
	return out
}

// orgRemovals counts the distinct organization members and invitations the
// removals of ops remove (known by email where they carry no id: a file standing
// in for the organization).
func orgRemovals(ops []Op) int {
	ids := map[string]bool{}
	for _, o := range ops {
		switch o.Action {
		case OrgRemove:
			ids["m "+subject(o.MemberID, o.Email)] = true
		case OrgCancelInvite:
			ids["i "+subject(o.InviteID, o.Email)] = true
		}
	}
	return len(ids)
}
