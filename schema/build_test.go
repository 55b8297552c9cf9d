package schema

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestRuleKindsAreTheSchemas: the keys of a blueprint that list its rules (the
// lists portal.schema.json declares there) and the rule kinds build reads are
// the same, in the file's schema and the seed's: a list added to the schema
// without its entry in ruleKinds would be validated, then ignored.
func TestRuleKindsAreTheSchemas(t *testing.T) {
	var kinds []string
	for _, k := range ruleKinds {
		kinds = append(kinds, k.key)
	}
	slices.Sort(kinds)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"portal.yaml", nil},
		{"seed", []Option{Seed()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			bp := schemaAt(l.schema, []string{"blueprints", "any-name"})
			if bp == nil || len(bp.Properties) == 0 {
				t.Fatal("no blueprint schema")
			}
			var lists []string
			for key, s := range bp.Properties {
				if key == "owners" {
					continue // a list of who reviews it, not of who sees it
				}
				if typeAllowed("array", resolve(s)) && len(resolve(s).Types) > 0 {
					lists = append(lists, key)
				}
			}
			slices.Sort(lists)
			if !slices.Equal(lists, kinds) {
				t.Errorf("the schema's blueprint lists %v, the rule kinds %v", lists, kinds)
			}
		})
	}
}

// TestBlueprintRules: what each rule kind reads into a blueprint, and what it
// says of a value it refuses, through the one loop over the rule kinds.
func TestBlueprintRules(t *testing.T) {
	const head = "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\ngroups:\n  team: [bob@company.com, alice@company.com]\n  none: []\nblueprints:\n  b:\n"
	for _, tc := range []struct {
		name   string
		body   string   // the blueprint's keys, from line 10
		rules  []string // the rules, "value" or "value via group"
		groups []string // Blueprint.Groups
		open   bool
		want   []string // "line:col code: message"
	}{
		{
			name:  "a domain and an email, normalised",
			body:  "    domains: [Company.COM]\n    emails: [Bob@Company.com]\n",
			rules: []string{"domain:company.com", "email:bob@company.com"},
		},
		{
			name:   "a group: an email rule per email, and the group recorded",
			body:   "    groups: [team]\n",
			rules:  []string{"email:alice@company.com via team", "email:bob@company.com via team"},
			groups: []string{"team"},
		},
		{
			name:   "an email on the blueprint wins over the same email a group brings",
			body:   "    groups: [team]\n    emails: [bob@company.com]\n",
			rules:  []string{"email:alice@company.com via team", "email:bob@company.com"},
			groups: []string{"team"},
		},
		{
			name:   "the groups a blueprint writes, in order, once each",
			body:   "    groups: [none, team, none]\n",
			rules:  []string{"email:alice@company.com via team", "email:bob@company.com via team"},
			groups: []string{"none", "team"},
		},
		{
			name: "a value each kind refuses, with its own diagnostic",
			body: "    domains: [\"https://company.com\"]\n    emails: [bob]\n    groups: [tema]\n",
			want: []string{
				`10:15 invalid-domain: invalid domain "https://company.com" in blueprint "b"`,
				`11:14 invalid-email: invalid email "bob" in blueprint "b"`,
				`12:14 unknown-group: unknown group "tema" in blueprint "b" (did you mean "team"? otherwise define it under ` + "`groups:`)",
			},
		},
		{
			name:   "only empty groups: no rules, an error",
			body:   "    groups: [none]\n",
			groups: []string{"none"},
			want:   []string{`9:3 no-rules: blueprint "b" has no rules once its groups are expanded (empty: none)`},
		},
		{
			name: "a list written as something else is still a rule declared",
			body: "    access: open\n    emails: bob@company.com\n",
			want: []string{
				`10:13 open-with-rules: blueprint "b" has ` + "`access: open`" + ` and rules`,
				`11:13 wrong-type: emails of blueprint "b" must be a list`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ds := newLoader(t).Parse("portal.yaml", []byte(head+tc.body))
			var got []string
			for _, d := range ds {
				if d.Code == "dormant-rule" {
					continue
				}
				line := fmt.Sprintf("%d:%d %s: %s", d.Pos.Line, d.Pos.Col, d.Code, d.Message)
				if d.Code == "unknown-group" {
					line += " (" + d.Hint + ")"
				}
				got = append(got, line)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem\n%s\nwant it to start with\n%s", got[i], tc.want[i])
				}
			}
			bp := cfg.Blueprints[0]
			var rules []string
			for _, r := range bp.Rules {
				s := fmt.Sprintf("%s:%s", r.Kind, r.Value)
				if r.Group != "" {
					s += " via " + r.Group
				}
				rules = append(rules, s)
			}
			if !slices.Equal(rules, tc.rules) {
				t.Errorf("rules %q, want %q", rules, tc.rules)
			}
			if !slices.Equal(bp.Groups, tc.groups) {
				t.Errorf("groups %q, want %q", bp.Groups, tc.groups)
			}
			if bp.Open != tc.open {
				t.Errorf("open = %v, want %v", bp.Open, tc.open)
			}
		})
	}
}
