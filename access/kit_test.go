package access_test

// Shared machinery of the package's tests: random configs over small pools (so that
// rules collide), and the obvious members × blueprints × rules oracle.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// Small pools: few names and domains, so random rules and members collide often.
// eu.company.com is a sub-domain of company.com and must never match it.
var (
	poolLocals  = []string{"alice", "bob", "carol", "dave", "eve"}
	poolDomains = []string{"company.com", "eu.company.com", "partner.org", "gmail.com", "xn--bcher-kva.de"}
	poolGroups  = []string{"contractors", "leads", "ops"}
)

func randEmail(r *rand.Rand) string {
	return poolLocals[r.IntN(len(poolLocals))] + "@" + poolDomains[r.IntN(len(poolDomains))]
}

// allPoolEmails lists every email the pools can produce.
func allPoolEmails() []string {
	var out []string
	for _, l := range poolLocals {
		for _, d := range poolDomains {
			out = append(out, l+"@"+d)
		}
	}
	return out
}

// randConfig builds a normalised config the way schema would: members with roles,
// groups expanded into email rules that carry their group's name, open blueprints
// without rules, rules sorted and de-duplicated.
func randConfig(r *rand.Rand, nBlueprints int) *portal.Config {
	cfg := &portal.Config{Version: 1, Groups: map[string][]string{}}
	seen := map[string]bool{}
	for range r.IntN(12) {
		e := randEmail(r)
		if seen[e] {
			continue
		}
		seen[e] = true
		role := portal.RoleUser
		if r.IntN(4) == 0 {
			role = portal.RoleAdmin
		}
		cfg.Members = append(cfg.Members, portal.Member{Email: e, Role: role})
	}
	for _, g := range poolGroups {
		set := map[string]bool{}
		for range r.IntN(4) {
			e := randEmail(r)
			if !set[e] {
				set[e] = true
				cfg.Groups[g] = append(cfg.Groups[g], e)
			}
		}
	}
	for i := range nBlueprints {
		cfg.Blueprints = append(cfg.Blueprints, randBlueprint(r, fmt.Sprintf("bp%02d", i), cfg.Groups))
	}
	cfg.Sort()
	return cfg
}

func randBlueprint(r *rand.Rand, name string, groups map[string][]string) portal.Blueprint {
	b := portal.Blueprint{Name: name}
	if r.IntN(5) == 0 {
		b.Open = true
		return b
	}
	var rules []portal.Rule
	for range 1 + r.IntN(4) {
		switch r.IntN(3) {
		case 0:
			rules = append(rules, portal.Rule{Kind: portal.RuleDomain, Value: poolDomains[r.IntN(len(poolDomains))]})
		case 1:
			rules = append(rules, portal.Rule{Kind: portal.RuleEmail, Value: randEmail(r)})
		case 2:
			g := poolGroups[r.IntN(len(poolGroups))]
			for _, e := range groups[g] {
				rules = append(rules, portal.Rule{Kind: portal.RuleEmail, Value: e, Group: g})
			}
		}
	}
	b.Rules = portal.SortRules(rules)
	if len(b.Rules) == 0 { // only empty groups were drawn
		b.Rules = []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}
	}
	return b
}

// cloneConfig deep-copies what the tests mutate.
func cloneConfig(c *portal.Config) *portal.Config {
	out := *c
	out.Members = slices.Clone(c.Members)
	out.Blueprints = slices.Clone(c.Blueprints)
	for i := range out.Blueprints {
		out.Blueprints[i].Rules = slices.Clone(c.Blueprints[i].Rules)
	}
	out.Groups = map[string][]string{}
	for k, v := range c.Groups {
		out.Groups[k] = slices.Clone(v)
	}
	return &out
}

// oracleVia is the obvious answer to "why does email see b": every rule of b that
// names email or its domain part, or open access.
func oracleVia(email string, b *portal.Blueprint) []access.Via {
	if b.Open {
		return []access.Via{{Open: true}}
	}
	var out []access.Via
	for _, rule := range b.Rules {
		if rule.Grants(email) {
			out = append(out, access.Via{Rule: rule.Key(), Group: rule.Group})
		}
	}
	return out
}

// oracleAudience maps each member of cfg who sees b to the reasons.
func oracleAudience(cfg *portal.Config, b *portal.Blueprint) map[string][]access.Via {
	out := map[string][]access.Via{}
	for _, m := range cfg.Members {
		if v := oracleVia(m.Email, b); len(v) > 0 {
			out[m.Email] = v
		}
	}
	return out
}

// viaSet renders reasons as a sorted list, so two lists compare as sets.
func viaSet(vs []access.Via) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("open=%v %s group=%q", v.Open, v.Rule, v.Group)
	}
	sort.Strings(out)
	return out
}
