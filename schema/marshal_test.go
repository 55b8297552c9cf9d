package schema

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/portal"
)

// marshalDay is the day the round trips judge dates on.
var marshalDay = day("2026-11-20")

// What a hand may write in a valid portal.yaml: addresses and domains in other
// cases, with a leading @, Unicode domains, names YAML reads as other types.
var (
	rtLocals  = []string{"alice", "Bob", "first.last", "user+tag", "o'neil", "élodie"}
	rtDomains = []string{"company.com", "Company.COM", "@partner.org", "eu.company.com", "bücher.de", "xn--mnchen-3ya.de"}
	rtGroups  = []string{"team", "ops.eu", "x_1", "Contractors", "123", "true"}
	rtNames   = []string{"data-science", "yes", "null", "123", "<<", "a: b", "#hash", "ünïcödé", "with \"quotes\"", "trailing space ", "x-ray", "~"}
	rtRoles   = []string{"Admin", "viewer", "Billing Manager", "true", "123", "Data: Team", "#1"}
	rtDates   = []string{"2026-11-19", "2026-11-20", "2026-12-01", "2027-02-28", "'2026-12-31'"}
)

func rtPick[T any](r *rand.Rand, values []T) T { return values[r.IntN(len(values))] }

func rtEmail(r *rand.Rand) string {
	return rtPick(r, rtLocals) + "@" + strings.TrimPrefix(rtPick(r, rtDomains), "@")
}

// yamlString writes s as a double-quoted YAML scalar.
func yamlString(s string) string { return fmt.Sprintf("%q", s) }

// randomValidFile writes a random portal.yaml that means to be valid: every
// section and every way to write a rule, in random order and spelling. Some
// come out invalid (a policy the file breaks, say); the caller skips those.
func randomValidFile(r *rand.Rand) []byte {
	var b strings.Builder
	b.WriteString("version: 1\n")
	if r.IntN(2) == 0 {
		b.WriteString("organization: 0B5C2A34-7d0e-4f55-9a61-3b0d1c2e9f10\n")
	}
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
		if len(rules) == 0 {
			b.WriteString("policy: {}\n")
		} else {
			b.WriteString("policy:\n  " + strings.Join(rules, "\n  ") + "\n")
		}
	}
	b.WriteString("members:\n")
	seen := map[string]bool{}
	for range 1 + r.IntN(8) {
		e := rtEmail(r)
		if n, _ := portal.NormalizeEmail(e); seen[n] {
			continue
		} else {
			seen[n] = true
		}
		fmt.Fprintf(&b, "  - email: %s\n", yamlString(e))
		switch r.IntN(3) {
		case 0:
			b.WriteString("    role: admin\n")
		case 1:
			b.WriteString("    role: user\n")
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    expires: %s\n", rtPick(r, rtDates))
		}
	}
	var groups []string
	if r.IntN(2) == 0 {
		var lines []string
		for _, g := range rtGroups {
			if r.IntN(2) == 0 {
				continue
			}
			groups = append(groups, g)
			var es []string
			for range r.IntN(4) { // empty groups too, and an email twice
				es = append(es, yamlString(rtEmail(r)))
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
			e := rtEmail(r)
			if n, _ := portal.NormalizeEmail(e); oseen[n] {
				continue
			} else {
				oseen[n] = true
			}
			fmt.Fprintf(&b, "  - email: %s\n    role: %s\n", yamlString(e), yamlString(rtPick(r, rtRoles)))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    expires: %s\n", rtPick(r, rtDates))
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
		name := rtPick(r, rtNames)
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
					vs = append(vs, yamlString(rtPick(r, rtDomains)))
				}
			case k == "emails" && r.IntN(2) == 0:
				for range 1 + r.IntN(3) {
					vs = append(vs, yamlString(rtEmail(r)))
				}
			case k == "groups" && len(groups) > 0 && r.IntN(2) == 0:
				for range 1 + r.IntN(3) {
					vs = append(vs, yamlString(rtPick(r, groups)))
				}
			}
			if len(vs) > 0 {
				fmt.Fprintf(&b, "    %s: [%s]\n", k, strings.Join(vs, ", "))
				wrote = true
			}
		}
		if !wrote {
			fmt.Fprintf(&b, "    domains: [%s]\n", yamlString(rtPick(r, rtDomains)))
		}
	}
	return []byte(b.String())
}

// comparable is cfg without what a round trip may change: where things are
// written, and the file's name.
func comparable(cfg *portal.Config) *portal.Config {
	c := *cfg
	c.File = ""
	c.Members = append([]portal.Member(nil), cfg.Members...)
	for i := range c.Members {
		c.Members[i].Pos, c.Members[i].ExpiresPos = portal.Pos{}, portal.Pos{}
	}
	c.Blueprints = append([]portal.Blueprint(nil), cfg.Blueprints...)
	for i, bp := range c.Blueprints {
		c.Blueprints[i].Pos = portal.Pos{}
		c.Blueprints[i].Rules = append([]portal.Rule{}, bp.Rules...)
		for j := range c.Blueprints[i].Rules {
			c.Blueprints[i].Rules[j].Pos = portal.Pos{}
		}
	}
	if cfg.Org != nil {
		org := *cfg.Org
		org.Pos = portal.Pos{}
		org.Members = append([]portal.OrgMember(nil), cfg.Org.Members...)
		for i := range org.Members {
			org.Members[i].Pos, org.Members[i].RolePos, org.Members[i].ExpiresPos = portal.Pos{}, portal.Pos{}, portal.Pos{}
		}
		c.Org = &org
	}
	if cfg.Policy != nil {
		p := *cfg.Policy
		p.Pos = portal.Pos{}
		p.Set = map[portal.PolicyRule]portal.Pos{}
		for r := range cfg.Policy.Set {
			p.Set[r] = portal.Pos{}
		}
		c.Policy = &p
	}
	return &c
}

// checkRoundTrip: the model of a valid file, written by Marshal and read back by
// the loader, is the same model, and writing that again gives the same text.
func checkRoundTrip(t *testing.T, l *Loader, src []byte) (ok bool) {
	t.Helper()
	cfg, ds := l.Parse("a.yaml", src)
	if ds.HasErrors() {
		return false
	}
	out, err := Marshal(cfg, "")
	if err != nil {
		t.Fatalf("Marshal: %v\n%s", err, src)
	}
	back, ds := l.Parse("b.yaml", out)
	if ds.HasErrors() {
		t.Fatalf("Marshal's output does not load: %v\nfile:\n%s\nwritten:\n%s", ds, src, out)
	}
	if want, got := comparable(cfg), comparable(back); !reflect.DeepEqual(got, want) {
		t.Fatalf("read back another model:\n%+v\nwant\n%+v\nfile:\n%s\nwritten:\n%s", got, want, src, out)
	}
	again, err := Marshal(back, "")
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("written again: %v\n%s\nfirst:\n%s", err, again, out)
	}
	return true
}

// TestMarshalRoundTrip: any valid file round-trips through Marshal: random
// files of every section, the generated portals of the benchmarks, and the
// random documents of the schema's oracle that happen to be valid.
func TestMarshalRoundTrip(t *testing.T) {
	l, err := New(Today(marshalDay))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(21, 3))
	valid := 0
	covered := map[string]int{}
	for range 2000 {
		src := randomValidFile(r)
		if !checkRoundTrip(t, l, src) {
			continue
		}
		valid++
		cfg, _ := l.Parse("a.yaml", src)
		for _, bp := range cfg.Blueprints {
			if len(bp.Groups) > 0 {
				covered["blueprint with groups"]++
			}
			for _, rule := range bp.Rules {
				if rule.Kind == portal.RuleEmail && rule.Group == "" && len(bp.Groups) > 0 {
					covered["email written beside groups"]++
				}
			}
			if bp.Open {
				covered["open blueprint"]++
			}
		}
		for _, m := range cfg.Members {
			if !m.Expires.IsZero() {
				covered["member with expires"]++
			}
		}
		for _, g := range cfg.Groups {
			if len(g) == 0 {
				covered["empty group"]++
			}
		}
		if cfg.Org != nil && len(cfg.Org.Members) > 1 {
			covered["organization members"]++
		}
		if cfg.Policy != nil && len(cfg.Policy.Set) > 0 {
			covered["policy"]++
		}
		if cfg.Policy.Has(portal.PolicyRequireExpiryOutside) && len(cfg.Policy.RequireExpiryOutside) == 0 {
			covered["require_expiry_outside: []"]++
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of 2000 random files are valid", valid)
	}
	for _, k := range []string{"blueprint with groups", "email written beside groups", "open blueprint", "member with expires", "empty group", "organization members", "policy", "require_expiry_outside: []"} {
		if covered[k] == 0 {
			t.Errorf("no valid file had a %s", k)
		}
	}
	for _, spec := range []synth.Spec{{Members: 300, Blueprints: 40, Rules: 10, Seed: 1}, {Members: 50, Blueprints: 5, Rules: 3, Seed: 2}} {
		g := synth.New(spec)
		for _, ch := range []synth.Change{{}, {ChangedBlueprints: 3, OpenBlueprints: 2, NewMembers: 4, RemovedMembers: 2, DomainAdded: 1}} {
			if !checkRoundTrip(t, l, g.YAML(ch)) {
				t.Fatalf("the generated portal %+v is not valid", spec)
			}
		}
	}
	oracle := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		src, err := yaml.Dump(randomDocument(oracle))
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, l, src)
	}
}

// TestMarshalGroupRuleWithoutGroup: an email rule that carries a group the
// blueprint does not name could not be read back so: Marshal refuses it.
func TestMarshalGroupRuleWithoutGroup(t *testing.T) {
	cfg := &portal.Config{Blueprints: []portal.Blueprint{{Name: "b", Rules: []portal.Rule{{Kind: portal.RuleEmail, Value: "a@company.com", Group: "team"}}}}}
	if _, err := Marshal(cfg, ""); err == nil || !strings.Contains(err.Error(), `group "team", which the blueprint does not name`) {
		t.Fatalf("Marshal: %v", err)
	}
}
