package access_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// row is one grant as the oracle and the tests compare them.
type row struct {
	email, blueprint string
	via              []access.Via
}

// oracleRows is the obvious members × blueprints × rules loop (testkit.Grants),
// sorted by email then blueprint.
func oracleRows(cfg *portal.Config) []row {
	var out []row
	for _, g := range testkit.Grants(cfg) {
		out = append(out, row{g.Member.Email, g.Blueprint.Name, viasOf(g.Via)})
	}
	return out
}

// oracleSummary computes the summary the obvious way: counts from the oracle's
// rows, medians and tops from sorted copies, and a domain usual when it has more
// than one member and the domains with more members than it hold less than
// UsualPercent of all members.
func oracleSummary(cfg *portal.Config, rows []row) access.Summary {
	perMember, perBlueprint := map[string]int{}, map[string]int{}
	for _, m := range cfg.Members {
		perMember[m.Email] += 0
	}
	for _, b := range cfg.Blueprints {
		perBlueprint[b.Name] += 0
	}
	for _, r := range rows {
		perMember[r.email]++
		perBlueprint[r.blueprint]++
	}
	dist := func(counts map[string]int) access.Distribution {
		var all []access.Count
		for name, n := range counts {
			all = append(all, access.Count{Name: name, N: n})
		}
		if len(all) == 0 {
			return access.Distribution{Top: []access.Count{}}
		}
		slices.SortFunc(all, func(a, b access.Count) int {
			return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Name, b.Name))
		})
		ns := make([]float64, len(all))
		for i, c := range all {
			ns[i] = float64(c.N)
		}
		slices.Sort(ns)
		median := ns[len(ns)/2]
		if len(ns)%2 == 0 {
			median = (ns[len(ns)/2-1] + ns[len(ns)/2]) / 2
		}
		return access.Distribution{Min: int(ns[0]), Max: int(ns[len(ns)-1]), Median: median, Top: all[:min(len(all), access.TopN)]}
	}
	s := access.Summary{
		Members: len(cfg.Members), Blueprints: len(cfg.Blueprints), Grants: len(rows),
		PerMember: dist(perMember), PerBlueprint: dist(perBlueprint), OutsideMembers: []string{},
	}
	byDomain := map[string]int{}
	for _, m := range cfg.Members {
		byDomain[m.Domain()]++
	}
	usual := map[string]bool{}
	for d, n := range byDomain {
		larger := 0
		for _, k := range byDomain {
			if k > n {
				larger += k
			}
		}
		usual[d] = n > 1 && larger*100 < access.UsualPercent*len(cfg.Members)
	}
	for d, n := range byDomain {
		if usual[d] {
			s.Usual = append(s.Usual, access.Count{Name: d, N: n})
		} else {
			s.Outside = append(s.Outside, access.Count{Name: d, N: n})
		}
	}
	order := func(a, b access.Count) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Name, b.Name)) }
	slices.SortFunc(s.Usual, order)
	slices.SortFunc(s.Outside, order)
	for _, m := range cfg.Members {
		if !usual[m.Domain()] {
			s.OutsideMembers = append(s.OutsideMembers, m.Email)
		}
	}
	slices.Sort(s.OutsideMembers)
	return s
}

// shuffled returns cfg with its members and blueprints out of order, as a config
// built by hand may be.
func shuffled(r *rand.Rand, cfg *portal.Config) *portal.Config {
	c := cloneConfig(cfg)
	r.Shuffle(len(c.Members), func(i, j int) { c.Members[i], c.Members[j] = c.Members[j], c.Members[i] })
	r.Shuffle(len(c.Blueprints), func(i, j int) { c.Blueprints[i], c.Blueprints[j] = c.Blueprints[j], c.Blueprints[i] })
	return c
}

func viaText(vs []access.Via) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("open=%v %s group=%q", v.Open, v.Rule, v.Group))
	}
	return strings.Join(parts, "; ")
}

// TestGrantsAgainstOracle checks Grants and Census against the obvious triple loop
// on random configs over small pools (rules collide, sub-domains must not match,
// groups and open blueprints), in order and shuffled.
func TestGrantsAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	for iter := range 500 {
		cfg := pools.Config(r, r.IntN(9))
		want := oracleRows(cfg)
		wantSummary := oracleSummary(cfg, want)
		for _, c := range []*portal.Config{cfg, shuffled(r, cfg)} {
			ix := access.NewIndex(c)
			var got []row
			for g := range ix.Grants() {
				got = append(got, row{g.Member.Email, g.Blueprint.Name, slices.Clone(g.Via)})
			}
			compareRows(t, got, want)
			var census []row
			s, err := ix.Census(func(g access.Grant) error {
				census = append(census, row{g.Member.Email, g.Blueprint.Name, slices.Clone(g.Via)})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, census, want)
			// Compared as printed: an empty list and none read the same.
			if fmt.Sprintf("%+v", s) != fmt.Sprintf("%+v", wantSummary) {
				t.Errorf("summary\n got  %+v\n want %+v", s, wantSummary)
			}
		}
		if t.Failed() {
			t.Fatalf("iteration %d: config %+v", iter, cfg)
		}
	}
}

func compareRows(t *testing.T, got, want []row) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			t.Errorf("row %d missing: %s %s via %s", i, want[i].email, want[i].blueprint, viaText(want[i].via))
		case i >= len(want):
			t.Errorf("row %d extra: %s %s via %s", i, got[i].email, got[i].blueprint, viaText(got[i].via))
		case got[i].email != want[i].email || got[i].blueprint != want[i].blueprint || viaText(got[i].via) != viaText(want[i].via):
			t.Errorf("row %d: %s %s via %s\n      want %s %s via %s", i, got[i].email, got[i].blueprint, viaText(got[i].via),
				want[i].email, want[i].blueprint, viaText(want[i].via))
		default:
			continue
		}
		return
	}
}

// TestGrantsStop: the walk stops when asked, and Census returns yield's error.
func TestGrantsStop(t *testing.T) {
	cfg := &portal.Config{
		Members:    []portal.Member{{Email: "a@company.com"}, {Email: "b@company.com"}},
		Blueprints: []portal.Blueprint{{Name: "x", Open: true}, {Name: "y", Open: true}},
	}
	ix := access.NewIndex(cfg)
	n := 0
	for range ix.Grants() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("walked %d grants after a break at 3", n)
	}
	stop := errors.New("disk full")
	calls := 0
	_, err := ix.Census(func(access.Grant) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Census = %v after %d calls, want the yield error after 1", err, calls)
	}
}

func TestUsualDomains(t *testing.T) {
	members := func(counts ...int) []portal.Member {
		var out []portal.Member
		for d, n := range counts {
			for i := range n {
				out = append(out, portal.Member{Email: fmt.Sprintf("u%03d@d%d.com", i, d)})
			}
		}
		portal.SortMembers(out)
		return out
	}
	tests := []struct {
		name    string
		counts  []int
		usual   []string
		outside int
	}{
		{"one company, a few outsiders", []int{95, 3, 2}, []string{"d0.com"}, 5},
		{"exactly 90% is enough", []int{90, 5, 5}, []string{"d0.com"}, 10},
		{"just under 90% takes the next", []int{89, 6, 5}, []string{"d0.com", "d1.com"}, 5},
		{"ties at the cut are all taken", []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, []string{"d0.com", "d1.com", "d2.com", "d3.com", "d4.com", "d5.com", "d6.com", "d7.com", "d8.com", "d9.com"}, 0},
		{"a tail of single members", []int{60, 31, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []string{"d0.com", "d1.com"}, 9},
		{"single members are never usual", []int{80, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []string{"d0.com"}, 20},
		{"ties of two are taken together", []int{80, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, []string{"d0.com", "d1.com", "d10.com", "d2.com", "d3.com", "d4.com", "d5.com", "d6.com", "d7.com", "d8.com", "d9.com"}, 0},
		{"everyone on a domain of their own", []int{1, 1, 1}, nil, 3},
		{"no members", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &portal.Config{Members: members(tt.counts...)}
			s, err := access.NewIndex(cfg).Census(func(access.Grant) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			var usual []string
			for _, c := range s.Usual {
				usual = append(usual, c.Name)
			}
			if !slices.Equal(usual, tt.usual) || len(s.OutsideMembers) != tt.outside {
				t.Errorf("usual %v with %d outside, want %v with %d", usual, len(s.OutsideMembers), tt.usual, tt.outside)
			}
		})
	}
}
