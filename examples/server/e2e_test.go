package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lunch is alice's invitation of bob and carol (and of mike, whom this
// server does not know), after RFC 6638 Appendix B.1.
var lunch = icsText(
	"BEGIN:VCALENDAR",
	"VERSION:2.0",
	"PRODID:-//autoschedule//e2e test//EN",
	"BEGIN:VEVENT",
	"UID:9263504FD3AD",
	"SEQUENCE:0",
	"DTSTAMP:20300501T185254Z",
	"DTSTART:20300602T160000Z",
	"DTEND:20300602T170000Z",
	"TRANSP:OPAQUE",
	"SUMMARY:Lunch",
	"ORGANIZER;CN=Alice:"+alice.addr,
	"ATTENDEE;CN=Alice;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:"+alice.addr,
	"ATTENDEE;CN=Bob;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:"+bob.addr,
	"ATTENDEE;CN=Carol;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:"+carol.addr,
	"ATTENDEE;CN=Mike;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.com",
	"END:VEVENT",
	"END:VCALENDAR",
)

// lunchPath is where alice stores lunch.
const lunchPath = "/alice/calendars/default/9263504FD3AD.ics"

// TestSchedulingFlow runs RFC 6638 Appendix B over real TCP against the
// built server on SQLite: invitation (B.1, B.2), reply (B.3, B.4), a
// restart with SIGTERM that must keep everything, busy time (B.5), an
// invitation on someone else's behalf (B.6) and a cancellation.
func TestSchedulingFlow(t *testing.T) {
	dir := t.TempDir()
	users := writeUsersFile(t, dir)
	data := dir + "/data"
	s := startServer(t, "-data", data, "-users", users)

	// Discovery: the well-known URL leads to the user's principal.
	res := s.do(alice, "PROPFIND", "/.well-known/caldav", "", "Depth", "0")
	if res.status/100 != 3 || res.header.Get("Location") != "/alice/" {
		t.Fatalf("well-known: %d Location %q", res.status, res.header.Get("Location"))
	}
	res = s.do(alice, "PROPFIND", "/alice/", `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:schedule-inbox-URL/><C:calendar-home-set/></D:prop></D:propfind>`, "Depth", "0")
	res.must(t, "principal PROPFIND", http.StatusMultiStatus)
	if !strings.Contains(res.body, "/alice/calendars/inbox/") || !strings.Contains(res.body, "/alice/calendars/") {
		t.Fatalf("principal properties:\n%s", res.body)
	}

	// B.1: the organizer creates the event; the server delivers.
	res = s.do(alice, http.MethodPut, lunchPath, lunch, "If-None-Match", "*")
	res.must(t, "B.1 PUT", http.StatusCreated, http.StatusNoContent)
	if res.header.Get("Schedule-Tag") == "" {
		t.Error("B.1: no Schedule-Tag on the organizer's PUT")
	}
	organizer := unfold(s.do(alice, http.MethodGet, lunchPath, "").must(t, "B.1 GET", http.StatusOK).body)
	for addr, status := range map[string]string{bob.addr: "1.2", carol.addr: "1.2", "mailto:mike@example.com": "3.7"} {
		if l := attendeeLine(organizer, addr); !strings.Contains(l, "SCHEDULE-STATUS="+status) {
			t.Errorf("B.1: %s: want SCHEDULE-STATUS=%s, line %q", addr, status, l)
		}
	}

	// B.2: bob finds the invitation in his inbox and his copy in his
	// default calendar.
	inbox := s.getAll(bob, "/bob/calendars/inbox/")
	if _, _, err := findOne(inbox, "METHOD:REQUEST", "UID:9263504FD3AD"); err != nil {
		t.Fatalf("B.2: no REQUEST in bob's inbox: %v", inbox)
	}
	copyHref, copyData, err := findOne(s.getAll(bob, "/bob/calendars/default/"), "UID:9263504FD3AD")
	if err != nil {
		t.Fatal("B.2: bob has no copy of the event")
	}
	if l := attendeeLine(copyData, bob.addr); !strings.Contains(l, "PARTSTAT=NEEDS-ACTION") {
		t.Errorf("B.2: bob's copy: %q", l)
	}
	if _, _, err := findOne(s.getAll(carol, "/carol/calendars/default/"), "UID:9263504FD3AD"); err != nil {
		t.Error("B.2: carol has no copy of the event")
	}

	// B.3: bob accepts, conditional on the Schedule-Tag.
	got := s.do(bob, http.MethodGet, copyHref, "").must(t, "B.3 GET", http.StatusOK)
	tag := got.header.Get("Schedule-Tag")
	if tag == "" {
		t.Fatal("B.3: bob's copy has no Schedule-Tag")
	}
	accepted := strings.Replace(got.body, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1)
	if l := attendeeLine(unfold(accepted), bob.addr); !strings.Contains(l, "ACCEPTED") {
		// The first NEEDS-ACTION was not bob's: rewrite his line.
		accepted = acceptFor(got.body, bob.addr)
	}
	s.do(bob, http.MethodPut, copyHref, accepted, "If-Schedule-Tag-Match", tag).must(t, "B.3 PUT", http.StatusNoContent, http.StatusCreated, http.StatusOK)

	// B.4: the reply reaches the organizer's copy and inbox.
	organizer = unfold(s.do(alice, http.MethodGet, lunchPath, "").must(t, "B.4 GET", http.StatusOK).body)
	if l := attendeeLine(organizer, bob.addr); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Fatalf("B.4: bob's reply did not reach alice's copy: %q", l)
	}
	if _, _, err := findOne(s.getAll(alice, "/alice/calendars/inbox/"), "METHOD:REPLY", "UID:9263504FD3AD"); err != nil {
		t.Error("B.4: no REPLY in alice's inbox")
	}
	bobInbox := len(s.listMembers(bob, "/bob/calendars/inbox/"))

	// Restart on the same data, with a user added to the file: everything
	// is still there, and the new user is provisioned.
	s.stop()
	s = startServer(t, "-data", data, "-users", addUser(t, users, User{Username: erin.name, Password: erin.password, Addresses: []string{erin.addr}}))
	for _, p := range []string{"/erin/", "/erin/calendars/default/", "/erin/calendars/inbox/", "/erin/calendars/outbox/"} {
		s.do(erin, "PROPFIND", p, "", "Depth", "0").must(t, "new user after restart: PROPFIND "+p, http.StatusMultiStatus)
	}
	organizer = unfold(s.do(alice, http.MethodGet, lunchPath, "").must(t, "GET after restart", http.StatusOK).body)
	if l := attendeeLine(organizer, bob.addr); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Fatalf("after restart: alice's copy lost bob's reply: %q", l)
	}
	if n := len(s.listMembers(bob, "/bob/calendars/inbox/")); n != bobInbox {
		t.Fatalf("after restart: bob's inbox has %d items, had %d", n, bobInbox)
	}
	if _, copyData, err = findOne(s.getAll(bob, "/bob/calendars/default/"), "UID:9263504FD3AD"); err != nil || !strings.Contains(attendeeLine(copyData, bob.addr), "ACCEPTED") {
		t.Fatalf("after restart: bob's copy: %v %q", err, attendeeLine(copyData, bob.addr))
	}

	// B.5: busy time of bob, carol and an unknown user.
	fb := icsText(
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//autoschedule//e2e test//EN",
		"METHOD:REQUEST",
		"BEGIN:VFREEBUSY",
		"UID:4FD3AD926350",
		"DTSTAMP:20300501T190420Z",
		"DTSTART:20300602T000000Z",
		"DTEND:20300604T000000Z",
		"ORGANIZER:"+alice.addr,
		"ATTENDEE:"+bob.addr,
		"ATTENDEE:"+carol.addr,
		"ATTENDEE:mailto:mike@example.com",
		"END:VFREEBUSY",
		"END:VCALENDAR",
	)
	res = s.do(alice, http.MethodPost, "/alice/calendars/outbox/", fb).must(t, "B.5 POST", http.StatusOK)
	for _, want := range []string{"schedule-response", "mailto:bob@example.org", "20300602T160000Z/20300602T170000Z", "3.7"} {
		if !strings.Contains(unfold(res.body), want) {
			t.Errorf("B.5: the answer lacks %q:\n%s", want, res.body)
		}
	}

	// B.6: carol may not invite bob on alice's behalf; nothing is stored.
	onBehalf := strings.ReplaceAll(lunch, "9263504FD3AD", "3504F926D3AD")
	res = s.do(carol, http.MethodPut, "/alice/calendars/default/dinner.ics", onBehalf, "If-None-Match", "*")
	res.must(t, "B.6 PUT", http.StatusForbidden)
	s.do(alice, http.MethodGet, "/alice/calendars/default/dinner.ics", "").must(t, "B.6 GET", http.StatusNotFound)
	if _, _, err := findOne(s.getAll(bob, "/bob/calendars/inbox/"), "3504F926D3AD"); err == nil {
		t.Error("B.6: bob got an invitation carol had no right to send")
	}

	// Cancellation: the organizer deletes the event.
	s.do(alice, http.MethodDelete, lunchPath, "").must(t, "DELETE", http.StatusNoContent, http.StatusOK)
	if _, _, err := findOne(s.getAll(bob, "/bob/calendars/inbox/"), "METHOD:CANCEL", "UID:9263504FD3AD"); err != nil {
		t.Error("cancel: no CANCEL in bob's inbox")
	}
	if _, _, err := findOne(s.getAll(bob, "/bob/calendars/default/"), "UID:9263504FD3AD", "STATUS:CANCELLED"); err != nil {
		t.Error("cancel: bob's copy is not cancelled")
	}
	s.stop()
}

// erin is added to the users file at the restart.
var erin = testUser{"erin", "erin-secret", "mailto:erin@example.org"}

// addUser writes a copy of the users file at path with u added, and
// returns the copy's path.
func addUser(t *testing.T, path string, u User) string {
	t.Helper()
	users, err := loadUsers(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(append(users, u))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(path), "users-more.json")
	if err := os.WriteFile(out, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// acceptFor sets PARTSTAT=ACCEPTED on addr's ATTENDEE line of data.
func acceptFor(data, addr string) string {
	lines := strings.Split(unfold(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(l), addr) {
			lines[i] = strings.Replace(l, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1)
		}
	}
	return strings.Join(lines, "\r\n")
}

// TestAuthentication checks Basic auth against plain and bcrypt passwords.
func TestAuthentication(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "-data", dir+"/data", "-users", writeUsersFile(t, dir))
	for _, c := range []struct {
		who  testUser
		want int
	}{
		{alice, http.StatusMultiStatus},
		{dave, http.StatusMultiStatus},
		{dave, http.StatusMultiStatus}, // remembered bcrypt check
		{testUser{name: "dave", password: "wrong"}, http.StatusUnauthorized},
		{testUser{name: "alice", password: "wrong"}, http.StatusUnauthorized},
		{testUser{name: "nobody", password: "x"}, http.StatusUnauthorized},
		{testUser{}, http.StatusUnauthorized},
	} {
		res := s.do(c.who, "PROPFIND", "/"+c.who.name+"/", "", "Depth", "0")
		if res.status != c.want {
			t.Errorf("%s/%s: status %d, want %d", c.who.name, c.who.password, res.status, c.want)
		}
		if res.status == http.StatusUnauthorized && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("401 without a Basic challenge: %q", res.header.Get("WWW-Authenticate"))
		}
	}
	// dave's principal, home, inbox, outbox and default calendar exist
	// from the start.
	for _, p := range []string{"/dave/", "/dave/calendars/", "/dave/calendars/inbox/", "/dave/calendars/outbox/", "/dave/calendars/default/"} {
		s.do(dave, "PROPFIND", p, "", "Depth", "0").must(t, "PROPFIND "+p, http.StatusMultiStatus)
	}
	s.stop()
}
