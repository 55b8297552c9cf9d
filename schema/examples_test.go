package schema

import (
	"path/filepath"
	"testing"

	"github.com/qovery/portalctl/internal/guard"
)

// TestExamplesAreValid keeps the examples users copy from honest: each one loads
// without an error or a warning.
func TestExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob("../examples/config/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	files = append(files, "../portal.yaml")
	l := newLoader(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := ReadFileMax(f, nil, guard.DefaultMaxFileSize)
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := l.Parse(f, data)
			for _, d := range ds {
				t.Errorf("%s: %s: %s", d.Pos, d.Severity, d.Message)
			}
			if cfg == nil || len(cfg.Blueprints) == 0 {
				t.Error("example has no blueprints")
			}
		})
	}
}
