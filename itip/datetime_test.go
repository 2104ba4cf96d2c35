package itip

import (
	"testing"
	"time"
)

func TestUTCDateTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range []time.Time{
		time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 2, 30, 59, 999, berlin),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
	} {
		if got, want := utcDateTime(tm), tm.UTC().Format("20060102T150405Z"); got != want {
			t.Errorf("utcDateTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
