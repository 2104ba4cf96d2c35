package main

import (
	"runtime/debug"
)

// defaultGCPercent is the server's garbage-collection target (as GOGC)
// unless -gc-percent or the GOGC environment variable says otherwise.
//
// The server's live Go heap is a few megabytes (SQLite's page caches are
// outside it), so with Go's default of 100 the heap goal is the 4 MB
// minimum and, under load, a collection starts every 20 ms or so: 8% of
// the CPU, and each cycle's mark termination holds up the requests under
// way. At 400 the goal is 16 MB or five times the live heap, a
// collection every 80 ms or so; a GOMEMLIMIT in the environment still
// caps the heap.
const defaultGCPercent = 400

// gcPercent returns the garbage-collection target the server runs with:
// the flag when it was given, else none (keep the GOGC the runtime read)
// when the environment sets GOGC, else defaultGCPercent.
func gcPercent(flagValue int, flagGiven bool, envGOGC string) (percent int, set bool) {
	return runtimeSetting(flagValue, flagGiven, envGOGC, defaultGCPercent)
}

// applyGCPercent sets the garbage-collection target as gcPercent decides
// and returns a function that restores the previous one.
func applyGCPercent(flagValue int, flagGiven bool, envGOGC string) (restore func()) {
	percent, set := gcPercent(flagValue, flagGiven, envGOGC)
	if !set {
		return func() {}
	}
	prev := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(prev) }
}
