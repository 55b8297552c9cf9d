package report

import (
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// Change is a change of portal.yaml as preview reads it: the file at the head (the
// working tree) and at the base revision, each with what the loader found in it.
type Change struct {
	Head, Base *portal.Config
	// HeadProblems are every problem of the head (its lint warnings and the
	// violations of its policy); BaseProblems, the base's warnings, to tell what
	// the change introduces from what the file had.
	HeadProblems, BaseProblems diag.List
	// BaseMissing says the base has no file (or no valid one): Base is empty, and
	// neither the organization's id nor the owners are compared.
	BaseMissing bool
	// Today is the day expiry is judged on.
	Today portal.Date
	// Rails are apply's limits, judged as if the portal held the base.
	Rails reconcile.Rails
}

// Compare builds the report of a change: the plan from base to head, what apply
// would refuse if the portal matched the base, the problems the change introduces,
// the violations of the head's policy, the changes of the policy, of the
// organization and of who owns which file. o gives the provenance and the title.
func Compare(c Change, o Options) *Report {
	p, _ := reconcile.Diff(c.Head, c.Base, reconcile.DiffOptions{Offline: true, Today: c.Today})
	o.Kind = KindPreview
	o.Rails, o.Live = &c.Rails, c.Base
	o.Problems = Introduced(c.HeadProblems, c.BaseProblems)
	o.Violations = nil
	for _, d := range c.HeadProblems {
		if lint.IsPolicyViolation(d) {
			o.Violations = append(o.Violations, d)
		}
	}
	o.PolicyBefore, o.PolicyAfter = c.Base.Policy, c.Head.Policy
	// Ids compare regardless of case; with no base file there is nothing to
	// compare with.
	if !c.BaseMissing && !strings.EqualFold(c.Head.Organization, c.Base.Organization) {
		o.Organization = &OrganizationChange{From: c.Base.Organization, To: c.Head.Organization}
	}
	if !c.BaseMissing {
		o.Ownership = OwnershipChanges(c.Base.Layout, c.Head.Layout)
	}
	o.Reviews = ReviewChanges(c.Base, c.Head, c.Today)
	return New(p, o)
}
