package report

import (
	"cmp"
	"slices"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// PolicyChange is one item of a change to the file's policy: section: a domain
// added to or removed from a list, a number raised or lowered, a rule set or
// dropped. Each either loosens the guardrails or tightens them.
type PolicyChange struct {
	Rule string `json:"rule"`
	// Change is "loosened" or "tightened".
	Change string `json:"change"`
	// Action is "adds" or "removes" (a domain of a list), "set" or "dropped" (a
	// rule), "raised" or "lowered" (a number).
	Action string `json:"action"`
	// Domains are the domains added or removed, or the list set or dropped;
	// Emails, the same of required_admins.
	Domains []string `json:"domains,omitempty"`
	Emails  []string `json:"emails,omitempty"`
	// From and To are a number's values, when the rule is one.
	From *int `json:"from,omitempty"`
	To   *int `json:"to,omitempty"`
}

const (
	loosened  = "loosened"
	tightened = "tightened"
)

// PolicyChanges lists, item by item, what changes from policy before to policy
// after (nil: none), loosened first, then in the order the schema documents the
// rules.
func PolicyChanges(before, after *portal.Policy) []PolicyChange {
	out := []PolicyChange{}
	for _, r := range portal.PolicyRules() {
		had, has := before.Has(r), after.Has(r)
		name := string(r)
		switch r {
		case portal.PolicyAllowedDomains, portal.PolicyRequireExpiryOutside:
			var b, a []string
			if had {
				b = domainsOf(before, r)
			}
			if has {
				a = domainsOf(after, r)
			}
			switch {
			case had && !has:
				out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "dropped", Domains: nonNil(b)})
			case !had && has:
				out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "set", Domains: nonNil(a)})
			case had && has:
				// allowed_domains: one more domain allowed loosens it;
				// require_expiry_outside: one more domain exempted loosens it.
				for _, d := range a {
					if !slices.Contains(b, d) {
						out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "adds", Domains: []string{d}})
					}
				}
				for _, d := range b {
					if !slices.Contains(a, d) {
						out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "removes", Domains: []string{d}})
					}
				}
			}
		case portal.PolicyRequiredAdmins:
			// The admins apply may never remove or demote: one more
			// tightens the policy, one fewer loosens it.
			var b, a []string
			if had {
				b = before.RequiredAdmins
			}
			if has {
				a = after.RequiredAdmins
			}
			switch {
			case had && !has:
				out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "dropped", Emails: nonNil(b)})
			case !had && has:
				out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "set", Emails: nonNil(a)})
			case had && has:
				for _, e := range b {
					if !slices.Contains(a, e) {
						out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "removes", Emails: []string{e}})
					}
				}
				for _, e := range a {
					if !slices.Contains(b, e) {
						out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "adds", Emails: []string{e}})
					}
				}
			}
		default:
			bv, av := numberOf(before, r), numberOf(after, r)
			switch {
			case had && !has:
				out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "dropped", From: &bv})
			case !had && has:
				out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "set", To: &av})
			case had && has && av > bv:
				// Every number is a maximum (of open blueprints, of days
				// until an expiry, between reviews, of pending days): a
				// higher one allows more.
				out = append(out, PolicyChange{Rule: name, Change: loosened, Action: "raised", From: &bv, To: &av})
			case had && has && av < bv:
				out = append(out, PolicyChange{Rule: name, Change: tightened, Action: "lowered", From: &bv, To: &av})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b PolicyChange) int {
		return cmp.Compare(changeRank(a.Change), changeRank(b.Change))
	})
	return out
}

func changeRank(c string) int {
	if c == loosened {
		return 0
	}
	return 1
}

func domainsOf(p *portal.Policy, r portal.PolicyRule) []string {
	if r == portal.PolicyAllowedDomains {
		return p.AllowedDomains
	}
	return p.RequireExpiryOutside
}

func numberOf(p *portal.Policy, r portal.PolicyRule) int {
	if p == nil {
		return 0
	}
	switch r {
	case portal.PolicyMaxOpenBlueprints:
		return p.MaxOpenBlueprints
	case portal.PolicyReviewEveryDays:
		return p.ReviewEveryDays
	case portal.PolicyMaxPendingDays:
		return p.MaxPendingDays
	}
	return p.MaxExpiryDays
}

// problem is one diagnostic as the report lists it.
func problem(d diag.Diagnostic, prov *Provenance) Problem {
	return Problem{
		Severity: string(d.Severity), Code: d.Code, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
		Message: d.Message, Hint: d.Hint, URL: prov.LineURL(d.Pos),
	}
}
