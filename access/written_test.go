package access_test

import (
	"reflect"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// TestEdits: a blueprint's rule changes as the file writes them: domains, emails
// written on it and groups, not the emails a group expands to; read from the
// portal, emails a group of the file grants are that group's.
func TestEdits(t *testing.T) {
	email := func(e, g string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e, Group: g} }
	domain := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	members := func(es ...string) []portal.Member {
		var out []portal.Member
		for _, e := range es {
			out = append(out, portal.Member{Email: e, Role: portal.RoleUser})
		}
		return out
	}
	people := members("a@company.com", "b@company.com", "c@company.com", "d@company.com", "x@vendor.io")
	sre := []string{"a@company.com", "b@company.com"}
	config := func(groups map[string][]string, bp portal.Blueprint) *portal.Config {
		c := &portal.Config{Members: people, Groups: groups, Blueprints: []portal.Blueprint{bp}}
		c.Sort()
		return c
	}
	tests := []struct {
		name          string
		before, after *portal.Config
		want          []access.Edit
	}{
		{
			name:   "a domain replaced by a group: the domain first, it causes the losses",
			before: config(nil, portal.Blueprint{Name: "bp", Rules: []portal.Rule{domain("company.com")}}),
			after: config(map[string][]string{"sre": sre},
				portal.Blueprint{Name: "bp", Groups: []string{"sre"}, Rules: []portal.Rule{email("a@company.com", "sre"), email("b@company.com", "sre")}}),
			want: []access.Edit{
				{Change: access.Removed, Kind: "domain", Value: "company.com", Members: 4, Losses: 2},
				{Change: access.Added, Kind: "group", Value: "sre", Members: 2},
			},
		},
		{
			name: "a group whose emails change, and an email written on the blueprint",
			before: config(map[string][]string{"sre": sre},
				portal.Blueprint{Name: "bp", Groups: []string{"sre"}, Rules: []portal.Rule{email("a@company.com", "sre"), email("b@company.com", "sre")}}),
			after: config(map[string][]string{"sre": {"a@company.com", "c@company.com"}},
				portal.Blueprint{Name: "bp", Groups: []string{"sre"}, Rules: []portal.Rule{email("a@company.com", "sre"), email("c@company.com", "sre"), email("x@vendor.io", "")}}),
			want: []access.Edit{
				{Change: access.Changed, Kind: "group", Value: "sre", Members: 1, Losses: 1, EmailsAdded: []string{"c@company.com"}, EmailsRemoved: []string{"b@company.com"}},
				{Change: access.Added, Kind: "email", Value: "x@vendor.io", Members: 1},
			},
		},
		{
			name: "read from the portal: emails of the file's group are that group's",
			before: config(nil, portal.Blueprint{Name: "bp", ID: "bp-1",
				Rules: []portal.Rule{email("a@company.com", ""), email("b@company.com", ""), email("d@company.com", "")}}),
			after: config(map[string][]string{"sre": {"a@company.com", "b@company.com", "c@company.com"}},
				portal.Blueprint{Name: "bp", ID: "bp-1", Groups: []string{"sre"},
					Rules: []portal.Rule{email("a@company.com", "sre"), email("b@company.com", "sre"), email("c@company.com", "sre")}}),
			want: []access.Edit{
				{Change: access.Removed, Kind: "email", Value: "d@company.com", Members: 1, Losses: 1},
				{Change: access.Changed, Kind: "group", Value: "sre", Members: 1, EmailsAdded: []string{"c@company.com"}},
			},
		},
		{
			name: "read from the portal: an email two of the file's groups list is both groups'",
			before: config(nil, portal.Blueprint{Name: "bp", ID: "bp-1",
				Rules: []portal.Rule{email("a@company.com", ""), email("b@company.com", "")}}),
			after: config(map[string][]string{"sre": sre, "leads": {"b@company.com", "c@company.com"}},
				portal.Blueprint{Name: "bp", ID: "bp-1", Groups: []string{"leads", "sre"},
					Rules: []portal.Rule{email("a@company.com", "sre"), email("b@company.com", "leads"), email("c@company.com", "leads")}}),
			want: []access.Edit{
				{Change: access.Changed, Kind: "group", Value: "leads", Members: 1, EmailsAdded: []string{"c@company.com"}},
			},
		},
		{
			name: "an email written on the blueprint and in a group is written",
			before: config(map[string][]string{"sre": sre},
				portal.Blueprint{Name: "bp", Groups: []string{"sre"}, Rules: []portal.Rule{email("a@company.com", ""), email("b@company.com", "sre")}}),
			after: config(map[string][]string{"sre": sre},
				portal.Blueprint{Name: "bp", Groups: []string{"sre"}, Rules: []portal.Rule{email("a@company.com", "sre"), email("b@company.com", "sre"), domain("vendor.io")}}),
			want: []access.Edit{
				{Change: access.Removed, Kind: "email", Value: "a@company.com", Members: 1},
				{Change: access.Added, Kind: "domain", Value: "vendor.io", Members: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im := access.ComputeImpact(access.NewIndex(tt.before), access.NewIndex(tt.after))
			if len(im.Blueprints) != 1 {
				t.Fatalf("impact %+v", im.Blueprints)
			}
			if got := im.Blueprints[0].Edits; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("edits\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
