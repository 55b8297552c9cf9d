package report

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// ReportVersion is the version of the JSON report (`plan -o json`, `preview -o
// json`). Fields are only added within a version; one that changes meaning or goes
// away bumps it. Version 3 is the report of docs/report.md: alerts first, rule
// changes as written in the file, one model for plan and preview.
const ReportVersion = 3

// Report is what a reviewer reads about a change of access, built once from a plan
// and rendered as markdown (the pull-request comment, the step summary and
// `plan -o markdown`), text (`plan`, `preview -o text`) or JSON. Its parts come in
// the order a reviewer who reads for ten seconds needs them: the summary; the
// alerts (blueprints opened to everyone, what apply will refuse, admin changes,
// problems the change introduces, policy changes, the organization changed); an
// index of the blueprints whose rules change, riskiest first, with the rule changes
// as written; who loses access, by person; the member changes; the organization's;
// the effects of member changes on blueprints whose rules stay; the rule diff; the
// blueprints left alone; where it comes from.
//
// A file that does not validate yields a report that holds only its Validation.
type Report struct {
	Version int `json:"report_version"`
	// Kind is "preview" (two revisions of the file) or "plan" (the file against
	// the live portal).
	Kind string `json:"kind"`
	// Title heads the report; empty for the default of its kind.
	Title   string  `json:"title,omitempty"`
	Summary Summary `json:"summary"`
	Alerts  Alerts  `json:"alerts"`
	// Index has one row per blueprint whose rules change, riskiest first.
	Index []IndexRow `json:"index"`
	// Losses says who loses access to what because rules change, by person;
	// people whose loss reads the same (same blueprints, same rules) share one.
	Losses  []Loss        `json:"losses"`
	Members MemberChanges `json:"member_changes"`
	// Expiries are the expiry dates the change adds, moves or drops, and the
	// entries it deletes once expired.
	Expiries []Expiry `json:"expiry_changes"`
	// Organization are the changes of the Qovery organization's own members,
	// apart from the portal's; nil when the file leaves them alone.
	Organization *OrgChanges `json:"organization_changes,omitempty"`
	// Effects are what joining or leaving members gain or lose on blueprints whose
	// rules do not change, one entry per member.
	Effects []Effect `json:"member_effects"`
	// Unmanaged are blueprints the file leaves alone.
	Unmanaged []Unmanaged `json:"unmanaged"`
	// Provenance says what a preview compared; Plan, what a plan read.
	Provenance *Provenance `json:"provenance,omitempty"`
	Plan       *PlanSource `json:"plan,omitempty"`
	// Operations are the requests apply would send, in apply order (plan -o
	// json), as the plan file writes them.
	Operations []reconcile.OpJSON `json:"operations,omitempty"`
	Validation *Validation        `json:"validation,omitempty"`
}

// The kinds of report.
const (
	KindPreview = "preview"
	KindPlan    = "plan"
)

// Summary counts what changes.
type Summary struct {
	NoChanges   bool `json:"no_changes"`
	Gain        int  `json:"members_gaining_access"`
	Lose        int  `json:"members_losing_access"`
	Opened      int  `json:"blueprints_becoming_open"`
	RuleChanges int  `json:"blueprints_with_rule_changes"`
	Invitations int  `json:"invitations"`
	Promotions  int  `json:"promotions"`
	Demotions   int  `json:"demotions"`
	Removals    int  `json:"removals"`
	// OrgChanges counts the changes of the organization's members.
	OrgChanges int `json:"organization_changes,omitempty"`
	// ExpiryChanges counts Expiries.
	ExpiryChanges int `json:"expiry_changes,omitempty"`
	// Refusals counts the rails apply would refuse the change on.
	Refusals int `json:"apply_refusals,omitempty"`
}

// Alerts are what a reviewer must not miss, in the order they are shown.
type Alerts struct {
	// Opened lists every blueprint that becomes open to every member.
	Opened []string `json:"opened"`
	// Refusals are the rails apply would stop at, each with what would pass it:
	// for a preview, if the portal matches the base revision.
	Refusals []Refusal `json:"apply_will_refuse"`
	// Admins are the changes of who administers the portal and the
	// organization, by name: removals and demotions first.
	Admins []AdminChange `json:"admin_changes"`
	// Problems are the lint warnings and policy findings on the entries the
	// change adds or edits (the file's older ones are not the change's).
	Problems []Problem `json:"problems_introduced"`
	// Policy are the changes of the file's policy: section, item by item,
	// loosened first.
	Policy []PolicyChange `json:"policy_changes"`
	// Ownership are the changes of the root file's codeowners: and include:
	// section: who may approve what (see OwnershipChanges).
	Ownership []OwnershipChange `json:"ownership_changed,omitempty"`
	// Reviews are what the change does to the blueprints' access reviews
	// (see ReviewChanges).
	Reviews []ReviewChange `json:"review_changes,omitempty"`
	// Organization is set when the change moves the file to another
	// organization.
	Organization *OrganizationChange `json:"organization_changed,omitempty"`
}

func (a Alerts) any() bool {
	return len(a.Opened)+len(a.Refusals)+len(a.Admins)+len(a.Problems)+len(a.Policy)+len(a.Ownership)+len(a.Reviews) > 0 || a.Organization != nil
}

// Refusal is one rail apply would refuse the change on.
type Refusal struct {
	// Rail names it: last-admin, owner, max-removals, max-removal-percent
	// (see reconcile.Refusal), policy.
	Rail string `json:"rail"`
	// Message says what trips it; Pass, what would pass it (a flag or an edit).
	Message string `json:"message"`
	Pass    string `json:"pass,omitempty"`
	// Problems are the file's violations of its policy (rail policy).
	Problems []Problem `json:"problems,omitempty"`
}

// AdminChange is a change of who administers the portal or the organization.
type AdminChange struct {
	Email string `json:"email"`
	// Scope is "portal" or "organization".
	Scope string `json:"scope"`
	// Change is "removed", "demoted", "promoted", "invited", "invitation
	// cancelled", "invited again" or "role changed".
	Change string `json:"change"`
	// From and To are the roles before and after, when they apply.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// losing reports whether the change takes administration away.
func (a AdminChange) losing() bool {
	switch a.Change {
	case "removed", "demoted", "invitation cancelled":
		return true
	case "role changed":
		return adminRole(a.From) && !adminRole(a.To) || portal.IsOwner(a.From)
	}
	return false
}

// Gaining reports whether the change gives administration: labels flag it.
func (a AdminChange) Gaining() bool {
	switch a.Change {
	case "promoted", "invited", "invited again":
		return true
	case "role changed":
		return adminRole(a.To) && !adminRole(a.From)
	}
	return false
}

// BreaksPolicy reports whether the file breaks its policy, which apply refuses.
func (r *Report) BreaksPolicy() bool {
	return slices.ContainsFunc(r.Alerts.Refusals, func(x Refusal) bool { return x.Rail == "policy" })
}

// OrganizationChange is the file moving to another organization.
type OrganizationChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// IndexRow is one blueprint whose rules change.
type IndexRow struct {
	Blueprint string `json:"blueprint"`
	// Before and After count the members who see the blueprint; null when unknown
	// (a blueprint the base revision did not manage).
	Before       *int `json:"audience_before"`
	After        *int `json:"audience_after"`
	Gain         int  `json:"gain"`
	Loss         int  `json:"loss"`
	WasOpen      bool `json:"was_open"`
	Open         bool `json:"open"`
	BecomesOpen  bool `json:"becomes_open"`
	NewlyManaged bool `json:"newly_managed,omitempty"`
	// Changes are the rule changes as written in the file, the ones that cause
	// losses first.
	Changes []RuleEdit `json:"rule_changes"`
}

// RuleEdit is one rule change as the file writes it: a domain, an email or a group.
type RuleEdit struct {
	// Change is "removed", "changed" (a group whose emails change) or "added".
	Change string `json:"change"`
	// Kind is "domain", "email" or "group".
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Members counts the members the rule grants (added) or granted (removed),
	// or for a changed group those of its emails added.
	Members int `json:"members"`
	// EmailsAdded and EmailsRemoved are a changed group's emails that come and
	// go.
	EmailsAdded   []string `json:"emails_added,omitempty"`
	EmailsRemoved []string `json:"emails_removed,omitempty"`
}

// Loss is one or more members who keep their membership but lose the same
// blueprints through the same rules.
type Loss struct {
	Emails     []string `json:"emails"`
	Blueprints []string `json:"blueprints"`
	// Had are the rules that granted the access, as "domain company.com",
	// "email bob@company.com", "group contractors" or "open access".
	Had []string `json:"had"`
}

// MemberChanges are the invitations, role changes and removals.
type MemberChanges struct {
	Invitations []Invitation `json:"invitations"`
	Promotions  []RoleChange `json:"promotions"`
	Demotions   []RoleChange `json:"demotions"`
	Removals    []Removal    `json:"removals"`
}

// Invitation is a member invited to the portal.
type Invitation struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Sees counts the blueprints the member will see.
	Sees int `json:"blueprints"`
	// Expires is the day the member's access ends, YYYY-MM-DD, if the file
	// gives one.
	Expires string `json:"expires,omitempty"`
}

// RoleChange is a member whose role changes.
type RoleChange struct {
	Email string `json:"email"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Removal is a member removed from the portal.
type Removal struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Loses counts the blueprints the member saw.
	Loses int `json:"blueprints_lost"`
	// ExpiredOn is why: the file lists the member with this expires date,
	// YYYY-MM-DD, which has passed. Empty for someone the file does not list.
	ExpiredOn string `json:"expired_on,omitempty"`
}

// Expiry is a member whose expiry date the change adds, moves or drops, or whose
// entry it deletes once expired.
type Expiry struct {
	Email string `json:"email"`
	// Organization: an organization member's entry.
	Organization bool `json:"organization,omitempty"`
	// From and To are the dates before and after, YYYY-MM-DD; empty is none.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Passed: To has passed already, so the change removes them (see the
	// member changes).
	Passed bool `json:"passed,omitempty"`
	// Deleted: the entry is deleted from the file after it expired (From).
	Deleted bool `json:"deleted,omitempty"`
}

// Effect is what a joining or leaving member gains or loses on blueprints whose
// rules do not change.
type Effect struct {
	Email string `json:"email"`
	// Change is "invited" or "removed".
	Change     string   `json:"change"`
	Blueprints []string `json:"blueprints"`
}

// Unmanaged is a blueprint the file does not mention, left alone.
type Unmanaged struct {
	Name string `json:"name"`
	Open bool   `json:"open"`
}

// PlanSource says what a plan read: the file, and the portal at a moment.
type PlanSource struct {
	File         string    `json:"file"`
	Organization string    `json:"organization"`
	APIURL       string    `json:"api_url,omitempty"`
	At           time.Time `json:"at"`
	// Fingerprint identifies the live state the plan was computed from.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Options are what a report needs besides the plan.
type Options struct {
	// Kind is KindPreview or KindPlan (the default).
	Kind string
	// Title heads the report; the default names what is compared.
	Title string
	// Provenance says what a preview compared, and where; Plan what a plan read.
	Provenance *Provenance
	Plan       *PlanSource
	// Rails are apply's limits, judged on Live as it stands (a plan's live
	// state; for a preview, the base): the report says what apply would refuse.
	// nil: not judged.
	Rails *reconcile.Rails
	Live  *portal.Config
	// Problems are the lint warnings and policy findings the change introduces
	// (see Introduced).
	Problems diag.List
	// Violations are the file's violations of its policy: apply refuses the file
	// until it keeps to it.
	Violations diag.List
	// PolicyBefore and PolicyAfter are the file's policy: sections, to compare
	// (nil: none).
	PolicyBefore, PolicyAfter *portal.Policy
	// Ownership are the changes of the layout's owners and scopes (see
	// OwnershipChanges).
	Ownership []OwnershipChange
	// Reviews are what the change does to access reviews (see ReviewChanges).
	Reviews []ReviewChange
	// Organization is set when the change moves the file to another organization.
	Organization *OrganizationChange
	// Operations lists the plan's operations in the report (plan -o json).
	Operations bool
}

// New builds the report of plan p. It costs one pass over the plan's gains and
// losses: the audiences come with the impact.
func New(p *reconcile.Plan, o Options) *Report {
	r := &Report{Version: ReportVersion, Kind: cmp.Or(o.Kind, KindPlan), Title: o.Title, Provenance: o.Provenance, Plan: o.Plan}
	r.Alerts = Alerts{Opened: []string{}, Refusals: refusals(o.Rails, p, o.Live), Admins: []AdminChange{}, Problems: []Problem{},
		Policy: PolicyChanges(o.PolicyBefore, o.PolicyAfter), Ownership: o.Ownership, Reviews: o.Reviews, Organization: o.Organization}
	if len(o.Violations) > 0 {
		ref := Refusal{Rail: "policy", Message: policyMessage(len(o.Violations)),
			Pass: "edit the file until `portalctl validate` finds no violation (the `policy:` section says what it allows)"}
		for _, d := range o.Violations {
			ref.Problems = append(ref.Problems, problem(d, o.Provenance))
		}
		r.Alerts.Refusals = append([]Refusal{ref}, r.Alerts.Refusals...)
	}
	for _, d := range o.Problems {
		r.Alerts.Problems = append(r.Alerts.Problems, problem(d, o.Provenance))
	}
	// One pass over every gain and loss: who gains and who loses anything, what
	// joining and leaving members see, and who loses what through rule changes.
	// People are told apart by number (see access.People), not by email.
	gp := p.Impact.Gainers()
	var gained []bool
	gainers := 0
	losers := map[string]struct{}{}
	sees, loses := map[string]int{}, map[string]int{}
	effects := map[string]*Effect{}
	effect := func(email, change, blueprint string) {
		e, ok := effects[email]
		if !ok {
			e = &Effect{Email: email, Change: change}
			effects[email] = e
		}
		e.Blueprints = append(e.Blueprints, blueprint)
	}
	// Who loses what through the rules, grouped (see lossGroups); those who
	// leave the portal lose through their removal, listed apart.
	lossGroups := newLossGroups(p.Impact.Losers())
	for i := range p.Impact.Blueprints {
		b := &p.Impact.Blueprints[i]
		changed := b.RulesChange
		if b.BecomesOpen() {
			r.Alerts.Opened = append(r.Alerts.Opened, b.Name)
		}
		b.EachGain(func(a access.Change) {
			if k := gp.Number(a); k >= len(gained) || !gained[k] {
				if k >= len(gained) {
					gained = append(gained, make([]bool, k+1-len(gained))...)
				}
				gained[k] = true
				gainers++
			}
			if a.Member {
				sees[a.Email]++
				if !changed {
					effect(a.Email, "invited", b.Name)
				}
			}
		})
		b.EachLoss(func(a access.Change) {
			if !a.Member {
				lossGroups.add(i, a)
				return
			}
			losers[a.Email] = struct{}{}
			loses[a.Email]++
			if !changed {
				effect(a.Email, "removed", b.Name)
			}
		})
		if changed {
			r.Index = append(r.Index, indexRow(b))
		}
	}
	expires := desiredExpiries(p.Desired)
	r.Organization = newOrgChanges(p, expires)
	r.Expiries = expiries(p.Expiries)
	slices.SortStableFunc(r.Index, riskier)
	r.Index = nonNil(r.Index)
	r.Losses = lossGroups.groups(p.Impact.Blueprints)

	m := &r.Members
	m.Invitations, m.Promotions, m.Demotions, m.Removals = []Invitation{}, []RoleChange{}, []RoleChange{}, []Removal{}
	for _, op := range p.Ops {
		switch op.Action {
		case reconcile.Invite:
			m.Invitations = append(m.Invitations, Invitation{Email: op.Email, Role: string(op.Role), Sees: sees[op.Email], Expires: expires.portal[op.Email]})
			if op.Role == portal.RoleAdmin {
				r.Alerts.Admins = append(r.Alerts.Admins, AdminChange{Email: op.Email, Scope: "portal", Change: "invited", To: "admin"})
			}
		case reconcile.Promote:
			m.Promotions = append(m.Promotions, RoleChange{Email: op.Email, From: string(op.FromRole), To: string(op.Role)})
			r.Alerts.Admins = append(r.Alerts.Admins, AdminChange{Email: op.Email, Scope: "portal", Change: "promoted", From: string(op.FromRole), To: string(op.Role)})
		case reconcile.Demote:
			m.Demotions = append(m.Demotions, RoleChange{Email: op.Email, From: string(op.FromRole), To: string(op.Role)})
			r.Alerts.Admins = append(r.Alerts.Admins, AdminChange{Email: op.Email, Scope: "portal", Change: "demoted", From: string(op.FromRole), To: string(op.Role)})
		case reconcile.Remove:
			m.Removals = append(m.Removals, Removal{Email: op.Email, Role: string(op.Role), Loses: loses[op.Email], ExpiredOn: op.ExpiredOn.String()})
			if op.Role == portal.RoleAdmin {
				r.Alerts.Admins = append(r.Alerts.Admins, AdminChange{Email: op.Email, Scope: "portal", Change: "removed", From: "admin"})
			}
		}
		if o.Operations {
			r.Operations = append(r.Operations, op.JSON())
		}
	}
	r.Alerts.Admins = append(r.Alerts.Admins, r.Organization.adminChanges()...)
	slices.SortStableFunc(r.Alerts.Admins, func(a, b AdminChange) int {
		if a.losing() != b.losing() {
			if a.losing() {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Scope, b.Scope)*-1, strings.Compare(a.Email, b.Email))
	})

	r.Summary = Summary{
		NoChanges: p.Empty() && !r.Organization.scopeChanged() && len(r.Expiries) == 0 && !r.Alerts.any(),
		// Someone who leaves loses through their removal only: the two are apart.
		Gain: gainers, Lose: len(losers) + len(lossGroups.hashes), Opened: len(r.Alerts.Opened), RuleChanges: len(r.Index),
		Invitations: p.Count(reconcile.Invite), Promotions: p.Count(reconcile.Promote),
		Demotions: p.Count(reconcile.Demote), Removals: p.Count(reconcile.Remove),
		OrgChanges: r.Organization.count(), ExpiryChanges: len(r.Expiries), Refusals: len(r.Alerts.Refusals),
	}

	r.Effects = make([]Effect, 0, len(effects))
	for _, e := range effects {
		r.Effects = append(r.Effects, *e)
	}
	slices.SortFunc(r.Effects, func(a, b Effect) int {
		return cmp.Or(cmp.Compare(len(b.Blueprints), len(a.Blueprints)), strings.Compare(a.Email, b.Email))
	})
	r.Unmanaged = []Unmanaged{}
	for _, u := range p.Unmanaged {
		r.Unmanaged = append(r.Unmanaged, Unmanaged{Name: u.Name, Open: u.Open})
	}
	return r
}

// refusals are the rails apply would refuse p on, against live.
func refusals(r *reconcile.Rails, p *reconcile.Plan, live *portal.Config) []Refusal {
	out := []Refusal{}
	if r == nil || live == nil || p.Empty() {
		return out
	}
	for _, x := range r.Refusals(p, live) {
		out = append(out, Refusal{Rail: x.Rail, Message: x.Message, Pass: x.Pass})
	}
	return out
}

func policyMessage(n int) string {
	if n == 1 {
		return "the file breaks its policy (1 violation)"
	}
	return "the file breaks its policy (" + strconv.Itoa(n) + " violations)"
}

// expiryDates are the expires dates of a desired state, by email: the
// portal's members and the organization's.
type expiryDates struct{ portal, org map[string]string }

func desiredExpiries(cfg *portal.Config) expiryDates {
	d := expiryDates{portal: map[string]string{}, org: map[string]string{}}
	if cfg == nil {
		return d
	}
	for _, m := range cfg.Members {
		if !m.Expires.IsZero() {
			d.portal[m.Email] = m.Expires.String()
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if !m.Expires.IsZero() {
				d.org[m.Email] = m.Expires.String()
			}
		}
	}
	return d
}

func expiries(xs []reconcile.ExpiryChange) []Expiry {
	out := make([]Expiry, len(xs))
	for i, x := range xs {
		out[i] = Expiry{Email: x.Email, Organization: x.Org, From: x.From.String(), To: x.To.String(), Passed: x.Passed, Deleted: x.Gone}
	}
	return out
}

func indexRow(bi *access.BlueprintImpact) IndexRow {
	row := IndexRow{
		Blueprint: bi.Name, Gain: bi.GainCount(), Loss: bi.LossCount(),
		WasOpen: bi.WasOpen, Open: bi.Open, BecomesOpen: bi.BecomesOpen(), NewlyManaged: bi.NewlyManaged,
		Changes: ruleEdits(bi),
	}
	after := bi.AudienceAfter
	row.After = &after
	if !bi.NewlyManaged {
		// Unknown before when the base revision did not manage it.
		before := bi.AudienceBefore
		row.Before = &before
	}
	return row
}

// ruleEdits are a blueprint's rule changes as the file writes them (see
// access.Edit).
func ruleEdits(bi *access.BlueprintImpact) []RuleEdit {
	out := make([]RuleEdit, len(bi.Edits))
	for i, e := range bi.Edits {
		out[i] = RuleEdit{Change: string(e.Change), Kind: e.Kind, Value: e.Value, Members: e.Members, EmailsAdded: e.EmailsAdded, EmailsRemoved: e.EmailsRemoved}
	}
	return out
}

// riskier orders the index: blueprints becoming open first, then the largest gain,
// then the largest loss, then by name.
func riskier(a, b IndexRow) int {
	if a.BecomesOpen != b.BecomesOpen {
		if a.BecomesOpen {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(b.Gain, a.Gain), cmp.Compare(b.Loss, a.Loss), strings.Compare(a.Blueprint, b.Blueprint))
}

// lossGroups fold people who lose the same blueprints through the same rules into
// one entry: a domain rule removed reads as one line with a count. The largest
// losses come first. Only losses through the rules count (a member removed is one
// of the member changes).
//
// A reorganisation can take millions of accesses from tens of thousands of people.
// As the losses are walked once, each person's are folded into a 64-bit hash
// (add), which groups the people, and the blueprints they lose are kept by index
// (four bytes a loss) to check a group; what the first person of each group
// loses, with the rules that granted it, is what the group loses (groups).
type lossGroups struct {
	people *access.People
	seed   maphash.Seed
	// slot is, by person number, the index of the person's hash plus one (0:
	// no loss yet); hashes and emails are in the order people were met.
	slot   []int32
	hashes []lossHash
	emails []string
	buf    []byte
}

type lossHash struct {
	h maphash.Hash
	// lost are the blueprints the person loses (by index in the impact), and c
	// one of their losses, to find their others (BlueprintImpact.LossOf).
	lost []int32
	c    access.Change
}

func newLossGroups(people *access.People) *lossGroups {
	return &lossGroups{people: people, seed: maphash.MakeSeed()}
}

// add folds the loss a of blueprint i (of the impact, walked in order) in.
func (g *lossGroups) add(i int, a access.Change) {
	k := g.people.Number(a)
	if k >= len(g.slot) {
		g.slot = append(g.slot, make([]int32, k+1-len(g.slot))...)
	}
	if g.slot[k] == 0 {
		g.hashes = append(g.hashes, lossHash{c: a})
		g.emails = append(g.emails, a.Email)
		g.hashes[len(g.hashes)-1].h.SetSeed(g.seed)
		g.slot[k] = int32(len(g.hashes))
	}
	p := &g.hashes[g.slot[k]-1]
	buf := binary.AppendUvarint(g.buf[:0], uint64(i))
	for _, v := range a.Via {
		if v.Open {
			buf = append(buf, 2)
		}
		buf = append(buf, v.Rule.Kind...)
		buf = append(buf, 0)
		buf = append(buf, v.Rule.Value...)
		buf = append(buf, 0)
		buf = append(buf, v.Group...)
		buf = append(buf, 0)
	}
	buf = append(buf, 1)
	p.h.Write(buf)
	p.lost = append(p.lost, int32(i))
	g.buf = buf
}

// groups are the people who lose alike, largest losses first.
func (g *lossGroups) groups(impact []access.BlueprintImpact) []Loss {
	order := make([]int, len(g.hashes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(g.emails[a], g.emails[b]) })
	// A group is found by the hash of what its people lose, then checked on the
	// blueprints they lose; the rules behind them are left to the hash's 64 bits.
	byHash := map[uint64][]int{}
	first := map[int]*lossHash{} // group → its first person
	out := []Loss{}
	for _, h := range order {
		p := &g.hashes[h]
		sum := p.h.Sum64()
		i := slices.IndexFunc(byHash[sum], func(i int) bool { return slices.Equal(first[i].lost, p.lost) })
		if i >= 0 {
			i = byHash[sum][i]
		} else {
			// The first person of the group says what the group loses.
			i = len(out)
			byHash[sum] = append(byHash[sum], i)
			first[i] = p
			loss := Loss{Blueprints: make([]string, len(p.lost)), Had: []string{}}
			for j, bi := range p.lost {
				loss.Blueprints[j] = impact[bi].Name
				c, _ := impact[bi].LossOf(p.c)
				for _, v := range c.Via {
					if s := v.String(); !slices.Contains(loss.Had, s) {
						loss.Had = append(loss.Had, s)
					}
				}
			}
			out = append(out, loss)
		}
		out[i].Emails = append(out[i].Emails, g.emails[h])
	}
	slices.SortStableFunc(out, func(a, b Loss) int {
		return cmp.Or(cmp.Compare(len(b.Emails)*len(b.Blueprints), len(a.Emails)*len(a.Blueprints)), strings.Compare(a.Emails[0], b.Emails[0]))
	})
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Validation is what is wrong with a file that does not validate: errors first,
// then warnings, each in file order.
type Validation struct {
	File     string    `json:"file"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	Problems []Problem `json:"problems"`
}

// Problem is one validation problem.
type Problem struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	// URL shows the line in the repository at the head commit, when known.
	URL string `json:"url,omitempty"`
}

// NewInvalid builds the report of a file that does not validate: its problems,
// errors before warnings, each linked to its line when the provenance allows.
func NewInvalid(file string, ds diag.List, o Options) *Report {
	r := &Report{Version: ReportVersion, Kind: cmp.Or(o.Kind, KindPreview), Title: o.Title, Provenance: o.Provenance}
	v := &Validation{File: file, Problems: []Problem{}}
	v.Errors, v.Warnings = ds.Counts()
	sorted := slices.Clone(ds)
	slices.SortStableFunc(sorted, func(a, b diag.Diagnostic) int {
		ea, eb := a.Severity == diag.Error, b.Severity == diag.Error
		if ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		return 0
	})
	for _, d := range sorted {
		v.Problems = append(v.Problems, problem(d, o.Provenance))
	}
	r.Validation = v
	return r
}

// Introduced are the warnings of head (and the policy findings among them) that
// base does not have: what a change brings in, not what the file had already. Two
// problems are the same when their code and message are, line numbers aside.
func Introduced(head, base diag.List) diag.List {
	had := map[string]int{}
	for _, d := range base {
		had[problemKey(d)]++
	}
	var out diag.List
	for _, d := range head {
		if d.Severity == diag.Error {
			continue
		}
		k := problemKey(d)
		if had[k] > 0 {
			had[k]--
			continue
		}
		out = append(out, d)
	}
	return out
}

// problemKey is what identifies a problem across two revisions of a file: its code
// and message with the digits of line references dropped ("line 12" moves).
func problemKey(d diag.Diagnostic) string {
	msg := d.Message
	var b strings.Builder
	b.WriteString(d.Code + "\x00")
	for i := 0; i < len(msg); i++ {
		if strings.HasPrefix(msg[i:], "line ") || strings.HasPrefix(msg[i:], "lines ") {
			j := i + strings.IndexByte(msg[i:], ' ') + 1
			for j < len(msg) && (msg[j] >= '0' && msg[j] <= '9' || msg[j] == '-' || msg[j] == ',' && j+1 < len(msg) && msg[j+1] >= '0' && msg[j+1] <= '9') {
				j++
			}
			b.WriteString("line #")
			i = j - 1
			continue
		}
		b.WriteByte(msg[i])
	}
	return b.String()
}
