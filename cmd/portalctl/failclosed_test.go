package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
)

// What the portal and the organization's API answer is never trusted: an answer
// portalctl does not understand stops plan, apply, export and access --live before
// anything is written, naming the object; one the published spec allows is read
// correctly. The answers are the emulator's, rewritten on their way back by a
// loopback proxy.

// failClosedSeed is a portal and an organization against which failClosedFile
// has changes of every kind to make: a refusal is the only thing that keeps apply
// from writing.
const failClosedSeed = `version: 1
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
  - {email: carol@company.com}
blueprints:
  data-science:
    id: 7f9c2b1e-0000-4000-8000-0000000000d5
    domains: [company.com]
  python-starter:
    id: 7f9c2b1e-0000-4000-8000-0000000000a1
  gpu-training:
    id: 7f9c2b1e-0000-4000-8000-0000000000c9
    emails: [alice@company.com]
organization_roles:
  - {name: Data Team, id: 6d1c7c1e-0000-4000-8000-000000000001}
organization_members:
  - {email: owner@company.com, role: Owner, id: "github|1001"}
  - {email: alice@company.com, role: Admin, id: "github|1002"}
  - {email: bob@company.com, role: Viewer, id: "google-oauth2|1003"}
  - {email: pend@company.com, role: Viewer, status: pending, id: 7a1e0d3c-1111-4222-8333-000000000001}
`

const failClosedFile = `version: 1
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
  - {email: carol@company.com}
  - {email: dave@company.com}
organization_members:
  - {email: owner@company.com, role: Owner}
  - {email: alice@company.com, role: Admin}
  - {email: bob@company.com, role: Data Team}
  - {email: pend@company.com, role: Viewer}
  - {email: carol@company.com, role: Viewer}
blueprints:
  data-science:
    domains: [company.com]
  python-starter:
    access: open
  gpu-training:
    emails: [alice@company.com, bob@company.com]
`

// The routes of the answers the proxy rewrites, below /organization/{org}.
const (
	pMembers    = "/portal/member"
	pBlueprints = "/portal/blueprint"
	pACLds      = "/portal/blueprint/7f9c2b1e-0000-4000-8000-0000000000d5/acl"
	pACLpy      = "/portal/blueprint/7f9c2b1e-0000-4000-8000-0000000000a1/acl"
	oRoles      = "/availableRole"
	oMembers    = "/member"
	oInvites    = "/inviteMember"
)

// answerEdit rewrites the JSON answer to GET route (or to method route, or to
// any path under route) before the CLI reads it.
type answerEdit struct {
	route  string
	method string              // "": GET
	under  bool                // route is a prefix: any path under it
	body   func(v any) any     // nil: the body as it is
	header func(h http.Header) // nil: the headers as they are
	raw    func([]byte) []byte // nil: the body as body leaves it
}

// matches reports whether e rewrites the answer to r.
func (e answerEdit) matches(r *http.Request) bool {
	path := "/organization/" + testOrg + e.route
	return r.Method == cmp.Or(e.method, http.MethodGet) && (r.URL.Path == path || e.under && strings.HasPrefix(r.URL.Path, path))
}

// rewriting serves h and rewrites the answers the edits name.
func rewriting(edits ...answerEdit) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := slices.IndexFunc(edits, func(e answerEdit) bool { return e.matches(r) })
			if i < 0 {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if e := edits[i]; e.body != nil && rec.Code/100 == 2 {
				var v any
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				if err := dec.Decode(&v); err != nil {
					http.Error(w, "test proxy: "+err.Error(), http.StatusInternalServerError)
					return
				}
				body, _ = json.Marshal(e.body(v))
			}
			if e := edits[i]; e.raw != nil {
				body = e.raw(body)
			}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.Header().Del("Content-Length")
			if e := edits[i]; e.header != nil {
				e.header(w.Header())
			}
			w.WriteHeader(rec.Code)
			w.Write(body)
		})
	}
}

// absent marks a field to delete.
var absent = &struct{}{}

// set returns an edit that sets (or, with absent, deletes) key of the object.
func set(key string, value any) func(any) any {
	return func(v any) any {
		obj := v.(map[string]any)
		if value == absent {
			delete(obj, key)
		} else {
			obj[key] = value
		}
		return obj
	}
}

// results returns an edit of a list answer's results.
func results(f func([]any) []any) func(any) any {
	return func(v any) any {
		obj := v.(map[string]any)
		obj["results"] = f(obj["results"].([]any))
		return obj
	}
}

// entry returns an edit that sets (or deletes) key of the list entry whose email
// is email.
func entry(email, key string, value any) func(any) any {
	return results(func(rs []any) []any {
		for _, r := range rs {
			if obj := r.(map[string]any); obj["email"] == email {
				set(key, value)(obj)
			}
		}
		return rs
	})
}

// appendCopy returns an edit that appends a copy of the entry whose key is value,
// with changes.
func appendCopy(key, value string, changes map[string]any) func(any) any {
	return results(func(rs []any) []any {
		for _, r := range rs {
			if obj := r.(map[string]any); obj[key] == value {
				c := map[string]any{}
				for k, v := range obj {
					c[k] = v
				}
				for k, v := range changes {
					c[k] = v
				}
				return append(rs, c)
			}
		}
		return rs
	})
}

// upperRoleIDs returns an edit that writes every role_id (or, for roles, id) of a
// list answer in upper case.
func upperRoleIDs(key string) func(any) any {
	return results(func(rs []any) []any {
		for _, r := range rs {
			if obj := r.(map[string]any); obj[key] != nil {
				obj[key] = strings.ToUpper(obj[key].(string))
			}
		}
		return rs
	})
}

// mutating reports the requests of the emulator's stats that change something.
func mutating(p *portalEnv) map[string]int {
	out := map[string]int{}
	for route, n := range p.emu.Stats().Requests {
		if !strings.HasPrefix(route, "GET ") {
			out[route] = n
		}
	}
	return out
}

// TestFailClosedLive: each unexpected answer is refused by every command that
// reads it, with exit 1, the object named in stderr, and nothing written.
func TestFailClosedLive(t *testing.T) {
	tests := []struct {
		name   string
		edits  []answerEdit
		org    bool   // an answer of the organization: access --live does not read it
		object string // named in stderr
		what   string // what was unexpected, in stderr
	}{
		{"an ACL rule of type GROUP is not dropped (it would read as open)",
			[]answerEdit{{route: pACLds, body: set("rules", []any{map[string]any{"type": "GROUP", "value": "data-team"}})}}, false,
			`blueprint "data-science" (id "7f9c2b1e-0000-4000-8000-0000000000d5")`, `ACL rule of type "GROUP" (portalctl knows DOMAIN and EMAIL)`},
		{"an ACL rule of type GROUP beside known ones",
			[]answerEdit{{route: pACLds, body: func(v any) any {
				obj := v.(map[string]any)
				obj["rules"] = append(obj["rules"].([]any), map[string]any{"type": "GROUP", "value": "data-team"})
				return obj
			}}}, false, `blueprint "data-science"`, `ACL rule of type "GROUP"`},
		{"an ACL rule with an empty value", []answerEdit{{route: pACLds, body: set("rules", []any{map[string]any{"type": "DOMAIN", "value": ""}})}}, false,
			`blueprint "data-science"`, `ACL rule DOMAIN "": not a domain`},
		{"an ACL rule with a null type", []answerEdit{{route: pACLds, body: set("rules", []any{map[string]any{"type": nil, "value": "company.com"}})}}, false,
			`blueprint "data-science"`, `ACL rule of type ""`},
		{"an ACL answer without rules is not open", []answerEdit{{route: pACLds, body: set("rules", absent)}}, false,
			`blueprint "data-science"`, `an answer without "rules"`},
		{"an ACL answer with null rules is not open", []answerEdit{{route: pACLpy, body: set("rules", nil)}}, false,
			`blueprint "python-starter"`, `an answer without "rules"`},
		{"an ACL answer without an ETag", []answerEdit{{route: pACLpy, header: func(h http.Header) { h.Del("ETag") }}}, false,
			`blueprint "python-starter"`, "without an ETag"},
		{"an unknown member role OWNER is not user", []answerEdit{{route: pMembers, body: entry("bob@company.com", "role", "OWNER")}}, false,
			`member "bob@company.com"`, `role "OWNER" (portalctl knows ADMIN and USER)`},
		{"a null member role", []answerEdit{{route: pMembers, body: entry("bob@company.com", "role", nil)}}, false,
			`member "bob@company.com"`, `role ""`},
		{"a missing member role", []answerEdit{{route: pMembers, body: entry("bob@company.com", "role", absent)}}, false,
			`member "bob@company.com"`, `role ""`},
		{"an unknown member status", []answerEdit{{route: pMembers, body: entry("carol@company.com", "status", "SUSPENDED")}}, false,
			`member "carol@company.com"`, `status "SUSPENDED" (portalctl knows ACTIVE and PENDING)`},
		{"a member without an id", []answerEdit{{route: pMembers, body: entry("carol@company.com", "id", nil)}}, false,
			`member "carol@company.com" (id "")`, "no id"},
		{"a member's email that is no address", []answerEdit{{route: pMembers, body: entry("carol@company.com", "email", "carol@company")}}, false,
			`member "carol@company"`, "cannot read as an address"},
		{"two members whose emails differ only in case", []answerEdit{{route: pMembers, body: appendCopy("email", "bob@company.com", map[string]any{"id": "m-twin", "email": "Bob@Company.com", "role": "ADMIN"})}}, false,
			`members "bob@company.com"`, `two members with the address "bob@company.com"`},
		{"the member list without results", []answerEdit{{route: pMembers, body: set("results", absent)}}, false,
			"the member list", `an answer without "results"`},
		{"the member list with null results", []answerEdit{{route: pMembers, body: set("results", nil)}}, false,
			"the member list", `an answer without "results"`},
		{"the blueprint list without results", []answerEdit{{route: pBlueprints, body: set("results", absent)}}, false,
			"the blueprint list", `an answer without "results"`},
		{"twin blueprints", []answerEdit{{route: pBlueprints, body: appendCopy("name", "data-science", map[string]any{"id": "7f9c2b1e-0000-4000-8000-0000000000ff"})}}, false,
			`blueprint "data-science"`, `two blueprints have this name (ids "7f9c2b1e-0000-4000-8000-0000000000d5" and "7f9c2b1e-0000-4000-8000-0000000000ff")`},
		{"a blueprint without a name", []answerEdit{{route: pBlueprints, body: results(func(rs []any) []any {
			rs[0].(map[string]any)["name"] = ""
			return rs
		})}}, false, `blueprint "" (id "7f9c2b1e-0000-4000-8000-0000000000d5")`, "no name"},

		{"an unknown invitation_status is not pending", []answerEdit{{route: oInvites, body: entry("pend@company.com", "invitation_status", "REVOKED")}}, true,
			`organization invitation of "pend@company.com"`, `invitation_status "REVOKED" (portalctl knows PENDING and EXPIRED)`},
		{"a null invitation_status", []answerEdit{{route: oInvites, body: entry("pend@company.com", "invitation_status", nil)}}, true,
			`organization invitation of "pend@company.com"`, `invitation_status ""`},
		{"an organization member with null role fields", []answerEdit{{route: oMembers, body: results(func(rs []any) []any {
			for _, r := range rs {
				if obj := r.(map[string]any); obj["email"] == "bob@company.com" {
					obj["role_id"], obj["role_name"], obj["role"] = nil, nil, nil
				}
			}
			return rs
		})}}, true, `organization member "bob@company.com" (id "google-oauth2|1003")`, "no role: no role_id, no role_name and no deprecated role"},
		{"an organization member without role fields", []answerEdit{{route: oMembers, body: results(func(rs []any) []any {
			for _, r := range rs {
				if obj := r.(map[string]any); obj["email"] == "bob@company.com" {
					delete(obj, "role_id")
					delete(obj, "role_name")
					delete(obj, "role")
				}
			}
			return rs
		})}}, true, `organization member "bob@company.com"`, "no role"},
		{"a role id /availableRole does not list", []answerEdit{{route: oMembers, body: entry("bob@company.com", "role_id", "6d1c7c1e-0000-4000-8000-0000000000ff")}}, true,
			`organization member "bob@company.com"`, `role id "6d1c7c1e-0000-4000-8000-0000000000ff", which /availableRole does not list`},
		{"a null role_id beside a role_name nobody has", []answerEdit{{route: oInvites, body: results(func(rs []any) []any {
			obj := rs[0].(map[string]any)
			obj["role_id"], obj["role_name"] = nil, "Former Team"
			return rs
		})}}, true, `organization invitation of "pend@company.com"`, `role "Former Team" (from role_name, without a role_id)`},
		{"an unknown deprecated role", []answerEdit{{route: oMembers, body: entry("alice@company.com", "role", "SUPERUSER")}}, true,
			`organization member "alice@company.com"`, `the deprecated role "SUPERUSER"`},
		{"no member reported as the owner", []answerEdit{{route: oMembers, body: entry("owner@company.com", "role", absent)}}, true,
			"the organization's member list", "no member is reported as the owner"},
		{"two organization members whose emails differ only in case", []answerEdit{{route: oMembers, body: appendCopy("email", "bob@company.com", map[string]any{"id": "github|9", "email": "BOB@company.com"})}}, true,
			`organization members "bob@company.com" (id "google-oauth2|1003") and "BOB@company.com" (id "github|9")`, "two members with the address"},
		{"two roles with one id", []answerEdit{{route: oRoles, body: appendCopy("name", "Data Team", map[string]any{"name": "Data Team (old)"})}}, true,
			`organization role "Data Team (old)"`, "two roles with this id"},
		{"the role list without results", []answerEdit{{route: oRoles, body: set("results", absent)}}, true,
			"the organization's role list", `an answer without "results"`},
		{"the organization's member list without results", []answerEdit{{route: oMembers, body: set("results", nil)}}, true,
			"the organization's member list", `an answer without "results"`},
		{"the invitation list without results", []answerEdit{{route: oInvites, body: set("results", absent)}}, true,
			"the organization's invitation list", `an answer without "results"`},

		{"RULES beside rules would read as open", []answerEdit{{route: pACLds, raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"rules":[`), []byte(`{"RULES":[],"rules":[`), 1)
		}}}, false, `blueprint "data-science" (id "7f9c2b1e-0000-4000-8000-0000000000d5")`, `the key "RULES", which differs from the field "rules" only in case`},
		{"a member's role given twice, in another case", []answerEdit{{route: pMembers, raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"role":"USER"`), []byte(`"role":"USER","ROLE":"ADMIN"`), 1)
		}}}, false, "the answer to GET /member", `the key "ROLE" in results[1], which differs from the field "role" only in case`},
		{"an organization member's role_id given twice", []answerEdit{{route: oMembers, raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"role_id":`), []byte(`"role_id":"6d1c7c1e-0000-4000-8000-000000000001","role_id":`), 1)
		}}}, true, "the answer to GET /member", `the key "role_id" in results[0] twice in one object`},
		{"a domain rule with blanks, an @ and a dot matches nobody", []answerEdit{{route: pACLds, body: set("rules", []any{map[string]any{"type": "DOMAIN", "value": " @Company.COM. "}})}}, false,
			`blueprint "data-science"`, `ACL rule DOMAIN " @Company.COM. ": not a domain portalctl can read (it is not written as the domain "company.com" is`},
		{"a member's email with the Kelvin sign is not karol", []answerEdit{{route: pMembers, body: entry("carol@company.com", "email", "\u212aarol@company.com")}}, false,
			"member \"\u212aarol@company.com\"", `it is not written as the address "karol@company.com" is`},
		{"an organization member's role_name that is not its role_id's", []answerEdit{{route: oMembers, body: entry("bob@company.com", "role_name", "Admin")}}, true,
			`organization member "bob@company.com" (id "google-oauth2|1003")`, `role fields that disagree`},
		{"an organization member's deprecated role that is not its role's", []answerEdit{{route: oMembers, body: entry("bob@company.com", "role", "ADMIN")}}, true,
			`organization member "bob@company.com"`, `but the deprecated role says "ADMIN" (VIEWER for "Viewer")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortalBehind(t, failClosedSeed, emulator.Options{}, rewriting(tt.edits...))
			file := p.write(t, "portal.yaml", failClosedFile)
			cmds := [][]string{{"plan", "-f", file}, {"apply", "-f", file, "--auto-approve"}, {"export"}}
			if !tt.org {
				cmds = append(cmds, []string{"access", "--live", "bob@company.com"}, []string{"access", "--all", "--live"})
			}
			for _, cmd := range cmds {
				r := cli{env: p.env}.run(t, cmd...)
				if r.code != 1 {
					t.Errorf("%s: exit %d, want 1\n%s%s", strings.Join(cmd, " "), r.code, r.stdout, r.stderr)
					continue
				}
				if !strings.Contains(r.stderr, tt.object) || !strings.Contains(r.stderr, tt.what) || !strings.Contains(r.stderr, "answered something portalctl does not understand") {
					t.Errorf("%s: stderr does not name %s and %s:\n%s", cmd[0], tt.object, tt.what, r.stderr)
				}
				if cmd[0] == "export" && r.stdout != "" {
					t.Errorf("export wrote:\n%s", r.stdout)
				}
			}
			if w := mutating(p); len(w) != 0 {
				t.Errorf("the portal received changes: %v", w)
			}
		})
	}
}

// TestFailClosedReadsWhatTheSpecAllows: answers that look unusual but that the
// published spec allows are read as they mean: an export of them validates, and
// plan and apply of the export change nothing.
func TestFailClosedReadsWhatTheSpecAllows(t *testing.T) {
	tests := []struct {
		name  string
		edits []answerEdit
		want  string // in the export
	}{
		{"upper-case role ids of members and invitations (no Viewer to Viewer)", []answerEdit{
			{route: oMembers, body: upperRoleIDs("role_id")}, {route: oInvites, body: upperRoleIDs("role_id")}}, "role: Viewer"},
		{"upper-case role ids of the roles", []answerEdit{{route: oRoles, body: upperRoleIDs("id")}}, "role: Admin"},
		{"a null role_id beside a known role_name", []answerEdit{
			{route: oMembers, body: entry("bob@company.com", "role_id", nil)},
			{route: oInvites, body: entry("pend@company.com", "role_id", absent)}}, "role: Viewer"},
		{"only the deprecated role", []answerEdit{{route: oMembers, body: results(func(rs []any) []any {
			for _, r := range rs {
				if obj := r.(map[string]any); obj["email"] == "alice@company.com" {
					obj["role_id"], obj["role_name"] = nil, nil
				}
			}
			return rs
		})}}, "role: Admin"},
		{"emails in another case and an IDN domain in Unicode", []answerEdit{
			{route: pMembers, body: entry("carol@company.com", "email", "Carol@COMPANY.com")},
			{route: oMembers, body: entry("alice@company.com", "email", "ALICE@Company.com")}}, "carol@company.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortalBehind(t, failClosedSeed, emulator.Options{}, rewriting(tt.edits...))
			c := cli{env: p.env}
			r := c.run(t, "export")
			if r.code != 0 || !strings.Contains(r.stdout, tt.want) {
				t.Fatalf("export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			file := p.write(t, "exported.yaml", r.stdout)
			if v := c.run(t, "validate", "-f", file); v.code != 0 {
				t.Fatalf("validate of the export: exit %d\n%s%s\n%s", v.code, v.stdout, v.stderr, r.stdout)
			}
			if r := c.run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 || !strings.Contains(r.stdout, "No changes") {
				t.Fatalf("plan of the export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if r := c.run(t, "apply", "-f", file, "--auto-approve"); r.code != 0 || !strings.Contains(r.stdout, "No changes") {
				t.Fatalf("apply of the export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if w := mutating(p); len(w) != 0 {
				t.Errorf("the portal received changes: %v", w)
			}
		})
	}
}

// TestLastActiveAdmin: one apply may not invite a new admin and remove the only
// active one: the invitation is pending, and a portal whose admins are all
// invitations (to an address that may not even exist) has nobody to run it.
func TestLastActiveAdmin(t *testing.T) {
	seed := "version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n  - {email: pat@company.com, role: admin, status: pending}\n  - {email: bob@company.com}\nblueprints:\n  data-science:\n    domains: [company.com]\n"
	tests := []struct {
		name    string
		members string
		want    []string // in stderr; none: applied
	}{
		{"an invitation replaces the only active admin", "  - {email: newadmin@gmail.con, role: admin}\n  - {email: pat@company.com, role: admin}\n  - {email: bob@company.com}\n",
			[]string{"no admin", "removes or demotes alice@company.com, the portal's last active admin", "pending admins (newadmin@gmail.con, pat@company.com) do not count until they sign in"}},
		{"the only active admin demoted", "  - {email: alice@company.com}\n  - {email: pat@company.com, role: admin}\n  - {email: bob@company.com}\n",
			[]string{"removes or demotes alice@company.com, the portal's last active admin", "pending admins (pat@company.com)"}},
		{"an active member promoted first", "  - {email: alice@company.com}\n  - {email: pat@company.com, role: admin}\n  - {email: bob@company.com, role: admin}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortal(t, seed)
			file := p.write(t, "portal.yaml", "version: 1\nmembers:\n"+tt.members+"blueprints:\n  data-science:\n    domains: [company.com]\n")
			r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve", "--max-removal-percent", "100")
			if tt.want == nil {
				if r.code != 0 {
					t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				return
			}
			r.refused(t, tt.want...)
			if w := mutating(p); len(w) != 0 {
				t.Errorf("the portal received changes: %v", w)
			}
			if r := (cli{env: p.env}).run(t, "plan", "-f", file); !strings.Contains(r.stderr, "warning: apply would stop here") || !strings.Contains(r.stderr, "the portal's last active admin") {
				t.Errorf("plan does not warn:\n%s", r.stderr)
			}
		})
	}
}

// TestOrgRolesByNameLive: with roles "Data Team" and "DATA TEAM", a file's role is
// the exact one, and an inexact one is ambiguous; a custom role named "owner" is
// an ordinary role its holder can lose, and gives no one the ownership.
func TestOrgRolesByNameLive(t *testing.T) {
	st, err := emulator.ParseSeed("seed.yaml", []byte(`version: 1
members:
  - {email: boss@company.com, role: admin}
blueprints: {}
organization_roles:
  - {name: Data Team, id: 6d1c7c1e-0000-4000-8000-0000000000da}
  - {name: owner, id: 6d1c7c1e-0000-4000-8000-0000000000cc}
organization_members:
  - {email: boss@company.com, role: Owner, id: "github|1"}
  - {email: bob@company.com, role: owner, id: "github|2"}
  - {email: dan@company.com, role: Viewer, id: "github|3"}
`))
	if err != nil {
		t.Fatal(err)
	}
	// A role the seed format cannot hold beside "Data Team": the same name in
	// another case.
	st.Organization.Roles = append(st.Organization.Roles, organization.Role{ID: "6d1c7c1e-0000-4000-8000-0000000000db", Name: "DATA TEAM"})
	head := "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\nblueprints: {}\norganization_members:\n  - {email: boss@company.com, role: Owner}\n"
	tests := []struct {
		name     string
		entries  string
		wantCode int
		wantErr  string
		want     map[string]string // email → role name afterwards
	}{
		{"the exact name wins", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: DATA TEAM}\n", 0, "",
			map[string]string{"dan@company.com": "DATA TEAM", "bob@company.com": "owner"}},
		{"an inexact name two roles share is ambiguous", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: data team}\n", 1,
			`portal.yaml:8:36: error: role "data team" of dan@company.com is ambiguous: the organization has "Data Team" and "DATA TEAM"`, nil},
		{"the holder of the custom role owner can lose it", "  - {email: bob@company.com, role: Viewer}\n  - {email: dan@company.com, role: Viewer}\n", 0, "",
			map[string]string{"bob@company.com": "Viewer"}},
		{"the custom role owner can be given", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: owner}\n", 0, "",
			map[string]string{"dan@company.com": "owner"}},
		{"the Owner role cannot", "  - {email: bob@company.com, role: owner}\n  - {email: dan@company.com, role: Owner}\n", 1,
			"only the organization's owner (boss@company.com) holds the role Owner", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := *st
			org := *st.Organization
			s.Organization = &org
			p := startPortalState(t, emulator.Options{Initial: &s}, nil)
			file := p.write(t, "portal.yaml", head+tt.entries)
			r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve")
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("exit %d, want %d and %q\n%s%s", r.code, tt.wantCode, tt.wantErr, r.stdout, r.stderr)
			}
			if tt.wantCode != 0 {
				if w := mutating(p); len(w) != 0 {
					t.Errorf("the portal received changes: %v", w)
				}
				return
			}
			got := map[string]string{}
			for _, m := range p.emu.OrgMembers() {
				got[m.Email] = m.RoleName
			}
			for email, role := range tt.want {
				if got[email] != role {
					t.Errorf("%s holds %q, want %q", email, got[email], role)
				}
			}
			if r := (cli{env: p.env}).run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 {
				t.Errorf("plan after apply: exit %d\n%s", r.code, r.stdout)
			}
		})
	}
}

// TestEmailsAgreeOnIDN: the client, the file and the emulator fold an address
// alike, whatever case or IDN spelling each writes it in: nothing to change, and
// nobody invited twice.
func TestEmailsAgreeOnIDN(t *testing.T) {
	p := startPortalBehind(t, "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\n  - {email: alice@xn--bcher-kva.example}\nblueprints:\n  data-science:\n    emails: [alice@xn--bcher-kva.example]\n",
		emulator.Options{}, rewriting(answerEdit{route: pMembers, body: entry("alice@xn--bcher-kva.example", "email", "ALICE@BÜCHER.example")}))
	c := cli{env: p.env}
	file := p.write(t, "portal.yaml", "version: 1\nmembers:\n  - {email: boss@company.com, role: admin}\n  - {email: Alice@Bücher.example}\n  - {email: Carol@Bücher.example}\nblueprints:\n  data-science:\n    emails: [alice@bücher.example, CAROL@xn--bcher-kva.example]\n")
	if r := c.run(t, "apply", "-f", file, "--auto-approve"); r.code != 0 || !strings.Contains(r.stdout, "invite carol@xn--bcher-kva.example") || strings.Contains(r.stdout, "alice@xn--bcher-kva.example as") {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var emails []string
	for _, m := range p.emu.Members() {
		emails = append(emails, m.Email)
	}
	slices.Sort(emails)
	if want := []string{"alice@xn--bcher-kva.example", "boss@company.com", "carol@xn--bcher-kva.example"}; !slices.Equal(emails, want) {
		t.Errorf("members %v, want %v", emails, want)
	}
}

// TestApplyBelievesNoContradiction: a change the API accepts with an answer that
// contradicts it (a promotion answered with the role USER, an ACL write answered
// with other rules, an invitation of another address) is not counted done: it is
// uncertain, apply exits 1 saying what the answer said, and the demotions and
// removals after it are not sent, so the portal keeps the admin it had.
func TestApplyBelievesNoContradiction(t *testing.T) {
	const seed = `version: 1
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
  - {email: carol@company.com}
blueprints:
  data-science:
    id: 7f9c2b1e-0000-4000-8000-0000000000d5
    domains: [company.com]
organization_members:
  - {email: owner@company.com, role: Owner, id: "github|1001"}
  - {email: alice@company.com, role: Admin, id: "github|1002"}
  - {email: bob@company.com, role: Viewer, id: "google-oauth2|1003"}
`
	tests := []struct {
		name     string
		edit     answerEdit
		file     string
		want     []string       // in stdout and stderr
		sent     map[string]int // the changes the portal received
		kept     string         // the member still there, and their role
		keptRole string
	}{
		{"a promotion answered with the role USER: the demotion of the last admin waits",
			answerEdit{method: http.MethodPut, route: "/portal/member/", under: true, body: set("role", "USER")},
			"version: 1\nmembers:\n  - {email: alice@company.com}\n  - {email: bob@company.com, role: admin}\n  - {email: carol@company.com}\nblueprints:\n  data-science:\n    domains: [company.com]\n",
			[]string{`the portal accepted the change, but its answer says the role of member "bob@company.com"`, `is "USER", not ADMIN`, "not sent: skipped", "1 uncertain"},
			map[string]int{"PUT /organization/{organizationId}/portal/member/{memberId}": 1},
			"alice@company.com", "admin"},
		{"an ACL write answered with other rules: the removal waits",
			answerEdit{method: http.MethodPut, route: pACLds, body: set("rules", []any{})},
			"version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com}\nblueprints:\n  data-science:\n    emails: [alice@company.com]\n",
			[]string{`its answer says the ACL of blueprint id "7f9c2b1e-0000-4000-8000-0000000000d5" holds no rules (open to every member), where portalctl sent the rules EMAIL "alice@company.com"`, "not sent: skipped"},
			map[string]int{"PUT /organization/{organizationId}/portal/blueprint/{blueprintId}/acl": 1},
			"carol@company.com", "user"},
		{"an organization invitation answered with another address: the organization's removal waits",
			answerEdit{method: http.MethodPost, route: oInvites, body: set("email", "mallory@company.com")},
			"version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com}\n  - {email: carol@company.com}\nblueprints:\n  data-science:\n    domains: [company.com]\norganization_members:\n  - {email: owner@company.com, role: Owner}\n  - {email: alice@company.com, role: Admin}\n  - {email: carol@company.com, role: Viewer}\n",
			[]string{`the organization's API accepted the change, but its answer says the invitation it created (id `, `is of "mallory@company.com", not "carol@company.com"`, "not sent: skipped"},
			map[string]int{"POST /organization/{organizationId}/inviteMember": 1},
			"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortalBehind(t, seed, emulator.Options{}, rewriting(tt.edit))
			file := p.write(t, "portal.yaml", tt.file)
			r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve", "--max-removal-percent", "100")
			out := r.stdout + r.stderr
			if r.code != 1 {
				t.Errorf("exit %d, want 1\n%s", r.code, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("the output does not say %q:\n%s", want, out)
				}
			}
			if got := mutating(p); !maps.Equal(got, tt.sent) {
				t.Errorf("the portal received %v, want %v", got, tt.sent)
			}
			if tt.kept != "" {
				role := ""
				for _, m := range p.emu.Members() {
					if m.Email == tt.kept {
						role = strings.ToLower(string(m.Role))
					}
				}
				if role != tt.keptRole {
					t.Errorf("%s is %q, want %q", tt.kept, role, tt.keptRole)
				}
			}
			if orgs := p.emu.OrgMembers(); !slices.ContainsFunc(orgs, func(m organization.Member) bool { return m.Email == "bob@company.com" }) {
				t.Errorf("bob was removed from the organization")
			}
		})
	}
}
