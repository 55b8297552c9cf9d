package access_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// mutate derives an "after" config from before: members join, leave and change role;
// blueprints get new rules, open up, close down, disappear or appear.
func mutate(r *rand.Rand, before *portal.Config) *portal.Config {
	after := cloneConfig(before)
	var members []portal.Member
	for _, m := range after.Members {
		switch r.IntN(6) {
		case 0: // leaves
			continue
		case 1:
			if m.Role == portal.RoleAdmin {
				m.Role = portal.RoleUser
			} else {
				m.Role = portal.RoleAdmin
			}
		}
		members = append(members, m)
	}
	for range r.IntN(4) {
		e := pools.Email(r)
		if !slices.ContainsFunc(members, func(m portal.Member) bool { return m.Email == e }) {
			members = append(members, portal.Member{Email: e, Role: portal.RoleUser})
		}
	}
	after.Members = members
	var bps []portal.Blueprint
	for _, b := range after.Blueprints {
		switch r.IntN(8) {
		case 0: // no longer in after
			continue
		case 1, 2:
			b = pools.Blueprint(r, b.Name, after.Groups)
		case 3: // drop one rule, keep the others
			if len(b.Rules) > 1 {
				i := r.IntN(len(b.Rules))
				b.Rules = slices.Delete(b.Rules, i, i+1)
			}
		}
		bps = append(bps, b)
	}
	for i := range r.IntN(3) {
		bps = append(bps, pools.Blueprint(r, fmt.Sprintf("new%d", i), after.Groups))
	}
	after.Blueprints = bps
	after.Sort()
	return after
}

type accessOracle struct {
	email  string
	via    []string
	member bool
}

type impactOracle struct {
	name                 string
	gains, losses        []accessOracle
	added, removed       []portal.RuleKey
	wasOpen, open, newBp bool
	// rulesChange, with the audiences counted, for a blueprint whose rules change.
	rulesChange                   bool
	audienceBefore, audienceAfter int
}

func keysOf(rules []portal.Rule) []portal.RuleKey {
	out := make([]portal.RuleKey, len(rules))
	for i, r := range rules {
		out[i] = r.Key()
	}
	return out
}

func keyMinus(a, b []portal.Rule) []portal.RuleKey {
	in := map[portal.RuleKey]bool{}
	for _, r := range b {
		in[r.Key()] = true
	}
	var out []portal.RuleKey
	for _, r := range a {
		if !in[r.Key()] {
			out = append(out, r.Key())
		}
	}
	sort.Slice(out, func(i, j int) bool { return portal.LessKey(out[i], out[j]) })
	return out
}

// naiveImpact is the obvious computation: for every blueprint of after, its old
// audience among before's members against its new audience among after's members.
func naiveImpact(before, after *portal.Config) []impactOracle {
	var out []impactOracle
	for i := range after.Blueprints {
		nb := &after.Blueprints[i]
		ob, existed := before.Blueprint(nb.Name)
		oldA := map[string][]access.Via{}
		if existed {
			oldA = oracleAudience(before, &ob)
		}
		newA := oracleAudience(after, nb)
		io := impactOracle{name: nb.Name, open: nb.Open, newBp: !existed}
		if existed {
			io.wasOpen = ob.Open
			io.added = keyMinus(nb.Rules, ob.Rules)
			io.removed = keyMinus(ob.Rules, nb.Rules)
		} else {
			io.added = keyMinus(nb.Rules, nil)
		}
		for e, v := range newA {
			if _, ok := oldA[e]; !ok {
				_, wasMember := before.Member(e)
				io.gains = append(io.gains, accessOracle{email: e, via: viaSet(v), member: !wasMember})
			}
		}
		for e, v := range oldA {
			if _, ok := newA[e]; !ok {
				_, isMember := after.Member(e)
				io.losses = append(io.losses, accessOracle{email: e, via: viaSet(v), member: !isMember})
			}
		}
		sort.Slice(io.gains, func(i, j int) bool { return io.gains[i].email < io.gains[j].email })
		sort.Slice(io.losses, func(i, j int) bool { return io.losses[i].email < io.losses[j].email })
		accessChanged := !existed || ob.Open != nb.Open || !slices.Equal(keysOf(ob.Rules), keysOf(nb.Rules))
		if accessChanged {
			io.rulesChange, io.audienceBefore, io.audienceAfter = true, len(oldA), len(newA)
		}
		if accessChanged || len(io.gains) > 0 || len(io.losses) > 0 {
			out = append(out, io)
		}
	}
	return out
}

func toOracle(im access.Impact) []impactOracle {
	var out []impactOracle
	for _, b := range im.Blueprints {
		io := impactOracle{name: b.Name, wasOpen: b.WasOpen, open: b.Open, newBp: b.NewlyManaged,
			rulesChange: b.RulesChange, audienceBefore: b.AudienceBefore, audienceAfter: b.AudienceAfter}
		for _, a := range gainsOf(b) {
			io.gains = append(io.gains, accessOracle{email: a.Email, via: viaSet(a.Via), member: a.Member})
		}
		for _, a := range lossesOf(b) {
			io.losses = append(io.losses, accessOracle{email: a.Email, via: viaSet(a.Via), member: a.Member})
		}
		if len(b.RulesAdded) > 0 {
			io.added = keysOf(b.RulesAdded)
		}
		if len(b.RulesRemoved) > 0 {
			io.removed = keysOf(b.RulesRemoved)
		}
		out = append(out, io)
	}
	return out
}

func TestComputeImpactAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 400 {
		before := pools.Config(r, r.IntN(7))
		after := mutate(r, before)
		im := access.ComputeImpact(access.NewIndex(before), access.NewIndex(after))
		got, want := toOracle(im), naiveImpact(before, after)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d:\nbefore %+v\nafter  %+v\ngot  %+v\nwant %+v", iter, before, after, got, want)
		}
		// Members in no particular order (a config not from Sort) give the same
		// impact: who joins and who leaves is then found by lookups, not a merge.
		shuffled := cloneConfig(after)
		r.Shuffle(len(shuffled.Members), func(i, j int) { shuffled.Members[i], shuffled.Members[j] = shuffled.Members[j], shuffled.Members[i] })
		if got := toOracle(access.ComputeImpact(access.NewIndex(before), access.NewIndex(shuffled))); !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d, members shuffled:\ngot  %+v\nwant %+v", iter, got, want)
		}
		// Gains and losses are sorted by email.
		for _, b := range im.Blueprints {
			for _, list := range [][]access.Change{gainsOf(b), lossesOf(b)} {
				if !sort.SliceIsSorted(list, func(i, j int) bool { return list[i].Email < list[j].Email }) {
					t.Fatalf("iteration %d: %s: gains or losses not sorted", iter, b.Name)
				}
			}
		}
		// Counts: distinct members, and blueprints that open.
		g, l := map[string]bool{}, map[string]bool{}
		var opened []string
		for _, b := range want {
			for _, a := range b.gains {
				g[a.email] = true
			}
			for _, a := range b.losses {
				l[a.email] = true
			}
			if b.open && !b.wasOpen {
				opened = append(opened, b.name)
			}
		}
		cg, cl, co := im.Counts()
		if cg != len(g) || cl != len(l) || !slices.Equal(co, opened) {
			t.Fatalf("iteration %d: Counts() = %d, %d, %v; want %d, %d, %v", iter, cg, cl, co, len(g), len(l), opened)
		}
	}
}

func TestComputeImpactCases(t *testing.T) {
	dom := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	mail := func(e string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e} }
	members := []portal.Member{
		{Email: "alice@company.com", Role: portal.RoleAdmin},
		{Email: "bob@company.com", Role: portal.RoleUser},
		{Email: "carol@partner.org", Role: portal.RoleUser},
	}
	cfg := func(ms []portal.Member, bps ...portal.Blueprint) *portal.Config {
		c := &portal.Config{Members: ms, Blueprints: bps}
		c.Sort()
		return c
	}
	impactOf := func(before, after *portal.Config) access.Impact {
		return access.ComputeImpact(access.NewIndex(before), access.NewIndex(after))
	}
	emails := func(as []access.Change) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Email)
		}
		return out
	}
	only := func(t *testing.T, im access.Impact, name string) access.BlueprintImpact {
		t.Helper()
		if len(im.Blueprints) != 1 || im.Blueprints[0].Name != name {
			t.Fatalf("impact = %+v, want only %s", im.Blueprints, name)
		}
		return im.Blueprints[0]
	}

	t.Run("becomes open", func(t *testing.T) {
		im := impactOf(
			cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com")}}),
			cfg(members, portal.Blueprint{Name: "ds", Open: true}))
		b := only(t, im, "ds")
		if !b.BecomesOpen() || b.WasOpen || !b.Open {
			t.Errorf("BecomesOpen=%v WasOpen=%v Open=%v, want true false true", b.BecomesOpen(), b.WasOpen, b.Open)
		}
		if got := emails(gainsOf(b)); !slices.Equal(got, []string{"carol@partner.org"}) {
			t.Errorf("gains %v, want carol", got)
		}
		if gainsOf(b)[0].Member || !reflect.DeepEqual(gainsOf(b)[0].Via, []access.Via{{Open: true}}) {
			t.Errorf("gain = %+v, want via open access, not a member change", gainsOf(b)[0])
		}
		if len(lossesOf(b)) != 0 || len(b.RulesRemoved) != 1 || b.RulesRemoved[0].Key() != dom("company.com").Key() {
			t.Errorf("losses %v, rules removed %v", lossesOf(b), b.RulesRemoved)
		}
		if _, _, opened := im.Counts(); !slices.Equal(opened, []string{"ds"}) {
			t.Errorf("Counts opened = %v", opened)
		}
	})

	t.Run("open becomes restricted", func(t *testing.T) {
		b := only(t, impactOf(
			cfg(members, portal.Blueprint{Name: "ds", Open: true}),
			cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{mail("bob@company.com")}})), "ds")
		if b.BecomesOpen() || !b.WasOpen || b.Open {
			t.Errorf("BecomesOpen=%v WasOpen=%v Open=%v", b.BecomesOpen(), b.WasOpen, b.Open)
		}
		if got := emails(lossesOf(b)); !slices.Equal(got, []string{"alice@company.com", "carol@partner.org"}) {
			t.Errorf("losses %v", got)
		}
		for _, l := range lossesOf(b) {
			if l.Member || !reflect.DeepEqual(l.Via, []access.Via{{Open: true}}) {
				t.Errorf("loss %+v: want via open access (what granted it before), not a member change", l)
			}
		}
		if len(gainsOf(b)) != 0 {
			t.Errorf("gains %v", gainsOf(b))
		}
	})

	t.Run("rule removed but access kept through another rule", func(t *testing.T) {
		b := only(t, impactOf(
			cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com"), mail("bob@company.com")}}),
			cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com")}})), "ds")
		if len(gainsOf(b)) != 0 || len(lossesOf(b)) != 0 {
			t.Errorf("gains %v losses %v, want none: bob still matches company.com", gainsOf(b), lossesOf(b))
		}
		if len(b.RulesRemoved) != 1 || b.RulesRemoved[0].Key() != mail("bob@company.com").Key() || len(b.RulesAdded) != 0 {
			t.Errorf("rules added %v removed %v", b.RulesAdded, b.RulesRemoved)
		}
	})

	t.Run("member removed loses every blueprint they saw", func(t *testing.T) {
		bps := []portal.Blueprint{
			{Name: "a", Open: true},
			{Name: "b", Rules: []portal.Rule{dom("company.com")}},
			{Name: "c", Rules: []portal.Rule{mail("bob@company.com"), mail("carol@partner.org")}},
			{Name: "d", Rules: []portal.Rule{dom("partner.org")}},
		}
		im := impactOf(cfg(members, bps...), cfg(members[:1:1], bps...))
		lost := map[string][]string{}
		for _, b := range im.Blueprints {
			if len(gainsOf(b)) != 0 {
				t.Errorf("%s: gains %v", b.Name, gainsOf(b))
			}
			for _, l := range lossesOf(b) {
				if !l.Member {
					t.Errorf("%s: loss of %s not flagged as a member change", b.Name, l.Email)
				}
				lost[l.Email] = append(lost[l.Email], b.Name)
			}
		}
		want := map[string][]string{
			"bob@company.com":   {"a", "b", "c"},
			"carol@partner.org": {"a", "c", "d"},
		}
		if !reflect.DeepEqual(lost, want) {
			t.Errorf("losses = %v, want %v", lost, want)
		}
	})

	t.Run("member joins through a changed blueprint", func(t *testing.T) {
		b := only(t, impactOf(
			cfg(members[:2], portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com")}}),
			cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com"), dom("partner.org")}})), "ds")
		if len(gainsOf(b)) != 1 || gainsOf(b)[0].Email != "carol@partner.org" || !gainsOf(b)[0].Member {
			t.Errorf("gains %+v, want carol as a member change", gainsOf(b))
		}
	})

	t.Run("newly managed blueprint", func(t *testing.T) {
		b := only(t, impactOf(
			cfg(members),
			cfg(members, portal.Blueprint{Name: "new", Rules: []portal.Rule{dom("company.com")}})), "new")
		if !b.NewlyManaged || b.WasOpen {
			t.Errorf("NewlyManaged=%v WasOpen=%v", b.NewlyManaged, b.WasOpen)
		}
		if got := emails(gainsOf(b)); !slices.Equal(got, []string{"alice@company.com", "bob@company.com"}) {
			t.Errorf("gains %v", got)
		}
		if len(b.RulesAdded) != 1 || len(lossesOf(b)) != 0 {
			t.Errorf("rules added %v losses %v", b.RulesAdded, lossesOf(b))
		}
	})

	t.Run("nothing changes", func(t *testing.T) {
		c := cfg(members, portal.Blueprint{Name: "ds", Rules: []portal.Rule{dom("company.com")}})
		if im := impactOf(c, cloneConfig(c)); len(im.Blueprints) != 0 {
			t.Errorf("impact %+v, want none", im.Blueprints)
		}
	})
}

// TestComputeImpactLiveDuplicates: a live portal may list two members whose emails
// normalise alike; they sit side by side in email order, and neither leaves when the
// file keeps the address.
func TestComputeImpactLiveDuplicates(t *testing.T) {
	open := portal.Blueprint{Name: "everyone", Open: true}
	before := &portal.Config{Members: []portal.Member{
		{Email: "alice@company.com", ID: "1"}, {Email: "bob@company.com", ID: "2"}, {Email: "bob@company.com", ID: "3"}, {Email: "carol@company.com", ID: "4"},
	}, Blueprints: []portal.Blueprint{open}}
	after := &portal.Config{Members: []portal.Member{{Email: "bob@company.com"}, {Email: "dave@company.com"}}, Blueprints: []portal.Blueprint{open}}
	im := access.ComputeImpact(access.NewIndex(before), access.NewIndex(after))
	if len(im.Blueprints) != 1 {
		t.Fatalf("impact %+v, want one blueprint", im.Blueprints)
	}
	var gains, losses []string
	for _, c := range im.Blueprints[0].Gains {
		gains = append(gains, c.Email)
	}
	for _, c := range im.Blueprints[0].Losses {
		losses = append(losses, c.Email)
	}
	if !slices.Equal(gains, []string{"dave@company.com"}) || !slices.Equal(losses, []string{"alice@company.com", "carol@company.com"}) {
		t.Errorf("gains %v, losses %v; want dave gained, alice and carol lost, bob kept", gains, losses)
	}
}

// gainsOf and lossesOf walk a blueprint's gains and losses into lists.
func gainsOf(b access.BlueprintImpact) []access.Change {
	var out []access.Change
	b.EachGain(func(c access.Change) { out = append(out, c) })
	if n := b.GainCount(); n != len(out) {
		panic(fmt.Sprintf("%s: GainCount %d, walked %d", b.Name, n, len(out)))
	}
	return out
}

func lossesOf(b access.BlueprintImpact) []access.Change {
	var out []access.Change
	b.EachLoss(func(c access.Change) { out = append(out, c) })
	if n := b.LossCount(); n != len(out) {
		panic(fmt.Sprintf("%s: LossCount %d, walked %d", b.Name, n, len(out)))
	}
	return out
}
