package portal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
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
				}
				want := slices.Clone(ms)
				slices.SortStableFunc(want, func(a, b Member) int { return strings.Compare(a.Email, b.Email) })
				SortMembers(ms)
				if !slices.Equal(ms, want) {
					t.Fatalf("SortMembers differs from a stable sort of %d members", n)
				}
			}
		})
	}
}
