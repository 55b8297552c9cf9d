package planfile_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

const testOrg = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

// fixedTime is when the tests' plans are made; today, the day they are made and
// applied on.
var (
	fixedTime = time.Date(2026, 11, 20, 15, 9, 26, 535_000_000, time.FixedZone("CET", 3600))
	today     = portal.DateOf(fixedTime)
)

// live is the portal the tests plan against, as ReadLiveOrg would model it:
// members of both roles, one pending; an open blueprint, restricted ones, one
// the file leaves alone; the organization with its owner, a member, one to
// remove, an expired invitation and a pending one.
func live() *portal.Config {
	members := []qovery.Member{
		{ID: "m-alice", Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive},
		{ID: "m-bob", Email: "Bob@Company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
		{ID: "m-carol", Email: "carol@partner.org", Role: qovery.RoleAdmin, Status: qovery.StatusPending, CreatedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)},
		{ID: "m-dave", Email: "dave@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
		{ID: "m-frank", Email: "frank@partner.org", Role: qovery.RoleUser, Status: qovery.StatusActive},
	}
	blueprints := []qovery.Blueprint{{ID: "bp-ds", Name: "data-science"}, {ID: "bp-py", Name: "python-starter"}, {ID: "bp-ml", Name: "ml-lab"}}
	acls := []qovery.ACL{
		{ETag: `"e-ds"`, Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}},
		{ETag: `"e-py"`, Rules: []qovery.Rule{}},
		{ETag: `"e-ml"`, Rules: []qovery.Rule{{Type: qovery.RuleEmail, Value: "carol@partner.org"}}},
	}
	cfg := testkit.Must(qovery.FromAPI(testOrg, members, blueprints, acls))
	cfg.Org = testkit.Must(organization.FromAPI(
		[]organization.Role{{ID: "r-owner", Name: "Owner"}, {ID: "r-admin", Name: "Admin"}, {ID: "r-viewer", Name: "Viewer"}},
		[]organization.Member{
			{ID: "github|1", Email: "alice@company.com", RoleID: "r-owner", Role: organization.LegacyOwner},
			{ID: "github|2", Email: "bob@company.com", RoleID: "r-viewer"},
			{ID: "github|3", Email: "gone@company.com", RoleID: "r-viewer"},
		},
		[]organization.Invitation{
			{ID: "i-1", Email: "late@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusExpired},
			{ID: "i-2", Email: "stale@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusPending, CreatedAt: "2026-10-01T09:00:00Z"},
		}))
	return cfg
}

// file plans one operation of every kind against live(): an invitation, a
// promotion, a demotion, removals (one for an expiry), ACL updates (a blueprint
// opened, one restricted with a group's emails), and the organization's five.
const file = `version: 1
organization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10
policy:
  max_open_blueprints: 2
members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
    role: admin
  - email: carol@partner.org
    expires: 2027-01-15
  - email: erin@company.com
    expires: 2027-01-31
  - email: frank@partner.org
    expires: 2026-11-20
groups:
  contractors: [freelancer@gmail.com, carol@partner.org]
  empty: []
blueprints:
  data-science:
    access: open
  python-starter:
    domains: [partner.org]
    emails: [carol@partner.org]
    groups: [contractors, empty]
organization_members:
  - email: alice@company.com
    role: Owner
  - email: bob@company.com
    role: admin
  - email: late@company.com
    role: Viewer
  - email: new@company.com
    role: Viewer
    expires: 2027-06-30
`

// loader is the loader apply --plan reads a desired state with, judging dates
// on day.
func loader(t testing.TB, day portal.Date) *schema.Loader {
	t.Helper()
	l, err := schema.New(schema.Today(day), schema.NoLints())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func parse(t testing.TB, src string) *portal.Config {
	t.Helper()
	cfg, ds := loader(t, today).Parse("portal.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	return cfg
}

// plan is file planned against live() today.
func plan(t testing.TB) *reconcile.Plan {
	t.Helper()
	p, ds := reconcile.Diff(parse(t, file), live(), reconcile.DiffOptions{Today: today})
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	return p
}

// encoded is the plan file of p, unsigned.
func encoded(t testing.TB, p *reconcile.Plan) []byte {
	t.Helper()
	data, err := planfile.Marshal(p, fixedTime, nil)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fields reads the fields of a plan file.
func fields(t testing.TB, data []byte) *planfile.File {
	t.Helper()
	var f planfile.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// edit edits the plan file data and writes it back as Encode does: with its
// digest and signature as they were, or, resealed, recomputed as someone who
// knows the format would, signed with key when set.
func edit(t testing.TB, data []byte, change func(f *planfile.File), reseal bool, key []byte) []byte {
	t.Helper()
	f := fields(t, data)
	change(f)
	if reseal {
		f.Seal(key)
	}
	out, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// opOf is the first operation of f with the action given.
func opOf(f *planfile.File, action reconcile.Action) *reconcile.OpJSON {
	for i, o := range f.Operations {
		if o.Action == action {
			return &f.Operations[i]
		}
	}
	panic("no " + action)
}

// read reads a plan file and loads the plan it holds, as apply --plan does.
func read(t testing.TB, data []byte, key []byte, day portal.Date) (*reconcile.Plan, error) {
	t.Helper()
	f, err := planfile.Read(bytes.NewReader(data), "portal.plan", key)
	if err != nil {
		return nil, err
	}
	return f.Plan(loader(t, day))
}

// opsJSON is the operations as the plan file writes them.
func opsJSON(ops []reconcile.Op) string {
	out := make([]reconcile.OpJSON, len(ops))
	for i, o := range ops {
		out[i] = o.JSON()
	}
	data, _ := json.Marshal(out)
	return string(data)
}
