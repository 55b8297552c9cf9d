package lint_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/schema"
)

// TestLookalikeBlueprints: blueprint keys that differ only by case, by the spaces
// around the name or by Unicode compatibility forms are a warning at the later
// key naming the earlier one's line.
func TestLookalikeBlueprints(t *testing.T) {
	const head = "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\nblueprints:\n"
	bp := func(name string) string { return fmt.Sprintf("  %s:\n    domains: [company.com]\n", name) }
	for _, tc := range []struct {
		name string
		keys []string // the blueprints, from line 6, two lines each
		seed bool
		want []string // line:col severity code: message, of the problems about names
	}{
		{
			name: "case",
			keys: []string{"data", "Data"},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "Data" looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by case: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "the later key is named, whichever sorts first",
			keys: []string{"data", "other", "DATA"},
			want: []string{`10:3 warning lookalike-blueprint: blueprint "DATA" looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by case: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "full-width",
			keys: []string{"data", "ｄａｔａ"},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "ｄａｔａ" looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by compatibility characters (full-width or styled letters, ligatures): rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "full-width capitals",
			keys: []string{"ＤＡＴＡ", "data"},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "data" looks like "ＤＡＴＡ" (line 6): the portal tells them apart, a reader may not (they differ only by case and compatibility characters (full-width or styled letters, ligatures): rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "Kelvin sign",
			keys: []string{"kube", "\u212Aube"},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "` + "\u212A" + `ube" looks like "kube" (line 6): the portal tells them apart, a reader may not (they differ only by case and compatibility characters (full-width or styled letters, ligatures): rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "a trailing space",
			keys: []string{"data", `"data "`},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "data " looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by spaces around the name: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "an ideographic space is a space",
			keys: []string{"\"\u3000data\"", "data"},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "data" looks like "\u3000data" (line 6): the portal tells them apart, a reader may not (they differ only by spaces around the name: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "three alike: each later one names the first",
			keys: []string{"data", "Data", `" Data"`},
			want: []string{
				`8:3 warning lookalike-blueprint: blueprint "Data" looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by case: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`,
				`10:3 warning lookalike-blueprint: blueprint " Data" looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by case and spaces around the name: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`,
			},
		},
		{
			name: "spaces and case",
			keys: []string{"data", `"Data "`},
			want: []string{`8:3 warning lookalike-blueprint: blueprint "Data " looks like "data" (line 6): the portal tells them apart, a reader may not (they differ only by case and spaces around the name: rename one so that the difference shows, or merge them if they are meant to be one blueprint)`},
		},
		{
			name: "different names",
			keys: []string{"data", "data2", "dáta"},
		},
		{
			name: "a key written twice is the duplicate error alone",
			keys: []string{"data", "data"},
			want: []string{`8:3 error duplicate-blueprint: duplicate blueprint "data": already defined at line 6 (merge the two entries into one: YAML would silently keep only the last)`},
		},
		{
			name: "a seed has no lints: a live portal's names, as they are",
			keys: []string{"data", `"data "`},
			seed: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src strings.Builder
			src.WriteString(head)
			for _, k := range tc.keys {
				src.WriteString(bp(k))
			}
			var opts []schema.Option
			if tc.seed {
				opts = append(opts, schema.Seed())
			}
			l, err := schema.New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, ds := l.Parse("portal.yaml", []byte(src.String()))
			var got []string
			for _, d := range ds {
				if d.Code == "lookalike-blueprint" || d.Code == "duplicate-blueprint" {
					got = append(got, fmt.Sprintf("%d:%d %s %s: %s (%s)", d.Pos.Line, d.Pos.Col, d.Severity, d.Code, d.Message, d.Hint))
				} else if d.Code != "no-admin" {
					t.Errorf("another problem: %v", d)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got:\n%s\nwant:\n%s\nin:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), src.String())
			}
		})
	}
}
