package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery/emulator"
)

const (
	testOrg   = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"
	testToken = "tok-SECRET-123-do-not-print"
)

// portalEnv is a running emulator and the environment that points the CLI at it.
type portalEnv struct {
	emu *emulator.Server
	url string
	env map[string]string
	dir string
}

// startPortal serves an emulator seeded from seed over loopback HTTP.
func startPortal(t *testing.T, seed string) *portalEnv {
	t.Helper()
	return startPortalWith(t, seed, emulator.Options{})
}

// startPortalWith is startPortal with emulator options (the token, organization
// and seed are set here). Every request and answer is checked against the
// OpenAPI documents: the portal's, and the organization's endpoints of Qovery's
// published API.
func startPortalWith(t *testing.T, seed string, opts emulator.Options) *portalEnv {
	t.Helper()
	return startPortalBehind(t, seed, opts, nil)
}

// startPortalBehind is startPortalWith with the emulator served through wrap (a
// test's own control over when requests are answered); nil serves it directly.
func startPortalBehind(t *testing.T, seed string, opts emulator.Options, wrap func(http.Handler) http.Handler) *portalEnv {
	t.Helper()
	return startPortalState(t, opts, wrap, emutest.Seed(seed))
}

// startPortalState is startPortalBehind with the emulator's initial state in
// opts.Initial, for states a seed cannot describe.
func startPortalState(t *testing.T, opts emulator.Options, wrap func(http.Handler) http.Handler, with ...emutest.Option) *portalEnv {
	t.Helper()
	opts.Token, opts.OrganizationID = testToken, testOrg
	if wrap != nil {
		with = append(with, emutest.Through(wrap))
	}
	srv := emutest.Start(t, opts, with...)
	return &portalEnv{
		emu: srv.Emu,
		url: srv.URL,
		dir: t.TempDir(),
		env: map[string]string{
			"QOVERY_API_TOKEN":       testToken,
			"QOVERY_API_URL":         srv.URL,
			"QOVERY_ORGANIZATION_ID": testOrg,
			"NO_COLOR":               "",
		},
	}
}

// write puts a file in the test's directory and returns its path.
func (p *portalEnv) write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type result struct {
	code           int
	stdout, stderr string
}

// refused fails t unless the command exited 1 with each of want in its stderr.
func (r result) refused(t *testing.T, want ...string) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

// cli runs portalctl in-process with env as its whole environment.
type cli struct {
	env      map[string]string
	stdin    string
	terminal bool
	answer   string    // typed at apply's confirmation, when set
	now      time.Time // the clock; zero: cliNow
}

// cliNow is the clock of the CLI tests: 2026-11-23, noon UTC.
var cliNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func (c cli) run(t testing.TB, args ...string) result {
	t.Helper()
	return c.runWith(t, nil, args...)
}

// runWith is run with setup changing the app before the command runs.
func (c cli) runWith(t testing.TB, setup func(*app), args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(c.stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string {
			if v, ok := c.env[k]; ok || k != "COLUMNS" {
				return v
			}
			// Reports are laid out on one line each, unless a test sets a width:
			// what the emulator's address or a fingerprint adds would move the
			// breaks from run to run.
			return "10000"
		},
		now: func() time.Time {
			if !c.now.IsZero() {
				return c.now
			}
			return cliNow
		},
		isTerminal: func(any) bool {
			return c.terminal
		},
	}
	if c.answer != "" {
		a.confirm = func(prompt string) (bool, error) {
			out.WriteString(prompt + c.answer + "\n")
			return c.answer == "yes", nil
		}
	}
	if setup != nil {
		setup(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, args, a)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

var (
	uuidRE        = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	fingerprintRE = regexp.MustCompile(`sha256:[0-9a-f]{12,64}`)
	loopbackRE    = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	etagRE        = regexp.MustCompile(`"etag": "(\\"|[^"])*"`)
)

// scrub replaces what changes from run to run (ids, etags, temporary paths).
func scrub(s string, dirs ...string) string {
	for _, d := range dirs {
		s = strings.ReplaceAll(s, d, "$DIR")
	}
	s = strings.ReplaceAll(s, testOrg, "$ORG")
	s = uuidRE.ReplaceAllString(s, "$$UUID")
	s = fingerprintRE.ReplaceAllString(s, "sha256:$$FINGERPRINT")
	s = etagRE.ReplaceAllString(s, `"etag": "$$ETAG"`)
	s = loopbackRE.ReplaceAllString(s, "$$API")
	return s
}
