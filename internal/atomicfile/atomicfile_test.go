package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.plan")
	for _, content := range []string{"first", "second, longer than the first"} {
		if err := Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := Write(filepath.Join(dir, "missing", "x"), []byte("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

// A stream that fails part-way leaves the old file as it was and no temporary file.
func TestWriteFromFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.plan")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("too large")
	err := WriteFrom(path, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file is %q after a failed write, want the old content", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestReplaceKeepsMode: a file people edit keeps its permissions when replaced.
func TestReplaceKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceIfUnchanged(path, []byte("old"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" || st.Mode().Perm() != 0o644 {
		t.Fatalf("after ReplaceIfUnchanged: %q, mode %v; want \"new\", 0644", got, st.Mode().Perm())
	}
}

// TestReplaceIfUnchanged: an in-place edit writes the file a symbolic link leads
// to, keeping the link and the file's mode, and writes nothing when the file no
// longer holds what the edit was made from.
func TestReplaceIfUnchanged(t *testing.T) {
	const old, edited = "version: 1\nmembers: []\n", "version: 1\n"
	tests := []struct {
		name string
		// setup makes the file in dir and returns the path given and the path
		// of the file it leads to.
		setup func(t *testing.T, dir string) (path, target string)
		// meanwhile, when set, is what the file holds by the time of the write.
		meanwhile string
		wantErr   error
	}{
		{name: "regular file", setup: func(t *testing.T, dir string) (string, string) {
			p := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), old, 0o640)
			return p, p
		}},
		{name: "symbolic link", setup: func(t *testing.T, dir string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), old, 0o600)
			return testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
		}},
		{name: "link to a link", setup: func(t *testing.T, dir string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(dir, "a", "real.yaml"), old, 0o664)
			testkit.Symlink(t, filepath.Join("a", "real.yaml"), filepath.Join(dir, "b.yaml"))
			return testkit.Symlink(t, "b.yaml", filepath.Join(dir, "portal.yaml")), target
		}},
		{name: "edited since it was read", setup: func(t *testing.T, dir string) (string, string) {
			p := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), old, 0o644)
			return p, p
		}, meanwhile: old + "  - email: new@company.com\n", wantErr: ErrChanged},
		{name: "edited through the link", setup: func(t *testing.T, dir string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), old, 0o644)
			return testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
		}, meanwhile: "version: 1\nmembers: [x]\n", wantErr: ErrChanged},
		{name: "shortened since it was read", setup: func(t *testing.T, dir string) (string, string) {
			p := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), old, 0o644)
			return p, p
		}, meanwhile: old[:5], wantErr: ErrChanged},
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
			if tt.meanwhile != "" {
				if err := os.WriteFile(target, []byte(tt.meanwhile), 0); err != nil {
					t.Fatal(err)
				}
			}
			err = ReplaceIfUnchanged(path, []byte(old), []byte(edited))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			want := edited
			if tt.wantErr != nil {
				want = tt.meanwhile
			}
			if got, _ := os.ReadFile(target); string(got) != want {
				t.Errorf("%s holds %q, want %q", target, got, want)
			}
			if got := testkit.Stat(t, target).Mode().Perm(); got != mode {
				t.Errorf("mode %v, want %v", got, mode)
			}
			after, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if after.Mode().Type() != before.Mode().Type() {
				t.Errorf("%s was %v, is now %v", path, before.Mode().Type(), after.Mode().Type())
			}
			if tmp := temporaries(t, dir); len(tmp) > 0 {
				t.Errorf("temporary files left behind: %v", tmp)
			}
		})
	}
	if err := ReplaceIfUnchanged(filepath.Join(t.TempDir(), "missing.yaml"), nil, []byte("x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReplaceIfUnchanged of a missing file: %v", err)
	}
}

// TestReplaceKeepsLink: ReplaceIfUnchanged writes what a link leads to, not over
// the link.
func TestReplaceKeepsLink(t *testing.T) {
	dir := t.TempDir()
	target := testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), "old", 0o600)
	path := testkit.Symlink(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml"))
	if err := ReplaceIfUnchanged(path, []byte("old"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a link: %v", path, err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new" || testkit.Stat(t, target).Mode().Perm() != 0o600 {
		t.Fatalf("%s holds %q, mode %v", target, got, testkit.Stat(t, target).Mode().Perm())
	}
}

// temporaries lists the temporary files left anywhere under dir.
func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteCheckedLast: the check ReplaceIfUnchanged makes just before the
// rename comes after the new content is written, and when it fails the file is
// left as it was.
func TestWriteCheckedLast(t *testing.T) {
	dir := t.TempDir()
	path := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), "old", 0o644)
	wrote := false
	err := writeFrom(path, 0o644, func(w io.Writer) error {
		wrote = true
		_, err := io.WriteString(w, "new")
		return err
	}, func() error {
		if !wrote {
			t.Error("checked before the new content was written")
		}
		return ErrChanged
	})
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v, want ErrChanged", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("%s holds %q after a refused write", path, got)
	}
	if tmp := temporaries(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

// TestReplaceOnlyInside: an in-place edit writes what a link leads to only inside
// the repository that holds the file (outside any repository, the file's own
// directory), never into its .git directory; the file outside is left as it was.
func TestReplaceOnlyInside(t *testing.T) {
	const old, edited = "version: 1\nmembers: []\n", "version: 1\n"
	tests := []struct {
		name string
		// setup makes the case under base and returns the path given and the file
		// it leads to.
		setup func(t *testing.T, base string) (path, target string)
		want  string // in the error; "" written
	}{
		{name: "a link to another directory of the repository", setup: func(t *testing.T, base string) (string, string) {
			testkit.WriteFile(t, filepath.Join(base, "repo", ".git", "HEAD"), "ref: refs/heads/main\n", 0o644)
			target := testkit.WriteFile(t, filepath.Join(base, "repo", "shared", "ml.yaml"), old, 0o644)
			return testkit.Symlink(t, filepath.Join("..", "shared", "ml.yaml"), filepath.Join(base, "repo", "teams", "ml.yaml")), target
		}},
		{name: "a link out of the repository", setup: func(t *testing.T, base string) (string, string) {
			testkit.WriteFile(t, filepath.Join(base, "repo", ".git", "HEAD"), "ref: refs/heads/main\n", 0o644)
			target := testkit.WriteFile(t, filepath.Join(base, "bashrc"), old, 0o644)
			return testkit.Symlink(t, filepath.Join("..", "bashrc"), filepath.Join(base, "repo", "portal.yaml")), target
		}, want: "outside the repository at"},
		{name: "a directory link out of the repository on the way", setup: func(t *testing.T, base string) (string, string) {
			testkit.WriteFile(t, filepath.Join(base, "repo", ".git", "HEAD"), "ref: refs/heads/main\n", 0o644)
			target := testkit.WriteFile(t, filepath.Join(base, "out", "portal.yaml"), old, 0o644)
			testkit.Symlink(t, filepath.Join("..", "out"), filepath.Join(base, "repo", "config"))
			return filepath.Join(base, "repo", "config", "portal.yaml"), target
		}, want: "outside the repository at"},
		{name: "a link into .git", setup: func(t *testing.T, base string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(base, "repo", ".git", "config"), old, 0o644)
			return testkit.Symlink(t, filepath.Join(".git", "config"), filepath.Join(base, "repo", "portal.yaml")), target
		}, want: "inside the .git directory of the repository at"},
		{name: "no repository: a link out of the file's directory", setup: func(t *testing.T, base string) (string, string) {
			target := testkit.WriteFile(t, filepath.Join(base, "elsewhere.yaml"), old, 0o644)
			return testkit.Symlink(t, filepath.Join("..", "elsewhere.yaml"), filepath.Join(base, "dir", "portal.yaml")), target
		}, want: "outside the directory of the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			path, target := tt.setup(t, base)
			err := ReplaceIfUnchanged(path, []byte(old), []byte(edited))
			want := edited
			if tt.want != "" {
				want = old
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "nothing written") {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(target); string(got) != want {
				t.Errorf("%s holds %q, want %q", target, got, want)
			}
			if tmp := temporaries(t, base); len(tmp) > 0 {
				t.Errorf("temporary files left behind: %v", tmp)
			}
		})
	}
}

// TestReplaceWhileADirectoryIsSwapped: the edit is made through the repository's
// root, which no link leaves: a directory on the way swapped for a link out of
// the repository, over and over while the file is edited, never gets the file
// outside written, even when it holds what the edit was made from.
func TestReplaceWhileADirectoryIsSwapped(t *testing.T) {
	const old = "version: 1\n"
	base := t.TempDir()
	repo, out := filepath.Join(base, "repo"), filepath.Join(base, "out")
	testkit.WriteFile(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n", 0o644)
	testkit.WriteFile(t, filepath.Join(repo, "d", "portal.yaml"), old, 0o644)
	outside := testkit.WriteFile(t, filepath.Join(out, "portal.yaml"), old, 0o644)
	testkit.Symlink(t, filepath.Join("..", "out"), filepath.Join(repo, "link"))
	d, real, lnk := filepath.Join(repo, "d"), filepath.Join(repo, "real"), filepath.Join(repo, "link")

	stop := make(chan struct{})
	swapped := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				swapped <- nil
				return
			default:
			}
			for _, s := range [][2]string{{d, real}, {lnk, d}, {d, lnk}, {real, d}} {
				if err := os.Rename(s[0], s[1]); err != nil {
					swapped <- err
					return
				}
			}
		}
	}()
	// A write replaces the file: another inode under the name.
	before := testkit.Stat(t, outside)
	written := func() bool {
		st, err := os.Stat(outside)
		return err != nil || !os.SameFile(st, before)
	}
	file := filepath.Join(d, "portal.yaml")
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline) && !written(); {
		_ = ReplaceIfUnchanged(file, []byte(old), []byte(old))
	}
	close(stop)
	if err := <-swapped; err != nil {
		t.Fatal(err)
	}
	if written() {
		t.Fatal("the file outside the repository was written")
	}
}

// TestReplaceAll replaces files in order and stops at the first that changed
// since it was read, saying which were written; the others keep their bytes.
func TestReplaceAll(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	for _, p := range []string{a, b, c} {
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(b, []byte("edited meanwhile"), 0o644); err != nil {
		t.Fatal(err)
	}
	edits := []Edit{{a, []byte("old"), []byte("new")}, {b, []byte("old"), []byte("new")}, {c, []byte("old"), []byte("new")}}
	written, err := ReplaceAll(edits)
	if !errors.Is(err, ErrChanged) || len(written) != 1 || written[0] != a ||
		!strings.Contains(err.Error(), "write "+b+": it changed since it was read, so written before it: "+a+"; the files after it were not written") {
		t.Fatalf("written %v, err %v", written, err)
	}
	for p, want := range map[string]string{a: "new", b: "edited meanwhile", c: "old"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s holds %q, want %q", p, got, want)
		}
	}
	if written, err := ReplaceAll(edits[2:]); err != nil || len(written) != 1 {
		t.Fatalf("written %v, err %v", written, err)
	}
}
