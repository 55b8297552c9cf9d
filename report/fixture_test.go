package report

import (
	"fmt"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// wideSpec sizes a synthetic pull request that touches many blueprints at once.
type wideSpec struct {
	Blueprints int // blueprints in the portal, each with rules
	Changed    int // of which so many get one more email rule
	DomainGain int // members of bigcorp.com, who gain bp-0001 through a new domain rule
	Opened     int // blueprints that become open to everyone
	LoseDomain int // blueprints that lose the company.com domain rule (150 members each)
	Removals   int // members of oldvendor.io removed, each seeing several blueprints
	Invites    int // members invited at partner.org
	Promotions int
}

// wideConfigs builds the portal before and after such a change, as the loader would
// (sorted, normalised). Names are regular so that goldens read easily.
func wideConfigs(s wideSpec) (before, after *portal.Config) {
	member := func(email string, role portal.Role) portal.Member {
		return portal.Member{Email: email, Role: role}
	}
	email := func(e string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e} }
	domain := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	build := func(head bool) *portal.Config {
		c := &portal.Config{Version: 1, Organization: "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", Groups: map[string][]string{}}
		for i := range 150 {
			role := portal.RoleUser
			if i < 3 || head && i >= 3 && i < 3+s.Promotions {
				role = portal.RoleAdmin
			}
			c.Members = append(c.Members, member(fmt.Sprintf("dev%03d@company.com", i), role))
		}
		for i := range s.DomainGain {
			c.Members = append(c.Members, member(fmt.Sprintf("u%04d@bigcorp.com", i), portal.RoleUser))
		}
		if !head {
			for i := range s.Removals {
				c.Members = append(c.Members, member(fmt.Sprintf("old%02d@oldvendor.io", i), portal.RoleUser))
			}
		} else {
			for i := range s.Invites {
				role := portal.RoleUser
				if i == 0 {
					role = portal.RoleAdmin
				}
				c.Members = append(c.Members, member(fmt.Sprintf("new%02d@partner.org", i), role))
			}
		}
		for i := range s.Blueprints {
			b := portal.Blueprint{Name: fmt.Sprintf("bp-%04d", i+1)}
			b.Rules = []portal.Rule{email(fmt.Sprintf("dev%03d@company.com", i%150)), email(fmt.Sprintf("old%02d@oldvendor.io", i%max(1, s.Removals)))}
			if i%7 == 0 || i >= s.Blueprints-s.LoseDomain {
				b.Rules = append(b.Rules, domain("company.com"))
			}
			if i%11 == 0 {
				b.Rules = append(b.Rules, domain("partner.org"))
			}
			if head {
				switch {
				case i == 0:
					b.Rules = append(b.Rules, domain("bigcorp.com"))
				case i >= 1 && i <= s.Opened:
					b.Rules = nil
				case i >= s.Blueprints-s.LoseDomain:
					var kept []portal.Rule
					for _, r := range b.Rules {
						if r.Value != "company.com" {
							kept = append(kept, r)
						}
					}
					b.Rules = kept
				case i <= s.Changed:
					b.Rules = append(b.Rules, email(fmt.Sprintf("dev%03d@company.com", (i*7+1)%150)))
				}
			}
			b.Open = len(b.Rules) == 0
			c.Blueprints = append(c.Blueprints, b)
		}
		c.Sort()
		return c
	}
	return build(false), build(true)
}

// widePlan is the preview of a wide change, and the state it starts from.
func widePlan(t testing.TB, s wideSpec) (*reconcile.Plan, *portal.Config) {
	t.Helper()
	before, after := wideConfigs(s)
	return diffOffline(t, after, before), before
}

// theWidePR is the wide pull request of the golden file: 290 blueprints whose rules
// change, a domain gain of 1,830 people, a dozen removals.
var theWidePR = wideSpec{Blueprints: 300, Changed: 280, DomainGain: 1830, Opened: 2, LoseDomain: 7, Removals: 12, Invites: 2, Promotions: 1}

// testProvenance is what preview finds in a pull_request workflow.
func testProvenance() *Provenance {
	return &Provenance{
		File: "portal.yaml", Path: "portal.yaml",
		Base:          Revision{Ref: "HEAD^1", Commit: "1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5"},
		Head:          Revision{Ref: "HEAD", Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"},
		RepositoryURL: "https://github.com/acme/portal-access",
		RunURL:        "https://github.com/acme/portal-access/actions/runs/123456789",
	}
}
