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
	stale := reconcile.StalePending(desired, live, today)
	if len(stale) == 0 {
		return
	}
	fmt.Fprintf(w, "note: %d invitation(s) pending for more than %d days (policy max_pending_days):\n", len(stale), desired.Policy.MaxPendingDays)
	for _, p := range stale {
		what := "portal"
		if p.Org {
			what = "organization"
		}
		fmt.Fprintf(w, "  %s invitation of %s, sent on %s, %d days ago\n", what, p.Email, p.Invited, p.Days)
	}
	fmt.Fprintln(w, "  `portalctl expire --live --write` deletes their entries from the files; plan and apply then cancel them")
}
