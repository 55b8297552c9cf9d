package qovery_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/internal/testkit/emutest"
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

// rewritingEmulator serves an emulator seeded with seed over loopback, the body
// of each of its answers rewritten on its way to the client (testkit.Rewriting,
// the path below the portal's; nil rewrite: as it is) after the check.
func rewritingEmulator(t *testing.T, seed string, rewrite testkit.Rewrite) (*emulator.Server, string) {
	t.Helper()
	s := emutest.Start(t, emulator.Options{Token: testToken, OrganizationID: testOrg}, emutest.Seed(seed),
		emutest.Through(func(h http.Handler) http.Handler {
			return testkit.Rewriting(h, "/organization/"+testOrg+"/portal", rewrite)
		}))
	return s.Emu, s.URL
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
		{"RULES beside rules would read as open", testkit.Replace("GET", "/blueprint/bp-ds/acl", `"rules":[`, `"RULES":[],"rules":[`, 1), "acl",
			`the portal answered something portalctl does not understand: the answer to GET /blueprint/bp-ds/acl: the key "RULES", which differs from the field "rules" only in case`},
		{"RULES after rules would read as open", testkit.Replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"RULES":[]}`, 1), "acl", `the key "RULES", which differs from the field "rules" only in case`},
		{"rules twice", testkit.Replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"rules":[]}`, 1), "acl", `the key "rules" twice in one object (keys compare regardless of case)`},
		{"rules twice, once escaped", testkit.Replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"\u0072ules":[]}`, 1), "acl", `the key "rules" twice in one object`},
		{"a rule's TYPE", testkit.Replace("GET", "/blueprint/bp-ds/acl", `"type":`, `"TYPE":`, 1), "acl", `the key "TYPE" in rules[0], which differs from the field "type"`},
		{"a member's ROLE beside role", testkit.Replace("GET", "/member", `"role":"USER"`, `"role":"USER","ROLE":"ADMIN"`, 1), "members", `the answer to GET /member: the key "ROLE" in results[1], which differs from the field "role" only in case`},
		{"a member's role twice", testkit.Replace("GET", "/member", `"role":"USER"`, `"role":"USER","role":"ADMIN"`, 1), "members", `the key "role" in results[1] twice in one object`},
		{"a status spelt with the long s, which encoding/json folds to s", testkit.Replace("GET", "/member", `"status":"ACTIVE"`, `"ſtatus":"ACTIVE"`, 1), "members", `the key "ſtatus" in results[0], which differs from the field "status" only in case`},
		{"NEXT_CURSOR", testkit.Replace("GET", "/member", `{"results"`, `{"NEXT_CURSOR":"x","results"`, 1), "members", `the key "NEXT_CURSOR", which differs from the field "next_cursor"`},
		{"a blueprint's Name", testkit.Replace("GET", "/blueprint", `"name":`, `"Name":`, 1), "blueprints", `the key "Name" in results[0]`},
		{"an invitation's answer with EMAIL", testkit.Replace("POST", "/member", `"email":`, `"EMAIL":"x@company.com","email":`, 1), "invite", `the answer to POST /member: the key "EMAIL"`},
		{"a role change's answer with Role", testkit.Replace("PUT", "/member/", `"role":`, `"Role":`, 1), "role", `the key "Role", which differs from the field "role"`},
		{"new fields the API added are read past", testkit.Replace("GET", "/member", `"role":"USER"`, `"role":"USER","roles":["ADMIN"],"role_id":"x","Rôle":"ADMIN"`, 1), "members", ""},
		{"a new field's object may hold anything", testkit.Replace("GET", "/blueprint/bp-ds/acl", `]}`, `],"meta":{"Rules":1,"rules":2,"a":{"b":[{"c":1}]}}}`, 1), "acl", ""},
		{"an escaped key that reads as the field", testkit.Replace("GET", "/blueprint/bp-ds/acl", `"rules":`, `"\u0072ules":`, 1), "acl", ""},
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
