package recurrence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// A weekly meeting at 09:00 Berlin time keeps its local time across the
// change to summer time; one instance was moved, one cancelled.
func Example() {
	cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:example\r\n" +
		"BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20260316T090000\r\nDURATION:PT30M\r\n" +
		"RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Europe/Berlin:20260330T090000\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260101T000000Z\r\n" +
		"RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000\r\n" +
		"DTSTART;TZID=Europe/Berlin:20260324T100000\r\nDURATION:PT30M\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	err = recurrence.Expand(context.Background(), cal.Children, tz.NewResolver(cal), time.UTC, from, to,
		recurrence.Limits{}, func(in recurrence.Instance) bool {
			fmt.Println(in.Start.Format("Mon 2006-01-02 15:04 MST"), "key", in.RecurrenceID.Format(time.RFC3339), "override:", in.Override)
			return true
		})
	if err != nil {
		panic(err)
	}

	// A hostile rule ends with a typed error instead of running for minutes.
	hostile, _ := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:example\r\n" +
		"BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:19700101T000000Z\r\n" +
		"RRULE:FREQ=SECONDLY;COUNT=1000000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	err = recurrence.Expand(context.Background(), hostile.Children, tz.NewResolver(hostile), time.UTC, from, to,
		recurrence.Limits{}, func(recurrence.Instance) bool { return true })
	fmt.Println(errors.Is(err, recurrence.ErrLimit), err)
	// Output:
	// Mon 2026-03-16 09:00 CET key 2026-03-16T08:00:00Z override: false
	// Tue 2026-03-24 10:00 CET key 2026-03-23T08:00:00Z override: true
	// Mon 2026-04-06 09:00 CEST key 2026-04-06T07:00:00Z override: false
	// true recurrence: steps limit (50000) exceeded
}

// An Expander expands many objects in a row, as a free-busy computation
// does: zones, parsed rules and scratch memory are shared between them.
func ExampleExpander() {
	x := recurrence.NewExpander()
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, body := range []string{
		"DTSTART;TZID=Europe/Berlin:20250106T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=200\r\n",
		"DTSTART;TZID=Europe/Berlin:20260304T140000\r\nDTEND;TZID=Europe/Berlin:20260304T150000\r\n",
	} {
		cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:example\r\nBEGIN:VEVENT\r\nUID:u\r\n" +
			"DTSTAMP:20260101T000000Z\r\n" + body + "END:VEVENT\r\nEND:VCALENDAR\r\n"))
		if err != nil {
			panic(err)
		}
		err = x.Expand(context.Background(), cal.Children, tz.NewResolver(cal), time.UTC, from, to, recurrence.Limits{},
			func(in recurrence.Instance) bool {
				fmt.Println(in.Start.Format("Mon 2006-01-02 15:04"), "to", in.End.Format("15:04 MST"))
				return true
			})
		if err != nil {
			panic(err)
		}
	}
	// Output:
	// Mon 2026-03-02 09:00 to 10:00 CET
	// Thu 2026-03-05 09:00 to 10:00 CET
	// Mon 2026-03-09 09:00 to 10:00 CET
	// Thu 2026-03-12 09:00 to 10:00 CET
	// Wed 2026-03-04 14:00 to 15:00 CET
}
