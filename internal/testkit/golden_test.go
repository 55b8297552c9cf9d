package testkit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, path, "same\n")
	testkit.Golden(t, path, []byte("same\n"))
	ft := &fakeT{T: t}
	testkit.Golden(ft, path, "other\n")
	if !strings.Contains(ft.msg, "a.golden differs") || !strings.Contains(ft.msg, "-run '^TestGolden$' -update") {
		t.Errorf("a differing file says %q", ft.msg)
	}
}

// fakeT records a failure instead of failing.
type fakeT struct {
	*testing.T
	msg string
}

func (f *fakeT) Errorf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fakeT) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fakeT) Fatal(args ...any)                 { f.msg = fmt.Sprint(args...) }

func TestWantErr(t *testing.T) {
	boom := errors.New("the file changed")
	tests := []struct {
		name     string
		err      error
		want     string
		expected bool
		fails    string
	}{
		{"none, none wanted", nil, "", false, ""},
		{"the one wanted", boom, "changed", true, ""},
		{"another", boom, "gone", true, `err = the file changed, want "gone"`},
		{"none, one wanted", nil, "gone", true, `err = <nil>, want "gone"`},
		{"one, none wanted", boom, "", false, "the file changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeT{T: t}
			if got := testkit.WantErr(ft, tt.err, tt.want); got != tt.expected || ft.msg != tt.fails {
				t.Errorf("WantErr = %v, failing with %q; want %v, %q", got, ft.msg, tt.expected, tt.fails)
			}
		})
	}
}
