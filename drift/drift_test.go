package drift_test

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/drift"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

var today = portal.Date{Year: 2026, Month: 11, Day: 23}

// memFiles serves a layout's files from memory, as schema.Disk serves them
// from the disk.
type memFiles map[string][]byte

func (m memFiles) ReadFile(_ context.Context, name string) ([]byte, error) {
	if b, ok := m[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%s: no such file", name)
}

func (m memFiles) Glob(_ context.Context, pattern string) ([]string, error) {
	var out []string
	for name := range m {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// load loads the layout whose root is portal.yaml; it must be valid.
func load(t *testing.T, files memFiles) *portal.Config {
	t.Helper()
	l := testkit.Must(schema.New(schema.Today(today)))
	cfg, ds := l.Load(context.Background(), "portal.yaml", files["portal.yaml"], files)
	if ds.HasErrors() || cfg == nil {
		t.Fatalf("the files do not load: %v", ds)
	}
	return cfg
}

// liveOf reads a live portal from a seed: organization roles Owner, Admin and
// Viewer, the one written Owner being the owner.
func liveOf(t *testing.T, seed string) *portal.Config {
	t.Helper()
	l := testkit.Must(schema.New(schema.Seed()))
	live, ds := l.Parse("live.yaml", []byte(seed))
	if ds.HasErrors() {
		t.Fatalf("seed: %v", ds)
	}
	if live.Org != nil {
		live.Org.Roles = []portal.OrgRole{{ID: "id-owner", Name: "Owner"}, {ID: "id-admin", Name: "Admin"}, {ID: "id-viewer", Name: "Viewer"}}
		for i, m := range live.Org.Members {
			r, ok, _ := live.Org.Role(m.Role)
			if !ok {
				t.Fatalf("seed: role %q", m.Role)
			}
			live.Org.Members[i].Role, live.Org.Members[i].RoleID = r.Name, r.ID
			live.Org.Members[i].Owner = r.Name == "Owner"
			if live.Org.Members[i].Status == "" {
				live.Org.Members[i].Status = portal.StatusActive
			}
		}
	}
	for i := range live.Members {
		if live.Members[i].Status == "" {
			live.Members[i].Status = portal.StatusActive
		}
	}
	return live
}

// run syncs files with live and returns the result and the edited files.
func run(t *testing.T, files memFiles, live *portal.Config) (*drift.Result, memFiles, error) {
	t.Helper()
	cfg := load(t, files)
	res, err := drift.Sync(cfg, files, live, drift.Options{Today: today})
	if err != nil {
		return nil, nil, err
	}
	after := maps.Clone(files)
	for _, f := range res.Files {
		after[f.Name] = f.After
	}
	return res, after, nil
}

// render is what the golden files hold: the changes, the notes, and each
// edited file.
func render(res *drift.Result) string {
	var b strings.Builder
	for _, c := range res.Changes {
		fmt.Fprintln(&b, c)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(&b, "note:", n)
	}
	for _, u := range res.Unclaimed {
		fmt.Fprintln(&b, "unclaimed:", u)
	}
	fmt.Fprintf(&b, "removals: %d, admins: %v\n", res.Removals(), res.Admins())
	for _, f := range res.Files {
		fmt.Fprintf(&b, "=== %s\n%s", f.Name, f.After)
	}
	return b.String()
}

// settled requires the edited files to load and plan no change against live,
// but for the removals their own expiry causes.
func settled(t *testing.T, files memFiles, live *portal.Config) {
	t.Helper()
	cfg := load(t, files)
	cfg.Organization = live.Organization
	p, ds := reconcile.Diff(cfg, live, reconcile.DiffOptions{Today: today})
	if ds.HasErrors() {
		t.Fatalf("plan after sync: %v", ds)
	}
	for _, op := range p.Ops {
		if op.ExpiredOn.IsZero() && !op.Expired {
			t.Errorf("plan after sync still changes: %s", op)
		}
	}
}

func crlf(files memFiles) memFiles {
	out := memFiles{}
	for k, v := range files {
		out[k] = []byte(strings.ReplaceAll(string(v), "\n", "\r\n"))
	}
	return out
}

type syncCase struct {
	name  string
	files map[string]string
	live  string
}

var syncCases = []syncCase{
	{
		name: "member-insert-block",
		files: map[string]string{"portal.yaml": `version: 1
members:   # everyone
  # the admins
  - email: alice@company.com
    role: admin   # on call

  - email: bob@company.com
# blueprints follow
blueprints:
  wiki:
    access: open
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
  - {email: carol@company.com}
  - {email: dan@company.com, role: admin, status: pending}
blueprints:
  wiki: {}
`,
	},
	{
		name: "member-insert-flow",
		files: map[string]string{"portal.yaml": `version: 1
members: [{email: alice@company.com, role: admin}]  # short
blueprints:
  wiki: {access: open}
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com, role: admin}
  - {email: carol@company.com}
blueprints:
  wiki: {}
`,
	},
	{
		name: "member-insert-missing-section",
		files: map[string]string{"portal.yaml": `# the portal
version: 1
blueprints:
  wiki:
    access: open
# end
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  wiki: {}
`,
	},
	{
		name: "member-delete-and-roles",
		files: map[string]string{"portal.yaml": `version: 1
members:
  - email: alice@company.com
    role: admin
  # bob leaves soon
  - email: bob@company.com

  - email: carol@company.com  # promoted
  - {email: dan@company.com, role: admin}
  - email: erin@company.com
    role: admin
blueprints:
  wiki:
    access: open
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: carol@company.com, role: admin}
  - {email: dan@company.com}
  - {email: erin@company.com}
blueprints:
  wiki: {}
`,
	},
	{
		name: "role-down-to-written-user",
		files: map[string]string{"portal.yaml": `version: 1
members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
    role: 'admin'
  - email: carol@company.com
    role: user
blueprints:
  wiki:
    access: open
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
  - {email: carol@company.com}
blueprints:
  wiki: {}
`,
	},
	{
		name: "rules",
		files: map[string]string{"portal.yaml": `version: 1
members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
groups:
  ops: [bob@company.com, old@company.com]
  sre: [alice@company.com]
blueprints:
  data:
    domains:
      - company.com   # everyone
      - partner.org
  ml:
    domains: [company.com]
  infra:
    groups: [ops, sre]
  docs:
    access: open
  notes:
    emails: [bob@company.com]
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  data:
    domains: [company.com]
  ml:
    domains: [company.com, example.org]
    emails: [eve@example.org]
  infra:
    emails: [alice@company.com]
  docs:
    domains: [company.com]
  notes: {}
`,
	},
	{
		name: "organization-members",
		files: map[string]string{"portal.yaml": `version: 1
members:
  - email: alice@company.com
    role: admin
organization_members:
  - email: owner@company.com
    role: Owner
  - email: alice@company.com
    role: admin          # case differs: the same role
  - email: bob@company.com
    role: Viewer
  - email: carol@company.com
    role: Viewer
blueprints:
  wiki:
    access: open
`},
		live: `members:
  - {email: alice@company.com, role: admin}
organization_members:
  - {email: owner@company.com, role: Owner}
  - {email: alice@company.com, role: Admin}
  - {email: bob@company.com, role: Admin}
  - {email: dan@company.com, role: Viewer, status: pending}
blueprints:
  wiki: {}
`,
	},
	{
		// A new member goes to the file that holds most of their domain:
		// the contractor to contractors.yaml, the employee to
		// employees.yaml, though contractors.yaml comes first.
		name: "member-file-by-domain",
		files: map[string]string{
			"portal.yaml": `version: 1
include:
  - path: people/*.yaml
    members: true
blueprints:
  handbook:
    access: open
`,
			"people/contractors.yaml": `members:
  - email: erin@partner.org
`,
			"people/employees.yaml": `members:
  - email: alice@company.com
    role: admin
`,
		},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: erin@partner.org}
  - {email: frank@partner.org}
  - {email: zoe@company.com}
blueprints:
  handbook: {}
`,
	},
	{
		name: "split-layout",
		files: map[string]string{
			"portal.yaml": `version: 1
include:
  - path: people/*.yaml
    members: true
  - path: teams/ml.yaml
    blueprints: ["ml-*"]
blueprints:
  handbook:
    access: open
`,
			"people/a.yaml": `members:
  - email: alice@company.com
    role: admin
`,
			"people/b.yaml": `members:
  - email: bob@company.com
`,
			"teams/ml.yaml": `# the ML team
blueprints:
  ml-old:
    emails: [bob@company.com]
  ml-train:
    domains: [company.com]
`,
		},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: carol@company.com}
blueprints:
  handbook: {}
  ml-train:
    domains: [company.com]
    emails: [carol@company.com]
  ml-serve:
    domains: [company.com]
  finance:
    emails: [alice@company.com]
`,
	},
	{
		name: "adoption",
		files: map[string]string{
			"portal.yaml": `version: 1
include:
  - path: people.yaml
    members: true
  - path: teams/ml.yaml
    blueprints: ["ml-*"]
  - path: teams/data.yaml
    blueprints: ["data-*", reports]
`,
			"people.yaml":     "# who is in the portal: filled by portalctl sync\n",
			"teams/ml.yaml":   "# the ML team's blueprints\n",
			"teams/data.yaml": "",
		},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  ml-train:
    domains: [company.com]
  ml-serve: {}
  data-lake:
    emails: [bob@company.com]
  reports:
    domains: [company.com]
    emails: [alice@company.com]
  handbook: {}
`,
	},
	{
		name: "expired-left-alone",
		files: map[string]string{"portal.yaml": `version: 1
members:
  - email: alice@company.com
    role: admin
  - email: old@company.com
    expires: 2026-01-01
  - email: gone@company.com
    expires: 2026-02-01
blueprints:
  wiki:
    access: open
`},
		live: `members:
  - {email: alice@company.com, role: admin}
  - {email: old@company.com}
  - {email: carol@company.com}
blueprints:
  wiki: {}
`,
	},
}

// TestSyncGolden: each case's changes and edited files are the golden ones;
// the edited files load and plan no change against the live portal; with CRLF
// line endings, the result is the same, line endings kept.
func TestSyncGolden(t *testing.T) {
	for _, c := range syncCases {
		t.Run(c.name, func(t *testing.T) {
			files := memFiles{}
			for k, v := range c.files {
				files[k] = []byte(v)
			}
			live := liveOf(t, c.live)
			res, after, err := run(t, files, live)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) == 0 {
				t.Fatal("no change found")
			}
			testkit.Golden(t, "testdata/"+c.name+".golden", render(res))
			settled(t, after, live)
			for name, before := range files {
				edited := slices.ContainsFunc(res.Files, func(f drift.EditedFile) bool { return f.Name == name })
				if !edited && string(after[name]) != string(before) {
					t.Errorf("%s changed", name)
				}
			}

			res2, after2, err := run(t, crlf(files), live)
			if err != nil {
				t.Fatalf("CRLF: %v", err)
			}
			if got, want := render(res2), strings.ReplaceAll(render(res), "\n", "\r\n"); strings.ReplaceAll(got, "\r\n", "\n") != strings.ReplaceAll(want, "\r\n", "\n") {
				t.Errorf("CRLF changes differ:\n%s", got)
			}
			for _, f := range res2.Files {
				if !strings.Contains(c.files[f.Name], "\n") {
					continue // a file with no line ending yet gets LF
				}
				if want := strings.ReplaceAll(string(after[f.Name]), "\n", "\r\n"); string(f.After) != want {
					t.Errorf("CRLF %s:\n%q\nwant\n%q", f.Name, f.After, want)
				}
			}
			settled(t, after2, live)

			// Synced once, there is nothing left to sync.
			again, _, err := run(t, after, live)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Changes) != 0 || len(again.Files) != 0 {
				t.Errorf("a second sync still changes: %v", again.Changes)
			}
		})
	}
}

// TestSyncRefuses: what sync cannot edit safely stops it, naming the file,
// the line and what to do.
func TestSyncRefuses(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		live  string
		tweak func(*portal.Config)
		want  string
	}{
		{
			name: "group partly dropped",
			files: map[string]string{"portal.yaml": `version: 1
members:
  - {email: alice@company.com, role: admin}
groups:
  ops: [alice@company.com, bob@company.com]
blueprints:
  infra:
    groups: [ops]
`},
			live: `members:
  - {email: alice@company.com, role: admin}
blueprints:
  infra:
    emails: [alice@company.com]
`,
			want: "portal.yaml:7: blueprint infra: the portal no longer grants bob@company.com, whom group ops gives it, but still grants alice@company.com of the same group",
		},
		{
			name: "anchored list",
			files: map[string]string{"portal.yaml": `version: 1
x-people: &people
  - {email: alice@company.com, role: admin}
members: *people
blueprints:
  wiki:
    access: open
`},
			live: `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  wiki: {}
`,
			want: "portal.yaml:4:10: members is written as the alias *people",
		},
		{
			name: "anchored entry deleted",
			files: map[string]string{"portal.yaml": `version: 1
members:
  - &bob {email: bob@company.com}
  - {email: alice@company.com, role: admin}
x-again: *bob
blueprints:
  wiki:
    access: open
`},
			live: `members:
  - {email: alice@company.com, role: admin}
blueprints:
  wiki: {}
`,
			want: "portal.yaml:3:5: the item defines the anchor &bob, which line 5 uses (*bob); make the change by hand",
		},
		{
			name: "member and invitation",
			files: map[string]string{"portal.yaml": `version: 1
members:
  - {email: alice@company.com, role: admin}
organization_members:
  - {email: owner@company.com, role: Owner}
blueprints:
  wiki:
    access: open
`},
			live: `members:
  - {email: alice@company.com, role: admin}
organization_members:
  - {email: owner@company.com, role: Owner}
  - {email: bob@company.com, role: Viewer}
blueprints:
  wiki: {}
`,
			tweak: func(live *portal.Config) {
				i := slices.IndexFunc(live.Org.Members, func(m portal.OrgMember) bool { return m.Email == "bob@company.com" })
				inv := live.Org.Members[i]
				inv.Status, inv.ID = portal.StatusPending, "inv-1"
				live.Org.Members = append(live.Org.Members, inv)
			},
			want: "bob@company.com is a member of the organization and has an invitation too",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := memFiles{}
			for k, v := range c.files {
				files[k] = []byte(v)
			}
			live := liveOf(t, c.live)
			if c.tweak != nil {
				c.tweak(live)
			}
			res, _, err := run(t, files, live)
			if err == nil {
				t.Fatalf("no error; changes: %v", res.Changes)
			}
			testkit.WantErr(t, err, c.want)
		})
	}
}
