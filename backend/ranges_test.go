package backend_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// A caller that keeps objects by path and ETag lists a range's
// candidates with RangeLister when the store has it, and reads the data
// of the versions it lacks only.
func ExampleRangeLister() {
	ctx := context.Background()
	s := memory.New()
	bob := backend.NewPrincipal("bob", "Bob", "bob@example.com")
	if err := backend.Provision(ctx, s, bob); err != nil {
		fmt.Println(err)
		return
	}
	cal, _ := s.DefaultCalendar(ctx, bob.Path)
	for _, day := range []string{"20260302", "20260303", "20260410"} {
		data := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\n" +
			"UID:" + day + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + day + "T090000Z\r\n" +
			"DURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		if _, err := s.PutObject(ctx, cal+day+".ics", data, nil); err != nil {
			fmt.Println(err)
			return
		}
	}

	var store backend.CalendarStore = s
	rl, ok := store.(backend.RangeLister)
	if !ok {
		fmt.Println("no RangeLister: use ObjectsInRange")
		return
	}
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	refs, err := rl.ObjectRefsInRange(ctx, cal, march, march.AddDate(0, 1, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range refs {
		fmt.Println(r.Path, r.Component, r.ETag != "")
	}
	// Output:
	// /bob/calendars/default/20260302.ics VEVENT true
	// /bob/calendars/default/20260303.ics VEVENT true
}
