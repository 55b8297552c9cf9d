package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
)

const orgBase = "/organization/org-1"

const orgSeed = `organization_roles:
  - name: Data Team
    id: 6d1c7c1e-0000-4000-8000-000000000001
organization_members:
  - {email: owner@company.com, role: Owner, id: "github|1"}
  - {email: bob@company.com, role: viewer, id: "github|2"}
  - {email: new@company.com, role: DevOps, status: pending, id: 6d1c7c1e-0000-4000-8000-0000000000a1}
  - {email: late@company.com, role: data team, status: expired}
`

// orgServer serves a seeded emulator whose answers are checked against the
// organization's OpenAPI document (the requests are this test's, some malformed on
// purpose).
func orgServer(t *testing.T, opts emulator.Options) (*emulator.Server, *httptest.Server) {
	t.Helper()
	opts.Token, opts.OrganizationID = token, org
	s := emutest.Start(t, opts, emutest.Seed(orgSeed), emutest.AnswersOnly())
	return s.Emu, s.Server
}

func TestOrganizationEndpoints(t *testing.T) {
	viewer := emulator.DefaultRoles[4].ID
	tests := []endpointCase{
		{"roles", "GET", orgBase + "/availableRole", "", nil, 200, `{"id":"0c9d1b5e-7a4f-4f3b-8e2d-000000000004","name":"Billing Manager"}`},
		{"members", "GET", orgBase + "/member", "", nil, 200, `"id":"github|1"`},
		{"invitations", "GET", orgBase + "/inviteMember", "", nil, 200, `"invitation_status":"EXPIRED"`},
		{"one invitation", "GET", orgBase + "/inviteMember/6d1c7c1e-0000-4000-8000-0000000000a1", "", nil, 200, `"email":"new@company.com"`},
		{"no token", "GET", orgBase + "/member", "", map[string]string{"Authorization": ""}, 401, "missing or invalid API token"},
		{"unknown organization", "GET", "/organization/other/member", "", nil, 404, `organization \"other\" not found`},
		{"invite by role id", "POST", orgBase + "/inviteMember", `{"email":"carol@company.com","role_id":"` + viewer + `"}`, nil, 201, `"role_name":"Viewer"`},
		{"invite by the deprecated role", "POST", orgBase + "/inviteMember", `{"email":"carol@company.com","role":"DEVELOPER"}`, nil, 201, `"role_name":"DevOps"`},
		{"invite: no role", "POST", orgBase + "/inviteMember", `{"email":"carol@company.com"}`, nil, 400, "role_id is required"},
		{"invite: no email", "POST", orgBase + "/inviteMember", `{"role_id":"` + viewer + `"}`, nil, 400, "email is required"},
		{"invite: bad email", "POST", orgBase + "/inviteMember", `{"email":"carol@","role_id":"` + viewer + `"}`, nil, 400, `\"carol@\" is not a valid email address`},
		{"invite: malformed body", "POST", orgBase + "/inviteMember", `{"email":`, nil, 400, "malformed JSON"},
		{"invite: unknown field", "POST", orgBase + "/inviteMember", `{"email":"carol@company.com","role_id":"` + viewer + `","name":"C"}`, nil, 400, "unknown field"},
		{"invite: already invited", "POST", orgBase + "/inviteMember", `{"email":"NEW@company.com","role_id":"` + viewer + `"}`, nil, 409, "already invited"},
		{"invite: already a member", "POST", orgBase + "/inviteMember", `{"email":"bob@company.com","role_id":"` + viewer + `"}`, nil, 409, "already a member"},
		{"role: both fields required", "PUT", orgBase + "/member", `{"user_id":"github|2"}`, nil, 400, "required"},
		{"role: unknown member", "PUT", orgBase + "/member", `{"user_id":"github|9","role_id":"` + viewer + `"}`, nil, 404, "not found"},
		{"role: set, 200 without a body", "PUT", orgBase + "/member", `{"user_id":"github|2","role_id":"6d1c7c1e-0000-4000-8000-000000000001"}`, nil, 200, ""},
		{"role: never the owner's", "PUT", orgBase + "/member", `{"user_id":"github|1","role_id":"` + viewer + `"}`, nil, 400, "transfer the ownership"},
		{"remove: body required", "DELETE", orgBase + "/member", ``, nil, 400, "empty body"},
		{"remove: body too large", "DELETE", orgBase + "/member", `{"user_id":"` + strings.Repeat("x", 1<<20) + `"}`, nil, 413, "body larger than"},
		{"remove: unknown member", "DELETE", orgBase + "/member", `{"user_id":"github|9"}`, nil, 404, "not found"},
		{"remove: never the owner", "DELETE", orgBase + "/member", `{"user_id":"github|1"}`, nil, 403, "owner cannot be removed"},
		{"remove", "DELETE", orgBase + "/member", `{"user_id":"github|2"}`, nil, 204, ""},
		{"cancel: unknown invitation", "DELETE", orgBase + "/inviteMember/6d1c7c1e-0000-4000-8000-0000000000ff", "", nil, 404, "not found"},
		{"cancel", "DELETE", orgBase + "/inviteMember/6d1c7c1e-0000-4000-8000-0000000000a1", "", nil, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := orgServer(t, emulator.Options{})
			got := call(t, ts, tt.method, tt.path, tt.body, tt.header)
			if got.status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if !strings.Contains(got.body, tt.wantInBody) {
				t.Errorf("body %s does not contain %q", got.body, tt.wantInBody)
			}
		})
	}
}

func TestOrganizationPermissionKnob(t *testing.T) {
	for _, tt := range []struct {
		perm        emulator.OrgPermission
		read, write int
	}{{emulator.OrgManage, 200, 201}, {emulator.OrgRead, 200, 403}, {emulator.OrgNone, 403, 403}} {
		srv, ts := orgServer(t, emulator.Options{OrgPermission: tt.perm})
		if got := call(t, ts, "GET", orgBase+"/member", "", nil); got.status != tt.read {
			t.Errorf("%s: read %d, want %d", tt.perm, got.status, tt.read)
		}
		got := call(t, ts, "POST", orgBase+"/inviteMember", `{"email":"carol@company.com","role_id":"`+emulator.DefaultRoles[4].ID+`"}`, nil)
		if got.status != tt.write {
			t.Errorf("%s: write %d, want %d", tt.perm, got.status, tt.write)
		}
		if tt.write == 403 && (len(srv.Invitations()) != 2 || !strings.Contains(got.body, "Owner or Admin")) {
			t.Errorf("%s: a refused invitation: %s, %d invitations", tt.perm, got.body, len(srv.Invitations()))
		}
	}
	if _, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, OrgPermission: "admin"}); err == nil {
		t.Error("an unknown permission is accepted")
	}
}

// TestOrganizationState: persisted with the rest, counted in the stats, under the
// same fault knobs.
func TestOrganizationState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, ts := orgServer(t, emulator.Options{StatePath: path})
	call(t, ts, "POST", orgBase+"/inviteMember", `{"email":"carol@company.com","role_id":"`+emulator.DefaultRoles[1].ID+`"}`, nil)
	call(t, ts, "DELETE", orgBase+"/member", `{"user_id":"github|2"}`, nil)
	srv.ExpireInvitation("carol@company.com")
	again, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, StatePath: path, Initial: &emulator.State{}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(srv.State())
	got, _ := json.Marshal(again.State())
	if string(got) != string(want) {
		t.Fatalf("reloaded\n%s\nwant\n%s", got, want)
	}
	if invs := again.Invitations(); len(invs) != 3 || invs[2].Email != "carol@company.com" || invs[2].InvitationStatus != organization.StatusExpired || invs[2].RoleName != "Admin" {
		t.Errorf("invitations after reload: %+v", invs)
	}
	if ms := again.OrgMembers(); len(ms) != 1 || ms[0].ID != "github|1" {
		t.Errorf("members after reload: %+v", ms)
	}

	stats := srv.Stats().Requests
	if stats["POST /organization/{organizationId}/inviteMember"] != 1 || stats["DELETE /organization/{organizationId}/member"] != 1 {
		t.Errorf("stats %v", stats)
	}
	srv.InjectFaults(emulator.FaultBadGateway, emulator.FaultDropAfter)
	if got := call(t, ts, "GET", orgBase+"/availableRole", "", nil); got.status != 502 {
		t.Errorf("fault not applied: %d", got.status)
	}
	req, err := http.NewRequest("POST", ts.URL+orgBase+"/inviteMember", strings.NewReader(`{"email":"dan@company.com","role_id":"`+emulator.DefaultRoles[4].ID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+token)
	resp, err := ts.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Errorf("processed-then-dropped answered %d", resp.StatusCode)
	}
	found := false
	for _, i := range srv.Invitations() {
		found = found || i.Email == "dan@company.com"
	}
	if !found {
		t.Error("a request dropped after processing was not processed")
	}
}

func TestOrganizationSeedErrors(t *testing.T) {
	_, err := emulator.ParseSeed("seed.yaml", []byte(`organization_roles:
  - name: Admin
organization_members:
  - {email: a@company.com, role: Ownr}
  - {email: b@company.com, role: Nobody}
`))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`seed.yaml:2:11: "Admin" is a default role`,
		`seed.yaml:4:34: unknown organization role "Ownr" for a@company.com (did you mean "Owner"?`,
		`seed.yaml:5:34: unknown organization role "Nobody"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not say %q", err, want)
		}
	}
}

// TestEmailsFoldAsTheClientDoes: the emulator keys emails with
// portal.NormalizeEmail, as the client and portal.yaml do: an address in another
// case, or with its domain in Unicode rather than punycode, is the same address,
// in the portal and in the organization.
func TestEmailsFoldAsTheClientDoes(t *testing.T) {
	srv, ts := orgServer(t, emulator.Options{})
	viewer := emulator.DefaultRoles[4].ID
	tests := []struct {
		name, method, path, body string
		wantStatus               int
	}{
		{"invite an IDN address", "POST", base + "/member", `{"email":"Alice@Bücher.example","role":"USER"}`, 201},
		{"its punycode spelling is the same member", "POST", base + "/member", `{"email":"alice@xn--bcher-kva.example","role":"USER"}`, 409},
		{"and so is its upper case", "POST", base + "/member", `{"email":"ALICE@BÜCHER.EXAMPLE","role":"ADMIN"}`, 409},
		{"an address NormalizeEmail refuses is refused", "POST", base + "/member", `{"email":"eve\u200b@company.com","role":"USER"}`, 400},
		{"invite an IDN address into the organization", "POST", orgBase + "/inviteMember", `{"email":"Carol@Bücher.example","role_id":"` + viewer + `"}`, 201},
		{"its punycode spelling is the same invitation", "POST", orgBase + "/inviteMember", `{"email":"carol@xn--bcher-kva.example","role_id":"` + viewer + `"}`, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(t, ts, tt.method, tt.path, tt.body, nil); got.status != tt.wantStatus {
				t.Fatalf("%d %s, want %d", got.status, got.body, tt.wantStatus)
			}
		})
	}
	if ms := srv.Members(); len(ms) != 1 || ms[0].Email != "alice@xn--bcher-kva.example" {
		t.Errorf("members %+v, want alice as NormalizeEmail writes her", ms)
	}
	// The helpers fold as the API does.
	if !srv.RemoveMember("ALICE@bücher.example") {
		t.Error("RemoveMember does not find alice by another spelling")
	}
	if !srv.ExpireInvitation("CAROL@BÜCHER.EXAMPLE") {
		t.Error("ExpireInvitation does not find carol by another spelling")
	}
}

// TestRoleNamesKeepTheirCase: role names that differ in case are two roles; a
// custom role named "owner" is not the Owner role (the deprecated enum of its
// holder is empty), and a role is found by its exact name first.
func TestRoleNamesKeepTheirCase(t *testing.T) {
	st, err := emulator.ParseSeed("seed.yaml", []byte(`organization_roles:
  - {name: owner, id: 6d1c7c1e-0000-4000-8000-0000000000cc}
organization_members:
  - {email: boss@company.com, role: Owner, id: "github|1"}
  - {email: bob@company.com, role: owner, id: "github|2"}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, Initial: st})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]organization.Member{}
	for _, m := range srv.OrgMembers() {
		got[m.Email] = m
	}
	if m := got["boss@company.com"]; m.Role != organization.LegacyOwner || m.RoleName != "Owner" {
		t.Errorf("the owner is %+v", m)
	}
	if m := got["bob@company.com"]; m.Role != "" || m.RoleName != "owner" || m.RoleID != "6d1c7c1e-0000-4000-8000-0000000000cc" {
		t.Errorf("the holder of the custom role owner is %+v", m)
	}
	// Roles whose names differ only in case, from a state.
	roles := append(slices.Clone(emulator.DefaultRoles), organization.Role{ID: "6d1c7c1e-0000-4000-8000-0000000000da", Name: "Data Team"}, organization.Role{ID: "6d1c7c1e-0000-4000-8000-0000000000db", Name: "DATA TEAM"})
	if _, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, Initial: &emulator.State{Organization: &emulator.OrgState{Roles: roles}}}); err != nil {
		t.Errorf("roles that differ in case refused: %v", err)
	}
}

// TestOrgStateRefused: a state's organization member or invitation that is not
// one the API could hold is refused by New, naming it.
func TestOrgStateRefused(t *testing.T) {
	viewer := emulator.DefaultRoles[4].ID
	member := func(email, roleID string) emulator.OrgMemberState {
		return emulator.OrgMemberState{Email: email, RoleID: roleID}
	}
	invitation := func(email, roleID string, status organization.InvitationStatus) emulator.OrgInvitationState {
		return emulator.OrgInvitationState{Email: email, RoleID: roleID, Status: status}
	}
	tests := []struct {
		name string
		org  emulator.OrgState
		want string
	}{
		{"a member's invalid email", emulator.OrgState{Members: []emulator.OrgMemberState{member("bob@", viewer)}}, `organization member "bob@": invalid email`},
		{"a member twice", emulator.OrgState{Members: []emulator.OrgMemberState{member("bob@company.com", viewer), member("Bob@Company.com", viewer)}}, "organization member Bob@Company.com appears twice"},
		{"a member's unknown role", emulator.OrgState{Members: []emulator.OrgMemberState{member("bob@company.com", "r-9")}}, `organization member bob@company.com: unknown role id "r-9"`},
		{"an invitation's invalid email", emulator.OrgState{Invitations: []emulator.OrgInvitationState{invitation("carol", viewer, organization.StatusPending)}}, `invitation "carol": invalid email`},
		{"an invitation twice", emulator.OrgState{Invitations: []emulator.OrgInvitationState{invitation("carol@company.com", viewer, organization.StatusPending), invitation("CAROL@company.com", viewer, organization.StatusExpired)}}, "invitation of CAROL@company.com appears twice"},
		{"an invitation's unknown role", emulator.OrgState{Invitations: []emulator.OrgInvitationState{invitation("carol@company.com", "r-9", organization.StatusPending)}}, `invitation of carol@company.com: unknown role id "r-9"`},
		{"an invitation's status", emulator.OrgState{Invitations: []emulator.OrgInvitationState{invitation("Carol@company.com", viewer, "ACCEPTED")}}, `invitation of Carol@company.com: status "ACCEPTED" is not PENDING or EXPIRED`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, Initial: &emulator.State{Organization: &tt.org}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// The role id in any case, stored as the roles spell it.
	srv, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, Initial: &emulator.State{Organization: &emulator.OrgState{
		Members:     []emulator.OrgMemberState{member("Bob@Company.com", strings.ToUpper(viewer))},
		Invitations: []emulator.OrgInvitationState{invitation("carol@company.com", strings.ToUpper(viewer), organization.StatusPending)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if ms, invs := srv.OrgMembers(), srv.Invitations(); len(ms) != 1 || ms[0].Email != "bob@company.com" || ms[0].RoleID != viewer || len(invs) != 1 || invs[0].RoleID != viewer {
		t.Errorf("members %+v, invitations %+v", ms, invs)
	}
}
