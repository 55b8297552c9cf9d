package testkit_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/schema"
)

// TestRandomFile: most random files are valid, and they cover what they mean to.
func TestRandomFile(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	valid, withOrg, withGroups := 0, 0, 0
	for range 300 {
		cfg, ds := l.Parse("portal.yaml", testkit.RandomFile(r))
		if ds.HasErrors() {
			continue
		}
		valid++
		if cfg.Org != nil {
			withOrg++
		}
		if slices.ContainsFunc(cfg.Blueprints, func(b portal.Blueprint) bool { return len(b.Groups) > 0 }) {
			withGroups++
		}
	}
	if valid < 150 || withOrg == 0 || withGroups == 0 {
		t.Errorf("%d valid of 300, %d with organization members, %d with groups", valid, withOrg, withGroups)
	}
}
