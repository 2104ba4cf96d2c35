package itip_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Bob's server receives Alice's invitation and creates Bob's copy; Alice's
// server then receives Bob's reply, updates her copy and says which
// status-only refresh to send to Carol.
func ExampleApply() {
	const event = "BEGIN:VEVENT\r\nUID:lunch-1@example.org\r\nSEQUENCE:0\r\n" +
		"DTSTAMP:20260301T090000Z\r\nDTSTART:20260310T120000Z\r\nDTEND:20260310T130000Z\r\n" +
		"SUMMARY:Lunch\r\nORGANIZER:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n" +
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.org\r\n" +
		"END:VEVENT\r\n"
	const header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n"
	request, err := ics.Decode([]byte(header + "METHOD:REQUEST\r\n" + event + "END:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	opts := itip.ApplyOptions{Now: time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)}
	bob, err := itip.Apply(request, nil, "mailto:bob@example.org", opts)
	if err != nil {
		panic(err)
	}
	fmt.Println("Bob's copy:", bob.Outcome)

	// Alice's stored copy is the event without METHOD; Bob accepts.
	aliceCopy, err := ics.Decode([]byte(header + event + "END:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	reply, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n" +
		"METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:lunch-1@example.org\r\nSEQUENCE:0\r\n" +
		"DTSTAMP:20260301T091000Z\r\nORGANIZER:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	alice, err := itip.Apply(reply, aliceCopy, "mailto:alice@example.org", opts)
	if err != nil {
		panic(err)
	}
	fmt.Println("Alice's copy:", alice.Outcome, "status only:", alice.StatusOnly)
	for _, m := range alice.Refresh {
		fmt.Println(m.Method, m.Update, m.Recipients)
	}

	// A REQUEST for the same UID from someone else is refused.
	forged, _ := ics.Decode(ics.Encode(request))
	forged.Children[0].Props.Get("ORGANIZER").Value = "mailto:mallory@example.net"
	forged.Children[0].Props.Get("SEQUENCE").Value = "9"
	_, err = itip.Apply(forged, bob.Calendar, "mailto:bob@example.org", opts)
	fmt.Println(err != nil, errors.Is(err, itip.ValidOrganizer))

	// Output:
	// Bob's copy: created
	// Alice's copy: updated status only: true
	// REQUEST status-only [mailto:carol@example.org]
	// true true
}
