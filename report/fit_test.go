package report

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var cutNote = regexp.MustCompile("\n---\n_(\\d+) more sections? cut to fit the comment size limit; run `portalctl preview` locally or read the job summary for the whole report\\._\n$")

// sectionStarts returns where each section of a whole PlanMarkdown output starts:
// the summary, the warning of blueprints becoming open, one per blueprint, the
// members, the unmanaged blueprints and the rule diff.
func sectionStarts(full string) []int {
	starts := []int{0}
	for _, marker := range []string{"\n\n#### ", "\n\n> [!CAUTION]", "\n\n<details><summary>"} {
		for i := 0; ; {
			j := strings.Index(full[i:], marker)
			if j < 0 {
				break
			}
			i += j + 2
			starts = append(starts, i)
			if strings.Contains(marker, "CAUTION") {
				break // one section holds every warning
			}
		}
	}
	sort.Ints(starts)
	return starts
}

func noteFor(cut int) string {
	return fmt.Sprintf("\n---\n_%s cut to fit the comment size limit; run `portalctl preview` locally or read the job summary for the whole report._\n", plural(cut, "more section"))
}

// TestPlanMarkdownMaxLen tries every MaxLen: the output stays within it, is the
// whole report or a prefix of it cut between two sections followed by a note that
// counts the sections cut, keeps every table it shows whole, and cuts no more than
// it must to leave room for the note.
func TestPlanMarkdownMaxLen(t *testing.T) {
	p := realisticPlan(t)
	o := PlanOptions{Title: "portal.yaml: HEAD^1 → working tree"}
	full := PlanMarkdown(p, o)
	if strings.Contains(full, "cut to fit") {
		t.Fatal("MaxLen 0 cuts")
	}
	starts := sectionStarts(full)
	if len(starts) != 13 {
		t.Fatalf("found %d sections in the fixture, want 13: %v", len(starts), starts)
	}
	fullDoc := parseMarkdown(full)
	minLen := len(noteFor(len(starts)))

	seen := map[string]bool{}
	cuts := map[int]bool{}
	for max := minLen; max <= len(full)+minLen+10; max++ {
		o.MaxLen = max
		got := PlanMarkdown(p, o)
		if len(got) > max {
			t.Fatalf("MaxLen %d: output is %d bytes", max, len(got))
		}
		if got == full {
			if max < len(full) {
				t.Fatalf("MaxLen %d: whole output of %d bytes", max, len(got))
			}
			continue
		}
		if max >= len(full)+len(noteFor(1)) {
			t.Errorf("MaxLen %d: cut although the whole report (%d bytes) fits", max, len(full))
		}
		m := cutNote.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("MaxLen %d: cut output without the note:\n%s", max, got)
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(starts) {
			t.Fatalf("MaxLen %d: note says %d sections cut, of %d", max, n, len(starts))
		}
		kept := len(starts) - n
		prefix := ""
		if kept > 0 {
			prefix = full[:starts[kept]-1]
		}
		if got != prefix+noteFor(n) {
			t.Fatalf("MaxLen %d: output is not the first %d sections and the note:\n%s", max, kept, got)
		}
		// As much as fits: the next section and the note would not.
		next := full[starts[kept]:]
		if kept+1 < len(starts) {
			next = full[starts[kept] : starts[kept+1]-1]
		}
		if len(prefix)+1+len(next)+len(noteFor(n)) <= max {
			t.Errorf("MaxLen %d: section %d cut although it fits with the note", max, kept)
		}
		cuts[n] = true

		if seen[got] {
			continue
		}
		seen[got] = true
		d := parseMarkdown(got)
		for _, problem := range d.check(ourHTML...) {
			t.Errorf("MaxLen %d: %s", max, problem)
		}
		if len(d.tables) > len(fullDoc.tables) {
			t.Fatalf("MaxLen %d: more tables than the whole report", max)
		}
		for i, tb := range d.tables {
			if fmt.Sprint(tb) != fmt.Sprint(fullDoc.tables[i]) {
				t.Errorf("MaxLen %d: table %d is %v, whole it is %v", max, i, tb, fullDoc.tables[i])
			}
		}
		if len(d.html) == 1 {
			t.Errorf("MaxLen %d: an unclosed <details>", max)
		}
		last := d.root.LastChild()
		if last.Kind().String() != "Paragraph" || last.PreviousSibling() == nil || last.PreviousSibling().Kind().String() != "ThematicBreak" {
			t.Errorf("MaxLen %d: the note is not a paragraph after a rule: %v", max, d.shape)
		}
	}
	if len(cuts) != len(starts) {
		t.Errorf("saw cuts of %v sections, want every count from 1 to %d", cuts, len(starts))
	}
}

// TestPlanMarkdownNoCutWhenItFits: a report within MaxLen is not cut (SPEC §5: "a
// body over GitHub's 65,536-character limit is cut").
func TestPlanMarkdownNoCutWhenItFits(t *testing.T) {
	p := realisticPlan(t)
	full := PlanMarkdown(p, PlanOptions{})
	for _, max := range []int{len(full), len(full) + 1, len(full) + 100} {
		if got := PlanMarkdown(p, PlanOptions{MaxLen: max}); got != full {
			t.Errorf("MaxLen %d, report of %d bytes: cut to\n%s", max, len(full), got)
		}
	}
}

func TestPlanMarkdownMaxLenHostile(t *testing.T) {
	p := hostilePlan(hostile, hostile[0])
	full := PlanMarkdown(p, PlanOptions{})
	for _, max := range []int{400, 1000, 3000, len(full) / 2, len(full) - 200} {
		got := PlanMarkdown(p, PlanOptions{MaxLen: max})
		if len(got) > max || !cutNote.MatchString(got) {
			t.Fatalf("MaxLen %d: %d bytes, note %v", max, len(got), cutNote.MatchString(got))
		}
		d := parseMarkdown(got)
		for _, problem := range d.check(ourHTML...) {
			t.Errorf("MaxLen %d: %s", max, problem)
		}
		for i, tb := range d.tables {
			if want := expectedRows(p.Impact.Blueprints[i]); len(tb.rows) != want {
				t.Errorf("MaxLen %d: table %d has %d rows, want %d", max, i, len(tb.rows), want)
			}
		}
	}
}
