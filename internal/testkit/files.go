package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes content to path with mode (set past the umask), making the
// directories it needs, and returns path.
func WriteFile(t testing.TB, path, content string, mode os.FileMode) string {
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

// Symlink makes link a symbolic link to target, making the directories it
// needs, and returns link. It skips the test where links cannot be made.
func Symlink(t testing.TB, target, link string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	return link
}

// Stat is os.Stat of path, which must exist.
func Stat(t testing.TB, path string) os.FileInfo {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
