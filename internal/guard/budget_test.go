package guard

import (
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// TestBudget: small files get the floor and no heap limit; larger ones 40 times
// their size, the heap limit that less what a process takes besides its heap.
func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		name        string
		size        int64
		budget      int64
		heapLimited bool
	}{
		{"empty", 0, 128 << 20, false},
		{"a real portal.yaml", 4_500_000, 180_000_000, true},
		{"exactly the floor", (128 << 20) / MemoryFactor, 128 << 20, false},
		{"the default limit", DefaultMaxFileSize, MemoryFactor * DefaultMaxFileSize, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Budget(tc.size); got != tc.budget {
				t.Errorf("Budget(%d) = %d, want %d", tc.size, got, tc.budget)
			}
			got := HeapLimit(tc.size)
			switch {
			case !tc.heapLimited && got != 0:
				t.Errorf("HeapLimit(%d) = %d, want none (0)", tc.size, got)
			case tc.heapLimited && got != tc.budget-processReserve:
				t.Errorf("HeapLimit(%d) = %d, want the budget less %d", tc.size, got, processReserve)
			}
		})
	}
}

// TestFitsModel: a model that outgrows the budget is refused where the fix goes:
// at the file's start when members cost the most, at the blueprint with the most
// rules otherwise.
func TestFitsModel(t *testing.T) {
	worst := portal.Pos{File: "portal.yaml", Line: 9, Col: 3}
	for _, tc := range []struct {
		name string
		size int
		m    Model
		want string // "line:col code", or "" when it fits
	}{
		{"100,000 members and 2,000 blueprints", 4_500_000, Model{Nodes: 530_000, Members: 100_000, Rules: 20_000, Worst: worst}, ""},
		{"members over the budget", 4_500, Model{Nodes: 100, Members: 2_000_000, Worst: worst}, "1:1 too-dense"},
		{"a group expanded a million times", 4_500, Model{Nodes: 100, Members: 1, Entries: 1000, Rules: 1_000_000, Worst: worst}, "9:3 too-many-rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := &diag.Collector{}
			ok := FitsModel("portal.yaml", tc.size, tc.m, ds)
			var got string
			for _, d := range ds.List() {
				got = strings.TrimPrefix(d.Pos.String(), "portal.yaml:") + " " + d.Code
				if d.Hint == "" || !strings.Contains(d.Message, "times the file's size") {
					t.Errorf("unclear refusal: %+v", d)
				}
			}
			if ok != (tc.want == "") || got != tc.want {
				t.Errorf("FitsModel = %v, %q; want %q", ok, got, tc.want)
			}
		})
	}
}
