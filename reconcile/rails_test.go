package reconcile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// railsLive is a portal with one admin, alice, and four users.
func railsLive() *portal.Config {
	live := &portal.Config{Members: []portal.Member{
		{ID: "m-alice", Email: "alice@company.com", Role: portal.RoleAdmin, Status: portal.StatusActive},
		{ID: "m-bob", Email: "bob@company.com", Role: portal.RoleUser, Status: portal.StatusActive},
		{ID: "m-carol", Email: "carol@company.com", Role: portal.RoleUser, Status: portal.StatusActive},
		{ID: "m-dave", Email: "dave@company.com", Role: portal.RoleUser, Status: portal.StatusActive},
		{ID: "m-mallory", Email: "mallory@company.com", Role: portal.RoleUser, Status: portal.StatusActive},
	}, Blueprints: []portal.Blueprint{
		{ID: "bp-ds", Name: "data-science", ETag: `"e1"`, Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}},
	}}
	return live
}

// The rails judge operations by the id their request carries: a removal that
// shows mallory's email but carries alice's id removes alice, the only admin. By
// email the plan would look harmless.
func TestRailsCountByID(t *testing.T) {
	live := railsLive()
	lying := reconcile.Op{Action: reconcile.Remove, Email: "mallory@company.com", MemberID: "m-alice", Role: portal.RoleUser}
	p := &reconcile.Plan{Ops: []reconcile.Op{lying}}
	rails := reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 100}
	if err := rails.Check(p, live); !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "no admin") {
		t.Fatalf("Check = %v, want the last-admin refusal", err)
	}
	if n := reconcile.AdminsAfter(live, p.Ops); n != 0 {
		t.Errorf("AdminsAfter = %d, want 0: alice's id is removed", n)
	}

	// A promotion that shows bob but carries carol's id promotes carol.
	after := reconcile.Simulate(live, []reconcile.Op{{Action: reconcile.Promote, Email: "bob@company.com", MemberID: "m-carol", Role: portal.RoleAdmin, FromRole: portal.RoleUser}})
	for _, m := range after.Members {
		if want := m.Email == "alice@company.com" || m.Email == "carol@company.com"; (m.Role == portal.RoleAdmin) != want {
			t.Errorf("%s is %s after the promotion of id m-carol", m.Email, m.Role)
		}
	}

	// Removals are counted by distinct id: the same id twice removes one member,
	// two emails on one id are one removal.
	twice := &reconcile.Plan{Ops: []reconcile.Op{
		{Action: reconcile.Remove, Email: "bob@company.com", MemberID: "m-bob", Role: portal.RoleUser},
		{Action: reconcile.Remove, Email: "carol@company.com", MemberID: "m-bob", Role: portal.RoleUser},
	}}
	if err := (reconcile.Rails{MaxRemovals: 1, MaxRemovalPercent: 100}).Check(twice, live); err != nil {
		t.Errorf("two removals of one id counted as two: %v", err)
	}
	three := &reconcile.Plan{Ops: []reconcile.Op{
		{Action: reconcile.Remove, Email: "bob@company.com", MemberID: "m-bob", Role: portal.RoleUser},
		{Action: reconcile.Remove, Email: "bob@company.com", MemberID: "m-carol", Role: portal.RoleUser},
		{Action: reconcile.Remove, Email: "bob@company.com", MemberID: "m-dave", Role: portal.RoleUser},
	}}
	if err := (reconcile.Rails{MaxRemovals: 2, MaxRemovalPercent: 100}).Check(three, live); err == nil || !strings.Contains(err.Error(), "removes 3 members") {
		t.Errorf("three ids behind one email: %v, want 3 removals counted", err)
	}
}

func TestBind(t *testing.T) {
	remove := func(email, id string, role portal.Role) reconcile.Op {
		return reconcile.Op{Action: reconcile.Remove, Email: email, MemberID: id, Role: role}
	}
	acl := func(name, id, etag string) reconcile.Op {
		return reconcile.Op{Action: reconcile.UpdateACL, Blueprint: name, BlueprintID: id, ETag: etag}
	}
	tests := []struct {
		name string
		ops  []reconcile.Op
		want string // "" = bound
	}{
		{"as planned", []reconcile.Op{
			{Action: reconcile.Invite, Email: "erin@company.com", Role: portal.RoleUser},
			{Action: reconcile.Promote, Email: "bob@company.com", MemberID: "m-bob", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
			acl("data-science", "bp-ds", `"e1"`),
			remove("mallory@company.com", "m-mallory", portal.RoleUser),
		}, ""},
		{"removal carrying the admin's id", []reconcile.Op{remove("mallory@company.com", "m-alice", portal.RoleUser)}, `which is "alice@company.com" in the portal, not "mallory@company.com"`},
		{"unknown member id", []reconcile.Op{remove("mallory@company.com", "m-nobody", portal.RoleUser)}, `member id "m-nobody", which the portal does not have`},
		{"removal showing the wrong role", []reconcile.Op{remove("alice@company.com", "m-alice", portal.RoleUser)}, "has them as admin"},
		{"promotion of someone already admin", []reconcile.Op{
			{Action: reconcile.Promote, Email: "alice@company.com", MemberID: "m-alice", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
		}, "expects"},
		{"demotion with another member's id", []reconcile.Op{
			{Action: reconcile.Demote, Email: "bob@company.com", MemberID: "m-alice", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
		}, `which is "alice@company.com"`},
		{"invitation of a member", []reconcile.Op{{Action: reconcile.Invite, Email: "bob@company.com", Role: portal.RoleAdmin}}, "already a member"},
		{"invitation twice", []reconcile.Op{
			{Action: reconcile.Invite, Email: "erin@company.com", Role: portal.RoleUser},
			{Action: reconcile.Invite, Email: "erin@company.com", Role: portal.RoleAdmin},
		}, "same email erin@company.com as operation 1"},
		{"two operations on one member", []reconcile.Op{
			{Action: reconcile.Promote, Email: "bob@company.com", MemberID: "m-bob", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
			remove("bob@company.com", "m-bob", portal.RoleUser),
		}, "same member m-bob"},
		{"ACL update of another blueprint's id", []reconcile.Op{acl("ml-lab", "bp-ds", `"e1"`)}, `which is "data-science" in the portal, not "ml-lab"`},
		{"ACL update of an unknown blueprint", []reconcile.Op{acl("data-science", "bp-zz", `"e1"`)}, "does not have"},
		{"ACL update of an older version", []reconcile.Op{acl("data-science", "bp-ds", `"e0"`)}, "version"},
		{"unknown action", []reconcile.Op{{Action: "delete_org"}}, "unknown action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := reconcile.Bind(&reconcile.Plan{Ops: tt.ops}, railsLive())
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Bind: %v", err)
			case tt.want != "" && (!errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Bind = %v, want a refusal saying %q", err, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), "run plan again"):
				t.Errorf("message %q does not say what to do", err)
			}
		})
	}
}

// goldenPlan plans testdata/golden-plan.yaml against planLive().
func goldenPlan(t *testing.T) *reconcile.Plan {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "golden-plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, ds := reconcile.Diff(parseFile(t, string(src)), planLive(), reconcile.DiffOptions{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %+v", ds)
	}
	return p
}

// Recheck accepts exactly the operations the desired state gives against the live
// state the plan was made from.
func TestRecheck(t *testing.T) {
	live := planLive()
	saved := goldenPlan(t)
	fresh, err := reconcile.Recheck(saved, live, portal.Date{})
	if err != nil {
		t.Fatalf("Recheck of an untouched plan: %v", err)
	}
	if len(fresh.Ops) != len(saved.Ops) || len(fresh.Impact.Blueprints) == 0 {
		t.Errorf("recomputed plan: %v, impact %d blueprints", actions(fresh.Ops), len(fresh.Impact.Blueprints))
	}
	edit := func(f func(p *reconcile.Plan)) *reconcile.Plan {
		p := goldenPlan(t)
		f(p)
		return p
	}
	tests := []struct {
		name string
		plan *reconcile.Plan
		want string
	}{
		{"stale", edit(func(p *reconcile.Plan) { p.Fingerprint = "sha256:other" }), "changed"},
		{"added operation", edit(func(p *reconcile.Plan) {
			p.Ops = append([]reconcile.Op{{Action: reconcile.Invite, Email: "mallory@evil.com", Role: portal.RoleAdmin}}, p.Ops...)
		}), "does not follow from the plan's desired state"},
		{"removed operation", edit(func(p *reconcile.Plan) { p.Ops = p.Ops[:len(p.Ops)-1] }), "the plan lacks"},
		{"operation changed", edit(func(p *reconcile.Plan) { p.Ops[len(p.Ops)-1].MemberID = "m-alice" }), `member id "m-alice"`},
		{"desired state changed", edit(func(p *reconcile.Plan) {
			p.Desired.Members = append(p.Desired.Members, portal.Member{Email: "zz@company.com", Role: portal.RoleAdmin})
		}), `which gives invite "zz@company.com"`},
		{"no desired state", edit(func(p *reconcile.Plan) { p.Desired = nil }), "no desired state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reconcile.Recheck(tt.plan, live, portal.Date{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Recheck = %v, want %q", err, tt.want)
			}
			if tt.name != "stale" && !errors.Is(err, reconcile.ErrRefused) {
				t.Errorf("not a refusal: %v", err)
			}
			if tt.name == "stale" && !errors.Is(err, reconcile.ErrStale) {
				t.Errorf("not ErrStale: %v", err)
			}
		})
	}
}

// The required_admins rail judges each removal and demotion by the live member
// its request names by id, and by the email it shows: whichever of the two is a
// required admin of the desired state's policy, the plan is refused, naming them
// and the policy's line. Without the rule, the same plans pass it.
func TestRailsRequiredAdmins(t *testing.T) {
	live := railsLive()
	live.Members = append(live.Members, portal.Member{ID: "m-root", Email: "root@company.com", Role: portal.RoleAdmin, Status: portal.StatusActive})
	policy := &portal.Policy{RequiredAdmins: []string{"alice@company.com"}, Set: map[portal.PolicyRule]portal.Pos{
		portal.PolicyRequiredAdmins: {File: "portal.yaml", Line: 4, Col: 3},
	}}
	desired := &portal.Config{Policy: policy}
	tests := []struct {
		name string
		op   reconcile.Op
		want string // the refusal's message, in part; "" = none
	}{
		{"removal", reconcile.Op{Action: reconcile.Remove, Email: "alice@company.com", MemberID: "m-alice", Role: portal.RoleAdmin},
			`the plan removes alice@company.com (member id "m-alice"), whom the policy's required_admins (portal.yaml:4:3) requires`},
		{"demotion", reconcile.Op{Action: reconcile.Demote, Email: "alice@company.com", MemberID: "m-alice", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			`the plan demotes alice@company.com`},
		{"removal showing another email, carrying her id", reconcile.Op{Action: reconcile.Remove, Email: "mallory@company.com", MemberID: "m-alice", Role: portal.RoleUser},
			`the plan removes alice@company.com (member id "m-alice")`},
		{"removal showing her email, carrying an unknown id", reconcile.Op{Action: reconcile.Remove, Email: "alice@company.com", MemberID: "m-gone", Role: portal.RoleAdmin},
			`the plan removes alice@company.com (member id "m-gone")`},
		{"demotion judged on a file (preview), which carries no member id", reconcile.Op{Action: reconcile.Demote, Email: "alice@company.com", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			`the plan demotes alice@company.com, whom the policy's required_admins (portal.yaml:4:3) requires`},
		{"another admin's demotion", reconcile.Op{Action: reconcile.Demote, Email: "root@company.com", MemberID: "m-root", Role: portal.RoleUser, FromRole: portal.RoleAdmin}, ""},
		{"her promotion", reconcile.Op{Action: reconcile.Promote, Email: "alice@company.com", MemberID: "m-alice", Role: portal.RoleAdmin, FromRole: portal.RoleUser}, ""},
	}
	rails := reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 100}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &reconcile.Plan{Ops: []reconcile.Op{tt.op}, Desired: desired}
			var got []reconcile.Refusal
			for _, r := range rails.Refusals(p, live) {
				if r.Rail == "required-admin" {
					got = append(got, r)
				}
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Fatalf("refused: %v", got)
			case tt.want == "":
				return
			case len(got) != 1 || !strings.Contains(got[0].Message, tt.want) || !strings.Contains(got[0].Pass, "remove alice@company.com from required_admins"):
				t.Fatalf("refusals %+v, want one with %q", got, tt.want)
			}
			if err := rails.Check(p, live); !errors.Is(err, reconcile.ErrRefused) {
				t.Fatalf("Check = %v", err)
			}
			// The rule comes from the desired state: without it, or without a
			// desired state, the same operation passes this rail.
			for _, d := range []*portal.Config{nil, {}, {Policy: &portal.Policy{Set: map[portal.PolicyRule]portal.Pos{}}}} {
				for _, r := range rails.Refusals(&reconcile.Plan{Ops: []reconcile.Op{tt.op}, Desired: d}, live) {
					if r.Rail == "required-admin" {
						t.Fatalf("refused without required_admins: %v", r)
					}
				}
			}
		})
	}
}
