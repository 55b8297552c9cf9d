package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

func TestOwnershipChanges(t *testing.T) {
	ml := portal.Include{Path: "teams/ml.yaml", Codeowners: []string{"@acme/ml"}, Blueprints: []string{"ml-*"}}
	people := portal.Include{Path: "people/*.yaml", Codeowners: []string{"@acme/people"}, Members: true}
	with := func(inc portal.Include, edit func(*portal.Include)) portal.Include {
		edit(&inc)
		return inc
	}
	layout := func(owners []string, incs ...portal.Include) *portal.Layout {
		return &portal.Layout{Root: "portal.yaml", Codeowners: owners, Includes: incs}
	}
	tests := []struct {
		name          string
		before, after *portal.Layout
		want          string
	}{
		{"nothing changes", layout([]string{"@acme/platform"}, ml, people), layout([]string{"@acme/platform"}, ml, people), "null"},
		{"one file both sides", nil, layout(nil), "null"},
		{"root owners", layout([]string{"@a"}), layout([]string{"@a", "@b"}),
			`[{"field":"codeowners","change":"changed","from":["@a"],"to":["@a","@b"]}]`},
		{"root owners dropped", layout([]string{"@a"}), nil,
			`[{"field":"codeowners","change":"changed","from":["@a"]}]`},
		{"include owners", layout(nil, ml), layout(nil, with(ml, func(i *portal.Include) { i.Codeowners = []string{"@acme/ml", "@evil"} })),
			`[{"include":"teams/ml.yaml","field":"codeowners","change":"changed","from":["@acme/ml"],"to":["@acme/ml","@evil"]}]`},
		{"owners reordered is a change", layout(nil, with(ml, func(i *portal.Include) { i.Codeowners = []string{"@a", "@b"} })), layout(nil, with(ml, func(i *portal.Include) { i.Codeowners = []string{"@b", "@a"} })),
			`[{"include":"teams/ml.yaml","field":"codeowners","change":"changed","from":["@a","@b"],"to":["@b","@a"]}]`},
		{"blueprint scope", layout(nil, ml), layout(nil, with(ml, func(i *portal.Include) { i.Blueprints = []string{"*", "gpu"} })),
			`[{"include":"teams/ml.yaml","field":"blueprints","change":"changed","added":["*","gpu"],"removed":["ml-*"]}]`},
		{"members given", layout(nil, ml), layout(nil, with(ml, func(i *portal.Include) { i.Members = true })),
			`[{"include":"teams/ml.yaml","field":"members","change":"changed","members":true}]`},
		{"members taken", layout(nil, people), layout(nil, with(people, func(i *portal.Include) { i.Members = false })),
			`[{"include":"people/*.yaml","field":"members","change":"changed"}]`},
		{"include added with its scope", layout(nil, ml), layout(nil, ml, people),
			`[{"include":"people/*.yaml","field":"include","change":"added"},{"include":"people/*.yaml","field":"codeowners","change":"changed","to":["@acme/people"]},{"include":"people/*.yaml","field":"members","change":"changed","members":true}]`},
		{"include removed", layout(nil, ml, people), layout(nil, people),
			`[{"include":"teams/ml.yaml","field":"include","change":"removed","from":["@acme/ml"]}]`},
		{"include path changed", layout(nil, ml), layout(nil, with(ml, func(i *portal.Include) { i.Path = "teams/*.yaml" })),
			`[{"include":"teams/*.yaml","field":"include","change":"added"},{"include":"teams/*.yaml","field":"codeowners","change":"changed","to":["@acme/ml"]},{"include":"teams/*.yaml","field":"blueprints","change":"changed","added":["ml-*"]},{"include":"teams/ml.yaml","field":"include","change":"removed","from":["@acme/ml"]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(OwnershipChanges(tt.before, tt.after))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// ownershipReport is the small report with its layout's owners changed and
// fourteen files changed, more than the provenance names.
func ownershipReport(t testing.TB) *Report {
	t.Helper()
	base, head := loadConfig(t, "base.yaml"), loadConfig(t, "head.yaml")
	ml := portal.Include{Path: "teams/ml.yaml", Codeowners: []string{"@acme/ml"}, Blueprints: []string{"ml-*"}}
	base.Layout = &portal.Layout{Codeowners: []string{"@acme/platform"}, Includes: []portal.Include{ml, {Path: "old/*.yaml", Codeowners: []string{"@acme/old"}}}}
	ml.Codeowners, ml.Blueprints, ml.Members = []string{"@acme/ml", "@evil"}, []string{"ml-*", "*"}, true
	head.Layout = &portal.Layout{Codeowners: []string{"@acme/platform", "@acme/sre"}, Includes: []portal.Include{ml, {Path: "people/*.yaml", Members: true}}}
	prov := testProvenance()
	prov.Changed = []ChangedFile{{Path: "portal.yaml", Change: "changed"}}
	for i := range 13 {
		prov.Changed = append(prov.Changed, ChangedFile{Path: fmt.Sprintf("people/p%02d.yaml", i), Change: "added"})
	}
	return Compare(Change{Head: head, Base: base}, Options{Provenance: prov})
}

// TestOwnershipGolden pins the ownership alert and the changed files of the
// provenance in every format.
func TestOwnershipGolden(t *testing.T) {
	r := ownershipReport(t)
	testkit.Golden(t, "testdata/report-ownership.md", r.Markdown(commentOptions()))
	testkit.Golden(t, "testdata/report-ownership.txt", textOf(t, r))
	testkit.Golden(t, "testdata/report-ownership.json", jsonOf(t, r))
	md := r.Markdown(commentOptions())
	for _, want := range []string{
		"include `teams/ml.yaml`: codeowners `@acme/ml` → `@acme/ml`, `@evil`",
		"include `teams/ml.yaml`: blueprints + `*`",
		"root file: codeowners `@acme/platform` → `@acme/platform`, `@acme/sre`",
		"include `old/*.yaml`: **removed**",
		"`people/p08.yaml` (added) and 4 more",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	// Next to the policy changes: before the index.
	if i, j := strings.Index(md, "Ownership changes"), strings.Index(md, "Blueprints whose rules change"); i < 0 || j < i {
		t.Errorf("the ownership alert is not among the alerts, before the index:\n%s", md)
	}
	if strings.Contains(md, "people/p09.yaml") {
		t.Errorf("the provenance names more than %d files", maxChangedFiles)
	}
	// No base: nothing to compare owners with.
	if r := Compare(Change{Head: loadConfig(t, "head.yaml"), Base: &portal.Config{}, BaseMissing: true}, Options{}); len(r.Alerts.Ownership) != 0 {
		t.Errorf("ownership changes without a base: %+v", r.Alerts.Ownership)
	}
}

func TestLineURL(t *testing.T) {
	const blob = "https://github.com/acme/portal-access/blob/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432/"
	prov := func(edit func(*Provenance)) *Provenance {
		p := testProvenance()
		p.File, p.Path = "config/portal.yaml", "config/portal.yaml"
		p.Paths = map[string]string{"config/teams/ml.yaml": "config/teams/ml.yaml", "config/a b.yaml": "config/a b.yaml"}
		if edit != nil {
			edit(p)
		}
		return p
	}
	tests := []struct {
		name string
		p    *Provenance
		pos  portal.Pos
		want string
	}{
		{"root", prov(nil), portal.Pos{File: "config/portal.yaml", Line: 3}, blob + "config/portal.yaml#L3"},
		{"fragment", prov(nil), portal.Pos{File: "config/teams/ml.yaml", Line: 5}, blob + "config/teams/ml.yaml#L5"},
		{"escaped", prov(nil), portal.Pos{File: "config/a b.yaml", Line: 1}, blob + "config/a%20b.yaml#L1"},
		{"a file it does not know", prov(nil), portal.Pos{File: "config/teams/data.yaml", Line: 5}, ""},
		{"root uncommitted", prov(func(p *Provenance) { p.Head.Uncommitted = true }), portal.Pos{File: "config/portal.yaml", Line: 3}, ""},
		{"fragment of an uncommitted root", prov(func(p *Provenance) { p.Head.Uncommitted = true }), portal.Pos{File: "config/teams/ml.yaml", Line: 5}, blob + "config/teams/ml.yaml#L5"},
		{"no line", prov(nil), portal.Pos{File: "config/teams/ml.yaml"}, ""},
		{"no repository", prov(func(p *Provenance) { p.RepositoryURL = "" }), portal.Pos{File: "config/teams/ml.yaml", Line: 5}, ""},
		{"no commit", prov(func(p *Provenance) { p.Head.Commit = "" }), portal.Pos{File: "config/teams/ml.yaml", Line: 5}, ""},
		{"no root path", prov(func(p *Provenance) { p.Path = "" }), portal.Pos{File: "config/portal.yaml", Line: 3}, ""},
		{"nil", nil, portal.Pos{File: "config/portal.yaml", Line: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.LineURL(tt.pos); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
