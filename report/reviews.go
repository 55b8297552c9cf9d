package report

import (
	"slices"

	"github.com/qovery/portalctl/portal"
)

// ReviewChange is what a change does to a blueprint's access review
// (docs/file-format.md#access-reviews-owners-and-reviewed), for its reviewers to see: it changes the access of
// a blueprint whose review is overdue, changes who owns it, or sets the day it
// was last reviewed (a sign-off, which its owners approve).
type ReviewChange struct {
	Blueprint string `json:"blueprint"`
	// Change is "overdue", "owners" or "reviewed".
	Change string `json:"change"`
	// From and To are the owners before and after ("owners").
	From []string `json:"from,omitempty"`
	To   []string `json:"to,omitempty"`
	// Reviewed and Was are the reviewed dates after and before ("reviewed":
	// empty when not written); Due, the day an overdue review was due
	// (empty: never reviewed).
	Reviewed string `json:"reviewed,omitempty"`
	Was      string `json:"was,omitempty"`
	Due      string `json:"due,omitempty"`
}

// ReviewChanges lists the review changes from base to head on day today, by
// blueprint name: owners and reviewed dates that change, and, under a policy
// with review_every_days, the blueprints whose access changes while their
// review is overdue.
func ReviewChanges(base, head *portal.Config, today portal.Date) []ReviewChange {
	var out []ReviewChange
	before := map[string]*portal.Blueprint{}
	for i := range base.Blueprints {
		before[base.Blueprints[i].Name] = &base.Blueprints[i]
	}
	every := 0
	if head.Policy.Has(portal.PolicyReviewEveryDays) {
		every = head.Policy.ReviewEveryDays
	}
	for i := range head.Blueprints {
		h := &head.Blueprints[i]
		b := before[h.Name]
		if b == nil {
			b = &portal.Blueprint{Name: h.Name}
		}
		if !slices.Equal(b.Owners, h.Owners) {
			out = append(out, ReviewChange{Blueprint: h.Name, Change: "owners", From: nonNil(b.Owners), To: nonNil(h.Owners)})
		}
		if b.Reviewed != h.Reviewed {
			c := ReviewChange{Blueprint: h.Name, Change: "reviewed"}
			if !h.Reviewed.IsZero() {
				c.Reviewed = h.Reviewed.String()
			}
			if !b.Reviewed.IsZero() {
				c.Was = b.Reviewed.String()
			}
			out = append(out, c)
		}
		if every > 0 && !h.Open && !today.IsZero() && (before[h.Name] == nil || !b.SameAccess(h)) {
			due, reviewed := h.ReviewDue(every)
			if !reviewed || due.Before(today) {
				c := ReviewChange{Blueprint: h.Name, Change: "overdue"}
				if reviewed {
					c.Due = due.String()
				}
				out = append(out, c)
			}
		}
	}
	return out
}
