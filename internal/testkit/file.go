package testkit

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// OrgRoles are the organization roles RandomFile's files give, by name: no two
// the same but for the case.
var OrgRoles = []string{"Admin", "viewer", "Billing Manager", "true", "123", "Data: Team", "#1"}

// What a hand may write in a valid portal.yaml: addresses and domains in other
// cases, with a leading @, Unicode domains, names YAML reads as other types.
var (
	randLocals  = []string{"alice", "Bob", "first.last", "user+tag", "o'neil", "élodie"}
	randDomains = []string{"company.com", "Company.COM", "@partner.org", "eu.company.com", "bücher.de", "xn--mnchen-3ya.de"}
	randGroups  = []string{"team", "ops.eu", "x_1", "Contractors", "123", "true"}
	randNames   = []string{"data-science", "yes", "null", "123", "<<", "a: b", "#hash", "ünïcödé", "with \"quotes\"", "trailing space ", "x-ray", "~"}
	randDates   = []string{"2026-11-19", "2026-11-20", "2026-12-01", "2027-02-28", "'2026-12-31'"}
	// randReviews are days of past reviews, as seen from 2026-11-20.
	randReviews = []string{"2025-01-31", "2026-08-01", "'2026-11-19'", "2026-11-20"}
)

func pickOf[T any](r *rand.Rand, values []T) T { return values[r.IntN(len(values))] }

func randEmail(r *rand.Rand) string {
	return pickOf(r, randLocals) + "@" + strings.TrimPrefix(pickOf(r, randDomains), "@")
}

// yamlString writes s as a double-quoted YAML scalar.
func yamlString(s string) string { return fmt.Sprintf("%q", s) }

// RandomFile writes a random small portal.yaml that means to be valid, for
// property tests: every section (policy, members with expiry dates, groups, empty ones
// too, the organization's members, blueprints open or with domains, emails and
// groups written in any order, a rule given twice, an email also in a group,
// owners among the members and a day of review), in random spellings. Its policy's
// required_admins name admins of its members. Some come out invalid (a policy the file breaks, say); the
// caller skips those. Its organization's members have roles of OrgRoles, and
// owner@company.com as the owner; its expiry dates are around 2026-11-20.
func RandomFile(r *rand.Rand) []byte {
	var b strings.Builder
	b.WriteString("version: 1\n")
	if r.IntN(2) == 0 {
		b.WriteString("organization: 0B5C2A34-7d0e-4f55-9a61-3b0d1c2e9f10\n")
	}
	policyAdmins := false
	if r.IntN(3) == 0 {
		var rules []string // none: a policy that sets nothing
		if r.IntN(2) == 0 {
			rules = append(rules, "allowed_domains: [company.com, Company.COM, partner.org, eu.company.com, bücher.de, xn--mnchen-3ya.de]")
		}
		if r.IntN(2) == 0 {
			rules = append(rules, fmt.Sprintf("max_open_blueprints: %d", 5+r.IntN(20)))
		}
		switch r.IntN(4) {
		case 0:
			rules = append(rules, "require_expiry_outside: [company.com, eu.company.com, partner.org, bücher.de, xn--mnchen-3ya.de]", "max_expiry_days: 3650")
		case 1:
			rules = append(rules, "require_expiry_outside: []") // every member needs a date
		}
		if r.IntN(2) == 0 {
			rules = append(rules, fmt.Sprintf("review_every_days: %d", 1+r.IntN(365)))
		}
		if r.IntN(2) == 0 {
			rules = append(rules, fmt.Sprintf("max_pending_days: %d", 1+r.IntN(60)))
		}
		if r.IntN(2) == 0 {
			policyAdmins = true
		}
		if len(rules) == 0 && !policyAdmins {
			b.WriteString("policy: {}\n")
		} else {
			b.WriteString("policy:\n")
			for _, rule := range rules {
				b.WriteString("  " + rule + "\n")
			}
		}
	}
	// The members are written after the policy: its required_admins, the
	// policy's last key, names admins of theirs.
	var membersOut strings.Builder
	var written, admins []string
	membersOut.WriteString("members:\n")
	seen := map[string]bool{}
	for range 1 + r.IntN(8) {
		e := randEmail(r)
		if n, _ := portal.NormalizeEmail(e); seen[n] {
			continue
		} else {
			seen[n] = true
		}
		written = append(written, e)
		fmt.Fprintf(&membersOut, "  - email: %s\n", yamlString(e))
		switch r.IntN(3) {
		case 0:
			membersOut.WriteString("    role: admin\n")
			admins = append(admins, e)
		case 1:
			membersOut.WriteString("    role: user\n")
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&membersOut, "    expires: %s\n", pickOf(r, randDates))
		}
	}
	if policyAdmins {
		var as []string
		for _, a := range admins {
			if r.IntN(2) == 0 {
				as = append(as, yamlString(a))
			}
		}
		fmt.Fprintf(&b, "  required_admins: [%s]\n", strings.Join(as, ", "))
	}
	b.WriteString(membersOut.String())
	var groups []string
	if r.IntN(2) == 0 {
		var lines []string
		for _, g := range randGroups {
			if r.IntN(2) == 0 {
				continue
			}
			groups = append(groups, g)
			var es []string
			for range r.IntN(4) { // empty groups too, and an email twice
				es = append(es, yamlString(randEmail(r)))
			}
			lines = append(lines, fmt.Sprintf("  %s: [%s]\n", yamlString(g), strings.Join(es, ", ")))
		}
		if len(lines) == 0 {
			b.WriteString("groups: {}\n")
		} else {
			b.WriteString("groups:\n" + strings.Join(lines, ""))
		}
	}
	if r.IntN(2) == 0 {
		b.WriteString("organization_members:\n  - email: owner@company.com\n    role: Owner\n")
		oseen := map[string]bool{"owner@company.com": true}
		for range r.IntN(5) {
			e := randEmail(r)
			if n, _ := portal.NormalizeEmail(e); oseen[n] {
				continue
			} else {
				oseen[n] = true
			}
			fmt.Fprintf(&b, "  - email: %s\n    role: %s\n", yamlString(e), yamlString(pickOf(r, OrgRoles)))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    expires: %s\n", pickOf(r, randDates))
			}
		}
	}
	if r.IntN(10) == 0 {
		b.WriteString("blueprints: {}\n")
		return []byte(b.String())
	}
	b.WriteString("blueprints:\n")
	bseen := map[string]bool{}
	for range 1 + r.IntN(5) {
		name := pickOf(r, randNames)
		if bseen[name] {
			continue
		}
		bseen[name] = true
		fmt.Fprintf(&b, "  %s:\n", yamlString(name))
		if r.IntN(5) == 0 {
			b.WriteString("    access: open\n")
			continue
		}
		// The keys in any order; a rule given twice; an email also in a group.
		keys := []string{"domains", "emails", "groups"}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		wrote := false
		for _, k := range keys {
			var vs []string
			switch {
			case k == "domains" && r.IntN(2) == 0:
				for range 1 + r.IntN(3) {
					vs = append(vs, yamlString(pickOf(r, randDomains)))
				}
			case k == "emails" && r.IntN(2) == 0:
				for range 1 + r.IntN(3) {
					vs = append(vs, yamlString(randEmail(r)))
				}
			case k == "groups" && len(groups) > 0 && r.IntN(2) == 0:
				for range 1 + r.IntN(3) {
					vs = append(vs, yamlString(pickOf(r, groups)))
				}
			}
			if len(vs) > 0 {
				fmt.Fprintf(&b, "    %s: [%s]\n", k, strings.Join(vs, ", "))
				wrote = true
			}
		}
		if !wrote {
			fmt.Fprintf(&b, "    domains: [%s]\n", yamlString(pickOf(r, randDomains)))
		}
		if r.IntN(2) == 0 {
			var os []string
			for range 1 + r.IntN(2) {
				os = append(os, yamlString(pickOf(r, written)))
			}
			fmt.Fprintf(&b, "    owners: [%s]\n", strings.Join(os, ", "))
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    reviewed: %s\n", pickOf(r, randReviews))
		}
	}
	return []byte(b.String())
}
