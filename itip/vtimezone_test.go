package itip

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

var vtzNow = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

// noVTimezoneEvent is the reproduction: TZID=Europe/Berlin without a
// VTIMEZONE, as many clients write it. extra goes into the VEVENT.
func noVTimezoneEvent(tzid, extra string, attendees ...string) *ical.Calendar {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:vtz-1@example.org\nDTSTAMP:20260101T000000Z\n")
	if tzid == "" { // baseline: UTC, no TZID at all
		b.WriteString("DTSTART:20260110T090000Z\nDTEND:20260110T100000Z\nSUMMARY:Meeting\n")
	} else {
		fmt.Fprintf(&b, "DTSTART;TZID=%s:20260110T100000\nDTEND;TZID=%s:20260110T110000\nSUMMARY:Meeting\n", tzid, tzid)
	}
	b.WriteString(extra)
	b.WriteString("ORGANIZER:mailto:alice@example.org\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\n")
	for _, a := range attendees {
		fmt.Fprintf(&b, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:%s\n", a)
	}
	b.WriteString("END:VEVENT\nEND:VCALENDAR\n")
	cal, err := ics.Decode(crlf(b.String()))
	if err != nil {
		panic(err)
	}
	return cal
}

func organizerPlan(t testing.TB, old, new *ical.Calendar) *Actions {
	t.Helper()
	act, err := Plan(old, new, PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: vtzNow})
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// messageVTimezones returns the VTIMEZONEs of m by TZID.
func messageVTimezones(m *Message) map[string]*ical.Component {
	out := map[string]*ical.Component{}
	for _, c := range m.Calendar.Children {
		if c.Name == ical.CompTimezone {
			out[propValue(c, ical.PropTimezoneID)] = c
		}
	}
	return out
}

// resolveThroughVTimezone decodes the message, renames tzid to a name no
// resolver knows (so that only the message's VTIMEZONE can define it) and
// returns the instant of the first component's DTSTART.
func resolveThroughVTimezone(t *testing.T, m *Message, tzid string) time.Time {
	t.Helper()
	alias := "X-Only-From-VTIMEZONE"
	data := bytes.ReplaceAll(m.Bytes(), []byte(tzid), []byte(alias))
	cal, err := ics.Decode(data)
	if err != nil {
		t.Fatalf("message does not decode: %v", err)
	}
	if _, err := tz.NewResolver(nil).Location(alias); err == nil {
		t.Fatalf("%s resolves without a VTIMEZONE; the test proves nothing", alias)
	}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			v, err := tz.NewResolver(cal).Parse(c.Props.Get(ical.PropDateTimeStart), time.UTC)
			if err != nil {
				t.Fatalf("DTSTART through the message's VTIMEZONE: %v", err)
			}
			if v.Kind != tz.Zoned {
				t.Fatalf("DTSTART kind %v", v.Kind)
			}
			return v.Time
		}
	}
	t.Fatal("no VEVENT")
	return time.Time{}
}

func TestRequestCarriesGeneratedVTimezone(t *testing.T) {
	act := organizerPlan(t, nil, noVTimezoneEvent("Europe/Berlin", "", "mailto:bob@example.org"))
	if len(act.Messages) != 1 || act.Messages[0].Method != MethodRequest {
		t.Fatalf("messages %+v", act.Messages)
	}
	m := act.Messages[0]
	vtz := messageVTimezones(m)["Europe/Berlin"]
	if vtz == nil {
		t.Fatalf("REQUEST without VTIMEZONE Europe/Berlin:\n%s", m.Bytes())
	}
	names := map[string]int{}
	for _, c := range vtz.Children {
		names[c.Name]++
	}
	if names[ical.CompTimezoneStandard] != 1 || names[ical.CompTimezoneDaylight] != 1 {
		t.Errorf("want one STANDARD and one DAYLIGHT, got %v:\n%s", names, m.Bytes())
	}
	if m.Calendar.Children[0] != vtz {
		t.Error("the VTIMEZONE does not come before the VEVENT")
	}
	want := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC) // 10:00 CET
	if got := resolveThroughVTimezone(t, m, "Europe/Berlin"); !got.Equal(want) {
		t.Errorf("DTSTART through the VTIMEZONE is %s, want %s", got, want)
	}
	// What is stored is not changed: only messages get the VTIMEZONE.
	for _, c := range act.Object.Children {
		if c.Name == ical.CompTimezone {
			t.Error("the stored object got a VTIMEZONE")
		}
	}
}

// A summer instance of a recurring event lands right too: the VTIMEZONE
// covers the recurrence, not only DTSTART.
func TestGeneratedVTimezoneCoversRecurrence(t *testing.T) {
	new := noVTimezoneEvent("America/New_York", "RRULE:FREQ=MONTHLY;UNTIL=20270101T000000Z\nEXDATE;TZID=America/New_York:20260710T100000\n",
		"mailto:bob@example.org")
	m := organizerPlan(t, nil, new).Messages[0]
	vtz := messageVTimezones(m)["America/New_York"]
	if vtz == nil {
		t.Fatalf("no VTIMEZONE:\n%s", m.Bytes())
	}
	cal := ical.NewCalendar()
	cal.Children = []*ical.Component{vtz}
	alias := *vtz
	alias.Props = ical.Props{}
	for k, v := range vtz.Props {
		alias.Props[k] = v
	}
	alias.Props.Set(&ical.Prop{Name: ical.PropTimezoneID, Params: ical.Params{}, Value: "X-Alias"})
	cal.Children = []*ical.Component{&alias}
	got, err := tz.NewResolver(cal).ParseDateTime("20260710T100000", "X-Alias", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 7, 10, 14, 0, 0, 0, time.UTC); !got.Time.Equal(want) {
		t.Errorf("EXDATE in July through the VTIMEZONE is %s, want %s (EDT)", got.Time, want)
	}
}

// The input's own VTIMEZONE is sent as it is; nothing is generated for it.
func TestInputVTimezoneIsKept(t *testing.T) {
	dir := filepath.Join(planDir, "org-create-custom-vtimezone")
	c, old, new := loadCase(t, dir)
	act, err := Plan(old, new, c.options(t))
	if err != nil {
		t.Fatal(err)
	}
	var input []*ical.Component
	for _, ch := range new.Children {
		if ch.Name == ical.CompTimezone {
			input = append(input, ch)
		}
	}
	if len(input) == 0 {
		t.Fatal("fixture has no VTIMEZONE")
	}
	checked := 0
	for _, m := range act.Messages {
		var used []string
		for _, comp := range m.Components() {
			used = appendTZIDs(used, comp)
		}
		for _, in := range input {
			if !slices.Contains(used, propValue(in, ical.PropTimezoneID)) {
				continue
			}
			checked++
			if got := messageVTimezones(m)[propValue(in, ical.PropTimezoneID)]; got != in {
				t.Errorf("%s: VTIMEZONE %s is not the input's", m.Method, propValue(in, ical.PropTimezoneID))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no message uses the input's VTIMEZONE")
	}
}

// Windows names are IANA zones too; unknown TZIDs stay as they came.
func TestGeneratedVTimezoneNames(t *testing.T) {
	m := organizerPlan(t, nil, noVTimezoneEvent("W. Europe Standard Time", "", "mailto:bob@example.org")).Messages[0]
	if messageVTimezones(m)["W. Europe Standard Time"] == nil {
		t.Errorf("no VTIMEZONE for a Windows TZID:\n%s", m.Bytes())
	}
	if got, want := resolveThroughVTimezone(t, m, "W. Europe Standard Time"), time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DTSTART %s, want %s", got, want)
	}
	act, err := Plan(nil, noVTimezoneEvent("Mars/Olympus_Mons", "", "mailto:bob@example.org"),
		PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: vtzNow})
	if err != nil {
		return // rejected before any message: nothing to check
	}
	for _, m := range act.Messages {
		if len(messageVTimezones(m)) != 0 {
			t.Errorf("a VTIMEZONE for an unknown TZID:\n%s", m.Bytes())
		}
	}
}

// One Plan generates each zone once: every message shares the component.
func TestGeneratedVTimezoneShared(t *testing.T) {
	old := noVTimezoneEvent("Europe/Berlin", "", "mailto:bob@example.org", "mailto:carol@example.org", "mailto:dave@example.org")
	new := noVTimezoneEvent("Europe/Berlin", "SEQUENCE:1\nLOCATION:Room 2\n", "mailto:bob@example.org", "mailto:carol@example.org")
	act := organizerPlan(t, old, new)
	var shared *ical.Component
	methods := map[string]bool{}
	for _, m := range act.Messages {
		methods[m.Method] = true
		vtz := messageVTimezones(m)["Europe/Berlin"]
		if vtz == nil {
			t.Fatalf("%s without VTIMEZONE", m.Method)
		}
		if shared == nil {
			shared = vtz
		} else if vtz != shared {
			t.Errorf("%s has its own copy of the generated VTIMEZONE", m.Method)
		}
	}
	if !methods[MethodRequest] || !methods[MethodCancel] {
		t.Fatalf("want a REQUEST and a CANCEL, got %v", methods)
	}
}

// The attendee's REPLY carries it too.
func TestReplyCarriesGeneratedVTimezone(t *testing.T) {
	old := noVTimezoneEvent("Europe/Berlin", "", "mailto:bob@example.org")
	new := noVTimezoneEvent("Europe/Berlin", "", "mailto:bob@example.org")
	for _, c := range new.Children {
		for i, a := range c.Props[ical.PropAttendee] {
			if strings.Contains(a.Value, "bob") {
				c.Props[ical.PropAttendee][i].Params = ical.Params{"PARTSTAT": {"ACCEPTED"}}
			}
		}
	}
	act, err := Plan(old, new, PlanOptions{Addresses: []string{"mailto:bob@example.org"}, Now: vtzNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(act.Messages) != 1 || act.Messages[0].Method != MethodReply {
		t.Fatalf("messages %+v", act.Messages)
	}
	if messageVTimezones(act.Messages[0])["Europe/Berlin"] == nil {
		t.Errorf("REPLY without VTIMEZONE:\n%s", act.Messages[0].Bytes())
	}
}

// Every message of every golden case defines every TZID it uses that is
// a known zone (RFC 5545 §3.6.5).
func TestPlanGoldenMessagesDefineTZIDs(t *testing.T) {
	known := tz.NewResolver(nil)
	for _, dir := range planCaseDirs(t) {
		c, old, new := loadCase(t, dir)
		act, err := Plan(old, new, c.options(t))
		if err != nil {
			continue
		}
		for _, m := range act.Messages {
			have := messageVTimezones(m)
			for _, comp := range m.Components() {
				for _, id := range appendTZIDs(nil, comp) {
					if _, err := known.Location(id); err == nil && have[id] == nil {
						t.Errorf("%s: %s uses TZID %s without VTIMEZONE", filepath.Base(dir), m.Method, id)
					}
				}
			}
		}
	}
}

// BenchmarkPlanGeneratedVTimezone: an invitation to 200 attendees in a
// zone without VTIMEZONE, against the same event in UTC (the difference
// is the cost of generating the VTIMEZONE, once per Plan).
func BenchmarkPlanGeneratedVTimezone(b *testing.B) {
	var atts []string
	for i := 0; i < 200; i++ {
		atts = append(atts, fmt.Sprintf("mailto:user%d@example.org", i))
	}
	opts := PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: vtzNow}
	for _, tzid := range []string{"Europe/Berlin", ""} {
		new := noVTimezoneEvent(tzid, "RRULE:FREQ=WEEKLY\n", atts...)
		name := tzid
		if name == "" {
			name = "no-TZID"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				act, err := Plan(nil, new, opts)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range act.Messages {
					m.Bytes()
				}
			}
		})
	}
}

// Extreme years neither panic nor make Plan generate centuries of zone
// data: the range is clamped to 1800 and to tz.MaxVTimezoneYears, and a
// range the generator refuses leaves the TZID as written.
func TestGeneratedVTimezoneExtremeYears(t *testing.T) {
	for _, tt := range []struct {
		start, extra string
		generated    bool
	}{
		{"00010101T000000", "RRULE:FREQ=YEARLY;UNTIL=99991231T000000Z\n", true}, // 1800 to 1998
		{"99991231T230000", "RRULE:FREQ=DAILY\n", false},                        // past year 9999
		{"17000101T000000", "", true},
	} {
		new := noVTimezoneEvent("Europe/Berlin", tt.extra, "mailto:bob@example.org")
		new.Children[0].Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{ical.ParamTimezoneID: {"Europe/Berlin"}}, Value: tt.start})
		new.Children[0].Props.Del(ical.PropDateTimeEnd)
		act, err := Plan(nil, new, PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: vtzNow})
		if err != nil {
			t.Fatalf("%s: %v", tt.start, err)
		}
		for _, m := range act.Messages {
			if got := messageVTimezones(m)["Europe/Berlin"] != nil; got != tt.generated {
				t.Errorf("%s: VTIMEZONE generated: %v, want %v", tt.start, got, tt.generated)
			}
			if vtz := messageVTimezones(m)["Europe/Berlin"]; vtz != nil && len(vtz.Children) > 4*tz.MaxVTimezoneYears {
				t.Errorf("%s: %d observances", tt.start, len(vtz.Children))
			}
		}
	}
}

// An object naming many zones costs at most maxGeneratedVTimezones
// generations per Plan.
func TestGeneratedVTimezoneLimit(t *testing.T) {
	zones := []string{"Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Rome", "Europe/Madrid",
		"Europe/Vienna", "Europe/Prague", "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki",
		"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
		"Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland", "Africa/Cairo"}
	var extra strings.Builder
	extra.WriteString("RRULE:FREQ=DAILY;COUNT=30\n")
	for i, z := range zones {
		fmt.Fprintf(&extra, "EXDATE;TZID=%s:202601%02dT100000\n", z, 11+i)
	}
	new := noVTimezoneEvent("Europe/Berlin", extra.String(), "mailto:bob@example.org")
	new.Children[0].Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{ical.ParamTimezoneID: {"Pacific/Auckland"}}, Value: "20260110T100000"})
	new.Children[0].Props.Del(ical.PropDateTimeEnd)
	act := organizerPlan(t, nil, new)
	got := messageVTimezones(act.Messages[0])
	if len(got) != maxGeneratedVTimezones {
		t.Errorf("%d VTIMEZONEs for %d zones, want the limit %d", len(got), len(zones), maxGeneratedVTimezones)
	}
	if got["Europe/Berlin"] == nil || got["Pacific/Auckland"] == nil {
		t.Errorf("DTSTART's zone Pacific/Auckland is not among them: %v", got)
	}
}
