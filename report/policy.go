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
			// allowed_domains: one more domain allowed loosens it;
			// require_expiry_outside: one more domain exempted loosens it.
			var b, a []string
			if had {
				b = domainsOf(before, r)
			}
			if has {
				a = domainsOf(after, r)
			}
			out = append(out, listChanges(name, had, has, b, a, true, func(c PolicyChange, ds []string) PolicyChange { c.Domains = ds; return c })...)
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
			out = append(out, listChanges(name, had, has, b, a, false, func(c PolicyChange, es []string) PolicyChange { c.Emails = es; return c })...)
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

// listChanges is what changes in rule name, a policy rule that holds a list,
// from b (had) to a (has): the list dropped loosens the rule, the list set
// tightens it; an entry added loosens it when more entries allow more
// (moreLoosens), else tightens it, and an entry removed does the opposite.
// with puts the entries in the change.
func listChanges(name string, had, has bool, b, a []string, moreLoosens bool, with func(PolicyChange, []string) PolicyChange) []PolicyChange {
	var out []PolicyChange
	switch {
	case had && !has:
		out = append(out, with(PolicyChange{Rule: name, Change: loosened, Action: "dropped"}, nonNil(b)))
	case !had && has:
		out = append(out, with(PolicyChange{Rule: name, Change: tightened, Action: "set"}, nonNil(a)))
	case had && has:
		added, removed := loosened, tightened
		if !moreLoosens {
			added, removed = tightened, loosened
		}
		for _, v := range a {
			if !slices.Contains(b, v) {
				out = append(out, with(PolicyChange{Rule: name, Change: added, Action: "adds"}, []string{v}))
			}
		}
		for _, v := range b {
			if !slices.Contains(a, v) {
				out = append(out, with(PolicyChange{Rule: name, Change: removed, Action: "removes"}, []string{v}))
			}
		}
	}
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
