package main

import (
	"runtime"
)

// procsPerCPU is how many Go processors (GOMAXPROCS) the server runs per
// CPU Go would use on its own, unless -procs or the GOMAXPROCS
// environment variable says otherwise.
//
// Nearly all of a request's work is CPU-bound Go code: the SQLite engine
// (a Go translation), one writer goroutine committing for everyone, and
// the iCalendar processing. With one processor per CPU, a goroutine
// woken by its commit or its query waits for a processor until a running
// goroutine blocks or uses up Go's 10 ms time slice, which showed as the
// p90 and p99 of loadgen's 8 clients on 2 CPUs. With two per CPU the
// kernel interleaves the extra threads with finer slices: on 2 shared
// CPUs, organizer-put p90 went from 24-26 to 19-22 ms and its p99 from
// 42-70 to 34-50 ms, for 1-5% more CPU per request and a median up to a
// millisecond higher.
const procsPerCPU = 2

// procs returns the GOMAXPROCS the server runs with: the flag when it was
// given, else none (keep the runtime's) when the environment sets
// GOMAXPROCS, else procsPerCPU times cpus.
func procs(flagValue int, flagGiven bool, envGOMAXPROCS string, cpus int) (n int, set bool) {
	return runtimeSetting(flagValue, flagGiven, envGOMAXPROCS, procsPerCPU*cpus)
}

// applyProcs sets GOMAXPROCS as procs decides and returns a function that
// restores the previous setting.
func applyProcs(flagValue int, flagGiven bool, envGOMAXPROCS string) (restore func()) {
	prev := runtime.GOMAXPROCS(0)
	cpus := prev
	if !flagGiven && envGOMAXPROCS == "" {
		// The runtime's own choice (CPUs, affinity, cgroup quota), not
		// what an earlier run in this process set.
		runtime.SetDefaultGOMAXPROCS()
		cpus = runtime.GOMAXPROCS(0)
	}
	n, set := procs(flagValue, flagGiven, envGOMAXPROCS, cpus)
	if !set {
		return func() {}
	}
	runtime.GOMAXPROCS(n)
	return func() { runtime.GOMAXPROCS(prev) }
}
