package schedule

import (
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// FuzzCanonicalAvailability: any calendar-availability value is either
// refused with errInvalidAvailability or accepted in a canonical form
// that is accepted again unchanged, and again once pinFloating pinned it
// to a zone; never a panic.
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
		// Pinned to a zone (as when stored in a zoned calendar), it is
		// still availability data, and the value pinned is unchanged.
		cal, err := ics.Decode(canon)
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range []calendarZone{zoneOf(officeZone), zoneOf("")} {
			pinned := ics.Encode(pinFloating(cal, z))
			if _, err := canonicalAvailability(string(pinned)); err != nil {
				t.Fatalf("pinned to %q: %v\n%s", z.tzid, err, pinned)
			}
		}
		if string(ics.Encode(cal)) != string(canon) {
			t.Fatal("pinFloating changed its argument")
		}
	})
}
