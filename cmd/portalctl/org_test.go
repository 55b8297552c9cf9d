package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/report"
)

// orgRequests counts the requests to the organization's endpoints.
func orgRequests(p *portalEnv) int {
	n := 0
	for route, c := range p.emu.Stats().Requests {
		if strings.Contains(route, "/organization/{organizationId}/") && !strings.Contains(route, "/portal/") {
			n += c
		}
	}
	return n
}

func TestOrgPlanGolden(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	file := filepath.Join("testdata", "org-portal.yaml")
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			r := cli{env: p.env}.run(t, "plan", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			testkit.Golden(t, "testdata/org-plan."+format, scrub(r.stdout))
		})
	}
}

func TestOrgPlanApplyConverges(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	file := filepath.Join("testdata", "org-portal.yaml")
	c := cli{env: p.env}
	planFile := filepath.Join(p.dir, "portal.plan")
	if r := c.run(t, "plan", "-f", file, "--out", planFile); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	p.emu.ResetStats()
	r := c.run(t, "apply", "--plan", planFile, "--auto-approve")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	testkit.Golden(t, "testdata/org-apply.text", scrub(r.stdout))
	// The live state is read again (portal: 1 + 1 + 1; organization: 3), then one
	// request per change, two per invitation sent again: 6 changes, 7 requests.
	if got, want := p.emu.Stats().Total, 3+3+7; got != want {
		t.Errorf("apply made %d requests, want %d: %v", got, want, p.emu.Stats().Requests)
	}
	r = c.run(t, "plan", "-f", file, "--detailed-exitcode")
	if r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("plan after apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var got []string
	for _, m := range p.emu.OrgMembers() {
		got = append(got, m.Email+" "+m.RoleName)
	}
	for _, i := range p.emu.Invitations() {
		got = append(got, i.Email+" "+i.RoleName+" "+string(i.InvitationStatus))
	}
	slices.Sort(got)
	want := []string{"alice@company.com Admin", "bob@company.com Data Team", "carol@company.com Billing Manager PENDING",
		"late@company.com Viewer PENDING", "owner@company.com Owner", "pend@company.com Admin PENDING"}
	if !slices.Equal(got, want) {
		t.Errorf("organization\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoOrgRequestsWithoutTheSection: a file without organization_members never
// reaches the organization's endpoints, in plan or apply.
func TestNoOrgRequestsWithoutTheSection(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	file := p.write(t, "portal.yaml", "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n  - email: dan@company.com\nblueprints:\n  data-science:\n    emails: [alice@company.com]\n")
	c := cli{env: p.env}
	if r := c.run(t, "plan", "-f", file); r.code != 0 || strings.Contains(r.stdout, "Organization") {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run(t, "apply", "-f", file, "--auto-approve"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := orgRequests(p); n != 0 {
		t.Errorf("%d requests to the organization's endpoints: %v", n, p.emu.Stats().Requests)
	}
}

// TestOrgPlanErrors: what the live organization shows wrong in the file, at its
// file:line:column, before anything is sent.
func TestOrgPlanErrors(t *testing.T) {
	base := readTestdata(t, "org-portal.yaml")
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"the owner left out", strings.Replace(base, "  - email: owner@company.com\n    role: Owner\n", "", 1),
			[]string{"portal.yaml:7:1: error: organization_members omits the organization's owner owner@company.com", "role: Owner"}},
		{"the owner demoted", strings.Replace(base, "    role: Owner\n", "    role: Admin\n", 1),
			[]string{"portal.yaml:9:11: error: owner@company.com is the organization's owner"}},
		{"an unknown role", strings.Replace(base, "role: Data Team ", "role: Data Tem  ", 1),
			[]string{"portal.yaml:13:11: error: unknown organization role \"Data Tem\"", `did you mean "Data Team"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortal(t, readTestdata(t, "org-seed.yaml"))
			file := p.write(t, "portal.yaml", tt.file)
			for _, cmd := range [][]string{{"plan", "-f", file}, {"apply", "-f", file, "--auto-approve"}} {
				r := cli{env: p.env}.run(t, cmd...)
				if r.code != 1 {
					t.Fatalf("%s: exit %d\n%s%s", cmd[0], r.code, r.stdout, r.stderr)
				}
				for _, w := range tt.want {
					if !strings.Contains(r.stderr, strings.Replace(w, "portal.yaml", file, 1)) {
						t.Errorf("%s: stderr lacks %q:\n%s", cmd[0], w, r.stderr)
					}
				}
			}
			if n := writes(p); n != 0 {
				t.Errorf("%d changes sent", n)
			}
		})
	}
}

// TestOrgForbidden: a token without the organization's member-management
// permission is told which permission it lacks, and how to do without.
func TestOrgForbidden(t *testing.T) {
	file := filepath.Join("testdata", "org-portal.yaml")
	t.Run("plan cannot read the organization", func(t *testing.T) {
		p := startPortalWith(t, readTestdata(t, "org-seed.yaml"), emulator.Options{OrgPermission: emulator.OrgNone})
		r := cli{env: p.env}.run(t, "plan", "-f", file)
		for _, w := range []string{"403", "Manage members & roles", "Admin role", "remove organization_members from portal.yaml"} {
			if r.code != 1 || !strings.Contains(r.stderr, w) {
				t.Errorf("exit %d, stderr lacks %q:\n%s", r.code, w, r.stderr)
			}
		}
	})
	t.Run("export says how to skip", func(t *testing.T) {
		p := startPortalWith(t, readTestdata(t, "org-seed.yaml"), emulator.Options{OrgPermission: emulator.OrgNone})
		r := cli{env: p.env}.run(t, "export")
		if r.code != 1 || !strings.Contains(r.stderr, "--skip-organization-members") || !strings.Contains(r.stderr, "Manage members & roles") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
		// On a portal of its own: a request the first export cut off may still
		// be reaching this one's emulator.
		p = startPortalWith(t, readTestdata(t, "org-seed.yaml"), emulator.Options{OrgPermission: emulator.OrgNone})
		r = cli{env: p.env}.run(t, "export", "--skip-organization-members")
		if r.code != 0 || strings.Contains(r.stdout, "organization_members:") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if n := orgRequests(p); n != 0 {
			t.Errorf("%d requests to the organization's endpoints with --skip-organization-members", n)
		}
	})
	t.Run("apply with a read-only token", func(t *testing.T) {
		p := startPortalWith(t, readTestdata(t, "org-seed.yaml"), emulator.Options{OrgPermission: emulator.OrgRead})
		r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve")
		if r.code != 1 || !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, "Manage members & roles") || !strings.Contains(r.stdout, "not sent") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if n := len(p.emu.Invitations()); n != 2 {
			t.Errorf("%d invitations after a refused apply", n)
		}
	})
}

// TestOrgExport: export writes organization_members with role names, invitations
// marked; planning the export changes nothing but the expired invitation, sent
// again.
func TestOrgExport(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	r := cli{env: p.env}.run(t, "export")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	testkit.Golden(t, "testdata/org-export.yaml", r.stdout)
	file := p.write(t, "portal.yaml", r.stdout)
	r = cli{env: p.env}.run(t, "plan", "-f", file)
	if r.code != 0 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "1 organization change") || !strings.Contains(r.stdout, "~ late@company.com: the expired invitation sent again, as Viewer") {
		t.Errorf("plan of the export:\n%s", r.stdout)
	}
}

// TestOrgPreview: preview compares the section between base and head, offline, and
// labels the pull request for new organization admins and removals.
func TestOrgPreview(t *testing.T) {
	base := readTestdata(t, "org-portal.yaml")
	head := strings.Replace(base, "  - email: carol@company.com\n    role: Billing Manager          # invited\n", "  - email: zed@company.com\n    role: Admin\n", 1)
	dir, _, _ := prCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, w := range []string{"#### Organization members (2 changes)", "- `zed@company.com` as **`Admin`**", "- `carol@company.com` (`Billing Manager`)",
		"> **Admin changes (1):**\n>\n> - `zed@company.com` invited to the Qovery organization as **`Admin`**\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("preview lacks %q:\n%s", w, r.stdout)
		}
	}
	r = cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "json")
	var rep struct {
		Organization struct {
			Invitations []struct{ Email, Role string } `json:"invitations"`
			Removals    []struct{ Email, Role string } `json:"removals"`
		} `json:"organization_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Organization.Invitations, rep.Organization.Removals) != "[{zed@company.com Admin}] [{carol@company.com Billing Manager}]" {
		t.Errorf("json %+v", rep.Organization)
	}
}

// TestOrgSavedPlanEdits: an organization operation edited in a saved plan is
// refused, resealed or not.
func TestOrgSavedPlanEdits(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	path := filepath.Join(p.dir, "saved.plan")
	if r := (cli{env: p.env}).run(t, "plan", "-f", filepath.Join("testdata", "org-portal.yaml"), "--out", path); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f *planfile.File) {
		op := opOf(f, "org_change_role", "bob@company.com")
		op.RoleID = emulator.DefaultRoles[1].ID // Admin instead of Data Team
		op.Role = "Admin"
	}
	for name, plan := range map[string][]byte{"edited": editPlan(t, data, edit, false, ""), "resealed": editPlan(t, data, edit, true, "")} {
		path := p.write(t, name+".plan", string(plan))
		r := cli{env: p.env}.run(t, "apply", "--plan", path, "--auto-approve")
		if r.code != 1 || !strings.Contains(r.stderr, "run plan again") {
			t.Errorf("%s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
	if n := writes(p); n != 0 {
		t.Errorf("%d changes sent", n)
	}
}

// TestOrgApplyUnderFaults: with a fifth of the requests lost, apply converges in
// a few runs with no invitation sent twice to the organization.
func TestOrgApplyUnderFaults(t *testing.T) {
	p := startPortal(t, readTestdata(t, "org-seed.yaml"))
	var entries strings.Builder
	for i := range 30 {
		fmt.Fprintf(&entries, "  - email: new%02d@company.com\n    role: Viewer\n", i)
	}
	file := p.write(t, "portal.yaml", strings.Replace(readTestdata(t, "org-portal.yaml"), "blueprints:\n", entries.String()+"blueprints:\n", 1))
	p.emu.SetFaults(0.2, 0)
	for run := 1; ; run++ {
		r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve")
		if r.code == 0 {
			break
		}
		if run == 5 {
			t.Fatalf("not converged after %d runs:\n%s%s", run, r.stdout, r.stderr)
		}
	}
	p.emu.SetFaults(0, 0)
	seen := map[string]int{}
	for _, i := range p.emu.Invitations() {
		seen[i.Email]++
		if seen[i.Email] > 1 {
			t.Errorf("%s invited twice", i.Email)
		}
	}
	if len(seen) != 33 {
		t.Errorf("%d invitations, want 33", len(seen))
	}
	if r := (cli{env: p.env}).run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 {
		t.Errorf("plan after apply: exit %d\n%s", r.code, r.stdout)
	}
}

// TestOrgTokenNeverPrinted: the organization's requests and errors, debug lines
// included, never show the token.
func TestOrgTokenNeverPrinted(t *testing.T) {
	file := filepath.Join("testdata", "org-portal.yaml")
	for _, perm := range []emulator.OrgPermission{emulator.OrgManage, emulator.OrgRead, emulator.OrgNone} {
		p := startPortalWith(t, readTestdata(t, "org-seed.yaml"), emulator.Options{OrgPermission: perm})
		planFile := filepath.Join(p.dir, "portal.plan")
		for _, args := range [][]string{
			{"plan", "-f", file, "--debug", "--out", planFile},
			{"plan", "-f", file, "-o", "json"},
			{"apply", "-f", file, "--auto-approve", "--debug"},
			{"export", "--debug"},
		} {
			r := cli{env: p.env}.run(t, args...)
			if strings.Contains(r.stdout+r.stderr, testToken) {
				t.Errorf("%s (%s): the token is in the output", args[0], perm)
			}
		}
		if data, err := os.ReadFile(planFile); err == nil && strings.Contains(string(data), testToken) {
			t.Errorf("the plan file (%s) holds the token", perm)
		}
	}
}

// TestOrgLabels: new Admins or Owners of the organization and its removals call
// for the same labels as the portal's.
func TestOrgLabels(t *testing.T) {
	tests := []struct {
		org    *report.OrgChanges
		admins []report.AdminChange
		want   []string
	}{
		{&report.OrgChanges{}, []report.AdminChange{{Email: "a@company.com", Scope: "organization", Change: "invited", To: "Admin"}}, []string{"access:admins"}},
		{&report.OrgChanges{Removals: []report.OrgChange{{Email: "b@company.com", Role: "Viewer", Invitation: true}}}, nil, []string{"access:removals"}},
		{&report.OrgChanges{RoleChanges: []report.OrgChange{{Email: "c@company.com", Role: "Viewer", From: "Admin"}}}, []report.AdminChange{{Email: "c@company.com", Scope: "organization", Change: "role changed", From: "Admin", To: "Viewer"}}, nil},
	}
	for _, tt := range tests {
		if got := labelsOf(&report.Report{Organization: tt.org, Alerts: report.Alerts{Admins: tt.admins}}); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: labels %v, want %v", tt.org, got, tt.want)
		}
	}
}
