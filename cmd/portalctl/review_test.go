package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/review"
)

// reviewRepo is a git repository whose portal.yaml is committed on the days
// given (each with its committer date), then left as the last one.
func reviewRepo(t *testing.T, commits ...[2]string) string {
	t.Helper()
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q", "-b", "main")
	for _, c := range commits {
		testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), c[1], 0o644)
		testkit.Git(t, dir, "add", "portal.yaml")
		t.Setenv("GIT_COMMITTER_DATE", c[0])
		t.Setenv("GIT_AUTHOR_DATE", c[0])
		testkit.Git(t, dir, "commit", "-q", "-m", "on "+c[0])
	}
	return filepath.Join(dir, "portal.yaml")
}

const reviewHead = `version: 1
policy:
  review_every_days: 90
`

// TestReviewHistory: members join and leave, and rules change, between the
// review of 2026-06-01 and today (cliNow, 2026-11-23); the packet's gained and
// lost are exactly those, read from the file as of the last commit of the
// review day. Then --write sets reviewed: and nothing is due any more.
func TestReviewHistory(t *testing.T) {
	v1 := reviewHead + `members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
  - email: dave@company.com
  - email: ext@partner.io
blueprints:
  data:
    domains: [company.com]
    owners: [alice@company.com]
  ml:
    emails: [ext@partner.io]
    owners: [bob@company.com]
`
	// The review, in the morning; erin joins the same evening: she is in the
	// audience the owners confirmed (the file as of the end of that day).
	v2 := strings.Replace(v1, "    owners: [alice@company.com]\n", "    owners: [alice@company.com]\n    reviewed: 2026-06-01\n", 1)
	v3 := strings.Replace(v2, "  - email: ext@partner.io\n", "  - email: ext@partner.io\n  - email: erin@company.com\n", 1)
	// The next day frank joins and dave leaves; in July ext@partner.io is
	// given data by an email rule.
	v4 := strings.Replace(strings.Replace(v3, "  - email: dave@company.com\n", "", 1), "  - email: erin@company.com\n", "  - email: erin@company.com\n  - email: frank@company.com\n", 1)
	v5 := strings.Replace(v4, "    domains: [company.com]\n    owners: [alice", "    domains: [company.com]\n    emails: [ext@partner.io] # the partner's analyst\n    owners: [alice", 1)
	file := reviewRepo(t,
		[2]string{"2026-05-01T09:00:00Z", v1},
		[2]string{"2026-06-01T09:00:00Z", v2},
		[2]string{"2026-06-01T20:00:00Z", v3},
		[2]string{"2026-06-02T08:00:00Z", v4},
		[2]string{"2026-07-01T08:00:00Z", v5},
	)
	c := cli{}
	r := c.run(t, "review", "-f", file, "-o", "json")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (due)\n%s%s", r.code, r.stdout, r.stderr)
	}
	var out struct {
		Packets []review.Packet `json:"packets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Packets) != 2 || out.Packets[0].Blueprint != "data" || out.Packets[1].Blueprint != "ml" {
		t.Fatalf("packets: %+v", out.Packets)
	}
	data := out.Packets[0]
	v3commit := testkit.Git(t, filepath.Dir(file), "rev-parse", "HEAD~2")
	if data.State != review.Overdue || data.Since == nil || data.Since.Commit != v3commit {
		t.Fatalf("data: state %s, since %+v; want overdue, compared with %s", data.State, data.Since, v3commit)
	}
	changes := func(cs []review.Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Email+" "+string(c.Reason))
		}
		return out
	}
	if got, want := changes(data.Since.Gained), []string{"ext@partner.io rules", "frank@company.com joined"}; !slices.Equal(got, want) {
		t.Errorf("gained %q, want %q", got, want)
	}
	if got, want := changes(data.Since.Lost), []string{"dave@company.com left"}; !slices.Equal(got, want) {
		t.Errorf("lost %q, want %q", got, want)
	}
	if out.Packets[1].State != review.Never || out.Packets[1].Since != nil {
		t.Errorf("ml: %+v, want never reviewed and no comparison", out.Packets[1])
	}

	// The owner signs off: reviewed: today, in place, the comment kept.
	r = c.run(t, "review", "-f", file, "--owner", "alice@company.com", "--write", "-o", "markdown")
	if r.code != 2 || !strings.Contains(r.stderr, "Set reviewed: 2026-11-23 on 1 blueprint in "+file) || !strings.Contains(r.stdout, "## `data`") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(v5, "reviewed: 2026-06-01", "reviewed: 2026-11-23", 1); string(got) != want {
		t.Fatalf("written:\n%s\nwant:\n%s", got, want)
	}
	r = c.run(t, "review", "-f", file, "--owner", "alice@company.com")
	if r.code != 0 || !strings.Contains(r.stdout, "no blueprint to review") {
		t.Fatalf("after the sign-off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestReviewWriteSplit: --write edits the fragment that holds the blueprint.
func TestReviewWriteSplit(t *testing.T) {
	dir := t.TempDir()
	root := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), reviewHead+"include:\n  - path: teams/*.yaml\n    blueprints: [ml-*]\nmembers:\n  - email: alice@company.com\nblueprints:\n  data:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-11-01\n", 0o644)
	frag := "blueprints:\r\n  ml-train: # GPUs\r\n    domains: [company.com]\r\n    owners: [alice@company.com]\r\n"
	fragFile := testkit.WriteFile(t, filepath.Join(dir, "teams", "ml.yaml"), frag, 0o644)
	before, _ := os.ReadFile(root)
	r := cli{}.run(t, "review", "-f", root, "--write")
	if r.code != 2 || !strings.Contains(r.stderr, "in "+fragFile) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got, _ := os.ReadFile(fragFile); string(got) != frag+"    reviewed: 2026-11-23\r\n" {
		t.Fatalf("fragment written:\n%q", got)
	}
	if after, _ := os.ReadFile(root); string(after) != string(before) {
		t.Fatalf("the root, whose blueprint is not due, changed:\n%s", after)
	}
}

func TestReviewExitCodes(t *testing.T) {
	outside := t.TempDir() // not a git repository
	notDue := reviewHead + "members:\n  - email: alice@company.com\nblueprints:\n  data:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-11-01\n"
	never := strings.Replace(notDue, "    reviewed: 2026-11-01\n", "", 1)
	open := notDue + "  hb:\n    access: open\n"
	noPolicy := strings.Replace(never, "policy:\n  review_every_days: 90\n", "", 1)
	write := func(name, content string) string {
		return testkit.WriteFile(t, filepath.Join(outside, name), content, 0o644)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout, or stderr for exit 1
	}{
		{"nothing due", []string{"-f", write("not-due.yaml", notDue)}, 0, "no blueprint to review"},
		{"no policy, nothing due", []string{"-f", write("no-policy.yaml", noPolicy)}, 0, "the policy sets no review_every_days"},
		{"never reviewed is due", []string{"-f", write("never.yaml", never)}, 2, "data: never reviewed"},
		{"named, not due, needs history", []string{"-f", write("named.yaml", notDue), "--blueprint", "data"}, 1, "is not inside a git repository"},
		{"unknown blueprint", []string{"-f", write("unknown.yaml", notDue), "--blueprint", "dta"}, 1, `no blueprint "dta"`},
		{"open blueprint", []string{"-f", write("open.yaml", open), "--blueprint", "hb"}, 1, "is open to every member"},
		{"bad owner", []string{"-f", write("owner.yaml", notDue), "--owner", "not an email"}, 1, "is not an email"},
		{"invalid file", []string{"-f", write("bad.yaml", "version: 1\nmembers: 3\n")}, 1, "bad.yaml:2"},
		{"stdin", []string{"-f", "-"}, 1, "give a path with -f"},
		{"bad format", []string{"-f", write("fmt.yaml", notDue), "-o", "html"}, 1, "html"},
		{"all and blueprint", []string{"-f", write("all.yaml", notDue), "--all", "--blueprint", "data"}, 1, "drop --blueprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli{}.run(t, append([]string{"review"}, tt.args...)...)
			out := r.stdout
			if tt.code == 1 {
				out = r.stderr
			}
			if r.code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want %d with %q\n%s%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

// TestReviewedHints: the byte scan finds the days written after reviewed:,
// quoted or not, in any style, once each and sorted, and leaves out what is
// not a day of the calendar and the days after today.
func TestReviewedHints(t *testing.T) {
	today := portal.Date{Year: 2026, Month: 11, Day: 23}
	tests := []struct {
		name, data string
		want       []string
	}{
		{"block", "  a:\n    reviewed: 2026-06-01\n  b:\n    reviewed: 2025-01-02\n", []string{"2025-01-02", "2026-06-01"}},
		{"once each", "reviewed: 2026-06-01\nreviewed: 2026-06-01\n", []string{"2026-06-01"}},
		{"quoted and flow", "a: {reviewed: '2026-06-01'}\nb: {reviewed: \"2026-06-02\"}\n", []string{"2026-06-01", "2026-06-02"}},
		{"a comment counts", "# reviewed: 2026-06-01\n", []string{"2026-06-01"}},
		{"today, not after", "reviewed: 2026-11-23\nreviewed: 2026-11-24\n", []string{"2026-11-23"}},
		{"not a day", "reviewed: 2026-02-30\nreviewed: 2026-6-1\nreviewed: soon\nreviewed: 2026", nil},
		{"quoted key missed", "\"reviewed\": 2026-06-01\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range reviewedHints([]byte(tt.data), today) {
				got = append(got, d.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("hints %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReviewHintsOnly: the days a byte scan of the file finds only start the
// reads early. A day the scan finds that no blueprint is reviewed on (a
// comment) is let go, and a day it misses (a quoted key) is read after the
// parse: the packets are those of the same file without either.
func TestReviewHintsOnly(t *testing.T) {
	v1 := reviewHead + "members:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\nblueprints:\n" +
		"  data:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-06-01\n" +
		"  ml:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-07-01\n"
	v2 := strings.Replace(v1, "  - email: bob@company.com\n", "  - email: bob@company.com\n  - email: carol@company.com\n", 1)
	v3 := strings.Replace(v2, "  - email: bob@company.com\n", "", 1)
	file := reviewRepo(t,
		[2]string{"2026-05-01T09:00:00Z", v1},
		[2]string{"2026-06-15T09:00:00Z", v2},
		[2]string{"2026-08-01T09:00:00Z", v3},
	)
	c := cli{}
	want := c.run(t, "review", "-f", file, "--all", "-o", "json")
	if want.code != 2 || !strings.Contains(want.stdout, "carol@company.com") || !strings.Contains(want.stdout, "bob@company.com") {
		t.Fatalf("exit %d\n%s%s", want.code, want.stdout, want.stderr)
	}
	variants := map[string]string{
		"a comment":    v3 + "# reviewed: 2026-05-02, before the policy\n",
		"a quoted key": strings.Replace(v3, "    reviewed: 2026-07-01\n", "    \"reviewed\": 2026-07-01\n", 1),
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			testkit.WriteFile(t, file, v, 0o644)
			got := c.run(t, "review", "-f", file, "--all", "-o", "json")
			if got.code != want.code || got.stdout != want.stdout || got.stderr != want.stderr {
				t.Fatalf("exit %d, want %d\n%s%s\nwant:\n%s%s", got.code, want.code, got.stdout, got.stderr, want.stdout, want.stderr)
			}
		})
	}
}

// cancelOnWrite is an output that stops the command (cancels its context) the
// first time it is written to, as an interrupt while packets are written.
type cancelOnWrite struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	w.n += len(p)
	return len(p), nil
}

// TestReviewStoppedWhileWriting: review stopped while its packets are being
// written (an interrupt) ends, saying how many packets were written, and
// never waits for a packet that will not come. It once waited without end when
// the stop reached the goroutine that queues the packets.
func TestReviewStoppedWhileWriting(t *testing.T) {
	var b strings.Builder
	b.WriteString(reviewHead + "members:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  - email: user%02d@company.com\n", i)
	}
	b.WriteString("  - email: alice@company.com\n    role: admin\nblueprints:\n")
	for i := range 400 {
		fmt.Fprintf(&b, "  bp%03d:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-0%d-01\n", i, 6+i%3)
	}
	file := reviewRepo(t,
		[2]string{"2026-05-15T10:00:00Z", b.String()},
		[2]string{"2026-06-15T10:00:00Z", strings.Replace(b.String(), "  - email: user00@company.com\n", "", 1)},
		[2]string{"2026-07-15T10:00:00Z", strings.Replace(b.String(), "  - email: user01@company.com\n", "", 1)},
	)
	for round := range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		out := &cancelOnWrite{cancel: cancel}
		var errOut bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: out, stderr: &errOut, getenv: func(string) string { return "" },
			now: func() time.Time { return cliNow }, isTerminal: func(any) bool { return false }}
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"review", "--all", "-o", "json", "-f", file}, a) }()
		select {
		case code := <-done:
			// Stopped while writing, or while a day it needs is still read.
			if msg := errOut.String(); code != 1 || !strings.Contains(msg, "portalctl review: stopped, the output incomplete (") && !strings.Contains(msg, "portalctl review: context canceled") {
				t.Fatalf("round %d: exit %d after %d bytes, want 1 saying it was stopped:\n%s", round, code, out.n, errOut.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: review did not end 30 s after it was stopped", round)
		}
		cancel()
	}
}
