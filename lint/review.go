package lint

import (
	"fmt"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// ReviewWarningDays is how many days before a blueprint's review is due validate
// starts to say so.
const ReviewWarningDays = 14

// Reviews warns, under the policy's review_every_days, about each blueprint
// with rules and owners whose review is due within ReviewWarningDays of today,
// overdue, or never made (see docs/file-format.md). The warnings are reminders,
// as the expiry ones: the file is right, the calendar moved. A blueprint
// without owners is the policy's violation (Policy), not a reminder; without a
// day (today zero) nothing is said.
func Reviews(cfg *portal.Config, today portal.Date, ds *diag.Collector) {
	if cfg == nil || today.IsZero() || !cfg.Policy.Has(portal.PolicyReviewEveryDays) {
		return
	}
	every := cfg.Policy.ReviewEveryDays
	const hint = "the owners review who sees it (`portalctl review --blueprint NAME`), then set `reviewed:` to that day (`portalctl review --write`)"
	for _, b := range cfg.Blueprints {
		if b.Open || len(b.Owners) == 0 {
			continue
		}
		d := diag.Diagnostic{Pos: b.ReviewedPos, Severity: diag.Warning, Reminder: true, Hint: hint}
		due, ok := b.ReviewDue(every)
		switch days := today.DaysUntil(due); {
		case !ok:
			d.Pos, d.Code = b.Pos, "review-overdue"
			d.Message = fmt.Sprintf("blueprint %s was never reviewed: %s asks for a review every %d days", diag.Quote(b.Name), ruleAt(cfg.Policy, portal.PolicyReviewEveryDays, b.Pos), every)
		case days < 0:
			d.Code = "review-overdue"
			d.Message = fmt.Sprintf("blueprint %s was last reviewed on %s: its review was due on %s, %d days ago", diag.Quote(b.Name), b.Reviewed, due, -days)
		case days <= ReviewWarningDays:
			when := fmt.Sprintf("in %d days", days)
			switch days {
			case 0:
				when = "today"
			case 1:
				when = "tomorrow"
			}
			d.Code = "review-due"
			d.Message = fmt.Sprintf("blueprint %s was last reviewed on %s: its next review is due on %s, %s", diag.Quote(b.Name), b.Reviewed, due, when)
		default:
			continue
		}
		ds.Append(d)
	}
}
