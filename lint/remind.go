package lint

import (
	"fmt"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// Remind warns about entries that expire within warnDays of today, and those
// that have expired: plan and apply remove them. The warnings are reminders (they
// stay warnings under --strict): the file is right, the calendar moved. Without a
// day (today zero) it says nothing.
func Remind(cfg *portal.Config, today portal.Date, warnDays int, ds *diag.Collector) {
	if cfg == nil || today.IsZero() {
		return
	}
	const hint = "delete the entry (`portalctl expire --write` deletes every expired one), or write a later `expires` to extend the access"
	note := func(what, email string, expires portal.Date, pos portal.Pos, removes string) {
		days := today.DaysUntil(expires)
		var d diag.Diagnostic
		switch {
		case days <= 0:
			d = diag.Diagnostic{Code: "expired", Message: fmt.Sprintf("%s %s expired on %s: plan and apply %s", what, email, expires, removes), Hint: hint}
		case days <= warnDays:
			when := fmt.Sprintf("in %d days", days)
			if days == 1 {
				when = "tomorrow"
			}
			d = diag.Diagnostic{Code: "expires-soon", Message: fmt.Sprintf("%s %s expires on %s, %s: from that day, plan and apply %s", what, email, expires, when, removes),
				Hint: "write a later `expires` to extend the access, or let it end"}
		default:
			return
		}
		d.Pos, d.Severity, d.Reminder = pos, diag.Warning, true
		ds.Append(d)
	}
	for _, m := range cfg.Members {
		if !m.Expires.IsZero() {
			note("member", m.Email, m.Expires, m.ExpiresPos, "remove this member")
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if !m.Expires.IsZero() && !portal.IsOwner(m.Role) {
				note("organization member", m.Email, m.Expires, m.ExpiresPos, "remove them from the organization (or cancel their invitation)")
			}
		}
	}
}
