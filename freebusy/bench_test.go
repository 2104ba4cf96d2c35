package freebusy

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchObjects returns n parsed objects of one user in 2026: every fifth
// one a weekly meeting (started in 2025, in one of a few zones) with five
// overrides (moved, declined, cancelled), the rest one-off events.
func benchObjects(b testing.TB, n int) []Object {
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo", ""}
	rng := rand.New(rand.NewSource(42))
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	objects := make([]Object, 0, n)
	for i := 0; i < n; i++ {
		zone := zones[rng.Intn(len(zones))]
		dt := func(name string, t time.Time) string {
			if zone == "" {
				return name + ":" + t.UTC().Format("20060102T150405Z")
			}
			return name + ";TZID=" + zone + ":" + t.Format("20060102T150405")
		}
		var body strings.Builder
		uid := fmt.Sprintf("bench-%d", i)
		if i%5 == 0 {
			start := year.AddDate(0, 0, -rng.Intn(365)).Add(time.Duration(8+rng.Intn(9)) * time.Hour)
			fmt.Fprintf(&body, "BEGIN:VEVENT\nUID:%s\nDTSTAMP:20250101T000000Z\n%s\n%s\nRRULE:FREQ=WEEKLY\nSUMMARY:Weekly %d\nORGANIZER:mailto:boss@example.com\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\nEND:VEVENT\n",
				uid, dt("DTSTART", start), dt("DTEND", start.Add(time.Hour)), i)
			weeks := rng.Perm(50)[:5] // distinct instances of 2026
			for k, w := range weeks {
				rid := start.AddDate(0, 0, 7*(53+w))
				moved := rid.Add(time.Duration(rng.Intn(5)-2) * time.Hour)
				extra := []string{"", "STATUS:CANCELLED\n", "ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com\n", "", "STATUS:TENTATIVE\n"}[k]
				fmt.Fprintf(&body, "BEGIN:VEVENT\nUID:%s\nDTSTAMP:20250101T000000Z\n%s\n%s\n%s\n%sSUMMARY:Moved\nEND:VEVENT\n",
					uid, dt("RECURRENCE-ID", rid), dt("DTSTART", moved), dt("DTEND", moved.Add(90*time.Minute)), extra)
			}
		} else {
			start := year.Add(time.Duration(rng.Intn(365*24*4)) * 15 * time.Minute)
			fmt.Fprintf(&body, "BEGIN:VEVENT\nUID:%s\nDTSTAMP:20250101T000000Z\n%s\n%s\nSUMMARY:One-off %d\nLOCATION:Room %d\nEND:VEVENT\n",
				uid, dt("DTSTART", start), dt("DTEND", start.Add(time.Duration(1+rng.Intn(8))*15*time.Minute)), i, i%40)
		}
		objects = append(objects, Object{Calendar: calendar(b, body.String())})
	}
	return objects
}

func BenchmarkCompute(b *testing.B) {
	all := benchObjects(b, 10000)
	var oneOff, weekly []Object // the 8,000 without RRULE, the 2,000 with
	for i, o := range all {
		if i%5 != 0 {
			oneOff = append(oneOff, o)
		} else {
			weekly = append(weekly, o)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range []struct {
		name    string
		objects []Object
	}{{"objects=10000", all}, {"objects=8000-oneoff", oneOff}, {"objects=2000-weekly", weekly}} {
		objects := set.objects
		for _, w := range []struct {
			name       string
			start, end time.Time
		}{
			{"month", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
			{"year", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			b.Run(set.name+"/window="+w.name, func(b *testing.B) {
				q := Query{Start: w.start, End: w.end, Addresses: []string{"mailto:alice@example.com"}, Location: berlin}
				b.ReportAllocs()
				var periods, problems int
				cpu := startCPU()
				for i := 0; i < b.N; i++ {
					res, err := Compute(context.Background(), q, objects)
					if err != nil {
						b.Fatal(err)
					}
					periods, problems = len(res.Periods), len(res.Problems)
				}
				cpu.report(b)
				if problems != 0 {
					b.Fatalf("%d problems", problems)
				}
				b.ReportMetric(float64(periods), "periods")
			})
		}
	}
}

// BenchmarkPathological times the objects of the limits golden cases, one
// at a time.
func BenchmarkPathological(b *testing.B) {
	for _, c := range []struct{ dir, file string }{
		{"limits", "secondly.ics"},
		{"limits", "bylist.ics"},
		{"limits-long-walk", "minutely.ics"},
	} {
		gc := loadCase(b, filepath.Join(goldenDir, c.dir))
		var obj []Object
		for i, f := range gc.files {
			if f == c.file {
				obj = gc.objects[i : i+1]
			}
		}
		b.Run(strings.TrimSuffix(c.file, ".ics"), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				res, err := Compute(context.Background(), gc.query, obj)
				if err != nil || len(res.Problems) != 1 {
					b.Fatalf("%v, %v", res, err)
				}
			}
			cpu.report(b)
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	rng := rand.New(rand.NewSource(7))
	src := make([]Period, 20000)
	types := []Type{Busy, BusyTentative, BusyUnavailable}
	for i := range src {
		s := jan5.Add(time.Duration(rng.Intn(30*24*4)) * 15 * time.Minute)
		src[i] = Period{s, s.Add(time.Duration(1+rng.Intn(8)) * 15 * time.Minute), types[rng.Intn(3)]}
	}
	buf := make([]Period, len(src))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(buf, src)
		Merge(buf)
	}
}
