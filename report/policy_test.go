package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// policyOf is a policy setting the given rules, with the values of p.
func policyOf(p portal.Policy, rules ...portal.PolicyRule) *portal.Policy {
	p.Set = map[portal.PolicyRule]portal.Pos{}
	for _, r := range rules {
		p.Set[r] = portal.Pos{}
	}
	return &p
}

// TestPolicyChanges: each change of the policy, item by item, loosened first:
// a maximum raised or a list of required admins shortened loosens it.
func TestPolicyChanges(t *testing.T) {
	days := func(n int) portal.Policy { return portal.Policy{ReviewEveryDays: n, MaxPendingDays: n} }
	for _, c := range []struct {
		name          string
		before, after *portal.Policy
		want          string
	}{
		{"review_every_days raised", policyOf(days(90), portal.PolicyReviewEveryDays), policyOf(days(180), portal.PolicyReviewEveryDays),
			"loosened review_every_days raised 90→180"},
		{"review_every_days set", nil, policyOf(days(90), portal.PolicyReviewEveryDays), "tightened review_every_days set →90"},
		{"max_pending_days dropped", policyOf(days(30), portal.PolicyMaxPendingDays), policyOf(days(0)), "loosened max_pending_days dropped 30→"},
		{"max_pending_days lowered", policyOf(days(30), portal.PolicyMaxPendingDays), policyOf(days(7), portal.PolicyMaxPendingDays), "tightened max_pending_days lowered 30→7"},
		{"required_admins: one removed, one added", policyOf(portal.Policy{RequiredAdmins: []string{"a@x.co", "b@x.co"}}, portal.PolicyRequiredAdmins),
			policyOf(portal.Policy{RequiredAdmins: []string{"b@x.co", "c@x.co"}}, portal.PolicyRequiredAdmins),
			"loosened required_admins removes [a@x.co]; tightened required_admins adds [c@x.co]"},
		{"required_admins dropped", policyOf(portal.Policy{RequiredAdmins: []string{"a@x.co"}}, portal.PolicyRequiredAdmins), policyOf(portal.Policy{}),
			"loosened required_admins dropped [a@x.co]"},
		{"required_admins set", nil, policyOf(portal.Policy{RequiredAdmins: []string{"a@x.co"}}, portal.PolicyRequiredAdmins),
			"tightened required_admins set [a@x.co]"},
		{"max_open_blueprints raised", policyOf(portal.Policy{MaxOpenBlueprints: 1}, portal.PolicyMaxOpenBlueprints), policyOf(portal.Policy{MaxOpenBlueprints: 3}, portal.PolicyMaxOpenBlueprints),
			"loosened max_open_blueprints raised 1→3"},
		{"nothing", policyOf(days(90), portal.PolicyReviewEveryDays), policyOf(days(90), portal.PolicyReviewEveryDays), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, pc := range PolicyChanges(c.before, c.after) {
				s := pc.Change + " " + pc.Rule + " " + pc.Action
				switch {
				case pc.From != nil || pc.To != nil:
					num := func(n *int) string {
						if n == nil {
							return ""
						}
						return fmt.Sprint(*n)
					}
					s += " " + num(pc.From) + "→" + num(pc.To)
				case len(pc.Emails) > 0:
					s += fmt.Sprintf(" %v", pc.Emails)
				case len(pc.Domains) > 0:
					s += fmt.Sprintf(" domains %v", pc.Domains)
				}
				got = append(got, s)
			}
			if g := strings.Join(got, "; "); g != c.want {
				t.Errorf("got %q, want %q", g, c.want)
			}
			if text := fmt.Sprint(got); strings.Contains(text, "required_admins") && strings.Contains(text, "→") {
				t.Errorf("required_admins read as a number: %s", text)
			}
		})
	}
}
