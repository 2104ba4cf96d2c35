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
