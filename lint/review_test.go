package lint_test

import (
	"fmt"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/schema"
)

// TestReviewWindow checks, on a fixed clock, which day a blueprint's review is
// said to be due (ReviewWarningDays before reviewed + review_every_days) and
// which day it is overdue; a never-reviewed blueprint is overdue, one without
// owners or open is no reminder's, and without the policy nothing is said.
func TestReviewWindow(t *testing.T) {
	for _, tc := range []struct {
		name, today, policy, blueprint string
		want                           string // the reminder's code, or ""
	}{
		{"15 days ahead", "2026-11-16", "review_every_days: 30", "reviewed: 2026-11-01", ""},
		{"14 days ahead: the first day warned", "2026-11-17", "review_every_days: 30", "reviewed: 2026-11-01", "review-due"},
		{"due today", "2026-12-01", "review_every_days: 30", "reviewed: 2026-11-01", "review-due"},
		{"a day late", "2026-12-02", "review_every_days: 30", "reviewed: 2026-11-01", "review-overdue"},
		{"reviewed today", "2026-11-20", "review_every_days: 1", "reviewed: 2026-11-20", "review-due"},
		{"never reviewed", "2026-11-20", "review_every_days: 365", "", "review-overdue"},
		{"no policy", "2027-11-20", "max_pending_days: 30", "reviewed: 2026-11-01", ""},
		{"open: nothing to review", "2027-11-20", "review_every_days: 30", "access: open", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules := "    domains: [company.com]\n"
			if tc.blueprint == "access: open" {
				rules = ""
			}
			src := fmt.Sprintf("version: 1\npolicy:\n  %s\nmembers:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  b:\n%s    owners: [alice@company.com]\n", tc.policy, rules)
			if tc.blueprint != "" {
				src += "    " + tc.blueprint + "\n"
			}
			l, err := schema.New(schema.Today(day(tc.today)))
			if err != nil {
				t.Fatal(err)
			}
			_, ds := l.Parse("portal.yaml", []byte(src))
			got := ""
			for _, d := range ds {
				if d.Severity == diag.Error {
					t.Fatalf("error: %v\n%s", d, src)
				}
				if d.Code == "review-due" || d.Code == "review-overdue" {
					if got != "" || !d.Reminder {
						t.Fatalf("a second reminder, or not marked as one: %+v", d)
					}
					got = d.Code
				}
			}
			if got != tc.want {
				t.Fatalf("reminder %q, want %q\n%s", got, tc.want, src)
			}
		})
	}
}
