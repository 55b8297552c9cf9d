package access

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestUnionAgainstSort: merging sorted lists (repeats within and across them) gives
// what sorting their concatenation and dropping repeats gives.
func TestUnionAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 2000 {
		var lists [][]int
		var all []int
		for range r.IntN(6) {
			var l []int
			for range r.IntN(12) {
				l = append(l, r.IntN(30))
			}
			slices.Sort(l) // sorted, repeats kept: as a domain's members and the movers come
			lists = append(lists, l)
			all = append(all, l...)
		}
		slices.Sort(all)
		want := slices.Compact(all)
		if got := union(lists); !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("iteration %d: union(%v) = %v, want %v", iter, lists, got, want)
		}
	}
}
