package schema

import (
	"fmt"
	"testing"

	"github.com/qovery/portalctl/internal/synth"
	"go.yaml.in/yaml/v4"
)

var benchSizes = []struct{ members, blueprints int }{{1_000, 200}, {10_000, 1_000}, {100_000, 2_000}}

// BenchmarkValidate is `portalctl validate`: parse, schema, semantic checks, lints.
func BenchmarkValidate(b *testing.B) {
	l, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range benchSizes {
		data := synth.New(synth.Spec{Members: s.members, Blueprints: s.blueprints, Rules: 10, Seed: 1}).YAML(synth.Change{})
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", s.members, s.blueprints), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, ds := l.Parse("bench.yaml", data); ds.HasErrors() {
					b.Fatal(ds[0])
				}
			}
		})
	}
}

// BenchmarkYAMLOnly is the floor validate stands on: go.yaml.in/yaml/v4 parsing the same bytes
// into a node tree, with no checks at all.
func BenchmarkYAMLOnly(b *testing.B) {
	for _, s := range benchSizes {
		data := synth.New(synth.Spec{Members: s.members, Blueprints: s.blueprints, Rules: 10, Seed: 1}).YAML(synth.Change{})
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", s.members, s.blueprints), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var n yaml.Node
				if err := yaml.Unmarshal(data, &n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
