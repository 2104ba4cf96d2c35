package imip

import (
	"errors"
	"fmt"
	"log/slog"
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

// TestInboundManyRecipients: without an envelope every attendee of a
// message is a recipient; a message naming more than MaxRecipients is
// refused before any lookup (ErrTooComplex), and one below it that
// nobody here receives leaves one log line, not one per recipient.
func TestInboundManyRecipients(t *testing.T) {
	w := &logWatch{}
	cs := newCalServer(t, slog.New(slog.NewTextHandler(w, nil)))
	r := &Receiver{Logger: quiet}
	if _, err := cs.receive(r, bigInvitation("many", 5000), Envelope{}); !errors.Is(err, ErrTooComplex) {
		t.Fatalf("5001 recipients: %v, want ErrTooComplex", err)
	}
	if _, err := cs.receive(&Receiver{Logger: quiet, MaxRecipients: 10000}, bigInvitation("many", 5000), Envelope{}); err != nil {
		t.Fatalf("5001 recipients with MaxRecipients 10000: %v", err)
	}
	logged := w.take()
	if n := strings.Count(logged, "incoming message not delivered"); n != 1 || !strings.Contains(logged, "undelivered=5000") {
		t.Errorf("%d log lines for the undelivered recipients, want 1 counting 5000:\n%.2000s", n, logged)
	}
}
