package qovery_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// strictSeed is the portal the answers of TestKeysCompareExactly come from.
const strictSeed = `version: 1
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  data-science:
    id: bp-ds
    domains: [company.com]
`

// rewritingEmulator serves an emulator seeded with seed behind a loopback server
// that rewrites the body of each of its answers with rewrite (method and path as
// requested, the emulator's body; nil rewrite: as it is).
func rewritingEmulator(t *testing.T, seed string, rewrite func(method, path string, body []byte) []byte) (*emulator.Server, string) {
	t.Helper()
	st, err := emulator.ParseSeed("seed.yaml", []byte(seed))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg, Initial: st})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rewrite != nil {
			body = rewrite(r.Method, strings.TrimPrefix(r.URL.Path, "/organization/"+testOrg+"/portal"), body)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

// replace returns a rewrite of the answers to method path that replaces old by
// new in their body.
func replace(method, path, old, new string) func(string, string, []byte) []byte {
	return func(m, p string, body []byte) []byte {
		if m == method && p == path {
			return bytes.Replace(body, []byte(old), []byte(new), 1)
		}
		return body
	}
}

// TestKeysCompareExactly: encoding/json reads keys regardless of case and keeps
// the last of two: an answer with a key that differs from a field only in case,
// or with a key given twice, is refused naming the call and the key, before it
// is read as open access or an admin; a key that differs from every field in
// more than case is a field the API added, and is read past.
func TestKeysCompareExactly(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func(string, string, []byte) []byte
		call    string // acl, members, blueprints, invite, role
		want    string // in the *UnexpectedError; "" read
	}{
		{"RULES beside rules would read as open", replace("GET", "/blueprint/bp-ds/acl", `"rules":[`, `"RULES":[],"rules":[`), "acl",
			`the portal answered something portalctl does not understand: the answer to GET /blueprint/bp-ds/acl: the key "RULES", which differs from the field "rules" only in case`},
		{"RULES after rules would read as open", replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"RULES":[]}`), "acl", `the key "RULES", which differs from the field "rules" only in case`},
		{"rules twice", replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"rules":[]}`), "acl", `the key "rules" twice in one object (keys compare regardless of case)`},
		{"rules twice, once escaped", replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"\u0072ules":[]}`), "acl", `the key "rules" twice in one object`},
		{"a rule's TYPE", replace("GET", "/blueprint/bp-ds/acl", `"type":`, `"TYPE":`), "acl", `the key "TYPE" in rules[0], which differs from the field "type"`},
		{"a member's ROLE beside role", replace("GET", "/member", `"role":"USER"`, `"role":"USER","ROLE":"ADMIN"`), "members", `the answer to GET /member: the key "ROLE" in results[1], which differs from the field "role" only in case`},
		{"a member's role twice", replace("GET", "/member", `"role":"USER"`, `"role":"USER","role":"ADMIN"`), "members", `the key "role" in results[1] twice in one object`},
		{"a status spelt with the long s, which encoding/json folds to s", replace("GET", "/member", `"status":"ACTIVE"`, `"ſtatus":"ACTIVE"`), "members", `the key "ſtatus" in results[0], which differs from the field "status" only in case`},
		{"NEXT_CURSOR", replace("GET", "/member", `{"results"`, `{"NEXT_CURSOR":"x","results"`), "members", `the key "NEXT_CURSOR", which differs from the field "next_cursor"`},
		{"a blueprint's Name", replace("GET", "/blueprint", `"name":`, `"Name":`), "blueprints", `the key "Name" in results[0]`},
		{"an invitation's answer with EMAIL", replace("POST", "/member", `"email":`, `"EMAIL":"x@company.com","email":`), "invite", `the answer to POST /member: the key "EMAIL"`},
		{"a role change's answer with Role", replace("PUT", "/member/", `"role":`, `"Role":`), "role", `the key "Role", which differs from the field "role"`},
		{"new fields the API added are read past", replace("GET", "/member", `"role":"USER"`, `"role":"USER","roles":["ADMIN"],"role_id":"x","Rôle":"ADMIN"`), "members", ""},
		{"a new field's object may hold anything", replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"meta":{"Rules":1,"rules":2,"a":{"b":[{"c":1}]}}}`), "acl", ""},
		{"an escaped key that reads as the field", replace("GET", "/blueprint/bp-ds/acl", `"rules":`, `"\u0072ules":`), "acl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rewrite := tt.rewrite
			if tt.call == "role" {
				rewrite = func(m, p string, body []byte) []byte {
					if m == http.MethodPut && strings.HasPrefix(p, "/member/") {
						return tt.rewrite(m, "/member/", body)
					}
					return body
				}
			}
			_, url := rewritingEmulator(t, strictSeed, rewrite)
			c := newClient(t, url, nil)
			ctx := context.Background()
			var err error
			switch tt.call {
			case "acl":
				_, _, err = c.GetACL(ctx, "bp-ds")
			case "members":
				_, err = c.ListMembers(ctx)
			case "blueprints":
				_, err = c.ListBlueprints(ctx)
			case "invite":
				_, err = c.InviteMember(ctx, "carol@company.com", portal.RoleUser)
			case "role":
				var ms []portal.Member
				if ms, err = c.ListMembers(ctx); err == nil {
					_, err = c.UpdateMemberRole(ctx, ms[1].ID, portal.RoleAdmin)
				}
			}
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
