package schema

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
)

// split writes the valid file src as a root and up to n fragments, each entry
// of members, groups, blueprints and organization_members moved at random into
// a fragment (or left in the root), each fragment's include scoped to exactly
// what it holds. ok is false for a file it does not split: one with anchors,
// whose aliases would dangle in another file.
func split(t *testing.T, r *rand.Rand, src []byte, n int) (memFiles, bool) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	anchored := false
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		if x.Anchor != "" || x.Kind == yaml.AliasNode || x.Tag == "!!merge" {
			anchored = true
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(&doc)
	if anchored {
		return nil, false
	}
	top := doc.Content[0]
	root := &yaml.Node{Kind: yaml.MappingNode}
	frags := make([]*yaml.Node, n)
	type scope struct {
		blueprints []string
		members    bool
	}
	scopes := make([]scope, n)
	section := func(f int, key *yaml.Node, kind yaml.Kind) *yaml.Node {
		if frags[f] == nil {
			frags[f] = &yaml.Node{Kind: yaml.MappingNode}
		}
		m := frags[f]
		for i := 0; i < len(m.Content); i += 2 {
			if m.Content[i].Value == key.Value {
				return m.Content[i+1]
			}
		}
		v := &yaml.Node{Kind: kind}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key.Value}, v)
		return v
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "members", "organization_members":
			kept := &yaml.Node{Kind: yaml.SequenceNode, Style: v.Style}
			for _, item := range v.Content {
				if f := r.IntN(n + 1); f < n {
					s := section(f, k, yaml.SequenceNode)
					s.Content = append(s.Content, item)
					scopes[f].members = true
					continue
				}
				kept.Content = append(kept.Content, item)
			}
			if len(kept.Content) > 0 || len(v.Content) == 0 {
				root.Content = append(root.Content, k, kept)
			}
		case "groups", "blueprints":
			kept := &yaml.Node{Kind: yaml.MappingNode}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if f := r.IntN(n + 1); f < n {
					s := section(f, k, yaml.MappingNode)
					s.Content = append(s.Content, v.Content[j], v.Content[j+1])
					if k.Value == "groups" {
						scopes[f].members = true
					} else {
						scopes[f].blueprints = append(scopes[f].blueprints, v.Content[j].Value)
					}
					continue
				}
				kept.Content = append(kept.Content, v.Content[j], v.Content[j+1])
			}
			root.Content = append(root.Content, k, kept)
		default:
			root.Content = append(root.Content, k, v)
		}
	}
	files := memFiles{}
	var include []any
	for f, m := range frags {
		if m == nil {
			continue
		}
		name := fmt.Sprintf("teams/f%d.yaml", f)
		data, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
		bps := []string{}
		for _, b := range scopes[f].blueprints {
			bps = append(bps, globEscape(b))
		}
		include = append(include, map[string]any{"path": name, "blueprints": bps, "members": scopes[f].members})
	}
	if len(include) > 0 {
		var inc yaml.Node
		if err := inc.Encode(include); err != nil {
			t.Fatal(err)
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "include"}, &inc)
	}
	data, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	files["portal.yaml"] = data
	return files, true
}

// globEscape is a blueprint name as a glob that matches it alone.
func globEscape(name string) string {
	out := make([]rune, 0, len(name))
	for _, c := range name {
		if c == '*' || c == '?' || c == '[' || c == '\\' {
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return string(out)
}

// TestSplitSameModel: a random valid portal split at random into a root and
// fragments loads into the same model, with the same warnings, as the single
// file (property: where an entry is written never changes what it means).
func TestSplitSameModel(t *testing.T) {
	l, err := New(Today(marshalDay))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(22, 1))
	tried := 0
	for round := range 1500 {
		src := testkit.RandomFile(r)
		cfg, ds := l.Parse("portal.yaml", src)
		if ds.HasErrors() {
			continue
		}
		files, ok := split(t, r, src, 1+r.IntN(4))
		if !ok {
			continue
		}
		tried++
		got, gds := l.Load(context.Background(), "portal.yaml", files["portal.yaml"], files)
		if gds.HasErrors() {
			t.Fatalf("round %d: the split does not load: %v\nsingle:\n%s\nsplit:\n%v", round, gds, src, dump(files))
		}
		if want, got := comparable(cfg), comparable(got); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: another model:\n%+v\nwant\n%+v\nsingle:\n%s\nsplit:\n%v", round, got, want, src, dump(files))
		}
		if want, got := codes(ds), codes(gds); !slices.Equal(got, want) {
			t.Fatalf("round %d: warnings %v, want %v\nsingle:\n%s\nsplit:\n%v", round, got, want, src, dump(files))
		}
	}
	if tried < 300 {
		t.Fatalf("only %d files split: the generator no longer gives this test enough", tried)
	}
}

func codes(ds diag.List) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	slices.Sort(out)
	return out
}

func dump(files memFiles) string {
	s := ""
	for _, name := range slices.Sorted(maps.Keys(files)) {
		s += "-- " + name + " --\n" + string(files[name])
	}
	return s
}
