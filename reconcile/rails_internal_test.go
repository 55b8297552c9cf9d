package reconcile

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// TestAdminsAfterOracle holds adminsAfter, which plays only the member operations,
// to Simulate, which plays them all: on random portals and plans, with members
// known by id or by email, repeated and contradictory operations, and invitations
// of members, both count the same active admins and name the same pending ones.
func TestAdminsAfterOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	emails := []string{"a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io"}
	roles := []portal.Role{portal.RoleAdmin, portal.RoleUser}
	statuses := []portal.Status{portal.StatusActive, portal.StatusPending, ""}
	for i := range 20000 {
		live := &portal.Config{}
		for _, e := range emails[:r.IntN(len(emails))] {
			m := portal.Member{Email: e, Role: roles[r.IntN(2)], Status: statuses[r.IntN(3)]}
			if r.IntN(3) > 0 {
				m.ID = "id-" + e
			}
			live.Members = append(live.Members, m)
		}
		var ops []Op
		for range r.IntN(6) {
			e := emails[r.IntN(len(emails))]
			o := Op{Email: e, Role: roles[r.IntN(2)]}
			if r.IntN(3) > 0 {
				o.MemberID = "id-" + e
			}
			o.Action = []Action{Invite, Promote, Demote, Remove, UpdateACL}[r.IntN(5)]
			ops = append(ops, o)
		}
		want := activeAdmins(Simulate(live, ops))
		var wantPending []string
		for _, m := range Simulate(live, ops).Members {
			if m.Role == portal.RoleAdmin && m.Status == portal.StatusPending {
				wantPending = append(wantPending, m.Email)
			}
		}
		slices.Sort(wantPending)
		wantPending = slices.Compact(wantPending)
		got, pending := adminsAfter(live, ops)
		if got != len(want) || !slices.Equal(pending, wantPending) {
			t.Fatalf("case %d: adminsAfter = %d %v, Simulate = %d %v\nlive %+v\nops %+v",
				i, got, pending, len(want), wantPending, live.Members, ops)
		}
	}
}
