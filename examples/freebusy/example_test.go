package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Answering RFC 6638 Appendix B.5's request for Wilfredo from his calendar
// files: a breakfast in New York, a daily standup of which he declined one
// instance, a transparent reminder and a cancelled review.
func Example() {
	dir := filepath.Join("..", "..", "testdata", "freebusy", "rfc6638-b5-wilfredo")
	args := []string{"-user", "mailto:wilfredo@example.com", "-request", filepath.Join(dir, "request.ics")}
	for _, f := range []string{"breakfast.ics", "standup.ics", "reminder.ics", "cancelled.ics"} {
		args = append(args, filepath.Join(dir, f))
	}
	stamp := time.Date(2009, 6, 2, 20, 7, 33, 0, time.UTC)
	var out bytes.Buffer
	if err := run(context.Background(), args, &out, os.Stderr, stamp); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// BEGIN:VCALENDAR
	// PRODID:-//go-autoschedule//freebusy//EN
	// VERSION:2.0
	// METHOD:REPLY
	// BEGIN:VFREEBUSY
	// UID:4FD3AD926350
	// DTSTAMP:20090602T200733Z
	// ATTENDEE;CN=Wilfredo Sanchez Vega:mailto:wilfredo@example.com
	// DTEND:20090604T000000Z
	// DTSTART:20090602T000000Z
	// FREEBUSY;FBTYPE=BUSY:20090602T110000Z/20090602T120000Z
	// FREEBUSY;FBTYPE=BUSY:20090603T170000Z/20090603T180000Z
	// ORGANIZER;CN=Cyrus Daboo:mailto:cyrus@example.com
	// END:VFREEBUSY
	// END:VCALENDAR
}
