package diag

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// oracle is what a capped collector must give: every problem sorted by priority,
// the first max kept, the rest counted per severity from the earliest of them.
func oracle(all List, max int) List {
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(a, b Diagnostic) int {
		switch {
		case priority(a, b):
			return -1
		case priority(b, a):
			return 1
		}
		return 0
	})
	if max <= 0 || len(sorted) <= max {
		out := slices.Clone(all)
		out.Sort()
		return out
	}
	out := slices.Clone(sorted[:max])
	for _, sev := range []Severity{Error, Warning} {
		n, first := 0, Diagnostic{}
		for _, d := range sorted[max:] {
			if d.Severity == sev {
				if n == 0 || before(d, first) {
					first = d
				}
				n++
			}
		}
		if n > 0 {
			noun := "errors"
			if sev == Warning {
				noun = "warnings"
			}
			out = append(out, Diagnostic{Pos: first.Pos, Severity: sev, Code: "more-problems",
				Message: fmt.Sprintf("%d more %s from here on were counted but not listed", n, noun),
				Hint:    "fix the problems listed above first: they are often the cause of the rest", Count: n})
		}
	}
	out.Sort()
	return out
}

// TestCollectorOracle checks the capped collector against sorting everything.
func TestCollectorOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 300; round++ {
		n, max := r.IntN(60), r.IntN(12)
		var all List
		c := &Collector{Max: max}
		for i := 0; i < n; i++ {
			sev := Error
			if r.IntN(3) == 0 {
				sev = Warning
			}
			d := Diagnostic{Pos: portal.Pos{File: "f", Line: 1 + r.IntN(20), Col: 1 + r.IntN(3)}, Severity: sev, Code: "c", Message: fmt.Sprint(i)}
			all = append(all, d)
			c.Add(d.Pos, d.Severity, d.Code, d.Message, d.Hint)
		}
		got, want := c.List(), oracle(all, max)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d problems, max %d):\ngot  %+v\nwant %+v", round, n, max, got, want)
		}
		ge, gw := got.Counts()
		we, ww := all.Counts()
		if ge != we || gw != ww {
			t.Fatalf("counts %d/%d, want %d/%d", ge, gw, we, ww)
		}
	}
}

// TestCollectorBounded: a million problems cost what the cap allows while they
// are collected, not after, and are all counted.
func TestCollectorBounded(t *testing.T) {
	c := &Collector{Max: 100}
	for i := 0; i < 1_000_000; i++ {
		c.Add(portal.Pos{File: "f", Line: 1_000_000 - i, Col: 1}, Error, "duplicate-member", "duplicate", "remove it")
		if cap(c.kept) > 2*c.Max+1 {
			t.Fatalf("after %d problems the collector holds room for %d", i+1, cap(c.kept))
		}
	}
	l := c.List()
	if len(l) != 101 {
		t.Fatalf("want 100 problems and one summary, got %d", len(l))
	}
	if errs, _ := l.Counts(); errs != 1_000_000 {
		t.Fatalf("counted %d errors, want 1000000", errs)
	}
	if l[0].Pos.Line != 1 || l[99].Pos.Line != 100 || l[100].Code != "more-problems" || l[100].Pos.Line != 101 {
		t.Fatalf("want the first 100 lines then the summary from line 101: %+v … %+v", l[0], l[100])
	}
}

// TestCollectorFull: Full is true only for what would be dropped.
func TestCollectorFull(t *testing.T) {
	c := &Collector{Max: 2}
	for line := 10; line < 15; line++ {
		c.Add(portal.Pos{File: "f", Line: line, Col: 1}, Warning, "w", "w", "")
	}
	if !c.Full(Warning, portal.Pos{File: "f", Line: 20, Col: 1}) {
		t.Error("a later warning is not dropped")
	}
	if c.Full(Error, portal.Pos{File: "f", Line: 20, Col: 1}) {
		t.Error("an error would be dropped for warnings")
	}
	if c.Full(Warning, portal.Pos{File: "f", Line: 1, Col: 1}) {
		t.Error("an earlier warning would be dropped")
	}
}

func TestStrictKeepsCounts(t *testing.T) {
	l := List{{Severity: Warning, Count: 5}, {Severity: Error}}
	if e, w := l.Strict().Counts(); e != 6 || w != 0 {
		t.Fatalf("strict counts %d/%d, want 6/0", e, w)
	}
}

func TestStrictLeavesReminders(t *testing.T) {
	l := List{{Severity: Warning, Code: "expires-soon", Reminder: true}, {Severity: Warning, Code: "dormant-rule"}}
	s := l.Strict()
	if s[0].Severity != Warning || s[1].Severity != Error {
		t.Fatalf("strict gives %s, %s; want a reminder kept a warning and a lint made an error", s[0].Severity, s[1].Severity)
	}
}
