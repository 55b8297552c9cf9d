package worktree

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOfAndOutside: the root is the nearest directory with a .git (a directory
// or a file) on the path as written, and a path is inside it unless it leaves it
// or goes into .git, in any case.
func TestOfAndOutside(t *testing.T) {
	base := t.TempDir()
	mk := func(path string, dir bool) {
		t.Helper()
		p := filepath.Join(base, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if dir {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, []byte("gitdir: elsewhere\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("repo/.git", true)
	mk("repo/sub/deep", true)
	mk("repo/module/.git", false) // a submodule or a linked worktree
	mk("plain/dir", true)
	at := func(p string) string { return filepath.Join(base, filepath.FromSlash(p)) }

	for _, tt := range []struct {
		dir, root string
		inRepo    bool
	}{
		{"repo", "repo", true},
		{"repo/sub/deep", "repo", true},
		{"repo/module", "repo/module", true},
		{"plain/dir", "plain/dir", false},
	} {
		if root, inRepo := Of(at(tt.dir)); root != at(tt.root) || inRepo != tt.inRepo {
			t.Errorf("Of(%s) = %s, %v; want %s, %v", tt.dir, root, inRepo, at(tt.root), tt.inRepo)
		}
	}
	for _, tt := range []struct {
		real   string
		inRepo bool
		want   string
	}{
		{"repo/portal.yaml", true, ""},
		{"repo/sub/deep/portal.yaml", true, ""},
		{"repo/.git/config", true, "inside the .git directory of the repository at"},
		{"repo/sub/.GIT/config", true, "inside the .git directory of the repository at"},
		{"elsewhere/portal.yaml", true, "outside the repository at"},
		{"repository/portal.yaml", true, "outside the repository at"},
		{"elsewhere/portal.yaml", false, "outside the directory of the file (no git repository holds it),"},
	} {
		if got := Outside(at("repo"), at(tt.real), tt.inRepo); got != tt.want {
			t.Errorf("Outside(repo, %s, %v) = %q, want %q", tt.real, tt.inRepo, got, tt.want)
		}
	}
}
