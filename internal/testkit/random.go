package testkit

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/qovery/portalctl/portal"
)

// Pools are what a random portal is drawn from: few names and domains, so that
// random rules and members collide often.
type Pools struct {
	Locals  []string // the part of an email before the @
	Domains []string // normalised
	Groups  []string
}

// Email draws an email of the pools.
func (p Pools) Email(r *rand.Rand) string {
	return p.Locals[r.IntN(len(p.Locals))] + "@" + p.Domains[r.IntN(len(p.Domains))]
}

// Emails lists every email the pools can produce.
func (p Pools) Emails() []string {
	var out []string
	for _, l := range p.Locals {
		for _, d := range p.Domains {
			out = append(out, l+"@"+d)
		}
	}
	return out
}

// Config builds a random normalised config the way schema would: members with
// roles, groups (some empty) expanded into email rules that carry their group's
// name, open blueprints without rules, rules sorted and de-duplicated.
func (p Pools) Config(r *rand.Rand, nBlueprints int) *portal.Config {
	cfg := &portal.Config{Version: 1, Groups: map[string][]string{}}
	seen := map[string]bool{}
	for range r.IntN(12) {
		e := p.Email(r)
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
	for _, g := range p.Groups {
		set := map[string]bool{}
		for range r.IntN(4) {
			e := p.Email(r)
			if !set[e] {
				set[e] = true
				cfg.Groups[g] = append(cfg.Groups[g], e)
			}
		}
	}
	for i := range nBlueprints {
		cfg.Blueprints = append(cfg.Blueprints, p.Blueprint(r, fmt.Sprintf("bp%02d", i), cfg.Groups))
	}
	cfg.Sort()
	return cfg
}

// Blueprint builds a random blueprint named name, open or with one to four
// draws of a domain, an email or a group of groups (its emails, each rule
// carrying the group's name; the groups drawn are its Groups, in the order
// drawn). An email written on it and also in a group is the written one's.
func (p Pools) Blueprint(r *rand.Rand, name string, groups map[string][]string) portal.Blueprint {
	b := portal.Blueprint{Name: name}
	if r.IntN(5) == 0 {
		b.Open = true
		return b
	}
	var rules []portal.Rule
	for range 1 + r.IntN(4) {
		switch r.IntN(3) {
		case 0:
			rules = append(rules, portal.Rule{Kind: portal.RuleDomain, Value: p.Domains[r.IntN(len(p.Domains))]})
		case 1:
			rules = append(rules, portal.Rule{Kind: portal.RuleEmail, Value: p.Email(r)})
		case 2:
			g := p.Groups[r.IntN(len(p.Groups))]
			if !slices.Contains(b.Groups, g) {
				b.Groups = append(b.Groups, g)
			}
			for _, e := range groups[g] {
				rules = append(rules, portal.Rule{Kind: portal.RuleEmail, Value: e, Group: g})
			}
		}
	}
	// Rules written on the blueprint first: SortRules keeps the first of a key.
	slices.SortStableFunc(rules, func(a, b portal.Rule) int {
		switch {
		case a.Group == "" && b.Group != "":
			return -1
		case a.Group != "" && b.Group == "":
			return 1
		}
		return 0
	})
	b.Rules = portal.SortRules(rules)
	if len(b.Rules) == 0 { // only empty groups were drawn
		b.Rules = []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}
	}
	return b
}
