//go:build race

package reconcile_test

// raceEnabled says the tests run under the race detector, which makes the
// encoding of a 100 MiB plan some 7 times slower.
const raceEnabled = true
