// Package diag defines the problems reported to users about their input: each one a
// value with a position, a severity, what is wrong and what to write instead.
package diag

import (
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
}

// List is a set of diagnostics.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(pos portal.Pos, sev Severity, code, msg, hint string) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: sev, Code: code, Message: msg, Hint: hint})
}

// Sort orders the list by file, line and column, errors before warnings on a tie.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
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
	})
}

// Counts returns the number of errors and warnings.
func (l List) Counts() (errors, warnings int) {
	for _, d := range l {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	e, _ := l.Counts()
	return e > 0
}

// Strict returns a copy of l with every warning turned into an error.
func (l List) Strict() List {
	out := make(List, len(l))
	for i, d := range l {
		if d.Severity == Warning {
			d.Severity = Error
		}
		out[i] = d
	}
	return out
}
