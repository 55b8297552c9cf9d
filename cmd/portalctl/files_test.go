package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
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
			p := writeMode(t, filepath.Join(dir, "portal.yaml"), expireFile, 0o640)
			return p, p
		}, wantCode: 2},
		{name: "link inside the repository", setup: func(t *testing.T, dir string) (string, string) {
			target := writeMode(t, filepath.Join(dir, "config", "portal.yaml"), expireFile, 0o600)
			return symlinkOrSkip(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
		}, wantCode: 2},
		{name: "edited while it runs", setup: func(t *testing.T, dir string) (string, string) {
			p := writeMode(t, filepath.Join(dir, "portal.yaml"), expireFile, 0o644)
			return p, p
		}, edit: expireFile + "  # a reviewer's edit\n", wantCode: 1,
			wantErr: []string{"portal.yaml: it changed since it was read, so nothing was written (the other edit is kept): run `portalctl expire --write -f "}},
		{name: "link target edited while it runs", setup: func(t *testing.T, dir string) (string, string) {
			target := writeMode(t, filepath.Join(dir, "config", "portal.yaml"), expireFile, 0o644)
			return symlinkOrSkip(t, filepath.Join("config", "portal.yaml"), filepath.Join(dir, "portal.yaml")), target
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
			mode := statOf(t, target).Mode().Perm()
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
			if got := statOf(t, target).Mode().Perm(); got != mode {
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

func writeMode(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

func symlinkOrSkip(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	return link
}

func statOf(t *testing.T, path string) os.FileInfo {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
