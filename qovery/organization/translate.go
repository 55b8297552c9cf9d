package organization

import (
	"fmt"
	"strings"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// The translation between the organization's answers and the model (portal.Org):
// every answer the client reads becomes portal types here, and only here; whatever
// does not fit is refused with a *qovery.UnexpectedError, never guessed.

// API names the organization's API in a *qovery.UnexpectedError.
const API = "the organization's API"

func unexpected(object, format string, args ...any) *qovery.UnexpectedError {
	return &qovery.UnexpectedError{API: API, Object: object, What: fmt.Sprintf(format, args...)}
}

var q = qovery.Quote

// FromAPI reads the organization's roles, members and invitations into the model, as
// Client.Read does. Role ids are UUIDs: they are read in lower case, so that they
// compare as UUIDs do. A role is known by role_id (which /availableRole must
// list), else by role_name (the role of exactly that name), else by the deprecated
// role enum, and the fields an answer gives must agree (see agree); the owner is
// the member whose deprecated role is OWNER. It refuses, with
// a *qovery.UnexpectedError: a role without an id or a name, two roles with one id
// or one name; a member or invitation without an id or an email portalctl can read,
// with no role at all or one /availableRole does not list, with role fields that
// disagree, with a deprecated role or an invitation status it does not know; two members (or two invitations) with
// one address; members and no owner, or more than one, or anyone else holding the
// owner's role.
func FromAPI(roles []Role, members []Member, invitations []Invitation) (*portal.Org, error) {
	o := &portal.Org{}
	names := map[string]string{}
	for _, r := range roles {
		obj := fmt.Sprintf("organization role %s (id %s)", q(r.Name), q(r.ID))
		id := strings.ToLower(strings.TrimSpace(r.ID))
		switch {
		case id == "":
			return nil, unexpected(obj, "no id")
		case strings.TrimSpace(r.Name) == "":
			return nil, unexpected(obj, "no name")
		}
		if first, dup := o.RoleByID(id); dup {
			return nil, unexpected(obj, "two roles with this id (%s and %s)", q(first.Name), q(r.Name))
		}
		if firstID, dup := names[r.Name]; dup {
			return nil, unexpected(obj, "two roles with this name (ids %s and %s): portal.yaml names roles, so it cannot tell them apart", q(firstID), q(id))
		}
		names[r.Name] = id
		o.Roles = append(o.Roles, portal.OrgRole{ID: id, Name: r.Name})
	}
	read := func(obj, id, email string, legacy LegacyRole, roleID, roleName string) (portal.OrgMember, error) {
		if strings.TrimSpace(id) == "" {
			return portal.OrgMember{}, unexpected(obj, "no id")
		}
		if strings.TrimSpace(email) == "" {
			return portal.OrgMember{}, unexpected(obj, "no email")
		}
		addr, err := qovery.LiveEmail(email)
		if err != nil {
			return portal.OrgMember{}, unexpected(obj, "an email portalctl cannot read as an address (%v), so it cannot compare it with portal.yaml's", err)
		}
		if _, known := legacy.RoleName(); legacy != "" && !known {
			return portal.OrgMember{}, unexpected(obj, "the deprecated role %s (portalctl knows ADMIN, DEVELOPER, OWNER and VIEWER)", q(string(legacy)))
		}
		role, err := memberRole(o, obj, legacy, roleID, roleName)
		if err != nil {
			return portal.OrgMember{}, err
		}
		return portal.OrgMember{Email: addr, Role: role.Name, RoleID: role.ID, ID: id}, nil
	}
	emails := map[string]Member{}
	ids := map[string]Member{}
	var owners []portal.OrgMember
	for _, m := range members {
		obj := fmt.Sprintf("organization member %s (id %s)", q(m.Email), q(m.ID))
		om, err := read(obj, m.ID, m.Email, m.Role, m.RoleID, m.RoleName)
		if err != nil {
			return nil, err
		}
		if first, dup := emails[om.Email]; dup {
			return nil, unexpected(fmt.Sprintf("organization members %s (id %s) and %s (id %s)", q(first.Email), q(first.ID), q(m.Email), q(m.ID)),
				"two members with the address %s once normalised (emails compare case-insensitively)", q(om.Email))
		}
		if first, dup := ids[m.ID]; dup {
			return nil, unexpected(fmt.Sprintf("organization members %s and %s", q(first.Email), q(m.Email)), "two members with the id %s", q(m.ID))
		}
		emails[om.Email], ids[m.ID] = m, m
		om.Status = portal.StatusActive
		om.Owner = m.Role == LegacyOwner
		if om.Owner {
			owners = append(owners, om)
		}
		o.Members = append(o.Members, om)
	}
	invited := map[string]Invitation{}
	inviteIDs := map[string]Invitation{}
	for _, inv := range invitations {
		obj := fmt.Sprintf("organization invitation of %s (id %s)", q(inv.Email), q(inv.ID))
		om, err := read(obj, inv.ID, inv.Email, inv.Role, inv.RoleID, inv.RoleName)
		if err != nil {
			return nil, err
		}
		switch inv.InvitationStatus {
		case StatusPending:
			om.Status = portal.StatusPending
			// How long it waits is judged on the day it was sent
			// (max_pending_days): a day portalctl cannot read is not guessed.
			t, err := time.Parse(time.RFC3339, inv.CreatedAt)
			if err != nil {
				return nil, unexpected(obj, "a pending invitation whose created_at %s is not a date-time (RFC 3339), so portalctl cannot tell how long it has waited", q(inv.CreatedAt))
			}
			om.Invited = portal.DateOf(t)
		case StatusExpired:
			om.Status = portal.StatusExpired
		default:
			return nil, unexpected(obj, "invitation_status %s (portalctl knows %s and %s)", q(string(inv.InvitationStatus)), StatusPending, StatusExpired)
		}
		if inv.Role == LegacyOwner {
			return nil, unexpected(obj, "an invitation to the deprecated role OWNER: nobody is invited as the owner")
		}
		if first, dup := invited[om.Email]; dup {
			return nil, unexpected(fmt.Sprintf("organization invitations of %s (id %s) and %s (id %s)", q(first.Email), q(first.ID), q(inv.Email), q(inv.ID)),
				"two invitations of the address %s once normalised (emails compare case-insensitively)", q(om.Email))
		}
		if first, dup := inviteIDs[inv.ID]; dup {
			return nil, unexpected(fmt.Sprintf("organization invitations of %s and %s", q(first.Email), q(inv.Email)), "two invitations with the id %s", q(inv.ID))
		}
		invited[om.Email], inviteIDs[inv.ID] = inv, inv
		om.Inviter = inv.Inviter
		o.Members = append(o.Members, om)
	}
	if len(o.Members) > 0 {
		// An organization without anyone has no owner to protect (and never
		// exists for real: its owner is a member); reconcile refuses to
		// manage one.
		if err := checkOwner(o, owners); err != nil {
			return nil, err
		}
	}
	portal.SortOrgMembers(o.Members)
	return o, nil
}

// memberRole is the role of a member or invitation: by role_id, else by role_name
// (exactly), else by the deprecated enum; the fields given must agree (see agree).
func memberRole(o *portal.Org, obj string, legacy LegacyRole, roleID, roleName string) (portal.OrgRole, error) {
	r, err := namedRole(o, obj, legacy, roleID, roleName)
	if err != nil {
		return portal.OrgRole{}, err
	}
	if err := agree(obj, r, legacy, roleID, roleName); err != nil {
		return portal.OrgRole{}, err
	}
	return r, nil
}

// agree refuses role fields that disagree with the role r they name: a role_name
// beside a role_id that is not the name of that role, a deprecated role that is
// not r's. The enum names the default roles only (OWNER, ADMIN, DEVELOPER,
// VIEWER: Owner, Admin, DevOps, Viewer); for another role (Billing Manager, a
// custom one), which it cannot name, it may be absent or VIEWER, which the API
// puts in the field an invitation requires, and nothing else: OWNER beside a
// custom role named owner, or ADMIN beside Viewer, says another role than the
// one portalctl would read, and it does not guess which one is meant.
func agree(obj string, r portal.OrgRole, legacy LegacyRole, roleID, roleName string) error {
	if strings.TrimSpace(roleID) != "" && roleName != "" && roleName != r.Name {
		return unexpected(obj, "role fields that disagree: role_id %s is the role %s in /availableRole, but role_name says %s", q(roleID), q(r.Name), q(roleName))
	}
	if legacy == "" {
		return nil
	}
	from := "role_id " + q(roleID)
	if strings.TrimSpace(roleID) == "" {
		from = "role_name " + q(roleName)
	}
	want, named := LegacyOf(r.Name)
	switch {
	case named && legacy != want:
		return unexpected(obj, "role fields that disagree: %s is the role %s, but the deprecated role says %s (%s for %s)", from, q(r.Name), q(string(legacy)), want, q(r.Name))
	case !named && legacy != LegacyViewer:
		return unexpected(obj, "role fields that disagree: %s is the role %s, which the deprecated role cannot name, but the deprecated role says %s (VIEWER or none for such a role)", from, q(r.Name), q(string(legacy)))
	}
	return nil
}

// namedRole is the role a member's or an invitation's fields name, by role_id,
// else by role_name (exactly), else by the deprecated enum.
func namedRole(o *portal.Org, obj string, legacy LegacyRole, roleID, roleName string) (portal.OrgRole, error) {
	if id := strings.ToLower(strings.TrimSpace(roleID)); id != "" {
		r, ok := o.RoleByID(id)
		if !ok {
			return portal.OrgRole{}, unexpected(obj, "role id %s, which /availableRole does not list", q(roleID))
		}
		return r, nil
	}
	name, from := roleName, "role_name"
	if name == "" {
		name, _ = legacy.RoleName()
		from = "the deprecated role " + string(legacy)
	}
	if name == "" {
		return portal.OrgRole{}, unexpected(obj, "no role: no role_id, no role_name and no deprecated role")
	}
	for _, r := range o.Roles {
		if r.Name == name {
			return r, nil
		}
	}
	return portal.OrgRole{}, unexpected(obj, "role %s (from %s, without a role_id), which /availableRole does not list", q(name), from)
}

// checkOwner refuses an organization whose owner is not exactly one member, or in
// which anyone else holds the owner's role: portalctl never demotes, removes or
// makes an owner, so it must know who the owner is.
func checkOwner(o *portal.Org, owners []portal.OrgMember) error {
	switch len(owners) {
	case 0:
		return unexpected("the organization's member list", "no member is reported as the owner (the deprecated role OWNER): portalctl cannot tell whom it must never remove or demote")
	case 1:
	default:
		return unexpected(fmt.Sprintf("organization members %s and %s", q(owners[0].Email), q(owners[1].Email)), "both are reported as the owner (the deprecated role OWNER): an organization has one")
	}
	owner := owners[0]
	for _, m := range o.Members {
		if (m.Invitation() || m.ID != owner.ID) && m.RoleID == owner.RoleID {
			what := "member"
			if m.Invitation() {
				what = "invitation of"
			}
			return unexpected(fmt.Sprintf("organization %s %s (id %s)", what, q(m.Email), q(m.ID)),
				"holds the owner's role %s (id %s), but is not the owner %s", q(owner.Role), q(owner.RoleID), q(owner.Email))
		}
	}
	return nil
}
