package schedule_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// An invitation e-mail from an external organizer reaches a local user:
// imip.Receiver checks the sender, the middleware files the copy in Bob's
// default calendar and the message in his inbox.
func ExampleHandler_ProcessIncoming() {
	ctx := context.Background()
	store := memory.New()
	if err := store.Provision(ctx, backend.NewPrincipal("bob", "Bob", "bob@example.org")); err != nil {
		panic(err)
	}
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, nil)

	mail := strings.Join([]string{
		"From: Olga <olga@remote.example>",
		"To: bob@example.org",
		"Subject: Invitation: Planning",
		"Content-Type: text/calendar; method=REQUEST; charset=utf-8",
		"",
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//remote//EN", "METHOD:REQUEST",
		"BEGIN:VEVENT", "UID:planning-1", "DTSTAMP:20261101T090000Z", "SEQUENCE:0",
		"DTSTART:20261203T090000Z", "DTEND:20261203T100000Z", "SUMMARY:Planning",
		"ORGANIZER:mailto:olga@remote.example",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org",
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")

	r := &imip.Receiver{}
	in, err := r.Parse(ctx, strings.NewReader(mail), imip.Envelope{MailFrom: "olga@remote.example", Recipients: []string{"bob@example.org"}})
	if err != nil {
		panic(err)
	}
	statuses, err := r.Process(ctx, h, in) // calls h.ProcessIncoming
	if err != nil {
		panic(err)
	}
	fmt.Println("status:", statuses["mailto:bob@example.org"])

	obj, err := store.ObjectByUID(ctx, "/bob/", "planning-1")
	if err != nil {
		panic(err)
	}
	items, _ := store.SchedulingObjects(ctx, "/bob/")
	fmt.Println("copy in", obj.Path[:strings.LastIndex(obj.Path, "/")+1], "- inbox items:", len(items))
	// Output:
	// status: 1.2
	// copy in /bob/calendars/default/ - inbox items: 1
}
