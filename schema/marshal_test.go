package schema

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// marshalDay is the day the round trips judge dates on.
var marshalDay = day("2026-11-20")

// comparable is cfg without what a round trip may change: where things are
// written, and the file's name.
func comparable(cfg *portal.Config) *portal.Config {
	c := *cfg
	c.File, c.Layout = "", nil
	c.Members = append([]portal.Member(nil), cfg.Members...)
	for i := range c.Members {
		c.Members[i].Pos, c.Members[i].ExpiresPos = portal.Pos{}, portal.Pos{}
	}
	c.Blueprints = append([]portal.Blueprint(nil), cfg.Blueprints...)
	for i, bp := range c.Blueprints {
		c.Blueprints[i].Pos, c.Blueprints[i].ReviewedPos, c.Blueprints[i].OwnersPos = portal.Pos{}, portal.Pos{}, nil
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
		p.Pos, p.RequiredAdminsPos = portal.Pos{}, nil
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
	// Written a chunk at a time, a long section is the same text.
	for _, chunk := range []int{1, 2, 7} {
		if chunked, err := marshal(cfg, "", chunk); err != nil || !bytes.Equal(chunked, out) {
			t.Fatalf("written %d entries at a time: %v\n%s\nwhole:\n%s", chunk, err, chunked, out)
		}
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
		src := testkit.RandomFile(r)
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
			if len(bp.Owners) > 0 {
				covered["blueprint with owners"]++
			}
			if !bp.Reviewed.IsZero() {
				covered["blueprint reviewed"]++
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
		for _, rule := range []portal.PolicyRule{portal.PolicyReviewEveryDays, portal.PolicyMaxPendingDays} {
			if cfg.Policy.Has(rule) {
				covered[string(rule)]++
			}
		}
		if cfg.Policy != nil && len(cfg.Policy.RequiredAdmins) > 0 {
			covered["required_admins"]++
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of 2000 random files are valid", valid)
	}
	for _, k := range []string{"blueprint with groups", "email written beside groups", "open blueprint", "member with expires", "empty group", "organization members", "policy", "require_expiry_outside: []",
		"blueprint with owners", "blueprint reviewed", "review_every_days", "max_pending_days", "required_admins"} {
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
