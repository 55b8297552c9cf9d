package main

import (
	"fmt"
	"io"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// notePending writes, on w, the invitations pending for longer than the
// policy's max_pending_days (docs/file-format.md): a note beside the plan, which
// the plan does not change; `expire --live --write` deletes their entries.
func notePending(w io.Writer, desired, live *portal.Config, today portal.Date) {
	if desired != nil && desired.Policy.Has(portal.PolicyMaxPendingDays) {
		for _, p := range reconcile.InvitedLater(live, today) {
			fmt.Fprintf(w, "note: the %s invitation of %s was sent on %s, after today (%s) by the API's created_at: its age cannot be judged against max_pending_days\n", scopeOf(p), p.Email, p.Invited, today)
		}
	}
	stale := reconcile.StalePending(desired, live, today)
	if len(stale) == 0 {
		return
	}
	noun := "invitations"
	if len(stale) == 1 {
		noun = "invitation"
	}
	fmt.Fprintf(w, "note: %d %s pending for more than %d days (policy max_pending_days):\n", len(stale), noun, desired.Policy.MaxPendingDays)
	for _, p := range stale {
		fmt.Fprintf(w, "  %s invitation of %s, sent on %s, %d days ago\n", scopeOf(p), p.Email, p.Invited, p.Days)
	}
	fmt.Fprintln(w, "  `portalctl expire --live --write` deletes their entries from the files; plan and apply then cancel them")
}

// scopeOf says where an invitation is to: the portal or the organization.
func scopeOf(p reconcile.Pending) string {
	if p.Org {
		return "organization"
	}
	return "portal"
}
