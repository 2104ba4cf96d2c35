package backend

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// customZone is a VTIMEZONE whose TZID is no known name: its own rules
// (UTC+05:30 all year) make the zone.
const customZone = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:My Office\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" +
	"TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"

func TestTimeZoneForIDRoundTrip(t *testing.T) {
	text, err := TimeZoneForID("europe/berlin")
	if err != nil {
		t.Fatal(err)
	}
	canon, err := CanonicalTimeZone(strings.ReplaceAll(text, "\r\n", "\n"))
	if err != nil || canon != text {
		t.Fatalf("CanonicalTimeZone(generated, LF line ends) = %q, %v; want %q", canon, err, text)
	}
	cal := Calendar{Path: "/c/", TimeZone: text}
	if id := cal.TimeZoneID(); id != "Europe/Berlin" {
		t.Errorf("TimeZoneID = %q", id)
	}
	loc, err := cal.TimeZoneLocation()
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2026, 6, 15, 10, 0, 0, 0, loc).Zone(); off != 2*3600 {
		t.Errorf("offset in June = %d, want +2h", off)
	}
	if _, err := TimeZoneForID("Mars/Olympus_Mons"); !errors.Is(err, ErrUnknownTimeZone) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestCanonicalTimeZone(t *testing.T) {
	cal := Calendar{Path: "/c/", TimeZone: customZone}
	loc, err := cal.TimeZoneLocation()
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); off != 5*3600+1800 {
		t.Errorf("custom zone offset = %d", off)
	}
	if id := cal.TimeZoneID(); id != "" {
		t.Errorf("TimeZoneID of a custom zone = %q, want none", id)
	}
	if loc, err := (&Calendar{}).TimeZoneLocation(); loc != nil || err != nil {
		t.Errorf("no zone: %v, %v", loc, err)
	}
	event := "BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\n"
	bad := map[string]string{
		"empty":        "",
		"not iCal":     "hello",
		"no VTIMEZONE": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
		"two":          strings.Replace(customZone, "END:VCALENDAR", customZone[strings.Index(customZone, "BEGIN:VTIMEZONE"):strings.Index(customZone, "END:VCALENDAR")]+"END:VCALENDAR", 1),
		"an event too": strings.Replace(customZone, "END:VCALENDAR", event+"END:VCALENDAR", 1),
		"no TZID":      strings.Replace(customZone, "TZID:My Office\r\n", "", 1),
		"no rules":     strings.Replace(customZone, "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\n", "", 1),
	}
	for name, text := range bad {
		if _, err := CanonicalTimeZone(text); !errors.Is(err, ErrInvalidTimeZone) {
			t.Errorf("%s: CanonicalTimeZone = %v, want ErrInvalidTimeZone", name, err)
		}
	}
}

func FuzzCanonicalTimeZone(f *testing.F) {
	f.Add(customZone)
	f.Add(strings.Replace(customZone, "My Office", "Europe/Paris", 1))
	f.Fuzz(func(t *testing.T, text string) {
		canon, err := CanonicalTimeZone(text)
		if err != nil {
			if !errors.Is(err, ErrInvalidTimeZone) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := CanonicalTimeZone(canon)
		if err != nil || again != canon {
			t.Fatalf("canonical form %q does not check again: %q, %v", canon, again, err)
		}
	})
}
