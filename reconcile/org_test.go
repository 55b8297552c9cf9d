package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
)

// orgSeed is a portal with one admin and an organization with an owner, members,
// a pending and an expired invitation, and a custom role.
const orgSeed = `version: 1
members:
  - email: owner@company.com
    role: admin
blueprints:
  data-science:
    domains: [company.com]
organization_roles:
  - name: Data Team
    id: 6d1c7c1e-0000-4000-8000-000000000001
organization_members:
  - {email: owner@company.com, role: Owner, id: "github|1"}
  - {email: alice@company.com, role: Admin, id: "github|2"}
  - {email: bob@company.com, role: Viewer, id: "google-oauth2|3"}
  - {email: gone@company.com, role: DevOps, id: "github|4"}
  - {email: pend@company.com, role: Viewer, status: pending}
  - {email: late@company.com, role: Viewer, status: expired}
  - {email: stale@company.com, role: Viewer, status: pending}
`

// orgFile wants one organization change of every kind against orgSeed: invite new,
// change bob's role, change pend's pending invitation, send late's expired one
// again, cancel stale's and remove gone. Role names match case-insensitively.
const orgFile = `version: 1
members:
  - email: owner@company.com
    role: admin
organization_members:
  - email: owner@company.com
    role: owner
  - email: alice@company.com
    role: Admin
  - email: bob@company.com
    role: data team
  - email: pend@company.com
    role: Admin
  - email: late@company.com
    role: Viewer
  - email: new@company.com
    role: Billing Manager
blueprints:
  data-science:
    domains: [company.com]
`

func startOrg(t *testing.T, opts emulator.Options) *emu {
	t.Helper()
	st, err := emulator.ParseSeed("seed.yaml", []byte(orgSeed))
	if err != nil {
		t.Fatal(err)
	}
	opts.Initial = st
	return startEmu(t, opts)
}

func readLiveOrg(t *testing.T, e *emu) *portal.Config {
	t.Helper()
	c, o := e.clients(t, 0)
	live, err := reconcile.ReadLiveOrg(context.Background(), c, o, testOrg, 4)
	if err != nil {
		t.Fatalf("ReadLiveOrg: %v", err)
	}
	return live
}

func orgPlan(t *testing.T, e *emu, src string) (*reconcile.Plan, *portal.Config) {
	t.Helper()
	live := readLiveOrg(t, e)
	p, ds := reconcile.Diff(parseFile(t, src), live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatalf("Diff: %+v", ds)
	}
	return p, live
}

func lines(ops []reconcile.Op) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o.String()
	}
	return out
}

func TestOrgDiff(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	p, live := orgPlan(t, e, orgFile)
	want := []string{
		"invite new@company.com into the organization as Billing Manager",
		"send the expired organization invitation of late@company.com again, as Viewer",
		"invite pend@company.com into the organization again, as Admin (pending invitation as Viewer)",
		"change the organization role of bob@company.com from Viewer to Data Team",
		"cancel the organization invitation of stale@company.com (Viewer)",
		"remove gone@company.com from the organization (DevOps)",
	}
	if got := lines(p.Ops); !slices.Equal(got, want) {
		t.Fatalf("ops\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.Org != reconcile.OrgManaged || len(p.Impact.Blueprints) != 0 {
		t.Errorf("scope %q, impact %+v: organization roles change no one's access", p.Org, p.Impact.Blueprints)
	}
	if err := reconcile.Bind(p, live); err != nil {
		t.Errorf("Bind: %v", err)
	}
	// Two removals of seven organization members and invitations: within the
	// count, over the percentage.
	err := reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 25}.Check(p, live)
	if !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "removes 2 of 7 organization members and invitations (29%)") {
		t.Errorf("rails: %v", err)
	}

	// The same file read without the organization: the section cannot be planned.
	_, ds := reconcile.Diff(parseFile(t, orgFile), readLive(t, e.client(t, 0)), reconcile.DiffOptions{})
	if !ds.HasErrors() || ds[0].Code != "organization-not-read" {
		t.Errorf("diagnostics %+v", ds)
	}
}

// TestOrgFileErrors: what only the live organization can tell is wrong with the
// file, each at its line and column, saying what to write.
func TestOrgFileErrors(t *testing.T) {
	head := "version: 1\nmembers:\n  - email: owner@company.com\n    role: admin\nblueprints:\n  data-science:\n    domains: [company.com]\norganization_members:\n"
	tests := []struct {
		name    string
		entries string
		want    []string // "line:col code message-part"
	}{
		{"the owner left out", "  - email: alice@company.com\n    role: Admin\n",
			[]string{"8:1 owner-omitted organization_members omits the organization's owner owner@company.com"}},
		{"the owner demoted", "  - email: owner@company.com\n    role: Admin\n",
			[]string{"10:11 owner-role owner@company.com is the organization's owner"}},
		{"someone else made owner", "  - email: owner@company.com\n    role: Owner\n  - email: alice@company.com\n    role: OWNER\n",
			[]string{"12:11 owner-role only the organization's owner (owner@company.com) holds the role Owner"}},
		{"nobody invited as owner", "  - email: owner@company.com\n    role: Owner\n  - email: zed@company.com\n    role: Owner\n",
			[]string{"12:11 owner-role only the organization's owner"}},
		{"unknown role, the closest named", "  - email: owner@company.com\n    role: Owner\n  - email: alice@company.com\n    role: Admn\n",
			[]string{`12:11 unknown-organization-role unknown organization role "Admn" for alice@company.com`}},
	}
	e := startOrg(t, emulator.Options{})
	live := readLiveOrg(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := reconcile.Diff(parseFile(t, head+tt.entries), live, reconcile.DiffOptions{})
			var got []string
			for _, d := range ds {
				got = append(got, strings.TrimPrefix(d.Pos.String(), "portal.yaml:")+" "+d.Code+" "+d.Message)
				if d.Hint == "" {
					t.Errorf("no hint: %+v", d)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("diagnostics\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("diagnostic %q, want %q…", got[i], w)
				}
			}
		})
	}
	_, ds := reconcile.Diff(parseFile(t, head+"  - email: owner@company.com\n    role: Owner\n  - email: alice@company.com\n    role: Admn\n"), live, reconcile.DiffOptions{})
	if !strings.Contains(ds[0].Hint, `did you mean "Admin"?`) || !strings.Contains(ds[0].Hint, "Data Team") {
		t.Errorf("hint %q names neither the closest role nor the organization's roles", ds[0].Hint)
	}
}

// TestNoOrganizationRequestsWithoutTheSection: a file without organization_members
// leaves the organization alone, down to its endpoints.
func TestNoOrganizationRequestsWithoutTheSection(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	src := "version: 1\nmembers:\n  - email: owner@company.com\n    role: admin\nblueprints:\n  data-science:\n    domains: [company.com]\n"
	live := readLive(t, e.client(t, 0))
	p, ds := reconcile.Diff(parseFile(t, src), live, reconcile.DiffOptions{})
	if ds.HasErrors() || !p.Empty() || p.Org != reconcile.OrgLeftAlone {
		t.Fatalf("plan %v, %+v", actions(p.Ops), ds)
	}
	for route, n := range e.srv.Stats().Requests {
		if n > 0 && !strings.Contains(route, "/portal/") {
			t.Errorf("%d requests to %s", n, route)
		}
	}
	if live.Org != nil {
		t.Error("the organization was read")
	}
}

func TestOrgApplyConverges(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	p, live := orgPlan(t, e, orgFile)
	if err := (reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 50}).Check(p, live); err != nil {
		t.Fatal(err)
	}
	c, o := e.clients(t, 0)
	e.srv.ResetStats()
	sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 4, Org: o})
	if !sum.Complete() {
		t.Fatalf("apply: %+v", sum.Results)
	}
	notes := map[string]string{}
	for _, r := range sum.Results {
		notes[r.Op.Email] = r.Note
	}
	if !strings.Contains(notes["late@company.com"], "expired invitation was deleted and sent again") {
		t.Errorf("the re-sent invitation does not say so: %q", notes["late@company.com"])
	}
	// One request per change, two per invitation replaced: nothing else.
	for route, want := range map[string]int{
		"POST /organization/{organizationId}/inviteMember":              3,
		"DELETE /organization/{organizationId}/inviteMember/{inviteId}": 3,
		"PUT /organization/{organizationId}/member":                     1,
		"DELETE /organization/{organizationId}/member":                  1,
	} {
		if n := e.srv.Stats().Requests[route]; n != want {
			t.Errorf("%d requests %s, want %d", n, route, want)
		}
	}
	if n := e.srv.Stats().Total; n != 8 {
		t.Errorf("%d requests in all, want 8", n)
	}
	var got []string
	for _, m := range e.srv.OrgMembers() {
		got = append(got, m.Email+" "+m.RoleName)
	}
	for _, i := range e.srv.Invitations() {
		got = append(got, i.Email+" "+i.RoleName+" "+string(i.InvitationStatus))
	}
	want := []string{"alice@company.com Admin", "bob@company.com Data Team", "owner@company.com Owner",
		"late@company.com Viewer PENDING", "new@company.com Billing Manager PENDING", "pend@company.com Admin PENDING"}
	slices.Sort(got[:3])
	slices.Sort(got[3:])
	if !slices.Equal(got, want) {
		t.Errorf("organization\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	again, _ := orgPlan(t, e, orgFile)
	if !again.Empty() {
		t.Errorf("plan after apply: %v", lines(again.Ops))
	}
}

// TestOrgUncertainInvitations: an invitation whose answer is lost is settled by one
// fresh read of the invitations and the members, never sent again blindly.
func TestOrgUncertainInvitations(t *testing.T) {
	tests := []struct {
		name      string
		fault     emulator.Fault
		wantPosts int
		wantNote  string
	}{
		{"processed, then the answer lost: confirmed by the lists", emulator.FaultDropAfter, 3, "confirmed by the invitations after a lost answer"},
		{"dropped before processing: sent again in the next round", emulator.FaultDropBefore, 4, ""},
		{"a 502: sent again in the next round", emulator.FaultBadGateway, 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startOrg(t, emulator.Options{})
			p, _ := orgPlan(t, e, orgFile)
			c, o := e.clients(t, 0)
			e.srv.ResetStats()
			// With one request at a time: the two deletions of the invitations
			// replaced, then the invitation of new@company.com.
			e.srv.InjectFaults(emulator.FaultNone, emulator.FaultNone, tt.fault)
			sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 1, Org: o})
			if !sum.Complete() {
				t.Fatalf("apply: %+v", sum.Results)
			}
			if n := e.srv.Stats().Requests["POST /organization/{organizationId}/inviteMember"]; n != tt.wantPosts {
				t.Errorf("%d invitations sent, want %d", n, tt.wantPosts)
			}
			if n := e.srv.Stats().Requests["GET /organization/{organizationId}/inviteMember"]; n != 1 {
				t.Errorf("the round was settled with %d reads of the invitations, want 1", n)
			}
			if r := sum.Results[0]; r.Op.Email != "new@company.com" || r.Note != tt.wantNote {
				t.Errorf("first result %s: note %q, want %q", r.Op, r.Note, tt.wantNote)
			}
			n := 0
			for _, i := range e.srv.Invitations() {
				if i.Email == "new@company.com" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("new@company.com invited %d times", n)
			}
		})
	}
	t.Run("the lists cannot be read: uncertain, not failed", func(t *testing.T) {
		e := startOrg(t, emulator.Options{})
		p, _ := orgPlan(t, e, "version: 1\nmembers:\n  - email: owner@company.com\n    role: admin\norganization_members:\n"+
			"  - {email: owner@company.com, role: Owner}\n  - {email: alice@company.com, role: Admin}\n  - {email: bob@company.com, role: Viewer}\n"+
			"  - {email: gone@company.com, role: DevOps}\n  - {email: pend@company.com, role: Viewer}\n  - {email: late@company.com, role: Viewer}\n"+
			"  - {email: stale@company.com, role: Viewer}\n  - {email: new@company.com, role: Viewer}\nblueprints:\n  data-science:\n    domains: [company.com]\n")
		c, o := e.clients(t, -1)
		e.srv.InjectFaults(emulator.FaultNone, emulator.FaultNone, emulator.FaultDropAfter, emulator.FaultBadGateway, emulator.FaultBadGateway)
		sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 1, Org: o})
		var outcomes []string
		for _, r := range sum.Results {
			outcomes = append(outcomes, r.Op.Email+" "+string(r.Outcome))
		}
		// Invitations replaced first (late's deletion), then new's invitation,
		// then late's, whose answer is lost, and the lists answer 502.
		if !slices.Equal(outcomes, []string{"new@company.com done", "late@company.com uncertain"}) {
			t.Errorf("outcomes %v", outcomes)
		}
	})
}

// TestOrgRails: the removal rails count the organization's removals with the
// portal's, the percentage apart; nothing overrides the owner's protection.
func TestOrgRails(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	for i := range 6 {
		e.srv.AddMember("p"+string(rune('a'+i))+"@company.com", "USER", "ACTIVE")
	}
	live := readLiveOrg(t, e)
	// The file drops the six extra portal members and gone@company.com.
	file := strings.Replace(orgFile, "  - email: new@company.com\n    role: Billing Manager\n", "", 1)
	p, ds := reconcile.Diff(parseFile(t, file), live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	tests := []struct {
		name  string
		rails reconcile.Rails
		want  string
	}{
		{"together over the count", reconcile.Rails{MaxRemovals: 7, MaxRemovalPercent: 100}, "removes 8 (6 members of the portal, 2 members or invitations of the organization), more than `--max-removals=7`"},
		{"together within the count", reconcile.Rails{MaxRemovals: 8, MaxRemovalPercent: 100}, ""},
		{"the portal's percentage apart", reconcile.Rails{MaxRemovals: 8, MaxRemovalPercent: 30}, "6 of 7 members (86%)"},
		{"the organization's percentage apart", reconcile.Rails{MaxRemovals: 8, MaxRemovalPercent: 25}, "2 of 7 organization members and invitations (29%)"},
	}
	// The organization's percentage is judged on its own: with the portal's
	// members all kept, 2 removals of 7 are still over 25%.
	kept, ds := reconcile.Diff(parseFile(t, strings.Replace(file, "members:\n  - email: owner@company.com\n    role: admin\n",
		"members:\n  - email: owner@company.com\n    role: admin\n  - email: pa@company.com\n  - email: pb@company.com\n  - email: pc@company.com\n  - email: pd@company.com\n  - email: pe@company.com\n  - email: pf@company.com\n", 1)), live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	for _, tt := range tests {
		plan := p
		if strings.Contains(tt.name, "organization's percentage") {
			plan = kept
		}
		err := tt.rails.Check(plan, live)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}

	// Edited operations aimed at the owner: refused whatever the flags.
	owner := []reconcile.Op{
		{Action: reconcile.OrgRemove, Email: "gone@company.com", MemberID: "github|1", OrgRole: "DevOps"},
		{Action: reconcile.OrgChangeRole, Email: "bob@company.com", MemberID: "github|1", OrgRole: "Viewer"},
		{Action: reconcile.OrgInvite, Email: "zed@company.com", OrgRole: "Owner", OrgRoleID: emulator.DefaultRoles[0].ID},
	}
	for _, o := range owner {
		err := reconcile.Rails{MaxRemovals: 100, MaxRemovalPercent: 100}.Check(&reconcile.Plan{Ops: []reconcile.Op{o}}, live)
		if !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "owner") && !strings.Contains(err.Error(), "Owner") {
			t.Errorf("%s: %v", o, err)
		}
	}
}

// TestOrgBind: apply binds every organization operation to the live object by id
// and email (and role id and name), whatever the plan file says.
func TestOrgBind(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	p, live := orgPlan(t, e, orgFile)
	find := func(a reconcile.Action) int {
		return slices.IndexFunc(p.Ops, func(o reconcile.Op) bool { return o.Action == a })
	}
	invites := e.srv.Invitations()
	tests := []struct {
		name string
		edit func(ops []reconcile.Op)
		want string
	}{
		{"a role change carrying another member's id", func(ops []reconcile.Op) { ops[find(reconcile.OrgChangeRole)].MemberID = "github|2" },
			`sends member id "github|2", which is "alice@company.com" in the organization`},
		{"a role id shown under another name", func(ops []reconcile.Op) { ops[find(reconcile.OrgChangeRole)].OrgRole = "Viewer" },
			`but the organization names it "Data Team"`},
		{"a role the organization does not have", func(ops []reconcile.Op) {
			ops[find(reconcile.OrgInvite)].OrgRoleID = "6d1c7c1e-0000-4000-8000-0000000000ff"
		},
			"which the organization does not have"},
		{"an invitation of a member", func(ops []reconcile.Op) { ops[find(reconcile.OrgInvite)].Email = "bob@company.com" },
			"already a member of the organization"},
		{"a removal aimed at the owner", func(ops []reconcile.Op) {
			i := find(reconcile.OrgRemove)
			ops[i].MemberID, ops[i].Email = "github|1", "owner@company.com"
		}, "the organization's owner"},
		{"an invitation replaced under another's id", func(ops []reconcile.Op) {
			i := find(reconcile.OrgReinvite)
			for _, inv := range invites {
				if inv.Email == "stale@company.com" {
					ops[i].InviteID = inv.ID
				}
			}
		}, `which is "stale@company.com"'s`},
		{"an expired invitation shown as pending", func(ops []reconcile.Op) { ops[find(reconcile.OrgReinvite)].Expired = false },
			"to be pending, but it is expired"},
		{"two operations on one member", func(ops []reconcile.Op) {
			i := find(reconcile.OrgRemove)
			ops[i].MemberID, ops[i].Email, ops[i].OrgRoleID = "google-oauth2|3", "bob@company.com", emulator.DefaultRoles[4].ID
		}, "acts on the same organization member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := *p
			edited.Ops = slices.Clone(p.Ops)
			tt.edit(edited.Ops)
			err := reconcile.Bind(&edited, live)
			if !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Bind: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestOrgSavedPlan: Recheck derives the organization's operations again against
// the organization; an edited one does not follow from the desired state; an
// invitation expiring meanwhile makes the plan stale. (That the operations are
// under the plan file's digest is package planfile's to test.)
func TestOrgSavedPlan(t *testing.T) {
	e := startOrg(t, emulator.Options{})
	saved, _ := orgPlan(t, e, orgFile)
	fresh, err := reconcile.Recheck(saved, readLiveOrg(t, e), portal.Date{})
	if err != nil {
		t.Fatalf("Recheck: %v", err)
	}
	if !slices.Equal(lines(fresh.Ops), lines(saved.Ops)) {
		t.Errorf("recomputed ops %v", lines(fresh.Ops))
	}

	edited := *saved
	edited.Ops = slices.Clone(saved.Ops)
	i := slices.IndexFunc(edited.Ops, func(o reconcile.Op) bool { return o.OrgRole == "Data Team" })
	if i < 0 {
		t.Fatalf("no operation to the role Data Team: %v", lines(saved.Ops))
	}
	edited.Ops[i].OrgRole, edited.Ops[i].OrgRoleID = "Viewer", emulator.DefaultRoles[4].ID
	if _, err := reconcile.Recheck(&edited, readLiveOrg(t, e), portal.Date{}); !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "does not follow from the plan's desired state") {
		t.Errorf("Recheck of an edited operation: %v", err)
	}

	// An invitation expiring changes the live state: the plan is stale.
	e.srv.ExpireInvitation("pend@company.com")
	if _, err := reconcile.Recheck(saved, readLiveOrg(t, e), portal.Date{}); !errors.Is(err, reconcile.ErrStale) {
		t.Errorf("Recheck after an invitation expired: %v", err)
	}
}

// rolesLive is an organization whose roles' names differ only in case, with a
// custom role named "owner" beside the owner's, as the published API answers it.
func rolesLive(t *testing.T, ownerRoleID string) *portal.Config {
	t.Helper()
	roles := []organization.Role{
		{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000001", Name: "Owner"}, {ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000005", Name: "Viewer"},
		{ID: "6d1c7c1e-0000-4000-8000-0000000000da", Name: "Data Team"}, {ID: "6d1c7c1e-0000-4000-8000-0000000000db", Name: "DATA TEAM"},
		{ID: "6d1c7c1e-0000-4000-8000-0000000000cc", Name: "owner"}, {ID: "6d1c7c1e-0000-4000-8000-0000000000ee", Name: "Ops Team "},
	}
	members := []organization.Member{
		{ID: "github|1", Email: "boss@company.com", Role: organization.LegacyOwner, RoleName: "Owner", RoleID: ownerRoleID},
		{ID: "github|2", Email: "bob@company.com", RoleName: "owner", RoleID: "6d1c7c1e-0000-4000-8000-0000000000cc"},
		{ID: "github|3", Email: "dan@company.com", RoleName: "Data Team", RoleID: "6d1c7c1e-0000-4000-8000-0000000000da"},
	}
	live := parseFile(t, "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\nblueprints: {}\n")
	for i := range live.Members {
		live.Members[i].ID, live.Members[i].Status = "m-boss", portal.StatusActive
	}
	live.Org = testkit.Must(organization.FromAPI(roles, members, []organization.Invitation{}))
	return live
}

// TestOrgRolesByName: a role of the file is the organization's role of exactly that
// name, else the only one of that name in another case, else an "ambiguous role"
// error at the role that lists the candidates. The owner is the member the API
// reports as owner: a custom role named "owner" is an ordinary role, and the Owner
// role is the one the owner holds, whatever case its id is written in.
func TestOrgRolesByName(t *testing.T) {
	head := "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\nblueprints: {}\norganization_members:\n  - {email: boss@company.com, role: Owner}\n"
	tests := []struct {
		name        string
		entries     string
		ownerRoleID string   // as the API writes it; default the Owner's, in lower case
		wantOps     []string // the organization's operations
		wantDiag    string   // "line:col code message-part"
	}{
		{"exact names, as exported", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: Data Team}\n", "", nil, ""},
		{"the other case of a unique name", "  - {email: bob@company.com, role: OWNER}\n  - {email: dan@company.com, role: viewer}\n", "",
			nil, `7:36 ambiguous-organization-role role "OWNER" of bob@company.com is ambiguous: the organization has "Owner" and "owner"`},
		{"a name that two roles share but for the case", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: data team}\n", "",
			nil, `8:36 ambiguous-organization-role role "data team" of dan@company.com is ambiguous: the organization has "Data Team" and "DATA TEAM"`},
		{"the exact one of two", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: DATA TEAM}\n", "",
			[]string{"change the organization role of dan@company.com from Data Team to DATA TEAM"}, ""},
		{"the holder of the custom role owner is an ordinary member", "  - {email: bob@company.com, role: Viewer}\n  - {email: dan@company.com, role: Data Team}\n", "",
			[]string{"change the organization role of bob@company.com from owner to Viewer"}, ""},
		{"the custom role owner can be given", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: owner}\n", "",
			[]string{"change the organization role of dan@company.com from Data Team to owner"}, ""},
		{"the Owner role cannot", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: Owner}\n", "",
			nil, "8:36 owner-role only the organization's owner (boss@company.com) holds the role Owner"},
		{"a role whose name ends with a blank cannot be written", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: Ops Team}\n", "",
			nil, `8:36 unknown-organization-role role "Ops Team" of dan@company.com: the organization's role is named "Ops Team ", with blanks at an end, which portal.yaml cannot hold`},
		{"the owner's role id in upper case converges", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: Data Team}\n", "0C9D1B5E-7A4F-4F3B-8E2D-000000000001", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.ownerRoleID
			if id == "" {
				id = "0c9d1b5e-7a4f-4f3b-8e2d-000000000001"
			}
			live := rolesLive(t, id)
			p, ds := reconcile.Diff(parseFile(t, head+tt.entries), live, reconcile.DiffOptions{})
			if tt.wantDiag != "" {
				if len(ds) != 1 || !strings.HasPrefix(strings.TrimPrefix(ds[0].Pos.String(), "portal.yaml:")+" "+ds[0].Code+" "+ds[0].Message, tt.wantDiag) || ds[0].Hint == "" {
					t.Fatalf("diagnostics %+v, want %s", ds, tt.wantDiag)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatalf("diagnostics %+v", ds)
			}
			if got := lines(p.Ops); !slices.Equal(got, tt.wantOps) {
				t.Fatalf("ops\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.wantOps, "\n"))
			}
			if err := reconcile.Bind(p, live); err != nil {
				t.Errorf("Bind: %v", err)
			}
			if err := (reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 100}).Check(p, live); err != nil {
				t.Errorf("rails: %v", err)
			}
		})
	}
}

// TestOrgWithoutOwner: an organization the API reports no owner for is not
// managed: the file's section is refused, saying why.
func TestOrgWithoutOwner(t *testing.T) {
	live := parseFile(t, "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\nblueprints: {}\n")
	live.Org = testkit.Must(organization.FromAPI([]organization.Role{{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000001", Name: "Owner"}}, nil, nil))
	_, ds := reconcile.Diff(parseFile(t, "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\nblueprints: {}\norganization_members:\n  - {email: boss@company.com, role: Owner}\n"), live, reconcile.DiffOptions{})
	if len(ds) != 1 || ds[0].Code != "organization-without-owner" || !strings.Contains(ds[0].Hint, "remove organization_members") {
		t.Fatalf("diagnostics %+v", ds)
	}
}
