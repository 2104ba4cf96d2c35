package tz_test

import (
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// A TZID that is neither an IANA nor a Windows name resolves through the
// calendar's own VTIMEZONE; Windows names resolve through CLDR's mapping.
func Example() {
	cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:example\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:Office Time\r\n" +
		"BEGIN:DAYLIGHT\r\nDTSTART:19810329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:19961027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZNAME:CET\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	res := tz.NewResolver(cal)
	for _, tzid := range []string{"Office Time", "W. Europe Standard Time", "Europe/Berlin"} {
		v, err := res.ParseDateTime("20260701T090000", tzid, time.UTC)
		if err != nil {
			panic(err)
		}
		fmt.Println(tzid, "→", v.Time.UTC().Format(time.RFC3339))
	}
	_, err = res.Location("Atlantis Standard Time")
	fmt.Println(err)
	// Output:
	// Office Time → 2026-07-01T07:00:00Z
	// W. Europe Standard Time → 2026-07-01T07:00:00Z
	// Europe/Berlin → 2026-07-01T07:00:00Z
	// tz: unknown TZID: "Atlantis Standard Time"
}
