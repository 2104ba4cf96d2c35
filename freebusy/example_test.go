package freebusy_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// decode parses iCalendar text written with LF line ends.
func decode(text string) *ical.Calendar {
	cal, err := ics.Decode([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	if err != nil {
		panic(err)
	}
	return cal
}

// Answering an organizer's busy-time request (RFC 6638 Appendix B.5) for
// one attendee: a weekly meeting of which the attendee declined one
// instance, and an all-day event in the attendee's time zone.
func Example() {
	request := decode(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Client//EN
METHOD:REQUEST
BEGIN:VFREEBUSY
UID:fb-1
DTSTAMP:20260101T000000Z
DTSTART:20260105T000000Z
DTEND:20260117T000000Z
ORGANIZER:mailto:cyrus@example.com
ATTENDEE:mailto:bernard@example.net
END:VFREEBUSY
END:VCALENDAR
`)
	weekly := decode(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Client//EN
BEGIN:VEVENT
UID:weekly
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Paris:20260105T100000
DTEND;TZID=Europe/Paris:20260105T110000
RRULE:FREQ=WEEKLY
SUMMARY:Team meeting
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bernard@example.net
END:VEVENT
BEGIN:VEVENT
UID:weekly
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Paris:20260112T100000
DTSTART;TZID=Europe/Paris:20260112T100000
DTEND;TZID=Europe/Paris:20260112T110000
SUMMARY:Team meeting
ATTENDEE;PARTSTAT=DECLINED:mailto:bernard@example.net
END:VEVENT
END:VCALENDAR
`)
	holiday := decode(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Client//EN
BEGIN:VEVENT
UID:holiday
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260106
SUMMARY:Epiphany
END:VEVENT
END:VCALENDAR
`)

	req, err := freebusy.ParseRequest(request)
	if err != nil {
		fmt.Println(err)
		return
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	res, err := freebusy.Compute(context.Background(), freebusy.Query{
		Start:     req.Start,
		End:       req.End,
		Addresses: []string{"mailto:bernard@example.net"},
		Location:  paris,
	}, []freebusy.Object{{Calendar: weekly}, {Calendar: holiday}})
	if err != nil {
		fmt.Println(err)
		return
	}
	stamp := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	reply := freebusy.Reply(req.ResponseInfo(req.Attendees[0], stamp), res.Periods)
	fmt.Print(strings.ReplaceAll(string(ics.Encode(reply)), "\r\n", "\n"))
	// Output:
	// BEGIN:VCALENDAR
	// PRODID:-//go-autoschedule//freebusy//EN
	// VERSION:2.0
	// METHOD:REPLY
	// BEGIN:VFREEBUSY
	// UID:fb-1
	// DTSTAMP:20260102T120000Z
	// ATTENDEE:mailto:bernard@example.net
	// DTEND:20260117T000000Z
	// DTSTART:20260105T000000Z
	// FREEBUSY;FBTYPE=BUSY:20260105T090000Z/20260105T100000Z
	// FREEBUSY;FBTYPE=BUSY:20260105T230000Z/20260106T230000Z
	// ORGANIZER:mailto:cyrus@example.com
	// END:VFREEBUSY
	// END:VCALENDAR
}
