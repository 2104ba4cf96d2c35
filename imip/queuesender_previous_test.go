package imip

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// reviewEvent is alice's event of the update test, at start, in room,
// with the given remote attendees.
func reviewEvent(uid, start, room string, seq int, attendees ...string) string {
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\n" +
		"SEQUENCE:" + string(rune('0'+seq)) + "\r\nSUMMARY:Queued review\r\nLOCATION:" + room + "\r\n" +
		"ORGANIZER;CN=Alice Organizer:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n"
	for _, a := range attendees {
		body += "ATTENDEE;RSVP=TRUE:mailto:" + a + "\r\n"
	}
	return body + "END:VEVENT\r\nEND:VCALENDAR\r\n"
}

// TestQueuedUpdateListsChanges: the organizer moves a queued event to
// another time and room. The middleware queues the attendees' REQUESTs
// with what they saw before (OutboundMessage.Previous), so the mail an
// existing attendee gets over SMTP is "Updated: ..." and its text and
// HTML parts list the old and new time (in the recipient's time zone)
// and place; an attendee added by the same write gets an invitation that
// lists no changes, as does the first invitation.
func TestQueuedUpdateListsChanges(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	s.sender.Location = func(_ context.Context, recipient string) *time.Location {
		if recipient == "mailto:erin@remote.example" {
			return berlin
		}
		return nil
	}
	if code, b := s.do(http.MethodPut, queuedPath, reviewEvent("review-upd", "20261203T100000Z", "Room 1", 0, "erin@remote.example")); code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	w := s.worker()
	s.process(w)
	first := sk.received()
	if len(first) != 1 {
		t.Fatalf("%d mails for the invitation, want 1", len(first))
	}
	pm := parseBack(t, first[0].data)
	if subj, _ := pm.header.Subject(); subj != "Invitation: Queued review" {
		t.Errorf("first mail's Subject %q", subj)
	}
	for _, typ := range []string{"text/plain", "text/html"} {
		if body := string(pm.part(t, typ).body); strings.Contains(body, "What changed") {
			t.Errorf("the invitation's %s part lists changes:\n%s", typ, body)
		}
	}

	body := reviewEvent("review-upd", "20261204T140000Z", "Room 2", 1, "erin@remote.example", "gina@remote.example")
	if code, b := s.do(http.MethodPut, queuedPath, body); code != http.StatusNoContent {
		t.Fatalf("PUT of the update: %d %s", code, b)
	}
	if n := s.process(w); n != 2 {
		t.Fatalf("the worker sent %d messages for the update, want 2", n)
	}
	mails := map[string]*parsedMail{}
	for _, m := range sk.received()[1:] {
		mails[m.to[0]] = parseBack(t, m.data)
	}

	erin := mails["erin@remote.example"]
	if erin == nil {
		t.Fatalf("no update mail for erin; mails to %v", mails)
	}
	if subj, _ := erin.header.Subject(); subj != "Updated: Queued review" {
		t.Errorf("update Subject %q, want Updated: Queued review", subj)
	}
	const (
		oldWhen = "Thursday, 3 December 2026, 11:00 – 12:00 (Europe/Berlin)"
		newWhen = "Friday, 4 December 2026, 15:00 – 16:00 (Europe/Berlin)"
	)
	text := string(erin.part(t, "text/plain").body)
	for _, want := range []string{
		"What changed:",
		"  - When: " + oldWhen + " -> " + newWhen,
		"  - Where: Room 1 -> Room 2",
		"  - Attendees: added gina@remote.example",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	html := string(erin.part(t, "text/html").body)
	for _, want := range []string{
		"<h3>What changed</h3>",
		"<li>When: <s>" + oldWhen + "</s> → " + newWhen + "</li>",
		"<li>Where: <s>Room 1</s> → Room 2</li>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}

	gina := mails["gina@remote.example"]
	if gina == nil {
		t.Fatalf("no invitation for the added attendee; mails to %v", mails)
	}
	if subj, _ := gina.header.Subject(); subj != "Invitation: Queued review" {
		t.Errorf("added attendee's Subject %q, want an invitation", subj)
	}
	for _, typ := range []string{"text/plain", "text/html"} {
		if body := string(gina.part(t, typ).body); strings.Contains(body, "What changed") || strings.Contains(body, "Room 1") {
			t.Errorf("the added attendee's %s part shows the earlier version:\n%s", typ, body)
		}
	}
}

// TestQueuedSupersededUpdatesListChangesSinceLastMail: updates queued
// while an earlier one waits replace it, and the one mail that goes out
// lists every change since the mail the attendee last got; an invitation
// that an update superseded before it was sent goes out as an invitation.
func TestQueuedSupersededUpdatesListChangesSinceLastMail(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	w := s.worker()
	put := func(body string, want int) {
		t.Helper()
		if code, b := s.do(http.MethodPut, queuedPath, body); code != want {
			t.Fatalf("PUT: %d %s", code, b)
		}
	}
	put(reviewEvent("review-sup", "20261203T100000Z", "Room 1", 0, "erin@remote.example"), http.StatusCreated)
	s.process(w)
	put(reviewEvent("review-sup", "20261203T100000Z", "Room 2", 1, "erin@remote.example", "gina@remote.example"), http.StatusNoContent)
	put(reviewEvent("review-sup", "20261204T100000Z", "Room 2", 2, "erin@remote.example", "gina@remote.example"), http.StatusNoContent)
	if n := s.process(w); n != 2 {
		t.Fatalf("the worker sent %d messages for two updates, want one per attendee", n)
	}
	mails := map[string]*parsedMail{}
	for _, m := range sk.received()[1:] {
		mails[m.to[0]] = parseBack(t, m.data)
	}
	erin, gina := mails["erin@remote.example"], mails["gina@remote.example"]
	if erin == nil || gina == nil {
		t.Fatalf("mails after the updates to %v, want erin and gina", mails)
	}
	if subj, _ := erin.header.Subject(); subj != "Updated: Queued review" {
		t.Errorf("erin's Subject %q", subj)
	}
	text := string(erin.part(t, "text/plain").body)
	for _, want := range []string{
		"  - When: Thursday, 3 December 2026, 10:00 – 11:00 (UTC) -> Friday, 4 December 2026, 10:00 – 11:00 (UTC)",
		"  - Where: Room 1 -> Room 2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("erin's text part lacks %q (a change of the superseded update):\n%s", want, text)
		}
	}
	if subj, _ := gina.header.Subject(); subj != "Invitation: Queued review" {
		t.Errorf("gina's Subject %q, want an invitation: she got no mail before", subj)
	}
	if body := string(gina.part(t, "text/plain").body); strings.Contains(body, "What changed") {
		t.Errorf("gina's invitation lists changes:\n%s", body)
	}
}
