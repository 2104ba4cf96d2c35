package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// A scheduler delivers a reply into the organizer's calendar with
// compare-and-swap, and keeps the iTIP message in the inbox.
func Example() {
	ctx := context.Background()
	s := memory.New()
	alice := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.Provision(ctx, alice); err != nil {
		fmt.Println(err)
		return
	}
	p, _ := s.PrincipalByAddress(ctx, "MAILTO:Alice@Example.com")
	cal, _ := s.DefaultCalendar(ctx, p.Path)
	fmt.Println("principal", p.Path, "default calendar", cal)

	event := func(partstat string) []byte {
		return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\n" +
			"UID:meeting-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\n" +
			"ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=" + partstat + ":mailto:bob@example.com\r\n" +
			"END:VEVENT\r\nEND:VCALENDAR\r\n")
	}
	created, _ := s.PutObject(ctx, cal+"meeting-1.ics", event("NEEDS-ACTION"), &backend.PutOptions{IfNoneMatch: true, ScheduleTag: "s1"})

	// Bob's reply arrives: find Alice's copy by UID and update it only if
	// nobody changed it in between.
	o, _ := s.ObjectByUID(ctx, p.Path, "meeting-1")
	_, err := s.PutObject(ctx, o.Path, event("ACCEPTED"), &backend.PutOptions{IfMatch: o.ETag, ScheduleTag: o.ScheduleTag})
	fmt.Println("reply applied:", err == nil)
	_, err = s.PutObject(ctx, o.Path, event("DECLINED"), &backend.PutOptions{IfMatch: created.ETag})
	fmt.Println("stale write refused:", errors.Is(err, backend.ErrPreconditionFailed))

	if _, err := s.CreateSchedulingObject(ctx, p.Path, "reply-1.ics", []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n")); err != nil {
		fmt.Println(err)
	}
	inbox, _ := s.SchedulingObjects(ctx, p.Path)
	fmt.Println("inbox items:", len(inbox))
	// Output:
	// principal /alice/ default calendar /alice/calendars/default/
	// reply applied: true
	// stale write refused: true
	// inbox items: 1
}
