package reconcile_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/reconcile"
)

// planLive is the portal the plan tests start from, as ReadLive would model it.
func planLive() *portal.Config {
	members := []qovery.Member{
		{ID: "m-alice", Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive},
		{ID: "m-bob", Email: "Bob@Company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
		{ID: "m-carol", Email: "carol@partner.org", Role: qovery.RoleAdmin, Status: qovery.StatusPending, CreatedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)},
		{ID: "m-dave", Email: "dave@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
	}
	blueprints := []qovery.Blueprint{
		{ID: "bp-ds", Name: "data-science"},
		{ID: "bp-py", Name: "python-starter"},
		{ID: "bp-ml", Name: "ml-lab"},
	}
	acls := []qovery.ACL{
		{ETag: `"e-ds"`, Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}},
		{ETag: `"e-py"`, Rules: []qovery.Rule{}},
		{ETag: `"e-ml"`, Rules: []qovery.Rule{{Type: qovery.RuleEmail, Value: "carol@partner.org"}, {Type: qovery.RuleEmail, Value: "zoe@gmail.com"}}},
	}
	return testkit.Must(qovery.FromAPI(testOrg, members, blueprints, acls))
}

// planFile is portal.yaml matching planLive exactly; edits replace parts of it.
const planFile = `version: 1
members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
  - email: carol@partner.org
    role: admin
  - email: dave@company.com
groups:
  ml: [carol@partner.org, zoe@gmail.com]
blueprints:
  data-science:
    domains: [company.com]
  python-starter:
    access: open
  ml-lab:
    groups: [ml]
`

// opView renders the fields of an op that a test pins down.
func opView(o reconcile.Op) string {
	keys := func(rs []portal.Rule) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Key().String())
		}
		return "[" + strings.Join(s, ",") + "]"
	}
	switch o.Action {
	case reconcile.UpdateACL:
		return fmt.Sprintf("update_acl %s id=%s etag=%s rules=%s +%s -%s", o.Blueprint, o.BlueprintID, o.ETag, keys(o.Rules), keys(o.Added), keys(o.Removed))
	case reconcile.Invite:
		return fmt.Sprintf("invite %s id=%s role=%s", o.Email, o.MemberID, o.Role)
	default:
		return fmt.Sprintf("%s %s id=%s role=%s from=%s", o.Action, o.Email, o.MemberID, o.Role, o.FromRole)
	}
}

func TestDiffOps(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{
			name: "unchanged",
			edit: func(s string) string { return s },
			want: nil,
		},
		{
			name: "invite",
			edit: func(s string) string {
				return strings.Replace(s, "members:\n", "members:\n  - email: Erin@Company.com\n    role: admin\n", 1)
			},
			want: []string{"invite erin@company.com id= role=admin"},
		},
		{
			name: "promote",
			edit: func(s string) string {
				return strings.Replace(s, "  - email: bob@company.com\n", "  - email: bob@company.com\n    role: admin\n", 1)
			},
			want: []string{"promote bob@company.com id=m-bob role=admin from=user"},
		},
		{
			name: "demote",
			edit: func(s string) string {
				return strings.Replace(s, "  - email: carol@partner.org\n    role: admin\n", "  - email: carol@partner.org\n", 1)
			},
			want: []string{"demote carol@partner.org id=m-carol role=user from=admin"},
		},
		{
			name: "remove",
			edit: func(s string) string { return strings.Replace(s, "  - email: dave@company.com\n", "", 1) },
			want: []string{"remove dave@company.com id=m-dave role=user from="},
		},
		{
			name: "update acl: rules added and removed",
			edit: func(s string) string {
				return strings.Replace(s, "    domains: [company.com]\n", "    domains: [partner.org]\n    emails: [bob@company.com]\n", 1)
			},
			want: []string{"update_acl data-science id=bp-ds etag=\"e-ds\" rules=[domain partner.org,email bob@company.com] +[domain partner.org,email bob@company.com] -[domain company.com]"},
		},
		{
			name: "update acl: opening a blueprint sends no rules",
			edit: func(s string) string {
				return strings.Replace(s, "    domains: [company.com]\n", "    access: open\n", 1)
			},
			want: []string{"update_acl data-science id=bp-ds etag=\"e-ds\" rules=[] +[] -[domain company.com]"},
		},
		{
			name: "group expanded into the emails the portal holds: no change",
			edit: func(s string) string {
				return strings.Replace(s, "    groups: [ml]\n", "    emails: [zoe@gmail.com]\n    groups: [ml]\n", 1)
			},
			want: nil,
		},
		{
			name: "every kind, in apply order",
			edit: func(s string) string {
				s = strings.Replace(s, "  - email: dave@company.com\n", "  - email: zed@company.com\n  - email: amy@company.com\n", 1)
				s = strings.Replace(s, "  - email: carol@partner.org\n    role: admin\n", "  - email: carol@partner.org\n", 1)
				s = strings.Replace(s, "  - email: bob@company.com\n", "  - email: bob@company.com\n    role: admin\n", 1)
				s = strings.Replace(s, "    groups: [ml]\n", "    emails: [carol@partner.org]\n", 1)
				return strings.Replace(s, "    access: open\n", "    domains: [company.com]\n", 1)
			},
			want: []string{
				"invite amy@company.com id= role=user",
				"invite zed@company.com id= role=user",
				"promote bob@company.com id=m-bob role=admin from=user",
				"update_acl ml-lab id=bp-ml etag=\"e-ml\" rules=[email carol@partner.org] +[] -[email zoe@gmail.com]",
				"update_acl python-starter id=bp-py etag=\"e-py\" rules=[domain company.com] +[domain company.com] -[]",
				"demote carol@partner.org id=m-carol role=user from=admin",
				"remove dave@company.com id=m-dave role=user from=",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := planLive()
			desired := parseFile(t, tt.edit(planFile))
			p, ds := reconcile.Diff(desired, live, reconcile.DiffOptions{})
			if len(ds) != 0 {
				t.Fatalf("diagnostics: %+v", ds)
			}
			var got []string
			for _, o := range p.Ops {
				got = append(got, opView(o))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if p.Empty() != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v with %d ops", p.Empty(), len(p.Ops))
			}
			if p.Fingerprint != reconcile.Fingerprint(live) || p.Fingerprint == "" {
				t.Errorf("Fingerprint %q, want the live state's %q", p.Fingerprint, reconcile.Fingerprint(live))
			}
			if p.Organization != testOrg {
				t.Errorf("Organization %q, want the live one when the file has none", p.Organization)
			}
			if len(p.Unmanaged) != 0 {
				t.Errorf("Unmanaged %v, want none", p.Unmanaged)
			}
			if len(tt.want) == 0 && len(p.Impact.Blueprints) != 0 {
				t.Errorf("impact %+v of an empty plan", p.Impact.Blueprints)
			}
			for _, a := range []reconcile.Action{reconcile.Invite, reconcile.Promote, reconcile.UpdateACL, reconcile.Demote, reconcile.Remove} {
				n := 0
				for _, w := range tt.want {
					if strings.HasPrefix(w, string(a)+" ") {
						n++
					}
				}
				if p.Count(a) != n {
					t.Errorf("Count(%s) = %d, want %d", a, p.Count(a), n)
				}
			}
		})
	}
}

// TestDiffImpact: the plan's impact sees a removed member lose what they saw,
// and an invited one gain it.
func TestDiffImpact(t *testing.T) {
	src := strings.Replace(planFile, "  - email: dave@company.com\n", "  - email: erin@company.com\n", 1)
	p, _ := reconcile.Diff(parseFile(t, src), planLive(), reconcile.DiffOptions{})
	got := map[string]string{}
	for _, b := range p.Impact.Blueprints {
		for _, a := range b.Gains {
			got[b.Name+" +"+a.Email] = fmt.Sprint(a.Member)
		}
		for _, a := range b.Losses {
			got[b.Name+" -"+a.Email] = fmt.Sprint(a.Member)
		}
	}
	want := map[string]string{
		"data-science +erin@company.com":   "true",
		"data-science -dave@company.com":   "true",
		"python-starter +erin@company.com": "true",
		"python-starter -dave@company.com": "true",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("impact %v, want %v", got, want)
	}
}

func TestDiffOrganization(t *testing.T) {
	other := "11111111-2222-3333-4444-555555555555"
	desired := parseFile(t, strings.Replace(planFile, "version: 1\n", "version: 1\norganization: "+other+"\n", 1))
	p, _ := reconcile.Diff(desired, planLive(), reconcile.DiffOptions{})
	if p.Organization != other {
		t.Errorf("Organization %q, want the file's %q", p.Organization, other)
	}
}

func TestDiffUnknownBlueprint(t *testing.T) {
	src := planFile + "  data-sciense:\n    domains: [company.com]\n  zzz-totally-other:\n    access: open\n"
	line := strings.Count(planFile, "\n") + 1 // the line of "data-sciense:"
	desired := parseFile(t, src)

	t.Run("online", func(t *testing.T) {
		_, ds := reconcile.Diff(desired, planLive(), reconcile.DiffOptions{})
		if len(ds) != 2 {
			t.Fatalf("diagnostics %+v, want one per unknown blueprint", ds)
		}
		byLine := map[int]diag.Diagnostic{}
		for _, d := range ds {
			byLine[d.Pos.Line] = d
			if d.Severity != diag.Error || d.Code != "unknown-blueprint" || d.Pos.File != "portal.yaml" {
				t.Errorf("diagnostic %+v: want an unknown-blueprint error in portal.yaml", d)
			}
		}
		d, ok := byLine[line]
		if !ok {
			t.Fatalf("no diagnostic at line %d (data-sciense): %+v", line, ds)
		}
		if !strings.Contains(d.Message, `"data-sciense"`) {
			t.Errorf("message %q does not name the blueprint", d.Message)
		}
		if !strings.Contains(d.Hint, `"data-science"`) || strings.Contains(d.Hint, "python-starter") {
			t.Errorf("hint %q: want the closest name data-science, and only close names", d.Hint)
		}
		far := byLine[line+2]
		if strings.Contains(far.Hint, "did you mean") {
			t.Errorf("hint %q suggests names for a blueprint nothing is close to", far.Hint)
		}
	})

	t.Run("offline", func(t *testing.T) {
		p, ds := reconcile.Diff(desired, planLive(), reconcile.DiffOptions{Offline: true})
		if len(ds) != 0 {
			t.Fatalf("diagnostics offline: %+v", ds)
		}
		var newly []string
		for _, b := range p.Impact.Blueprints {
			if b.NewlyManaged {
				newly = append(newly, b.Name)
			}
		}
		if !slices.Equal(newly, []string{"data-sciense", "zzz-totally-other"}) {
			t.Errorf("newly managed %v", newly)
		}
		for _, o := range p.Ops {
			if o.Action == reconcile.UpdateACL {
				t.Errorf("op %v for a blueprint the base does not have", opView(o))
			}
		}
	})
}

func TestDiffUnmanaged(t *testing.T) {
	src := strings.Replace(planFile, "  python-starter:\n    access: open\n", "", 1)
	src = strings.Replace(src, "  ml-lab:\n    groups: [ml]\n", "", 1)
	p, ds := reconcile.Diff(parseFile(t, src), planLive(), reconcile.DiffOptions{})
	if len(ds) != 0 || !p.Empty() {
		t.Fatalf("diagnostics %v ops %v: leaving blueprints out of the file changes nothing", ds, actions(p.Ops))
	}
	want := []reconcile.Unmanaged{{Name: "ml-lab", Open: false}, {Name: "python-starter", Open: true}}
	if !reflect.DeepEqual(p.Unmanaged, want) {
		t.Errorf("Unmanaged %+v, want %+v", p.Unmanaged, want)
	}
	if len(p.Impact.Blueprints) != 0 {
		t.Errorf("impact %+v, want none", p.Impact.Blueprints)
	}
}

func TestRailsCheck(t *testing.T) {
	// live builds n members, the first `admins` of them admins.
	live := func(n, admins int) *portal.Config {
		c := &portal.Config{}
		for i := range n {
			m := portal.Member{Email: fmt.Sprintf("m%03d@company.com", i), ID: fmt.Sprintf("id%d", i), Role: portal.RoleUser, Status: portal.StatusActive}
			if i < admins {
				m.Role = portal.RoleAdmin
			}
			c.Members = append(c.Members, m)
		}
		return c
	}
	// removeLast removes the last k members of c.
	removeLast := func(c *portal.Config, k int) []reconcile.Op {
		var ops []reconcile.Op
		for _, m := range c.Members[len(c.Members)-k:] {
			ops = append(ops, reconcile.Op{Action: reconcile.Remove, Email: m.Email, MemberID: m.ID, Role: m.Role})
		}
		return ops
	}
	defaults := reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}
	tests := []struct {
		name     string
		rails    reconcile.Rails
		live     *portal.Config
		ops      func(*portal.Config) []reconcile.Op
		wantFlag string // "" = allowed; "none" = refused, no flag may override
	}{
		{"no change", defaults, live(10, 1), func(*portal.Config) []reconcile.Op { return nil }, ""},
		{"demote the only admin", defaults, live(10, 1), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{{Action: reconcile.Demote, Email: c.Members[0].Email, MemberID: "id0", Role: portal.RoleUser, FromRole: portal.RoleAdmin}}
		}, "none"},
		{"remove the only admin", defaults, live(40, 1), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{{Action: reconcile.Remove, Email: c.Members[0].Email, MemberID: "id0", Role: portal.RoleAdmin}}
		}, "none"},
		{"no admin even with generous rails", reconcile.Rails{MaxRemovals: 100, MaxRemovalPercent: 100}, live(4, 2), func(c *portal.Config) []reconcile.Op {
			return removeLast(&portal.Config{Members: c.Members[:2]}, 2)
		}, "none"},
		// A portal without an active admin is not refused: the plan removes none,
		// and refusing would also refuse the fix.
		{"portal without admin, plan adds none", defaults, live(10, 0), func(*portal.Config) []reconcile.Op { return nil }, ""},
		{"portal without admin, plan promotes one", defaults, live(10, 0), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{{Action: reconcile.Promote, Email: c.Members[1].Email, MemberID: "id1", Role: portal.RoleAdmin, FromRole: portal.RoleUser}}
		}, ""},
		{"the admin swapped for an invitation", defaults, live(10, 1), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{
				{Action: reconcile.Invite, Email: "new@company.com", Role: portal.RoleAdmin},
				{Action: reconcile.Remove, Email: c.Members[0].Email, MemberID: "id0", Role: portal.RoleAdmin},
			}
		}, "none"},
		{"the admin swapped for a pending member promoted", defaults, func() *portal.Config {
			c := live(10, 1)
			c.Members[1].Status = portal.StatusPending
			return c
		}(), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{
				{Action: reconcile.Promote, Email: c.Members[1].Email, MemberID: "id1", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
				{Action: reconcile.Demote, Email: c.Members[0].Email, MemberID: "id0", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			}
		}, "none"},
		{"the admin swapped for an active member promoted", defaults, live(10, 1), func(c *portal.Config) []reconcile.Op {
			return []reconcile.Op{
				{Action: reconcile.Promote, Email: c.Members[1].Email, MemberID: "id1", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
				{Action: reconcile.Demote, Email: c.Members[0].Email, MemberID: "id0", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			}
		}, ""},
		{"exactly max removals", defaults, live(40, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 5) }, ""},
		{"one over max removals", defaults, live(40, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 6) }, "--max-removals"},
		{"exactly 25 percent", defaults, live(8, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 2) }, ""},
		{"over 25 percent", defaults, live(10, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 3) }, "--max-removal-percent"},
		{"one of four is 25 percent", defaults, live(4, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 1) }, ""},
		{"one of three", defaults, live(3, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 1) }, "--max-removal-percent"},
		{"raised max removals", reconcile.Rails{MaxRemovals: 10, MaxRemovalPercent: 25}, live(40, 1), func(c *portal.Config) []reconcile.Op { return removeLast(c, 10) }, ""},
	}
	flagValue := regexp.MustCompile("re-run with `?(--max-removals|--max-removal-percent)=(\\d+)")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &reconcile.Plan{Ops: tt.ops(tt.live)}
			err := tt.rails.Check(p, tt.live)
			switch tt.wantFlag {
			case "":
				if err != nil {
					t.Fatalf("Check: %v, want allowed", err)
				}
				return
			case "none":
				if err == nil || !errors.Is(err, reconcile.ErrRefused) {
					t.Fatalf("Check: %v, want ErrRefused", err)
				}
				if !strings.Contains(err.Error(), "admin") {
					t.Errorf("message %q does not say it is about admins", err)
				}
				if strings.Contains(err.Error(), "--") {
					t.Errorf("message %q offers a flag: nothing overrides the last admin", err)
				}
				return
			}
			if err == nil || !errors.Is(err, reconcile.ErrRefused) {
				t.Fatalf("Check: %v, want ErrRefused", err)
			}
			if !strings.Contains(err.Error(), tt.wantFlag+"=") {
				t.Fatalf("message %q does not name %s", err, tt.wantFlag)
			}
			// Re-running with the value the message suggests passes that rail.
			m := flagValue.FindStringSubmatch(err.Error())
			if m == nil || m[1] != tt.wantFlag {
				t.Fatalf("message %q suggests no value for %s", err, tt.wantFlag)
			}
			v, _ := strconv.Atoi(m[2])
			r := tt.rails
			if m[1] == "--max-removals" {
				r.MaxRemovals = v
			} else {
				r.MaxRemovalPercent = v
			}
			if err := r.Check(p, tt.live); err != nil && strings.Contains(err.Error(), tt.wantFlag+"=") {
				t.Errorf("with %s=%d the same rail still refuses: %v", tt.wantFlag, v, err)
			}
		})
	}
}

func TestAdminsAfter(t *testing.T) {
	live := &portal.Config{Members: []portal.Member{
		{Email: "a@company.com", ID: "a", Role: portal.RoleAdmin, Status: portal.StatusActive},
		{Email: "b@company.com", ID: "b", Role: portal.RoleAdmin, Status: portal.StatusActive},
		{Email: "p@company.com", ID: "p", Role: portal.RoleAdmin, Status: portal.StatusPending},
		{Email: "u@company.com", ID: "u", Role: portal.RoleUser, Status: portal.StatusActive},
		{Email: "w@company.com", ID: "w", Role: portal.RoleUser, Status: portal.StatusPending},
	}}
	tests := []struct {
		name string
		ops  []reconcile.Op
		want int
	}{
		{"no ops", nil, 2},
		{"an invited admin is pending: not counted", []reconcile.Op{{Action: reconcile.Invite, Email: "n@company.com", Role: portal.RoleAdmin}}, 2},
		{"a pending member promoted is not counted", []reconcile.Op{{Action: reconcile.Promote, Email: "w@company.com", MemberID: "w", Role: portal.RoleAdmin, FromRole: portal.RoleUser}}, 2},
		{"remove the pending admin", []reconcile.Op{{Action: reconcile.Remove, Email: "p@company.com", MemberID: "p", Role: portal.RoleAdmin}}, 2},
		{"invite a user", []reconcile.Op{{Action: reconcile.Invite, Email: "n@company.com", Role: portal.RoleUser}}, 2},
		{"promote", []reconcile.Op{{Action: reconcile.Promote, Email: "u@company.com", MemberID: "u", Role: portal.RoleAdmin, FromRole: portal.RoleUser}}, 3},
		{"demote", []reconcile.Op{{Action: reconcile.Demote, Email: "a@company.com", MemberID: "a", Role: portal.RoleUser, FromRole: portal.RoleAdmin}}, 1},
		{"remove an admin", []reconcile.Op{{Action: reconcile.Remove, Email: "b@company.com", MemberID: "b", Role: portal.RoleAdmin}}, 1},
		{"remove a user", []reconcile.Op{{Action: reconcile.Remove, Email: "u@company.com", MemberID: "u", Role: portal.RoleUser}}, 2},
		{"acl updates change no role", []reconcile.Op{{Action: reconcile.UpdateACL, Blueprint: "x", BlueprintID: "x"}}, 2},
		{"demote both, promote the user", []reconcile.Op{
			{Action: reconcile.Promote, Email: "u@company.com", MemberID: "u", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
			{Action: reconcile.Demote, Email: "a@company.com", MemberID: "a", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			{Action: reconcile.Demote, Email: "b@company.com", MemberID: "b", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reconcile.AdminsAfter(live, tt.ops); got != tt.want {
				t.Errorf("AdminsAfter = %d, want %d", got, tt.want)
			}
		})
	}
	if live.Members[0].Role != portal.RoleAdmin || len(live.Members) != 5 {
		t.Errorf("AdminsAfter changed the live config: %+v", live.Members)
	}
}
