package reconcile

import (
	"fmt"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/schema"
)

// benchSizes are the member counts of the scale table of docs/design.md#performance-targets; blueprints grow with
// them up to the 2,000 of the target, 10 rules each.
var benchSizes = []struct{ members, blueprints int }{{1_000, 200}, {10_000, 1_000}, {100_000, 2_000}}

func loadPair(b *testing.B, members, blueprints int, ch synth.Change) (*portal.Config, *portal.Config) {
	b.Helper()
	l, err := schema.New()
	if err != nil {
		b.Fatal(err)
	}
	g := synth.New(synth.Spec{Members: members, Blueprints: blueprints, Rules: 10, Seed: 1})
	base, ds := l.Parse("base.yaml", g.YAML(synth.Change{}))
	if ds.HasErrors() {
		b.Fatal(ds[0])
	}
	head, ds := l.Parse("head.yaml", g.YAML(ch))
	if ds.HasErrors() {
		b.Fatal(ds[0])
	}
	return base, head
}

// BenchmarkImpact is the access impact of a typical pull request: 20 blueprints'
// rules changed, one blueprint opened, 50 members joining and 50 leaving.
func BenchmarkImpact(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", s.members, s.blueprints), func(b *testing.B) {
			base, head := loadPair(b, s.members, s.blueprints, synth.Change{ChangedBlueprints: 20, OpenBlueprints: 1, NewMembers: 50, RemovedMembers: 50})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, _ := Diff(head, base, DiffOptions{Offline: true})
				if len(p.Impact.Blueprints) == 0 {
					b.Fatal("no impact")
				}
			}
		})
	}
}

// BenchmarkImpactEverything is the worst case: every blueprint's rules change.
func BenchmarkImpactEverything(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", s.members, s.blueprints), func(b *testing.B) {
			base, head := loadPair(b, s.members, s.blueprints, synth.Change{ChangedBlueprints: s.blueprints})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Diff(head, base, DiffOptions{Offline: true})
			}
		})
	}
}

// BenchmarkIndex is building the access index of a whole portal.
func BenchmarkIndex(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", s.members, s.blueprints), func(b *testing.B) {
			base, _ := loadPair(b, s.members, s.blueprints, synth.Change{})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				access.NewIndex(base)
			}
		})
	}
}
