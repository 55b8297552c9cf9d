package access_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// checkViewers compares Index.Viewers(b) with the oracle over cfg's members.
func checkViewers(t *testing.T, ix *access.Index, cfg *portal.Config, b *portal.Blueprint) {
	t.Helper()
	got := ix.Viewers(b)
	want := oracleAudience(cfg, b)
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Email < got[j].Email }) {
		t.Errorf("Viewers(%s) not sorted by email: %v", b.Name, got)
	}
	gotEmails := map[string]bool{}
	for _, v := range got {
		if gotEmails[v.Email] {
			t.Errorf("Viewers(%s) lists %s twice", b.Name, v.Email)
		}
		gotEmails[v.Email] = true
		w, ok := want[v.Email]
		if !ok {
			t.Errorf("Viewers(%s) lists %s, who does not see it (rules %v, open %v)", b.Name, v.Email, b.Rules, b.Open)
			continue
		}
		if g, w := viaSet(v.Via), viaSet(w); !reflect.DeepEqual(g, w) {
			t.Errorf("Viewers(%s): %s via %v, want %v", b.Name, v.Email, g, w)
		}
	}
	for e := range want {
		if !gotEmails[e] {
			t.Errorf("Viewers(%s) misses %s (rules %v, open %v)", b.Name, e, b.Rules, b.Open)
		}
	}
	// ViewersAt is the same audience by position, in the config's order of
	// members, with the same reasons.
	at, via := ix.ViewersAt(b)
	if !slices.IsSorted(at) || len(at) != len(via) || len(at) != len(got) {
		t.Errorf("ViewersAt(%s) = %v, %v: not ascending, or not one reason list each of the %d viewers", b.Name, at, via, len(got))
	}
	byEmail := map[string][]access.Via{}
	for _, v := range got {
		byEmail[v.Email] = v.Via
	}
	for i, mi := range at {
		if e := cfg.Members[mi].Email; !reflect.DeepEqual(via[i], byEmail[e]) {
			t.Errorf("ViewersAt(%s): %s (position %d) via %v, Viewers says %v", b.Name, e, mi, via[i], byEmail[e])
		}
	}
	// Why gives each member's reasons, none to a member who does not see it.
	for _, m := range cfg.Members {
		if g, w := viaSet(access.Why(b, m.Email)), viaSet(want[m.Email]); !reflect.DeepEqual(g, w) {
			t.Errorf("Why(%s, %s) = %v, want %v", b.Name, m.Email, g, w)
		}
	}
}

// checkVisible compares Index.Visible(email) with the oracle over cfg's blueprints.
func checkVisible(t *testing.T, ix *access.Index, cfg *portal.Config, email string) {
	t.Helper()
	got := ix.Visible(email)
	want := map[string][]access.Via{}
	for i := range cfg.Blueprints {
		if v := oracleVia(email, &cfg.Blueprints[i]); len(v) > 0 {
			want[cfg.Blueprints[i].Name] = v
		}
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Blueprint < got[j].Blueprint }) {
		t.Errorf("Visible(%s) not sorted by name", email)
	}
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s.Blueprint] {
			t.Errorf("Visible(%s) lists %s twice", email, s.Blueprint)
		}
		seen[s.Blueprint] = true
		w, ok := want[s.Blueprint]
		if !ok {
			t.Errorf("Visible(%s) lists %s, which it does not see", email, s.Blueprint)
			continue
		}
		if g, w := viaSet(s.Via), viaSet(w); !reflect.DeepEqual(g, w) {
			t.Errorf("Visible(%s): %s via %v, want %v", email, s.Blueprint, g, w)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("Visible(%s) misses %s", email, name)
		}
	}
}

// TestIndexAgainstOracle checks the indexed engine against the obvious members ×
// blueprints × rules loop on random configs.
func TestIndexAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	emails := append(pools.Emails(), "nobody@nowhere.org")
	for iter := range 400 {
		cfg := pools.Config(r, r.IntN(8))
		if iter%4 == 0 {
			// Members out of email order, as a config built in code can be.
			r.Shuffle(len(cfg.Members), func(i, j int) { cfg.Members[i], cfg.Members[j] = cfg.Members[j], cfg.Members[i] })
		}
		ix := access.NewIndex(cfg)
		for i := range cfg.Blueprints {
			checkViewers(t, ix, cfg, &cfg.Blueprints[i])
		}
		// A blueprint that is not one of the config's own (the impact of a plan asks
		// about the new version of a blueprint against the old members).
		other := pools.Blueprint(r, "elsewhere", cfg.Groups)
		checkViewers(t, ix, cfg, &other)
		// Audiences answers as the whole index does, for any few blueprints.
		var some []*portal.Blueprint
		for i := range cfg.Blueprints {
			if r.IntN(2) == 0 {
				some = append(some, &cfg.Blueprints[i])
			}
		}
		some = append(some, &other)
		for i, at := range access.Audiences(cfg, some) {
			if want, _ := ix.ViewersAt(some[i]); !slices.Equal(at, want) {
				t.Errorf("Audiences: %s seen by the members at %v, the index says %v", some[i].Name, at, want)
			}
		}
		// Members and non-members alike.
		for _, e := range emails {
			checkVisible(t, ix, cfg, e)
			_, member := cfg.Member(e)
			if ix.IsMember(e) != member {
				t.Errorf("IsMember(%s) = %v, want %v", e, !member, member)
			}
		}
		for i := range cfg.Blueprints {
			b, ok := ix.Blueprint(cfg.Blueprints[i].Name)
			if !ok || b.Name != cfg.Blueprints[i].Name {
				t.Errorf("Blueprint(%s) = %v, %v", cfg.Blueprints[i].Name, b, ok)
			}
		}
		if _, ok := ix.Blueprint("elsewhere"); ok {
			t.Error("Blueprint(elsewhere) found a blueprint the config does not have")
		}
		if t.Failed() {
			t.Fatalf("iteration %d: config %+v", iter, cfg)
		}
	}
}

func TestIndexCases(t *testing.T) {
	dom := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	mail := func(e, group string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e, Group: group} }
	viaDom := func(d string) access.Via {
		return access.Via{Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: d}}
	}
	viaMail := func(e, group string) access.Via {
		return access.Via{Rule: portal.RuleKey{Kind: portal.RuleEmail, Value: e}, Group: group}
	}
	members := []portal.Member{
		{Email: "alice@company.com"}, {Email: "bob@eu.company.com"}, {Email: "carol@partner.org"}, {Email: "dave@company.co"},
	}
	tests := []struct {
		name string
		bp   portal.Blueprint
		want []access.Viewer
	}{
		{
			name: "sub-domain and look-alike domain do not match",
			bp:   portal.Blueprint{Name: "x", Rules: []portal.Rule{dom("company.com")}},
			want: []access.Viewer{{Email: "alice@company.com", Via: []access.Via{viaDom("company.com")}}},
		},
		{
			name: "sub-domain rule matches only the sub-domain",
			bp:   portal.Blueprint{Name: "x", Rules: []portal.Rule{dom("eu.company.com")}},
			want: []access.Viewer{{Email: "bob@eu.company.com", Via: []access.Via{viaDom("eu.company.com")}}},
		},
		{
			name: "open blueprint: every member, via open access",
			bp:   portal.Blueprint{Name: "x", Open: true},
			want: []access.Viewer{
				{Email: "alice@company.com", Via: []access.Via{{Open: true}}},
				{Email: "bob@eu.company.com", Via: []access.Via{{Open: true}}},
				{Email: "carol@partner.org", Via: []access.Via{{Open: true}}},
				{Email: "dave@company.co", Via: []access.Via{{Open: true}}},
			},
		},
		{
			name: "domain and group email both grant: two reasons",
			bp:   portal.Blueprint{Name: "x", Rules: []portal.Rule{dom("company.com"), mail("alice@company.com", "leads")}},
			want: []access.Viewer{{Email: "alice@company.com", Via: []access.Via{viaDom("company.com"), viaMail("alice@company.com", "leads")}}},
		},
		{
			name: "email rule for a non-member grants no member",
			bp:   portal.Blueprint{Name: "x", Rules: []portal.Rule{mail("zoe@company.com", "")}},
			want: nil,
		},
		{
			name: "email rule of another domain",
			bp:   portal.Blueprint{Name: "x", Rules: []portal.Rule{dom("partner.org"), mail("dave@company.co", "")}},
			want: []access.Viewer{
				{Email: "carol@partner.org", Via: []access.Via{viaDom("partner.org")}},
				{Email: "dave@company.co", Via: []access.Via{viaMail("dave@company.co", "")}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &portal.Config{Members: members, Blueprints: []portal.Blueprint{tt.bp}}
			ix := access.NewIndex(cfg)
			got := ix.Viewers(&cfg.Blueprints[0])
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			// Compare what callers see: emails and reasons.
			type seen struct {
				Email string
				Via   []access.Via
			}
			strip := func(vs []access.Viewer) []seen {
				out := make([]seen, len(vs))
				for i, v := range vs {
					out[i] = seen{v.Email, v.Via}
				}
				return out
			}
			if !reflect.DeepEqual(strip(got), strip(tt.want)) {
				t.Errorf("Viewers = %+v\nwant      %+v", strip(got), strip(tt.want))
			}
		})
	}
}

func TestVisibleNonMember(t *testing.T) {
	cfg := &portal.Config{
		Members: []portal.Member{{Email: "alice@company.com"}},
		Blueprints: []portal.Blueprint{
			{Name: "a-open", Open: true},
			{Name: "b-domain", Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}},
			{Name: "c-email", Rules: []portal.Rule{{Kind: portal.RuleEmail, Value: "zoe@company.com", Group: "contractors"}}},
			{Name: "d-other", Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "eu.company.com"}}},
		},
	}
	got := access.NewIndex(cfg).Visible("zoe@company.com")
	want := []access.Seen{
		{Blueprint: "a-open", Via: []access.Via{{Open: true}}},
		{Blueprint: "b-domain", Via: []access.Via{{Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: "company.com"}}}},
		{Blueprint: "c-email", Via: []access.Via{{Rule: portal.RuleKey{Kind: portal.RuleEmail, Value: "zoe@company.com"}, Group: "contractors"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Visible(zoe) = %+v\nwant %+v", got, want)
	}
	if s := want[2].Via[0].String(); s != "group contractors" {
		t.Errorf("Via.String() of a group rule = %q, want %q", s, "group contractors")
	}
	if s := want[1].Via[0].String(); s != "domain company.com" {
		t.Errorf("Via.String() of a domain rule = %q", s)
	}
	if s := want[0].Via[0].String(); s != "open access" {
		t.Errorf("Via.String() of open access = %q", s)
	}
}
