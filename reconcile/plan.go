// Package reconcile turns two models of a portal — what portal.yaml wants and what
// the portal holds — into an ordered plan with its access impact, checks the plan
// against the safety rails, and executes it.
//
// Who sees what is decided by package access; reconcile asks it. Diff, the rails and
// the plan file are pure; the only I/O is in ReadLive and Apply, through small
// interfaces the caller satisfies.
package reconcile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// Action is what an operation does. The order of the constants is the apply order:
// people get access before anyone loses it, and nobody is demoted or removed until
// the new admins are in place.
type Action string

// The actions of a plan.
const (
	Invite    Action = "invite"
	Promote   Action = "promote"
	UpdateACL Action = "update_acl"
	Demote    Action = "demote"
	Remove    Action = "remove"
)

// actionOrder is the apply order: the portal's of SPEC §4 (invite, promote, ACL
// updates, demote, remove), inside the organization's: people join the
// organization (invitations, invitations sent again, role changes) before anything
// changes in the portal, and leave it (invitations cancelled, members removed) only
// once the portal's own changes, its removals included, are done.
var actionOrder = map[Action]int{
	OrgInvite: 0, OrgReinvite: 1, OrgChangeRole: 2,
	Invite: 3, Promote: 4, UpdateACL: 5, Demote: 6, Remove: 7,
	OrgCancelInvite: 8, OrgRemove: 9,
}

// Op is one change to the portal: one API request.
type Op struct {
	Action Action

	// Member operations.
	Email    string
	MemberID string      // promote, demote, remove
	Role     portal.Role // invite: the role; promote/demote: the new role; remove: the role held
	FromRole portal.Role // promote/demote

	// ACL operations.
	Blueprint   string
	BlueprintID string
	ETag        string        // the ACL version read while planning, sent as If-Match
	Rules       []portal.Rule // the whole new ACL (empty means open)
	Added       []portal.Rule
	Removed     []portal.Rule

	// Organization operations (the org_ actions). MemberID is the organization
	// member's id (org_change_role, org_remove).
	InviteID string // org_reinvite, org_cancel_invite: the invitation
	// OrgRole is the role given (org_invite, org_reinvite, org_change_role) or
	// held (org_cancel_invite, org_remove), by the organization's name for it;
	// OrgRoleID is its id (none offline).
	OrgRole, OrgRoleID string
	// FromOrgRole is the role held before (org_change_role, org_reinvite).
	FromOrgRole, FromOrgRoleID string
	// Expired: the invitation had expired (org_reinvite: it is sent again;
	// org_cancel_invite).
	Expired bool
}

// String describes the operation in a progress line.
func (o Op) String() string {
	if IsOrg(o.Action) {
		return orgString(o)
	}
	switch o.Action {
	case Invite:
		return fmt.Sprintf("invite %s as %s", o.Email, o.Role)
	case Promote, Demote:
		return fmt.Sprintf("%s %s from %s to %s", o.Action, o.Email, o.FromRole, o.Role)
	case UpdateACL:
		return fmt.Sprintf("update ACL of %s (+%d -%d rules)", o.Blueprint, len(o.Added), len(o.Removed))
	case Remove:
		return fmt.Sprintf("remove %s (%s)", o.Email, o.Role)
	}
	return string(o.Action)
}

// Unmanaged is a blueprint of the portal that portal.yaml does not mention.
type Unmanaged struct {
	Name string
	Open bool
}

// Plan is the ordered list of changes that makes the portal match the file, with
// their access impact.
type Plan struct {
	Organization string
	Ops          []Op
	Impact       access.Impact
	Unmanaged    []Unmanaged
	// Fingerprint identifies the live state the plan was computed from; apply of a
	// saved plan refuses to run when the portal has changed since.
	Fingerprint string
	// Desired is the state the plan was computed from: the file's members and
	// managed blueprints. A saved plan carries it, so that apply can compute the
	// plan again and refuse operations that do not follow from it.
	Desired *portal.Config
	// Digest is the saved plan's digest (see PlanJSON.Seal), once read back.
	Digest string
	// Org says whether the plan manages the organization's members (whose
	// operations are among Ops, with the org_ actions).
	Org OrgScope
}

// Count returns how many operations of an action the plan holds.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, o := range p.Ops {
		if o.Action == a {
			n++
		}
	}
	return n
}

// Empty reports whether applying the plan would change nothing.
func (p *Plan) Empty() bool { return len(p.Ops) == 0 }

// DiffOptions tune Diff.
type DiffOptions struct {
	// Offline compares two versions of a file (preview): a blueprint in the desired
	// file but not the current one is newly managed rather than unknown.
	Offline bool
}

// Diff computes the plan that turns current into desired. desired is the file;
// current is the live portal (or, offline, the file at the base revision). Problems
// the user must fix in the file, such as a blueprint the portal does not have, are
// returned as diagnostics at the blueprint's line.
func Diff(desired, current *portal.Config, opts DiffOptions) (*Plan, diag.List) {
	var ds diag.List
	p := &Plan{Organization: desired.Organization, Desired: desired}
	if p.Organization == "" {
		p.Organization = current.Organization
	}
	// The state after the plan: the file's members, the file's blueprints, and the
	// portal's other blueprints as they are.
	after := &portal.Config{Organization: p.Organization, Members: desired.Members, Groups: desired.Groups}
	managed := map[string]bool{}
	var names []string
	for _, b := range current.Blueprints {
		names = append(names, b.Name)
	}
	curIx := access.NewIndex(current)
	for _, b := range desired.Blueprints {
		managed[b.Name] = true
		have, ok := curIx.Blueprint(b.Name)
		if !ok {
			if !opts.Offline {
				hint := "register it in the portal first, or fix the name"
				if c := suggest.Closest(b.Name, names, 3); len(c) > 0 {
					hint = fmt.Sprintf("did you mean %s? (the portal has no blueprint %q)", quoteAll(c), b.Name)
				}
				ds.Add(b.Pos, diag.Error, "unknown-blueprint", fmt.Sprintf("blueprint %q is not in the portal", b.Name), hint)
			}
			after.Blueprints = append(after.Blueprints, b)
			continue
		}
		nb := b
		nb.ID, nb.Description, nb.ETag = have.ID, have.Description, have.ETag
		after.Blueprints = append(after.Blueprints, nb)
		if !access.SameAccess(have, &b) {
			added, removed := access.RuleDiff(have.Rules, b.Rules)
			p.Ops = append(p.Ops, Op{
				Action: UpdateACL, Blueprint: b.Name, BlueprintID: have.ID, ETag: have.ETag,
				Rules: b.Rules, Added: added, Removed: removed,
			})
		}
	}
	for _, b := range current.Blueprints {
		if !managed[b.Name] {
			p.Unmanaged = append(p.Unmanaged, Unmanaged{Name: b.Name, Open: b.Open})
			after.Blueprints = append(after.Blueprints, b)
		}
	}
	after.Sort()
	afterIx := access.NewIndex(after)

	// Members: the two indexes answer who is where, so no other map of every
	// email is built.
	for _, m := range desired.Members {
		have, ok := curIx.Member(m.Email)
		switch {
		case !ok:
			p.Ops = append(p.Ops, Op{Action: Invite, Email: m.Email, Role: m.Role})
		case have.Role != m.Role:
			a := Promote
			if m.Role != portal.RoleAdmin {
				a = Demote
			}
			p.Ops = append(p.Ops, Op{Action: a, Email: m.Email, MemberID: have.ID, Role: m.Role, FromRole: have.Role})
		}
	}
	for _, m := range current.Members {
		if !afterIx.IsMember(m.Email) {
			p.Ops = append(p.Ops, Op{Action: Remove, Email: m.Email, MemberID: m.ID, Role: m.Role})
		}
	}
	ds = append(ds, diffOrg(p, desired, current, opts.Offline)...)
	sort.SliceStable(p.Ops, func(i, j int) bool { return actionOrder[p.Ops[i].Action] < actionOrder[p.Ops[j].Action] })
	p.Impact = access.ComputeImpact(curIx, afterIx)
	if !opts.Offline {
		p.Fingerprint = Fingerprint(current)
	}
	return p, ds
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Simulate returns the state live would be in once ops are applied: the portal as
// the plan leaves it. Each operation acts where its request would: role changes and
// removals on the member with its member id, ACL updates on the blueprint with its
// blueprint id, whatever email or name the operation shows. The rails count admins
// on this result.
func Simulate(live *portal.Config, ops []Op) *portal.Config {
	out := &portal.Config{Version: live.Version, Organization: live.Organization, Groups: live.Groups}
	out.Members = append(out.Members, live.Members...)
	byID := make(map[string]int, len(live.Members))
	emails := make(map[string]bool, len(live.Members))
	for i, m := range out.Members {
		if m.ID != "" {
			byID[m.ID] = i
		}
		emails[m.Email] = true
	}
	removed := map[int]bool{}
	acl := map[string]Op{}
	for _, o := range ops {
		switch o.Action {
		case Invite:
			// The portal refuses to invite someone who is already a member.
			if !emails[o.Email] {
				emails[o.Email] = true
				out.Members = append(out.Members, portal.Member{Email: o.Email, Role: o.Role, Status: portal.StatusPending})
			}
		case Promote, Demote:
			if i, ok := byID[o.MemberID]; ok {
				out.Members[i].Role = o.Role
			}
		case Remove:
			if i, ok := byID[o.MemberID]; ok {
				removed[i] = true
			}
		case UpdateACL:
			acl[o.BlueprintID] = o
		}
	}
	kept := out.Members[:0]
	for i, m := range out.Members {
		if !removed[i] {
			kept = append(kept, m)
		}
	}
	out.Members = kept
	for _, b := range live.Blueprints {
		if o, ok := acl[b.ID]; ok && b.ID != "" {
			b.Rules = append([]portal.Rule(nil), o.Rules...)
			b.Open = len(b.Rules) == 0
		}
		out.Blueprints = append(out.Blueprints, b)
	}
	out.Sort()
	return out
}
