package reconcile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// Rails are the limits apply refuses to cross without being told to.
//
// The removals of the portal and of the organization are counted together against
// MaxRemovals: every member removed from the portal, every member removed from the
// organization and every invitation cancelled counts one (someone leaving both
// counts twice: the rail errs on the side of stopping). MaxRemovalPercent applies
// to each apart, against its own size: the portal's removals against the portal's
// members, the organization's against its members and invitations, so that a small
// organization beside a large portal is protected as well.
type Rails struct {
	MaxRemovals       int // removals in one run, portal and organization together (default 5)
	MaxRemovalPercent int // of the portal's members, and of the organization's (default 25)
}

// The default limits.
const (
	DefaultMaxRemovals       = 5
	DefaultMaxRemovalPercent = 25
)

// ErrRefused marks a plan a safety rail stopped.
var ErrRefused = errors.New("refused")

// ErrStale marks a saved plan whose live state changed since it was made.
var ErrStale = errors.New("the portal changed since the plan was made")

// Refusal is one rail a plan trips: what trips it, and what would pass it.
type Refusal struct {
	// Rail names it: last-admin, owner, required-admin, max-removals,
	// max-removal-percent.
	Rail string
	// Message says what trips it; Pass, the flag or the edit that passes it.
	Message, Pass string
}

// Error is the refusal as apply reports it.
func (r Refusal) Error() string {
	if r.Pass == "" {
		return fmt.Sprintf("%s: %s", ErrRefused, r.Message)
	}
	return fmt.Sprintf("%s: %s; %s", ErrRefused, r.Message, r.Pass)
}

// Unwrap makes a refusal an ErrRefused.
func (r Refusal) Unwrap() error { return ErrRefused }

// Check refuses a plan that would leave the live portal without an active admin,
// touch the organization's owner, remove or demote a required admin, or remove
// more members than the rails allow: it returns the first of Refusals. Each
// refusal names the flag that overrides it; none overrides the last admin, the
// owner or a required admin.
func (r Rails) Check(p *Plan, live *portal.Config) error {
	if rs := r.Refusals(p, live); len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// Refusals are every rail the plan trips against live, in the order Check judges
// them. The operations are judged as they will execute: by member id, the id each
// request carries, whatever email an operation shows. The policy's
// required_admins are read from the plan's desired state (Plan.Desired), the
// state being applied. live may also be a file
// standing in for the portal (preview: "if the portal matches the base"): its
// members, who carry no id, are known by email, and count as signed in.
func (r Rails) Refusals(p *Plan, live *portal.Config) []Refusal {
	var out []Refusal
	if ref, ok := lastAdmin(live, p.Ops); ok {
		out = append(out, ref)
	}
	out = append(out, ownerRefusals(p.Ops, live)...)
	out = append(out, requiredAdmins(p, live)...)
	portalN, orgN := removedMembers(p.Ops), orgRemovals(p.Ops)
	if total := portalN + orgN; total > r.MaxRemovals {
		what := countNoun(portalN, "member")
		switch {
		case orgN > 0 && portalN > 0:
			what = fmt.Sprintf("%d (%s of the portal, %s of the organization)", total, countNoun(portalN, "member"), countNoun(orgN, "member or invitation", "members or invitations"))
		case orgN > 0:
			what = countNoun(orgN, "organization member or invitation", "organization members or invitations")
		}
		out = append(out, Refusal{Rail: "max-removals",
			Message: fmt.Sprintf("the plan removes %s, more than `--max-removals=%d`", what, r.MaxRemovals),
			Pass:    fmt.Sprintf("check the file, then re-run with `--max-removals=%d` if this is intended", total)})
	}
	if ref, ok := r.percent(portalN, len(live.Members), "members"); ok {
		out = append(out, ref)
	}
	if live.Org != nil {
		if ref, ok := r.percent(orgN, len(live.Org.Members), "organization members and invitations"); ok {
			out = append(out, ref)
		}
	}
	return out
}

// percent is the refusal of removing more than MaxRemovalPercent of the n things
// named, if the removals do.
func (r Rails) percent(removals, n int, things string) (Refusal, bool) {
	if removals == 0 || n == 0 || removals*100 <= n*r.MaxRemovalPercent {
		return Refusal{}, false
	}
	pct := (removals*100 + n - 1) / n
	return Refusal{Rail: "max-removal-percent",
		Message: fmt.Sprintf("the plan removes %d of %d %s (%d%%), more than `--max-removal-percent=%d`", removals, n, things, pct, r.MaxRemovalPercent),
		Pass:    fmt.Sprintf("check the file, then re-run with `--max-removal-percent=%d` if this is intended", pct)}, true
}

// countNoun is "1 member", "3 members"; many defaults to one+"s".
func countNoun(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	word := one + "s"
	if len(many) > 0 {
		word = many[0]
	}
	return fmt.Sprintf("%d %s", n, word)
}

// subject is who an operation on a member acts on: the member id the request
// carries, or, where there is none (a file standing in for the portal), the email.
func subject(id, email string) string {
	if id != "" {
		return "id " + id
	}
	return "email " + email
}

// removedMembers counts the distinct members the removals of ops remove.
func removedMembers(ops []Op) int {
	ids := map[string]bool{}
	for _, o := range ops {
		if o.Action == Remove {
			ids[subject(o.MemberID, o.Email)] = true
		}
	}
	return len(ids)
}

// activeAdmins are the members of cfg who are admins and have signed in. A file's
// members carry no status: standing in for the portal, they count as signed in.
func activeAdmins(cfg *portal.Config) []portal.Member {
	var out []portal.Member
	for _, m := range cfg.Members {
		if m.Role == portal.RoleAdmin && (m.Status == portal.StatusActive || m.Status == "" && m.ID == "") {
			out = append(out, m)
		}
	}
	return out
}

// adminsAfter counts the active admins the portal has once ops are applied to
// live, and names its pending admins, exactly as activeAdmins(Simulate(live, ops))
// would (Simulate, the package tests' oracle, holds the two together): each member operation acts on the member
// its request names, the last role given wins, a removal removes, and an
// invitation of someone who is not a member yet makes a pending member.
func adminsAfter(live *portal.Config, ops []Op) (active int, pending []string) {
	type after struct {
		role    portal.Role
		set     bool
		removed bool
	}
	changed := map[string]after{}
	members := make(map[string]bool, len(live.Members))
	for _, m := range live.Members {
		members[m.Email] = true
	}
	invited := map[string]bool{}
	for _, o := range ops {
		switch o.Action {
		case Promote, Demote:
			k := subject(o.MemberID, o.Email)
			a := changed[k]
			a.role, a.set = o.Role, true
			changed[k] = a
		case Remove:
			k := subject(o.MemberID, o.Email)
			a := changed[k]
			a.removed = true
			changed[k] = a
		case Invite:
			if !members[o.Email] && !invited[o.Email] {
				invited[o.Email] = true
				if o.Role == portal.RoleAdmin {
					pending = append(pending, o.Email)
				}
			}
		}
	}
	for _, m := range live.Members {
		if a, ok := changed[subject(m.ID, m.Email)]; ok {
			if a.removed {
				continue
			}
			if a.set {
				m.Role = a.role
			}
		}
		if m.Role != portal.RoleAdmin {
			continue
		}
		switch {
		case m.Status == portal.StatusActive || m.Status == "" && m.ID == "":
			active++
		case m.Status == portal.StatusPending:
			pending = append(pending, m.Email)
		}
	}
	slices.Sort(pending)
	return active, slices.Compact(pending)
}

// lastAdmin is the refusal of ops that would remove or demote the portal's last
// active admins: a portal whose admins are all invitations has nobody who can sign
// in and administer it. A portal without an active admin to start with is not
// refused: the plan removes none, and refusing would lock out the very fix
// (promoting a member who has signed in).
func lastAdmin(live *portal.Config, ops []Op) (Refusal, bool) {
	before := activeAdmins(live)
	if len(before) == 0 {
		return Refusal{}, false
	}
	// Only the members matter: adminsAfter plays the member operations as the
	// tests' Simulate does, without copying the blueprints.
	active, pending := adminsAfter(live, ops)
	if active > 0 {
		return Refusal{}, false
	}
	lost := make([]string, len(before))
	for i, m := range before {
		lost[i] = m.Email
	}
	who := fmt.Sprintf("removes or demotes %s, the portal's last active admin", lost[0])
	if len(lost) > 1 {
		who = fmt.Sprintf("removes or demotes every active admin of the portal (%s)", strings.Join(lost, ", "))
	}
	note := ""
	if len(pending) > 0 {
		note = fmt.Sprintf("; pending admins (%s) do not count until they sign in", strings.Join(pending, ", "))
	}
	return Refusal{Rail: "last-admin",
		Message: fmt.Sprintf("the plan would leave the portal with no admin: it %s%s", who, note),
		Pass:    "keep `role: admin` on a member who has signed in, and remove the old admin once the new one has"}, true
}

// requiredAdmins are the refusals of the removals and demotions that act on an
// admin the desired state's policy requires (required_admins, see
// docs/guarantees.md): one per operation, whose subject is the live member its
// request names by id, and also the email it shows, so that neither a plan that
// shows another email nor one whose id is not bound passes. No flag passes it:
// the policy in the file must change first.
func requiredAdmins(p *Plan, live *portal.Config) []Refusal {
	if p.Desired == nil || !p.Desired.Policy.Has(portal.PolicyRequiredAdmins) {
		return nil
	}
	policy := p.Desired.Policy
	byID := make(map[string]string, len(live.Members))
	for _, m := range live.Members {
		if m.ID != "" {
			byID[m.ID] = m.Email
		}
	}
	at := policy.Set[portal.PolicyRequiredAdmins]
	var out []Refusal
	for _, o := range p.Ops {
		if o.Action != Remove && o.Action != Demote {
			continue
		}
		who := o.Email
		if e, ok := byID[o.MemberID]; ok && policy.RequiresAdmin(e) {
			who = e
		} else if !policy.RequiresAdmin(o.Email) {
			continue
		}
		verb := "removes"
		if o.Action == Demote {
			verb = "demotes"
		}
		id := "" // a file standing in for the portal (preview) has no ids
		if o.MemberID != "" {
			id = fmt.Sprintf(" (member id %q)", o.MemberID)
		}
		out = append(out, Refusal{Rail: "required-admin",
			Message: fmt.Sprintf("the plan %s %s%s, whom the policy's required_admins (%s) requires to stay an admin of the portal", verb, who, id, at),
			Pass:    fmt.Sprintf("no flag passes this: to %s them, first remove %s from required_admins in the file's policy, then plan again", strings.TrimSuffix(verb, "s"), who)})
	}
	return out
}

// Bind checks that every operation acts on the live object it says it does, as the
// request will: a member operation's id exists, belongs to the email shown, and holds
// the role the operation starts from; an ACL update's blueprint id exists under the
// name shown, at the ACL version read; an invitation's email is not a member yet; and
// no member or blueprint is the subject of two operations. Any disagreement refuses
// the whole plan, before anything is sent.
func Bind(p *Plan, live *portal.Config) error {
	byID := make(map[string]portal.Member, len(live.Members))
	byEmail := make(map[string]portal.Member, len(live.Members))
	for _, m := range live.Members {
		byID[m.ID] = m
		byEmail[m.Email] = m
	}
	bps := make(map[string]portal.Blueprint, len(live.Blueprints))
	for _, b := range live.Blueprints {
		bps[b.ID] = b
	}
	var org *orgLive
	subject := map[string]int{} // member id, invited email or blueprint id → operation
	refuse := func(i int, o Op, format string, args ...any) error {
		return fmt.Errorf("%w: operation %d (%s) %s: the plan does not match the portal; run plan again",
			ErrRefused, i+1, quoteOp(o), fmt.Sprintf(format, args...))
	}
	for i, o := range p.Ops {
		var key string
		switch o.Action {
		case Invite:
			if m, ok := byEmail[o.Email]; ok {
				return refuse(i, o, "invites %q, who is already a member (id %q)", o.Email, m.ID)
			}
			key = "email " + o.Email
		case Promote, Demote, Remove:
			m, ok := byID[o.MemberID]
			switch {
			case !ok || o.MemberID == "":
				return refuse(i, o, "names member id %q, which the portal does not have", o.MemberID)
			case m.Email != o.Email:
				return refuse(i, o, "sends member id %q, which is %q in the portal, not %q", o.MemberID, m.Email, o.Email)
			case o.Action != Remove && m.Role != o.FromRole:
				return refuse(i, o, "expects %q to be %s, but the portal has them as %s", o.Email, o.FromRole, m.Role)
			case o.Action == Remove && m.Role != o.Role:
				return refuse(i, o, "shows %q as %s, but the portal has them as %s", o.Email, o.Role, m.Role)
			}
			key = "member " + o.MemberID
		case UpdateACL:
			b, ok := bps[o.BlueprintID]
			switch {
			case !ok || o.BlueprintID == "":
				return refuse(i, o, "names blueprint id %q, which the portal does not have", o.BlueprintID)
			case b.Name != o.Blueprint:
				return refuse(i, o, "sends blueprint id %q, which is %q in the portal, not %q", o.BlueprintID, b.Name, o.Blueprint)
			case b.ETag != o.ETag:
				return refuse(i, o, "was planned on version %q of the ACL of %q; the portal holds version %q", o.ETag, o.Blueprint, b.ETag)
			}
			key = "blueprint " + o.BlueprintID
		case OrgInvite, OrgReinvite, OrgChangeRole, OrgCancelInvite, OrgRemove:
			if org == nil {
				org = newOrgLive(live.Org)
			}
			var why string
			if key, why = org.bind(o); why != "" {
				return refuse(i, o, "%s", why)
			}
		default:
			return refuse(i, o, "has the unknown action %q", o.Action)
		}
		if j, dup := subject[key]; dup {
			return refuse(i, o, "acts on the same %s as operation %d", key, j+1)
		}
		subject[key] = i
	}
	return nil
}

// Recheck is the check of a saved plan against the portal as it is now, after its
// digest and signature passed: the live state must be the one the plan was made
// from (the fingerprint), and the plan's operations must be exactly those its
// desired state gives against that live state. It returns the plan recomputed from
// the live state, whose impact and unmanaged blueprints are the portal's own, not
// the file's.
//
// Expiry is judged on today, the day apply runs, as plan judged it on its own
// day: a member whose access expired in between gives a removal the plan does
// not hold, and the plan is refused (ErrExpiredSincePlan) rather than applied as
// if their access had not ended.
func Recheck(saved *Plan, live *portal.Config, today portal.Date) (*Plan, error) {
	if fp := Fingerprint(live); fp != saved.Fingerprint {
		return nil, ErrStale
	}
	if saved.Desired == nil {
		return nil, fmt.Errorf("%w: the plan holds no desired state: run plan again", ErrRefused)
	}
	fresh, ds := Diff(saved.Desired, live, DiffOptions{Today: today})
	if ds.HasErrors() {
		return nil, fmt.Errorf("%w: the plan's desired state does not fit the portal (%s): run plan again", ErrRefused, ds[0].Message)
	}
	if err := expiredSince(saved.Ops, fresh.Ops, today); err != nil {
		return nil, err
	}
	n := max(len(saved.Ops), len(fresh.Ops))
	for i := range n {
		switch {
		case i >= len(fresh.Ops):
			return nil, fmt.Errorf("%w: operation %d (%s) does not follow from the plan's desired state: the plan was edited; run plan again",
				ErrRefused, i+1, quoteOp(saved.Ops[i]))
		case i >= len(saved.Ops):
			return nil, fmt.Errorf("%w: the plan lacks %s, which its desired state requires: the plan was edited; run plan again",
				ErrRefused, quoteOp(fresh.Ops[i]))
		case !sameOp(saved.Ops[i], fresh.Ops[i]):
			return nil, fmt.Errorf("%w: operation %d (%s) does not follow from the plan's desired state, which gives %s: the plan was edited; run plan again",
				ErrRefused, i+1, quoteOp(saved.Ops[i]), quoteOp(fresh.Ops[i]))
		}
	}
	fresh.Organization = saved.Organization
	fresh.Fingerprint = saved.Fingerprint
	fresh.Digest = saved.Digest
	return fresh, nil
}

// ErrExpiredSincePlan marks a saved plan that someone's expiry overtook: their
// access ended after the plan was made, so the plan lacks their removal.
var ErrExpiredSincePlan = fmt.Errorf("%w: an access expired since the plan was made", ErrRefused)

// expiredSince refuses a saved plan when today's plan removes, for expiry,
// someone the saved plan does not remove.
func expiredSince(saved, fresh []Op, today portal.Date) error {
	held := map[string]bool{}
	for _, o := range saved {
		held[string(o.Action)+" "+o.Email] = true
	}
	for _, o := range fresh {
		if !o.ExpiredOn.IsZero() && !held[string(o.Action)+" "+o.Email] {
			return fmt.Errorf("%w: %s's access expired on %s, after the plan was made, and the plan does not %s; run plan again (today is %s)",
				ErrExpiredSincePlan, o.Email, o.ExpiredOn, removeWhat(o), today)
		}
	}
	return nil
}

func removeWhat(o Op) string {
	switch o.Action {
	case OrgRemove:
		return "remove them from the organization"
	case OrgCancelInvite:
		return "cancel their organization invitation"
	}
	return "remove them"
}

// quoteOp describes an operation in a message, with every value from the plan
// file or the portal quoted so that control characters show as escapes.
func quoteOp(o Op) string {
	if IsOrg(o.Action) {
		return quoteOrgOp(o)
	}
	switch o.Action {
	case Invite:
		return fmt.Sprintf("invite %q as %q", o.Email, o.Role)
	case Promote, Demote:
		return fmt.Sprintf("%s %q (member id %q) from %q to %q", o.Action, o.Email, o.MemberID, o.FromRole, o.Role)
	case Remove:
		if !o.ExpiredOn.IsZero() {
			return fmt.Sprintf("remove %q (member id %q), expired on %s", o.Email, o.MemberID, o.ExpiredOn)
		}
		return fmt.Sprintf("remove %q (member id %q)", o.Email, o.MemberID)
	case UpdateACL:
		return fmt.Sprintf("update the ACL of %q (blueprint id %q)", o.Blueprint, o.BlueprintID)
	}
	return fmt.Sprintf("%q", o.Action)
}
