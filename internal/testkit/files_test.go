package testkit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// TestFilesAndGit: a file written with its mode past the umask, a link, and a
// commit made by git as the fixed author.
func TestFilesAndGit(t *testing.T) {
	dir := t.TempDir()
	path := testkit.WriteFile(t, filepath.Join(dir, "sub", "portal.yaml"), "version: 1\n", 0o664)
	if st := testkit.Stat(t, path); st.Mode().Perm() != 0o664 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	link := testkit.Symlink(t, path, filepath.Join(dir, "link", "portal.yaml"))
	if data, err := os.ReadFile(link); err != nil || string(data) != "version: 1\n" {
		t.Errorf("through the link: %q, %v", data, err)
	}
	testkit.Git(t, dir, "init", "-q")
	testkit.Git(t, dir, "add", "sub/portal.yaml")
	testkit.Git(t, dir, "commit", "-q", "-m", "first")
	if got := testkit.Git(t, dir, "log", "--format=%an <%ae> %s"); got != "t <t@example.com> first" {
		t.Errorf("git log: %q", got)
	}
}
