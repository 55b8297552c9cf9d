package organization_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
)

const (
	idOwner  = "0c9d1b5e-7a4f-4f3b-8e2d-000000000001"
	idAdmin  = "0c9d1b5e-7a4f-4f3b-8e2d-000000000002"
	idViewer = "0c9d1b5e-7a4f-4f3b-8e2d-000000000005"
	idData   = "6d1c7c1e-0000-4000-8000-0000000000da"
	idDATA   = "6d1c7c1e-0000-4000-8000-0000000000db"
	idCustom = "6d1c7c1e-0000-4000-8000-0000000000cc"
)

// orgBase is an organization as the published API answers it: an owner, an admin,
// a member of a custom role, a pending and an expired invitation.
func orgBase() ([]organization.Role, []organization.Member, []organization.Invitation) {
	return []organization.Role{
			{ID: idOwner, Name: "Owner"}, {ID: idAdmin, Name: "Admin"}, {ID: idViewer, Name: "Viewer"},
			{ID: idData, Name: "Data Team"}, {ID: idDATA, Name: "DATA TEAM"}, {ID: idCustom, Name: "owner"},
		}, []organization.Member{
			{ID: "github|1", Email: "Owner@Company.com", Role: organization.LegacyOwner, RoleName: "Owner", RoleID: idOwner},
			{ID: "github|2", Email: "alice@company.com", Role: organization.LegacyAdmin, RoleName: "Admin", RoleID: idAdmin},
			{ID: "github|3", Email: "bob@company.com", RoleName: "owner", RoleID: idCustom},
		}, []organization.Invitation{
			{ID: "i-1", Email: "pend@company.com", Role: organization.LegacyViewer, RoleName: "DATA TEAM", RoleID: idDATA, InvitationStatus: organization.StatusPending, CreatedAt: "2026-11-01T10:00:00Z", Inviter: "owner@company.com"},
			{ID: "i-2", Email: "late@company.com", Role: organization.LegacyViewer, RoleName: "Viewer", RoleID: idViewer, InvitationStatus: organization.StatusExpired},
		}
}

type orgEdit func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation)

// TestFromAPI: what the organization's API answers is read as the published spec
// allows, and what portalctl does not understand is refused, naming the object.
func TestFromAPI(t *testing.T) {
	tests := []struct {
		name       string
		edit       orgEdit
		want       []string // read correctly: the members as "email role roleID status owner"
		wantObject string
		wantWhat   string
	}{
		{"as answered: a custom role named owner is an ordinary role", nil, []string{
			"alice@company.com Admin " + idAdmin + " active false",
			"bob@company.com owner " + idCustom + " active false",
			"late@company.com Viewer " + idViewer + " expired false",
			"owner@company.com Owner " + idOwner + " active true",
			"pend@company.com DATA TEAM " + idDATA + " pending false",
		}, "", ""},
		{"upper-case role ids compare as UUIDs", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			rs[1].ID = strings.ToUpper(idAdmin)
			ms[1].RoleID = idAdmin
			is[0].RoleID = strings.ToUpper(idDATA)
			return rs, ms, is
		}, []string{"alice@company.com Admin " + idAdmin + " active false", "pend@company.com DATA TEAM " + idDATA + " pending false"}, "", ""},
		{"a null role_id beside a known role_name: the role of exactly that name", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].RoleID = ""
			ms[2].RoleID = ""
			return rs, ms, is
		}, []string{"pend@company.com DATA TEAM " + idDATA + " pending false", "bob@company.com owner " + idCustom + " active false"}, "", ""},
		{"the deprecated VIEWER beside a custom role, which it cannot name", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].Role = organization.LegacyViewer
			return rs, ms, is
		}, []string{"pend@company.com DATA TEAM " + idDATA + " pending false"}, "", ""},
		{"no deprecated role beside a default role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].Role = ""
			return rs, ms, is
		}, []string{"alice@company.com Admin " + idAdmin + " active false"}, "", ""},

		{"a role_name beside a role_id that names another role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID, ms[1].RoleName = idViewer, "Admin"
			return rs, ms, is
		}, nil, `organization member "alice@company.com" (id "github|2")`, `role fields that disagree: role_id "` + idViewer + `" is the role "Viewer" in /availableRole, but role_name says "Admin"`},
		{"a stale role_name, a role nobody has", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleName = "Former Name"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `role_name says "Former Name"`},
		{"a role_name in another case", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleName = "admin"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `is the role "Admin" in /availableRole, but role_name says "admin"`},
		{"the deprecated ADMIN beside Viewer", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID, ms[1].RoleName = idViewer, "Viewer"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `role fields that disagree: role_id "` + idViewer + `" is the role "Viewer", but the deprecated role says "ADMIN" (VIEWER for "Viewer")`},
		{"the deprecated ADMIN beside a role_name alone", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[1].RoleID, is[1].Role = "", organization.LegacyAdmin
			return rs, ms, is
		}, nil, `organization invitation of "late@company.com"`, `role_name "Viewer" is the role "Viewer", but the deprecated role says "ADMIN"`},
		{"the deprecated ADMIN beside a custom role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[2].Role = organization.LegacyAdmin
			return rs, ms, is
		}, nil, `organization member "bob@company.com"`, `is the role "owner", which the deprecated role cannot name, but the deprecated role says "ADMIN" (VIEWER or none for such a role)`},
		{"the deprecated OWNER beside a custom role named owner", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[2].Role = organization.LegacyOwner
			return rs, ms, is
		}, nil, `organization member "bob@company.com"`, `the deprecated role says "OWNER"`},
		{"only the deprecated role: the default role it stands for", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID, ms[1].RoleName = "", ""
			return rs, ms, is
		}, []string{"alice@company.com Admin " + idAdmin + " active false"}, "", ""},
		{"an IDN address is read as the file writes it", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].Email = "Alice@Bücher.example"
			return rs, ms, is
		}, []string{"alice@xn--bcher-kva.example Admin " + idAdmin + " active false"}, "", ""},

		{"a role id /availableRole does not list", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID = "6d1c7c1e-0000-4000-8000-0000000000ff"
			return rs, ms, is
		}, nil, `organization member "alice@company.com" (id "github|2")`, `role id "6d1c7c1e-0000-4000-8000-0000000000ff", which /availableRole does not list`},
		{"no role at all", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID, ms[1].RoleName, ms[1].Role = "", "", ""
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, "no role: no role_id, no role_name and no deprecated role"},
		{"a null role_id beside a role_name nobody has", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].RoleID, ms[1].RoleName = "", "admin"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `role "admin" (from role_name, without a role_id), which /availableRole does not list`},
		{"an unknown deprecated role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].Role = "SUPERUSER"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `the deprecated role "SUPERUSER"`},
		{"an unknown invitation status is not pending", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].InvitationStatus = "REVOKED"
			return rs, ms, is
		}, nil, `organization invitation of "pend@company.com" (id "i-1")`, `invitation_status "REVOKED" (portalctl knows PENDING and EXPIRED)`},
		{"a pending invitation whose created_at is not a date-time", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].CreatedAt = "01/11/2026"
			return rs, ms, is
		}, nil, `organization invitation of "pend@company.com" (id "i-1")`, `created_at "01/11/2026" is not a date-time`},
		{"a pending invitation without created_at", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].CreatedAt = ""
			return rs, ms, is
		}, nil, `organization invitation of "pend@company.com" (id "i-1")`, `created_at "" is not a date-time`},
		{"no invitation status", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[1].InvitationStatus = ""
			return rs, ms, is
		}, nil, `organization invitation of "late@company.com"`, `invitation_status ""`},
		{"two members whose emails differ in case", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			return rs, append(ms, organization.Member{ID: "github|9", Email: "ALICE@company.com", RoleID: idViewer}), is
		}, nil, `organization members "alice@company.com" (id "github|2") and "ALICE@company.com" (id "github|9")`, "two members with the address"},
		{"two invitations of one address", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			return rs, ms, append(is, organization.Invitation{ID: "i-9", Email: "Pend@Company.com", RoleID: idViewer, InvitationStatus: organization.StatusPending, CreatedAt: "2026-11-01T10:00:00Z"})
		}, nil, `organization invitations of "pend@company.com" (id "i-1") and "Pend@Company.com" (id "i-9")`, "two invitations of the address"},
		{"a member and an invitation of one address are two entries", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			return rs, ms, append(is, organization.Invitation{ID: "i-9", Email: "alice@company.com", RoleID: idViewer, InvitationStatus: organization.StatusPending, CreatedAt: "2026-11-01T10:00:00Z"})
		}, []string{"alice@company.com Admin " + idAdmin + " active false", "alice@company.com Viewer " + idViewer + " pending false"}, "", ""},
		{"two members with one id", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[2].ID = "github|2"
			return rs, ms, is
		}, nil, `organization members "alice@company.com" and "bob@company.com"`, `two members with the id "github|2"`},
		{"two roles with one id, whatever the case", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			rs[4].ID = strings.ToUpper(idData)
			return rs, ms, is
		}, nil, `organization role "DATA TEAM"`, `two roles with this id ("Data Team" and "DATA TEAM")`},
		{"two roles with one name", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			rs[4].Name = "Data Team"
			return rs, ms, is
		}, nil, `organization role "Data Team"`, "two roles with this name"},
		{"a role without a name", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			rs[3].Name = " "
			return rs, ms, is
		}, nil, `organization role " "`, "no name"},
		{"a member without an id", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].ID = ""
			return rs, ms, is
		}, nil, `organization member "alice@company.com" (id "")`, "no id"},
		{"an email that does not parse", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].Email = "pend@company"
			return rs, ms, is
		}, nil, `organization invitation of "pend@company"`, "cannot read as an address"},
		{"no member reported as the owner", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[0].Role = ""
			return rs, ms, is
		}, nil, "the organization's member list", "no member is reported as the owner"},
		{"a role named Owner does not make an owner", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[0].Role = ""
			return rs, ms, is
		}, nil, "the organization's member list", "no member is reported as the owner"},
		{"the role Owner beside the deprecated ADMIN", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[0].Role = organization.LegacyAdmin
			return rs, ms, is
		}, nil, `organization member "Owner@Company.com"`, `is the role "Owner", but the deprecated role says "ADMIN" (OWNER for "Owner")`},
		{"two owners", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].Role, ms[1].RoleID, ms[1].RoleName = organization.LegacyOwner, idOwner, "Owner"
			return rs, ms, is
		}, nil, `organization members "owner@company.com" and "alice@company.com"`, "both are reported as the owner"},
		{"someone else holds the owner's role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			ms[1].Role, ms[1].RoleID, ms[1].RoleName = "", idOwner, "Owner"
			return rs, ms, is
		}, nil, `organization member "alice@company.com"`, `holds the owner's role "Owner"`},
		{"an invitation to the owner's role", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].Role, is[0].RoleID, is[0].RoleName = "", idOwner, "Owner"
			return rs, ms, is
		}, nil, `organization invitation of "pend@company.com"`, `holds the owner's role`},
		{"an invitation as the deprecated OWNER", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			is[0].Role, is[0].RoleID, is[0].RoleName = organization.LegacyOwner, idOwner, "Owner"
			return rs, ms, is
		}, nil, `organization invitation of "pend@company.com"`, "nobody is invited as the owner"},
		{"an organization without anyone: nothing to read, no owner", func(rs []organization.Role, ms []organization.Member, is []organization.Invitation) ([]organization.Role, []organization.Member, []organization.Invitation) {
			return rs, nil, nil
		}, []string{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, ms, is := orgBase()
			if tt.edit != nil {
				rs, ms, is = tt.edit(rs, ms, is)
			}
			o, err := organization.FromAPI(rs, ms, is)
			if tt.wantObject == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var got []string
				for _, m := range o.Members {
					got = append(got, fmt.Sprintf("%s %s %s %s %v", m.Email, m.Role, m.RoleID, m.Status, m.Owner))
				}
				for _, w := range tt.want {
					if !slices.Contains(got, w) {
						t.Errorf("read as\n%s\nwant among them %q", strings.Join(got, "\n"), w)
					}
				}
				return
			}
			var ue *qovery.UnexpectedError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v (%T), want an *UnexpectedError", err, err)
			}
			if ue.API != organization.API || !strings.Contains(ue.Object, tt.wantObject) || !strings.Contains(ue.What, tt.wantWhat) {
				t.Errorf("refused with\n%s\nwant object %s, what %s", err, tt.wantObject, tt.wantWhat)
			}
		})
	}
}

// TestReadWithoutResults: a list answer of the organization without "results"
// (absent or null) is refused by Read; "results": [] is an empty list.
func TestReadWithoutResults(t *testing.T) {
	owner := `{"results":[{"id":"github|1","email":"owner@company.com","role":"OWNER","role_id":"` + idOwner + `","role_name":"Owner"}]}`
	roles := `{"results":[{"id":"` + idOwner + `","name":"Owner"}]}`
	tests := []struct {
		name                  string
		roles, members, invit string
		want                  string // "" means read
	}{
		{"empty invitations", roles, owner, `{"results":[]}`, ""},
		{"roles without results", `{}`, owner, `{"results":[]}`, `the organization's role list: an answer without "results"`},
		{"members with null results", roles, `{"results":null}`, `{"results":[]}`, `the organization's member list: an answer without "results"`},
		{"invitations without results", roles, owner, `{"invitations":[]}`, `the organization's invitation list: an answer without "results"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case strings.HasSuffix(r.URL.Path, organization.PathAvailableRoles):
					fmt.Fprint(w, tt.roles)
				case strings.HasSuffix(r.URL.Path, organization.PathMembers):
					fmt.Fprint(w, tt.members)
				default:
					fmt.Fprint(w, tt.invit)
				}
			}))
			defer ts.Close()
			pc, err := qovery.New(qovery.Options{BaseURL: ts.URL, Token: testToken, OrganizationID: testOrg, Version: "test", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			oc, err := organization.New(pc.Transport(), testOrg)
			if err != nil {
				t.Fatal(err)
			}
			o, err := oc.Read(context.Background())
			var ue *qovery.UnexpectedError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.want == "" && (len(o.Members) != 1 || !o.Members[0].Owner || o.Members[0].Status != portal.StatusActive):
				t.Errorf("read %+v", o.Members)
			case tt.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want an *UnexpectedError saying %q", err, tt.want)
			}
		})
	}
}

// TestLegacyRoles holds the one table of the deprecated role enum: each value
// stands for its default role and back, the enum's other strings and the roles
// without a value (Billing Manager, custom roles, a name in another case) have none.
func TestLegacyRoles(t *testing.T) {
	for l, name := range map[organization.LegacyRole]string{
		organization.LegacyOwner: "Owner", organization.LegacyAdmin: "Admin",
		organization.LegacyDeveloper: "DevOps", organization.LegacyViewer: "Viewer",
	} {
		if got, ok := l.RoleName(); !ok || got != name {
			t.Errorf("%s.RoleName() = %q, %v, want %q", l, got, ok, name)
		}
		if got, ok := organization.LegacyOf(name); !ok || got != l {
			t.Errorf("LegacyOf(%q) = %q, %v, want %s", name, got, ok, l)
		}
	}
	for _, l := range []organization.LegacyRole{"", "BILLING", "admin", "DEVOPS"} {
		if name, ok := l.RoleName(); ok {
			t.Errorf("%q.RoleName() = %q, want none", l, name)
		}
	}
	for _, name := range []string{"Billing Manager", "owner", "ADMIN", "Data Team", ""} {
		if l, ok := organization.LegacyOf(name); ok {
			t.Errorf("LegacyOf(%q) = %s, want none", name, l)
		}
	}
}
