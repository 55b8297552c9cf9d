package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const org = "/organization/0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

func TestMatch(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"GET", org + "/availableRole", "listOrganizationAvailableRoles"},
		{"DELETE", org + "/member", "deleteMember"},
		{"DELETE", org + "/inviteMember/6d1c7c1e-0000-4000-8000-000000000001", "deleteInviteMember"},
		{"DELETE", org + "/inviteMember/a%2Fb", "deleteInviteMember"},
		{"POST", org + "/inviteMember/6d1c7c1e-0000-4000-8000-000000000001", ""}, // accepting is the invitee's
		{"PATCH", org + "/member", ""},
		{"GET", org + "/member/github%7C1", ""},
		{"DELETE", org + "/inviteMember/", ""},
	}
	for _, tt := range tests {
		got := ""
		if op := Match(tt.method, tt.path); op != nil {
			got = op.ID
		}
		if got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
	if published(org+"/portal/member") || !published(org+"/member") || published("/_emulator/stats") {
		t.Error("published() mixes the portal's endpoints with the organization's")
	}
}

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		name, method, path, ctype, body string
		want                            []string // substrings, one per problem
	}{
		{"invite as published", "POST", "/inviteMember", "application/json", `{"email":"a@b.co","role_id":"6d1c7c1e-0000-4000-8000-000000000001"}`, nil},
		{"deprecated role", "POST", "/inviteMember", "application/json", `{"email":"a@b.co","role":"ADMIN"}`, []string{`deprecated field "role"`}},
		{"email missing", "POST", "/inviteMember", "application/json", `{"role_id":"6d1c7c1e-0000-4000-8000-000000000001"}`, []string{`required field "email"`}},
		{"field not published", "POST", "/inviteMember", "application/json", `{"email":"a@b.co","role_id":"6d1c7c1e-0000-4000-8000-000000000001","name":"A"}`, []string{`"name" is not in the published schema`}},
		{"role id not a uuid", "PUT", "/member", "application/json", `{"user_id":"github|1","role_id":"admin"}`, []string{`"admin" is not a uuid`}},
		{"role id missing", "PUT", "/member", "application/json", `{"user_id":"github|1"}`, []string{`required field "role_id"`}},
		{"delete as published, id opaque", "DELETE", "/member", "application/json", `{"user_id":"github|1"}`, nil},
		{"delete without a body", "DELETE", "/member", "", ``, []string{"Content-Type", "not a JSON object"}},
		{"a body where none is published", "DELETE", "/inviteMember/x", "application/json", `{"id":"x"}`, []string{"a body"}},
		{"not JSON", "PUT", "/member", "text/plain", `user_id=1`, []string{"Content-Type", "not a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := Match(tt.method, org+tt.path)
			if op == nil {
				t.Fatal("no operation")
			}
			got := CheckRequest(op, tt.ctype, []byte(tt.body))
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

func TestCheckResponse(t *testing.T) {
	invite := `{"id":"6d1c7c1e-0000-4000-8000-000000000002","created_at":"2026-08-01T10:00:00Z","email":"a@b.co","role":"VIEWER","invitation_link":"https://console.qovery.com/x","invitation_status":"PENDING","inviter":"o@b.co"`
	tests := []struct {
		name, method, path string
		status             int
		body               string
		want               []string
	}{
		{"invitation as published", "POST", "/inviteMember", 201, invite + `}`, nil},
		{"required field missing", "POST", "/inviteMember", 201, strings.Replace(invite, `,"inviter":"o@b.co"`, "", 1) + `}`, []string{`required field "inviter"`}},
		{"field not published", "POST", "/inviteMember", 201, invite + `,"expires_at":"2026-09-01T00:00:00Z"}`, []string{`"expires_at" is not in the published schema`}},
		{"status outside the enum", "GET", "/inviteMember", 200, `{"results":[` + strings.Replace(invite, "PENDING", "ACCEPTED", 1) + `}]}`, []string{`results[0]: field "invitation_status"`}},
		{"member id opaque", "GET", "/member", 200, `{"results":[{"id":"github|1","created_at":"2026-08-01T10:00:00Z","email":"a@b.co","role_name":"Owner"}]}`, nil},
		{"list with a field besides results", "GET", "/availableRole", 200, `{"results":[],"next_cursor":"x"}`, []string{`"next_cursor"`}},
		{"PUT answers without a body", "PUT", "/member", 200, `{"ok":true}`, []string{"a body"}},
		{"status not published", "DELETE", "/member", 409, `{}`, []string{"status 409 is not published"}},
		{"transient statuses pass", "GET", "/member", 502, `oops`, nil},
		{"error bodies are not specified", "POST", "/inviteMember", 409, `nope`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckResponse(Match(tt.method, org+tt.path), tt.status, []byte(tt.body))
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
			r := httptest.NewRequest(http.MethodDelete, path, nil).WithContext(ctx)
			New(f).Wrap(silent).ServeHTTP(httptest.NewRecorder(), r)
			if got := len(f.errs) > 0; got != c.wantErr {
				t.Errorf("failures %q, want some: %v", f.errs, c.wantErr)
			}
		})
	}
}
