package testkit

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is the -update flag of every test binary that imports testkit: the
// golden files are rewritten with what the tests get, not compared.
var update = flag.Bool("update", false, "rewrite the golden files with what the tests get")

// Golden compares got with the golden file at path, or, under -update, writes
// got there (and the directories it needs).
func Golden[T ~string | ~[]byte](t testing.TB, path string, got T) {
	t.Helper()
	rerun := "go test -run '^" + strings.SplitN(t.Name(), "/", 2)[0] + "$' -update"
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s writes it)", err, rerun)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (%s to accept):\n--- got\n%s\n--- want\n%s", path, rerun, got, want)
	}
}
