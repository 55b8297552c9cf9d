//go:build race

package planfile_test

// raceEnabled says the tests run under the race detector, which makes planning a
// portal of 100,000 members several times slower.
const raceEnabled = true
