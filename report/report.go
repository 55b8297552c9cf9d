package report

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// ReportVersion is the version of the JSON report (`preview -o json`). Fields are only
// added within a version; one that changes meaning or goes away bumps it. The plan
// format (`plan -o json`) is reconcile's and versioned apart.
const ReportVersion = 1

// Report is what a reviewer reads about a change of access, built once from a plan
// and rendered as markdown (the pull-request comment, the step summary and
// `plan -o markdown`), text or JSON. Its parts come in the order a reviewer who
// reads for ten seconds needs them (SPEC §9.5): the summary, the blueprints that
// become open to everyone, new admins and removals, an index of the blueprints whose
// rules change sorted by risk, who loses access, the member changes, the effects of
// member changes on blueprints whose rules stay, the rule diff and the provenance.
//
// A file that does not validate yields a report that holds only its Validation.
type Report struct {
	Version int `json:"report_version"`
	// Title heads the report; empty for the default.
	Title string `json:"title,omitempty"`
	// Policy is what the change does to the file's policy: section: the
	// violations, which come first in every rendering, and the changes of the
	// section itself. nil when there are neither.
	Policy  *PolicyReport `json:"policy,omitempty"`
	Summary Summary       `json:"summary"`
	// OrganizationID is set when the change moves the file to another
	// organization; nil otherwise.
	OrganizationID *OrganizationIDChange `json:"organization_id_change,omitempty"`
	// Opened lists every blueprint that becomes open to every member.
	Opened []string `json:"opened"`
	// NewAdmins lists promotions to admin and invitations as admin.
	NewAdmins []NewAdmin `json:"new_admins"`
	// Index has one row per blueprint whose rules change, riskiest first.
	Index []IndexRow `json:"index"`
	// Losses says who loses access to what because rules change, by person; people
	// who lose the same blueprints for the same reason share an entry.
	Losses  []Loss        `json:"losses"`
	Members MemberChanges `json:"member_changes"`
	// Expiries are the expiry dates the change adds, moves or drops, and the
	// entries it deletes once expired: none of them changes access today.
	Expiries []Expiry `json:"expiry_changes"`
	// Organization are the changes of the Qovery organization's own members,
	// apart from the portal's; nil when the file leaves them alone.
	Organization *OrgChanges `json:"organization_changes,omitempty"`
	// Effects are what joining or leaving members gain or lose on blueprints whose
	// rules do not change, one entry per member.
	Effects []Effect `json:"member_effects"`
	// Rules is the rule diff of the blueprints in Index, by name.
	Rules []RuleChange `json:"rule_changes"`
	// Unmanaged are blueprints the file leaves alone.
	Unmanaged  []Unmanaged `json:"unmanaged"`
	Provenance *Provenance `json:"provenance,omitempty"`
	Validation *Validation `json:"validation,omitempty"`
}

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
	// PolicyViolations counts the violations of the file's policy.
	PolicyViolations int `json:"policy_violations,omitempty"`
}

// NewAdmin is a member who becomes an admin.
type NewAdmin struct {
	Email string `json:"email"`
	// How is "invited" or "promoted".
	How string `json:"how"`
}

// IndexRow is one blueprint whose rules change.
type IndexRow struct {
	Blueprint string `json:"blueprint"`
	// Before and After count the members who see the blueprint; null when unknown
	// (no state to count from, or a blueprint the base revision did not manage).
	Before       *int   `json:"audience_before"`
	After        *int   `json:"audience_after"`
	Gain         int    `json:"gain"`
	Loss         int    `json:"loss"`
	WasOpen      bool   `json:"was_open"`
	Open         bool   `json:"open"`
	BecomesOpen  bool   `json:"becomes_open"`
	NewlyManaged bool   `json:"newly_managed,omitempty"`
	RulesAdded   []Rule `json:"rules_added"`
	RulesRemoved []Rule `json:"rules_removed"`
}

// Rule is one access rule.
type Rule struct {
	Type  portal.RuleKind `json:"type"`
	Value string          `json:"value"`
	Group string          `json:"group,omitempty"`
}

func (r Rule) String() string {
	s := string(r.Type) + " " + r.Value
	if r.Group != "" {
		s += " (group " + r.Group + ")"
	}
	return s
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

// RuleChange is the rule diff of one blueprint.
type RuleChange struct {
	Blueprint    string `json:"blueprint"`
	NewlyManaged bool   `json:"newly_managed,omitempty"`
	Added        []Rule `json:"added"`
	Removed      []Rule `json:"removed"`
	// Open says the blueprint is left without rules: open to every member.
	Open bool `json:"open"`
}

// Unmanaged is a blueprint the file does not mention, left alone.
type Unmanaged struct {
	Name string `json:"name"`
	Open bool   `json:"open"`
}

// Options are what a report needs besides the plan.
type Options struct {
	// Title heads the report; the default names the organization.
	Title string
	// Provenance says what was compared, and where.
	Provenance *Provenance
	// Policy is the policy's violations and changes (see NewPolicy); nil for
	// none.
	Policy *PolicyReport
	// OrganizationID is the change of the file's organization: id, nil for none.
	OrganizationID *OrganizationIDChange
}

// New builds the report of plan p. It costs one pass over the plan's gains and
// losses: the audiences come with the impact.
func New(p *reconcile.Plan, o Options) *Report {
	r := &Report{Version: ReportVersion, Title: o.Title, Provenance: o.Provenance, OrganizationID: o.OrganizationID, Opened: []string{}, NewAdmins: []NewAdmin{}}
	if o.Policy != nil && (len(o.Policy.Violations) > 0 || len(o.Policy.Changes) > 0) {
		r.Policy = o.Policy
	}
	// One pass over every gain and loss: who gains and who loses anything, what
	// joining and leaving members see, and who loses what through rule changes.
	gainers, losers := map[string]struct{}{}, map[string]struct{}{}
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
	lossesOf := map[string][]lost{}
	for bi, b := range p.Impact.Blueprints {
		changed := b.RulesChange
		if b.BecomesOpen() {
			r.Opened = append(r.Opened, b.Name)
		}
		for _, a := range b.Gains {
			gainers[a.Email] = struct{}{}
			if a.Member {
				sees[a.Email]++
				if !changed {
					effect(a.Email, "invited", b.Name)
				}
			}
		}
		for _, a := range b.Losses {
			losers[a.Email] = struct{}{}
			switch {
			case a.Member:
				loses[a.Email]++
				if !changed {
					effect(a.Email, "removed", b.Name)
				}
			default:
				lossesOf[a.Email] = append(lossesOf[a.Email], lost{blueprint: bi, via: a.Via})
			}
		}
		if !changed {
			continue
		}
		r.Index = append(r.Index, indexRow(b))
		r.Rules = append(r.Rules, RuleChange{
			Blueprint: b.Name, NewlyManaged: b.NewlyManaged,
			Added: rules(b.RulesAdded), Removed: rules(b.RulesRemoved), Open: b.Open,
		})
	}
	expires := desiredExpiries(p.Desired)
	r.Organization = newOrgChanges(p, expires)
	r.Expiries = expiries(p.Expiries)
	r.Summary = Summary{
		NoChanges: p.Empty() && !r.Organization.scopeChanged() && len(r.Expiries) == 0 && r.Policy == nil && r.OrganizationID == nil,
		Gain:      len(gainers), Lose: len(losers), Opened: len(r.Opened), RuleChanges: len(r.Index),
		Invitations: p.Count(reconcile.Invite), Promotions: p.Count(reconcile.Promote),
		Demotions: p.Count(reconcile.Demote), Removals: p.Count(reconcile.Remove),
		OrgChanges: r.Organization.count(), ExpiryChanges: len(r.Expiries),
	}
	if r.Policy != nil {
		r.Summary.PolicyViolations = len(r.Policy.Violations)
	}
	slices.SortStableFunc(r.Index, riskier)
	r.Index = nonNil(r.Index)
	r.Rules = nonNil(r.Rules)
	r.Losses = groupLosses(lossesOf, p.Impact.Blueprints)

	m := &r.Members
	m.Invitations, m.Promotions, m.Demotions, m.Removals = []Invitation{}, []RoleChange{}, []RoleChange{}, []Removal{}
	for _, op := range p.Ops {
		switch op.Action {
		case reconcile.Invite:
			m.Invitations = append(m.Invitations, Invitation{Email: op.Email, Role: string(op.Role), Sees: sees[op.Email], Expires: expires.portal[op.Email]})
			if op.Role == portal.RoleAdmin {
				r.NewAdmins = append(r.NewAdmins, NewAdmin{Email: op.Email, How: "invited"})
			}
		case reconcile.Promote:
			m.Promotions = append(m.Promotions, RoleChange{Email: op.Email, From: string(op.FromRole), To: string(op.Role)})
			if op.Role == portal.RoleAdmin {
				r.NewAdmins = append(r.NewAdmins, NewAdmin{Email: op.Email, How: "promoted"})
			}
		case reconcile.Demote:
			m.Demotions = append(m.Demotions, RoleChange{Email: op.Email, From: string(op.FromRole), To: string(op.Role)})
		case reconcile.Remove:
			m.Removals = append(m.Removals, Removal{Email: op.Email, Role: string(op.Role), Loses: loses[op.Email], ExpiredOn: op.ExpiredOn.String()})
		}
	}
	slices.SortFunc(r.NewAdmins, func(a, b NewAdmin) int { return strings.Compare(a.Email, b.Email) })

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

// line describes an expiry change; email renders the address (a code span in
// markdown, terminal-safe in text).
func (x Expiry) line(email func(string) string) string {
	who := email(x.Email)
	if x.Organization {
		who += " (organization)"
	}
	switch {
	case x.Deleted:
		return fmt.Sprintf("%s: entry deleted, expired on %s (no change of access)", who, x.From)
	case x.From == "":
		return fmt.Sprintf("%s: expires %s (access ends that day)", who, x.To)
	case x.To == "":
		return fmt.Sprintf("%s: no longer expires (was %s)", who, x.From)
	}
	return fmt.Sprintf("%s: expires %s, was %s", who, x.To, x.From)
}

func expiries(xs []reconcile.ExpiryChange) []Expiry {
	out := make([]Expiry, len(xs))
	for i, x := range xs {
		out[i] = Expiry{Email: x.Email, Organization: x.Org, From: x.From.String(), To: x.To.String(), Deleted: x.Gone}
	}
	return out
}

func indexRow(bi access.BlueprintImpact) IndexRow {
	row := IndexRow{
		Blueprint: bi.Name, Gain: len(bi.Gains), Loss: len(bi.Losses),
		WasOpen: bi.WasOpen, Open: bi.Open, BecomesOpen: bi.BecomesOpen(), NewlyManaged: bi.NewlyManaged,
		RulesAdded: rules(bi.RulesAdded), RulesRemoved: rules(bi.RulesRemoved),
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

// lost is one blueprint (its position in the impact) a member loses, and the rules
// that granted it.
type lost struct {
	blueprint int
	via       []access.Via
}

// groupLosses folds people who lose the same blueprints through the same rules into
// one entry: a domain rule removed reads as one line with a count. The largest
// losses come first. Each person's losses are keyed by small numbers, not strings,
// so that a hundred thousand people losing dozens of blueprints stay cheap.
func groupLosses(byEmail map[string][]lost, impact []access.BlueprintImpact) []Loss {
	viaIDs := map[access.Via]uint32{}
	var viaList []access.Via
	idx := map[string]int{}
	out := []Loss{}
	emails := make([]string, 0, len(byEmail))
	for e := range byEmail {
		emails = append(emails, e)
	}
	slices.Sort(emails)
	var key []byte
	for _, e := range emails {
		ls := byEmail[e]
		key = key[:0]
		for _, l := range ls {
			key = binary.AppendUvarint(key, uint64(l.blueprint))
			for _, v := range l.via {
				id, ok := viaIDs[v]
				if !ok {
					id = uint32(len(viaList))
					viaIDs[v] = id
					viaList = append(viaList, v)
				}
				key = binary.AppendUvarint(key, uint64(id)+1)
			}
			key = append(key, 0)
		}
		i, ok := idx[string(key)]
		if !ok {
			i = len(out)
			idx[string(key)] = i
			loss := Loss{Blueprints: make([]string, len(ls)), Had: []string{}}
			for j, l := range ls {
				loss.Blueprints[j] = impact[l.blueprint].Name
				for _, v := range l.via {
					if h := v.String(); !slices.Contains(loss.Had, h) {
						loss.Had = append(loss.Had, h)
					}
				}
			}
			out = append(out, loss)
		}
		out[i].Emails = append(out[i].Emails, e)
	}
	slices.SortStableFunc(out, func(a, b Loss) int {
		return cmp.Or(cmp.Compare(len(b.Emails)*len(b.Blueprints), len(a.Emails)*len(a.Blueprints)), strings.Compare(a.Emails[0], b.Emails[0]))
	})
	return out
}

func rules(rs []portal.Rule) []Rule {
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = Rule{Type: r.Kind, Value: r.Value, Group: r.Group}
	}
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
	r := &Report{Version: ReportVersion, Title: o.Title, Provenance: o.Provenance}
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
