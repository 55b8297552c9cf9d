package qovery_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// TestWritesCheckedAgainstTheirAnswer: a change the portal accepts (2xx) with an
// answer that contradicts the request (another role, another address, other
// rules) is an error matching ErrContradicted, saying what the answer says, and
// not ErrAmbiguous (nothing is sent again on its account); an answer that agrees,
// in another case or order, or one without a body to compare, is the change done.
func TestWritesCheckedAgainstTheirAnswer(t *testing.T) {
	anyMember := func(method string, edit func([]byte) []byte) func(string, string, []byte) []byte {
		return func(m, p string, body []byte) []byte {
			if m == method && strings.HasPrefix(p, "/member") {
				return edit(body)
			}
			return body
		}
	}
	swap := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return []byte(strings.Replace(string(b), old, new, 1)) }
	}
	tests := []struct {
		name    string
		rewrite func(string, string, []byte) []byte
		call    string // promote, invite, acl
		want    string // in the error; "" done
	}{
		{"a promotion answered with the role USER", anyMember(http.MethodPut, swap(`"role":"ADMIN"`, `"role":"USER"`)), "promote",
			`the portal accepted the change, but its answer says the role of member "bob@company.com" (id `},
		{"a promotion is checked on the answer's id and role, not its other fields", anyMember(http.MethodPut, swap(`"status":"ACTIVE"`, `"status":"PENDING"`)), "promote", ""},
		{"a promotion answered for another id", func(m, p string, body []byte) []byte {
			if m == http.MethodPut {
				return []byte(strings.Replace(string(body), `"id":"`, `"id":"x`, 1))
			}
			return body
		}, "promote", `it changed the member "bob@company.com" (id "x`},
		{"a promotion answered as asked", nil, "promote", ""},
		{"an invitation answered with another address", testkit.Replace(http.MethodPost, "/member", `"email":"carol@company.com"`, `"email":"mallory@company.com"`, 1), "invite",
			`its answer says the member it created is "mallory@company.com", not "carol@company.com"`},
		{"an invitation answered with another role", testkit.Replace(http.MethodPost, "/member", `"role":"ADMIN"`, `"role":"USER"`, 1), "invite", `it invited "carol@company.com" as "USER", not ADMIN`},
		{"an invitation answered in another case", testkit.Replace(http.MethodPost, "/member", `"email":"carol@company.com"`, `"email":"Carol@Company.com"`, 1), "invite", ""},
		{"an ACL write answered with no rules", testkit.Replace(http.MethodPut, "/blueprint/bp-ds/acl", `{"rules":[`, `{"rules":[],"old":[`, 1), "acl",
			`its answer says the ACL of blueprint id "bp-ds" holds no rules (open to every member), where portalctl sent the rules EMAIL "bob@company.com", DOMAIN "company.com"`},
		{"an ACL write answered with other rules", testkit.Replace(http.MethodPut, "/blueprint/bp-ds/acl", `"value":"company.com"`, `"value":"gmail.com"`, 1), "acl", `holds the rules EMAIL "bob@company.com", DOMAIN "gmail.com", where portalctl sent`},
		{"an ACL write answered in another order and case", testkit.Replace(http.MethodPut, "/blueprint/bp-ds/acl", `"value":"company.com"`, `"value":"Company.COM"`, 1), "acl", ""},
		{"an ACL write answered without a body", func(m, p string, body []byte) []byte {
			if m == http.MethodPut && p == "/blueprint/bp-ds/acl" {
				return nil
			}
			return body
		}, "acl", ""},
		{"an ACL write answered without rules", testkit.Replace(http.MethodPut, "/blueprint/bp-ds/acl", `"rules":`, `"old":`, 1), "acl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := rewritingEmulator(t, strictSeed, tt.rewrite)
			c := newClient(t, url, nil)
			ctx := context.Background()
			var err error
			switch tt.call {
			case "promote":
				var ms []portal.Member
				if ms, err = c.ListMembers(ctx); err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					if m.Email == "bob@company.com" {
						_, err = c.UpdateMemberRole(ctx, m.ID, portal.RoleAdmin)
					}
				}
			case "invite":
				_, err = c.InviteMember(ctx, "carol@company.com", portal.RoleAdmin)
			case "acl":
				var etag string
				if _, etag, err = c.GetACL(ctx, "bp-ds"); err != nil {
					t.Fatal(err)
				}
				_, err = c.PutACL(ctx, "bp-ds", []portal.Rule{{Kind: portal.RuleEmail, Value: "bob@company.com"}, {Kind: portal.RuleDomain, Value: "company.com"}}, etag)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var ce *qovery.ContradictionError
			if !errors.Is(err, qovery.ErrContradicted) || !errors.As(err, &ce) || errors.Is(err, qovery.ErrAmbiguous) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant a contradiction, not an ambiguity, saying %s", err, tt.want)
			}
		})
	}
}
