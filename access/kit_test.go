package access_test

// Shared machinery of the package's tests: random configs over small pools (so that
// rules collide), and the obvious members × blueprints × rules oracle (testkit's)
// in the package's terms.

import (
	"fmt"
	"slices"
	"sort"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// pools are small: few names and domains, so random rules and members collide
// often. eu.company.com is a sub-domain of company.com and must never match it.
var pools = testkit.Pools{
	Locals:  []string{"alice", "bob", "carol", "dave", "eve"},
	Domains: []string{"company.com", "eu.company.com", "partner.org", "gmail.com", "xn--bcher-kva.de"},
	Groups:  []string{"contractors", "leads", "ops"},
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

// oracleVia is the obvious answer to "why does email see b" (testkit.ViaOf) as
// the engine words it: open access, or every rule of b that names email or its
// domain part.
func oracleVia(email string, b *portal.Blueprint) []access.Via {
	return viasOf(testkit.ViaOf(b, email))
}

func viasOf(v testkit.Via) []access.Via {
	if v.Open {
		return []access.Via{{Open: true}}
	}
	var out []access.Via
	for _, rule := range v.Rules {
		out = append(out, access.Via{Rule: rule.Key(), Group: rule.Group})
	}
	return out
}

// oracleAudience maps each member of cfg who sees b to the reasons.
func oracleAudience(cfg *portal.Config, b *portal.Blueprint) map[string][]access.Via {
	out := map[string][]access.Via{}
	for email, v := range testkit.Audience(cfg, b) {
		out[email] = viasOf(v)
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
