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

// TestInboundBombsOverSMTP: mail bombs get a bounded, clear refusal over
// a real SMTP exchange: an 11 MB base64 attachment 552 5.3.4, MIME nested
// 30 deep 554, the 101st RCPT 452 4.5.3; the server answers the next
// transaction normally.
func TestInboundBombsOverSMTP(t *testing.T) {
	cs := newCalServer(t, nil)
	addr := serveReceiver(t, &Receiver{Logger: quiet}, cs.h)
	code := func(err error) int {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se.Code
		}
		return 0
	}
	huge := "From: <gina@gmail.example>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: text/calendar; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		strings.Repeat(strings.Repeat("QUJD", 19)+"\r\n", 11<<20/78) + "--b--\r\n"
	if err := submit(t, addr, "gina@gmail.example", []string{"bob@example.org"}, []byte(huge)); code(err) != 552 {
		t.Errorf("11 MB: %v, want 552", err)
	}
	deep := "From: <gina@gmail.example>\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := 1; i < 30; i++ {
		deep += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	if err := submit(t, addr, "gina@gmail.example", []string{"bob@example.org"}, []byte(deep)); code(err) != 554 {
		t.Errorf("nested 30 deep: %v, want 554", err)
	}
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("gina@gmail.example", nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := c.Rcpt(fmt.Sprintf("u%d@example.org", i), nil); err != nil {
			t.Fatalf("RCPT %d: %v", i+1, err)
		}
	}
	if err := c.Rcpt("bob@example.org", nil); code(err) != 452 {
		t.Errorf("RCPT 101: %v, want 452", err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := submit(t, addr, "gina@gmail.example", []string{"bob@example.org"}, fixture(t, "google-request.eml")); err != nil {
		t.Errorf("a good mail after the bombs: %v", err)
	}
}
