package planfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// widest is the widest change at the scale of the targets: a portal of 100,000
// members and 2,000 blueprints whose every ACL changes, as the live state and the
// file, with the ids ReadLive gives.
func widest(tb testing.TB) (live, desired *portal.Config) {
	tb.Helper()
	l, err := schema.New(schema.NoLints())
	if err != nil {
		tb.Fatal(err)
	}
	g := synth.New(synth.Spec{Members: 100_000, Blueprints: 2_000, Rules: 10, Seed: 1})
	live, ds := l.Parse("live.yaml", g.YAML(synth.Change{}))
	if ds.HasErrors() {
		tb.Fatal(ds[0])
	}
	desired, ds = l.Parse("portal.yaml", g.YAML(synth.Change{ChangedBlueprints: 2_000}))
	if ds.HasErrors() {
		tb.Fatal(ds[0])
	}
	for i := range live.Members {
		live.Members[i].ID, live.Members[i].Status = fmt.Sprintf("m-%d", i), portal.StatusActive
	}
	for i := range live.Blueprints {
		live.Blueprints[i].ID, live.Blueprints[i].ETag = fmt.Sprintf("b-%d", i), fmt.Sprintf(`"%d"`, i)
		live.Blueprints[i].Groups = nil
		for j := range live.Blueprints[i].Rules {
			live.Blueprints[i].Rules[j].Group = "" // the portal knows only emails
		}
	}
	live.Groups = nil
	return live, desired
}

// plan --out writes only plans apply --plan accepts, at the sizes plan handles:
// the widest change of the targets is written, read back, and passes every check
// of a saved plan.
func TestPlanFileAtScale(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("plans 100,000 members × 2,000 blueprints twice: seconds, a minute under the race detector; run go test ./planfile/")
	}
	live, desired := widest(t)
	p, ds := reconcile.Diff(desired, live, reconcile.DiffOptions{})
	if ds.HasErrors() || p.Count(reconcile.UpdateACL) != 2_000 {
		t.Fatalf("plan: %v, %d ACL updates", ds, p.Count(reconcile.UpdateACL))
	}
	key := []byte("a-plan-key-long-enough")
	data, err := planfile.Marshal(p, time.Now(), key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "portal.plan")
	if err := atomicfile.Write(path, data); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := planfile.Read(f, path, key)
	if err != nil {
		t.Fatalf("apply --plan would refuse the plan plan --out wrote: %v", err)
	}
	saved, err := pf.Plan(loader(t, portal.Date{}))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := reconcile.Recheck(saved, live, portal.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Bind(fresh, live); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d members, %d ACL updates: plan file %.1f MiB", len(live.Members), len(fresh.Ops), float64(len(data))/(1<<20))
}
