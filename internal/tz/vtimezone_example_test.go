package tz_test

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// A VTIMEZONE for an IANA zone, for a message whose events fall in 2026.
func ExampleGenerateVTimezone() {
	berlin, err := tz.NewResolver(nil).Location("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	from := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	vtz, err := tz.GenerateVTimezone("Europe/Berlin", berlin, from, from.AddDate(0, 6, 0))
	if err != nil {
		panic(err)
	}
	fmt.Println(vtz.Props.Get(ical.PropTimezoneID).Value)
	for _, obs := range vtz.Children {
		fmt.Println(obs.Name,
			obs.Props.Get(ical.PropDateTimeStart).Value,
			obs.Props.Get(ical.PropTimezoneOffsetFrom).Value,
			obs.Props.Get(ical.PropTimezoneOffsetTo).Value,
			obs.Props.Get(ical.PropTimezoneName).Value,
			obs.Props.Get(ical.PropRecurrenceRule).Value)
	}
	// Output:
	// Europe/Berlin
	// DAYLIGHT 20250330T020000 +0100 +0200 CEST FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
	// STANDARD 20251026T030000 +0200 +0100 CET FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
}
