package openapitest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	org    = "/organization/0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"
	portal = org + "/portal"
	roleID = "6d1c7c1e-0000-4000-8000-000000000001"
)

func newRequest(method, path, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Token secret")
	return r
}

func TestRoute(t *testing.T) {
	tests := []struct {
		method, path string
		doc, id      string // id "" no operation
	}{
		{"GET", org + "/availableRole", OrganizationDocument, "listOrganizationAvailableRoles"},
		{"GET", org + "/member", OrganizationDocument, "getOrganizationMembers"},
		{"PUT", org + "/member", OrganizationDocument, "editOrganizationMemberRole"},
		{"DELETE", org + "/member", OrganizationDocument, "deleteMember"},
		{"GET", org + "/inviteMember", OrganizationDocument, "getOrganizationInvitedMembers"},
		{"POST", org + "/inviteMember", OrganizationDocument, "postInviteMember"},
		{"GET", org + "/inviteMember/" + roleID, OrganizationDocument, "getMemberInvitation"},
		{"DELETE", org + "/inviteMember/" + roleID, OrganizationDocument, "deleteInviteMember"},
		{"DELETE", org + "/inviteMember/a%2Fb", OrganizationDocument, "deleteInviteMember"},
		{"POST", org + "/inviteMember/" + roleID, OrganizationDocument, ""}, // accepting is the invitee's
		{"PATCH", org + "/member", OrganizationDocument, ""},
		{"GET", org + "/member/github%7C1", OrganizationDocument, ""},
		{"DELETE", org + "/inviteMember/", OrganizationDocument, ""},
		{"GET", portal + "/member", PortalDocument, "listMembers"},
		{"POST", portal + "/member", PortalDocument, "inviteMember"},
		{"PUT", portal + "/member/m1", PortalDocument, "updateMemberRole"},
		{"DELETE", portal + "/member/m1", PortalDocument, "removeMember"},
		{"GET", portal + "/blueprint", PortalDocument, "listBlueprints"},
		{"GET", portal + "/blueprint/b1/acl", PortalDocument, "getBlueprintACL"},
		{"PUT", portal + "/blueprint/b1/acl", PortalDocument, "putBlueprintACL"},
		{"GET", "/_emulator/stats", PortalDocument, "emulatorStats"},
		{"GET", portal + "/availableRole", PortalDocument, ""},
		{"GET", "/organization", PortalDocument, ""},
	}
	c := New(t)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			if got := c.apis.of(tt.path).file; got != tt.doc {
				t.Errorf("document %s, want %s", got, tt.doc)
			}
			call, err := c.apis.request(newRequest(tt.method, tt.path, ""))
			switch {
			case tt.id == "" && err == nil:
				t.Errorf("routed to %s, want no operation", call.id())
			case tt.id != "" && err != nil:
				t.Errorf("%v, want %s", err, tt.id)
			case tt.id != "" && call.id() != tt.id:
				t.Errorf("routed to %s, want %s", call.id(), tt.id)
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		edit                     func(*http.Request)
		want                     []string // substrings, one per problem, in order
	}{
		{"invite as published", "POST", org + "/inviteMember", `{"email":"a@b.co","role_id":"` + roleID + `"}`, nil, nil},
		{"deprecated role", "POST", org + "/inviteMember", `{"email":"a@b.co","role":"ADMIN"}`, nil, []string{`sends the deprecated field "role"`}},
		{"email missing", "POST", org + "/inviteMember", `{"role_id":"` + roleID + `"}`, nil, []string{`property "email" is missing`}},
		{"field not published", "POST", org + "/inviteMember", `{"email":"a@b.co","role_id":"` + roleID + `","name":"A"}`, nil, []string{`property "name" is unsupported`}},
		{"role id not a uuid", "PUT", org + "/member", `{"user_id":"github|1","role_id":"admin"}`, nil, []string{`at /role_id: string doesn't match the format "uuid" (not a uuid) (the value: "admin")`}},
		{"role id missing", "PUT", org + "/member", `{"user_id":"github|1"}`, nil, []string{`property "role_id" is missing`}},
		{"delete as published, the member id an identity subject", "DELETE", org + "/member", `{"user_id":"github|1"}`, nil, nil},
		{"member id empty", "DELETE", org + "/member", `{"user_id":""}`, nil, []string{`at /user_id: `}},
		{"delete without a body", "DELETE", org + "/member", ``, nil, []string{"the body: value is required"}},
		{"a body where none is published", "DELETE", org + "/inviteMember/" + roleID, `{"id":"x"}`, nil, []string{"a body ({\"id\":\"x\"}) where the operation takes none"}},
		{"not JSON", "PUT", org + "/member", `user_id=1`, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, []string{`the body: `}},
		{"organization id not a uuid", "GET", "/organization/acme/member", ``, nil, []string{`the path parameter "organizationId"`}},
		{"no token", "GET", org + "/member", ``, func(r *http.Request) { r.Header.Del("Authorization") }, []string{"no credentials as the document asks"}},
		{"a bearer token", "GET", org + "/member", ``, func(r *http.Request) { r.Header.Set("Authorization", "Bearer jwt") }, nil},
		{"the token not named", "GET", org + "/member", ``, func(r *http.Request) { r.Header.Set("Authorization", "secret") }, []string{"no credentials"}},

		{"portal invite", "POST", portal + "/member", `{"email":"a@b.co","role":"USER"}`, nil, nil},
		{"portal invite, role outside the enum", "POST", portal + "/member", `{"email":"a@b.co","role":"OWNER"}`, nil, []string{`at /role: value is not one of the allowed values`}},
		{"portal invite, not an email", "POST", portal + "/member", `{"email":"a.b.co","role":"USER"}`, nil, []string{`at /email: `}},
		{"ACL write as documented", "PUT", portal + "/blueprint/b1/acl", `{"rules":[{"type":"DOMAIN","value":"b.co"}]}`, func(r *http.Request) { r.Header.Set("If-Match", `"e1"`) }, nil},
		{"ACL write without rules", "PUT", portal + "/blueprint/b1/acl", `{}`, nil, []string{`property "rules" is missing`}},
		{"ACL rule of an unknown type", "PUT", portal + "/blueprint/b1/acl", `{"rules":[{"type":"GROUP","value":"x"}]}`, nil, []string{`at /rules/0/type: `}},
		{"page size not a number", "GET", portal + "/member?page_size=x", ``, nil, []string{`the query parameter "page_size"`}},
		{"page size zero", "GET", portal + "/member?page_size=0", ``, nil, []string{`the query parameter "page_size"`}},
		{"page size above the cap", "GET", portal + "/member?page_size=500&cursor=abc", ``, nil, nil},
		{"stats need no token", "GET", "/_emulator/stats", ``, func(r *http.Request) { r.Header.Del("Authorization") }, nil},
	}
	c := New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.path, tt.body)
			if tt.edit != nil {
				tt.edit(r)
			}
			call, err := c.apis.request(r)
			if err != nil {
				t.Fatal(err)
			}
			got := call.requestProblems
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want %q", got[i], w)
				}
				if strings.Contains(got[i], "secret") {
					t.Errorf("problem %q names the token", got[i])
				}
			}
		})
	}
}

func TestCheckAnswer(t *testing.T) {
	invite := `{"id":"6d1c7c1e-0000-4000-8000-000000000002","created_at":"2026-08-01T10:00:00Z","email":"a@b.co","role":"VIEWER","invitation_link":"https://console.qovery.com/x","invitation_status":"PENDING","inviter":"o@b.co"`
	member := `{"id":"m1","email":"a@b.co","role":"USER","status":"ACTIVE","created_at":"2026-08-01T10:00:00Z"}`
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	withETag := http.Header{"Content-Type": {"application/json"}, "Etag": {`"e1"`}}
	tests := []struct {
		name, method, path, reqBody string
		status                      int
		header                      http.Header
		body                        string
		want                        []string
	}{
		{"invitation as published", "POST", org + "/inviteMember", `{"email":"a@b.co"}`, 201, jsonCT, invite + `}`, nil},
		{"required field missing", "POST", org + "/inviteMember", `{"email":"a@b.co"}`, 201, jsonCT, strings.Replace(invite, `,"inviter":"o@b.co"`, "", 1) + `}`, []string{`property "inviter" is missing`}},
		{"field not published", "POST", org + "/inviteMember", `{"email":"a@b.co"}`, 201, jsonCT, invite + `,"expires_at":"2026-09-01T00:00:00Z"}`, []string{`property "expires_at" is unsupported`}},
		{"status outside the enum", "GET", org + "/inviteMember", ``, 200, jsonCT, `{"results":[` + strings.Replace(invite, "PENDING", "ACCEPTED", 1) + `}]}`, []string{`at /results/0/invitation_status: value is not one of the allowed values`}},
		{"not a date-time", "GET", org + "/inviteMember", ``, 200, jsonCT, `{"results":[` + strings.Replace(invite, "2026-08-01T10:00:00Z", "yesterday", 1) + `}]}`, []string{`at /results/0/created_at: `}},
		{"link not a uri", "GET", org + "/inviteMember", ``, 200, jsonCT, `{"results":[` + strings.Replace(invite, "https://console.qovery.com/x", "console", 1) + `}]}`, []string{`at /results/0/invitation_link: `}},
		{"member id an identity subject", "GET", org + "/member", ``, 200, jsonCT, `{"results":[{"id":"github|1","created_at":"2026-08-01T10:00:00Z","email":"a@b.co","role_name":"Owner"}]}`, nil},
		{"results missing", "GET", org + "/member", ``, 200, jsonCT, `{}`, []string{`property "results" is missing`}},
		{"list with a field besides results", "GET", org + "/availableRole", ``, 200, jsonCT, `{"results":[],"next_cursor":"x"}`, []string{`property "next_cursor" is unsupported`}},
		{"role id not a uuid", "GET", org + "/availableRole", ``, 200, jsonCT, `{"results":[{"id":"owner","name":"Owner"}]}`, []string{`at /results/0/id: `}},
		{"PUT answers without a body", "PUT", org + "/member", `{"user_id":"github|1","role_id":"` + roleID + `"}`, 200, jsonCT, `{"ok":true}`, []string{"a body"}},
		{"status not published", "DELETE", org + "/member", `{"user_id":"github|1"}`, 409, jsonCT, `{}`, []string{"status 409 is not documented for deleteMember"}},
		{"transient statuses pass", "GET", org + "/member", ``, 502, nil, `oops`, nil},
		{"error bodies are not published", "POST", org + "/inviteMember", `{"email":"a@b.co"}`, 409, nil, `nope`, nil},
		{"a refused request may get an unpublished 4xx", "DELETE", org + "/member", `{}`, 400, jsonCT, `{}`, nil},

		{"portal page", "GET", portal + "/member", ``, 200, jsonCT, `{"results":[` + member + `],"next_cursor":""}`, nil},
		{"portal member without status", "GET", portal + "/member", ``, 200, jsonCT, `{"results":[` + strings.Replace(member, `,"status":"ACTIVE"`, "", 1) + `]}`, []string{`property "status" is missing`}},
		{"portal page without results", "GET", portal + "/blueprint", ``, 200, jsonCT, `{"next_cursor":"x"}`, []string{`property "results" is missing`}},
		{"ACL with its ETag", "GET", portal + "/blueprint/b1/acl", ``, 200, withETag, `{"rules":[]}`, nil},
		{"ACL without an ETag", "GET", portal + "/blueprint/b1/acl", ``, 200, jsonCT, `{"rules":[]}`, []string{`response header "ETag" missing`}},
		{"ACL write answered without an ETag", "PUT", portal + "/blueprint/b1/acl", `{"rules":[]}`, 200, jsonCT, `{"rules":[]}`, []string{`response header "ETag" missing`}},
		{"stale ETag", "PUT", portal + "/blueprint/b1/acl", `{"rules":[]}`, 412, jsonCT, `{"status":412,"error":"Precondition Failed","message":"stale"}`, nil},
		{"error body not as documented", "PUT", portal + "/blueprint/b1/acl", `{"rules":[]}`, 412, jsonCT, `{"detail":"stale"}`, []string{`at /: property "detail" is unsupported`, `at /status: property "status" is missing`, `property "error" is missing`, `property "message" is missing`}},
		{"rate limited", "GET", portal + "/member", ``, 429, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"1"}}, `{"status":429,"error":"Too Many Requests","message":"slow down"}`, nil},
		{"rate limited without Retry-After", "GET", portal + "/member", ``, 429, jsonCT, `{"status":429,"error":"Too Many Requests","message":"slow down"}`, []string{`response header "Retry-After" missing`}},
		{"a gateway's failure", "GET", portal + "/blueprint", ``, 502, nil, `<html>`, nil},
		{"conflict", "POST", portal + "/member", `{"email":"a@b.co","role":"USER"}`, 409, jsonCT, `{"status":409,"error":"Conflict","message":"a@b.co is a member"}`, nil},
		{"status not documented", "GET", portal + "/blueprint", ``, 412, jsonCT, `{"status":412,"error":"Precondition Failed","message":"x"}`, []string{"status 412 is not documented for listBlueprints"}},
		{"removal answers without a body", "DELETE", portal + "/member/m1", ``, 204, nil, ``, nil},
	}
	c := New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := c.apis.request(newRequest(tt.method, tt.path, tt.reqBody))
			if err != nil {
				t.Fatal(err)
			}
			got := call.answerProblems(tt.status, tt.header, []byte(tt.body))
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want %q", got[i], w)
				}
			}
		})
	}
}

// failures is a testing.TB that keeps the failures a Checker reports.
type failures struct {
	testing.TB
	errs []string
}

func (f *failures) Helper() {}
func (f *failures) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// TestWrap: through the wrapper, a request not as documented fails the test unless
// the checker is told to check answers only; the answer refusing it passes either
// way; an answer not as documented fails the test in both modes; 2xx answers are
// counted per operation.
func TestWrap(t *testing.T) {
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"status":400,"error":"Bad Request","message":"no"}`)
	})
	roles := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"results":[{"id":"`+roleID+`","name":"Owner"}]}`)
	})
	rolesBad := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"results":[{"id":"`+roleID+`"}]}`)
	})
	tests := []struct {
		name         string
		answersOnly  bool
		handler      http.Handler
		method, path string
		body         string
		want         []string // substrings of the failures, in order
		answered     []string
	}{
		{"a bad request reported", false, refuse, "POST", org + "/inviteMember", `{"role":"ADMIN"}`,
			[]string{`openapi: request postInviteMember (POST ` + org + `/inviteMember): the body: `, `sends the deprecated field "role"`}, nil},
		{"a bad request sent on purpose", true, refuse, "POST", org + "/inviteMember", `{"role":"ADMIN"}`, nil, nil},
		{"an answer not as published", true, rolesBad, "GET", org + "/availableRole", ``,
			[]string{`openapi: answer 200 to listOrganizationAvailableRoles (GET ` + org + `/availableRole): `}, []string{"listOrganizationAvailableRoles"}},
		{"an answer as published", false, roles, "GET", org + "/availableRole", ``, nil, []string{"listOrganizationAvailableRoles"}},
		{"no such operation", false, refuse, "PATCH", org + "/member", ``, []string{`openapi: PATCH ` + org + `/member: no such operation in qovery/organization/openapi.yaml`}, nil},
		{"no such operation, on purpose", true, refuse, "PATCH", org + "/member", ``, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &failures{TB: t}
			c := New(f)
			if tt.answersOnly {
				c.AnswersOnly()
			}
			c.Wrap(tt.handler).ServeHTTP(httptest.NewRecorder(), newRequest(tt.method, tt.path, tt.body))
			if len(f.errs) != len(tt.want) {
				t.Fatalf("failures %q, want %d", f.errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(f.errs[i], w) {
					t.Errorf("failure %q, want %q", f.errs[i], w)
				}
			}
			if got := strings.Join(c.Answered(), ","); got != strings.Join(tt.answered, ",") {
				t.Errorf("answered %q, want %q", got, tt.answered)
			}
		})
	}
}

// TestWrapSilentHandler: a handler that writes nothing answers 200 (net/http's
// default), which the check judges; but when the client has gone away there is no
// answer at all, and nothing to judge.
func TestWrapSilentHandler(t *testing.T) {
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	path := org + "/inviteMember/6d1c7c1e-0000-4000-8000-000000000001"
	for _, c := range []struct {
		name      string
		cancelled bool
		wantErr   bool
	}{
		{"client waiting: an empty 200, not published", false, true},
		{"client gone: no answer", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &failures{TB: t}
			ctx, cancel := context.WithCancel(context.Background())
			if c.cancelled {
				cancel()
			} else {
				defer cancel()
			}
			r := newRequest(http.MethodDelete, path, "").WithContext(ctx)
			New(f).Wrap(silent).ServeHTTP(httptest.NewRecorder(), r)
			if got := len(f.errs) > 0; got != c.wantErr {
				t.Errorf("failures %q, want some: %v", f.errs, c.wantErr)
			}
		})
	}
}
