//go:build race

package freebusy

// raceEnabled is true when tests run with the race detector, which makes
// timings meaningless.
const raceEnabled = true
