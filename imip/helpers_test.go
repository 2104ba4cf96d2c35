package imip

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/go-autoschedule/autoschedule/itip"
)

// invitationICS is an organizer's REQUEST to three attendees, with
// non-ASCII text and a long description.
const invitationICS = "BEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"PRODID:-//test//imip//EN\r\n" +
	"METHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:imip-test-1@example.org\r\n" +
	"DTSTAMP:20261120T100000Z\r\n" +
	"DTSTART;TZID=Europe/Berlin:20261203T100000\r\n" +
	"DTEND;TZID=Europe/Berlin:20261203T113000\r\n" +
	"SUMMARY:Planung Café Q1\r\n" +
	"LOCATION:Raum Zürich\\, 3. Stock\r\n" +
	"DESCRIPTION:Agenda:\\n1. Rückblick\\n2. " + "Ausblick auf das nächste Quartal mit sehr langen Zeilen, die umbrochen werden müssen, damit keine Zeile im Mail zu lang wird. " + "\r\n" +
	"ORGANIZER;CN=Alice Organizer:mailto:alice@example.org\r\n" +
	"ATTENDEE;CN=Alice Organizer;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.org\r\n" +
	"ATTENDEE;CN=Bob Remote;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@remote.example\r\n" +
	"ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION:mailto:carol@remote.example\r\n" +
	"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dave@remote.example\r\n" +
	"SEQUENCE:0\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// replyICS is Bob's REPLY accepting.
const replyICS = "BEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"PRODID:-//test//imip//EN\r\n" +
	"METHOD:REPLY\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:imip-test-1@example.org\r\n" +
	"DTSTAMP:20261120T110000Z\r\n" +
	"DTSTART:20261203T090000Z\r\n" +
	"SUMMARY:Planning\r\n" +
	"ORGANIZER:mailto:carol@remote.example\r\n" +
	"ATTENDEE;CN=Bob Local;PARTSTAT=%s:mailto:bob@example.org\r\n" +
	"SEQUENCE:0\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// mustMessage decodes an iTIP message or fails the test.
func mustMessage(t testing.TB, ics string) *itip.Message {
	t.Helper()
	m, err := itip.DecodeMessage([]byte(ics))
	if err != nil {
		t.Fatalf("DecodeMessage: %v", err)
	}
	return m
}

// mustComposer returns a Composer for calendar@example.org.
func mustComposer(t testing.TB, opts ComposerOptions) *Composer {
	t.Helper()
	if opts.From == "" {
		opts.From = "calendar@example.org"
	}
	c, err := NewComposer(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leaf is one decoded leaf part of a parsed mail.
type leaf struct {
	typ    string
	params map[string]string
	cte    string
	disp   string
	body   []byte
	path   string
}

// parsedMail is a mail parsed back with go-message.
type parsedMail struct {
	header gomail.Header
	top    string
	leaves []leaf
}

// parseBack parses raw with go-message and flattens its leaves.
func parseBack(t testing.TB, raw []byte) *parsedMail {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("message.Read: %v", err)
	}
	pm := &parsedMail{header: gomail.Header{Header: e.Header}}
	pm.top, _, _ = e.Header.ContentType()
	var walk func(e *message.Entity, path string)
	walk = func(e *message.Entity, path string) {
		typ, params, _ := e.Header.ContentType()
		if mr := e.MultipartReader(); mr != nil {
			pm.leaves = append(pm.leaves, leaf{typ: typ, path: path})
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("NextPart: %v", err)
				}
				walk(p, path+"/"+typ)
			}
		}
		b, err := io.ReadAll(e.Body)
		if err != nil {
			t.Fatalf("reading %s: %v", typ, err)
		}
		disp, _, _ := mime.ParseMediaType(e.Header.Get("Content-Disposition"))
		pm.leaves = append(pm.leaves, leaf{typ: typ, params: params, cte: e.Header.Get("Content-Transfer-Encoding"), disp: disp, body: b, path: path})
	}
	walk(e, "")
	return pm
}

// part returns the first leaf of type typ.
func (pm *parsedMail) part(t testing.TB, typ string) leaf {
	t.Helper()
	for _, l := range pm.leaves {
		if l.typ == typ {
			return l
		}
	}
	t.Fatalf("no %s part; have %v", typ, pm.types())
	return leaf{}
}

// types lists the leaf types with their paths.
func (pm *parsedMail) types() []string {
	var out []string
	for _, l := range pm.leaves {
		out = append(out, strings.TrimPrefix(l.path+"/"+l.typ, "/"))
	}
	return out
}
