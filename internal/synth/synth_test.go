package synth

import (
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/schema"
)

// TestGeneratedIsValid: what the benchmarks measure must be a valid portal.
func TestGeneratedIsValid(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	g := New(Spec{Members: 2000, Blueprints: 100, Rules: 10, Seed: 1})
	for _, ch := range []Change{{}, {ChangedBlueprints: 5, NewMembers: 10, RemovedMembers: 10, OpenBlueprints: 1}} {
		cfg, ds := l.Parse("synth.yaml", g.YAML(ch))
		if ds.HasErrors() {
			t.Fatalf("generated file is invalid: %v", ds[0])
		}
		if len(cfg.Members) != 2000+ch.NewMembers-ch.RemovedMembers || len(cfg.Blueprints) != 100 {
			t.Fatalf("got %d members, %d blueprints", len(cfg.Members), len(cfg.Blueprints))
		}
	}
	if string(g.YAML(Change{})) != string(New(Spec{Members: 2000, Blueprints: 100, Rules: 10, Seed: 1}).YAML(Change{})) {
		t.Fatal("the same spec must give the same file")
	}
}

// TestDenseShapes: every dense shape is one YAML document of about the size asked.
func TestDenseShapes(t *testing.T) {
	for _, shape := range DenseShapes() {
		t.Run(shape, func(t *testing.T) {
			data, err := Dense(shape, 64<<10)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) < 64<<10 || len(data) > 64<<10+8<<10 {
				t.Errorf("%d bytes, want about 65536", len(data))
			}
			var n yaml.Node
			if err := yaml.Load(data, &n); err != nil {
				t.Errorf("not one YAML document: %v", err)
			}
		})
	}
	if _, err := Dense("nope", 10); err == nil {
		t.Error("an unknown shape is accepted")
	}
}
