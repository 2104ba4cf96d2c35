package backend_test

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func benchmarkMakeIndex(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := backend.MakeIndex(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMakeIndexSingle(b *testing.B) {
	benchmarkMakeIndex(b, cal(comp("VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART:20260310T100000Z",
		"DTEND:20260310T110000Z", "SUMMARY:meeting", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com")...))
}

func BenchmarkMakeIndexZonedCount52(b *testing.B) {
	benchmarkMakeIndex(b, cal(comp("VEVENT", "UID:w", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/Berlin:20260105T090000",
		"DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=52", "SUMMARY:weekly")...))
}

func BenchmarkMakeIndexUnbounded(b *testing.B) {
	benchmarkMakeIndex(b, cal(comp("VEVENT", "UID:u", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T090000Z",
		"DURATION:PT1H", "RRULE:FREQ=DAILY", "SUMMARY:daily")...))
}
