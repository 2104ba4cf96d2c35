package recurrence

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// BenchmarkPathological measures how long hostile rules take to be
// refused or capped (each sub-benchmark is one Expand of one object).
func BenchmarkPathological(b *testing.B) {
	for _, pc := range pathologicalCases() {
		b.Run(pc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			steps := 0
			for i := 0; i < b.N; i++ {
				_, bud, err := runPathological(context.Background(), b, pc)
				if err != nil && pc.wantErr == "" {
					b.Fatal(err)
				}
				steps += bud.steps
			}
			// CPU time per op (GC included) is reported besides wall time
			// because the benchmark machine is shared.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
		})
	}
}

// BenchmarkExpand expands a weekly Berlin meeting with five overrides.
func BenchmarkExpand(b *testing.B) {
	cal := decodeFile(b, "testdata/bench/weekly-overrides.ics")
	comps := objectComponents(cal)
	for _, w := range []struct {
		name     string
		from, to time.Time
	}{
		{"weekly-5-overrides/month", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"weekly-5-overrides/year", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				n := 0
				err := Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, w.from, w.to, Limits{},
					func(Instance) bool { n++; return true })
				if err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
		// The same through one Expander, as free-busy expands many
		// objects: scratch memory, zones and parsed rules are reused.
		b.Run(strings.Replace(w.name, "/", "-expander/", 1), func(b *testing.B) {
			x := NewExpander()
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				n := 0
				err := x.Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, w.from, w.to, Limits{},
					func(Instance) bool { n++; return true })
				if err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkBounds computes the extent of a COUNT=52 weekly rule.
func BenchmarkBounds(b *testing.B) {
	cal, comps := event(b, "DTSTART;TZID=Europe/Berlin:20260105T090000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=52")
	b.Run("weekly-count-52", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, last, unbounded, err := Bounds(context.Background(), comps, tz.NewResolver(cal), time.UTC, Limits{})
			if err != nil || unbounded || last.IsZero() {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExpandOneOff expands a single non-recurring event, the most
// common object, with a fresh resolver per call (as one Expand per stored
// object does) and through an Expander that keeps its zone cache.
func BenchmarkExpandOneOff(b *testing.B) {
	cal, comps := event(b, "DTSTART;TZID=Europe/Berlin:20260310T090000", "DTEND;TZID=Europe/Berlin:20260310T100000")
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, shared := range []bool{false, true} {
		name := "Expand"
		if shared {
			name = "Expander"
		}
		b.Run(name, func(b *testing.B) {
			x := NewExpander()
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				n := 0
				count := func(Instance) bool { n++; return true }
				var err error
				if shared {
					err = x.Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, from, to, Limits{}, count)
				} else {
					err = Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, from, to, Limits{}, count)
				}
				if err != nil || n != 1 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
