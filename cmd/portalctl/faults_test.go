package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// TestMain lets the test binary act as portalctl itself, so that a test can run it
// as a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("PORTALCTL_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// manyChanges returns a seed and a file between which there are dozens of changes
// of every kind: 30 invitations, 3 promotions, 2 demotions, 4 removals and 12 ACL
// updates.
func manyChanges() (seed, file string) {
	var s, f strings.Builder
	s.WriteString("members:\n")
	f.WriteString("version: 1\nmembers:\n")
	for i := 0; i < 20; i++ {
		role := "user"
		if i < 3 {
			role = "admin"
		}
		fmt.Fprintf(&s, "  - email: staff%02d@company.com\n    role: %s\n", i, role)
		want := role
		switch {
		case i == 1 || i == 2:
			want = "user" // demoted
		case i >= 3 && i < 6:
			want = "admin" // promoted
		}
		if i >= 16 {
			continue // removed
		}
		fmt.Fprintf(&f, "  - email: staff%02d@company.com\n    role: %s\n", i, want)
	}
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&f, "  - email: new%02d@partner.org\n", i)
	}
	s.WriteString("blueprints:\n")
	f.WriteString("blueprints:\n")
	for i := 0; i < 15; i++ {
		fmt.Fprintf(&s, "  bp-%02d:\n    emails: [staff%02d@company.com]\n", i, i)
		if i < 12 {
			fmt.Fprintf(&f, "  bp-%02d:\n    domains: [partner.org]\n    emails: [staff%02d@company.com]\n", i, i)
		} else {
			fmt.Fprintf(&f, "  bp-%02d:\n    emails: [staff%02d@company.com]\n", i, i)
		}
	}
	return s.String(), f.String()
}

func noDuplicates(t *testing.T, members []qovery.Member) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range members {
		e := strings.ToLower(m.Email)
		if seen[e] {
			t.Errorf("duplicate member %s: an invitation was sent twice", e)
		}
		seen[e] = true
	}
}

// TestApplyConvergesUnderFaults: with a fifth of the requests failing (502s and
// dropped connections, some after the portal processed them) and a rate limit,
// apply converges to exactly the file's state within three runs, with no duplicate
// invitation.
func TestApplyConvergesUnderFaults(t *testing.T) {
	seed, file := manyChanges()
	p := startPortal(t, seed)
	path := p.write(t, "portal.yaml", file)
	p.emu.SetFaults(0.2, 40)
	c := cli{env: p.env}
	converged := false
	for run := 1; run <= 3 && !converged; run++ {
		r := c.run(t, "apply", "-f", path, "--auto-approve")
		t.Logf("run %d: exit %d; %s", run, r.code, lastLine(r.stdout+r.stderr))
		converged = r.code == 0
		noDuplicates(t, p.emu.Members())
	}
	if !converged {
		t.Fatal("apply did not converge in three runs under faults")
	}
	p.emu.SetFaults(0, 0)
	if r := c.run(t, "plan", "-f", path, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after convergence shows changes (exit %d):\n%s", r.code, r.stdout)
	}
	if got := len(p.emu.Members()); got != 16+30 {
		t.Errorf("%d members, want 46", got)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestApplyKilledMidway kills an apply process after a few operations and checks
// that running apply again finishes the job without duplicates.
func TestApplyKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	seed, file := manyChanges()
	p := startPortal(t, seed)
	path := p.write(t, "portal.yaml", file)
	p.emu.SetLatency(40 * time.Millisecond)

	cmd := exec.Command(os.Args[0], "apply", "-f", path, "--auto-approve", "--parallelism", "2")
	cmd.Env = append(os.Environ(), "PORTALCTL_TEST_AS_MAIN=1", "NO_COLOR=1")
	for k, v := range p.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "[10/") {
			cmd.Process.Kill()
			killed = true
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	if !killed {
		t.Fatal("apply finished before it could be killed")
	}
	done := len(p.emu.Members())
	p.emu.SetLatency(0)
	r := cli{env: p.env}.run(t, "apply", "-f", path, "--auto-approve")
	if r.code != 0 {
		t.Fatalf("re-run after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "done, 0 failed") {
		t.Errorf("re-run summary:\n%s", r.stdout)
	}
	t.Logf("members when killed: %d; re-run: %s", done, lastLine(r.stdout))
	noDuplicates(t, p.emu.Members())
	if r := (cli{env: p.env}).run(t, "plan", "-f", path, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after the re-run shows changes:\n%s", r.stdout)
	}
}

// TestConcurrentApplies runs two applies at once that want different rules on the
// same blueprint. Both read the same ACL version; the portal accepts the first write
// and refuses the second (412): the loser says so and overwrites nothing.
//
// Both reads happen before either write, whatever the machine's load: the server
// holds every ACL write until it has answered two ACL reads.
func TestConcurrentApplies(t *testing.T) {
	seed := "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  shared:\n    emails: [alice@company.com]\n"
	var reads sync.WaitGroup
	reads.Add(2)
	bothRead := make(chan struct{})
	go func() { reads.Wait(); close(bothRead) }()
	var counted sync.Mutex
	n := 0
	barrier := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			acl := strings.HasSuffix(r.URL.Path, "/acl")
			if acl && r.Method == http.MethodPut {
				select {
				case <-bothRead:
				case <-time.After(30 * time.Second):
					t.Error("the second apply never read the ACL")
				}
			}
			next.ServeHTTP(w, r)
			if acl && r.Method == http.MethodGet {
				counted.Lock()
				if n++; n <= 2 {
					reads.Done()
				}
				counted.Unlock()
			}
		})
	}
	p := startPortalBehind(t, seed, emulator.Options{}, barrier)
	base := "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  shared:\n"
	files := []string{
		p.write(t, "a.yaml", base+"    domains: [company.com]\n"),
		p.write(t, "b.yaml", base+"    domains: [partner.org]\n"),
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = cli{env: p.env}.run(t, "apply", "-f", files[i], "--auto-approve")
		}()
	}
	wg.Wait()
	winners, losers := 0, 0
	var winner int
	for i, r := range results {
		switch {
		case r.code == 0:
			winners++
			winner = i
		case strings.Contains(r.stdout, "changed in the portal since it was read") && strings.Contains(r.stdout, "nothing was overwritten"):
			losers++
		default:
			t.Errorf("apply %d: exit %d without saying why\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	if winners != 1 || losers != 1 {
		t.Fatalf("want one apply to win and one to report the concurrent edit; got %d winners, %d losers", winners, losers)
	}
	acl, _ := p.emu.ACL("shared")
	want := []string{"company.com", "partner.org"}[winner]
	if len(acl.Rules) != 1 || acl.Rules[0].Value != want {
		t.Errorf("ACL is %v, want the winner's %s: the loser overwrote it", acl.Rules, want)
	}
}
