package ics_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func Example() {
	in := "BEGIN:VCALENDAR\r\n" +
		"VERSION:2.0\r\n" +
		"PRODID:-//Example//EN\r\n" +
		"BEGIN:VEVENT\r\n" +
		"UID:42@example.com\r\n" +
		"DTSTAMP:20260101T090000Z\r\n" +
		"DTSTART:20260105T100000Z\r\n" +
		"SUMMARY:Kick-off\r\n" +
		"ATTENDEE;CN=\"Doe, Jane\";PARTSTAT=NEEDS-ACTION:mailto:jane@example.com\r\n" +
		"END:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	cal, err := ics.Decode([]byte(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cal.Children[0]
	att := ev.Props.Get("ATTENDEE")
	fmt.Println(att.Params.Get("CN"), att.Value)

	att.Params.Set("PARTSTAT", "ACCEPTED")
	att.Params.Set("X-NOTE", `Says "see you there"`)
	// Lines end in CRLF; shown here with LF only.
	fmt.Print(strings.ReplaceAll(string(ics.Encode(cal)), "\r\n", "\n"))

	_, err = ics.Decode([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\n"))
	fmt.Println(errors.Is(err, ics.ErrSyntax), err)
	// Output:
	// Doe, Jane mailto:jane@example.com
	// BEGIN:VCALENDAR
	// PRODID:-//Example//EN
	// VERSION:2.0
	// BEGIN:VEVENT
	// UID:42@example.com
	// DTSTAMP:20260101T090000Z
	// ATTENDEE;CN="Doe, Jane";PARTSTAT=ACCEPTED;X-NOTE=Says ^'see you there^':mai
	//  lto:jane@example.com
	// DTSTART:20260105T100000Z
	// SUMMARY:Kick-off
	// END:VEVENT
	// END:VCALENDAR
	// true ics: line 3: END:VTODO does not match BEGIN:VEVENT on line 2
}

func ExampleDecodeOptions_Decode() {
	opts := ics.DecodeOptions{MaxDepth: 2}
	_, err := opts.Decode([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n"))
	fmt.Println(errors.Is(err, ics.ErrLimit), err)
	// Output:
	// true ics: line 3: components nested deeper than 2
}
