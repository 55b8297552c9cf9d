package lint

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// Blueprint keys are the blueprints' names in the portal, compared exactly: the
// portal tells "data", "Data", "data " and "ｄａｔａ" apart, a reader of the file
// may not. Keys that differ only by case, by the spaces around the name or by
// Unicode compatibility forms (full-width letters, ligatures, a Kelvin sign) are
// a warning, not an error: portalctl creates no blueprint, plan refuses a key
// that names none in the portal, and a portal that holds two such names exports
// to a file validate accepts.

// lintBlueprintNames warns about a blueprint key that differs from an earlier one
// only by case, surrounding spaces or Unicode compatibility forms, naming the
// earlier one's line.
func lintBlueprintNames(cfg *portal.Config, ds *diag.Collector) {
	if len(cfg.Blueprints) < 2 {
		return
	}
	bps := make([]portal.Blueprint, len(cfg.Blueprints))
	copy(bps, cfg.Blueprints)
	slices.SortStableFunc(bps, func(x, y portal.Blueprint) int {
		return x.Pos.Compare(y.Pos)
	})
	fold := cases.Fold()
	first := map[string]portal.Blueprint{}
	for _, bp := range bps {
		key := strings.TrimSpace(norm.NFKC.String(fold.String(norm.NFKC.String(bp.Name))))
		f, ok := first[key]
		if !ok {
			first[key] = bp
			continue
		}
		if f.Name == bp.Name {
			continue // one blueprint, reached twice through merge keys
		}
		ds.Add(bp.Pos, diag.Warning, "lookalike-blueprint",
			fmt.Sprintf("blueprint %s looks like %s (%s): the portal tells them apart, a reader may not", diag.Quote(bp.Name), diag.Quote(f.Name), f.Pos.From(bp.Pos)),
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
	if norm.NFKC.String(ta) != ta || norm.NFKC.String(tb) != tb {
		out = append(out, "compatibility characters (full-width or styled letters, ligatures)")
	}
	return strings.Join(out, " and ")
}
