package itip

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestErrorIs(t *testing.T) {
	err := fmt.Errorf("put: %w", errorf(AllowedAttendeeChange, "SUMMARY changed"))
	if !errors.Is(err, AllowedAttendeeChange) {
		t.Error("errors.Is(err, AllowedAttendeeChange) = false")
	}
	if errors.Is(err, AllowedOrganizerChange) {
		t.Error("errors.Is matches another condition")
	}
	if !errors.Is(err, &Error{Condition: AllowedAttendeeChange}) {
		t.Error("errors.Is(err, &Error{Condition}) = false")
	}
	var e *Error
	if !errors.As(err, &e) || e.Condition != AllowedAttendeeChange || !strings.Contains(e.Error(), "SUMMARY") {
		t.Errorf("errors.As: %v", e)
	}
	cause := errors.New("boom")
	if w := wrapError(ValidCalendarData, "x", cause); !errors.Is(w, cause) || !errors.Is(w, ValidCalendarData) {
		t.Error("wrapped cause not found")
	}
}

const recurring = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//EN
BEGIN:VTIMEZONE
TZID:Custom Zone
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0200
TZOFFSETTO:+0200
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:u1
DTSTART;TZID=Europe/Paris:20260310T100000
DURATION:PT1H
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Paris:20260312T100000,20260313T100000
ORGANIZER:mailto:alice@example.org
ATTENDEE:MAILTO:Bob@Example.org
END:VEVENT
BEGIN:VEVENT
UID:u1
RECURRENCE-ID;TZID=Europe/Paris:20260311T100000
DTSTART;TZID=Custom Zone:20260311T120000
DURATION:PT1H
ORGANIZER:MAILTO:ALICE@example.org
END:VEVENT
BEGIN:VEVENT
UID:u1
RECURRENCE-ID;VALUE=DATE:20260314
DTSTART;VALUE=DATE:20260314
ORGANIZER:mailto:alice@example.org
END:VEVENT
END:VCALENDAR
`

func TestParseObject(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	o, err := DecodeObject(crlf(recurring), berlin)
	if err != nil {
		t.Fatal(err)
	}
	if o.UID != "u1" || o.Kind != ical.CompEvent || o.Master == nil || len(o.Overrides) != 2 || !o.IsSchedulable() {
		t.Fatalf("object = %+v", o)
	}
	k0 := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC) // 10:00 Paris
	if !o.Overrides[0].Key.Equal(k0) || o.Override(k0) == nil {
		t.Errorf("override key %v, want %v", o.Overrides[0].Key, k0)
	}
	k1 := time.Date(2026, 3, 13, 23, 0, 0, 0, time.UTC) // DATE in the floating zone (Berlin)
	if !o.Overrides[1].Key.Equal(k1) {
		t.Errorf("DATE override key %v, want %v", o.Overrides[1].Key, k1)
	}
	ex, err := o.ExcludedKeys(o.Master)
	if err != nil || len(ex) != 2 || !ex[0].Equal(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("EXDATE keys %v, %v", ex, err)
	}
	if a := Attendee(o.Master, "mailto:bob@example.org"); a == nil {
		t.Error("Attendee does not compare addresses case-insensitively")
	}
	tzs := o.Timezones(o.Overrides[0].Component)
	if len(tzs) != 1 || propValue(tzs[0], ical.PropTimezoneID) != "Custom Zone" {
		t.Errorf("Timezones = %v", tzs)
	}
	if len(o.Timezones(o.Master)) != 0 {
		t.Error("an IANA TZID without VTIMEZONE yields a component")
	}
}

func TestParseObjectErrors(t *testing.T) {
	ev := func(extra string) string {
		return "BEGIN:VEVENT\nUID:u1\nDTSTART:20260310T100000Z\n" + extra + "END:VEVENT\n"
	}
	cal := func(body string) []byte {
		return crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n" + body + "END:VCALENDAR\n")
	}
	cases := []struct {
		name string
		data []byte
		want Condition
	}{
		{"two masters", cal(ev("") + ev("")), ValidCalendarObjectResource},
		{"two uids", cal(ev("") + strings.Replace(ev("RECURRENCE-ID:20260311T100000Z\n"), "u1", "u2", 1)), ValidCalendarObjectResource},
		{"mixed types", cal(ev("") + "BEGIN:VTODO\nUID:u1\nRECURRENCE-ID:20260311T100000Z\nEND:VTODO\n"), ValidCalendarObjectResource},
		{"no uid", cal("BEGIN:VEVENT\nDTSTART:20260310T100000Z\nEND:VEVENT\n"), ValidCalendarObjectResource},
		{"no component", cal(""), ValidCalendarObjectResource},
		{"same instance twice", cal(ev("RECURRENCE-ID:20260311T100000Z\n") + ev("RECURRENCE-ID;TZID=Europe/Paris:20260311T110000\n")), ValidCalendarObjectResource},
		{"bad recurrence-id", cal(ev("RECURRENCE-ID:2026-03-11\n")), ValidCalendarData},
		{"unknown tzid", cal(ev("RECURRENCE-ID;TZID=Nowhere/Land:20260311T100000\n")), ValidCalendarData},
		{"organizers differ", cal(ev("ORGANIZER:mailto:a@x\n") + ev("RECURRENCE-ID:20260311T100000Z\nORGANIZER:mailto:b@x\n")), SameOrganizerInAllComponents},
		{"two organizers", cal(ev("ORGANIZER:mailto:a@x\nORGANIZER:mailto:a@x\n")), SameOrganizerInAllComponents},
		{"garbage", []byte("not ical"), ValidCalendarData},
	}
	for _, c := range cases {
		_, err := DecodeObject(c.data, nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %s", c.name, err, c.want)
		}
	}
}

func TestScheduleAgent(t *testing.T) {
	for v, want := range map[string]Agent{"": AgentServer, "server": AgentServer, "CLIENT": AgentClient, "NONE": AgentNone, "X-OTHER": AgentNone} {
		p := ical.NewProp(ical.PropAttendee)
		if v != "" {
			p.Params.Set(ParamScheduleAgent, v)
		}
		if got := ScheduleAgent(p); got != want {
			t.Errorf("SCHEDULE-AGENT=%q: %v, want %v", v, got, want)
		}
	}
}

const replyMsg = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//EN
METHOD:REPLY
BEGIN:VEVENT
UID:u1
DTSTAMP:20260301T000000Z
ORGANIZER:mailto:alice@example.org
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org
END:VEVENT
END:VCALENDAR
`

func TestParseMessage(t *testing.T) {
	m, err := DecodeMessage(crlf(replyMsg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Method != MethodReply || m.Originator != "mailto:bob@example.org" || len(m.Recipients) != 1 ||
		m.Recipients[0] != "mailto:alice@example.org" || m.Update != UpdateStatusOnly || m.UID() != "u1" {
		t.Errorf("message = %+v", m)
	}
	req := strings.Replace(strings.Replace(replyMsg, "METHOD:REPLY", "METHOD:REQUEST", 1),
		"END:VEVENT", "ATTENDEE:MAILTO:BOB@example.org\nATTENDEE:mailto:carol@example.org\nATTENDEE:mailto:alice@example.org\nEND:VEVENT", 1)
	m, err = DecodeMessage(crlf(req))
	if err != nil {
		t.Fatal(err)
	}
	if m.Originator != "mailto:alice@example.org" || len(m.Recipients) != 2 || !m.HasRecipient("mailto:carol@example.org") {
		t.Errorf("request recipients %v (duplicates and the organizer must be dropped)", m.Recipients)
	}
	// A delegator's REPLY names the delegate after (or before) them.
	delegation := "ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM=\"mailto:bob@example.org\":mailto:dan@example.org\n" +
		"ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:dan@example.org\":mailto:bob@example.org\n"
	m, err = DecodeMessage(crlf(strings.Replace(replyMsg, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org\n", delegation, 1)))
	if err != nil || m.Originator != "mailto:bob@example.org" {
		t.Errorf("delegator's REPLY: %+v, %v", m, err)
	}
	bad := map[string]Condition{
		// A delegate who does not say DELEGATED-FROM the replier.
		strings.Replace(replyMsg, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org\n",
			strings.Replace(delegation, "DELEGATED-FROM", "X-FROM", 1), 1): ValidSchedulingMessage,
		strings.Replace(replyMsg, "METHOD:REPLY\n", "", 1):                            ValidSchedulingMessage,
		strings.Replace(replyMsg, "METHOD:REPLY", "METHOD:SHOUT", 1):                  ValidSchedulingMessage,
		strings.Replace(replyMsg, "ORGANIZER:mailto:alice@example.org\n", "", 1):      ValidOrganizer,
		strings.Replace(replyMsg, "END:VEVENT", "ATTENDEE:mailto:x@y\nEND:VEVENT", 1): ValidSchedulingMessage,
	}
	for data, want := range bad {
		if _, err := DecodeMessage(crlf(data)); !errors.Is(err, want) {
			t.Errorf("error %v, want %s for\n%s", err, want, data)
		}
	}
}

func TestMessageBytesShared(t *testing.T) {
	cal, err := ics.Decode(crlf(replyMsg))
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{Method: MethodReply, Calendar: cal}
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) { defer wg.Done(); results[i] = m.Bytes() }(i)
	}
	wg.Wait()
	for _, r := range results {
		if &r[0] != &results[0][0] {
			t.Fatal("Bytes serialised more than once")
		}
	}
	if !strings.Contains(string(results[0]), "METHOD:REPLY\r\n") {
		t.Errorf("serialisation: %q", results[0])
	}
}

func TestUpdateKindAndRoleStrings(t *testing.T) {
	if UpdateFull.String() != "full" || UpdateStatusOnly.String() != "status-only" || RoleAttendee.String() != "attendee" || OpRemove.String() != "remove" {
		t.Error("String methods")
	}
}

func TestPlanMaxInstances(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:u1\nDTSTART:20260310T100000Z\nRRULE:FREQ=DAILY\nEXDATE:")
	for i := 0; i < 30; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "202604%02dT100000Z", i+1)
	}
	b.WriteString("\nORGANIZER:mailto:alice@example.org\nATTENDEE:mailto:bob@example.org\nEND:VEVENT\nEND:VCALENDAR\n")
	cal, err := ics.Decode(crlf(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	opts := PlanOptions{Addresses: []string{"mailto:alice@example.org"}, MaxInstances: 20}
	if _, err := Plan(nil, cal, opts); !errors.Is(err, MaxInstances) {
		t.Errorf("30 EXDATE values with a limit of 20: %v", err)
	}
	opts.MaxInstances = 0
	if _, err := Plan(nil, cal, opts); err != nil {
		t.Errorf("default limit: %v", err)
	}
}

func TestMessageToSharesBytes(t *testing.T) {
	m, err := DecodeMessage(crlf(replyMsg))
	if err != nil {
		t.Fatal(err)
	}
	to := m.To([]string{"mailto:carol@example.org"})
	if len(to.Recipients) != 1 || to.Recipients[0] != "mailto:carol@example.org" || to.Method != m.Method || to.Originator != m.Originator {
		t.Fatalf("To: %+v", to)
	}
	if &to.Bytes()[0] != &m.Bytes()[0] {
		t.Error("To serialised the message again")
	}
}
