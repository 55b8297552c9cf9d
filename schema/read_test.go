package schema

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/internal/testkit"
)

// TestReadFileOnlyInside: a path is read only as a regular file inside the
// repository that holds it; everything else is refused, naming the file and why,
// and never quoting what it leads to.
func TestReadFileOnlyInside(t *testing.T) {
	const secret = "https://x-access-token:ghs_secret@github.com\n"
	const config = "version: 1\n"
	tests := []struct {
		name string
		// setup builds the case in repo (a work tree, .git included) and out (a
		// directory outside it) and returns the path to read.
		setup func(t *testing.T, repo, out string) string
		// want is what the error says; none: the file is read and holds config.
		want     []string
		notExist bool
	}{
		{name: "regular file", setup: func(t *testing.T, repo, out string) string {
			return testkit.WriteFile(t, filepath.Join(repo, "portal.yaml"), config, 0o644)
		}},
		{name: "link inside the repository", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(repo, "config", "portal.yaml"), config, 0o644)
			return testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(repo, "portal.yaml"))
		}},
		{name: "link to a link inside", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(repo, "a.yaml"), config, 0o644)
			testkit.Symlink(t, "a.yaml", filepath.Join(repo, "b.yaml"))
			return testkit.Symlink(t, "b.yaml", filepath.Join(repo, "portal.yaml"))
		}},
		{name: "linked worktree (.git is a file)", setup: func(t *testing.T, repo, out string) string {
			tree := filepath.Join(out, "tree")
			testkit.WriteFile(t, filepath.Join(tree, ".git"), "gitdir: "+filepath.Join(repo, ".git")+"\n", 0o644)
			testkit.WriteFile(t, filepath.Join(tree, "portal.yaml"), config, 0o644)
			return testkit.Symlink(t, "portal.yaml", filepath.Join(tree, "link.yaml"))
		}},
		{name: "link out of the repository", setup: func(t *testing.T, repo, out string) string {
			creds := testkit.WriteFile(t, filepath.Join(out, ".git-credentials"), secret, 0o644)
			return testkit.Symlink(t, creds, filepath.Join(repo, "portal.yaml"))
		}, want: []string{"portal.yaml", "symbolic link to", ".git-credentials", "outside the repository at", "refused without reading it"}},
		{name: "relative link out of the repository", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(filepath.Dir(repo), "secret.txt"), secret, 0o644)
			return testkit.Symlink(t, filepath.Join("..", "secret.txt"), filepath.Join(repo, "portal.yaml"))
		}, want: []string{"symbolic link to ../secret.txt", "outside the repository"}},
		{name: "link into .git", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(repo, ".git", "config"), "[http]\n\textraheader = AUTHORIZATION: basic ghs_secret\n", 0o644)
			return testkit.Symlink(t, filepath.Join(".git", "config"), filepath.Join(repo, "portal.yaml"))
		}, want: []string{"symbolic link to .git", "inside the .git directory of the repository"}},
		{name: ".git named directly", setup: func(t *testing.T, repo, out string) string {
			return testkit.WriteFile(t, filepath.Join(repo, ".git", "config"), "[http]\n\textraheader = AUTHORIZATION: basic ghs_secret\n", 0o644)
		}, want: []string{"it is inside the .git directory of the repository"}},
		{name: "directory link out on the way", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(out, "portal.yaml"), secret, 0o644)
			testkit.Symlink(t, out, filepath.Join(repo, "config"))
			return filepath.Join(repo, "config", "portal.yaml")
		}, want: []string{"through a symbolic link on its way", "outside the repository"}},
		{name: "dangling link", setup: func(t *testing.T, repo, out string) string {
			return testkit.Symlink(t, "gone.yaml", filepath.Join(repo, "portal.yaml"))
		}, want: []string{"symbolic link to gone.yaml, which does not exist"}},
		{name: "directory", setup: func(t *testing.T, repo, out string) string {
			dir := filepath.Join(repo, "portal.yaml")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			return dir
		}, want: []string{"it is a directory, not a regular file"}},
		{name: "link to a directory inside", setup: func(t *testing.T, repo, out string) string {
			if err := os.Mkdir(filepath.Join(repo, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			return testkit.Symlink(t, "sub", filepath.Join(repo, "portal.yaml"))
		}, want: []string{"it is a symbolic link to a directory"}},
		{name: "missing", setup: func(t *testing.T, repo, out string) string {
			return filepath.Join(repo, "portal.yaml")
		}, want: []string{"portal.yaml"}, notExist: true},
		{name: "outside any repository, link to a sibling directory", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(out, "other", "portal.yaml"), secret, 0o644)
			return testkit.Symlink(t, filepath.Join("..", "other", "portal.yaml"), filepath.Join(out, "here", "portal.yaml"))
		}, want: []string{"outside the directory of the file (no git repository holds it), OUT" + string(filepath.Separator) + "here:"}},
		{name: "outside any repository, link below", setup: func(t *testing.T, repo, out string) string {
			testkit.WriteFile(t, filepath.Join(out, "here", "sub", "portal.yaml"), config, 0o644)
			return testkit.Symlink(t, filepath.Join("sub", "portal.yaml"), filepath.Join(out, "here", "portal.yaml"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, out := filepath.Join(t.TempDir(), "repo"), t.TempDir()
			if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			path := tt.setup(t, repo, out)
			data, err := ReadFileMax(path, nil, guard.DefaultMaxFileSize)
			if len(tt.want) == 0 {
				if err != nil || string(data) != config {
					t.Fatalf("read %q, %v; want %q", data, err, config)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %q, want an error", data)
			}
			msg := strings.ReplaceAll(err.Error(), out, "OUT")
			if !strings.HasPrefix(err.Error(), "read "+path+": ") {
				t.Errorf("error %q does not name %s first", err, path)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, "ghs_secret") {
				t.Errorf("error quotes what the link leads to: %q", msg)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v (%v)", got, tt.notExist, err)
			}
		})
	}
}
