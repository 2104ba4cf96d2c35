package schedule

import (
	"errors"
	"testing"
)

// FuzzCanonicalAvailability: any calendar-availability value is either
// refused with errInvalidAvailability or accepted in a canonical form
// that is accepted again unchanged; never a panic.
func FuzzCanonicalAvailability(f *testing.F) {
	f.Add(workHours)
	f.Add(officeZone)
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VAVAILABILITY\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		canon, err := canonicalAvailability(text)
		if err != nil {
			if !errors.Is(err, errInvalidAvailability) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := canonicalAvailability(string(canon))
		if err != nil || string(again) != string(canon) {
			t.Fatalf("canonical form does not check again unchanged: %v\n%s\n---\n%s", err, canon, again)
		}
	})
}
