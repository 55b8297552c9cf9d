//go:build !race

package planfile_test

const raceEnabled = false
