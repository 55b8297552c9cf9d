// Package reconcile turns two models of a portal — what portal.yaml wants and what
// the portal holds — into an ordered plan with its access impact, checks the plan
// against the safety rails, and executes it.
//
// Who sees what is decided by package access; reconcile asks it. Diff and the rails
// are pure; the only I/O is in ReadLive and Apply, through small interfaces the
// caller satisfies. The plan file is package planfile's.
package reconcile

import (
	"fmt"
	"slices"
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

// actionOrder is the apply order: the portal's of docs/guarantees.md#apply-order-and-outcomes (invite, promote, ACL
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

	// ExpiredOn is why a member is removed (remove, org_remove,
	// org_cancel_invite): the file lists them with an expires date that has
	// passed. Zero for someone the file does not list.
	ExpiredOn portal.Date
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
		return fmt.Sprintf("remove %s (%s)%s", o.Email, o.Role, o.Reason())
	}
	return string(o.Action)
}

// Reason is why a member is removed, when the file says: ": expired on DATE".
func (o Op) Reason() string {
	if o.ExpiredOn.IsZero() {
		return ""
	}
	return ": expired on " + o.ExpiredOn.String()
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
	// Digest is the saved plan's digest (planfile.File), once read back.
	Digest string
	// Org says whether the plan manages the organization's members (whose
	// operations are among Ops, with the org_ actions).
	Org OrgScope
	// Expiries are the members whose expiry date the change adds, moves or
	// drops, comparing two files (offline): an expiry changes no one's access
	// until its day, so it is no operation.
	Expiries []ExpiryChange
}

// ExpiryChange is a member (or organization member) whose expires date differs
// between two files.
type ExpiryChange struct {
	Email string
	Org   bool // an organization member
	// From and To are the dates before and after; a zero one is none. Gone:
	// the entry itself is deleted, after it expired (From), as `portalctl
	// expire --write` does.
	From, To portal.Date
	Gone     bool
	// Passed: To has passed already, so the member is not wanted any more and
	// the plan removes them.
	Passed bool
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
	// Today is the day expiry is judged on: members (and organization members)
	// whose expires date is Today or earlier are not wanted, and those the
	// current state holds are removed with the reason "expired on DATE".
	// Offline, the current file's expired members are out of it too. Zero:
	// nobody expires.
	Today portal.Date
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
	if opts.Offline {
		p.Expiries = expiryChanges(desired, current, opts.Today)
	}
	// What the file wants today: its members whose access has not expired. The
	// plan keeps the file as written (Desired), dates included, so that apply
	// judges it again.
	expiredOn := expiredMembers(desired, opts.Today)
	wanted := desired.WithoutExpired(opts.Today)
	current = current.WithoutExpired(opts.Today) // a file (offline); the portal has no dates

	// The state after the plan: the file's members whose access has not
	// expired, the file's blueprints, and the portal's other blueprints as they
	// are. An expired member is out of it: what they saw is a loss.
	after := &portal.Config{Organization: p.Organization, Members: wanted.Members, Groups: desired.Groups}
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
		if !have.SameAccess(&b) {
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
	for _, m := range wanted.Members {
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
			p.Ops = append(p.Ops, Op{Action: Remove, Email: m.Email, MemberID: m.ID, Role: m.Role, ExpiredOn: expiredOn[m.Email]})
		}
	}
	ds = append(ds, diffOrg(p, desired, current, opts)...)
	sort.SliceStable(p.Ops, func(i, j int) bool { return actionOrder[p.Ops[i].Action] < actionOrder[p.Ops[j].Action] })
	p.Impact = access.ComputeImpact(curIx, afterIx)
	if !opts.Offline {
		p.Fingerprint = Fingerprint(current)
	}
	return p, ds
}

// expiredMembers maps the members of cfg whose access has expired on day today to
// their expires date.
func expiredMembers(cfg *portal.Config, today portal.Date) map[string]portal.Date {
	out := map[string]portal.Date{}
	for _, m := range cfg.Members {
		if m.Expired(today) {
			out[m.Email] = m.Expires
		}
	}
	return out
}

// expiryChanges lists the members, and organization members, of both files whose
// expires date differs, and the entries the head deletes after they expired.
func expiryChanges(head, base *portal.Config, today portal.Date) []ExpiryChange {
	if !hasDates(head) && !hasDates(base) {
		return nil // the common case: no maps of every email for nothing
	}
	var out []ExpiryChange
	compare := func(org bool, was map[string]portal.Date, now map[string]portal.Date, listed map[string]bool) {
		for email, to := range now {
			// An expiry moved into the past is shown too, with the removal it
			// causes (Passed).
			if from, ok := was[email]; ok && from != to {
				out = append(out, ExpiryChange{Email: email, Org: org, From: from, To: to, Passed: portal.Expired(to, today)})
			}
		}
		for email, from := range was {
			if !listed[email] && portal.Expired(from, today) {
				out = append(out, ExpiryChange{Email: email, Org: org, From: from, Gone: true})
			}
		}
	}
	dates := func(ms []portal.Member) (map[string]portal.Date, map[string]bool) {
		d, l := map[string]portal.Date{}, map[string]bool{}
		for _, m := range ms {
			d[m.Email], l[m.Email] = m.Expires, true
		}
		return d, l
	}
	was, _ := dates(base.Members)
	now, listed := dates(head.Members)
	compare(false, was, now, listed)
	if head.Org != nil && base.Org != nil {
		orgDates := func(ms []portal.OrgMember) (map[string]portal.Date, map[string]bool) {
			d, l := map[string]portal.Date{}, map[string]bool{}
			for _, m := range ms {
				d[m.Email], l[m.Email] = m.Expires, true
			}
			return d, l
		}
		was, _ := orgDates(base.Org.Members)
		now, listed := orgDates(head.Org.Members)
		compare(true, was, now, listed)
	}
	slices.SortFunc(out, func(a, b ExpiryChange) int {
		if a.Org != b.Org {
			if a.Org {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out
}

// hasDates reports whether any member or organization member of cfg has an
// expires date.
func hasDates(cfg *portal.Config) bool {
	for _, m := range cfg.Members {
		if !m.Expires.IsZero() {
			return true
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if !m.Expires.IsZero() {
				return true
			}
		}
	}
	return false
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
