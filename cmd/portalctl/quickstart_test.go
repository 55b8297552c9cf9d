//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// quickStart returns the shell blocks of the README's "Quick start" section, in order.
func quickStart(t *testing.T, readme string) []string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n### Quick start\n")
	if !ok {
		t.Fatal("README.md has no \"### Quick start\" section")
	}
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```sh\n")
		if !ok {
			return blocks
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			t.Fatal("unterminated code block in the quick start")
		}
		blocks = append(blocks, block)
		section = after
	}
}

// TestQuickStart runs the README's quick start exactly as written, in a copy of the
// repository committed to a fresh git repository: the build, the emulator (in the
// background, as in its own terminal), then the commands. The build stamps the
// copy's commit, which `portalctl version` must report.
func TestQuickStart(t *testing.T) {
	t.Parallel() // a few seconds of shells: alongside the other slow tests
	for _, tool := range []string{"git", "make", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := quickStart(t, string(readme))
	if len(blocks) != 3 || !strings.HasPrefix(blocks[1], "bin/portal-emulator ") {
		t.Fatalf("the quick start should be three blocks: build, the emulator, the commands; got %q", blocks)
	}

	// The emulator listens on a fixed port: one quick start at a time on this machine.
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "portalctl-quickstart.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	dir := copyRepository(t, root)
	var env []string // this environment (the Go caches too), without the portal's settings
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QOVERY_") && !strings.HasPrefix(kv, "MAKE") {
			env = append(env, kv)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shell := func(block string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", block)
		cmd.Dir = dir
		cmd.Env = env
		return cmd
	}

	if out, err := shell(blocks[0]).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", blocks[0], err, out)
	}

	emulator := shell(blocks[1])
	emulator.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := emulator.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	emulator.Stderr = &stderr
	if err := emulator.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-emulator.Process.Pid, syscall.SIGTERM)
		emulator.Wait()
	}()
	first, err := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(first, "listening on ") {
		t.Fatalf("the emulator did not start (%v): %q\n%s", err, first, stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	out, err := shell(blocks[2]).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s\nemulator:\n%s", err, out, stderr.String())
	}
	for _, want := range []string{"is valid", "erin@partner.org"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the commands' output lacks %q:\n%s", want, out)
		}
	}

	version, err := exec.Command(filepath.Join(dir, "bin", "portalctl"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "(commit " + strings.TrimSpace(string(head)) + ")"; !strings.Contains(string(version), want) {
		t.Errorf("portalctl version = %q, want the commit of the build %s", version, want)
	}
}

// copyRepository copies the repository's files (tracked, or new and not ignored: what
// a clone with the current changes would hold) to a new git repository with one commit.
func copyRepository(t *testing.T, root string) string {
	t.Helper()
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Stat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=quickstart", "-c", "user.email=quickstart@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "quick start"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args, err, out)
		}
	}
	return dir
}
