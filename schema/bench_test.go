package schema

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/synth"
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

// BenchmarkSchema compares three ways of applying the JSON schema to the 100k
// document, its tree already parsed: the walk over the node tree that validate
// uses; the validator on each member, group and blueprint converted on its own
// (sub-schemas compiled once); the validator on the whole document converted to Go
// values (what validate did before). BENCHMARKS.md quotes them.
func BenchmarkSchema(b *testing.B) {
	l, err := New()
	if err != nil {
		b.Fatal(err)
	}
	data := synth.New(synth.Spec{Members: 100_000, Blueprints: 2_000, Rules: 10, Seed: 1}).YAML(synth.Change{})
	root, ok := parseYAML("bench.yaml", data, &diag.Collector{})
	if !ok {
		b.Fatal("the benchmark file does not parse")
	}
	b.Run("walk", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ds := &diag.Collector{}
			l.fast.check("bench.yaml", root, nil, ds)
			if len(ds.List()) > 0 {
				b.Fatal(ds.List()[0])
			}
		}
	})
	b.Run("validator-per-entry", func(b *testing.B) {
		top := resolve(l.schema)
		member := resolve(schemaAt(l.schema, []string{"members", "0"}))
		group := resolve(schemaAt(l.schema, []string{"groups", "g"}))
		blueprint := resolve(schemaAt(l.schema, []string{"blueprints", "b"}))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			shallow := map[string]any{}
			for _, p := range pairs(deref(root)) {
				name := keyString(p.k)
				switch name {
				case "members":
					shallow[name] = []any{}
					for _, m := range items(p.v) {
						v, _, _ := toJSON(m, maxConverted)
						if err := member.Validate(v); err != nil {
							b.Fatal(err)
						}
					}
				case "groups", "blueprints":
					shallow[name] = map[string]any{}
					sub := group
					if name == "blueprints" {
						sub = blueprint
					}
					for _, e := range pairs(p.v) {
						v, _, _ := toJSON(e.v, maxConverted)
						if err := sub.Validate(v); err != nil {
							b.Fatal(err)
						}
					}
				default:
					shallow[name], _, _ = toJSON(p.v, maxConverted)
				}
			}
			if err := top.Validate(shallow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validator-whole-document", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			v, _, err := toJSON(root, maxConverted)
			if err != nil {
				b.Fatal(err)
			}
			if err := l.schema.Validate(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
