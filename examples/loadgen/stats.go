package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// result is what one scenario measured.
type result struct {
	name      string
	latencies []time.Duration // of the successful requests
	errors    int
	elapsed   time.Duration
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted, by the
// nearest-rank method; 0 for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999999) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// rate returns the successful requests per second.
func (r *result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.latencies)) / r.elapsed.Seconds()
}

// printResults writes one table row per scenario.
func printResults(w io.Writer, results []*result) {
	fmt.Fprintf(w, "%-16s %8s %7s %10s %9s %9s %9s %9s\n", "scenario", "requests", "errors", "req/s", "p50", "p90", "p99", "max")
	for _, r := range results {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		fmt.Fprintf(w, "%-16s %8d %7d %10.1f %9s %9s %9s %9s\n", r.name, len(r.latencies), r.errors, r.rate(),
			round(percentile(sorted, 50)), round(percentile(sorted, 90)), round(percentile(sorted, 99)), round(percentile(sorted, 100)))
	}
}

// round shortens a latency for display.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
