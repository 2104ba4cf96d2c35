package recurrence

import (
	"math/rand"
	"testing"
	"time"
)

// TestCivilArithmetic compares DaysFromCivil, daysIn and wallOf with the
// time package over the years RFC 5545 values can name.
func TestCivilArithmetic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	years := []int{1, 2, 4, 100, 399, 400, 1582, 1900, 1969, 1970, 2000, 2024, 2100, 9999}
	for i := 0; i < 2000; i++ {
		years = append(years, 1+rng.Intn(9999))
	}
	for _, y := range years {
		for m := time.January; m <= time.December; m++ {
			if got, want := daysIn(m, y), time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("daysIn(%v, %d) = %d, want %d", m, y, got, want)
			}
			d := 1 + rng.Intn(daysIn(m, y))
			want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
			if got := DaysFromCivil(int64(y), int64(m), int64(d)); got != want {
				t.Fatalf("DaysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
			}
			at := time.Date(y, m, d, rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(1e9), berlin)
			hh, mm, ss := at.Clock()
			if got, want := wallOf(at), time.Date(at.Year(), at.Month(), at.Day(), hh, mm, ss, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("wallOf(%v) = %v, want %v", at, got, want)
			}
		}
	}
}
