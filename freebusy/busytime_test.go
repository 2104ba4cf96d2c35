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
		var scratch []busyTime
		want := mergeBusy(slices.Clone(all), &scratch, c.startUnix)
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
		var scratch []busyTime
		want := mergeBusy(append(slices.Clone(a), b...), &scratch, 0)
		got := mergeSorted(nil, mergeBusy(a, &scratch, 0), mergeBusy(b, &scratch, 0))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("mergeSorted %v, want %v", got, want)
		}
	}
}

// TestSortBusy compares the radix sort with a stable comparison sort, for
// offsets needing one to four digit passes, one or several types, and
// scratch memory too small, reused, or left from a longer sort.
func TestSortBusy(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	var scratch []busyTime
	for i := 0; i < 500; i++ {
		base := int64(rng.Intn(1 << 30))
		span := []int64{1, 100, 1 << 11, 1 << 12, 1 << 22, 1 << 23, 1 << 40}[rng.Intn(7)]
		kinds := 1 + rng.Intn(3)
		bt := make([]busyTime, rng.Intn(3000))
		for j := range bt {
			s := base + rng.Int63n(span)
			bt[j] = busyTime{s, s + int64(rng.Intn(100)), busyKind(rng.Intn(kinds))}
		}
		want := slices.Clone(bt)
		slices.SortStableFunc(want, func(a, b busyTime) int {
			if a.kind != b.kind {
				return int(a.kind) - int(b.kind)
			}
			switch {
			case a.start < b.start:
				return -1
			case a.start > b.start:
				return 1
			}
			return 0
		})
		sortBusy(bt, &scratch, base)
		if !slices.Equal(bt, want) {
			t.Fatalf("case %d (%d times, span %d, %d types): radix order differs", i, len(bt), span, kinds)
		}
	}
}
