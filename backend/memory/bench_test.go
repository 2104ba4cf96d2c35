package memory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

func benchEvent(uid string, start time.Time) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start.UTC().Format("20060102T150405Z") +
		"\r\nDURATION:PT1H\r\nSUMMARY:benchmark event\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

// benchStore returns a store with alice provisioned and n events spread
// over 2026 in four of her calendars.
func benchStore(b *testing.B, n int) (*memory.Store, *backend.Principal, []string) {
	b.Helper()
	ctx := context.Background()
	s := memory.New()
	p := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.Provision(ctx, p); err != nil {
		b.Fatal(err)
	}
	cals := []string{p.HomePath + backend.DefaultCalendarName + "/"}
	for _, name := range []string{"work", "family", "sport"} {
		c := &backend.Calendar{Path: p.HomePath + name + "/", Owner: p.Path}
		if err := s.CreateCalendar(ctx, c); err != nil {
			b.Fatal(err)
		}
		cals = append(cals, c.Path)
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		uid := fmt.Sprintf("uid-%d", i)
		start := year.Add(time.Duration(i%8760) * time.Hour)
		if _, err := s.PutObject(ctx, fmt.Sprintf("%s%s.ics", cals[i%len(cals)], uid), benchEvent(uid, start), nil); err != nil {
			b.Fatal(err)
		}
	}
	return s, p, cals
}

func BenchmarkObjectByUID100k(b *testing.B) {
	s, p, _ := benchStore(b, 100_000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.ObjectByUID(ctx, p.Path, fmt.Sprintf("uid-%d", (i*7919)%100_000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutObjectCAS(b *testing.B) {
	s, _, cals := benchStore(b, 0)
	ctx := context.Background()
	path := cals[0] + "cas.ics"
	o, err := s.PutObject(ctx, path, benchEvent("cas", time.Now()), nil)
	if err != nil {
		b.Fatal(err)
	}
	data := benchEvent("cas", time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if o, err = s.PutObject(ctx, path, data, &backend.PutOptions{IfMatch: o.ETag}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateSchedulingObject(b *testing.B) {
	s, p, _ := benchStore(b, 0)
	ctx := context.Background()
	msg := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\n" +
		"DTSTAMP:20260101T000000Z\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
	names := make([]string, 1024)
	for i := range names {
		names[i] = fmt.Sprintf("reply-%d.ics", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CreateSchedulingObject(ctx, p.Path, names[i%len(names)], msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkObjectsInRangeMonthOf10k(b *testing.B) {
	s, _, cals := benchStore(b, 40_000) // 10k per calendar
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		objs, err := s.ObjectsInRange(ctx, cals[1], start, end)
		if err != nil {
			b.Fatal(err)
		}
		if len(objs) == 0 {
			b.Fatal("no candidates")
		}
	}
}
