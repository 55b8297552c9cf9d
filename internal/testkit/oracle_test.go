package testkit_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

func TestGrants(t *testing.T) {
	domain := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	email := func(e, g string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e, Group: g} }
	cfg := &portal.Config{
		Members: []portal.Member{{Email: "zoe@company.com"}, {Email: "ann@eu.company.com"}, {Email: "bob@partner.org"}},
		Blueprints: []portal.Blueprint{
			{Name: "b-open", Open: true},
			{Name: "a-company", Rules: []portal.Rule{domain("company.com"), email("bob@partner.org", "contractors")}},
			{Name: "c-nobody", Rules: []portal.Rule{domain("gmail.com"), email("ann@company.com", "")}},
		},
	}
	var got []string
	for _, g := range testkit.Grants(cfg) {
		var via []string
		if g.Open {
			via = append(via, "open")
		}
		for _, r := range g.Rules {
			via = append(via, r.String()+"/"+r.Group)
		}
		got = append(got, g.Member.Email+" "+g.Blueprint.Name+" "+strings.Join(via, ","))
	}
	want := []string{
		"ann@eu.company.com b-open open", // a sub-domain is not its parent
		"bob@partner.org a-company email bob@partner.org/contractors",
		"bob@partner.org b-open open",
		"zoe@company.com a-company domain company.com/",
		"zoe@company.com b-open open",
	}
	if !slices.Equal(got, want) {
		t.Errorf("grants\n%q\nwant\n%q", got, want)
	}
	if a := testkit.Audience(cfg, &cfg.Blueprints[1]); len(a) != 2 || !a["zoe@company.com"].Sees() || a["ann@eu.company.com"].Sees() {
		t.Errorf("audience of a-company: %+v", a)
	}
}

// TestPoolsConfig: a random config is normalised as schema leaves one (sorted,
// rules de-duplicated, an open blueprint without rules), and its blueprints
// name the groups their rules come from.
func TestPoolsConfig(t *testing.T) {
	p := testkit.Pools{Locals: []string{"a", "b"}, Domains: []string{"x.com", "y.org"}, Groups: []string{"g1", "g2"}}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		cfg := p.Config(r, 6)
		if !slices.IsSortedFunc(cfg.Members, func(a, b portal.Member) int { return strings.Compare(a.Email, b.Email) }) {
			t.Fatalf("members not sorted: %+v", cfg.Members)
		}
		for _, b := range cfg.Blueprints {
			if b.Open != (len(b.Rules) == 0) {
				t.Fatalf("%s: open %v with %d rules", b.Name, b.Open, len(b.Rules))
			}
			for i, rule := range b.Rules {
				if i > 0 && !portal.LessKey(b.Rules[i-1].Key(), rule.Key()) {
					t.Fatalf("%s: rules not sorted and distinct: %v", b.Name, b.Rules)
				}
				if rule.Group != "" && !slices.Contains(b.Groups, rule.Group) {
					t.Fatalf("%s: a rule of group %s, not among its groups %v", b.Name, rule.Group, b.Groups)
				}
			}
		}
	}
	if got := p.Emails(); !slices.Equal(got, []string{"a@x.com", "a@y.org", "b@x.com", "b@y.org"}) {
		t.Errorf("emails %v", got)
	}
}
