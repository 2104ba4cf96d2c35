package freebusy

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// TestIncrementalCompaction adds many random busy times through add,
// which compacts now and then by sorting only the new ones and merging
// them into those already merged, and compares the result with one
// mergeBusy of everything.
func TestIncrementalCompaction(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := Query{Start: start, End: start.AddDate(1, 0, 0), MaxPeriods: 1 << 20}
	for round := 0; round < 20; round++ {
		c := newComputation(q, q.limits())
		var all []busyTime
		n := 1000 + rng.Intn(30000)
		for i := 0; i < n; i++ {
			s := start.Add(time.Duration(rng.Intn(366*24*4)-24*4) * 15 * time.Minute)
			e := s.Add(time.Duration(rng.Intn(12)) * 15 * time.Minute)
			typ := []Type{Busy, BusyTentative, BusyUnavailable}[rng.Intn(3)]
			c.add(s, e, typ)
			if cs, ce := max(s.Unix(), c.startUnix), min(e.Unix(), c.endUnix); ce > cs {
				all = append(all, busyTime{cs, ce, kindOf(typ)})
			}
		}
		c.compact()
		want := mergeBusy(slices.Clone(all))
		if fmt.Sprint(c.busy) != fmt.Sprint(want) {
			t.Fatalf("round %d (%d added): incremental %d periods, full merge %d", round, n, len(c.busy), len(want))
		}
	}
}

func TestMergeSorted(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	for i := 0; i < 2000; i++ {
		var a, b []busyTime
		for j := rng.Intn(50); j > 0; j-- {
			s := int64(rng.Intn(1000))
			a = append(a, busyTime{s, s + int64(rng.Intn(30)), busyKind(rng.Intn(3))})
		}
		for j := rng.Intn(50); j > 0; j-- {
			s := int64(rng.Intn(1000))
			b = append(b, busyTime{s, s + int64(rng.Intn(30)), busyKind(rng.Intn(3))})
		}
		want := mergeBusy(append(slices.Clone(a), b...))
		got := mergeSorted(nil, mergeBusy(a), mergeBusy(b))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("mergeSorted %v, want %v", got, want)
		}
	}
}
