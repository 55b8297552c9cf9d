package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// TestParseSeed: seeds are read by portalctl's own loader, with the fields only a
// seed carries, and every problem is named by file, line and column.
func TestParseSeed(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    *emulator.State // compared as JSON; ids compared only when set
		wantErr []string        // substrings of the error, positions included
	}{
		{
			name: "full example",
			yaml: `version: 1
organization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10
members:
  - email: Alice@Company.com
    role: admin
  - email: bob@company.com
  - email: carol@partner.org
    role: user
    status: pending
  - email: dave@partner.org
    status: active
groups:
  contractors: [freelancer@gmail.com, Contractor@Partner.org]
blueprints:
  data-science:
    id: bp-1
    description: Notebooks
    domains: ["@Company.com"]
    emails: [alice@company.com]
    groups: [contractors]
  python-starter:
    access: open
  empty:
  no-rules: {}
`,
			want: &emulator.State{
				Members: []qovery.Member{
					{Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive},
					{Email: "bob@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
					{Email: "carol@partner.org", Role: qovery.RoleUser, Status: qovery.StatusPending},
					{Email: "dave@partner.org", Role: qovery.RoleUser, Status: qovery.StatusActive},
				},
				Blueprints: []emulator.BlueprintState{
					{ID: "bp-1", Name: "data-science", Description: "Notebooks", Rules: []qovery.Rule{
						{Type: qovery.RuleDomain, Value: "company.com"},
						{Type: qovery.RuleEmail, Value: "alice@company.com"},
						{Type: qovery.RuleEmail, Value: "contractor@partner.org"},
						{Type: qovery.RuleEmail, Value: "freelancer@gmail.com"},
					}},
					{Name: "empty", Rules: []qovery.Rule{}},
					{Name: "no-rules", Rules: []qovery.Rule{}},
					{Name: "python-starter", Rules: []qovery.Rule{}},
				},
			},
		},
		{
			name: "invited: the day a pending invitation was sent, its created_at",
			yaml: "members:\n  - email: p@b.co\n    status: pending\n    invited: 2026-09-01\n",
			want: &emulator.State{Members: []qovery.Member{
				{Email: "p@b.co", Role: qovery.RoleUser, Status: qovery.StatusPending, CreatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
			}},
		},
		{
			name: "invited on entries that are not pending",
			yaml: "members:\n  - email: a@b.co\n    invited: 2026-09-01\norganization_members:\n  - email: o@b.co\n    role: Owner\n    invited: '2026-09-01'\n  - email: e@b.co\n    role: Viewer\n    status: expired\n    invited: 2026-09-31\n",
			wantErr: []string{"seed.yaml:3:14: a@b.co has invited: but is not pending", "seed.yaml:7:14: o@b.co has invited: but is not pending",
				"seed.yaml:11:14: invited of e@b.co: 2026-09-31 is not a day of the calendar"},
		},
		{name: "empty file", yaml: "", want: &emulator.State{}},
		{name: "only comments", yaml: "# nothing\n", want: &emulator.State{}},
		{
			name: "version optional, duplicate rules merged",
			yaml: "blueprints:\n  b:\n    domains: [x.org, X.org]\n",
			want: &emulator.State{Blueprints: []emulator.BlueprintState{{Name: "b", Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "x.org"}}}}},
		},
		{
			name:    "unknown keys, as in portal.yaml",
			yaml:    "extra: 1\nblueprints:\n  b:\n    domains: [x.org]\n    colour: red\n",
			wantErr: []string{`seed.yaml:1:1: unknown key "extra" in the file`, `seed.yaml:5:5: unknown key "colour" in blueprint "b"`},
		},
		{name: "not YAML", yaml: "members: [\n", wantErr: []string{"seed.yaml:1:10: invalid YAML: this `[` is never closed"}},
		{name: "not a mapping", yaml: "- a\n- b\n", wantErr: []string{"seed.yaml:1:1: the file must be a mapping"}},
		{name: "members not a list", yaml: "members: alice\n", wantErr: []string{"seed.yaml:1:10: members must be a list"}},
		{
			name: "bad member fields",
			yaml: "members:\n  - email: nope\n  - email: a@b.co\n    role: owner\n  - email: c@b.co\n    status: gone\n  - role: admin\n",
			wantErr: []string{`seed.yaml:2:12: invalid member email "nope"`, `seed.yaml:4:11: role of member "a@b.co" cannot be "owner"`,
				`seed.yaml:6:13: status of member "c@b.co" cannot be "gone"`, `seed.yaml:7:5: member #4 has no "email"`},
		},
		{
			name:    "duplicate member names both lines",
			yaml:    "members:\n  - email: a@b.co\n  - email: A@B.co\n",
			wantErr: []string{"seed.yaml:3:12: duplicate member a@b.co: already listed at line 2"},
		},
		{
			name:    "unknown group",
			yaml:    "blueprints:\n  b:\n    groups: [ghosts]\n",
			wantErr: []string{`seed.yaml:3:14: unknown group "ghosts"`},
		},
		{
			name:    "bad domain and email rules",
			yaml:    "blueprints:\n  b:\n    domains: [company]\n    emails: [x@]\n",
			wantErr: []string{`seed.yaml:3:15: invalid domain "company"`, `seed.yaml:4:14: invalid email "x@"`},
		},
		{
			name:    "access open with rules",
			yaml:    "blueprints:\n  b:\n    access: open\n    domains: [a.com]\n",
			wantErr: []string{"seed.yaml:3:13: blueprint \"b\" has `access: open` and rules"},
		},
		{
			name:    "unknown access",
			yaml:    "blueprints:\n  b:\n    access: closed\n",
			wantErr: []string{`seed.yaml:3:13: access of blueprint "b" cannot be "closed"`},
		},
		{
			name:    "duplicate blueprint ids",
			yaml:    "blueprints:\n  a: {id: x}\n  b: {id: x}\n",
			wantErr: []string{`seed.yaml:3:11: duplicate blueprint id "x": already given at line 2`},
		},
		{
			name:    "domains not a list",
			yaml:    "blueprints:\n  b:\n    domains: a.com\n",
			wantErr: []string{`seed.yaml:3:14: domains of blueprint "b" must be a list`},
		},
		{
			name:    "a hidden control character",
			yaml:    "members:\n  - email: a\u202e@b.co\n",
			wantErr: []string{"seed.yaml:2:13: value", "U+202E RIGHT-TO-LEFT OVERRIDE"},
		},
		{
			name: "status and invited written with nothing after them",
			yaml: "members:\n  - email: a@b.co\n    status:\n  - email: p@b.co\n    status: pending\n    invited:\n",
			wantErr: []string{`seed.yaml:3:12: status of member "a@b.co" cannot be empty`, "write `status: active` or `status: pending`",
				`seed.yaml:6:13: invited of member "p@b.co" must be a string, found nothing (null)`, "write the day the invitation was sent, e.g. `invited: 2026-11-02`"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := emulator.ParseSeed("seed.yaml", []byte(tt.yaml))
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error\n%v\ndoes not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("state\n%s\nwant\n%s", gotJSON, wantJSON)
			}
		})
	}
}

func TestSeededServerAssignsIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.yaml")
	if err := os.WriteFile(path, []byte("members: [{email: a@b.co}]\nblueprints: {x: {id: fixed}, y: {}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := emulator.LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{Token: "t", OrganizationID: "o", Initial: st})
	if err != nil {
		t.Fatal(err)
	}
	bps := srv.Blueprints()
	if bps[0].ID != "fixed" || len(bps[1].ID) != 36 || len(srv.Members()[0].ID) != 36 {
		t.Fatalf("ids: %+v %+v", bps, srv.Members())
	}
	if _, err := emulator.LoadSeed(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing seed accepted")
	}
}

func FuzzParseSeed(f *testing.F) {
	f.Add([]byte("members: [{email: a@b.co, role: admin}]\ngroups: {g: [c@d.ef]}\nblueprints: {x: {groups: [g]}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("organization_roles: [{name: Data, id: r1}]\norganization_members:\n  - {email: o@b.co, role: owner, id: github|1}\n  - {email: p@b.co, role: data, status: expired}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := emulator.ParseSeed("fuzz.yaml", data)
		if err != nil {
			return
		}
		if _, err := emulator.New(emulator.Options{Token: "t", OrganizationID: "o", Initial: st}); err != nil {
			t.Fatalf("a parsed seed is refused by New: %v", err)
		}
	})
}
