package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
)

// orgLive is a portal of one admin with an organization: its owner, members, a
// pending and an expired invitation, and a custom role.
func orgLive(extra ...organization.Member) *portal.Config {
	live, err := qovery.FromAPI("0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10",
		[]qovery.Member{{ID: "m-owner", Email: "owner@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive}},
		[]qovery.Blueprint{{ID: "bp-ds", Name: "data-science"}},
		[]qovery.ACL{{ETag: `"e"`, Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}}})
	if err != nil {
		panic(err)
	}
	roles := []organization.Role{{ID: "r-owner", Name: "Owner"}, {ID: "r-admin", Name: "Admin"}, {ID: "r-devops", Name: "DevOps"}, {ID: "r-viewer", Name: "Viewer"}, {ID: "r-data", Name: "Data Team"}}
	members := append([]organization.Member{
		{ID: "github|1", Email: "owner@company.com", RoleID: "r-owner", Role: organization.LegacyOwner},
		{ID: "github|2", Email: "bob@company.com", RoleID: "r-viewer"},
		{ID: "github|3", Email: "gone@company.com", RoleID: "r-devops"},
		{ID: "github|4", Email: "dan@company.com", RoleID: "r-viewer"},
	}, extra...)
	invitations := []organization.Invitation{
		{ID: "i-pend", Email: "pend@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusPending, CreatedAt: "2026-10-01T09:00:00Z"},
		{ID: "i-late", Email: "late@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusExpired},
		{ID: "i-stale", Email: "stale@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusExpired},
	}
	if live.Org, err = organization.FromAPI(roles, members, invitations); err != nil {
		panic(err)
	}
	return live
}

const orgReportFile = `version: 1
members:
  - email: owner@company.com
    role: admin
organization_members:
  - {email: owner@company.com, role: Owner}
  - {email: bob@company.com, role: data team}
  - {email: dan@company.com, role: admin}
  - {email: pend@company.com, role: Admin}
  - {email: late@company.com, role: Viewer}
  - {email: new@company.com, role: Viewer}
  - {email: boss@company.com, role: Admin}
blueprints:
  data-science:
    domains: [company.com]
`

func orgReportPlan(t testing.TB) *reconcile.Plan {
	t.Helper()
	p, ds := reconcile.Diff(parseConfig(t, "portal.yaml", []byte(orgReportFile)), orgLive(), reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatalf("diff: %v", ds)
	}
	return p
}

func TestOrgReportGolden(t *testing.T) {
	p := orgReportPlan(t)
	r := New(p, Options{Kind: KindPlan, Plan: planSource()})
	testkit.Golden(t, "testdata/report-org.md", r.Markdown(MarkdownOptions{}))
	testkit.Golden(t, "testdata/report-org.txt", textOf(t, r))
	testkit.Golden(t, "testdata/report-org.json", jsonOf(t, r))

	o := r.Organization
	if o == nil || len(o.Invitations) != 2 || len(o.Reinvitations) != 2 || len(o.RoleChanges) != 2 || len(o.Removals) != 2 {
		t.Fatalf("organization changes %+v", o)
	}
	var admins []string
	for _, a := range r.Alerts.Admins {
		admins = append(admins, a.Email+" "+a.Change+" "+a.From+" → "+a.To)
	}
	want := "boss@company.com invited  → Admin, dan@company.com role changed Viewer → Admin, pend@company.com role changed Viewer → Admin"
	if got := strings.Join(admins, ", "); got != want {
		t.Errorf("organization admin changes %q, want %q", got, want)
	}
	// The portal's own changes and the access impact are untouched.
	if len(r.Members.Removals)+len(r.Index) != 0 || r.Summary.OrgChanges != 8 || r.Summary.NoChanges {
		t.Errorf("report %+v", r.Summary)
	}
	md := r.Markdown(MarkdownOptions{})
	d := parseMarkdown(md)
	for _, p := range ours(d, "") {
		t.Errorf("markup from a value: %s", p)
	}
	for _, want := range []string{"#### Organization members (8 changes)", "> **Admin changes (3):**", "> - `dan@company.com`: Qovery organization role `Viewer` → **`Admin`**"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

// TestOrgNeverDropped: a report too large for a comment keeps the organization's
// section and warning; its lists are capped with a count, and the note says so.
func TestOrgNeverDropped(t *testing.T) {
	var extra []organization.Member
	var entries strings.Builder
	for i := range 3000 {
		extra = append(extra, organization.Member{ID: fmt.Sprintf("github|%d", 100+i), Email: fmt.Sprintf("leaver%04d@company.com", i), RoleID: "r-viewer"})
	}
	for i := range 3000 {
		fmt.Fprintf(&entries, "  - {email: joiner%04d@company.com, role: Viewer}\n", i)
	}
	file := strings.Replace(orgReportFile, "blueprints:\n", entries.String()+"blueprints:\n", 1)
	p, ds := reconcile.Diff(parseConfig(t, "portal.yaml", []byte(file)), orgLive(extra...), reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	r := New(p, Options{Kind: KindPlan, Plan: planSource()})
	full := r.Markdown(MarkdownOptions{})
	if len(full) < 2*commentMax {
		t.Fatalf("the fixture is only %d bytes", len(full))
	}
	out := r.Markdown(commentOptions())
	if len(out) > commentMax {
		t.Fatalf("%d bytes", len(out))
	}
	for _, want := range []string{
		"#### Organization members (6,008 changes)", "**Invitations (3,002)**", "**Removals (3,002)**",
		"- … and ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the fitted report lacks %q", want)
		}
	}
	if !strings.Contains(out, "the organization's invitations shows ") || !strings.Contains(out, "the organization's removals shows ") {
		t.Errorf("the note does not say the organization's lists were capped:\n%s", out[len(out)-1500:])
	}
	d := parseMarkdown(out)
	for _, p := range ours(d, testProvenance().RepositoryURL) {
		t.Errorf("markup from a value: %s", p)
	}
}

// TestOrgHostileValues: role names and emails from the organization are values: in
// markdown they are code spans, in text terminal-safe.
func TestOrgHostileValues(t *testing.T) {
	live := orgLive()
	live.Org.Roles = append(live.Org.Roles, portal.OrgRole{ID: "r-evil", Name: "[click](https://evil.example) @everyone"})
	live.Org.Members = append(live.Org.Members, portal.OrgMember{ID: "github|9", Email: "x\u202e@company.com", Role: "[click](https://evil.example) @everyone", RoleID: "r-evil", Status: portal.StatusActive})
	live.Org.Members = append(live.Org.Members, portal.OrgMember{ID: "github|10", Email: "\x1b[31mred@company.com", Role: "Viewer", RoleID: "r-viewer", Status: portal.StatusActive})
	p, ds := reconcile.Diff(parseConfig(t, "portal.yaml", []byte(orgReportFile)), live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	r := New(p, Options{})
	md := r.Markdown(MarkdownOptions{})
	for _, p := range ours(parseMarkdown(md), "") {
		t.Errorf("markup from a value: %s", p)
	}
	if !strings.Contains(md, "`[click](https://evil.example) @everyone`") {
		t.Error("the role is not a code span")
	}
	text := textOf(t, r)
	for name, out := range map[string]string{"markdown": md, "text": text} {
		if strings.ContainsFunc(out, portal.HiddenControl) || strings.Contains(out, "\x1b") {
			t.Errorf("%s holds a raw control character", name)
		}
	}
}

// TestOrgOffline: previews compare the section between two files, role names as
// written; adding or dropping the section says what it means.
func TestOrgOffline(t *testing.T) {
	without := "version: 1\nmembers:\n  - email: owner@company.com\n    role: admin\nblueprints:\n  data-science:\n    domains: [company.com]\n"
	with := strings.Replace(without, "blueprints:", "organization_members:\n  - {email: owner@company.com, role: Owner}\n  - {email: bob@company.com, role: Viewer}\nblueprints:", 1)
	changed := strings.Replace(with, "role: Viewer}", "role: admin}\n  - {email: new@company.com, role: DevOps}", 1)
	tests := []struct {
		name, base, head string
		want             []string
		noChanges        bool
	}{
		{"the same section, role case aside", with, strings.Replace(with, "role: Viewer", "role: VIEWER", 1), nil, true},
		{"changed", with, changed, []string{"**Invitations (1)**", "- `new@company.com` as `DevOps`", "- `bob@company.com`: `Viewer` → **`admin`**", "- `bob@company.com`: Qovery organization role `Viewer` → **`admin`**"}, false},
		{"newly managed", without, with, []string{"The file starts managing the Qovery organization", "2 listed", "organization members newly managed"}, false},
		{"no longer managed", with, without, []string{"The file stops listing the Qovery organization", "left alone from now on"}, false},
		{"left alone", without, without, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := diffOffline(t, parseConfig(t, "head.yaml", []byte(tt.head)), parseConfig(t, "base.yaml", []byte(tt.base)))
			r := New(p, Options{Kind: KindPreview, Provenance: testProvenance()})
			md := r.Markdown(MarkdownOptions{})
			for _, w := range tt.want {
				if !strings.Contains(md, w) {
					t.Errorf("markdown lacks %q:\n%s", w, md)
				}
			}
			if r.Summary.NoChanges != tt.noChanges {
				t.Errorf("no changes = %v, want %v", r.Summary.NoChanges, tt.noChanges)
			}
		})
	}
}
