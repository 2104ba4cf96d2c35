package tz

import (
	"testing"
	"time"
)

func BenchmarkLocation(b *testing.B) {
	cal := loadFixture(b, "custom-berlin.ics")
	for _, tzid := range []string{"Europe/Berlin", "W. Europe Standard Time", "My Custom Zone"} {
		b.Run(tzid, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := NewResolver(cal).Location(tzid); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseDateTime(b *testing.B) {
	r := NewResolver(nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.ParseDateTime("20260329T093000", "Europe/Berlin", time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
