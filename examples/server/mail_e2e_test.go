package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// ext is the external attendee, reached by e-mail only.
const ext = "mailto:ext@remote.example"

// budget is alice's invitation of ext, whom the server does not host.
func budget(uid string, sequence int, start string) string {
	return icsText(
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//autoschedule//e2e test//EN",
		"BEGIN:VEVENT",
		"UID:"+uid,
		fmt.Sprintf("SEQUENCE:%d", sequence),
		"DTSTAMP:20300501T185254Z",
		"DTSTART:"+start,
		"DURATION:PT1H",
		"SUMMARY:Budget review",
		"ORGANIZER;CN=Alice:"+alice.addr,
		"ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:"+alice.addr,
		"ATTENDEE;CN=Ext;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"+ext,
		"END:VEVENT",
		"END:VCALENDAR",
	)
}

// replyMail is an iMIP REPLY (RFC 6047) from fromAddr saying partstat for
// ext to alice's event uid.
func replyMail(fromAddr, uid, partstat string) string {
	cal := icsText(
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//remote.example//mail client//EN",
		"METHOD:REPLY",
		"BEGIN:VEVENT",
		"UID:"+uid,
		"SEQUENCE:0",
		"DTSTAMP:20300502T080000Z",
		"DTSTART:20300610T090000Z",
		"DURATION:PT1H",
		"SUMMARY:Budget review",
		"ORGANIZER;CN=Alice:"+alice.addr,
		"ATTENDEE;CN=Ext;PARTSTAT="+partstat+":"+ext,
		"END:VEVENT",
		"END:VCALENDAR",
	)
	return strings.Join([]string{
		"From: Ext <" + fromAddr + ">",
		"To: Alice <alice@example.org>",
		"Subject: Accepted: Budget review",
		"Date: Thu, 02 May 2030 08:00:00 +0000",
		"Message-ID: <" + partstat + "-" + uid + "@remote.example>",
		"MIME-Version: 1.0",
		"Content-Type: text/calendar; charset=utf-8; method=REPLY",
		"Content-Transfer-Encoding: 7bit",
		"",
		cal,
	}, "\r\n")
}

// requestMail is an iMIP REQUEST from ext, who organizes uid, inviting
// bob.
func requestMail(uid string) string {
	cal := icsText(
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//remote.example//mail client//EN",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		"UID:"+uid,
		"SEQUENCE:0",
		"DTSTAMP:20300503T080000Z",
		"DTSTART:20300612T140000Z",
		"DURATION:PT30M",
		"SUMMARY:Supplier call",
		"ORGANIZER;CN=Ext:"+ext,
		"ATTENDEE;CN=Ext;PARTSTAT=ACCEPTED:"+ext,
		"ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"+bob.addr,
		"END:VEVENT",
		"END:VCALENDAR",
	)
	return strings.Join([]string{
		"From: Ext <ext@remote.example>",
		"To: Bob <bob@example.org>",
		"Subject: Invitation: Supplier call",
		"Date: Fri, 03 May 2030 08:00:00 +0000",
		"Message-ID: <request-" + uid + "@remote.example>",
		"MIME-Version: 1.0",
		"Content-Type: text/calendar; charset=utf-8; method=REQUEST",
		"",
		cal,
	}, "\r\n")
}

// sendMail hands a mail to the server's listener at addr with go-smtp's
// client, and returns what went wrong: typically the *smtp.SMTPError the
// server answered to MAIL, RCPT or the end of DATA.
func sendMail(addr, mailFrom, rcpt, data string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("mx.remote.example"); err != nil {
		return err
	}
	if err := c.SendMail(mailFrom, []string{rcpt}, strings.NewReader(data)); err != nil {
		return err
	}
	// The mail is accepted with the 250 after DATA; a server shutting
	// down may close the connection before QUIT.
	_ = c.Quit()
	return nil
}

// smtpCode returns the reply code of an SMTP error, or 0.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// waitAttendee polls alice's copy at path until ext's ATTENDEE line
// contains want, and returns the line.
func waitAttendee(t *testing.T, s *serverProcess, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		body := unfold(s.do(alice, http.MethodGet, path, "").must(t, "GET "+path, http.StatusOK).body)
		line := attendeeLine(body, ext)
		if strings.Contains(line, want) {
			return line
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: ext's line never showed %q: %q", path, want, line)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailArgs are the e-mail flags of the tests: relay through the sink in
// plain text, listen on a free port, retry soon, and take over the mail
// a killed server had claimed soon (a SIGKILL may come between a failed
// attempt and the record of its retry).
func mailArgs(sink *mailSink) []string {
	return []string{
		"-smtp-relay", sink.addr, "-smtp-security", "plain", "-mail-from", "calendar@example.org",
		"-smtp-listen", "127.0.0.1:0", "-mail-retry-min", "100ms", "-mail-retry-max", "500ms", "-mail-lease", "2s",
	}
}

// TestMailFlow runs iMIP both ways over real TCP against the built server
// on SQLite: alice invites an external attendee, the relay (an in-process
// go-smtp server) gets the invitation and alice's copy records 1.1; the
// attendee's e-mailed REPLY, handed to the server's SMTP listener,
// reaches alice's copy; a spoofed reply and mail for unknown users are
// refused and change nothing. An external organizer's e-mailed REQUEST
// reaches bob, whose acceptance goes back by e-mail. Then, with the relay
// down, another invitation is queued, the server is killed (SIGKILL) and
// started again with the relay back: the invitation is sent exactly once;
// the same after a graceful stop (SIGTERM).
func TestMailFlow(t *testing.T) {
	dir := t.TempDir()
	users := writeUsersFile(t, dir)
	data := dir + "/data"
	sink := startSink(t, "127.0.0.1:0")
	args := append([]string{"-data", data, "-users", users}, mailArgs(sink)...)
	s := startServer(t, args...)
	listen := s.printed("Calendar mail (SMTP) accepted on ")

	// Outgoing: the invitation goes out through the relay.
	const uid, path = "B7E1-MAIL-1", "/alice/calendars/default/budget.ics"
	s.do(alice, http.MethodPut, path, budget(uid, 0, "20300610T090000Z"), "If-None-Match", "*").must(t, "PUT", http.StatusCreated)
	m := sink.waitFor("UID:" + uid)
	if m.from != "calendar@example.org" || len(m.to) != 1 || m.to[0] != "ext@remote.example" {
		t.Errorf("envelope: MAIL FROM %q, RCPT TO %q", m.from, m.to)
	}
	if rt := m.header("Reply-To"); !strings.Contains(rt, "alice@example.org") {
		t.Errorf("Reply-To %q, want alice's address so that replies come back", rt)
	}
	if !strings.HasPrefix(m.header("Subject"), "Invitation:") || m.header("Message-Id") == "" {
		t.Errorf("Subject %q, Message-ID %q", m.header("Subject"), m.header("Message-Id"))
	}
	params, cal, err := m.calendarPart()
	if err != nil || !strings.EqualFold(params["method"], "REQUEST") || !strings.Contains(cal, "METHOD:REQUEST") {
		t.Fatalf("calendar part: %v, params %v:\n%s", err, params, cal)
	}
	waitAttendee(t, s, path, "SCHEDULE-STATUS=1.1")

	// Incoming: ext accepts by e-mail.
	if err := sendMail(listen, "ext@remote.example", "alice@example.org", replyMail("ext@remote.example", uid, "ACCEPTED")); err != nil {
		t.Fatalf("REPLY: %v", err)
	}
	waitAttendee(t, s, path, "PARTSTAT=ACCEPTED")
	if _, _, err := findOne(s.getAll(alice, "/alice/calendars/inbox/"), "METHOD:REPLY", "UID:"+uid); err != nil {
		t.Error("the e-mailed REPLY is not in alice's scheduling inbox")
	}

	// A spoofed sender (header and envelope not ext's) is refused, and
	// so is a recipient the server does not host.
	before := s.do(alice, http.MethodGet, path, "").must(t, "GET", http.StatusOK).body
	err = sendMail(listen, "mallory@evil.example", "alice@example.org", replyMail("mallory@evil.example", uid, "DECLINED"))
	if smtpCode(err) != 550 {
		t.Errorf("spoofed REPLY: %v, want 550", err)
	}
	err = sendMail(listen, "mallory@evil.example", "alice@example.org", replyMail("ext@remote.example", uid, "DECLINED"))
	if smtpCode(err) != 550 {
		t.Errorf("REPLY with ext's From but another envelope sender: %v, want 550", err)
	}
	err = sendMail(listen, "ext@remote.example", "nobody@example.org", replyMail("ext@remote.example", uid, "DECLINED"))
	if smtpCode(err) != 550 {
		t.Errorf("mail for an unknown user: %v, want 550", err)
	}
	if after := s.do(alice, http.MethodGet, path, "").must(t, "GET", http.StatusOK).body; after != before {
		t.Errorf("refused mail changed alice's copy:\n%s", after)
	}

	// An external organizer invites bob by e-mail; bob accepts in his
	// calendar, and the REPLY goes out by e-mail to the organizer.
	const uid3 = "EXT-ORG-1"
	if err := sendMail(listen, "ext@remote.example", "bob@example.org", requestMail(uid3)); err != nil {
		t.Fatalf("REQUEST: %v", err)
	}
	copyHref, copyData, err := findOne(s.getAll(bob, "/bob/calendars/default/"), "UID:"+uid3)
	if err != nil {
		t.Fatal("the e-mailed REQUEST made no copy in bob's calendar")
	}
	if _, _, err := findOne(s.getAll(bob, "/bob/calendars/inbox/"), "METHOD:REQUEST", "UID:"+uid3); err != nil {
		t.Error("the e-mailed REQUEST is not in bob's scheduling inbox")
	}
	if !strings.Contains(attendeeLine(copyData, bob.addr), "NEEDS-ACTION") {
		t.Errorf("bob's copy: %q", attendeeLine(copyData, bob.addr))
	}
	got := s.do(bob, http.MethodGet, copyHref, "").must(t, "GET bob's copy", http.StatusOK)
	s.do(bob, http.MethodPut, copyHref, acceptFor(got.body, bob.addr), "If-Schedule-Tag-Match", got.header.Get("Schedule-Tag")).
		must(t, "bob accepts", http.StatusNoContent, http.StatusCreated, http.StatusOK)
	reply := sink.waitFor("METHOD:REPLY", "UID:"+uid3)
	if len(reply.to) != 1 || reply.to[0] != "ext@remote.example" || !strings.HasPrefix(reply.header("Subject"), "Accepted:") {
		t.Errorf("bob's REPLY: RCPT TO %q, Subject %q", reply.to, reply.header("Subject"))
	}
	if params, cal, err := reply.calendarPart(); err != nil || !strings.EqualFold(params["method"], "REPLY") ||
		!strings.Contains(unfold(cal), "PARTSTAT=ACCEPTED") {
		t.Errorf("bob's REPLY part: %v %v\n%s", err, params, cal)
	}

	// "Scheduling: internal-only" (draft-ietf-calext-caldav-scheduling-
	// controls) keeps the invitation off the mail; checked at the end,
	// after the waits below.
	const uidInternal = "B7E1-MAIL-INTERNAL"
	s.do(alice, http.MethodPut, "/alice/calendars/default/internal.ics", budget(uidInternal, 0, "20300614T090000Z"),
		"If-None-Match", "*", "Scheduling", "internal-only").must(t, "PUT internal-only", http.StatusCreated)

	// Relay down: the next invitation waits in the queue (1.0), the
	// first attempt fails, and the server dies.
	sink.stop()
	const uid2, path2 = "B7E1-MAIL-2", "/alice/calendars/default/budget-2.ics"
	s.do(alice, http.MethodPut, path2, budget(uid2, 0, "20300611T090000Z"), "If-None-Match", "*").must(t, "PUT with the relay down", http.StatusCreated)
	waitAttendee(t, s, path2, "SCHEDULE-STATUS=1.0")
	s.logged("queue: delivery failed, will retry")
	s.kill()

	sink2 := startSink(t, sink.addr)
	s = startServer(t, args...)
	waitAttendee(t, s, path2, "SCHEDULE-STATUS=1.1")
	sink2.waitFor("UID:" + uid2)
	time.Sleep(time.Second) // a duplicate would come within the retry delays
	if n := sink2.count("UID:" + uid2); n != 1 {
		t.Errorf("the queued invitation was sent %d times after the restart, want once", n)
	}
	if n := sink2.count("UID:"+uid, "METHOD:REQUEST"); n != 0 {
		t.Errorf("the first invitation, sent before the crash, was sent again %d times", n)
	}

	// The same with a graceful stop (SIGTERM): the worker gives the
	// unsent message back, and the next start sends it, once.
	sink2.stop()
	const uid4, path4 = "B7E1-MAIL-4", "/alice/calendars/default/budget-4.ics"
	s.do(alice, http.MethodPut, path4, budget(uid4, 0, "20300613T090000Z"), "If-None-Match", "*").must(t, "PUT with the relay down", http.StatusCreated)
	s.logged("queue: delivery failed, will retry")
	s.stop()
	sink3 := startSink(t, sink.addr)
	s = startServer(t, args...)
	waitAttendee(t, s, path4, "SCHEDULE-STATUS=1.1")
	time.Sleep(time.Second)
	if n := sink3.count("UID:" + uid4); n != 1 {
		t.Errorf("the invitation queued before SIGTERM was sent %d times, want once", n)
	}
	if n := sink3.count("UID:" + uid2); n != 0 {
		t.Errorf("the invitation sent after the crash was sent again %d times", n)
	}
	for _, sk := range []*mailSink{sink, sink2, sink3} {
		if n := sk.count("UID:" + uidInternal); n != 0 {
			t.Errorf("an internal-only write sent %d mails", n)
		}
	}
	s.stop()
}
