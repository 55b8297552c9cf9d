package drift_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qovery/portalctl/drift"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/schema"
)

// TestSyncProperty: for random files and a random portal, sync either refuses
// a group it cannot drop whole, or edits the files so that they plan no change
// against the portal, and a second sync finds nothing.
func TestSyncProperty(t *testing.T) {
	pools := testkit.Pools{
		Locals:  []string{"ann", "bob", "cy", "dee"},
		Domains: []string{"a.com", "b.org"},
		Groups:  []string{"ops", "sre"},
	}
	l := testkit.Must(schema.New(schema.Today(today)))
	synced, refused := 0, 0
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 7))
		want := pools.Config(r, 4)
		data, err := schema.Marshal(want, "# random")
		if err != nil {
			continue // a rule the file cannot write
		}
		files := memFiles{"portal.yaml": data}
		if r.IntN(2) == 0 {
			files = crlf(files)
		}
		if _, ds := l.Load(context.Background(), "portal.yaml", files["portal.yaml"], files); ds.HasErrors() {
			continue
		}
		live := pools.Config(r, 4)
		live.Groups = nil
		for i := range live.Blueprints {
			live.Blueprints[i].Groups = nil
			for j := range live.Blueprints[i].Rules {
				live.Blueprints[i].Rules[j].Group = ""
			}
		}
		cfg := load(t, files)
		res, err := drift.Sync(cfg, files, live, drift.Options{Today: today})
		if err != nil {
			if !strings.Contains(err.Error(), "sync cannot drop part of a group") {
				t.Fatalf("seed %d: %v\n%s", seed, err, files["portal.yaml"])
			}
			refused++
			continue
		}
		after := memFiles{"portal.yaml": res.After("portal.yaml", files["portal.yaml"])}
		settled(t, after, live)
		again, err := drift.Sync(load(t, after), after, live, drift.Options{Today: today})
		if err != nil || len(again.Changes) > 0 {
			t.Fatalf("seed %d: a second sync: %v %v\n%s", seed, err, again, after["portal.yaml"])
		}
		synced++
	}
	if synced < 40 {
		t.Errorf("only %d of 100 random cases synced (%d refused)", synced, refused)
	}
}
