package schedule

import (
	"context"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/privilege"
)

// invite is a single event of organizer with attendees.
func invite(uid, organizer string, attendees ...string) string {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT",
		"UID:" + uid, "DTSTAMP:20090602T185254Z", "DTSTART:20090610T160000Z", "DTEND:20090610T170000Z",
		"SUMMARY:Meeting", "ORGANIZER:mailto:" + organizer,
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + organizer}
	for _, a := range attendees {
		lines = append(lines, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"+a)
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	return icsText(lines...)
}

// setPartstat rewrites addr's PARTSTAT in data (unfolded) and returns
// CRLF text.
func setPartstat(data, addr, partstat string) string {
	line := propLine(data, "ATTENDEE", addr)
	old := "PARTSTAT=" + scheduleParam(line, "PARTSTAT")
	data = strings.Replace(data, line, strings.Replace(line, old, "PARTSTAT="+partstat, 1), 1)
	return strings.ReplaceAll(strings.TrimRight(data, "\n"), "\n", "\r\n") + "\r\n"
}

func TestOrganizerDeleteCancels(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	e.do("wilfredo", "DELETE", "/cyrus/calendars/default/m.ics", "").must(t, 403)
	e.do("cyrus", "DELETE", "/cyrus/calendars/default/m.ics", "", "If-Match", `"nope"`).must(t, 412)
	e.do("cyrus", "DELETE", "/cyrus/calendars/default/m.ics", "").must(t, 204)
	_, data := e.copyOf("/wilfredo/", "m1")
	if !strings.Contains(data, "STATUS:CANCELLED") {
		t.Errorf("attendee copy not cancelled:\n%s", data)
	}
	items := e.inbox("/wilfredo/")
	if len(items) != 2 || !strings.Contains(string(items[1].Data), "METHOD:CANCEL") {
		t.Errorf("inbox: %d items", len(items))
	}
}

func TestAttendeeDeleteDeclines(t *testing.T) {
	for _, suppress := range []bool{false, true} {
		e := newEnv(t, nil, cyrus, wilfredo)
		e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
		obj, _ := e.copyOf("/wilfredo/", "m1")
		hdr := []string{}
		if suppress {
			hdr = []string{"Schedule-Reply", "F"}
		}
		e.do("wilfredo", "DELETE", obj.Path, "", hdr...).must(t, 204)
		_, org := e.object("/cyrus/calendars/default/m.ics")
		got := scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT")
		if suppress && got != "NEEDS-ACTION" || !suppress && got != "DECLINED" {
			t.Errorf("Schedule-Reply F=%v: PARTSTAT %s", suppress, got)
		}
		if n := len(e.inbox("/cyrus/")); suppress && n != 0 || !suppress && n != 1 {
			t.Errorf("Schedule-Reply F=%v: organizer inbox %d", suppress, n)
		}
	}
}

func TestPutTurningIntoPlainObjectRemoves(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	// The same event without ORGANIZER: no longer a scheduling object.
	plain := strings.Replace(invite("m1", "cyrus@example.com", "wilfredo@example.com"), "ORGANIZER:mailto:cyrus@example.com\r\n", "", 1)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", plain).must(t, 204)
	_, data := e.copyOf("/wilfredo/", "m1")
	if !strings.Contains(data, "STATUS:CANCELLED") {
		t.Errorf("attendee copy not cancelled:\n%s", data)
	}
	// What is stored is a plain object: no scheduling parameters, no tag.
	obj, stored := e.object("/cyrus/calendars/default/m.ics")
	if strings.Contains(stored, "SCHEDULE-STATUS") || obj.ScheduleTag != "" {
		t.Errorf("plain object keeps scheduling state (tag %q):\n%s", obj.ScheduleTag, stored)
	}
}

func TestDeleteCalendarRemovesEverySchedulingObject(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)
	e.do("cyrus", "PUT", "/cyrus/calendars/work/a.ics", invite("a", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	e.do("cyrus", "PUT", "/cyrus/calendars/work/b.ics", invite("b", "cyrus@example.com", "bernard@example.net")).must(t, 201)
	e.do("cyrus", "PUT", "/cyrus/calendars/work/c.ics", busyEvent("c", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	e.do("wilfredo", "DELETE", "/cyrus/calendars/work/", "").must(t, 403)
	e.do("cyrus", "DELETE", "/cyrus/calendars/work/", "").must(t, 204)
	for _, c := range []struct{ who, uid string }{{"/wilfredo/", "a"}, {"/bernard/", "b"}} {
		if _, data := e.copyOf(c.who, c.uid); !strings.Contains(data, "STATUS:CANCELLED") {
			t.Errorf("%s copy of %s not cancelled", c.who, c.uid)
		}
	}
	if _, err := e.store.Calendar(context.Background(), "/cyrus/calendars/work/"); err == nil {
		t.Error("calendar still there")
	}
}

func TestDeliveryNeedsRecipientPrivilege(t *testing.T) {
	// Wilfredo accepts no invitations from Cyrus.
	policy := privilege.Grants{
		Inbox:    map[string]map[string]privilege.Privilege{"/wilfredo/": {"/cyrus/": privilege.ScheduleQueryFreeBusy}},
		Fallback: privilege.Default{},
	}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	_, data := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-STATUS"); got != "3.8" {
		t.Errorf("wilfredo status %q", got)
	}
	if got := scheduleParam(propLine(data, "ATTENDEE", "bernard@example.net"), "SCHEDULE-STATUS"); got != "1.2" {
		t.Errorf("bernard status %q", got)
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err == nil {
		t.Error("a copy was created without the privilege")
	}
	if len(e.inbox("/wilfredo/")) != 0 {
		t.Error("an inbox item was created without the privilege")
	}
}

func TestDelegateSendsAsOwner(t *testing.T) {
	policy := privilege.Default{Delegates: privilege.StaticDelegates{"/cyrus/": {"/bernard/"}}}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	e.do("bernard", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "ORGANIZER:mailto:cyrus@example.com") {
		t.Errorf("copy:\n%s", data)
	}
	// Wilfredo is no delegate of Cyrus.
	e.do("wilfredo", "PUT", "/cyrus/calendars/default/n.ics", invite("n1", "cyrus@example.com", "bernard@example.net")).must(t, 403)
}

func TestImpersonatedOrganizerIsNotScheduled(t *testing.T) {
	// Cyrus stores an event claiming Wilfredo organizes it and Bernard
	// attends: Cyrus is neither, so it is a plain calendar object and no
	// message goes out in Wilfredo's name (§11.2 item 4).
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/f.ics", invite("f1", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	if len(e.inbox("/bernard/")) != 0 {
		t.Error("a message was sent in another user's name")
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/bernard/", "f1"); err == nil {
		t.Error("a copy was created")
	}
}

func TestPreconditions(t *testing.T) {
	e := newEnv(t, &Options{MaxAttendees: 3, MaxResourceSize: 4000}, cyrus, wilfredo, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	copyObj, copyData := e.copyOf("/wilfredo/", "m1")
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)

	twoOrganizers := strings.Replace(recurring(), "END:VCALENDAR", strings.Join([]string{"BEGIN:VEVENT", "UID:4FD3AD926350",
		"DTSTAMP:20090602T190221Z", "RECURRENCE-ID;TZID=America/Montreal:20090602T150000",
		"DTSTART;TZID=America/Montreal:20090602T150000", "DTEND;TZID=America/Montreal:20090602T170000",
		"ORGANIZER:mailto:wilfredo@example.com", "ATTENDEE:mailto:cyrus@example.com", "END:VEVENT", "END:VCALENDAR"}, "\r\n"), 1)
	otherPartstat := setPartstat(unfold(invite("p1", "cyrus@example.com", "wilfredo@example.com")), "wilfredo@example.com", "ACCEPTED")
	summaryChanged := strings.ReplaceAll(strings.Replace(copyData, "SUMMARY:Meeting", "SUMMARY:Hijacked", 1), "\n", "\r\n")
	many := invite("x1", "cyrus@example.com", "a@example.org", "b@example.org", "c@example.org", "d@example.org")
	huge := strings.Replace(invite("h1", "cyrus@example.com", "wilfredo@example.com"), "SUMMARY:Meeting", "SUMMARY:"+strings.Repeat("x", 5000), 1)

	cases := []struct {
		name, as, path, body string
		headers              []string
		status               int
		cond                 string
	}{
		{"malformed data", "cyrus", "/cyrus/calendars/default/bad.ics", "BEGIN:VCALENDAR\r\nthis is not\r\n", nil, 400, "valid-calendar-data"},
		{"binary garbage", "cyrus", "/cyrus/calendars/default/bad.ics", "BEGIN:\x00\xff\xfe", nil, 400, "valid-calendar-data"},
		{"wrong media type", "cyrus", "/cyrus/calendars/default/bad.ics", invite("q", "cyrus@example.com"), []string{"Content-Type", "application/json"}, 403, "supported-calendar-data"},
		{"same organizer in all components", "cyrus", "/cyrus/calendars/default/r.ics", twoOrganizers, nil, 403, "same-organizer-in-all-components"},
		{"organizer sets attendee PARTSTAT", "cyrus", "/cyrus/calendars/default/p.ics", otherPartstat, nil, 403, "allowed-organizer-scheduling-object-change"},
		{"attendee changes the summary", "wilfredo", copyObj.Path, summaryChanged, nil, 403, "allowed-attendee-scheduling-object-change"},
		{"UID reused in another calendar", "cyrus", "/cyrus/calendars/work/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com"), nil, 403, "unique-scheduling-object-resource"},
		{"too many attendees", "cyrus", "/cyrus/calendars/default/x.ics", many, nil, 403, "max-attendees-per-instance"},
		{"too large", "cyrus", "/cyrus/calendars/default/h.ics", huge, nil, 403, "max-resource-size"},
	}
	for _, c := range cases {
		r := e.do(c.as, "PUT", c.path, c.body, c.headers...)
		if r.status != c.status || r.condition() != c.cond {
			t.Errorf("%s: %d %q, want %d %q\n%s", c.name, r.status, r.condition(), c.status, c.cond, r.body)
		}
		if c.cond == "unique-scheduling-object-resource" && !strings.Contains(r.body, "<D:href>/cyrus/calendars/default/m.ics</D:href>") {
			t.Errorf("%s: no href of the existing resource:\n%s", c.name, r.body)
		}
	}
	// Nothing was delivered by the refused writes.
	if n := len(e.inbox("/wilfredo/")); n != 1 {
		t.Errorf("wilfredo inbox %d", n)
	}
}

func TestCopyMove(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	before, _ := e.object("/cyrus/calendars/default/m.ics")
	dest := e.srv.URL + "/cyrus/calendars/work/m.ics"
	// COPY of a scheduling object inside the owner's calendars would
	// duplicate its UID.
	r := e.do("cyrus", "COPY", "/cyrus/calendars/default/m.ics", "", "Destination", dest).must(t, 403)
	if r.condition() != "unique-scheduling-object-resource" {
		t.Errorf("COPY: %s", r.body)
	}
	// MOVE inside the owner's calendars: no scheduling; a client's
	// change, so a new tag, sent back (RFC 6638 §3.2.10).
	inboxBefore := len(e.inbox("/wilfredo/"))
	r = e.do("cyrus", "MOVE", "/cyrus/calendars/default/m.ics", "", "Destination", dest).must(t, 201)
	after, _ := e.object("/cyrus/calendars/work/m.ics")
	if after.ScheduleTag == before.ScheduleTag || r.header.Get("Schedule-Tag") != `"`+after.ScheduleTag+`"` {
		t.Errorf("MOVE: tag %q -> %q, header %q", before.ScheduleTag, after.ScheduleTag, r.header.Get("Schedule-Tag"))
	}
	if _, err := e.store.Object(context.Background(), "/cyrus/calendars/default/m.ics"); err == nil {
		t.Error("MOVE left the source")
	}
	if len(e.inbox("/wilfredo/")) != inboxBefore {
		t.Error("MOVE sent messages")
	}
	// COPY of a plain object works; Overwrite: F refuses an existing
	// destination.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	e.do("cyrus", "COPY", "/cyrus/calendars/default/p.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/work/p.ics").must(t, 201)
	e.do("cyrus", "COPY", "/cyrus/calendars/default/p.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/work/p.ics", "Overwrite", "F").must(t, 412)
	// MOVE out of a calendar into the inbox is refused.
	e.do("cyrus", "MOVE", "/cyrus/calendars/work/p.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/inbox/p.ics").must(t, 403)
	// Another user cannot move Cyrus's objects.
	e.do("wilfredo", "MOVE", "/cyrus/calendars/work/p.ics", "", "Destination", e.srv.URL+"/wilfredo/calendars/default/p.ics").must(t, 403)
}

func TestMaxInstances(t *testing.T) {
	e := newEnv(t, &Options{MaxInstances: 100}, cyrus, wilfredo)
	rule := func(r string) string {
		return strings.Replace(invite("r1", "cyrus@example.com", "wilfredo@example.com"), "SUMMARY:Meeting", "RRULE:"+r+"\r\nSUMMARY:Meeting", 1)
	}
	e.do("cyrus", "PUT", "/cyrus/calendars/default/ok.ics", rule("FREQ=DAILY;COUNT=100")).must(t, 201)
	for _, r := range []string{"FREQ=DAILY;COUNT=101", "FREQ=MINUTELY", "FREQ=SECONDLY;BYSECOND=1,2,3,4,5,6,7,8,9,10"} {
		resp := e.do("cyrus", "PUT", "/cyrus/calendars/default/x.ics", strings.Replace(rule(r), "UID:r1", "UID:r2", 1))
		if resp.status != 403 || resp.condition() != "max-instances" {
			t.Errorf("%s: %d %s", r, resp.status, resp.body)
		}
	}
	if len(e.inbox("/wilfredo/")) != 1 {
		t.Error("a refused object was delivered")
	}
}
