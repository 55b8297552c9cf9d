// Package action_test tests the scripts of the GitHub Action (action.yml at the
// repository root): installing a release checked against its checksums, falling back
// to a build from source, and running a command.
package action_test

import (
	"bytes"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/dist"
	"github.com/qovery/portalctl/internal/testkit"
)

// fakePortalctl stands in for the real binary in archives: the action runs
// `portalctl version` once installed.
const fakePortalctl = "#!/bin/sh\necho \"portalctl v1.2.3 (fake) $*\"\n"

// release serves, like GitHub's release downloads, the archives of v1.2.3 for
// linux/amd64 and windows/amd64 and their checksums file. tamper corrupts the linux
// archive after its checksum was taken; fail answers every request with 500.
type release struct {
	files  map[string][]byte
	tamper bool
	fail   bool
	git    http.Handler // serves qovery/portalctl.git, when set
}

// gitRepository serves, like GitHub, a repository qovery/portalctl.git with two
// commits: the first tagged v1.2.3 (an annotated tag), the second untagged. It
// returns the handler and the two commits.
func gitRepository(t *testing.T) (http.Handler, string, string) {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	work, root := t.TempDir(), t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		return testkit.Git(t, work, args...)
	}
	git("init", "-q")
	git("commit", "-q", "--allow-empty", "-m", "release")
	git("tag", "-a", "-m", "v1.2.3", "v1.2.3")
	tagged := git("rev-parse", "HEAD")
	git("commit", "-q", "--allow-empty", "-m", "after the release")
	untagged := git("rev-parse", "HEAD")
	git("clone", "-q", "--bare", ".", filepath.Join(root, "qovery", "portalctl.git"))
	h := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	return h, tagged, untagged
}

func newRelease(t *testing.T) *release {
	t.Helper()
	r := &release{files: map[string][]byte{}}
	mtime := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	var paths []string
	for name, write := range map[string]func(*bytes.Buffer) error{
		"portalctl_v1.2.3_linux_amd64.tar.gz": func(b *bytes.Buffer) error {
			return dist.WriteTarGz(b, []dist.File{{Name: "portalctl", Exec: true, Data: []byte(fakePortalctl)}, {Name: "README.md", Data: []byte("# portalctl\n")}}, mtime)
		},
		"portalctl_v1.2.3_windows_amd64.zip": func(b *bytes.Buffer) error {
			return dist.WriteZip(b, []dist.File{{Name: "portalctl.exe", Exec: true, Data: []byte(fakePortalctl)}}, mtime)
		},
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		r.files[name] = b.Bytes()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var sums bytes.Buffer
	if err := dist.WriteChecksums(&sums, paths); err != nil {
		t.Fatal(err)
	}
	r.files["portalctl_v1.2.3_checksums.txt"] = sums.Bytes()
	return r
}

func (r *release) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.git != nil && strings.HasPrefix(req.URL.Path, "/qovery/portalctl.git/") {
		r.git.ServeHTTP(w, req)
		return
	}
	if r.fail {
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	name, ok := strings.CutPrefix(req.URL.Path, "/qovery/portalctl/releases/download/v1.2.3/")
	data, found := r.files[name]
	if !ok || !found {
		http.NotFound(w, req)
		return
	}
	if r.tamper && strings.HasSuffix(name, ".tar.gz") {
		data = append(bytes.Clone(data), 0)
	}
	w.Write(data)
}

// runner is the environment GitHub gives a step of the action.
type runner struct {
	dir        string
	env        map[string]string
	outputFile string
	pathFile   string
}

func newRunner(t *testing.T, serverURL string) *runner {
	t.Helper()
	dir := t.TempDir()
	actionPath := filepath.Join(dir, "_actions", "qovery", "portalctl", "v1.2.3")
	if err := os.MkdirAll(actionPath, 0o755); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(dir, "temp")
	if err := os.MkdirAll(temp, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &runner{dir: dir, outputFile: filepath.Join(dir, "output"), pathFile: filepath.Join(dir, "path")}
	r.env = map[string]string{
		"GITHUB_ACTION_PATH": actionPath,
		"GITHUB_SERVER_URL":  serverURL,
		"GITHUB_OUTPUT":      r.outputFile,
		"GITHUB_PATH":        r.pathFile,
		"RUNNER_TEMP":        temp,
		"RUNNER_OS":          "Linux",
		"RUNNER_ARCH":        "X64",
		"ACTION_REF":         "v1.2.3",
		"ACTION_REPOSITORY":  "qovery/portalctl",
		"VERSION":            "",
		"PATH":               os.Getenv("PATH"),
		"HOME":               dir,
	}
	return r
}

func (r *runner) script(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	path, err := filepath.Abs(name)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{path}, args...)...)
	cmd.Dir = r.dir
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// outputs reads the step's outputs (name=value lines).
func (r *runner) outputs(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(r.outputFile)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

func (r *runner) paths(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(r.pathFile)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func TestInstallDownload(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		tamper  bool
		fail    bool
		found   string // the found output; "" when the step fails
		exe     string
		wantOut string
	}{
		{"the release of the action's ref", nil, false, false, "true", "portalctl", "SHA-256"},
		{"the version input wins over the ref", map[string]string{"VERSION": "v1.2.3", "ACTION_REF": "main"}, false, false, "true", "portalctl", "matches"},
		{"ref and repository from the action path", map[string]string{"ACTION_REF": "", "ACTION_REPOSITORY": ""}, false, false, "true", "portalctl", "matches"},
		{"a zip on Windows", map[string]string{"RUNNER_OS": "Windows"}, false, false, "true", "portalctl.exe", "matches"},
		{"a ref without a release", map[string]string{"ACTION_REF": "main"}, false, false, "false", "", "has no release main"},
		{"a platform the release lacks", map[string]string{"RUNNER_OS": "macOS", "RUNNER_ARCH": "ARM64"}, false, false, "false", "", "no archive for darwin/arm64"},
		{"a platform never released", map[string]string{"RUNNER_ARCH": "ARM"}, false, false, "false", "", "no release archive for Linux/ARM"},
		{"an archive that does not match its checksum", nil, true, false, "", "", "refusing to install it"},
		{"a server error", nil, false, true, "", "", "HTTP 500"},
		{"a commit SHA tagged as a release", map[string]string{"ACTION_REF": "$TAGGED"}, false, false, "true", "portalctl", "is release v1.2.3"},
		{"a commit SHA after the release", map[string]string{"ACTION_REF": "$UNTAGGED"}, false, false, "false", "", "has no release $UNTAGGED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.exe == "portalctl.exe" {
				if _, err := exec.LookPath("unzip"); err != nil {
					t.Skip("unzip is not installed")
				}
			}
			rel := newRelease(t)
			rel.tamper, rel.fail = tt.tamper, tt.fail
			commits := strings.NewReplacer()
			if strings.Contains(tt.name, "SHA") {
				var tagged, untagged string
				rel.git, tagged, untagged = gitRepository(t)
				commits = strings.NewReplacer("$TAGGED", tagged, "$UNTAGGED", untagged)
			}
			srv := httptest.NewServer(rel)
			defer srv.Close()
			r := newRunner(t, srv.URL)
			for k, v := range tt.env {
				r.env[k] = commits.Replace(v)
			}
			tt.wantOut = commits.Replace(tt.wantOut)
			out, err := r.script(t, "install.sh", "download")
			if (err == nil) != (tt.found != "") {
				t.Fatalf("err = %v, want the step to fail: %v\n%s", err, tt.found == "", out)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			outputs := r.outputs(t)
			if outputs["found"] != tt.found {
				t.Errorf("found=%q, want %q\n%s", outputs["found"], tt.found, out)
			}
			if tt.found != "true" {
				if p := r.paths(t); p != "" {
					t.Errorf("GITHUB_PATH got %q though nothing was installed", p)
				}
				return
			}
			bin := filepath.Join(r.env["RUNNER_TEMP"], "portalctl-v1.2.3", tt.exe)
			if outputs["path"] != bin || outputs["version"] != "v1.2.3" || r.paths(t) != filepath.Dir(bin) {
				t.Errorf("outputs %v and GITHUB_PATH %q, want path=%s", outputs, r.paths(t), bin)
			}
			if !strings.Contains(out, "portalctl v1.2.3 (fake) version") {
				t.Errorf("the installed binary did not run:\n%s", out)
			}
		})
	}
}

// TestInstallBuild builds from source when there is no release: from the module
// proxy, else from the action's own files when the version wanted is the action's ref.
func TestInstallBuild(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on the PATH")
	}
	tests := []struct {
		name    string
		version string
		wantErr string
	}{
		{"the action's own ref", "", ""},
		{"another version the proxy does not have", "v9.9.9", "cannot build portalctl v9.9.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t, "http://127.0.0.1:1")
			r.env["ACTION_REF"] = "0123456789abcdef0123456789abcdef01234567"
			r.env["VERSION"] = tt.version
			// The proxy is off: only the action's files can be built.
			r.env["GOPROXY"] = "off"
			r.env["GOFLAGS"] = os.Getenv("GOFLAGS")
			r.env["GOCACHE"] = os.Getenv("GOCACHE")
			if r.env["GOCACHE"] == "" {
				out, _ := exec.Command(goCmd, "env", "GOCACHE").Output()
				r.env["GOCACHE"] = strings.TrimSpace(string(out))
			}
			r.env["PATH"] = filepath.Dir(goCmd) + string(os.PathListSeparator) + r.env["PATH"]
			src := r.env["GITHUB_ACTION_PATH"]
			for name, content := range map[string]string{
				"go.mod":                 "module example.com/portalctl\n\ngo 1.22\n",
				"cmd/portalctl/main.go":  "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"portalctl from source\") }\n",
				"action/placeholder.txt": "",
			} {
				p := filepath.Join(src, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := r.script(t, "install.sh", "build")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(out, tt.wantErr) {
					t.Fatalf("err = %v, want %q:\n%s", err, tt.wantErr, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "portalctl from source") || r.outputs(t)["found"] != "true" {
				t.Errorf("not built and run from the action's files:\n%s\noutputs %v", out, r.outputs(t))
			}
		})
	}
}

// TestRun checks the command line the action builds from its inputs, and that the
// exit code is both recorded and returned.
func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		inputs   map[string]string
		code     string
		wantArgs []string
	}{
		{"validate a file", map[string]string{"INPUT_COMMAND": "validate", "INPUT_FILE": "config/portal.yaml", "INPUT_ARGS": "-o github"}, "0",
			[]string{"validate", "-f", "config/portal.yaml", "-o", "github"}},
		{"preview with a comment", map[string]string{"INPUT_COMMAND": "preview", "INPUT_BASE": "HEAD^1", "INPUT_COMMENT": "true"}, "0",
			[]string{"preview", "--base", "HEAD^1", "--comment"}},
		{"preview with a comment by another login", map[string]string{"INPUT_COMMAND": "preview", "INPUT_BASE": "HEAD^1", "INPUT_COMMENT": "true", "INPUT_COMMENT_AUTHOR": "portal-bot[bot]"}, "0",
			[]string{"preview", "--base", "HEAD^1", "--comment", "--comment-author", "portal-bot[bot]"}},
		{"base and comment only for preview", map[string]string{"INPUT_COMMAND": "plan", "INPUT_BASE": "HEAD^1", "INPUT_COMMENT": "true", "INPUT_ARGS": "--out portal.plan"}, "0",
			[]string{"plan", "--out", "portal.plan"}},
		{"arguments split on white space, never expanded", map[string]string{"INPUT_COMMAND": "access", "INPUT_ARGS": "  --blueprint\n*   $HOME "}, "0",
			[]string{"access", "--blueprint", "*", "$HOME"}},
		{"the exit code is kept", map[string]string{"INPUT_COMMAND": "plan", "INPUT_ARGS": "--detailed-exitcode"}, "2",
			[]string{"plan", "--detailed-exitcode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t, "")
			fake := filepath.Join(r.dir, "portalctl")
			script := "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG[$a]\"; done\nexit " + tt.code + "\n"
			if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			r.env["PORTALCTL"] = fake
			for k, v := range tt.inputs {
				r.env[k] = v
			}
			out, err := r.script(t, "run.sh")
			if (err == nil) != (tt.code == "0") {
				t.Fatalf("err = %v with exit code %s\n%s", err, tt.code, out)
			}
			var args []string
			for _, l := range strings.Split(out, "\n") {
				if a, ok := strings.CutPrefix(l, "ARG["); ok {
					args = append(args, strings.TrimSuffix(a, "]"))
				}
			}
			if strings.Join(args, "\x00") != strings.Join(tt.wantArgs, "\x00") {
				t.Errorf("portalctl %q, want %q", args, tt.wantArgs)
			}
			if got := r.outputs(t)["exit-code"]; got != tt.code {
				t.Errorf("exit-code=%q, want %s", got, tt.code)
			}
		})
	}
}

// TestScriptsPassShellcheck lints the scripts (CI installs shellcheck).
func TestScriptsPassShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck is not installed")
	}
	if out, err := exec.Command("shellcheck", "install.sh", "run.sh").CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
