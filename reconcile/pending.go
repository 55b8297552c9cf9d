package reconcile

import (
	"cmp"
	"slices"

	"github.com/qovery/portalctl/portal"
)

// Pending is an invitation that has waited longer than the policy's
// max_pending_days (see docs/file-format.md): a portal member still pending, or a
// pending invitation to the organization.
type Pending struct {
	Email string
	// Org: an invitation to the organization, else to the portal.
	Org     bool
	Invited portal.Date
	Days    int // how long it has waited, on the day judged
}

// StalePending lists the live invitations, portal and organization, that have
// waited more than the desired state's max_pending_days on day today, by email
// (the portal's first); none without the rule or a day. The day each was sent
// is the API's created_at (portal.Member.Invited).
func StalePending(desired, live *portal.Config, today portal.Date) []Pending {
	if desired == nil || live == nil || today.IsZero() || !desired.Policy.Has(portal.PolicyMaxPendingDays) {
		return nil
	}
	limit := desired.Policy.MaxPendingDays
	var out []Pending
	for _, m := range live.Members {
		if days, ok := m.PendingFor(today); ok && days > limit {
			out = append(out, Pending{Email: m.Email, Invited: m.Invited, Days: days})
		}
	}
	if live.Org != nil {
		for _, m := range live.Org.Members {
			if days, ok := m.PendingFor(today); ok && days > limit {
				out = append(out, Pending{Email: m.Email, Org: true, Invited: m.Invited, Days: days})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Pending) int {
		if a.Org != b.Org {
			if a.Org {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Email, b.Email)
	})
	return out
}

// InvitedLater lists the live pending invitations, portal and organization,
// sent after day today by the API's created_at: their age cannot be judged
// (the answer, or the clock, is wrong), so max_pending_days never flags them;
// they are said rather than passed over.
func InvitedLater(live *portal.Config, today portal.Date) []Pending {
	if live == nil || today.IsZero() {
		return nil
	}
	var out []Pending
	for _, m := range live.Members {
		if days, ok := m.PendingFor(today); ok && days < 0 {
			out = append(out, Pending{Email: m.Email, Invited: m.Invited, Days: days})
		}
	}
	if live.Org != nil {
		for _, m := range live.Org.Members {
			if days, ok := m.PendingFor(today); ok && days < 0 {
				out = append(out, Pending{Email: m.Email, Org: true, Invited: m.Invited, Days: days})
			}
		}
	}
	return out
}
