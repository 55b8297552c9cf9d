package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// bigPortal is an emulator holding members and blueprints, each blueprint with one
// domain rule and one email rule, and a matching portal.yaml.
func bigPortal(t testing.TB, members, blueprints int, latency time.Duration) (*emulator.Server, map[string]string, string) {
	t.Helper()
	st := &emulator.State{}
	var file strings.Builder
	file.WriteString("version: 1\nmembers:\n")
	for i := 0; i < members; i++ {
		role := qovery.RoleUser
		if i == 0 {
			role = qovery.RoleAdmin
		}
		email := fmt.Sprintf("user%05d@company%d.com", i, i%7)
		st.Members = append(st.Members, qovery.Member{ID: fmt.Sprintf("m-%05d", i), Email: email, Role: role, Status: qovery.StatusActive})
		fmt.Fprintf(&file, "  - email: %s\n    role: %s\n", email, strings.ToLower(string(role)))
	}
	file.WriteString("blueprints:\n")
	for i := 0; i < blueprints; i++ {
		email := fmt.Sprintf("user%05d@company%d.com", i%members, (i%members)%7)
		st.Blueprints = append(st.Blueprints, emulator.BlueprintState{
			ID: fmt.Sprintf("b-%04d", i), Name: fmt.Sprintf("bp-%04d", i),
			Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: fmt.Sprintf("company%d.com", i%7)}, {Type: qovery.RuleEmail, Value: email}},
		})
		fmt.Fprintf(&file, "  bp-%04d:\n    domains: [company%d.com]\n    emails: [%s]\n", i, i%7, email)
	}
	emu, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg, Initial: st, Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	env := map[string]string{"QOVERY_API_TOKEN": testToken, "QOVERY_API_URL": srv.URL, "QOVERY_ORGANIZATION_ID": testOrg}
	return emu, env, file.String()
}

// TestPlanRoundTrips: plan reads the portal in exactly
// ceil(members/100) + ceil(blueprints/100) + blueprints requests, and apply makes
// exactly one request per change.
func TestPlanRoundTrips(t *testing.T) {
	emu, env, file := bigPortal(t, 250, 130, 0)
	p := &portalEnv{dir: t.TempDir()}
	path := p.write(t, "portal.yaml", file)
	emu.ResetStats()
	r := cli{env: env}.run(t, "plan", "-f", path, "--detailed-exitcode")
	if r.code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got, want := emu.Stats().Total, 3+2+130; got != want {
		t.Errorf("plan made %d requests, want %d: %v", got, want, emu.Stats().Requests)
	}
	// Change 3 ACLs, invite 2, remove 1: six changes, six requests after the reads.
	changed := strings.Replace(file, "domains: [company1.com]", "domains: [company1.com, partner.org]", 3)
	changed = strings.Replace(changed, "  - email: user00249@company4.com\n    role: user\n", "", 1)
	changed = strings.Replace(changed, "blueprints:\n", "  - email: new1@company1.com\n  - email: new2@company2.com\nblueprints:\n", 1)
	path = p.write(t, "portal.yaml", changed)
	emu.ResetStats()
	r = cli{env: env}.run(t, "apply", "-f", path, "--auto-approve")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got, want := emu.Stats().Total, 3+2+130+6; got != want {
		t.Errorf("apply made %d requests, want %d reads + 6 changes: %v", got, want, emu.Stats().Requests)
	}
}

// BenchmarkPlanLatency runs plan against an emulator answering every request after
// 20 ms, and reports the requests made and the wall time against the floor SPEC §8
// sets: round trips ÷ concurrency × latency (target: within 1.5×).
func BenchmarkPlanLatency(b *testing.B) {
	const latency = 20 * time.Millisecond
	for _, size := range []struct{ members, blueprints int }{{1000, 500}} {
		b.Run(fmt.Sprintf("members=%d/blueprints=%d", size.members, size.blueprints), func(b *testing.B) {
			emu, env, file := bigPortal(b, size.members, size.blueprints, latency)
			dir := b.TempDir()
			path := filepath.Join(dir, "portal.yaml")
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				b.Fatal(err)
			}
			emu.ResetStats()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				r := cli{env: env}.run(b, "plan", "-f", path, "--detailed-exitcode")
				if r.code != 0 {
					b.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
				}
			}
			wall := time.Since(start) / time.Duration(b.N)
			requests := emu.Stats().Total / b.N
			floor := time.Duration(float64(requests) / 8 * float64(latency))
			b.ReportMetric(float64(requests), "requests/op")
			b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
			b.ReportMetric(float64(wall)/float64(floor), "x-floor")
		})
	}
}
