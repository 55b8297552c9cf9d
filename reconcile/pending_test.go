package reconcile_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// StalePending lists the invitations, portal and organization, pending for
// more than max_pending_days: one that has waited exactly that long is not yet;
// members, expired invitations and every invitation without the rule are not.
func TestStalePending(t *testing.T) {
	d := func(s string) portal.Date {
		x, err := portal.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	live := &portal.Config{
		Members: []portal.Member{
			{Email: "active@company.com", Status: portal.StatusActive},
			{Email: "old@company.com", Status: portal.StatusPending, Invited: d("2026-10-20")},
			{Email: "edge@company.com", Status: portal.StatusPending, Invited: d("2026-10-21")},
			{Email: "new@company.com", Status: portal.StatusPending, Invited: d("2026-11-19")},
		},
		Org: &portal.Org{Members: []portal.OrgMember{
			{Email: "owner@company.com", Status: portal.StatusActive},
			{Email: "inv@company.com", Status: portal.StatusPending, Invited: d("2026-01-01")},
			{Email: "gone@company.com", Status: portal.StatusExpired},
		}},
	}
	policy := func(days int) *portal.Config {
		return &portal.Config{Policy: &portal.Policy{MaxPendingDays: days, Set: map[portal.PolicyRule]portal.Pos{portal.PolicyMaxPendingDays: {}}}}
	}
	today := d("2026-11-20")
	var got []string
	for _, p := range reconcile.StalePending(policy(30), live, today) {
		got = append(got, fmt.Sprintf("%s org=%v %s %d", p.Email, p.Org, p.Invited, p.Days))
	}
	want := []string{"old@company.com org=false 2026-10-20 31", "inv@company.com org=true 2026-01-01 323"}
	if !slices.Equal(got, want) {
		t.Fatalf("stale %q, want %q", got, want)
	}
	if s := reconcile.StalePending(&portal.Config{}, live, today); s != nil {
		t.Errorf("without the rule: %v", s)
	}
	if s := reconcile.StalePending(policy(30), live, portal.Date{}); s != nil {
		t.Errorf("without a day: %v", s)
	}
}

// InvitedLater lists the pending invitations the API says were sent after
// today, whose age max_pending_days cannot judge: only those.
func TestInvitedLater(t *testing.T) {
	d := func(s string) portal.Date {
		x, err := portal.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	live := &portal.Config{
		Members: []portal.Member{
			{Email: "today@company.com", Status: portal.StatusPending, Invited: d("2026-11-20")},
			{Email: "later@company.com", Status: portal.StatusPending, Invited: d("2099-01-01")},
			{Email: "active@company.com", Status: portal.StatusActive, Invited: d("2099-01-01")},
		},
		Org: &portal.Org{Members: []portal.OrgMember{
			{Email: "inv@company.com", Status: portal.StatusPending, Invited: d("2026-11-21")},
		}},
	}
	var got []string
	for _, p := range reconcile.InvitedLater(live, d("2026-11-20")) {
		got = append(got, fmt.Sprintf("%s org=%v %s", p.Email, p.Org, p.Invited))
	}
	if want := []string{"later@company.com org=false 2099-01-01", "inv@company.com org=true 2026-11-21"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
