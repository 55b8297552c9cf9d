package planfile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// BenchmarkPlanFileWide is plan --out then apply --plan's reading of the widest
// change: every blueprint's rules change at 100,000 members and 2,000 blueprints.
// It reports the size of the plan file.
func BenchmarkPlanFileWide(b *testing.B) {
	live, desired := widest(b)
	path := filepath.Join(b.TempDir(), "portal.plan")
	l := loader(b, portal.Date{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, _ := reconcile.Diff(desired, live, reconcile.DiffOptions{})
		data, err := planfile.Marshal(p, time.Now(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := atomicfile.Write(path, data); err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		pf, err := planfile.Read(f, path, nil)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		saved, err := pf.Plan(l)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reconcile.Recheck(saved, live, portal.Date{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if st, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(st.Size())/(1<<20), "plan-MiB")
	}
}
