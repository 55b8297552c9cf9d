package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
)

// The export property: of any live state, hostile ones included, export either
// exits 1 naming the object it cannot express, or writes a file that validate
// accepts without errors and that plans to no change.

// What a live state may hold. The benign values are odd but expressible; the
// fatal ones are not, and export must refuse them, naming them.
var (
	propLocals  = []string{"alice", "Bob", "carol.d", "dan+tag", "ÉVA", "o'neil", "x_y-z", "jürgen"}
	propDomains = []string{"company.com", "Company.COM", "eu.company.com", "partner.org", "gmail.com", "bücher.example", "xn--bcher-kva.example"}
	propNames   = []string{
		"data-science", "Python Starter", "yes", "no", "null", "~", "123", "1.5", "0x1F", "true", "<<",
		"a: b", "#hash", "- dash", "[list]", "{map}", "*star", "&anchor", "!tag", "%pct", "@at", "? q", "a,b",
		"ünïcödé", "日本語", "rocket 🚀", `with "quotes"`, "it's", "trailing space ", " leading", "tab\tinside",
		"new\nline", "back\\slash", "=HYPERLINK(1)", strings.Repeat("long-", 250),
	}
	propFatalNames = []string{"invoice\u202egpj.exe", "zero\u200bwidth", "bom\ufeffname"}
	propDescs      = []string{"", "Notebooks", "two\nlines", "# not a comment", "ends with spaces   ", "ünï — more", "bidi \u202e inside"}
	propRoles      = []string{"Data Team", "DATA TEAM", "owner", "Ops: team", "#ops", "yes", "Team 日本", `a "b"`, "Billing manager"}
	propFatalRoles = []string{"Ops Team ", " Lead", "x\u200by"}
)

// liveCase is a random live state: what the emulator starts with, what the proxy
// rewrites, and the markers of what export must refuse (none: it must export).
type liveCase struct {
	state  *emulator.State
	edits  []answerEdit
	fatal  []string
	about  []string // what the case holds, for a failure's message
	oddOrg bool     // the organization is read (export without --skip-organization-members)
}

func (c *liveCase) fail(marker, about string) {
	c.fatal = append(c.fatal, marker)
	c.about = append(c.about, about)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randLiveCase(r *rand.Rand) *liveCase {
	c := &liveCase{state: &emulator.State{}}
	emails := map[string]bool{}
	randEmail := func() (string, bool) {
		e := pick(r, propLocals) + "@" + pick(r, propDomains)
		n, err := portal.NormalizeEmail(e)
		if err != nil {
			panic(fmt.Sprintf("pool email %q: %v", e, err))
		}
		if emails[n] {
			return "", false
		}
		emails[n] = true
		return e, true
	}
	nMembers := r.IntN(8)
	if r.IntN(20) == 0 {
		nMembers = 120 + r.IntN(40) // more than a page
	}
	var memberEmails []string
	for i := range nMembers {
		e, ok := randEmail()
		if !ok {
			e = fmt.Sprintf("user%03d@company.com", i)
			if emails[e] {
				continue
			}
			emails[e] = true
		}
		m := qovery.Member{Email: e, Role: qovery.RoleUser, Status: qovery.StatusActive}
		if r.IntN(3) == 0 {
			m.Role = qovery.RoleAdmin
		}
		if r.IntN(4) == 0 {
			m.Status = qovery.StatusPending
		}
		c.state.Members = append(c.state.Members, m)
		n, _ := portal.NormalizeEmail(e)
		memberEmails = append(memberEmails, n)
	}
	names := slices.Clone(propNames)
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	nBlueprints := r.IntN(6)
	if r.IntN(20) == 0 {
		nBlueprints = len(names)
		for i := range 110 {
			names = append(names, fmt.Sprintf("bp-%03d", i)) // more than a page
		}
		nBlueprints = len(names)
	}
	for i := range nBlueprints {
		b := emulator.BlueprintState{ID: fmt.Sprintf("7f9c2b1e-0000-4000-8000-%012d", i), Name: names[i], Description: pick(r, propDescs), Rules: []qovery.Rule{}}
		if r.IntN(30) == 0 {
			b.Name = pick(r, propFatalNames)
			if slices.ContainsFunc(c.state.Blueprints, func(x emulator.BlueprintState) bool { return x.Name == b.Name }) {
				continue
			}
			c.fail("blueprint "+qovery.Quote(b.Name), "a blueprint name with a hidden control")
		}
		if r.IntN(4) != 0 {
			for range 1 + r.IntN(3) {
				if r.IntN(2) == 0 {
					b.Rules = append(b.Rules, qovery.Rule{Type: qovery.RuleDomain, Value: pick(r, propDomains)})
				} else if len(memberEmails) > 0 && r.IntN(2) == 0 {
					b.Rules = append(b.Rules, qovery.Rule{Type: qovery.RuleEmail, Value: pick(r, memberEmails)})
				} else {
					b.Rules = append(b.Rules, qovery.Rule{Type: qovery.RuleEmail, Value: pick(r, propLocals) + "@" + pick(r, propDomains)})
				}
			}
		}
		c.state.Blueprints = append(c.state.Blueprints, b)
	}
	if r.IntN(4) != 0 {
		c.oddOrg = true
		c.state.Organization = randOrg(r, c)
	}
	if r.IntN(3) == 0 {
		c.injectFault(r)
	}
	return c
}

// randOrg is a random organization: its owner, members and invitations of default
// and custom roles, custom roles whose names differ only in case or hold blanks.
func randOrg(r *rand.Rand, c *liveCase) *emulator.OrgState {
	o := &emulator.OrgState{Roles: slices.Clone(emulator.DefaultRoles)}
	customs := slices.Clone(propRoles)
	if r.IntN(8) == 0 {
		customs = append(customs, pick(r, propFatalRoles))
	}
	r.Shuffle(len(customs), func(i, j int) { customs[i], customs[j] = customs[j], customs[i] })
	for i, name := range customs[:r.IntN(len(customs)+1)] {
		o.Roles = append(o.Roles, organization.Role{ID: fmt.Sprintf("6d1c7c1e-0000-4000-8000-%012d", i), Name: name})
	}
	held := func() organization.Role {
		role := o.Roles[1+r.IntN(len(o.Roles)-1)] // never the Owner's
		for _, f := range propFatalRoles {
			if role.Name == f {
				c.fail(qovery.Quote(role.Name), "a role name export cannot write")
			}
		}
		return role
	}
	o.Members = append(o.Members, emulator.OrgMemberState{ID: "github|1", Email: "owner@company.com", RoleID: emulator.DefaultRoles[0].ID})
	seen := map[string]bool{"owner@company.com": true}
	for i := range r.IntN(6) {
		e := pick(r, propLocals) + "@" + pick(r, propDomains)
		n, _ := portal.NormalizeEmail(e)
		if seen[n] {
			continue
		}
		seen[n] = true
		if r.IntN(3) == 0 {
			status := organization.StatusPending
			if r.IntN(2) == 0 {
				status = organization.StatusExpired
			}
			o.Invitations = append(o.Invitations, emulator.OrgInvitationState{Email: e, RoleID: held().ID, Status: status})
			continue
		}
		o.Members = append(o.Members, emulator.OrgMemberState{ID: fmt.Sprintf("github|%d", 100+i), Email: e, RoleID: held().ID})
	}
	if m := o.Members[len(o.Members)-1]; len(o.Members) > 1 && r.IntN(10) == 0 {
		// A member whose invitation was left behind.
		o.Invitations = append(o.Invitations, emulator.OrgInvitationState{Email: m.Email, RoleID: m.RoleID, Status: organization.StatusPending})
		e, _ := portal.NormalizeEmail(m.Email)
		c.fail(fmt.Sprintf("%q is a member of the organization and has an invitation too", e), "a member with an invitation")
	}
	return o
}

// injectFault makes the proxy rewrite one answer into one export must refuse.
func (c *liveCase) injectFault(r *rand.Rand) {
	type fault struct {
		ok    func() bool
		apply func()
	}
	st := c.state
	faults := []fault{
		{func() bool { return len(st.Blueprints) > 0 }, func() {
			b := pick(r, st.Blueprints)
			c.edits = append(c.edits, answerEdit{route: "/portal/blueprint/" + b.ID + "/acl", body: set("rules", []any{map[string]any{"type": "GROUP", "value": "everyone"}})})
			c.fail("blueprint "+qovery.Quote(b.Name), "an ACL rule of type GROUP")
		}},
		{func() bool { return len(st.Blueprints) > 0 }, func() {
			b := pick(r, st.Blueprints)
			c.edits = append(c.edits, answerEdit{route: "/portal/blueprint", body: appendCopy("name", b.Name, map[string]any{"id": "7f9c2b1e-0000-4000-8000-ffffffffffff"})})
			c.fail("blueprint "+qovery.Quote(b.Name), "twin blueprints")
		}},
		{func() bool { return len(st.Members) > 0 }, func() {
			e, _ := portal.NormalizeEmail(pick(r, st.Members).Email)
			c.edits = append(c.edits, answerEdit{route: "/portal/member", body: entry(e, "role", "OWNER")})
			c.fail("member "+qovery.Quote(e), "a member role OWNER")
		}},
		{func() bool { return len(st.Members) > 0 }, func() {
			e, _ := portal.NormalizeEmail(pick(r, st.Members).Email)
			c.edits = append(c.edits, answerEdit{route: "/portal/member", body: appendCopy("email", e, map[string]any{"id": "m-twin", "email": strings.ToUpper(e)})})
			c.fail("members "+qovery.Quote(e), "emails that differ only in case")
		}},
		{func() bool { return true }, func() {
			c.edits = append(c.edits, answerEdit{route: "/portal/member", body: set("results", nil)})
			c.fail("the member list", "a member list with null results")
		}},
		{func() bool { return st.Organization != nil && len(st.Organization.Invitations) > 0 }, func() {
			e, _ := portal.NormalizeEmail(st.Organization.Invitations[0].Email)
			c.edits = append(c.edits, answerEdit{route: "/inviteMember", body: entry(e, "invitation_status", "REVOKED")})
			c.fail("organization invitation of "+qovery.Quote(e), "an unknown invitation_status")
		}},
		{func() bool { return st.Organization != nil }, func() {
			c.edits = append(c.edits, answerEdit{route: "/member", body: entry("owner@company.com", "role_id", "6d1c7c1e-0000-4000-8000-ffffffffffff")})
			c.fail(`organization member "owner@company.com"`, "a role id /availableRole does not list")
		}},
		{func() bool { return st.Organization != nil }, func() {
			c.edits = append(c.edits, answerEdit{route: "/member", body: entry("owner@company.com", "role", absent)})
			c.fail("no member is reported as the owner", "no owner")
		}},
		{func() bool { return st.Organization != nil }, func() {
			c.edits = append(c.edits, answerEdit{route: "/availableRole", body: set("results", absent)})
			c.fail("the organization's role list", "a role list without results")
		}},
	}
	for {
		if f := pick(r, faults); f.ok() {
			f.apply()
			return
		}
	}
}

// TestExportProperty: a few hundred random live states, hostile ones included.
func TestExportProperty(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	exported, refused := 0, 0
	for i := range n {
		r := rand.New(rand.NewPCG(20261123, uint64(i)))
		c := randLiveCase(r)
		p := startPortalState(t, emulator.Options{Initial: c.state}, rewriting(c.edits...))
		cl := cli{env: p.env}
		args := []string{"export"}
		if !c.oddOrg && r.IntN(2) == 0 {
			args = append(args, "--skip-organization-members")
		}
		out := cl.run(t, args...)
		if len(c.fatal) > 0 {
			refused++
			if out.code != 1 || out.stdout != "" {
				t.Fatalf("case %d (%s): export exit %d, want 1 naming one of %q\n%s%s", i, strings.Join(c.about, ", "), out.code, c.fatal, out.stdout, out.stderr)
			}
			if !slices.ContainsFunc(c.fatal, func(m string) bool { return strings.Contains(out.stderr, m) }) {
				t.Fatalf("case %d (%s): export refused without naming one of %q:\n%s", i, strings.Join(c.about, ", "), c.fatal, out.stderr)
			}
			continue
		}
		exported++
		if out.code != 0 {
			t.Fatalf("case %d: export exit %d\n%s", i, out.code, out.stderr)
		}
		if r, _, ok := portal.FirstHiddenControl(out.stdout); ok {
			t.Fatalf("case %d: the export holds U+%04X raw:\n%s", i, r, out.stdout)
		}
		file := p.write(t, "portal.yaml", out.stdout)
		if v := cl.run(t, "validate", "-f", file); v.code != 0 {
			t.Fatalf("case %d: validate of the export: exit %d\n%s%s\n--- export\n%s", i, v.code, v.stdout, v.stderr, out.stdout)
		}
		// No change, but one the contract makes: an expired invitation of the
		// organization, written into the file, is sent again.
		pl := cl.run(t, "plan", "-f", file, "-o", "json")
		var pj report.Report
		if err := json.Unmarshal([]byte(pl.stdout), &pj); pl.code != 0 || err != nil {
			t.Fatalf("case %d: plan of the export: exit %d %v\n%s%s\n--- export\n%s", i, pl.code, err, pl.stdout, pl.stderr, out.stdout)
		}
		for _, o := range pj.Operations {
			if o.Action != reconcile.OrgReinvite || !o.Expired || o.RoleID != o.FromRoleID {
				t.Fatalf("case %d: plan of the export changes %+v\n--- export\n%s", i, o, out.stdout)
			}
		}
		if w := mutating(p); len(w) != 0 {
			t.Fatalf("case %d: changes sent: %v", i, w)
		}
	}
	t.Logf("%d states exported and planned to no change, %d refused naming the object", exported, refused)
	if exported < n/3 || refused < n/10 {
		t.Errorf("%d exported, %d refused: the generator covers too little of either", exported, refused)
	}
}
