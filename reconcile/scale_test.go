package reconcile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// bigOpening is a portal of n members and five blueprints restricted to one
// address each, and a desired state that opens all five: five operations whose
// access impact names every member five times.
func bigOpening(n, opened int) (live, desired *portal.Config) {
	live = &portal.Config{Version: 1, Organization: testOrg}
	desired = &portal.Config{Version: 1, Organization: testOrg}
	for i := range n {
		role := portal.RoleUser
		if i == 0 {
			role = portal.RoleAdmin
		}
		email := fmt.Sprintf("member%06d@company%d.com", i, i%50)
		live.Members = append(live.Members, portal.Member{ID: fmt.Sprintf("m-%06d", i), Email: email, Role: role, Status: portal.StatusActive})
		desired.Members = append(desired.Members, portal.Member{Email: email, Role: role})
	}
	for i := range opened {
		name := fmt.Sprintf("blueprint-%d", i)
		live.Blueprints = append(live.Blueprints, portal.Blueprint{ID: fmt.Sprintf("b-%d", i), Name: name, ETag: fmt.Sprintf(`"e%d"`, i),
			Rules: []portal.Rule{{Kind: portal.RuleEmail, Value: live.Members[i].Email}}})
		desired.Blueprints = append(desired.Blueprints, portal.Blueprint{Name: name, Open: true})
	}
	return live, desired
}

// plan --out writes only plans apply --plan accepts, at the sizes plan handles: a
// 130,000-member portal whose plan file is well over the old 64 MiB limit is
// written as a stream under the one limit, read back as a stream, and passes every
// check of a saved plan.
func TestPlanFileAtScale(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes and reads a plan of 89 MiB: 7 s, and 50 s under the race detector; run go test ./reconcile/")
	}
	live, desired := bigOpening(130_000, 5)
	p, ds := reconcile.Diff(desired, live, reconcile.DiffOptions{})
	if ds.HasErrors() || len(p.Ops) != 5 {
		t.Fatalf("plan: %v %v", ds, actions(p.Ops))
	}
	path := filepath.Join(t.TempDir(), "portal.plan")
	key := []byte("a-plan-key-long-enough")
	err := atomicfile.WriteFrom(path, func(w io.Writer) error {
		return p.WriteJSON(&reconcile.CapWriter{W: w, Max: reconcile.MaxPlanBytes}, time.Now(), key)
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() <= 64<<20 {
		t.Errorf("the plan is %d bytes; the case is meant to exceed the old 64 MiB limit", st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved, err := reconcile.ReadPlan(f, key)
	if err != nil {
		t.Fatalf("apply --plan would refuse the plan plan --out wrote: %v", err)
	}
	fresh, err := reconcile.Recheck(saved, live, portal.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if err := reconcile.Bind(fresh, live); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d members: plan file %d MiB", len(live.Members), st.Size()>>20)
}
