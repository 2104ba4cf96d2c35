package imip

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/schedule"
)

// googleUID is the UID of google-request.eml (Gina invites Bob).
const googleUID = "0a1b2c3d4e5f6g7h8i9j@google.example"

// calendarMail is a minimal iMIP mail: the header lines, then one
// text/calendar part with method.
func calendarMail(header, method, ics string) []byte {
	return []byte("MIME-Version: 1.0\r\n" + header +
		"Subject: test\r\nContent-Type: text/calendar; charset=utf-8; method=" + method + "\r\n\r\n" + ics)
}

// ginaCancel is a CANCEL of Gina's invitation to Bob whose ORGANIZER line
// is organizer.
func ginaCancel(organizer string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evil//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\n" +
		"UID:" + googleUID + "\r\nDTSTAMP:20261106T120000Z\r\nDTSTART:20261210T160000Z\r\nSEQUENCE:1\r\n" +
		organizer + "\r\nATTENDEE:mailto:bob@example.org\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// daveReply is a REPLY to Alice's event (tbReplyUID) whose ATTENDEE line
// is attendee.
func daveReply(attendee string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evil//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
		"UID:" + tbReplyUID + "\r\nDTSTAMP:20261106T120000Z\r\nDTSTART:20261204T140000Z\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\n" + attendee + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// newAuthorityServer is a calServer where Bob holds Gina's invitation and
// Alice organizes an event Dave (remote) is invited to.
func newAuthorityServer(t *testing.T) *calServer {
	t.Helper()
	cs := newCalServer(t, nil)
	cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))
	if _, err := cs.receive(&Receiver{Logger: quiet}, fixture(t, "google-request.eml"), Envelope{MailFrom: "gina@gmail.example", Recipients: []string{"bob@example.org"}}); err != nil {
		t.Fatal(err)
	}
	return cs
}

// wantNoChange runs mail through cs and requires that it is refused by
// Parse with ErrSpoofed or, if it passes Parse, that no recipient got it,
// and that nothing in the store changed.
func wantNoChange(t *testing.T, cs *calServer, r *Receiver, mail []byte, env Envelope) {
	t.Helper()
	before := cs.state()
	st, err := cs.receive(r, mail, env)
	if err == nil {
		for k, v := range st {
			if strings.HasPrefix(string(v), "1.") {
				t.Errorf("delivered to %s (%s)", k, v)
			}
		}
	} else if !errors.Is(err, ErrSpoofed) {
		t.Errorf("refused with %v, want ErrSpoofed", err)
	}
	if after := cs.state(); after != before {
		t.Errorf("the mail changed the store:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// TestInboundAddressTricks: an address that only becomes the organizer's
// or attendee's once calendar-address normalisation drops a "?query" or
// decodes "%40" is another mailbox (the MTA authenticated the domain after
// the last "@"), so it does not speak for them.
func TestInboundAddressTricks(t *testing.T) {
	cs := newAuthorityServer(t)
	r := &Receiver{Logger: quiet}
	for name, tc := range map[string]struct {
		header, method, ics string
		env                 Envelope
	}{
		"From with ?query": {
			header: "From: Gina <gina@gmail.example?@evil.example>\r\n", method: "CANCEL",
			ics: ginaCancel("ORGANIZER:mailto:gina@gmail.example"), env: Envelope{MailFrom: "bounce@gmail.example"},
		},
		"From with %40 and ?": {
			header: "From: <gina%40gmail.example?@evil.example>\r\n", method: "CANCEL",
			ics: ginaCancel("ORGANIZER:mailto:gina@gmail.example"),
		},
		"REPLY From with ?query": {
			header: "From: <dave@tb.example?@evil.example>\r\n", method: "REPLY",
			ics: daveReply("ATTENDEE;PARTSTAT=DECLINED:mailto:dave@tb.example"),
		},
		"MAIL FROM with ?query, exact": {
			header: "From: <gina@gmail.example>\r\n", method: "CANCEL",
			ics: ginaCancel("ORGANIZER:mailto:gina@gmail.example"), env: Envelope{MailFrom: "gina@gmail.example?@evil.example"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			rr := r
			if strings.HasPrefix(name, "MAIL FROM") {
				rr = &Receiver{Logger: quiet, Envelope: EnvelopeExact}
			}
			wantNoChange(t, cs, rr, calendarMail(tc.header, tc.method, tc.ics), tc.env)
		})
	}
	// Kate's REPLY from an address whose Kelvin sign only lower-cases to
	// her "k".
	kelvin := calendarMail("From: <\u212Aate@tb.example>\r\n", "REPLY", daveReply("ATTENDEE;PARTSTAT=DECLINED:mailto:kate@tb.example"))
	if _, err := r.Parse(context.Background(), bytes.NewReader(kelvin), Envelope{}); !errors.Is(err, ErrSpoofed) {
		t.Errorf("Kelvin sign: %v, want ErrSpoofed", err)
	}
	// The same CANCEL from Gina herself, with her address in capitals,
	// goes through: the checks above are not just refusing everything.
	st, err := cs.receive(r, calendarMail("From: Gina <GINA@Gmail.Example>\r\n", "CANCEL", ginaCancel("ORGANIZER:mailto:gina@gmail.example")), Envelope{})
	if err != nil || st[bobAddr] != schedule.StatusDelivered {
		t.Fatalf("Gina's own CANCEL: %v %v", st, err)
	}
}

// TestInboundDisplayNameTricks: the display name is not the address.
func TestInboundDisplayNameTricks(t *testing.T) {
	cs := newAuthorityServer(t)
	for _, from := range []string{
		`"gina@gmail.example" <mallory@evil.example>`,
		`gina@gmail.example <mallory@evil.example>`,
		`=?utf-8?q?gina=40gmail=2Eexample?= <mallory@evil.example>`,
		`mallory@evil.example (gina@gmail.example)`,
	} {
		t.Run(from, func(t *testing.T) {
			wantNoChange(t, cs, &Receiver{Logger: quiet}, calendarMail("From: "+from+"\r\n", "CANCEL", ginaCancel("ORGANIZER:mailto:gina@gmail.example")), Envelope{})
		})
	}
}

// TestInboundRefusesSeveralFromFields: a mail with two From fields (RFC
// 5322 allows one) is refused: the receiving MTA may have authenticated
// the other one.
func TestInboundRefusesSeveralFromFields(t *testing.T) {
	cs := newAuthorityServer(t)
	mail := calendarMail("From: <gina@gmail.example>\r\nFrom: <mallory@evil.example>\r\n", "CANCEL", ginaCancel("ORGANIZER:mailto:gina@gmail.example"))
	wantNoChange(t, cs, &Receiver{Logger: quiet}, mail, Envelope{})
}

// TestInboundForeignSentBy: a SENT-BY is the message's own claim (RFC
// 6047 §3: nothing in iTIP verifies it), so by default it is believed only
// for a delegate in the calendar user's own domain. Mallory, sending
// authentically as herself from another domain, cannot cancel Gina's
// event or decline for Dave by naming herself SENT-BY; Receiver.SentBy
// can allow such a proxy.
func TestInboundForeignSentBy(t *testing.T) {
	cs := newAuthorityServer(t)
	r := &Receiver{Logger: quiet}
	cancel := calendarMail("From: Mallory <mallory@evil.example>\r\n", "CANCEL",
		ginaCancel(`ORGANIZER;SENT-BY="mailto:mallory@evil.example":mailto:gina@gmail.example`))
	wantNoChange(t, cs, r, cancel, Envelope{MailFrom: "mallory@evil.example"})
	reply := calendarMail("From: Mallory <mallory@evil.example>\r\n", "REPLY",
		daveReply(`ATTENDEE;PARTSTAT=DECLINED;SENT-BY="mailto:mallory@evil.example":mailto:dave@tb.example`))
	wantNoChange(t, cs, r, reply, Envelope{MailFrom: "mallory@evil.example"})

	// A delegate in Gina's domain is believed by default.
	sam := calendarMail("From: Sam <sam@gmail.example>\r\n", "CANCEL",
		ginaCancel(`ORGANIZER;SENT-BY="mailto:sam@gmail.example":mailto:gina@gmail.example`))
	if _, err := (&Receiver{Logger: quiet}).Parse(context.Background(), bytes.NewReader(sam), Envelope{}); err != nil {
		t.Errorf("same-domain SENT-BY: %v", err)
	}
	// Not from a parent or a subdomain: on shared hosting they belong to
	// someone else.
	for _, sb := range []string{"mailto:owner@example", "mailto:someone@mail.gmail.example"} {
		mail := calendarMail("From: <"+strings.TrimPrefix(sb, "mailto:")+">\r\n", "CANCEL",
			ginaCancel(`ORGANIZER;SENT-BY="`+sb+`":mailto:gina@gmail.example`))
		if _, err := (&Receiver{Logger: quiet, Envelope: EnvelopeIgnored}).Parse(context.Background(), bytes.NewReader(mail), Envelope{}); !errors.Is(err, ErrSpoofed) {
			t.Errorf("SENT-BY %s: %v, want ErrSpoofed", sb, err)
		}
	}
	// A hook trusting Mallory for Gina lets her through.
	trusting := &Receiver{Logger: quiet, SentBy: func(_ context.Context, sentBy, calendarUser string) error {
		if sentBy == "mailto:mallory@evil.example" && calendarUser == "mailto:gina@gmail.example" {
			return nil
		}
		return errors.New("not a known proxy")
	}}
	st, err := cs.receive(trusting, cancel, Envelope{MailFrom: "mallory@evil.example"})
	if err != nil || st[bobAddr] != schedule.StatusDelivered {
		t.Errorf("trusted proxy: %v %v", st, err)
	}
	// … and refusing Sam.
	if _, err := trusting.Parse(context.Background(), bytes.NewReader(sam), Envelope{}); !errors.Is(err, ErrSpoofed) {
		t.Errorf("SENT-BY refused by the hook: %v", err)
	}
}

// TestInboundAuthorityOverObjects: mails authentic as to their sender
// that reach for objects the sender has no say over change nothing: a
// CANCEL or REQUEST for a UID another organizer (or a local user)
// organizes, an ORGANIZER-less REPLY sent to an attendee instead of the
// organizer, a second calendar part for another UID, a REPLY naming two
// attendees.
func TestInboundAuthorityOverObjects(t *testing.T) {
	cs := newAuthorityServer(t)
	r := &Receiver{Logger: quiet}
	mallory := "From: Mallory <mallory@evil.example>\r\n"
	request := func(uid, organizer, attendee string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evil//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
			"UID:" + uid + "\r\nDTSTAMP:20261106T120000Z\r\nDTSTART:20261204T140000Z\r\nSEQUENCE:9\r\nSUMMARY:Hijacked\r\n" +
			"ORGANIZER:" + organizer + "\r\nATTENDEE:" + attendee + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	for name, tc := range map[string]struct {
		mail []byte
		env  Envelope
	}{
		"CANCEL of Gina's event by Mallory": {
			mail: calendarMail(mallory, "CANCEL", ginaCancel("ORGANIZER:mailto:mallory@evil.example")),
		},
		"REQUEST for Alice's own UID to Alice": {
			mail: calendarMail(mallory, "REQUEST", request(tbReplyUID, "mailto:mallory@evil.example", "mailto:alice@example.org")),
		},
		"REQUEST for Alice's UID to her attendee Bob": {
			mail: calendarMail(mallory, "REQUEST", request(tbReplyUID, "mailto:mallory@evil.example", "mailto:bob@example.org")),
		},
		"ORGANIZER-less REPLY to an attendee": {
			mail: calendarMail("From: <dave@tb.example>\r\n", "REPLY",
				strings.Replace(daveReply("ATTENDEE;PARTSTAT=DECLINED:mailto:dave@tb.example"), "ORGANIZER:mailto:alice@example.org\r\n", "", 1)),
			env: Envelope{Recipients: []string{"bob@example.org"}},
		},
		"REPLY with two ATTENDEEs": {
			mail: calendarMail("From: <dave@tb.example>\r\n", "REPLY",
				daveReply("ATTENDEE;PARTSTAT=ACCEPTED:mailto:dave@tb.example\r\nATTENDEE;PARTSTAT=DECLINED:mailto:zoe@remote.example")),
		},
		"Gina's REQUEST plus a CANCEL of Alice's event": {
			mail: []byte("MIME-Version: 1.0\r\nFrom: <gina@gmail.example>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/calendar; method=CANCEL\r\n\r\n" +
				strings.Replace(strings.Replace(ginaCancel("ORGANIZER:mailto:gina@gmail.example"), googleUID, tbReplyUID, 1), "mailto:bob@", "mailto:alice@", 1) +
				"\r\n--b--\r\n"),
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := cs.state()
			st, err := cs.receive(r, tc.mail, tc.env)
			for k, v := range st {
				if strings.HasPrefix(string(v), "1.") {
					t.Errorf("delivered to %s (%s)", k, v)
				}
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("refused with %v", err)
			}
			if after := cs.state(); after != before {
				t.Errorf("the mail changed the store:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

// TestInboundOrganizerCannotAnswerForAttendee: a local attendee's
// PARTSTAT is theirs (RFC 6638 §3.2.1 refuses a local organizer's PUT
// that sets it to anything but NEEDS-ACTION). An external organizer's
// REQUEST that says the attendee ACCEPTED (a new invitation, or a
// rescheduled one) leaves them NEEDS-ACTION; before, the copy took the
// organizer's word, so anyone could fill a user's calendar with accepted,
// busy events.
func TestInboundOrganizerCannotAnswerForAttendee(t *testing.T) {
	cs := newCalServer(t, nil)
	r := &Receiver{Logger: quiet}
	invite := func(stamp, seq, start, partstat string) []byte {
		return calendarMail("From: <mallory@evil.example>\r\n", "REQUEST",
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evil//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"+
				"UID:fill-1\r\nDTSTAMP:"+stamp+"\r\nSEQUENCE:"+seq+"\r\nDTSTART:"+start+"\r\nDURATION:PT8H\r\nSUMMARY:Busy\r\n"+
				"ORGANIZER:mailto:mallory@evil.example\r\n"+
				"ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@evil.example\r\n"+
				"ATTENDEE;PARTSTAT="+partstat+":mailto:bob@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}
	partstat := func() string {
		t.Helper()
		return param(line(cs.get("bob", cs.copyPath("/bob/", "fill-1")), "ATTENDEE", "mailto:bob@example.org"), "PARTSTAT")
	}
	st, err := cs.receive(r, invite("20261106T120000Z", "0", "20261204T080000Z", "ACCEPTED"), Envelope{})
	if err != nil || st[bobAddr] != schedule.StatusDelivered {
		t.Fatalf("invitation: %v %v", st, err)
	}
	if got := partstat(); got != "NEEDS-ACTION" {
		t.Errorf("new copy: PARTSTAT %q, want NEEDS-ACTION", got)
	}
	// Bob declines; the organizer moves the event and claims he accepted.
	p := cs.copyPath("/bob/", "fill-1")
	declined := strings.Replace(cs.get("bob", p), "PARTSTAT=NEEDS-ACTION", "PARTSTAT=DECLINED", 1)
	if code, resp := cs.do("bob", http.MethodPut, p, strings.ReplaceAll(declined, "\n", "\r\n")); code/100 != 2 {
		t.Fatalf("decline: %d %s", code, resp)
	}
	if _, err := cs.receive(r, invite("20261107T120000Z", "1", "20261205T080000Z", "ACCEPTED"), Envelope{}); err != nil {
		t.Fatal(err)
	}
	if got := partstat(); got != "NEEDS-ACTION" {
		t.Errorf("rescheduled copy: PARTSTAT %q, want NEEDS-ACTION", got)
	}
	// The message as received is not changed for other uses.
	in, err := r.Parse(context.Background(), bytes.NewReader(invite("20261108T120000Z", "2", "20261206T080000Z", "ACCEPTED")), Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Process(context.Background(), cs.h, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(in.Messages[0].Message.Bytes()), "PARTSTAT=ACCEPTED:mailto:bob@example.org") {
		t.Error("ProcessIncoming changed the caller's message")
	}
}
