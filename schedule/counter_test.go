package schedule

import (
	"strings"
	"testing"
)

// counterMessage is an iTIP COUNTER (method "COUNTER", from attendee,
// proposing a new start) or DECLINECOUNTER (from the organizer) for uid.
func counterMessage(t *testing.T, method, uid, organizer, attendee string) string {
	t.Helper()
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//remote//EN", "METHOD:" + method, "BEGIN:VEVENT",
		"UID:" + uid, "SEQUENCE:0", "DTSTAMP:20090603T100000Z",
		"ORGANIZER:mailto:" + organizer, "ATTENDEE;PARTSTAT=TENTATIVE:mailto:" + attendee}
	if method == "COUNTER" {
		lines = append(lines, "DTSTART:20090611T160000Z", "DTEND:20090611T170000Z", "COMMENT:Thursday suits me better")
	}
	return icsText(append(lines, "END:VEVENT", "END:VCALENDAR")...)
}

// TestProcessIncomingCounter: an external attendee's COUNTER (Outlook's
// "propose new time") lands in the organizer's inbox for her to act on and
// leaves her copy as it was; one from someone who is not an attendee, or
// sent by someone else, is refused (3.8) and filed nowhere. The
// organizer's DECLINECOUNTER reaches a local attendee's inbox the same
// way, and only from the ORGANIZER of their copy.
func TestProcessIncomingCounter(t *testing.T) {
	e := newEnv(t, &Options{Deliverers: []Deliverer{&recordingDeliverer{}}}, cyrus, wilfredo)
	const bernardAddr, mallory = "bernard@example.net", "mallory@example.net"
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", bernardAddr)).must(t, 201)
	before, _ := e.object("/cyrus/calendars/default/m.ics")
	cyrusAddr := []string{"mailto:cyrus@example.com"}
	delivered := map[string]Status{"mailto:cyrus@example.com": StatusDelivered}
	refused := map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege}

	counter := mustDecodeMessage(t, counterMessage(t, "COUNTER", "m1", "cyrus@example.com", bernardAddr))
	wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, cyrusAddr, counter), delivered)
	items := e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(string(items[0].Data), "METHOD:COUNTER") || !strings.Contains(string(items[0].Data), "Thursday") {
		t.Fatalf("organizer's inbox after the COUNTER: %+v", items)
	}
	crasher := mustDecodeMessage(t, counterMessage(t, "COUNTER", "m1", "cyrus@example.com", mallory))
	wantStatuses(t, e.processIncoming("mailto:"+mallory, cyrusAddr, crasher), refused)
	wantStatuses(t, e.processIncoming("mailto:"+mallory, cyrusAddr, counter), refused) // bernard's, sent by mallory
	if after, _ := e.object("/cyrus/calendars/default/m.ics"); after.ETag != before.ETag {
		t.Error("a COUNTER changed the organizer's copy")
	}
	if n := len(e.inbox("/cyrus/")); n != 1 {
		t.Errorf("organizer's inbox: %d items after the refused COUNTERs, want 1", n)
	}

	// An external organizer invites wilfredo, then declines his proposal.
	const olga = "olga@remote.example"
	wilfredoAddr := []string{"mailto:wilfredo@example.com"}
	req := externalRequest(t, "REQUEST", "o1", 0, "20090601T100000Z", "Planning", olga, "wilfredo@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+olga, wilfredoAddr, req), map[string]Status{"mailto:wilfredo@example.com": StatusDelivered})
	copyBefore, _ := e.copyOf("/wilfredo/", "o1")
	decline := mustDecodeMessage(t, counterMessage(t, "DECLINECOUNTER", "o1", olga, "wilfredo@example.com"))
	wantStatuses(t, e.processIncoming("mailto:"+olga, wilfredoAddr, decline), map[string]Status{"mailto:wilfredo@example.com": StatusDelivered})
	forged := mustDecodeMessage(t, counterMessage(t, "DECLINECOUNTER", "o1", mallory, "wilfredo@example.com"))
	wantStatuses(t, e.processIncoming("mailto:"+mallory, wilfredoAddr, forged), map[string]Status{"mailto:wilfredo@example.com": StatusNoPrivilege})
	if copyAfter, _ := e.copyOf("/wilfredo/", "o1"); copyAfter.ETag != copyBefore.ETag {
		t.Error("a DECLINECOUNTER changed the attendee's copy")
	}
	declines := 0
	for _, it := range e.inbox("/wilfredo/") {
		if strings.Contains(string(it.Data), "METHOD:DECLINECOUNTER") {
			declines++
		}
	}
	if declines != 1 {
		t.Errorf("attendee's inbox holds %d DECLINECOUNTERs, want 1", declines)
	}
}
