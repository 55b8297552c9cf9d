package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// Blueprint keys are the blueprints' names in the portal, compared exactly: the
// portal tells "data", "Data" and "ｄａｔａ" apart, a reader of the file may not.
// Two keys that are one name but for the spaces around it are an error (the
// portal may well trim a name, and the two entries would then claim one
// blueprint with two sets of rules); keys that differ only by case or by Unicode
// compatibility forms (full-width letters, ligatures, a Kelvin sign) are a
// warning at the later one.

// spacedBlueprints reports the blueprint keys of all that are an earlier key
// with spaces around it, or the other way round. dups are the keys written
// twice, reported already.
func (b *builder) spacedBlueprints(all []pair, dups map[*yaml.Node]bool) {
	spaced := false
	for _, p := range all {
		if name := keyString(p.k); name != strings.TrimSpace(name) {
			spaced = true
			break
		}
	}
	if !spaced {
		return // the common case: no map of every name
	}
	keys := make([]*yaml.Node, 0, len(all))
	for _, p := range all {
		if !dups[p.k] && !b.hidden[deref(p.k)] && keyString(p.k) != "" {
			keys = append(keys, p.k)
		}
	}
	slices.SortStableFunc(keys, func(x, y *yaml.Node) int {
		return cmp.Or(cmp.Compare(x.Line, y.Line), cmp.Compare(x.Column, y.Column))
	})
	first := map[string]*yaml.Node{}
	for _, k := range keys {
		name := keyString(k)
		trimmed := strings.TrimSpace(name)
		f, ok := first[trimmed]
		if !ok {
			first[trimmed] = k
			continue
		}
		if keyString(f) == name {
			continue // one name, reached twice through merge keys: one blueprint
		}
		b.add(b.pos(k), diag.Error, "duplicate-blueprint", func() (string, string) {
			return fmt.Sprintf("blueprints %s and %s (line %d) differ only by the spaces around the name: the portal may take them for one blueprint", q(name), q(keyString(f)), f.Line),
				fmt.Sprintf("write the name without spaces around it, %s, and merge the two entries into one if they are the same blueprint", q(trimmed))
		})
	}
}

// lintBlueprintNames warns about a blueprint key that differs from an earlier one
// only by case, surrounding spaces or Unicode compatibility forms, naming the
// earlier one's line. Keys that differ only by surrounding spaces are an error
// already (spacedBlueprints).
func lintBlueprintNames(cfg *portal.Config, ds *diag.Collector) {
	if len(cfg.Blueprints) < 2 {
		return
	}
	bps := make([]portal.Blueprint, len(cfg.Blueprints))
	copy(bps, cfg.Blueprints)
	slices.SortStableFunc(bps, func(x, y portal.Blueprint) int {
		return cmp.Or(cmp.Compare(x.Pos.Line, y.Pos.Line), cmp.Compare(x.Pos.Col, y.Pos.Col))
	})
	fold := cases.Fold()
	first := map[string]portal.Blueprint{}
	trimmed := map[string]bool{}
	for _, bp := range bps {
		if t := strings.TrimSpace(bp.Name); trimmed[t] {
			continue // an earlier key but for spaces: an error already
		} else {
			trimmed[t] = true
		}
		key := strings.TrimSpace(norm.NFKC.String(fold.String(norm.NFKC.String(bp.Name))))
		f, ok := first[key]
		if !ok {
			first[key] = bp
			continue
		}
		ds.Add(bp.Pos, diag.Warning, "lookalike-blueprint",
			fmt.Sprintf("blueprint %s looks like %s (line %d): the portal tells them apart, a reader may not", q(bp.Name), q(f.Name), f.Pos.Line),
			fmt.Sprintf("they differ only by %s: rename one so that the difference shows, or merge them if they are meant to be one blueprint", differences(f.Name, bp.Name)))
	}
}

// differences says how two names that fold to the same key differ.
func differences(a, b string) string {
	var out []string
	ta, tb := strings.TrimSpace(a), strings.TrimSpace(b)
	if na, nb := norm.NFKC.String(ta), norm.NFKC.String(tb); na != nb {
		out = append(out, "case")
	}
	if ta != a || tb != b {
		out = append(out, "spaces around the name")
	}
	if norm.NFKC.String(a) != a || norm.NFKC.String(b) != b {
		out = append(out, "compatibility characters (full-width or styled letters, ligatures)")
	}
	return strings.Join(out, " and ")
}
