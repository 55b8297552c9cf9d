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

// Must is v, for a call on fixed test input that cannot fail; it panics when it
// does.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
