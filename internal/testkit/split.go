package testkit

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// Split writes the valid portal.yaml src as a root and up to n fragments, each entry
// of members, groups, blueprints and organization_members moved at random into
// a fragment (or left in the root), each fragment's include scoped to exactly
// what it holds, as files by name (the root is portal.yaml, the fragments
// teams/fN.yaml). ok is false for a file it does not split: one with anchors,
// whose aliases would dangle in another file.
func Split(t testing.TB, r *rand.Rand, src []byte, n int) (map[string][]byte, bool) {
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
	files := map[string][]byte{}
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

// Files are a configuration's files in memory, by name, read as schema.Disk
// reads them from a directory: Glob has filepath.Glob's semantics (a * does
// not cross a /). They satisfy schema.Files.
type Files map[string][]byte

// ReadFile returns the file's bytes, or an error wrapping fs.ErrNotExist.
func (m Files) ReadFile(_ context.Context, name string) ([]byte, error) {
	data, ok := m[path.Clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return data, nil
}

// Glob returns the names that match pattern, sorted.
func (m Files) Glob(_ context.Context, pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	pattern = path.Clean(pattern)
	var out []string
	for name := range m {
		if ok, _ := path.Match(pattern, name); ok && strings.Count(name, "/") == strings.Count(pattern, "/") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}
