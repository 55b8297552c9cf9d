package lint_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/schema"
)

// TestPolicyViolations: each violation is an error at the value that breaks the
// policy, naming the rule and the line that sets it, with what to write instead.
func TestPolicyViolations(t *testing.T) {
	const head = "version: 1\npolicy:\n"
	for _, tc := range []struct {
		name   string
		policy string // the policy's rules, from line 3
		rest   string // the file after them
		want   []string
	}{
		{
			name:   "allowed domains: members, organization members, rules and groups",
			policy: "  allowed_domains: [company.com]\n",
			rest: `members:
  - email: alice@company.com
    role: admin
  - email: bob@eu.company.com
groups:
  g: [alice@company.com, x@partner.org]
organization_members:
  - email: owner@company.com
    role: Owner
  - email: dev@gmail.com
    role: Viewer
blueprints:
  a:
    domains: [company.com, partner.org]
    emails: [y@yahoo.com, alice@company.com]
    groups: [g]
`,
			want: []string{
				"7:12 policy-allowed-domains allowed_domains (line 3)",
				"9:26 policy-allowed-domains allowed_domains (line 3)",
				"13:12 policy-allowed-domains allowed_domains (line 3)",
				"17:28 policy-allowed-domains allowed_domains (line 3)",
				"18:14 policy-allowed-domains allowed_domains (line 3)",
			},
		},
		{
			name:   "allowed domains met",
			policy: "  allowed_domains: [company.com, eu.company.com]\n",
			rest:   "members:\n  - email: alice@company.com\n    role: admin\n  - email: bob@eu.company.com\nblueprints:\n  a:\n    domains: [eu.company.com]\n",
		},
		{
			name:   "open blueprints beyond the maximum, in file order",
			policy: "  max_open_blueprints: 1\n",
			rest:   "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  zeta:\n    access: open\n  alpha:\n    access: open\n  mid:\n    domains: [company.com]\n  beta:\n    access: open\n",
			want: []string{
				"10:3 policy-max-open-blueprints max_open_blueprints (line 3)",
				"14:3 policy-max-open-blueprints max_open_blueprints (line 3)",
			},
		},
		{
			name:   "no open blueprint allowed",
			policy: "  max_open_blueprints: 0\n",
			rest:   "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  a:\n    access: open\n",
			want:   []string{"8:3 policy-max-open-blueprints max_open_blueprints (line 3)"},
		},
		{
			name:   "expiry required outside the domains, within the days",
			policy: "  require_expiry_outside: [company.com]\n  max_expiry_days: 30\n",
			rest: `members:
  - email: alice@company.com
    role: admin
  - email: erin@partner.org
  - email: frank@partner.org
    expires: 2026-12-21
  - email: gina@partner.org
    expires: 2026-12-20
  - email: old@partner.org
    expires: 2026-01-01
organization_members:
  - email: owner@gmail.com
    role: Owner
  - email: dev@gmail.com
    role: Viewer
blueprints:
  a:
    access: open
`,
			want: []string{
				"8:12 policy-require-expiry require_expiry_outside (line 3)",
				"10:14 policy-max-expiry-days max_expiry_days (line 4)",
				"18:12 policy-require-expiry require_expiry_outside (line 3)",
			},
		},
		{
			name:   "an expiry required of everyone",
			policy: "  require_expiry_outside: []\n",
			rest:   "members:\n  - email: alice@company.com\n    role: admin\n    expires: 2030-01-01\n  - email: bob@company.com\nblueprints:\n  a:\n    access: open\n",
			want:   []string{"8:12 policy-require-expiry require_expiry_outside (line 3)"},
		},
		{
			name:   "review_every_days: each blueprint with rules has owners; open ones need none",
			policy: "  review_every_days: 90\n",
			rest: `members:
  - email: alice@company.com
    role: admin
blueprints:
  owned:
    domains: [company.com]
    owners: [alice@company.com]
    reviewed: 2026-11-01
  unowned:
    emails: [alice@company.com]
  open:
    access: open
`,
			want: []string{"12:3 policy-review-owners review_every_days (line 3)"},
		},
		{
			name:   "required_admins: not a member, a user, expired, or an admin",
			policy: "  required_admins: [ghost@company.com, bob@company.com, old@company.com, alice@company.com]\n",
			rest: `members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
  - email: old@company.com
    role: admin
    expires: 2026-11-20
blueprints:
  a:
    access: open
`,
			want: []string{
				"3:21 policy-required-admins required_admins (line 3)",
				"3:40 policy-required-admins required_admins (line 3)",
				"3:57 policy-required-admins required_admins (line 3)",
			},
		},
		{
			name:   "required_admins met, and empty",
			policy: "  required_admins: []\n",
			rest:   "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  a:\n    access: open\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := schema.New(schema.Today(day("2026-11-20")))
			if err != nil {
				t.Fatal(err)
			}
			src := head + tc.policy + tc.rest
			_, ds := l.Parse("portal.yaml", []byte(src))
			var got []string
			for _, d := range ds {
				if d.Severity == diag.Error && !lint.IsPolicyViolation(d) {
					t.Fatalf("an error that is not a violation: %v", d)
				}
				if !lint.IsPolicyViolation(d) {
					continue
				}
				rule := d.Message[strings.Index(d.Message, "policy ")+len("policy "):]
				got = append(got, fmt.Sprintf("%d:%d %s %s", d.Pos.Line, d.Pos.Col, d.Code, rule[:strings.Index(rule, ")")+1]))
				if d.Hint == "" {
					t.Errorf("violation without a hint: %v", d)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("violations:\n%s\nwant:\n%s\nin:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), src)
			}
			// The preview's base is read without them.
			nl, _ := schema.New(schema.Today(day("2026-11-20")), schema.NoPolicy())
			if _, ds := nl.Parse("portal.yaml", []byte(src)); ds.HasErrors() {
				t.Fatalf("NoPolicy still reports %v", ds)
			}
		})
	}
}
