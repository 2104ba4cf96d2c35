package schedule

import (
	"context"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// acceptAs returns data (unfolded) with addr's PARTSTAT set to ACCEPTED.
func acceptAs(data, addr string) string { return setPartstat(data, addr, "ACCEPTED") }

// crlf turns unfolded text back into CRLF iCalendar text.
func crlf(data string) string {
	return strings.ReplaceAll(strings.TrimRight(data, "\n"), "\n", "\r\n") + "\r\n"
}

func TestScheduleTagChanges(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	const org = "/cyrus/calendars/default/m.ics"
	r := e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	orgObj, _ := e.object(org)
	if r.header.Get("Schedule-Tag") != `"`+orgObj.ScheduleTag+`"` || orgObj.ScheduleTag == "" {
		t.Fatalf("PUT Schedule-Tag %q, stored %q", r.header.Get("Schedule-Tag"), orgObj.ScheduleTag)
	}
	if g := e.do("cyrus", "GET", org, ""); g.header.Get("Schedule-Tag") != `"`+orgObj.ScheduleTag+`"` {
		t.Errorf("GET Schedule-Tag %q", g.header.Get("Schedule-Tag"))
	}
	bObj, _ := e.copyOf("/bernard/", "m1")

	// Wilfredo accepts: the organizer's tag stays (a reply), Bernard's
	// copy gets the new PARTSTAT and keeps its tag (status only), and
	// Wilfredo's own PUT changed his tag.
	wObj, wData := e.copyOf("/wilfredo/", "m1")
	r = e.do("wilfredo", "PUT", wObj.Path, acceptAs(wData, "wilfredo@example.com"), "If-Schedule-Tag-Match", `"`+wObj.ScheduleTag+`"`).must(t, 204)
	w2, _ := e.copyOf("/wilfredo/", "m1")
	if w2.ScheduleTag == wObj.ScheduleTag || r.header.Get("Schedule-Tag") != `"`+w2.ScheduleTag+`"` {
		t.Errorf("attendee PUT: tag %q -> %q, header %q", wObj.ScheduleTag, w2.ScheduleTag, r.header.Get("Schedule-Tag"))
	}
	org2, orgData := e.object(org)
	if org2.ScheduleTag != orgObj.ScheduleTag || scheduleParam(propLine(orgData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("organizer copy after the reply: tag %q (was %q)\n%s", org2.ScheduleTag, orgObj.ScheduleTag, orgData)
	}
	b2, bData := e.copyOf("/bernard/", "m1")
	if b2.ScheduleTag != bObj.ScheduleTag || scheduleParam(propLine(bData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("status-only refresh: tag %q (was %q)\n%s", b2.ScheduleTag, bObj.ScheduleTag, bData)
	}

	// The organizer changes the summary: a new tag for the organizer (a
	// client write) and for Bernard (a change beyond status).
	r = e.do("cyrus", "PUT", org, crlf(strings.Replace(orgData, "SUMMARY:Meeting", "SUMMARY:Moved meeting", 1)), "If-Schedule-Tag-Match", `"`+org2.ScheduleTag+`"`).must(t, 204)
	org3, _ := e.object(org)
	if org3.ScheduleTag == org2.ScheduleTag || r.header.Get("Schedule-Tag") != `"`+org3.ScheduleTag+`"` {
		t.Errorf("organizer PUT kept the tag")
	}
	if b3, _ := e.copyOf("/bernard/", "m1"); b3.ScheduleTag == b2.ScheduleTag {
		t.Errorf("a full update kept the attendee's tag")
	}

	// MOVE: a client change, a new tag, sent as the destination's.
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)
	r = e.do("cyrus", "MOVE", org, "", "Destination", e.srv.URL+"/cyrus/calendars/work/m.ics").must(t, 201)
	moved, _ := e.object("/cyrus/calendars/work/m.ics")
	if moved.ScheduleTag == org3.ScheduleTag || r.header.Get("Schedule-Tag") != `"`+moved.ScheduleTag+`"` {
		t.Errorf("MOVE: tag %q -> %q header %q", org3.ScheduleTag, moved.ScheduleTag, r.header.Get("Schedule-Tag"))
	}
	// A plain object has no tag.
	r = e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	if r.header.Get("Schedule-Tag") != "" {
		t.Error("plain object got a Schedule-Tag")
	}
}

func TestScheduleTagOnCopy(t *testing.T) {
	// Bernard, Cyrus's delegate, copies an event Cyrus organizes from his
	// own calendar (where it is a plain object) into Cyrus's: there it is
	// a new scheduling object, and the answer carries its tag.
	policy := privilege.Default{Delegates: privilege.StaticDelegates{"/cyrus/": {"/bernard/"}}}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	e.do("bernard", "PUT", "/bernard/calendars/default/c.ics", invite("c1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	if obj, _ := e.object("/bernard/calendars/default/c.ics"); obj.ScheduleTag != "" {
		t.Fatal("the source is a scheduling object")
	}
	r := e.do("bernard", "COPY", "/bernard/calendars/default/c.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/default/c.ics").must(t, 201)
	dst, _ := e.object("/cyrus/calendars/default/c.ics")
	if dst.ScheduleTag == "" || r.header.Get("Schedule-Tag") != `"`+dst.ScheduleTag+`"` {
		t.Errorf("COPY Schedule-Tag %q, destination %q", r.header.Get("Schedule-Tag"), dst.ScheduleTag)
	}
	e.copyOf("/wilfredo/", "c1")
	// A plain object copied: no tag.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)
	r = e.do("cyrus", "COPY", "/cyrus/calendars/default/p.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/work/p.ics").must(t, 201)
	if r.header.Get("Schedule-Tag") != "" {
		t.Error("COPY of a plain object answered a Schedule-Tag")
	}
}

func TestIfScheduleTagMatchOrganizerMerge(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	const org = "/cyrus/calendars/default/m.ics"
	e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	g := e.do("cyrus", "GET", org, "").must(t, 200)
	tag, stale := g.header.Get("Schedule-Tag"), unfold(g.body)

	// Wilfredo accepts meanwhile: an inconsequential change.
	wObj, wData := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", wObj.Path, acceptAs(wData, "wilfredo@example.com")).must(t, 204)

	// Plain If-Match on the old ETag fails, as before.
	e.do("cyrus", "PUT", org, crlf(stale), "If-Match", g.header.Get("ETag")).must(t, 412)
	// A wrong tag fails.
	e.do("cyrus", "PUT", org, crlf(stale), "If-Schedule-Tag-Match", `"other"`).must(t, 412)
	// The organizer's stale edit with the matching tag keeps the reply.
	edit := strings.Replace(stale, "SUMMARY:Meeting", "SUMMARY:Lunch", 1)
	e.do("cyrus", "PUT", org, crlf(edit), "If-Schedule-Tag-Match", tag).must(t, 204)
	_, data := e.object(org)
	line := propLine(data, "ATTENDEE", "wilfredo@example.com")
	if scheduleParam(line, "PARTSTAT") != "ACCEPTED" || !strings.Contains(data, "SUMMARY:Lunch") {
		t.Fatalf("merge lost the reply or the edit:\n%s", data)
	}
	if scheduleParam(line, "RSVP") == "TRUE" {
		t.Errorf("stale RSVP=TRUE came back: %s", line)
	}
	// Plain If-Match with the current ETag works and is not merged.
	cur, _ := e.object(org)
	e.do("cyrus", "PUT", org, crlf(data), "If-Match", `"`+cur.ETag+`"`).must(t, 204)

	// A timing change under a matching tag resets the attendees anyway.
	cur, data = e.object(org)
	moved := strings.Replace(strings.Replace(data, "DTSTART:20090610T160000Z", "DTSTART:20090611T160000Z", 1), "DTEND:20090610T170000Z", "DTEND:20090611T170000Z", 1)
	e.do("cyrus", "PUT", org, crlf(moved), "If-Schedule-Tag-Match", `"`+cur.ScheduleTag+`"`).must(t, 204)
	_, data = e.object(org)
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT"); got != "NEEDS-ACTION" {
		t.Errorf("reschedule under a matching tag: PARTSTAT %s\n%s", got, data)
	}
}

func TestIfScheduleTagMatchAttendeeMerge(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	bObj, stale := e.copyOf("/bernard/", "m1")
	wObj, wData := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", wObj.Path, acceptAs(wData, "wilfredo@example.com")).must(t, 204)
	// Bernard's client still shows Wilfredo NEEDS-ACTION; Bernard accepts.
	e.do("bernard", "PUT", bObj.Path, acceptAs(stale, "bernard@example.net"), "If-Schedule-Tag-Match", `"`+bObj.ScheduleTag+`"`).must(t, 204)
	_, data := e.copyOf("/bernard/", "m1")
	if scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" ||
		scheduleParam(propLine(data, "ATTENDEE", "bernard@example.net"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("attendee merge:\n%s", data)
	}
}

func TestIfScheduleTagMatchDeleteCopyMove(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "MKCOL", "/cyrus/calendars/work/", "").must(t, 201)
	const org = "/cyrus/calendars/default/m.ics"
	e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, _ := e.object(org)
	tag := `"` + obj.ScheduleTag + `"`
	dest := e.srv.URL + "/cyrus/calendars/work/m.ics"
	e.do("cyrus", "DELETE", org, "", "If-Schedule-Tag-Match", `"stale"`).must(t, 412)
	e.do("cyrus", "MOVE", org, "", "Destination", dest, "If-Schedule-Tag-Match", `"stale"`).must(t, 412)
	e.do("cyrus", "COPY", org, "", "Destination", dest, "If-Schedule-Tag-Match", `"stale"`).must(t, 412)
	// A matching tag proceeds with normal processing: COPY inside the
	// owner's calendars is then refused for its own reason.
	if r := e.do("cyrus", "COPY", org, "", "Destination", dest, "If-Schedule-Tag-Match", tag).must(t, 403); r.condition() != "unique-scheduling-object-resource" {
		t.Errorf("COPY: %s", r.body)
	}
	// The tag is unchanged by a reply, so the organizer's tag still
	// matches after Wilfredo accepts.
	wObj, wData := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", wObj.Path, acceptAs(wData, "wilfredo@example.com")).must(t, 204)
	r := e.do("cyrus", "MOVE", org, "", "Destination", dest, "If-Schedule-Tag-Match", tag).must(t, 201)
	moved, _ := e.object("/cyrus/calendars/work/m.ics")
	e.do("cyrus", "DELETE", "/cyrus/calendars/work/m.ics", "", "If-Schedule-Tag-Match", tag).must(t, 412)
	e.do("cyrus", "DELETE", "/cyrus/calendars/work/m.ics", "", "If-Schedule-Tag-Match", r.header.Get("Schedule-Tag")).must(t, 204)
	if moved.ScheduleTag == obj.ScheduleTag {
		t.Error("MOVE kept the tag")
	}
	// A plain object has no tag: If-Schedule-Tag-Match cannot match.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	e.do("cyrus", "DELETE", "/cyrus/calendars/default/p.ics", "", "If-Schedule-Tag-Match", `"x"`).must(t, 412)
}

// b3Accept is the PUT body of RFC 6638 Appendix B.3, as written there.
var b3Accept = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN",
	"BEGIN:VEVENT", "UID:9263504FD3AD", "SEQUENCE:0", "DTSTAMP:20090602T185254Z",
	"DTSTART:20090602T160000Z", "DTEND:20090602T170000Z", "TRANSP:OPAQUE", "SUMMARY:Lunch",
	`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
	`ATTENDEE;CN="Cyrus Daboo";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:`,
	` mailto:cyrus@example.com`,
	`ATTENDEE;CN="Wilfredo Sanchez Vega";CUTYPE=INDIVIDUAL;PARTSTAT`,
	` =ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:wilfredo@exam`,
	` ple.com`,
	`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=`,
	` NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@ex`,
	` ample.net`,
	`ATTENDEE;CN="Mike Douglass";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-A`,
	` CTION;RSVP=TRUE:mailto:mike@example.org`,
	"BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM",
	"END:VEVENT", "END:VCALENDAR")

// TestIfScheduleTagMatchAppendixB3 is RFC 6638 Appendix B.3 as written:
// Wilfredo's PUT with If-Schedule-Tag-Match succeeds with a new ETag and
// Schedule-Tag; the GET that follows carries the same Schedule-Tag and
// the organizer's SCHEDULE-STATUS; a stale tag is a 412.
func TestIfScheduleTagMatchAppendixB3(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/9263504FD3AD.ics", b1Invite).must(t, 201)
	copyObj, _ := e.copyOf("/wilfredo/", "9263504FD3AD")
	put := e.do("wilfredo", "PUT", copyObj.Path, b3Accept, "If-Schedule-Tag-Match", `"`+copyObj.ScheduleTag+`"`).must(t, 200, 204)
	tag := put.header.Get("Schedule-Tag")
	if tag == "" || tag == `"`+copyObj.ScheduleTag+`"` {
		t.Fatalf("B.3 PUT Schedule-Tag %q (before %q)", tag, copyObj.ScheduleTag)
	}
	get := e.do("wilfredo", "GET", copyObj.Path, "").must(t, 200)
	if get.header.Get("Schedule-Tag") != tag || get.header.Get("ETag") == "" {
		t.Errorf("B.3 GET Schedule-Tag %q, PUT %q", get.header.Get("Schedule-Tag"), tag)
	}
	body := unfold(get.body)
	if got := scheduleParam(propLine(body, "ORGANIZER", "cyrus@example.com"), "SCHEDULE-STATUS"); got != "1.2" {
		t.Errorf("B.3 ORGANIZER SCHEDULE-STATUS %q\n%s", got, body)
	}
	if !strings.Contains(body, "TRIGGER:-PT15M") || scheduleParam(propLine(body, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("B.3 stored copy:\n%s", body)
	}
	// The client's tag is now stale.
	e.do("wilfredo", "PUT", copyObj.Path, b3Accept, "If-Schedule-Tag-Match", `"`+copyObj.ScheduleTag+`"`).must(t, 412)
	_, org := e.object("/cyrus/calendars/default/9263504FD3AD.ics")
	if scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("the organizer did not get the reply:\n%s", org)
	}
}

func TestScheduleReplyOnlyOnDelete(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, data := e.copyOf("/wilfredo/", "m1")
	// Schedule-Reply does not apply to PUT: the accept replies.
	e.do("wilfredo", "PUT", obj.Path, acceptAs(data, "wilfredo@example.com"), "Schedule-Reply", "F").must(t, 204)
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Fatalf("PUT with Schedule-Reply: F sent no REPLY:\n%s", org)
	}
	replies := len(e.inbox("/cyrus/"))
	// Schedule-Reply: F on DELETE: no REPLY (§8.1).
	e.do("wilfredo", "DELETE", obj.Path, "", "Schedule-Reply", "F").must(t, 204)
	_, org = e.object("/cyrus/calendars/default/m.ics")
	if scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" || len(e.inbox("/cyrus/")) != replies {
		t.Errorf("DELETE with Schedule-Reply: F replied:\n%s", org)
	}
}

func TestScheduleReplyTrueDeclines(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, _ := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "DELETE", obj.Path, "", "Schedule-Reply", "T").must(t, 204)
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT"); got != "DECLINED" {
		t.Errorf("Schedule-Reply: T: PARTSTAT %s", got)
	}
}

func TestSchedulingHeaderOptions(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	for _, p := range []string{"/cyrus/calendars/default/", "/cyrus/calendars/inbox/"} {
		r := e.do("cyrus", "OPTIONS", p, "").must(t, 200, 204)
		if !strings.Contains(r.header.Get("Dav"), "scheduling-controls") {
			t.Errorf("OPTIONS %s: DAV %q", p, r.header.Get("Dav"))
		}
	}
}

func TestSchedulingHeaderNone(t *testing.T) {
	remote := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
	const org = "/cyrus/calendars/default/m.ics"
	body := invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")
	r := e.do("cyrus", "PUT", org, body, "Scheduling", "none").must(t, 201)
	obj, _ := e.object(org)
	if string(obj.Data) != body || r.header.Get("ETag") != `"`+obj.ETag+`"` {
		t.Errorf("Scheduling: none did not store the data as sent")
	}
	if obj.ScheduleTag == "" || r.header.Get("Schedule-Tag") != `"`+obj.ScheduleTag+`"` {
		t.Errorf("restored scheduling object without Schedule-Tag")
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err == nil || len(e.inbox("/wilfredo/")) != 0 || len(remote.methods()) != 0 {
		t.Errorf("Scheduling: none scheduled: remote %v", remote.methods())
	}
	// The restore is a scheduling object like any other: later changes
	// schedule.
	e.do("cyrus", "PUT", org, strings.Replace(body, "SUMMARY:Meeting", "SUMMARY:Restored", 1)).must(t, 204)
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err != nil {
		t.Fatalf("a later write did not schedule: %v", err)
	}
	// DELETE with none: no CANCEL.
	e.do("cyrus", "DELETE", org, "", "Scheduling", "none").must(t, 204)
	if _, data := e.copyOf("/wilfredo/", "m1"); strings.Contains(data, "STATUS:CANCELLED") {
		t.Error("DELETE with Scheduling: none cancelled")
	}
	if m := remote.methods(); len(m) != 1 {
		t.Errorf("remote deliveries %v", m)
	}
	// An attendee's removal with none: no REPLY.
	wObj, _ := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "DELETE", wObj.Path, "", "Scheduling", "none").must(t, 204)
	if n := len(e.inbox("/cyrus/")); n != 0 {
		t.Errorf("organizer inbox %d", n)
	}
}

func TestSchedulingHeaderNoneKeepsLimits(t *testing.T) {
	e := newEnv(t, &Options{MaxAttendees: 2}, cyrus, wilfredo)
	r := e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "a@example.org", "b@example.org"), "Scheduling", "none").must(t, 403)
	if r.condition() != "max-attendees-per-instance" {
		t.Errorf("condition %q", r.condition())
	}
	// A UID already used by another scheduling object stays refused.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com"), "Scheduling", "none").must(t, 201)
	r = e.do("cyrus", "PUT", "/cyrus/calendars/default/n.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com"), "Scheduling", "none").must(t, 403, 409)
	if c := r.condition(); c != "unique-scheduling-object-resource" && c != "no-uid-conflict" {
		t.Errorf("condition %q", c)
	}
}

func TestSchedulingHeaderInternalOnly(t *testing.T) {
	remote := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
	const org = "/cyrus/calendars/default/m.ics"
	e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net"), "Scheduling", "internal-only").must(t, 201)
	if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "SUMMARY:Meeting") {
		t.Errorf("local copy:\n%s", data)
	}
	if n := len(e.inbox("/wilfredo/")); n != 0 {
		t.Errorf("internal-only left %d visible inbox items", n)
	}
	if m := remote.methods(); len(m) != 0 {
		t.Errorf("internal-only delivered remotely: %v", m)
	}
	_, data := e.object(org)
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-STATUS"); got != "1.2" {
		t.Errorf("local SCHEDULE-STATUS %q", got)
	}
	if got := scheduleParam(propLine(data, "ATTENDEE", "bernard@example.net"), "SCHEDULE-STATUS"); got != "" {
		t.Errorf("skipped remote attendee has SCHEDULE-STATUS %q", got)
	}
}

func TestSchedulingHeaderExternalOnly(t *testing.T) {
	remote := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
	const org = "/cyrus/calendars/default/m.ics"
	e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net"), "Scheduling", "external-only").must(t, 201)
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err == nil || len(e.inbox("/wilfredo/")) != 0 {
		t.Error("external-only delivered locally")
	}
	remote.mu.Lock()
	if len(remote.msgs) != 1 || remote.msgs[0].Scope != ScopeExternalOnly || remote.msgs[0].Message.Method != "REQUEST" {
		t.Errorf("remote deliveries %+v", remote.msgs)
	}
	remote.mu.Unlock()
	_, data := e.object(org)
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-STATUS"); got != "" {
		t.Errorf("skipped local attendee has SCHEDULE-STATUS %q", got)
	}
	// A write without the header tells deliverers ScopeAll.
	e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net", "new@example.net")).must(t, 204)
	remote.mu.Lock()
	defer remote.mu.Unlock()
	if last := remote.msgs[len(remote.msgs)-1]; last.Scope != ScopeAll {
		t.Errorf("scope %v", last.Scope)
	}
}

func TestSchedulingHeaderUnknownValue(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	const org = "/cyrus/calendars/default/m.ics"
	body := invite("m1", "cyrus@example.com", "wilfredo@example.com")
	// An empty value is not one of the values either.
	for _, v := range []string{"sometimes", "X-FOO", " "} {
		r := e.do("cyrus", "PUT", org, body, "Scheduling", v).must(t, 400)
		if !strings.Contains(r.body, "Scheduling") {
			t.Errorf("400 without a clear message: %s", r.body)
		}
	}
	if _, err := e.store.Object(context.Background(), org); err == nil {
		t.Fatal("a refused PUT stored")
	}
	e.do("cyrus", "PUT", org, body).must(t, 201)
	for _, m := range []string{"DELETE", "MOVE", "COPY"} {
		e.do("cyrus", m, org, "", "Scheduling", "bogus", "Destination", e.srv.URL+"/cyrus/calendars/default/n.ics").must(t, 400)
	}
	e.do("cyrus", "DELETE", "/cyrus/calendars/default/", "", "Scheduling", "bogus").must(t, 400)
}

func TestScheduleUserAddress(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	ctx := context.Background()
	if err := e.store.Provision(ctx, backend.NewPrincipal("mike", "Mike", "mike@example.org", "md@example.org")); err != nil {
		t.Fatal(err)
	}
	// Cyrus invites Mike's second address.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "md@example.org")).must(t, 201)
	obj, data := e.copyOf("/mike/", "m1")
	accepted := acceptAs(data, "md@example.org")
	// Acting as an address that is not Mike's: 403, nothing stored.
	for _, as := range []string{"mailto:cyrus@example.com", "mailto:nobody@example.org"} {
		e.do("mike", "PUT", obj.Path, accepted, "Schedule-User-Address", as).must(t, 403)
		e.do("mike", "DELETE", obj.Path, "", "Schedule-User-Address", as).must(t, 403)
	}
	if cur, _ := e.copyOf("/mike/", "m1"); cur.ETag != obj.ETag {
		t.Fatal("a refused write changed the copy")
	}
	// A delegate may act for the owner, but not as themselves in the
	// owner's calendar.
	e.do("cyrus", "PUT", "/cyrus/calendars/default/d.ics", invite("d1", "cyrus@example.com", "wilfredo@example.com"), "Schedule-User-Address", "mailto:cyrus@example.com").must(t, 201)
	// Acting as his primary address, Mike is no attendee: no REPLY.
	e.do("mike", "PUT", obj.Path, accepted, "Schedule-User-Address", "mailto:mike@example.org").must(t, 204)
	if n := len(e.inbox("/cyrus/")); n != 0 {
		t.Fatalf("acting as mike@ replied (%d)", n)
	}
	// Acting as md@ (any case): the REPLY comes from md@.
	e.do("mike", "PUT", obj.Path, setPartstat(data, "md@example.org", "TENTATIVE"), "Schedule-User-Address", "MAILTO:MD@example.org").must(t, 204)
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(org, "ATTENDEE", "md@example.org"), "PARTSTAT"); got != "TENTATIVE" {
		t.Errorf("organizer copy PARTSTAT %s\n%s", got, org)
	}
	items := e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(unfold(string(items[0].Data)), "md@example.org") {
		t.Errorf("reply: %v", items)
	}
}

func TestDefaultCalendarProperty(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	ctx := context.Background()
	pf := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:schedule-default-calendar-URL/></D:prop></D:propfind>`
	r := e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/inbox/", pf, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "<D:href>/wilfredo/calendars/default/</D:href>") {
		t.Fatalf("PROPFIND:\n%s", r.body)
	}
	if err := e.store.CreateCalendar(ctx, &backend.Calendar{Path: "/wilfredo/calendars/tasks/", Owner: "/wilfredo/", SupportedComponents: []string{"VJOURNAL"}}); err != nil {
		t.Fatal(err)
	}
	e.do("wilfredo", "MKCOL", "/wilfredo/calendars/work/", "").must(t, 201)
	patch := func(href string) string {
		return `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
			`<C:schedule-default-calendar-URL><D:href>` + href + `</D:href></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>`
	}
	for _, bad := range []string{"/wilfredo/calendars/tasks/", "/cyrus/calendars/default/", "/wilfredo/calendars/nope/"} {
		r = e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/inbox/", patch(bad)).must(t, 403)
		if r.condition() != "valid-schedule-default-calendar-URL" {
			t.Errorf("PROPPATCH %s: %s", bad, r.body)
		}
	}
	e.do("cyrus", "PROPPATCH", "/wilfredo/calendars/inbox/", patch("/wilfredo/calendars/work/")).must(t, 403)
	// Deleting the default calendar is refused.
	r = e.do("wilfredo", "DELETE", "/wilfredo/calendars/default/", "").must(t, 403)
	if r.condition() != "default-calendar-needed" {
		t.Errorf("DELETE default: %s", r.body)
	}
	// Another default, then the old one may go; invitations land in the
	// new one.
	e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/inbox/", patch("/wilfredo/calendars/work/")).must(t, 207)
	e.do("wilfredo", "DELETE", "/wilfredo/calendars/default/", "").must(t, 204)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	if obj, _ := e.copyOf("/wilfredo/", "m1"); !strings.HasPrefix(obj.Path, "/wilfredo/calendars/work/") {
		t.Errorf("copy at %s", obj.Path)
	}
	e.do("wilfredo", "DELETE", "/wilfredo/calendars/work/", "").must(t, 403)
}

func TestDefaultCalendarCreatedForInvitation(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	ctx := context.Background()
	cals, err := e.store.Calendars(ctx, "/wilfredo/")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		if err := e.store.DeleteCalendar(ctx, c.Path); err != nil {
			t.Fatal(err)
		}
	}
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, _ := e.copyOf("/wilfredo/", "m1")
	def, err := e.store.DefaultCalendar(ctx, "/wilfredo/")
	if err != nil || !strings.HasPrefix(obj.Path, def) {
		t.Errorf("copy at %s, default %q (%v)", obj.Path, def, err)
	}
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-STATUS"); got != "1.2" {
		t.Errorf("SCHEDULE-STATUS %q", got)
	}
}

func TestAttendeeChangePolicyRefuse(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, data := e.copyOf("/wilfredo/", "m1")
	r := e.do("wilfredo", "PUT", obj.Path, strings.Replace(acceptAs(data, "wilfredo@example.com"), "SUMMARY:Meeting", "SUMMARY:Mine", 1)).must(t, 403)
	if r.condition() != "allowed-attendee-scheduling-object-change" {
		t.Errorf("condition %q: %s", r.condition(), r.body)
	}
	if n := len(e.inbox("/cyrus/")); n != 0 {
		t.Error("a refused write replied")
	}
}

func TestAttendeeChangePolicyKeepAllowed(t *testing.T) {
	e := newEnv(t, &Options{AttendeeChanges: AttendeeChangeKeepAllowed}, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, data := e.copyOf("/wilfredo/", "m1")
	edited := strings.Replace(acceptAs(data, "wilfredo@example.com"), "SUMMARY:Meeting", "SUMMARY:Mine", 1)
	edited = strings.Replace(edited, "END:VEVENT", "TRANSP:TRANSPARENT\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT", 1)
	r := e.do("wilfredo", "PUT", obj.Path, edited).must(t, 204)
	if r.header.Get("ETag") != "" {
		t.Error("ETag sent although the stored data differs")
	}
	_, stored := e.copyOf("/wilfredo/", "m1")
	if !strings.Contains(stored, "SUMMARY:Meeting") || strings.Contains(stored, "SUMMARY:Mine") {
		t.Errorf("disallowed change kept:\n%s", stored)
	}
	if !strings.Contains(stored, "TRIGGER:-PT5M") || !strings.Contains(stored, "TRANSP:TRANSPARENT") ||
		scheduleParam(propLine(stored, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("allowed changes lost:\n%s", stored)
	}
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("no REPLY:\n%s", org)
	}
}

func TestScheduleUserAddressDelegate(t *testing.T) {
	// Bernard may write Cyrus's calendar and send as Cyrus, but not act
	// as himself (or anyone else) there.
	policy := privilege.Default{Delegates: privilege.StaticDelegates{"/cyrus/": {"/bernard/"}}}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	body := invite("m1", "cyrus@example.com", "wilfredo@example.com")
	r := e.do("bernard", "PUT", "/cyrus/calendars/default/m.ics", body, "Schedule-User-Address", "mailto:bernard@example.net").must(t, 403)
	if r.condition() != "need-privileges" {
		t.Errorf("condition %q", r.condition())
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err == nil {
		t.Error("the refused write invited")
	}
	e.do("bernard", "PUT", "/cyrus/calendars/default/m.ics", body, "Schedule-User-Address", "mailto:cyrus@example.com").must(t, 201)
	e.copyOf("/wilfredo/", "m1")
}

func TestSchedulingHeaderInternalOnlyReply(t *testing.T) {
	// Wilfredo's accept with internal-only reaches Cyrus's copy silently,
	// and the refresh it causes does not go to the remote Bernard.
	remote := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
	sent := len(remote.methods())
	obj, data := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", obj.Path, acceptAs(data, "wilfredo@example.com"), "Scheduling", "internal-only").must(t, 204)
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("organizer copy:\n%s", org)
	}
	if n := len(e.inbox("/cyrus/")); n != 0 {
		t.Errorf("visible REPLY in the organizer's inbox (%d)", n)
	}
	if m := remote.methods(); len(m) != sent {
		t.Errorf("refresh went out: %v", m[sent:])
	}
	// Without the header the refresh goes to Bernard.
	obj, data = e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", obj.Path, setPartstat(data, "wilfredo@example.com", "TENTATIVE")).must(t, 204)
	if m := remote.methods(); len(m) != sent+1 {
		t.Errorf("refresh: %v", m[sent:])
	}
}

func TestAttendeeChangePolicyKeepAllowedOverrides(t *testing.T) {
	// Bernard renames the series and declines the second instance: the
	// decline (an allowed override) stays, the new SUMMARY goes. An
	// override that moves an instance is dropped as a whole.
	override := func(start string) string {
		return strings.Join([]string{"BEGIN:VEVENT", "UID:4FD3AD926350", "DTSTAMP:20090602T190221Z",
			"RECURRENCE-ID;TZID=America/Montreal:20090602T150000",
			"DTSTART;TZID=America/Montreal:" + start, "DTEND;TZID=America/Montreal:20090602T170000",
			"SUMMARY:Review Internet-Draft",
			`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
			`ATTENDEE;CN="Cyrus Daboo";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com`,
			`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT:mailto:bernard@example.net`,
			"END:VEVENT"}, "\n")
	}
	for _, c := range []struct {
		name, start  string
		wantOverride bool
	}{{"decline", "20090602T150000", true}, {"move", "20090602T160000", false}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, &Options{AttendeeChanges: AttendeeChangeKeepAllowed}, cyrus, bernard)
			e.do("cyrus", "PUT", "/cyrus/calendars/default/r.ics", recurring()).must(t, 201)
			obj, data := e.copyOf("/bernard/", "4FD3AD926350")
			data = strings.Replace(data, "SUMMARY:Review Internet-Draft", "SUMMARY:Mine", 1)
			data = strings.Replace(data, "END:VCALENDAR", override(c.start)+"\nEND:VCALENDAR", 1)
			e.do("bernard", "PUT", obj.Path, crlf(data)).must(t, 204)
			_, stored := e.copyOf("/bernard/", "4FD3AD926350")
			if strings.Contains(stored, "SUMMARY:Mine") {
				t.Errorf("disallowed SUMMARY kept:\n%s", stored)
			}
			if got := strings.Contains(stored, "RECURRENCE-ID"); got != c.wantOverride {
				t.Errorf("override kept = %v:\n%s", got, stored)
			}
			_, org := e.object("/cyrus/calendars/default/r.ics")
			if got := strings.Contains(org, "PARTSTAT=DECLINED"); got != c.wantOverride {
				t.Errorf("organizer sees the decline = %v:\n%s", got, org)
			}
		})
	}
}

func TestSchedulingHeaderMoveAcrossOwners(t *testing.T) {
	// Bernard, Cyrus's delegate, moves his invitation into Cyrus's
	// calendar with Scheduling: none: the Remove on his side sends no
	// CANCEL.
	policy := privilege.Default{Delegates: privilege.StaticDelegates{"/cyrus/": {"/bernard/"}}}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	e.do("bernard", "PUT", "/bernard/calendars/default/m.ics", invite("m1", "bernard@example.net", "wilfredo@example.com")).must(t, 201)
	e.do("bernard", "MOVE", "/bernard/calendars/default/m.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/default/m.ics", "Scheduling", "none").must(t, 201)
	if _, data := e.copyOf("/wilfredo/", "m1"); strings.Contains(data, "STATUS:CANCELLED") {
		t.Errorf("MOVE with Scheduling: none cancelled:\n%s", data)
	}
	if n := len(e.inbox("/wilfredo/")); n != 1 {
		t.Errorf("wilfredo inbox %d", n)
	}
}

// TestIfScheduleTagMatchMergePerInstance checks the merge instance by
// instance: an attendee who answered two occurrences differently keeps
// both answers when the organizer writes back a stale copy whose
// occurrences list the attendee identically (the lines a decoder may
// share one parameter map between).
func TestIfScheduleTagMatchMergePerInstance(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	const org = "/cyrus/calendars/default/r.ics"
	comp := func(rid, summary string) []string {
		lines := []string{"BEGIN:VEVENT", "UID:r1", "DTSTAMP:20260101T000000Z", "SUMMARY:" + summary}
		if rid == "" {
			lines = append(lines, "DTSTART:20260105T100000Z", "RRULE:FREQ=WEEKLY;COUNT=10")
		} else {
			lines = append(lines, "RECURRENCE-ID:"+rid, "DTSTART:"+rid)
		}
		return append(lines, "DURATION:PT1H", "ORGANIZER:mailto:cyrus@example.com",
			"ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.com",
			"ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:wilfredo@example.com", "END:VEVENT")
	}
	event := func(summary string) string {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"}
		lines = append(lines, comp("", summary)...)
		lines = append(lines, comp("20260112T100000Z", summary)...)
		lines = append(lines, comp("20260119T100000Z", summary)...)
		return icsText(append(lines, "END:VCALENDAR")...)
	}
	e.do("cyrus", "PUT", org, event("Weekly")).must(t, 201)
	tag := e.do("cyrus", "GET", org, "").must(t, 200).header.Get("Schedule-Tag")

	// Wilfredo accepts the first override and declines the second.
	wObj, wData := e.copyOf("/wilfredo/", "r1")
	blocks := strings.Split(wData, "BEGIN:VEVENT")
	for i, ps := range map[int]string{2: "ACCEPTED", 3: "DECLINED"} {
		line := propLine(blocks[i], "ATTENDEE", "wilfredo@example.com")
		blocks[i] = strings.Replace(blocks[i], line, strings.Replace(line, "PARTSTAT=NEEDS-ACTION", "PARTSTAT="+ps, 1), 1)
	}
	e.do("wilfredo", "PUT", wObj.Path, crlf(strings.Join(blocks, "BEGIN:VEVENT")), "If-Match", `"`+wObj.ETag+`"`).must(t, 204)

	// Cyrus renames the series from his stale copy.
	e.do("cyrus", "PUT", org, event("Renamed"), "If-Schedule-Tag-Match", tag).must(t, 204)
	_, data := e.object(org)
	blocks = strings.Split(data, "BEGIN:VEVENT")
	if len(blocks) != 4 {
		t.Fatalf("want 3 components:\n%s", data)
	}
	want := map[string]string{"20260112T100000Z": "ACCEPTED", "20260119T100000Z": "DECLINED"}
	for _, b := range blocks[1:] {
		rid := ""
		if i := strings.Index(b, "RECURRENCE-ID:"); i >= 0 {
			rid = strings.TrimSpace(strings.SplitN(b[i+len("RECURRENCE-ID:"):], "\n", 2)[0])
		}
		got := scheduleParam(propLine(b, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT")
		if w := want[rid]; w != "" && got != w {
			t.Errorf("instance %s: PARTSTAT %s, want %s\n%s", rid, got, w, data)
		}
		if !strings.Contains(b, "SUMMARY:Renamed") {
			t.Errorf("instance %q lost the edit", rid)
		}
	}
}
