package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// invitations is a portal with one admin and a file inviting n people.
func invitations(t *testing.T, n int) (*emulator.Server, string) {
	t.Helper()
	st, file := emutest.Invitations(n)
	emu, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg, Initial: st})
	if err != nil {
		t.Fatal(err)
	}
	return emu, testkit.WriteFile(t, filepath.Join(t.TempDir(), "portal.yaml"), file, 0o644)
}

var progressLine = regexp.MustCompile(`^\[ *\d+/\d+\] invite (\S+) as user(.*)$`)

// The API dies while apply, with its default flags, sends 200 invitations: it
// closes (connection refused), or stops answering. The run ends, its summary
// names the API and the cause and lists what was not sent, and what it says
// matches the portal. How long it took is bounded by the requests the dead API
// received: each hangs at most one per-attempt timeout, parallelism at a time.
func TestApplyWhenTheAPIDiesCLI(t *testing.T) {
	t.Parallel() // mostly waiting: on backoffs, or on a hung API
	if testing.Short() {
		t.Skip("the hung API costs one default per-attempt timeout (10 s)")
	}
	const n, killAfter = 200, 40
	for _, how := range []string{"closed", "hangs"} {
		t.Run(how, func(t *testing.T) {
			emu, path := invitations(t, n)
			// The API answers everything until it has answered killAfter
			// changes; then it is dead for every request.
			var changes, hung atomic.Int64
			var dead atomic.Bool
			var closing sync.Once
			stop := make(chan struct{})
			var ts *httptest.Server
			ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet && changes.Add(1) > killAfter {
					dead.Store(true)
				}
				if !dead.Load() {
					emu.ServeHTTP(w, r)
					return
				}
				io.Copy(io.Discard, r.Body) // so that the server sees the client hang up
				if how == "closed" {
					closing.Do(func() { go ts.Close() })
					if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
						conn.Close()
					}
					return
				}
				hung.Add(1)
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			t.Cleanup(ts.Close)
			t.Cleanup(func() { close(stop) })
			env := map[string]string{"QOVERY_API_TOKEN": testToken, "QOVERY_API_URL": ts.URL, "QOVERY_ORGANIZATION_ID": testOrg}
			r := cli{env: env}.run(t, "apply", "-f", path, "--auto-approve")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.code, lastLines(r.stdout, 30), r.stderr)
			}
			out := r.stdout
			summary := regexp.MustCompile(`Apply finished: (\d+) done, 0 failed, (\d+) uncertain, (\d+) not sent\.`).FindStringSubmatch(out)
			if summary == nil {
				t.Fatalf("no summary:\n%s", lastLines(out, 30))
			}
			cause := map[string]string{"closed": "", "hangs": "Client.Timeout exceeded"}[how]
			if !strings.Contains(out, "Stopped: the portal API at "+ts.URL+" stopped answering") || !strings.Contains(out, cause) {
				t.Errorf("the summary does not name the API and the cause:\n%s", lastLines(out, 30))
			}
			if strings.Contains(out+r.stderr, "context canceled") {
				t.Errorf("a cancellation is reported as a cause:\n%s", out)
			}
			inPortal := map[string]bool{}
			for _, m := range emu.Members() {
				inPortal[m.Email] = true
			}
			done, notSent := 0, 0
			for _, line := range strings.Split(out, "\n") {
				m := progressLine.FindStringSubmatch(line)
				switch {
				case m == nil:
				case m[2] == "":
					done++
					if !inPortal[m[1]] {
						t.Errorf("%s reported done, not in the portal", m[1])
					}
				case strings.HasPrefix(m[2], ": not sent: "):
					notSent++
					if inPortal[m[1]] {
						t.Errorf("%s reported not sent, in the portal", m[1])
					}
				case !strings.HasPrefix(m[2], ": UNCERTAIN: "):
					t.Errorf("line %q", line)
				}
			}
			// The first killAfter changes reach the live API; closing it can cut
			// one still being answered, which is then uncertain, not done.
			uncertain, _ := strconv.Atoi(summary[2])
			if done+uncertain < killAfter || notSent == 0 || fmt.Sprint(done) != summary[1] || fmt.Sprint(notSent) != summary[3] {
				t.Errorf("%d done, %d uncertain and %d not sent in the progress lines, want at least %d done or uncertain; summary %q", done, uncertain, notSent, killAfter, summary[0])
			}
			if !strings.Contains(out, "  not sent: invite ") || !strings.Contains(out, "the portal API is unavailable (see Stopped)") {
				t.Errorf("the summary does not list what was not sent:\n%s", lastLines(out, 10))
			}
			if h := hung.Load(); h > 2*8 {
				t.Errorf("%d requests hung on the dead API, want at most 16 (two rounds of 8)", h)
			}
			t.Logf("%s; %d requests hung", summary[0], hung.Load())
		})
	}
}

// Ctrl-C in the middle of an apply: the process stops sending, reports what was
// never sent as "not sent: interrupted" (never as a failure, never as "context
// canceled"), and exits 1.
func TestApplyInterruptedBySIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	emu, path := invitations(t, 60)
	emu.SetLatency(30 * time.Millisecond)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cmd := exec.Command(os.Args[0], "apply", "-f", path, "--auto-approve", "--parallelism", "2")
	cmd.Env = append(os.Environ(), "PORTALCTL_TEST_AS_MAIN=1", "NO_COLOR=1",
		"QOVERY_API_TOKEN="+testToken, "QOVERY_API_URL="+srv.URL, "QOVERY_ORGANIZATION_ID="+testOrg)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	interrupted := false
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if !interrupted && strings.HasPrefix(sc.Text(), "[10/") {
			cmd.Process.Signal(os.Interrupt)
			interrupted = true
		}
	}
	err = cmd.Wait()
	if !interrupted {
		t.Fatalf("apply finished before it could be interrupted:\n%s", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1\n%s%s", code, err, out.String(), stderr.String())
	}
	text := out.String()
	if strings.Contains(text+stderr.String(), "context canceled") || strings.Contains(text, "FAILED") {
		t.Errorf("an interruption reported as a failure:\n%s", text)
	}
	if !strings.Contains(text, ": not sent: interrupted") || !strings.Contains(text, "Stopped: interrupted.") || !regexp.MustCompile(`Apply finished: \d+ done, 0 failed, \d+ uncertain, [1-9]\d* not sent\.`).MatchString(text) {
		t.Errorf("the output does not say what was not sent:\n%s", lastLines(text, 15))
	}
	inPortal := map[string]bool{}
	for _, m := range emu.Members() {
		inPortal[m.Email] = true
	}
	for _, line := range strings.Split(text, "\n") {
		if m := progressLine.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[2], ": not sent") && inPortal[m[1]] {
			t.Errorf("%s reported not sent, in the portal", m[1])
		}
	}
}

// Lines apply prints about live objects are terminal-safe: a blueprint whose name in
// the portal holds a right-to-left override or a zero-width space shows them as
// escapes; a member whose address holds them is refused (portalctl cannot compare
// it with the file), named with escapes, and nothing is sent.
func TestApplyLinesAreTerminalSafe(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	p.emu.AddBlueprint("invoice\u202egpj.exe\u200b", "", nil)
	r := cli{env: p.env}.run(t, "apply", "-f", filepath.Join("testdata", "portal.yaml"), "--auto-approve")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.ContainsAny(r.stdout+r.stderr, "\u202e\u200b") {
		t.Errorf("the output holds raw hidden controls:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `invoice\u202egpj.exe\u200b`) {
		t.Errorf("the unmanaged blueprint is not shown with escapes:\n%s", r.stdout)
	}

	p.emu.AddMember("eve\u202egnp.exe\u200b@company.com", qovery.RoleUser, qovery.StatusActive)
	p.emu.ResetStats()
	r = cli{env: p.env}.run(t, "apply", "-f", filepath.Join("testdata", "portal.yaml"), "--auto-approve", "--max-removal-percent", "50")
	if r.code != 1 || !strings.Contains(r.stderr, `member "eve\u202egnp.exe\u200b@company.com"`) || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.ContainsAny(r.stdout+r.stderr, "\u202e\u200b") {
		t.Errorf("the output holds raw hidden controls:\n%s", r.stderr)
	}
	if n := writes(p); n != 0 {
		t.Errorf("%d writes after the refusal", n)
	}
}

// export never writes a hidden control from the portal: it names each value that
// holds one, escaped, and says what to do.
func TestExportRefusesHiddenControls(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	p.emu.AddBlueprint("invoice\u202egpj.exe", "", nil)
	r := cli{env: p.env}.run(t, "export")
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	for _, want := range []string{`blueprint "invoice\u202egpj.exe" holds the invisible control character U+202E`, "rename or remove them in the portal"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// A member's address with one is no address portalctl reads: refused as it
	// is read, named with escapes.
	p.emu.AddMember("eve\u200b@company.com", qovery.RoleUser, qovery.StatusActive)
	r = cli{env: p.env}.run(t, "export")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `member "eve\u200b@company.com"`) || !strings.Contains(r.stderr, "nothing was exported") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\u200b\u202e") {
		t.Errorf("stderr holds a raw hidden control:\n%s", r.stderr)
	}
}
