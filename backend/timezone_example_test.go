package backend_test

import (
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// A calendar whose calendar-timezone-id is set to Europe/Berlin keeps the
// zone's VTIMEZONE; its floating and all-day times are then placed in
// that zone.
func ExampleTimeZoneForID() {
	text, err := backend.TimeZoneForID("europe/berlin")
	if err != nil {
		panic(err)
	}
	cal := &backend.Calendar{Path: "/alice/calendars/work/", TimeZone: text}
	loc, err := cal.TimeZoneLocation()
	if err != nil {
		panic(err)
	}
	tenLocal := time.Date(2026, time.June, 15, 10, 0, 0, 0, loc)
	fmt.Println(cal.TimeZoneID(), tenLocal.UTC().Format(time.RFC3339))

	_, err = backend.TimeZoneForID("Mars/Olympus_Mons")
	fmt.Println(err)
	// Output:
	// Europe/Berlin 2026-06-15T08:00:00Z
	// backend: unknown time zone identifier: "Mars/Olympus_Mons"
}
