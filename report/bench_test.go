package report

import (
	"testing"

	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// scalePair loads a synthetic portal and a pull request's change of it.
func scalePair(b *testing.B, members, blueprints int, ch synth.Change) (base, head *portal.Config) {
	b.Helper()
	l, err := schema.New()
	if err != nil {
		b.Fatal(err)
	}
	g := synth.New(synth.Spec{Members: members, Blueprints: blueprints, Rules: 10, Seed: 1})
	base, ds := l.Parse("base.yaml", g.YAML(synth.Change{}))
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	head, ds = l.Parse("head.yaml", g.YAML(ch))
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	return base, head
}

// BenchmarkReport builds the report of a pull request on the portal of docs/design.md#performance-targets
// (100,000 members, 2,000 blueprints of 10 rules) and renders it as the comment: the
// part of preview that comes after the access impact.
func BenchmarkReport(b *testing.B) {
	for _, tt := range []struct {
		name string
		ch   synth.Change
	}{
		{"typical", synth.Change{ChangedBlueprints: 20, OpenBlueprints: 1, NewMembers: 50, RemovedMembers: 50}},
		{"every-blueprint", synth.Change{ChangedBlueprints: 2000, NewMembers: 500, RemovedMembers: 500}},
	} {
		base, head := scalePair(b, 100_000, 2_000, tt.ch)
		p, _ := reconcile.Diff(head, base, reconcile.DiffOptions{Offline: true})
		b.Run(tt.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				r := New(p, Options{})
				size = len(r.Markdown(MarkdownOptions{MaxLen: commentMax}))
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
