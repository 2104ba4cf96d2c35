package backend

import "testing"

// BenchmarkTimeZoneLocation is what a free-busy answer pays per calendar
// with a time zone: parsing the stored calendar-timezone text and
// resolving its TZID.
func BenchmarkTimeZoneLocation(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"iana", mustTimeZoneForID(b, "Europe/Berlin")},
		{"custom", customZone},
	} {
		b.Run(c.name, func(b *testing.B) {
			cal := &Calendar{Path: "/c/", TimeZone: c.text}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for i := 0; i < b.N; i++ {
				if loc, err := cal.TimeZoneLocation(); err != nil || loc == nil {
					b.Fatal(loc, err)
				}
			}
		})
	}
}

func mustTimeZoneForID(tb testing.TB, id string) string {
	tb.Helper()
	text, err := TimeZoneForID(id)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}
