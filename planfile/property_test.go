package planfile_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
)

// randomLive is a portal cfg may be planned against: some of its members (in
// either role, some pending) and others, its blueprints with random ACLs (open,
// domains, emails) and another it does not manage, and, when cfg manages the
// organization, the organization with its owner, some of cfg's members or
// invitations in any of its roles, and someone else.
func randomLive(r *rand.Rand, cfg *portal.Config) *portal.Config {
	var members []qovery.Member
	add := func(id, email string) {
		m := qovery.Member{ID: id, Email: email, Role: qovery.RoleUser, Status: qovery.StatusActive}
		if r.IntN(2) == 0 {
			m.Role = qovery.RoleAdmin
		}
		if r.IntN(4) == 0 {
			m.Status, m.CreatedAt = qovery.StatusPending, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		}
		members = append(members, m)
	}
	for i, m := range cfg.Members {
		if r.IntN(3) > 0 {
			add(fmt.Sprintf("m-%d", i), m.Email)
		}
	}
	for i := range r.IntN(3) {
		add(fmt.Sprintf("x-%d", i), fmt.Sprintf("leaver%d@company.com", i))
	}
	var bps []qovery.Blueprint
	var acls []qovery.ACL
	names := []string{"legacy-demo"}
	for _, b := range cfg.Blueprints {
		names = append(names, b.Name)
	}
	for i, name := range names {
		bps = append(bps, qovery.Blueprint{ID: fmt.Sprintf("b-%d", i), Name: name})
		acl := qovery.ACL{ETag: fmt.Sprintf(`"%d"`, r.IntN(1000)), Rules: []qovery.Rule{}}
		for range r.IntN(4) {
			if r.IntN(2) == 0 {
				acl.Rules = append(acl.Rules, qovery.Rule{Type: qovery.RuleDomain, Value: []string{"company.com", "partner.org", "xn--bcher-kva.de"}[r.IntN(3)]})
			} else if len(cfg.Members) > 0 {
				acl.Rules = append(acl.Rules, qovery.Rule{Type: qovery.RuleEmail, Value: cfg.Members[r.IntN(len(cfg.Members))].Email})
			}
		}
		acls = append(acls, acl)
	}
	live := testkit.Must(qovery.FromAPI(testOrg, members, bps, acls))
	if cfg.Org == nil {
		return live
	}
	roles := []organization.Role{{ID: "r-owner", Name: "Owner"}}
	for i, name := range testkit.OrgRoles {
		roles = append(roles, organization.Role{ID: fmt.Sprintf("r-%d", i), Name: name})
	}
	role := func() string { return roles[1+r.IntN(len(roles)-1)].ID }
	om := []organization.Member{{ID: "github|owner", Email: "owner@company.com", RoleID: "r-owner", Role: organization.LegacyOwner}}
	var inv []organization.Invitation
	for i, m := range cfg.Org.Members {
		if m.Email == "owner@company.com" {
			continue
		}
		switch r.IntN(4) {
		case 0:
			om = append(om, organization.Member{ID: fmt.Sprintf("github|%d", i), Email: m.Email, RoleID: role()})
		case 1:
			status := organization.StatusPending
			if r.IntN(2) == 0 {
				status = organization.StatusExpired
			}
			inv = append(inv, organization.Invitation{ID: fmt.Sprintf("i-%d", i), Email: m.Email, RoleID: role(), InvitationStatus: status, CreatedAt: "2026-10-01T09:00:00Z"})
		}
	}
	om = append(om, organization.Member{ID: "github|gone", Email: "gone@company.com", RoleID: role()})
	live.Org = testkit.Must(organization.FromAPI(roles, om, inv))
	return live
}

// reportOf is everything a plan shows: its report as JSON, operations included.
func reportOf(t *testing.T, p *reconcile.Plan, live *portal.Config) string {
	t.Helper()
	rails := reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}
	var buf bytes.Buffer
	if err := report.New(p, report.Options{Kind: report.KindPlan, Rails: &rails, Live: live, Operations: true}).JSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestAnyPlanRoundTrips: for random valid files (every section, every way to
// write a rule) planned against random portals, the plan file reads back; its
// desired state is the file's model, so the plan made from it is the plan made
// from the file (the same report, operations included); and apply --plan
// accepts it, deriving those operations again.
func TestAnyPlanRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	l := loader(t, today)
	key := []byte("a-plan-key-long-enough")
	planned, withOps := 0, 0
	for range 500 {
		src := testkit.RandomFile(r)
		cfg, ds := l.Parse("portal.yaml", src)
		if ds.HasErrors() {
			continue
		}
		lv := randomLive(r, cfg)
		p, ds := reconcile.Diff(cfg, lv, reconcile.DiffOptions{Today: today})
		if ds.HasErrors() {
			continue
		}
		planned++
		if len(p.Ops) > 0 {
			withOps++
		}
		data, err := planfile.Marshal(p, fixedTime, key)
		if err != nil {
			t.Fatalf("Marshal: %v\n%s", err, src)
		}
		back, err := read(t, data, key, today)
		if err != nil {
			t.Fatalf("the plan file is refused: %v\nfile:\n%s\nplan file:\n%s", err, src, data)
		}
		again, ds := reconcile.Diff(back.Desired, lv, reconcile.DiffOptions{Today: today})
		if ds.HasErrors() {
			t.Fatalf("the desired state read back does not plan: %v\nfile:\n%s", ds, src)
		}
		if got, want := reportOf(t, again, lv), reportOf(t, p, lv); got != want {
			t.Fatalf("the plan of the desired state read back differs:\n%s\nwant\n%s\nfile:\n%s\nplan file:\n%s", got, want, src, data)
		}
		fresh, err := reconcile.Recheck(back, lv, today)
		if err != nil {
			t.Fatalf("Recheck: %v\nfile:\n%s\nplan file:\n%s", err, src, data)
		}
		if opsJSON(fresh.Ops) != opsJSON(p.Ops) {
			t.Fatalf("apply derives\n%s\nwant\n%s", opsJSON(fresh.Ops), opsJSON(p.Ops))
		}
	}
	t.Logf("%d random files planned, %d with operations", planned, withOps)
	if planned < 400 || withOps < 350 {
		t.Fatalf("only %d random files planned, %d with operations", planned, withOps)
	}
}
