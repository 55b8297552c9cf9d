package planfile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/qovery/portalctl/planfile"
)

// FuzzRead: whatever Read accepts is a plan Encode writes back the same, and the
// plan it holds loads the same from both.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"plan.golden.json", "format2.plan.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"format_version":3,"created_at":"2026-11-20T14:09:26Z","organization":"o","fingerprint":"x","digest":"sha256:0","operations":[],"desired":"version: 1\n"}`))
	f.Add([]byte(`{"format_version":3,"organization":"o","organization":"p"}`))
	f.Add([]byte(`{"format_version":3,"operations":[{"action":"org_reinvite","email":"a@b.co","invite_id":"i","role":"Admin","role_id":"r","expired":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := planfile.Read(bytes.NewReader(data), "fuzz.plan", nil)
		if err != nil {
			return
		}
		if pf.Fingerprint == "" || pf.Digest == "" || pf.Organization == "" {
			t.Fatal("accepted a plan without a fingerprint, a digest or an organization")
		}
		out, err := pf.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := planfile.Read(bytes.NewReader(out), "fuzz.plan", nil)
		if err != nil {
			t.Fatalf("a plan Read accepted does not read again once encoded: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, pf) {
			t.Fatalf("the plan changed through a round trip:\n%+v\n%+v", pf, again)
		}
		l := loader(t, today)
		p1, err1 := pf.Plan(l)
		p2, err2 := again.Plan(l)
		if (err1 == nil) != (err2 == nil) || err1 == nil && opsJSON(p1.Ops) != opsJSON(p2.Ops) {
			t.Fatalf("the plan loads differently: %v / %v", err1, err2)
		}
	})
}
