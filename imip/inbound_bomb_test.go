package imip

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// bigInvitation is mallory's REQUEST to bob with n more (remote)
// attendees.
func bigInvitation(uid string, n int) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evil//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\n" +
		"DTSTAMP:20261106T120000Z\r\nDTSTART:20261204T140000Z\r\nORGANIZER:mailto:mallory@evil.example\r\n" +
		"ATTENDEE:mailto:bob@example.org\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "ATTENDEE:mailto:guest%06d@x.example\r\n", i)
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return calendarMail("From: <mallory@evil.example>\r\n", "REQUEST", b.String())
}

// TestInboundCopyTooLargeIsPermanent: an invitation whose copy is larger
// than the recipient's calendar takes is refused for good (5.3, an SMTP
// 5xx), not answered 451 so that the MTA hands the same megabytes over
// again and again for days.
func TestInboundCopyTooLargeIsPermanent(t *testing.T) {
	cs := newCalServer(t, nil)
	mail := bigInvitation("too-big", 40000) // about 1.4 MB, the calendar takes 1 MiB
	addr := serveReceiver(t, &Receiver{Logger: quiet}, cs.h)
	err := submit(t, addr, "mallory@evil.example", []string{"bob@example.org"}, mail)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code/100 != 5 {
		t.Fatalf("reply %v, want a permanent (5xx) refusal", err)
	}
	if cs.copyPath("/bob/", "too-big") != "" {
		t.Error("the copy was stored")
	}
}
