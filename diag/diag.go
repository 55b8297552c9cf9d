// Package diag defines the problems reported to users about their input: each one a
// value with a position, a severity, what is wrong and what to write instead.
package diag

import (
	"fmt"
	"sort"

	"github.com/qovery/portalctl/portal"
)

// Severity says whether a problem makes the input invalid.
type Severity string

// The severities. A warning becomes an error under --strict.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one problem found in the input.
type Diagnostic struct {
	Pos      portal.Pos
	Severity Severity
	Code     string // stable identifier, e.g. "unknown-key", "dormant-rule"
	Message  string // what is wrong
	Hint     string // what to write instead
	// Count is how many problems this diagnostic stands for: a Collector that
	// reached its cap adds one diagnostic for all the problems it did not keep.
	// Zero means one.
	Count int
	// Reminder marks a warning about the calendar rather than the file: an
	// entry that expires soon, or has expired. The file is right as written,
	// so Strict leaves it a warning: a strict CI does not fail the day
	// someone's access nears its end.
	Reminder bool
}

// problems is how many problems d stands for.
func (d Diagnostic) problems() int {
	if d.Count > 1 {
		return d.Count
	}
	return 1
}

// List is a set of diagnostics.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(pos portal.Pos, sev Severity, code, msg, hint string) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: sev, Code: code, Message: msg, Hint: hint})
}

// Sort orders the list by file, line and column, errors before warnings on a tie.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return before(l[i], l[j]) })
}

func before(a, b Diagnostic) bool {
	if a.Pos.File != b.Pos.File {
		return a.Pos.File < b.Pos.File
	}
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line < b.Pos.Line
	}
	if a.Pos.Col != b.Pos.Col {
		return a.Pos.Col < b.Pos.Col
	}
	return a.Severity == Error && b.Severity != Error
}

// Counts returns the number of errors and warnings, including those a capped
// Collector only counted.
func (l List) Counts() (errors, warnings int) {
	for _, d := range l {
		if d.Severity == Error {
			errors += d.problems()
		} else {
			warnings += d.problems()
		}
	}
	return errors, warnings
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Strict returns a copy of l with every warning turned into an error, reminders
// aside.
func (l List) Strict() List {
	out := make(List, len(l))
	for i, d := range l {
		if d.Severity == Warning && !d.Reminder {
			d.Severity = Error
		}
		out[i] = d
	}
	return out
}

// Collector gathers diagnostics up to a cap, so that a file with a million broken
// entries costs a bounded amount of memory: it keeps the first Max problems of the
// file (errors before warnings, then by position) and only counts the others. The
// zero Collector keeps everything.
type Collector struct {
	// Max is how many diagnostics are kept; 0 keeps them all.
	Max  int
	kept List
	// worst is the last diagnostic kept at the latest compaction: anything that
	// does not come before it can never be kept, and is only counted.
	worst    Diagnostic
	hasWorst bool
	// dropped counts, per severity, the problems not kept, and remembers the
	// earliest of them.
	dropped [2]struct {
		n     int
		first Diagnostic
	}
}

// Add records a problem.
func (c *Collector) Add(pos portal.Pos, sev Severity, code, msg, hint string) {
	c.add(Diagnostic{Pos: pos, Severity: sev, Code: code, Message: msg, Hint: hint})
}

// Append records problems already made.
func (c *Collector) Append(ds ...Diagnostic) {
	for _, d := range ds {
		c.add(d)
	}
}

// Full reports whether a problem of severity sev at pos would only be counted:
// callers use it to skip composing a message nobody will read, and then call Add
// all the same so that it is counted.
func (c *Collector) Full(sev Severity, pos portal.Pos) bool {
	return c.hasWorst && !priority(Diagnostic{Pos: pos, Severity: sev}, c.worst)
}

func (c *Collector) add(d Diagnostic) {
	if c.hasWorst && !priority(d, c.worst) {
		c.drop(d)
		return
	}
	if c.Max > 0 {
		if c.kept == nil {
			c.kept = make(List, 0, 2*c.Max)
		}
		if len(c.kept) == 2*c.Max {
			c.compact()
		}
	}
	c.kept = append(c.kept, d)
}

func (c *Collector) drop(d Diagnostic) {
	i := 0
	if d.Severity != Error {
		i = 1
	}
	dr := &c.dropped[i]
	if dr.n == 0 || before(d, dr.first) {
		dr.first = d
	}
	dr.n += d.problems()
}

// priority orders what a capped collector keeps: errors first, then by position.
func priority(a, b Diagnostic) bool {
	if (a.Severity == Error) != (b.Severity == Error) {
		return a.Severity == Error
	}
	return before(a, b)
}

// compact keeps the Max diagnostics of highest priority and counts the rest.
func (c *Collector) compact() {
	if c.Max <= 0 || len(c.kept) <= c.Max {
		return
	}
	sort.SliceStable(c.kept, func(i, j int) bool { return priority(c.kept[i], c.kept[j]) })
	for _, d := range c.kept[c.Max:] {
		c.drop(d)
	}
	clear(c.kept[c.Max:])
	c.kept = c.kept[:c.Max]
	c.worst, c.hasWorst = c.kept[c.Max-1], true
}

// List returns what was collected, sorted by position, with one more diagnostic
// per severity standing for the problems that were only counted.
func (c *Collector) List() List {
	c.compact()
	out := append(List(nil), c.kept...)
	for i, dr := range c.dropped {
		if dr.n == 0 {
			continue
		}
		sev, noun := Error, "errors"
		if i == 1 {
			sev, noun = Warning, "warnings"
		}
		out = append(out, Diagnostic{
			Pos: dr.first.Pos, Severity: sev, Code: "more-problems",
			Message: fmt.Sprintf("%d more %s from here on were counted but not listed", dr.n, noun),
			Hint:    "fix the problems listed above first: they are often the cause of the rest",
			Count:   dr.n,
		})
	}
	out.Sort()
	return out
}
