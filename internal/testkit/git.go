package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// Git runs the git CLI in dir, as a fixed author who signs nothing and with
// symbolic links on, and returns its output, trimmed. It skips the test where
// git is not installed and fails it when git fails.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	cmd := exec.Command("git", append([]string{
		"-c", "user.name=t", "-c", "user.email=t@example.com",
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.symlinks=true",
	}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}
