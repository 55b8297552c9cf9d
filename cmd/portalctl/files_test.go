package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
)

// TestExpireWriteInPlace: expire --write writes the file a symbolic link leads
// to, keeping the link and the file's mode, and writes nothing when the file
// changed while it ran.
func TestExpireWriteInPlace(t *testing.T) {
	tests := []struct {
		name string
		// setup makes portal.yaml in dir and returns the path to give and the
		// file it leads to.
		setup func(t *testing.T, dir string) (path, target string)
		// edit, when set, is written to the target while expire runs, after it
		// read the file.
		edit     string
		wantCode int
		wantErr  []string
	}{
		{name: "regular file", setup: func(t *testing.T, dir string) (string, string) {
			p := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), expireFile, 0o640)
			return p, p
		}, wantCode: 2},
		{name: "link inside the repository", setup: func(t *testing.T, dir string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), expireFile, 0o600)
			return testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
		}, wantCode: 2},
		{name: "edited while it runs", setup: func(t *testing.T, dir string) (string, string) {
			p := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), expireFile, 0o644)
			return p, p
		}, edit: expireFile + "  # a reviewer's edit\n", wantCode: 1,
			wantErr: []string{"portal.yaml: it changed since it was read, so nothing was written (the other edit is kept): run `portalctl expire --write -f "}},
		{name: "link target edited while it runs", setup: func(t *testing.T, dir string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), expireFile, 0o644)
			return testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
		}, edit: strings.Replace(expireFile, "version: 1", "version: 1 # edited", 1), wantCode: 1,
			wantErr: []string{"it changed since it was read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path, target := tt.setup(t, dir)
			before, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			mode := testkit.Stat(t, target).Mode().Perm()
			r := cli{}.runWith(t, func(a *app) {
				if tt.edit != "" {
					// expire lists what expired before it writes: the edit
					// lands between its read and its write.
					a.stdout = &onFirstWrite{w: a.stdout, do: func() {
						if err := os.WriteFile(target, []byte(tt.edit), 0); err != nil {
							t.Error(err)
						}
					}}
				}
			}, "expire", "-f", path, "--write")
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			want := expireWant
			if tt.edit != "" {
				want = tt.edit
			}
			if got, _ := os.ReadFile(target); string(got) != want {
				t.Errorf("%s holds:\n%s\nwant:\n%s", target, got, want)
			}
			if got := testkit.Stat(t, target).Mode().Perm(); got != mode {
				t.Errorf("mode %v, want %v", got, mode)
			}
			if after, err := os.Lstat(path); err != nil || after.Mode().Type() != before.Mode().Type() {
				t.Errorf("%s was %v, is now %v (%v)", path, before.Mode().Type(), after.Mode().Type(), err)
			}
		})
	}
}

// onFirstWrite runs do before the first write to w.
type onFirstWrite struct {
	w    io.Writer
	do   func()
	once sync.Once
}

func (o *onFirstWrite) Write(p []byte) (int, error) {
	o.once.Do(o.do)
	return o.w.Write(p)
}

// TestPlanOut: plan --out refuses, before it reads the portal and writing
// nothing, the configuration file itself (also through a link or a hard link)
// and any existing file that is not a portalctl plan; it replaces an earlier
// plan, through a link the file the link leads to.
func TestPlanOut(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	config := readTestdata(t, "portal.yaml")
	earlier := filepath.Join(t.TempDir(), "earlier.plan")
	if r := (cli{env: p.env}).run(t, "plan", "-f", filepath.Join("testdata", "portal.yaml"), "--out", earlier); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(earlier)
	if err != nil {
		t.Fatal(err)
	}
	// An earlier plan, made another day: the new one differs.
	plan := strings.Replace(string(data), cliNow.Format(time.RFC3339), "2026-01-01T00:00:00Z", 1)
	if plan == string(data) {
		t.Fatal("the plan has no created_at to change")
	}
	tests := []struct {
		name string
		// setup makes the case in dir, where portal.yaml is the input, and
		// returns --out and the file that must be left as it is ("" when the
		// plan is written).
		setup func(t *testing.T, dir, input string) (out, kept string)
		want  string
		// written is the file the plan lands in, when it is.
		written func(dir string) string
	}{
		{name: "the input file", setup: func(t *testing.T, dir, input string) (string, string) {
			return input, input
		}, want: "is the configuration file"},
		{name: "the input file by another path", setup: func(t *testing.T, dir, input string) (string, string) {
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			sep := string(filepath.Separator)
			return dir + sep + "sub" + sep + ".." + sep + "portal.yaml", input
		}, want: "is the configuration file"},
		{name: "a link to the input file", setup: func(t *testing.T, dir, input string) (string, string) {
			return testkit.Symlink(t, "portal.yaml", filepath.Join(dir, "portal.plan")), input
		}, want: "is the configuration file"},
		{name: "a hard link to the input file", setup: func(t *testing.T, dir, input string) (string, string) {
			out := filepath.Join(dir, "portal.plan")
			if err := os.Link(input, out); err != nil {
				t.Skipf("hard links unavailable: %v", err)
			}
			return out, input
		}, want: "is the configuration file"},
		{name: "another file", setup: func(t *testing.T, dir, input string) (string, string) {
			return testkit.WriteFile(t, filepath.Join(dir, "notes.txt"), "my notes\n", 0o644), ""
		}, want: "exists and is not a portalctl plan"},
		{name: "JSON that is not a plan", setup: func(t *testing.T, dir, input string) (string, string) {
			return testkit.WriteFile(t, filepath.Join(dir, "package.json"), `{"name": "x", "format_version": 2}`, 0o644), ""
		}, want: "exists and is not a portalctl plan"},
		{name: "an empty file", setup: func(t *testing.T, dir, input string) (string, string) {
			return testkit.WriteFile(t, filepath.Join(dir, "portal.plan"), "", 0o644), ""
		}, want: "exists and is not a portalctl plan"},
		{name: "a directory", setup: func(t *testing.T, dir, input string) (string, string) {
			return dir, ""
		}, want: "is not a regular file"},
		{name: "a new file", setup: func(t *testing.T, dir, input string) (string, string) {
			return filepath.Join(dir, "portal.plan"), ""
		}, written: func(dir string) string { return filepath.Join(dir, "portal.plan") }},
		{name: "an earlier plan", setup: func(t *testing.T, dir, input string) (string, string) {
			return testkit.WriteFile(t, filepath.Join(dir, "portal.plan"), plan, 0o600), ""
		}, written: func(dir string) string { return filepath.Join(dir, "portal.plan") }},
		{name: "a link to an earlier plan", setup: func(t *testing.T, dir, input string) (string, string) {
			testkit.WriteFile(t, filepath.Join(dir, "plans", "latest.plan"), plan, 0o600)
			return testkit.Symlink(t, filepath.Join("plans", "latest.plan"), filepath.Join(dir, "portal.plan")), ""
		}, written: func(dir string) string { return filepath.Join(dir, "plans", "latest.plan") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			input := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), config, 0o644)
			out, kept := tt.setup(t, dir, input)
			var keptData []byte
			if kept == "" && tt.want != "" && out != dir {
				kept = out
			}
			if kept != "" {
				keptData, _ = os.ReadFile(kept)
			}
			outLink, _ := os.Lstat(out)
			p.emu.ResetStats()
			r := cli{env: p.env}.run(t, "plan", "-f", input, "--out", out)
			if tt.want != "" {
				if r.code != 1 || !strings.Contains(r.stderr, "--out "+out+" ") || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "nothing was written") {
					t.Fatalf("exit %d, want 1 naming --out %s and saying %q\n%s%s", r.code, out, tt.want, r.stdout, r.stderr)
				}
				if n := p.emu.Stats().Total; n != 0 {
					t.Errorf("%d requests to the portal before the refusal", n)
				}
				if kept != "" {
					if got, _ := os.ReadFile(kept); string(got) != string(keptData) {
						t.Errorf("%s was changed:\n%s", kept, got)
					}
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if got, err := os.ReadFile(tt.written(dir)); err != nil || !strings.HasPrefix(string(got), "{\n  \"format_version\": ") || string(got) == plan {
				t.Errorf("%s does not hold the new plan: %v\n%.200s", tt.written(dir), err, got)
			}
			if outLink != nil {
				if now, err := os.Lstat(out); err != nil || now.Mode().Type() != outLink.Mode().Type() {
					t.Errorf("%s was %v, is now %v (%v)", out, outLink.Mode().Type(), now.Mode().Type(), err)
				}
			}
			if got, _ := os.ReadFile(input); string(got) != config {
				t.Error("the configuration file was changed")
			}
		})
	}
}

// TestPreviewRefusesLinkOut: a pull request that turns portal.yaml into a
// symbolic link to a file outside the checkout, or into its .git, gets the file
// refused unread: the run fails naming the file and the link, and the secret
// the link leads to reaches no request to GitHub, no output and no summary.
// The comment says the file is refused, so that no earlier preview stays up
// as if it still held.
func TestPreviewRefusesLinkOut(t *testing.T) {
	const secret = "ghs_secret"
	tests := []struct {
		name string
		// link makes the link's target in the checkout dir and returns it.
		link func(t *testing.T, dir string) string
		want string
	}{
		{name: "a runner's credentials", link: func(t *testing.T, dir string) string {
			return testkit.WriteFile(t, filepath.Join(t.TempDir(), ".git-credentials"), "https://x-access-token:"+secret+"@github.com\n", 0o600)
		}, want: "outside the repository at "},
		{name: "the checkout's git config", link: func(t *testing.T, dir string) string {
			cfg := filepath.Join(dir, ".git", "config")
			data, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// What actions/checkout persists.
			extra := "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic " + secret + "\n"
			if err := os.WriteFile(cfg, append(data, extra...), 0o644); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(".git", "config")
		}, want: "inside the .git directory of the repository at "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := gitRepo(t, readTestdata(t, "portal.yaml"))
			file := filepath.Join(dir, "portal.yaml")
			target := tt.link(t, dir)
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			testkit.Symlink(t, target, file)
			testkit.Git(t, dir, "add", "portal.yaml")
			testkit.Git(t, dir, "commit", "-q", "-m", "the change")
			gh := newFakeGitHub()
			env := gh.serve(t)
			r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment", "--labels")
			r.refused(t, "read "+file+": it is a symbolic link to "+target, tt.want, "refused without reading it")
			summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
			gh.mu.Lock()
			bodies := strings.Join(gh.bodies, "\n")
			gh.mu.Unlock()
			for what, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "the step summary": string(summary), "a request to GitHub": bodies} {
				if strings.Contains(s, secret) {
					t.Errorf("%s holds the secret:\n%s", what, s)
				}
			}
			if body := gh.comment(); !strings.Contains(body, "is invalid") || !strings.Contains(body, "refused without reading it") {
				t.Errorf("the comment does not say the file is refused:\n%s", body)
			}
			// Labels are left alone: the change is unknown.
			gh.wantRequests(t, "GET "+ghRepo+"/issues/7/comments?page=1&per_page=100", "POST "+ghRepo+"/issues/7/comments")

			// validate refuses it the same way.
			r = cli{}.run(t, "validate", "-f", file)
			if r.code != 1 || !strings.Contains(r.stderr, "symbolic link to "+target) || strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestLinkInsideFollowed: a symbolic link to a file inside the repository is read
// by every command, preview's working tree included.
func TestLinkInsideFollowed(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir := gitRepo(t, base)
	file := filepath.Join(dir, "portal.yaml")
	testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), previewHead(base), 0o644)
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	testkit.Symlink(t, filepath.Join("config", "portal.yaml"), file)
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "the change")
	r := cli{}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "gpu-training") || !strings.Contains(r.stdout, "ken@company.com") {
		t.Errorf("preview: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := (cli{}).run(t, "validate", "-f", file); r.code != 0 {
		t.Errorf("validate: exit %d\n%s", r.code, r.stderr)
	}
}
