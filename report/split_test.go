package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// TestSplitSameReport: a random portal split at random into a root and
// fragments (testkit.Split) gives the same plan and the same reviewer's report,
// against a random base, as the same content in one file: where an entry is
// written changes nothing of what the change does (docs/large-organizations.md).
// Positions aside: a problem is reported at its own file and line.
func TestSplitSameReport(t *testing.T) {
	today := portal.Date{}
	if d, err := portal.ParseDate("2026-11-20"); err == nil {
		today = d
	}
	l, err := schema.New(schema.Today(today))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(23, 5))
	compared := 0
	for round := range 600 {
		base, bds := l.Parse("portal.yaml", testkit.RandomFile(r))
		if bds.HasErrors() {
			continue
		}
		src := testkit.RandomFile(r)
		one, ds := l.Parse("portal.yaml", src)
		if ds.HasErrors() {
			continue
		}
		files, ok := testkit.Split(t, r, src, 1+r.IntN(4))
		if !ok {
			continue
		}
		split, sds := l.Load(t.Context(), "portal.yaml", files["portal.yaml"], testkit.Files(files))
		if sds.HasErrors() {
			t.Fatalf("round %d: the split does not load: %v", round, sds)
		}
		compared++
		opts := reconcile.DiffOptions{Offline: true, Today: today}
		p1, _ := reconcile.Diff(one, base, opts)
		p2, _ := reconcile.Diff(split, base, opts)
		if a, b := opStrings(p1), opStrings(p2); !reflect.DeepEqual(a, b) {
			t.Fatalf("round %d: another plan:\n%v\nwant\n%v", round, b, a)
		}
		report := func(head *portal.Config, hds diag.List) any {
			rep := Compare(Change{Head: head, Base: base, HeadProblems: hds, BaseProblems: bds, Today: today,
				Rails: reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}}, Options{})
			var b bytes.Buffer
			if err := rep.JSON(&b); err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			return withoutPositions(v)
		}
		if a, b := report(one, ds), report(split, sds); !reflect.DeepEqual(a, b) {
			ja, _ := json.MarshalIndent(a, "", " ")
			jb, _ := json.MarshalIndent(b, "", " ")
			t.Fatalf("round %d: another report:\n%s\nwant\n%s", round, jb, ja)
		}
	}
	if compared < 100 {
		t.Fatalf("only %d rounds compared: the generator no longer gives this test enough", compared)
	}
}

func opStrings(p *reconcile.Plan) []string {
	var out []string
	for _, o := range p.Ops {
		out = append(out, o.String())
	}
	return out
}

// withoutPositions is a decoded JSON report without where things are written:
// the keys naming a file, a line or a column; the problems, listed in the
// order of their positions, by their codes; and the ownership alert, which the split
// itself raises (the base has no includes).
func withoutPositions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "ownership_changed")
		for k := range x {
			switch k {
			case "file", "line", "column", "pos", "position", "at":
				delete(x, k)
				continue
			}
			x[k] = withoutPositions(x[k])
			if list, ok := x[k].([]any); ok && k == "problems_introduced" {
				// Compare the codes: the problems are listed by position.
				// Dormant rules are named one by one up to a cap, the first
				// by position, the rest counted in one more: how many of
				// them the base already had goes by position too.
				var codes []string
				for _, p := range list {
					if code, _ := p.(map[string]any)["code"].(string); code != "dormant-rule" {
						codes = append(codes, code)
					}
				}
				slices.Sort(codes)
				x[k] = codes
			}
		}
	case []any:
		for i := range x {
			x[i] = withoutPositions(x[i])
		}
	}
	return v
}
