package freebusy

import (
	"testing"
	"time"
)

// cpuClock measures the CPU time (user and system) the process spends,
// which on a shared, overloaded machine says more than wall time. It
// includes the garbage collector's work on other threads.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

// elapsed returns the CPU time spent since c started.
func (c cpuClock) elapsed() time.Duration { return processCPU() - c.start }

// report adds a cpu-ns/op metric to b.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(c.elapsed())/float64(b.N), "cpu-ns/op")
}
