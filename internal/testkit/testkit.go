// Package testkit is the machinery that tests of several packages share: the
// obvious members × blueprints × rules oracle the access engine is held to,
// random portals (as models and as portal.yaml text), golden files refreshed
// with -update, and small helpers for files, git and HTTP handlers. It is
// imported only by _test.go files.
//
// It depends on the model (package portal) alone, so that the tests of every
// package above it, schema's included, may use it. Serving the emulator, which
// needs the whole stack, is the job of package emutest below it.
package testkit

import (
	"strings"
	"testing"
)

// Must is v, for a call on fixed test input that cannot fail; it panics when it
// does.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// WantErr checks err against want, a part of the error a table case expects (""
// for none): it fails t when they disagree, and reports whether an error was
// expected, for the case to stop there.
func WantErr(t testing.TB, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	return true
}
