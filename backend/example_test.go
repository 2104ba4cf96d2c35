package backend_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// Any backend.Store serves the scheduler: here the in-memory one. Time
// range queries return candidates chosen by the index MakeIndex computes.
func Example() {
	ctx := context.Background()
	var s interface {
		backend.Store
		backend.DirectoryWriter
	} = memory.New()

	bob := backend.NewPrincipal("bob", "Bob", "bob@example.com")
	if err := backend.Provision(ctx, s, bob); err != nil {
		fmt.Println(err)
		return
	}
	cal, _ := s.DefaultCalendar(ctx, bob.Path)
	weekly := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:standup\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:20260105T093000\r\n" +
		"DURATION:PT15M\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	o, err := s.PutObject(ctx, cal+"standup.ics", weekly, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.UID, o.Component, o.First.Format(time.RFC3339), o.Last.Format(time.RFC3339), o.Unbounded)

	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in, _ := s.ObjectsInRange(ctx, cal, march, march.AddDate(0, 1, 0))
	fmt.Println("candidates in March:", len(in))
	// Output:
	// standup VEVENT 2026-01-05T08:30:00Z 2026-03-09T08:45:00Z false
	// candidates in March: 1
}

func ExampleMakeIndex() {
	idx, err := backend.MakeIndex([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\n" +
		"UID:task-1\r\nDUE;VALUE=DATE:20260601\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"))
	fmt.Println(idx.UID, idx.Component, idx.First.Format(time.RFC3339), err)
	// Output:
	// task-1 VTODO 2026-05-31T10:00:00Z <nil>
}
