package schedule

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// b1Invite is the PUT body of RFC 6638 Appendix B.1.
var b1Invite = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN",
	"BEGIN:VEVENT", "UID:9263504FD3AD", "SEQUENCE:0", "DTSTAMP:20090602T185254Z",
	"DTSTART:20090602T160000Z", "DTEND:20090602T170000Z", "TRANSP:OPAQUE", "SUMMARY:Lunch",
	`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
	`ATTENDEE;CN="Cyrus Daboo";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:mailto:cyrus@example.com`,
	`ATTENDEE;CN="Wilfredo Sanchez Vega";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:wilfredo@example.com`,
	`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net`,
	`ATTENDEE;CN="Mike Douglass";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org`,
	"END:VEVENT", "END:VCALENDAR")

// recordingDeliverer stands for e-mail delivery to example.net: it
// records the messages and reports them pending, as a queue would.
type recordingDeliverer struct {
	mu   sync.Mutex
	msgs []*Delivery
}

func (d *recordingDeliverer) Deliver(_ context.Context, dl *Delivery) (Status, error) {
	if e, ok := caladdr.Email(dl.Recipient); !ok || !strings.HasSuffix(e, "@example.net") {
		return "", ErrNotResponsible
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.msgs = append(d.msgs, dl)
	return StatusPending, nil
}

func (d *recordingDeliverer) methods() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, m := range d.msgs {
		out = append(out, m.Message.Method+" "+m.Recipient)
	}
	return out
}

// scheduleParam returns the SCHEDULE-STATUS of the line, "" if none.
func scheduleParam(line, param string) string {
	i := strings.Index(line, param+"=")
	if i < 0 {
		return ""
	}
	v := line[i+len(param)+1:]
	if j := strings.IndexAny(v, ";:"); j >= 0 {
		v = v[:j]
	}
	return v
}

// TestAppendixB is RFC 6638 Appendix B.1 to B.4 in sequence: Cyrus
// invites, Wilfredo receives, replies, Cyrus gets the reply, and Bernard
// (served by another deliverer) is refreshed.
func TestAppendixB(t *testing.T) {
	remote := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
	const orgPath = "/cyrus/calendars/default/9263504FD3AD.ics"

	// B.1: the organizer's PUT.
	r := e.do("cyrus", "PUT", orgPath, b1Invite, "If-None-Match", "*").must(t, 201)
	tag := r.header.Get("Schedule-Tag")
	if tag == "" {
		t.Fatal("no Schedule-Tag")
	}
	if r.header.Get("ETag") != "" {
		t.Error("ETag sent although the stored data differs from the request")
	}
	_, data := e.object(orgPath)
	for addr, want := range map[string]string{"wilfredo@example.com": "1.2", "bernard@example.net": "1.0", "mike@example.org": "3.7"} {
		if got := scheduleParam(propLine(data, "ATTENDEE", addr), "SCHEDULE-STATUS"); got != want {
			t.Errorf("B.1 SCHEDULE-STATUS of %s = %q, want %s\n%s", addr, got, want, data)
		}
	}
	if got := scheduleParam(propLine(data, "ATTENDEE", "cyrus@example.com"), "SCHEDULE-STATUS"); got != "" {
		t.Errorf("the organizer got a SCHEDULE-STATUS %q", got)
	}
	g := e.do("cyrus", "GET", orgPath, "").must(t, 200)
	if g.header.Get("Schedule-Tag") != tag {
		t.Errorf("GET Schedule-Tag %q, PUT %q", g.header.Get("Schedule-Tag"), tag)
	}
	if m := remote.methods(); len(m) != 1 || m[0] != "REQUEST mailto:bernard@example.net" {
		t.Errorf("remote deliveries %v", m)
	}

	// B.2: Wilfredo's copy is in his default calendar, the REQUEST in his
	// inbox; he reads and deletes it.
	copyObj, copyData := e.copyOf("/wilfredo/", "9263504FD3AD")
	if !strings.HasPrefix(copyObj.Path, "/wilfredo/calendars/default/") || copyObj.ScheduleTag == "" {
		t.Errorf("copy at %s tag %q", copyObj.Path, copyObj.ScheduleTag)
	}
	if !strings.Contains(copyData, "SUMMARY:Lunch") || scheduleParam(propLine(copyData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "NEEDS-ACTION" {
		t.Errorf("copy:\n%s", copyData)
	}
	items := e.inbox("/wilfredo/")
	if len(items) != 1 || !strings.Contains(string(items[0].Data), "METHOD:REQUEST") {
		t.Fatalf("inbox %v", items)
	}
	item := "/wilfredo/calendars/inbox/" + items[0].Name
	if body := e.do("wilfredo", "GET", item, "").must(t, 200).body; !strings.Contains(body, "UID:9263504FD3AD") {
		t.Errorf("inbox item:\n%s", body)
	}
	e.do("wilfredo", "DELETE", item, "").must(t, 204)

	// B.3: Wilfredo accepts and adds an alarm, conditional on the
	// Schedule-Tag.
	accepted := unfold(e.do("wilfredo", "GET", copyObj.Path, "").must(t, 200).body)
	line := propLine(accepted, "ATTENDEE", "wilfredo@example.com")
	accepted = strings.Replace(accepted, line, strings.Replace(line, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1), 1)
	accepted = strings.Replace(accepted, "END:VEVENT", "BEGIN:VALARM\nTRIGGER:-PT15M\nACTION:DISPLAY\nDESCRIPTION:Reminder\nEND:VALARM\nEND:VEVENT", 1)
	accepted = strings.ReplaceAll(accepted, "\n", "\r\n")
	e.do("wilfredo", "PUT", copyObj.Path, accepted, "If-Schedule-Tag-Match", `"wrong"`).must(t, 412)
	r = e.do("wilfredo", "PUT", copyObj.Path, accepted, "If-Schedule-Tag-Match", `"`+copyObj.ScheduleTag+`"`).must(t, 204)
	_, copyData = e.copyOf("/wilfredo/", "9263504FD3AD")
	if got := scheduleParam(propLine(copyData, "ORGANIZER", "cyrus@example.com"), "SCHEDULE-STATUS"); got != "1.2" {
		t.Errorf("B.3 ORGANIZER SCHEDULE-STATUS = %q\n%s", got, copyData)
	}
	if !strings.Contains(copyData, "TRIGGER:-PT15M") {
		t.Errorf("the alarm was lost")
	}

	// B.4: Cyrus's copy has Wilfredo's PARTSTAT, the REPLY is in Cyrus's
	// inbox, Bernard was refreshed; Cyrus's Schedule-Tag did not change
	// (a status-only change).
	orgObj, data := e.object(orgPath)
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT"); got != "ACCEPTED" {
		t.Errorf("B.4 organizer copy PARTSTAT = %q\n%s", got, data)
	}
	if orgObj.ScheduleTag != strings.Trim(tag, `"`) {
		t.Errorf("a reply changed the organizer's Schedule-Tag")
	}
	items = e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(string(items[0].Data), "METHOD:REPLY") {
		t.Fatalf("organizer inbox %v", items)
	}
	m := remote.methods()
	if len(m) != 2 || m[1] != "REQUEST mailto:bernard@example.net" {
		t.Errorf("refresh of Bernard: %v", m)
	}
}

// TestAppendixB6 is RFC 6638 Appendix B.6: Cyrus may write Wilfredo's
// calendar but not send invitations as Wilfredo.
func TestAppendixB6(t *testing.T) {
	policy := privilege.Grants{
		Outbox:   map[string]map[string]privilege.Privilege{"/wilfredo/": {"/cyrus/": privilege.Read | privilege.Write}},
		Fallback: privilege.Default{},
	}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	body := icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN",
		"BEGIN:VEVENT", "UID:3504F926D3AD", "SEQUENCE:0", "DTSTAMP:20090602T190221Z",
		"DTSTART:20090602T230000Z", "DTEND:20090603T000000Z", "TRANSP:OPAQUE", "SUMMARY:Dinner",
		`ORGANIZER;CN="Wilfredo Sanchez Vega":mailto:wilfredo@example.com`,
		`ATTENDEE;CN="Wilfredo Sanchez Vega";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:mailto:wilfredo@example.com`,
		`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net`,
		"END:VEVENT", "END:VCALENDAR")
	r := e.do("cyrus", "PUT", "/wilfredo/calendars/default/def456.ics", body, "If-None-Match", "*").must(t, 403)
	for _, want := range []string{"<D:need-privileges>", "<D:href>/wilfredo/calendars/outbox/</D:href>", "<C:schedule-send-invite/>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %s in\n%s", want, r.body)
		}
	}
	if _, err := e.store.Object(context.Background(), "/wilfredo/calendars/default/def456.ics"); err == nil {
		t.Error("the refused object was stored")
	}
	if len(e.inbox("/bernard/")) != 0 {
		t.Error("Bernard was invited")
	}
	// A user without any right on the calendar is refused before the body
	// is even read.
	e.do("bernard", "PUT", "/wilfredo/calendars/default/x.ics", "garbage").must(t, 403)
}

// recurring is a daily event of Cyrus with Bernard, with the VTIMEZONE of
// RFC 6638 Appendix B.7.
func recurring(extraMaster ...string) string {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN",
		"BEGIN:VTIMEZONE", "TZID:America/Montreal", "BEGIN:STANDARD", "DTSTART:20081102T020000",
		"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "TZNAME:EST", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
		"END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:20090308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
		"TZNAME:EDT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "END:DAYLIGHT", "END:VTIMEZONE",
		"BEGIN:VEVENT", "UID:4FD3AD926350", "DTSTAMP:20090602T190221Z",
		"DTSTART;TZID=America/Montreal:20090601T150000", "DTEND;TZID=America/Montreal:20090601T170000",
		"RRULE:FREQ=DAILY;INTERVAL=1;COUNT=5", "SUMMARY:Review Internet-Draft",
		`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
		`ATTENDEE;CN="Cyrus Daboo";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com`,
		`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net`}
	lines = append(lines, extraMaster...)
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	return icsText(lines...)
}

// TestAppendixB7 is RFC 6638 Appendix B.7: Bernard declines the second
// instance by adding an overridden component.
func TestAppendixB7(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/r.ics", recurring()).must(t, 201)
	copyObj, copyData := e.copyOf("/bernard/", "4FD3AD926350")
	override := strings.Join([]string{"BEGIN:VEVENT", "UID:4FD3AD926350", "DTSTAMP:20090602T190221Z",
		"RECURRENCE-ID;TZID=America/Montreal:20090602T150000",
		"DTSTART;TZID=America/Montreal:20090602T150000", "DTEND;TZID=America/Montreal:20090602T170000",
		"SUMMARY:Review Internet-Draft",
		`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
		`ATTENDEE;CN="Cyrus Daboo";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com`,
		`ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT:mailto:bernard@example.net`,
		"END:VEVENT"}, "\n")
	updated := strings.Replace(copyData, "END:VCALENDAR", override+"\nEND:VCALENDAR", 1)
	updated = strings.ReplaceAll(strings.TrimRight(updated, "\n"), "\n", "\r\n") + "\r\n"
	e.do("bernard", "PUT", copyObj.Path, updated, "If-Schedule-Tag-Match", `"`+copyObj.ScheduleTag+`"`).must(t, 204)
	_, org := e.object("/cyrus/calendars/default/r.ics")
	if !strings.Contains(org, "RECURRENCE-ID") || !strings.Contains(org, "PARTSTAT=DECLINED") {
		t.Fatalf("B.7 organizer copy:\n%s", org)
	}
	items := e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(unfold(string(items[0].Data)), "METHOD:REPLY") {
		t.Fatalf("organizer inbox %d", len(items))
	}
}

// TestAppendixB8 is RFC 6638 Appendix B.8: Bernard removes the third
// instance with an EXDATE; Cyrus sees it declined.
func TestAppendixB8(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/r.ics", recurring()).must(t, 201)
	copyObj, copyData := e.copyOf("/bernard/", "4FD3AD926350")
	updated := strings.Replace(copyData, "RRULE:FREQ=DAILY", "EXDATE;TZID=America/Montreal:20090603T150000\nRRULE:FREQ=DAILY", 1)
	updated = strings.ReplaceAll(strings.TrimRight(updated, "\n"), "\n", "\r\n") + "\r\n"
	e.do("bernard", "PUT", copyObj.Path, updated, "If-Schedule-Tag-Match", `"`+copyObj.ScheduleTag+`"`).must(t, 204)
	_, org := e.object("/cyrus/calendars/default/r.ics")
	if !strings.Contains(org, "RECURRENCE-ID;TZID=America/Montreal:20090603T150000") && !strings.Contains(org, "RECURRENCE-ID:20090603T190000Z") {
		t.Fatalf("B.8 organizer copy has no override for the removed instance:\n%s", org)
	}
	if !strings.Contains(org, "PARTSTAT=DECLINED") {
		t.Fatalf("B.8 organizer copy:\n%s", org)
	}
}
