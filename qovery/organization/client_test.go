package organization_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/openapitest"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
)

const (
	testToken = "tok-ORG-SECRET-42"
	testOrg   = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

	routeMembers     = "/organization/{organizationId}/member"
	routeInvitations = "/organization/{organizationId}/inviteMember"
	routeInvitation  = "/organization/{organizationId}/inviteMember/{inviteId}"
)

const seed = `organization_roles:
  - name: Data Team
    id: 6d1c7c1e-0000-4000-8000-000000000001
organization_members:
  - email: owner@company.com
    role: Owner
    id: github|1001
  - email: alice@company.com
    role: Admin
    id: github|1002
  - email: bob@company.com
    role: Viewer
    id: google-oauth2|1003
  - email: new@company.com
    role: DevOps
    status: pending
  - email: late@company.com
    role: Data Team
    status: expired
`

type env struct {
	srv    *emulator.Server
	url    string
	check  *openapitest.Checker
	org    *organization.Client
	portal *qovery.Client
	logs   *bytes.Buffer
}

// start serves an emulator seeded from seed over loopback HTTP, every request and
// answer checked against the OpenAPI documents (the organization's, transcribed
// from the published spec, and the portal's), and builds the two clients on one
// transport. rewrite, when given, rewrites the body of each answer on its way to
// the clients (method and path as requested), after the check.
func start(t *testing.T, opts emulator.Options, edit func(*qovery.Options), rewrite ...testkit.Rewrite) *env {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	opts.OrganizationID = testOrg
	with := []emutest.Option{emutest.Seed(seed)}
	if len(rewrite) > 0 {
		with = append(with, emutest.Through(func(h http.Handler) http.Handler {
			return testkit.Rewriting(h, "/organization/"+testOrg, rewrite[0])
		}))
	}
	s := emutest.Start(t, opts, with...)
	var logs bytes.Buffer
	o := qovery.Options{
		BaseURL: s.URL, Token: testToken, OrganizationID: testOrg, Version: "test",
		Timeout: 10 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&o)
	}
	pc, err := qovery.New(o)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := organization.New(pc.Transport(), testOrg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: s.Emu, url: s.URL, check: s.Check, org: oc, portal: pc, logs: &logs}
}

func (e *env) requests(route string) int { return e.srv.Stats().Requests[route] }

func TestLists(t *testing.T) {
	e := start(t, emulator.Options{}, nil)
	ctx := context.Background()
	roles, err := e.org.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
	}
	if want := []string{"Owner", "Admin", "DevOps", "Billing Manager", "Viewer", "Data Team"}; !slices.Equal(names, want) {
		t.Errorf("roles %v, want %v", names, want)
	}
	members, err := e.org.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range members {
		got = append(got, m.ID+" "+m.Email+" "+m.RoleName+" "+string(m.Role))
	}
	want := []string{"github|1002 alice@company.com Admin ADMIN", "google-oauth2|1003 bob@company.com Viewer VIEWER", "github|1001 owner@company.com Owner OWNER"}
	if !slices.Equal(got, want) {
		t.Errorf("members\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	invs, err := e.org.ListInvitations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, i := range invs {
		got = append(got, i.Email+" "+i.RoleName+" "+string(i.InvitationStatus)+" "+i.Inviter)
		if !strings.Contains(i.InvitationLink, i.ID) {
			t.Errorf("invitation link %q does not name the invitation %s", i.InvitationLink, i.ID)
		}
	}
	want = []string{"late@company.com Data Team EXPIRED console", "new@company.com DevOps PENDING console"}
	if !slices.Equal(got, want) {
		t.Errorf("invitations\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func roleID(t *testing.T, e *env, name string) string {
	t.Helper()
	for _, r := range e.srv.OrgRoles() {
		if r.Name == name {
			return r.ID
		}
	}
	t.Fatalf("no role %s", name)
	return ""
}

func TestInvite(t *testing.T) {
	tests := []struct {
		name      string
		email     string
		role      string // by name; "?" is an id the organization does not have
		want      error
		wantCount int // invitations afterwards
	}{
		{"by role id", "carol@company.com", "Billing Manager", nil, 3},
		{"already invited: 409", "new@company.com", "Viewer", qovery.ErrConflict, 2},
		{"expired invitations count as invited: 409", "late@company.com", "Viewer", qovery.ErrConflict, 2},
		{"already a member: 409", "bob@company.com", "Viewer", qovery.ErrConflict, 2},
		{"unknown role: 400", "carol@company.com", "?", qovery.ErrBadRequest, 2},
		{"nobody is invited as Owner: 400", "carol@company.com", "Owner", qovery.ErrBadRequest, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{}, nil)
			id := "6d1c7c1e-0000-4000-8000-0000000000ff"
			if tt.role != "?" {
				id = roleID(t, e, tt.role)
			}
			err := e.org.Invite(context.Background(), tt.email, id)
			switch {
			case tt.want == nil && err != nil:
				t.Fatal(err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				o, err := e.org.Read(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(o.Members, func(m portal.OrgMember) bool { return m.Email == tt.email })
				if i < 0 || o.Members[i].RoleID != id || o.Members[i].Status != portal.StatusPending || o.Members[i].Inviter != "owner@company.com" {
					t.Errorf("invitation %+v", o.Members)
				}
			}
			if n := len(e.srv.Invitations()); n != tt.wantCount {
				t.Errorf("%d invitations, want %d", n, tt.wantCount)
			}
		})
	}
}

func TestSetRoleAndRemove(t *testing.T) {
	tests := []struct {
		name string
		call func(e *env) error
		want error
	}{
		{"set a member's role", func(e *env) error {
			return e.org.SetRole(context.Background(), "google-oauth2|1003", roleID(t, e, "Data Team"))
		}, nil},
		{"set the role of an unknown member: 404", func(e *env) error { return e.org.SetRole(context.Background(), "github|404", roleID(t, e, "Viewer")) }, qovery.ErrNotFound},
		{"set an unknown role: 400", func(e *env) error {
			return e.org.SetRole(context.Background(), "github|1002", "6d1c7c1e-0000-4000-8000-0000000000ff")
		}, qovery.ErrBadRequest},
		{"the owner's role does not change: 400", func(e *env) error { return e.org.SetRole(context.Background(), "github|1001", roleID(t, e, "Admin")) }, qovery.ErrBadRequest},
		{"remove a member", func(e *env) error { return e.org.RemoveMember(context.Background(), "google-oauth2|1003") }, nil},
		{"remove an unknown member: 404", func(e *env) error { return e.org.RemoveMember(context.Background(), "github|404") }, qovery.ErrNotFound},
		{"cancel an invitation", func(e *env) error { return e.org.CancelInvitation(context.Background(), e.srv.Invitations()[0].ID) }, nil},
		{"cancel an unknown invitation: 404", func(e *env) error {
			return e.org.CancelInvitation(context.Background(), "6d1c7c1e-0000-4000-8000-0000000000ff")
		}, qovery.ErrNotFound},
		{"an id is one path segment, escaped: 404", func(e *env) error {
			e.check.AnswersOnly() // not a uuid, as the published inviteId is, on purpose
			return e.org.CancelInvitation(context.Background(), "../member x")
		}, qovery.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{}, nil)
			before := len(e.srv.OrgMembers()) + len(e.srv.Invitations())
			err := tt.call(e)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			after := len(e.srv.OrgMembers()) + len(e.srv.Invitations())
			if tt.want != nil && after != before {
				t.Errorf("a refused call changed the organization: %d → %d entries", before, after)
			}
		})
	}
	t.Run("the role set is the role listed", func(t *testing.T) {
		e := start(t, emulator.Options{}, nil)
		if err := e.org.SetRole(context.Background(), "google-oauth2|1003", roleID(t, e, "Data Team")); err != nil {
			t.Fatal(err)
		}
		ms, err := e.org.ListMembers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m organization.Member) bool { return m.ID == "google-oauth2|1003" })
		if m := ms[i]; m.Email != "bob@company.com" || m.RoleName != "Data Team" || m.Role != "" {
			t.Errorf("bob is %+v, want Data Team (no deprecated role: it has no value for custom roles)", m)
		}
	})
}

// TestRefusals: 401, 403 and an unknown organization, each with what it means.
func TestRefusals(t *testing.T) {
	t.Run("401", func(t *testing.T) {
		e := start(t, emulator.Options{Token: "another-token"}, nil)
		_, err := e.org.ListMembers(context.Background())
		if !errors.Is(err, qovery.ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), testToken) || strings.Contains(e.logs.String(), testToken) {
			t.Fatalf("token leaked: %v\n%s", err, e.logs)
		}
		// The transport is shared: the portal client stops too, without a request.
		before := e.srv.Stats().Total
		if _, err := e.portal.ListMembers(context.Background()); !errors.Is(err, qovery.ErrUnavailable) || !errors.Is(err, qovery.ErrNotSent) {
			t.Errorf("portal call after the 401: %v", err)
		}
		if n := e.srv.Stats().Total - before; n != 0 {
			t.Errorf("%d requests sent after the 401", n)
		}
	})
	t.Run("403 names the permission", func(t *testing.T) {
		for _, perm := range []emulator.OrgPermission{emulator.OrgNone, emulator.OrgRead} {
			e := start(t, emulator.Options{OrgPermission: perm}, nil)
			var err error
			if perm == emulator.OrgNone {
				_, err = e.org.ListRoles(context.Background())
			} else {
				if _, err := e.org.ListMembers(context.Background()); err != nil {
					t.Fatalf("a read-only token cannot read: %v", err)
				}
				err = e.org.Invite(context.Background(), "carol@company.com", roleID(t, e, "Viewer"))
			}
			if !errors.Is(err, qovery.ErrForbidden) {
				t.Fatalf("%s: err = %v", perm, err)
			}
			for _, want := range []string{"403", "Manage members & roles", "Admin role"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %q does not say %q", perm, err, want)
				}
			}
		}
	})
	t.Run("unknown organization: 404", func(t *testing.T) {
		e := start(t, emulator.Options{}, nil)
		other, err := organization.New(e.portal.Transport(), "11111111-2222-4333-8444-555555555555")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.ListRoles(context.Background()); !errors.Is(err, qovery.ErrNotFound) || !strings.Contains(err.Error(), "organization") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a malformed organization id never becomes a path", func(t *testing.T) {
		e := start(t, emulator.Options{}, nil)
		if _, err := organization.New(e.portal.Transport(), "../portal"); err == nil {
			t.Error("accepted")
		}
	})
}

// TestLostAnswers: the same retry and ambiguity semantics as the portal client.
func TestLostAnswers(t *testing.T) {
	const (
		gw    = emulator.FaultBadGateway
		dropB = emulator.FaultDropBefore
		dropA = emulator.FaultDropAfter
	)
	tests := []struct {
		name          string
		faults        []emulator.Fault
		call          func(e *env) error
		route         string
		wantRequests  int
		want          error
		wantAmbiguous bool
		wantInvited   *bool
	}{
		{name: "GET retried after a 502", faults: []emulator.Fault{gw}, call: func(e *env) error { _, err := e.org.ListInvitations(context.Background()); return err },
			route: "GET " + routeInvitations, wantRequests: 2},
		{name: "POST processed then dropped: ambiguous, sent once, invited once", faults: []emulator.Fault{dropA},
			call: func(e *env) error {
				err := e.org.Invite(context.Background(), "carol@company.com", roleID(t, e, "Viewer"))
				return err
			},
			route: "POST " + routeInvitations, wantRequests: 1, want: qovery.ErrAmbiguous, wantAmbiguous: true, wantInvited: ptr(true)},
		{name: "POST dropped before processing: ambiguous, not re-sent", faults: []emulator.Fault{dropB},
			call: func(e *env) error {
				err := e.org.Invite(context.Background(), "carol@company.com", roleID(t, e, "Viewer"))
				return err
			},
			route: "POST " + routeInvitations, wantRequests: 1, want: qovery.ErrAmbiguous, wantAmbiguous: true, wantInvited: ptr(false)},
		{name: "PUT retried after a dropped answer", faults: []emulator.Fault{dropA},
			call:  func(e *env) error { return e.org.SetRole(context.Background(), "github|1002", roleID(t, e, "Viewer")) },
			route: "PUT " + routeMembers, wantRequests: 2},
		{name: "DELETE member processed then dropped: the retry's 404 is reported", faults: []emulator.Fault{dropA},
			call:  func(e *env) error { return e.org.RemoveMember(context.Background(), "github|1002") },
			route: "DELETE " + routeMembers, wantRequests: 2, want: qovery.ErrNotFound},
		{name: "DELETE invitation after a 502", faults: []emulator.Fault{gw},
			call:  func(e *env) error { return e.org.CancelInvitation(context.Background(), e.srv.Invitations()[0].ID) },
			route: "DELETE " + routeInvitation, wantRequests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{}, func(o *qovery.Options) { o.RetryMax = 3 })
			e.srv.InjectFaults(tt.faults...)
			err := tt.call(e)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got := errors.Is(err, qovery.ErrAmbiguous); got != tt.wantAmbiguous {
				t.Errorf("ambiguous = %v, want %v (%v)", got, tt.wantAmbiguous, err)
			}
			if n := e.requests(tt.route); n != tt.wantRequests {
				t.Errorf("%d requests to %s, want %d", n, tt.route, tt.wantRequests)
			}
			if tt.wantInvited != nil {
				n := 0
				for _, i := range e.srv.Invitations() {
					if i.Email == "carol@company.com" {
						n++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[*tt.wantInvited]; n != want {
					t.Errorf("carol invited %d times, want %d", n, want)
				}
			}
		})
	}
}

// TestRequestsAsPublished: the bodies are exactly the published ones, never the
// deprecated role, and the contract checker catches a client that would send it.
func TestRequestsAsPublished(t *testing.T) {
	e := start(t, emulator.Options{}, nil)
	ctx := context.Background()
	viewer := roleID(t, e, "Viewer")
	steps := []func() error{
		func() error { _, err := e.org.ListRoles(ctx); return err },
		func() error { _, err := e.org.ListMembers(ctx); return err },
		func() error { _, err := e.org.ListInvitations(ctx); return err },
		func() error { err := e.org.Invite(ctx, "carol@company.com", viewer); return err },
		func() error { return e.org.SetRole(ctx, "github|1002", viewer) },
		func() error { return e.org.RemoveMember(ctx, "github|1002") },
		func() error { return e.org.CancelInvitation(ctx, e.srv.Invitations()[0].ID) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	// Every operation of the organization's document that the client calls (all
	// but getMemberInvitation), each answered as published.
	calls := []string{
		"deleteInviteMember", "deleteMember", "editOrganizationMemberRole",
		"getOrganizationInvitedMembers", "getOrganizationMembers",
		"listOrganizationAvailableRoles", "postInviteMember",
	}
	if got := e.check.Answered(); !slices.Equal(got, calls) {
		t.Errorf("operations exercised %v, want every one the client calls %v", got, calls)
	}
}

func ptr[T any](v T) *T { return &v }

// TestKeysCompareExactly: an answer of the organization's API with a key that
// differs from a field only in case, or a key given twice, is refused naming the
// call and the key: encoding/json would read it regardless of case, the last one
// winning.
func TestKeysCompareExactly(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func(string, string, []byte) []byte
		want    string // "" read
	}{
		{"RESULTS beside results", testkit.Replace("GET", "/member", `{"results":`, `{"RESULTS":[],"results":`, 1), `the organization's API answered something portalctl does not understand: the answer to GET /member: the key "RESULTS", which differs from the field "results" only in case`},
		{"ROLE_ID beside role_id", testkit.Replace("GET", "/inviteMember", `"role_id":`, `"ROLE_ID":"x","role_id":`, 1), `the answer to GET /inviteMember: the key "ROLE_ID" in results[0], which differs from the field "role_id"`},
		{"role_name twice", testkit.Replace("GET", "/member", `"role_name":"Viewer"`, `"role_name":"Viewer","role_name":"Admin"`, 1), `the key "role_name" in results[1] twice in one object`},
		{"an invitation_link spelt with the Kelvin sign, which encoding/json folds to k", testkit.Replace("GET", "/inviteMember", `"invitation_link":`, `"invitation_lin\u212a":`, 1), "the key \"invitation_lin\u212a\" in results[0], which differs from the field \"invitation_link\" only in case"},
		{"a role's NAME", testkit.Replace("GET", "/availableRole", `"name":`, `"NAME":`, 1), `the answer to GET /availableRole: the key "NAME" in results[0]`},
		{"fields the API added are read past", testkit.Replace("GET", "/member", `"role_name":`, `"role_names":[],"team":{"ROLE":1,"role":2},"role_name":`, -1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{}, nil, tt.rewrite)
			_, err := e.org.Read(context.Background())
			var ue *qovery.UnexpectedError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v\nwant an *UnexpectedError saying %s", err, tt.want)
			}
		})
	}
}

// TestInviteCheckedAgainstItsAnswer: an invitation the API creates (201) with an
// answer of another address or another role id is an error matching
// qovery.ErrContradicted, not an ambiguity (it is not sent again on its account);
// one in another case, or without the optional role_id, is the invitation sent.
func TestInviteCheckedAgainstItsAnswer(t *testing.T) {
	tests := []struct {
		name string
		old  string // replaced in the answer by new; %s is the Viewer role's id
		new  string
		want string // in the error; "" done
	}{
		{"another address", `"email":"carol@company.com"`, `"email":"mallory@company.com"`,
			`the organization's API accepted the change, but its answer says the invitation it created (id `},
		{"another role id", `"role_id":"%s"`, `"role_id":"6d1c7c1e-0000-4000-8000-000000000001"`, `has the role id "6d1c7c1e-0000-4000-8000-000000000001", not "%s"`},
		{"the address in another case", `"email":"carol@company.com"`, `"email":"Carol@COMPANY.com"`, ""},
		{"the role id in upper case", `"role_id":"%s"`, `"role_id":"%S"`, ""},
		{"no role_id, which the answer may lack", `"role_id":"%s",`, ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var viewer string
			e := start(t, emulator.Options{}, nil, func(m, p string, body []byte) []byte {
				if m != http.MethodPost || p != "/inviteMember" {
					return body
				}
				old := strings.ReplaceAll(tt.old, "%s", viewer)
				new := strings.ReplaceAll(strings.ReplaceAll(tt.new, "%s", viewer), "%S", strings.ToUpper(viewer))
				return bytes.Replace(body, []byte(old), []byte(new), 1)
			})
			viewer = roleID(t, e, "Viewer")
			err := e.org.Invite(context.Background(), "carol@company.com", viewer)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			want := strings.ReplaceAll(tt.want, "%s", viewer)
			var ce *qovery.ContradictionError
			if !errors.Is(err, qovery.ErrContradicted) || !errors.As(err, &ce) || errors.Is(err, qovery.ErrAmbiguous) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v\nwant a contradiction saying %s", err, want)
			}
		})
	}
}
