package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// TestOrganizationMembers: the organization_members section, each problem at its
// file:line:column, every one in the same run.
func TestOrganizationMembers(t *testing.T) {
	head := "version: 1\nmembers:\n  - email: admin@company.com\n    role: admin\nblueprints:\n  ds:\n    access: open\n"
	tests := []struct {
		name string
		src  string
		want []string // "line:col severity code"
		// present says whether the model has the section at all.
		present bool
		members []string // email=role
	}{
		{"absent: the organization is left alone", head, nil, false, nil},
		{"listed", head + "organization_members:\n  - email: Owner@Company.com\n    role: Owner\n  - email: ann@company.com\n    role: billing manager\n",
			nil, true, []string{"ann@company.com=billing manager", "owner@company.com=Owner"}},
		{"empty list: it would remove the owner", head + "organization_members: []\n",
			[]string{"8:1 error empty-organization"}, true, nil},
		{"null", head + "organization_members:\n",
			[]string{"8:22 error wrong-type"}, true, nil},
		{"duplicate emails, case-insensitive", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: OWNER@company.com\n    role: Admin\n",
			[]string{"11:12 error duplicate-organization-member"}, true, []string{"owner@company.com=Owner"}},
		{"bad email", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: bob@\n    role: Viewer\n",
			[]string{"11:12 error invalid-email"}, true, []string{"owner@company.com=Owner"}},
		{"empty and blank roles", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: a@company.com\n    role: \"\"\n  - email: b@company.com\n    role: \" \"\n",
			[]string{"12:11 error empty-value", "14:11 error empty-value"}, true, nil},
		{"role missing", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: a@company.com\n",
			[]string{"11:5 error missing-key"}, true, nil},
		{"a seed's fields are not a file's", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n    status: pending\n    id: github|1\norganization_roles:\n  - name: Data\n",
			[]string{"11:5 error unknown-key", "12:5 error unknown-key", "13:1 error unknown-key"}, true, nil},
		{"no owner listed", head + "organization_members:\n  - email: a@company.com\n    role: Admin\n",
			[]string{"8:1 warning no-owner"}, true, []string{"a@company.com=Admin"}},
		{"two owners", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: bob@company.com\n    role: owner\n",
			[]string{"12:11 warning several-owners"}, true, nil},
		{"look-alike letters", head + "organization_members:\n  - email: owner@company.com\n    role: Owner\n  - email: b\u043eb@company.com\n    role: Viewer\n",
			[]string{"11:12 warning non-ascii"}, true, nil},
	}
	l := newLoader(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ds := l.Parse("portal.yaml", []byte(tt.src))
			var got []string
			for _, d := range ds {
				got = append(got, strings.TrimPrefix(d.Pos.String(), "portal.yaml:")+" "+string(d.Severity)+" "+d.Code)
				if d.Severity == "error" && d.Hint == "" {
					t.Errorf("error without a hint: %+v", d)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if cfg == nil {
				t.Fatal("no model")
			}
			if (cfg.Org != nil) != tt.present {
				t.Fatalf("section present = %v, want %v", cfg.Org != nil, tt.present)
			}
			if tt.members != nil {
				var ms []string
				for _, m := range cfg.Org.Members {
					ms = append(ms, m.Email+"="+m.Role)
				}
				if !slices.Equal(ms, tt.members) {
					t.Errorf("members %v, want %v", ms, tt.members)
				}
			}
		})
	}
}

// TestSeedOrganization: a seed's organization members carry a status (pending and
// expired ones are invitations) and an id; organization_roles lists custom roles.
func TestSeedOrganization(t *testing.T) {
	src := `organization_roles:
  - name: Data Team
    id: 6d1c7c1e-0000-4000-8000-000000000001
  - name: Support
organization_members:
  - email: owner@company.com
    role: Owner
    id: github|12345
  - email: new@company.com
    role: Viewer
    status: pending
  - email: late@company.com
    role: Data Team
    status: expired
`
	seed, err := New(Seed())
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := seed.Parse("seed.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatalf("problems: %+v", ds)
	}
	var got []string
	for _, m := range cfg.Org.Members {
		got = append(got, m.Email+" "+m.Role+" "+string(m.Status)+" "+m.ID)
	}
	want := []string{"late@company.com Data Team expired ", "new@company.com Viewer pending ", "owner@company.com Owner active github|12345"}
	if !slices.Equal(got, want) {
		t.Errorf("members\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(cfg.Org.Roles) != 2 || cfg.Org.Roles[0] != (portal.OrgRole{Name: "Data Team", ID: "6d1c7c1e-0000-4000-8000-000000000001", Pos: portal.Pos{File: "seed.yaml", Line: 2, Col: 11}}) || cfg.Org.Roles[1].Name != "Support" {
		t.Errorf("roles %+v", cfg.Org.Roles)
	}

	bad := `organization_roles:
  - name: Data
  - name: DATA
  - name: Ops
    id: r1
  - name: Dev
    id: r1
organization_members:
  - email: a@company.com
    role: Viewer
    id: github|1
  - email: b@company.com
    role: Viewer
    id: github|1
    status: gone
`
	_, ds = seed.Parse("seed.yaml", []byte(bad))
	var codes []string
	for _, d := range ds {
		codes = append(codes, strings.TrimPrefix(d.Pos.String(), "seed.yaml:")+" "+d.Code)
	}
	wantCodes := []string{"3:11 duplicate-role", "7:9 duplicate-id", "12:12 duplicate-id", "15:13 bad-value"}
	if !slices.Equal(codes, wantCodes) {
		t.Errorf("seed problems\n%s\nwant\n%s", strings.Join(codes, "\n"), strings.Join(wantCodes, "\n"))
	}
}

// TestMarshalOrganization: export writes the organization's members with their
// role by name, one entry per email, invitations marked; reading it back gives the
// same members and roles.
func TestMarshalOrganization(t *testing.T) {
	cfg := &portal.Config{
		Members: []portal.Member{{Email: "owner@company.com", Role: portal.RoleAdmin}},
		Org: &portal.Org{Members: []portal.OrgMember{
			{Email: "owner@company.com", Role: "Owner", Status: portal.StatusActive, ID: "github|1"},
			{Email: "new@company.com", Role: "Billing Manager", Status: portal.StatusPending, ID: "i1"},
			{Email: "late@company.com", Role: "true", Status: portal.StatusExpired, ID: "i2"},
			{Email: "owner@company.com", Role: "Viewer", Status: portal.StatusPending, ID: "i3"},
		}},
	}
	data, err := Marshal(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for _, want := range []string{
		"organization_members:\n  - email: late@company.com # expired invitation: apply sends it again; remove the entry to cancel it instead\n    role: \"true\"\n",
		"  - email: new@company.com # pending: invited, not signed in yet\n    role: Billing Manager\n",
		"  - email: owner@company.com\n    role: Owner\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	back, ds := newLoader(t).Parse("export.yaml", data)
	if ds.HasErrors() {
		t.Fatalf("export does not load: %+v\n%s", ds, out)
	}
	var got []string
	for _, m := range back.Org.Members {
		got = append(got, m.Email+"="+m.Role)
	}
	want := []string{"late@company.com=true", "new@company.com=Billing Manager", "owner@company.com=Owner"}
	if !slices.Equal(got, want) {
		t.Errorf("read back %v, want %v", got, want)
	}
}

// TestMarshalExpires: an expiry date is written, and read back the same.
func TestMarshalExpires(t *testing.T) {
	cfg := &portal.Config{
		Members: []portal.Member{{Email: "a@company.com", Role: portal.RoleAdmin}, {Email: "b@company.com", Role: portal.RoleUser, Expires: day("2026-12-01")}},
		Org:     &portal.Org{Members: []portal.OrgMember{{Email: "o@company.com", Role: "Owner"}, {Email: "v@company.com", Role: "Viewer", Expires: day("2027-01-31")}}},
	}
	data, err := Marshal(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	back, ds := newLoader(t).Parse("export.yaml", data)
	if ds.HasErrors() {
		t.Fatalf("does not load: %v\n%s", ds, data)
	}
	if m, _ := back.Member("b@company.com"); m.Expires != day("2026-12-01") {
		t.Errorf("member expires %v after a round trip:\n%s", m.Expires, data)
	}
	if m := back.Org.Members[1]; m.Email != "v@company.com" || m.Expires != day("2027-01-31") {
		t.Errorf("organization member %+v after a round trip:\n%s", m, data)
	}
}
