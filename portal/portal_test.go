package portal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestSortMembers checks the in-place key sort against the obvious stable sort of
// the members themselves, on random lists (with repeated emails) of small and
// large sizes.
func TestSortMembers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 5, 8, 13, 100, 1000, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			for round := 0; round < 20; round++ {
				ms := make([]Member, n)
				for i := range ms {
					ms[i] = Member{Email: fmt.Sprintf("u%d@d.com", r.IntN(n/2+1)), Role: RoleUser, Pos: Pos{File: "f", Line: i + 1}}
					if round%2 == 1 { // short strings sharing prefixes, zero bytes: the 8-byte keys' edge cases
						b := make([]byte, r.IntN(11))
						for j := range b {
							b[j] = "ab\x00"[r.IntN(3)]
						}
						ms[i].Email = string(b)
					}
				}
				want := slices.Clone(ms)
				slices.SortStableFunc(want, func(a, b Member) int { return strings.Compare(a.Email, b.Email) })
				SortMembers(ms)
				if !slices.Equal(ms, want) {
					t.Fatalf("SortMembers differs from a stable sort of %d members", n)
				}
				// PackEmails changes where the emails are, not what they
				// say: each follows the one before it in one block.
				PackEmails(ms)
				if !slices.Equal(ms, want) {
					t.Fatalf("PackEmails changed the emails of %d members", n)
				}
				for i := 1; i < n; i++ {
					if a, b := ms[i-1].Email, ms[i].Email; len(a) > 0 && len(b) > 0 && unsafe.StringData(a) != (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(b)), -len(a))) {
						t.Fatalf("PackEmails: %q is not just after %q", b, a)
					}
				}
			}
		})
	}
}

// TestEmailKeyCompare checks the 16-byte keys against strings.Compare on every
// pair of a set of strings made to share prefixes around the 8- and 16-byte marks.
func TestEmailKeyCompare(t *testing.T) {
	var set []string
	for _, base := range []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq"} {
		for _, tail := range []string{"", "\x00", "a", "b", "\xff", "@x.com"} {
			set = append(set, base+tail)
		}
	}
	for _, a := range set {
		for _, b := range set {
			if got, want := NewEmailKey(a).Compare(NewEmailKey(b)), strings.Compare(a, b); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// TestRuleGrants is the definition of a rule's reach, case by case: a domain rule
// grants its own domain only (not a sub-domain, not a look-alike suffix), an email
// rule its one address, and a kind portalctl does not know grants nobody.
func TestRuleGrants(t *testing.T) {
	for _, c := range []struct {
		name  string
		rule  Rule
		email string
		want  bool
	}{
		{"domain grants its address", Rule{Kind: RuleDomain, Value: "company.com"}, "bob@company.com", true},
		{"domain not a sub-domain", Rule{Kind: RuleDomain, Value: "company.com"}, "bob@eu.company.com", false},
		{"domain not a parent", Rule{Kind: RuleDomain, Value: "eu.company.com"}, "bob@company.com", false},
		{"domain not a suffix", Rule{Kind: RuleDomain, Value: "company.com"}, "bob@evilcompany.com", false},
		{"domain after the last @", Rule{Kind: RuleDomain, Value: "company.com"}, "a@b@company.com", true},
		{"email grants its address", Rule{Kind: RuleEmail, Value: "bob@company.com"}, "bob@company.com", true},
		{"email not another one", Rule{Kind: RuleEmail, Value: "bob@company.com"}, "alice@company.com", false},
		{"email not its domain", Rule{Kind: RuleEmail, Value: "company.com"}, "bob@company.com", false},
		{"unknown kind grants nobody", Rule{Kind: "regex", Value: ".*"}, "bob@company.com", false},
		{"empty kind grants nobody", Rule{Value: "company.com"}, "bob@company.com", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.rule.Grants(c.email); got != c.want {
				t.Errorf("%v.Grants(%q) = %v, want %v", c.rule, c.email, got, c.want)
			}
		})
	}
}

// TestSameRules holds SameRules to its definition, the same set of keys, on random
// lists of rules with repetitions, any order, and groups and positions that do not
// count.
func TestSameRules(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	random := func() []Rule {
		var out []Rule
		for range r.IntN(5) {
			k := []RuleKind{RuleDomain, RuleEmail}[r.IntN(2)]
			out = append(out, Rule{Kind: k, Value: []string{"a", "b", "c"}[r.IntN(3)], Group: []string{"", "g"}[r.IntN(2)], Pos: Pos{Line: r.IntN(9)}})
		}
		return out
	}
	set := func(rs []Rule) map[RuleKey]bool {
		m := map[RuleKey]bool{}
		for _, x := range rs {
			m[x.Key()] = true
		}
		return m
	}
	for range 20000 {
		a, b := random(), random()
		if r.IntN(3) == 0 { // the same rules, shuffled
			b = slices.Clone(a)
			r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		}
		sa, sb := set(a), set(b)
		want := len(sa) == len(sb)
		for k := range sa {
			want = want && sb[k]
		}
		if got := SameRules(a, b); got != want {
			t.Fatalf("SameRules(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}

// TestPosFrom: a position named from a message about another is its line in
// the same file, its file:line:column in another.
func TestPosFrom(t *testing.T) {
	a := Pos{File: "portal.yaml", Line: 12, Col: 5}
	for _, c := range []struct {
		at   Pos
		want string
	}{
		{Pos{File: "portal.yaml", Line: 3, Col: 1}, "line 12"},
		{Pos{File: "teams/ml.yaml", Line: 3, Col: 1}, "portal.yaml:12:5"},
	} {
		if got := a.From(c.at); got != c.want {
			t.Errorf("from %s: %q, want %q", c.at, got, c.want)
		}
	}
}
