package schema

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/yamledit"
)

// MarkReviewed sets `reviewed: day` on the blueprints named of a valid
// configuration (the root file data, named root, and what it includes, read
// through files as Load reads them), in the file that holds each: the value
// replaced when the blueprint has the key (its quoting kept), else the key added
// after the blueprint's last entry, in its indentation (yamledit). Every other
// byte stays as it was, comments and line endings (LF or CRLF) included
// (docs/access-reviews.md).
//
// The edited configuration is loaded again and must hold the same configuration
// but for those reviewed dates; otherwise nothing is returned but the error. It
// returns the files that change, in the layout's order. A configuration that
// does not validate is returned as its diagnostics, unchanged; a name that is no
// blueprint, or a blueprint written where an edit is unsafe (an alias), is an
// error that names it.
func (l *Loader) MarkReviewed(ctx context.Context, root string, data []byte, files Files, names []string, day portal.Date) ([]EditedFile, diag.List, error) {
	if day.IsZero() {
		return nil, nil, ErrNoDay
	}
	cfg, ds, docs := l.load(ctx, root, data, files)
	if ds.HasErrors() || cfg == nil {
		return nil, ds, nil
	}
	byFile := map[string][]string{}
	for _, name := range names {
		b, ok := cfg.Blueprint(name)
		if !ok {
			return nil, nil, fmt.Errorf("no blueprint %q in %s", name, root)
		}
		byFile[b.Pos.File] = append(byFile[b.Pos.File], name)
	}
	var out []EditedFile
	edited := map[string][]byte{}
	for _, d := range docs {
		if len(byFile[d.file]) == 0 {
			continue
		}
		after, err := markFile(d, byFile[d.file], day)
		if err != nil {
			return nil, nil, err
		}
		if string(after) != string(d.data) {
			out = append(out, EditedFile{Name: d.file, Before: d.data, After: after})
			edited[d.file] = after
		}
	}
	if len(out) == 0 {
		return nil, nil, nil
	}
	rootData := data
	if e, ok := edited[root]; ok {
		rootData = e
	}
	// The same configuration, but for the dates set.
	want := *cfg
	want.Blueprints = slices.Clone(cfg.Blueprints)
	for i := range want.Blueprints {
		if slices.Contains(names, want.Blueprints[i].Name) {
			want.Blueprints[i].Reviewed = day
		}
	}
	files2 := slices.Sorted(maps.Keys(edited))
	after, ads := l.Load(ctx, cfg.Layout.Root, rootData, overlay{files, edited})
	if ads.HasErrors() || after == nil {
		msg := "the result does not parse"
		for _, d := range ads {
			if d.Severity == diag.Error {
				msg = fmt.Sprintf("the result would be invalid at %s: %s", d.Pos, d.Message)
				break
			}
		}
		return nil, nil, fmt.Errorf("%s: cannot set reviewed: safely (%s); the files are left as they are: set it by hand", strings.Join(files2, ", "), msg)
	}
	if why := SameConfig(&want, after); why != "" {
		return nil, nil, fmt.Errorf("%s: cannot set reviewed: safely (%s); the files are left as they are: set it by hand", strings.Join(files2, ", "), why)
	}
	return out, nil, nil
}

// markFile sets reviewed: day on the blueprints names of the file d.
func markFile(d *parsed, names []string, day portal.Date) ([]byte, error) {
	ed, err := yamledit.New(d.data, d.root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w; set reviewed: by hand", d.file, err)
	}
	top := deref(d.root)
	var section *yaml.Node
	for _, p := range pairs(top) {
		if keyString(p.k) == "blueprints" {
			section = p.v
		}
	}
	if section == nil || section.Kind != yaml.MappingNode {
		at := nodePos(d.file, section)
		return nil, fmt.Errorf("%s: blueprints is not written as a mapping here: set reviewed: by hand", at)
	}
	for _, name := range names {
		var key, value *yaml.Node
		for i := 0; i+1 < len(section.Content); i += 2 {
			if k := section.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
				key, value = k, section.Content[i+1]
			}
		}
		switch {
		case key == nil:
			return nil, fmt.Errorf("%s: blueprint %q is not written in this file's blueprints: (a merge key?): set reviewed: by hand", d.file, name)
		case value.Kind == yaml.AliasNode:
			return nil, fmt.Errorf("%s: blueprint %q is the alias *%s: review does not edit an entry written elsewhere; set reviewed: by hand", nodePos(d.file, value), name, value.Value)
		case value.Kind != yaml.MappingNode:
			return nil, fmt.Errorf("%s: blueprint %q is not a mapping: set reviewed: by hand", nodePos(d.file, value), name)
		}
		var reviewed *yaml.Node
		for i := 0; i+1 < len(value.Content); i += 2 {
			if k := value.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "reviewed" {
				reviewed = value.Content[i+1]
			}
		}
		if reviewed != nil {
			err = ed.SetScalar(reviewed, day.String())
		} else {
			err = ed.InsertKey(value, "reviewed", day.String())
		}
		if err != nil {
			// yamledit's errors start with the line and column of the node.
			return nil, fmt.Errorf("%s:%w (blueprint %q); set reviewed: by hand", d.file, err, name)
		}
	}
	return ed.Bytes(), nil
}
