package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// PolicyReport is what a change does to the file's policy: section, the
// guardrails a security team sets in the file: the file's violations of it, and
// the changes of the section itself. Both come before the rest of the report.
type PolicyReport struct {
	// File is the file whose policy it is.
	File string `json:"file"`
	// Violations are where the file breaks its policy, each at its line, with
	// the rule it breaks and what to write instead.
	Violations []Problem `json:"violations"`
	// Changes are the rules the change sets, alters or drops.
	Changes []PolicyChange `json:"changes"`
}

// PolicyChange is one rule of the policy: section that a change sets, alters or
// drops.
type PolicyChange struct {
	Rule string `json:"rule"`
	// Before and After are the rule's value, lists as comma-separated
	// domains ("[]" for an empty one); empty when the rule is not set.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// NewPolicy builds the policy part of a report: the violations among ds (those
// isViolation selects), linked to their lines when prov allows, and what changes
// from the base's policy to the head's. It is nil when there is neither.
func NewPolicy(file string, before, after *portal.Policy, ds diag.List, isViolation func(diag.Diagnostic) bool, prov *Provenance) *PolicyReport {
	p := &PolicyReport{File: file, Violations: []Problem{}, Changes: PolicyChanges(before, after)}
	for _, d := range ds {
		if isViolation(d) {
			p.Violations = append(p.Violations, problem(d, prov))
		}
	}
	if len(p.Violations) == 0 && len(p.Changes) == 0 {
		return nil
	}
	return p
}

// PolicyChanges lists the rules whose value differs between two policies, in the
// order the schema documents them.
func PolicyChanges(before, after *portal.Policy) []PolicyChange {
	out := []PolicyChange{}
	for _, r := range portal.PolicyRules() {
		b, a := policyValue(before, r), policyValue(after, r)
		if a != b {
			out = append(out, PolicyChange{Rule: string(r), Before: b, After: a})
		}
	}
	return out
}

// policyValue is a rule's value as text, or "" when p does not set it.
func policyValue(p *portal.Policy, r portal.PolicyRule) string {
	if !p.Has(r) {
		return ""
	}
	list := func(ds []string) string {
		if len(ds) == 0 {
			return "[]"
		}
		return strings.Join(ds, ", ")
	}
	switch r {
	case portal.PolicyAllowedDomains:
		return list(p.AllowedDomains)
	case portal.PolicyMaxOpenBlueprints:
		return strconv.Itoa(p.MaxOpenBlueprints)
	case portal.PolicyRequireExpiryOutside:
		return list(p.RequireExpiryOutside)
	case portal.PolicyMaxExpiryDays:
		return strconv.Itoa(p.MaxExpiryDays)
	}
	return ""
}

// line describes a change with values rendered by code.
func (c PolicyChange) line(code func(string) string) string {
	side := func(v string) string {
		if v == "" {
			return "not set"
		}
		return code(v)
	}
	return fmt.Sprintf("%s: %s → %s", code(c.Rule), side(c.Before), side(c.After))
}

// problem is one diagnostic as the report lists it.
func problem(d diag.Diagnostic, prov *Provenance) Problem {
	return Problem{
		Severity: string(d.Severity), Code: d.Code, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
		Message: d.Message, Hint: d.Hint, URL: prov.LineURL(d.Pos),
	}
}
