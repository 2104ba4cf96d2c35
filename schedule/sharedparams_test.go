package schedule

import (
	"context"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// paramsRecord is the content of one parameter map as it was decoded.
type paramsRecord struct {
	params ical.Params
	was    map[string][]string // deep copy
	where  string              // first property seen with it
}

// recordParams remembers the content of every parameter map of cal, once
// per map, and reports how many maps more than one property shares.
func recordParams(cal *ical.Calendar) (map[unsafe.Pointer]*paramsRecord, int) {
	recs := make(map[unsafe.Pointer]*paramsRecord)
	shared := 0
	var walk func(c *ical.Component)
	walk = func(c *ical.Component) {
		for name, props := range c.Props {
			for i := range props {
				key := reflect.ValueOf(props[i].Params).UnsafePointer()
				if r, ok := recs[key]; ok {
					if r.where != "" {
						shared++
						r.where = ""
					}
					continue
				}
				was := make(map[string][]string, len(props[i].Params))
				for k, v := range props[i].Params {
					was[k] = slices.Clone(v)
				}
				recs[key] = &paramsRecord{params: props[i].Params, was: was, where: c.Name + " " + name}
			}
		}
		for _, ch := range c.Children {
			walk(ch)
		}
	}
	walk(cal.Component)
	return recs, shared
}

// unchangedParams fails the test when a recorded map was written in place.
// decodeSharing decodes data with ics.DecodeShared and records its
// parameter maps; it fails the test when no map is shared (the test would
// check nothing).
func decodeSharing(t *testing.T, data []byte) (*ical.Calendar, map[unsafe.Pointer]*paramsRecord) {
	t.Helper()
	cal, err := ics.DecodeShared(data)
	if err != nil {
		t.Fatal(err)
	}
	recs, shared := recordParams(cal)
	if shared == 0 {
		t.Fatal("the decode shares no parameter map: the test checks nothing")
	}
	return cal, recs
}

func unchangedParams(t *testing.T, what string, recs map[unsafe.Pointer]*paramsRecord) {
	t.Helper()
	for _, r := range recs {
		now := make(map[string][]string, len(r.params))
		for k, v := range r.params {
			now[k] = v
		}
		if !reflect.DeepEqual(now, r.was) {
			t.Errorf("%s wrote into a decoded parameter map in place: %v became %v", what, r.was, now)
		}
	}
}

// sharedSeries is a recurring event whose overrides repeat the master's
// ORGANIZER and ATTENDEE lines, with the parameters the helpers below
// read and replace, so that ics.DecodeShared gives those lines one map.
func sharedSeries(partstats ...string) []byte {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"}
	for i, ps := range partstats {
		lines = append(lines, "BEGIN:VEVENT", "UID:shared-1", "DTSTAMP:20090601T000000Z", "SUMMARY:Weekly")
		if i == 0 {
			lines = append(lines, "DTSTART:20090602T100000Z", "RRULE:FREQ=WEEKLY;COUNT=6")
		} else {
			rid := fmt.Sprintf("200906%02dT100000Z", 2+7*i)
			lines = append(lines, "RECURRENCE-ID:"+rid, "DTSTART:"+rid)
		}
		lines = append(lines, "DURATION:PT1H", "ORGANIZER;SCHEDULE-STATUS=1.2:cyrus",
			"ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.com",
			"ATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT="+ps+";RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:wilfredo@example.com",
			"ATTENDEE;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=1.2:mailto:bernard@example.net",
			"END:VEVENT")
	}
	return []byte(icsText(append(lines, "END:VCALENDAR")...))
}

// TestHelpersKeepSharedParams runs the helpers that edit ORGANIZER and
// ATTENDEE parameters on calendars decoded as the handler decodes them
// (ics.DecodeShared, one map for lines written alike): each must give a
// property a new map, never write into the decoded one, which other
// instances (and, for cached objects, other requests) read.
func TestHelpersKeepSharedParams(t *testing.T) {
	e := newEnv(t, &Options{ClientAgentAsServer: true}, cyrus, wilfredo, bernard)
	owner, err := e.store.PrincipalByPath(context.Background(), "/cyrus/")
	if err != nil {
		t.Fatal(err)
	}
	q := &request{r: httptest.NewRequest("PUT", "/cyrus/calendars/default/s.ics", nil)}
	addrs := []string{"mailto:cyrus@example.com"}
	// The stored copy: other answers in each instance (mergeOthersStatus
	// only reads it).
	stored, err := ics.DecodeShared(sharedSeries("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"))
	if err != nil {
		t.Fatal(err)
	}
	// Each helper returns the calendar it made or changed, which must
	// differ from the input: a helper that changes nothing checks nothing.
	cases := []struct {
		name string
		run  func(cal *ical.Calendar) *ical.Calendar
	}{
		{"normalizeClientData", func(cal *ical.Calendar) *ical.Calendar {
			e.h.normalizeClientData(q, owner, addrs, cal)
			return cal
		}},
		{"mergeOthersStatus", func(cal *ical.Calendar) *ical.Calendar {
			mergeOthersStatus(cal, stored, addrs)
			return cal
		}},
		{"setStatuses", func(cal *ical.Calendar) *ical.Calendar {
			setStatuses(cal, map[string]Status{"mailto:wilfredo@example.com": StatusDelivered, "mailto:bernard@example.net": ""})
			return cal
		}},
		{"clearStatuses", func(cal *ical.Calendar) *ical.Calendar {
			clearStatuses(cal)
			return cal
		}},
		{"withoutAnswers", func(cal *ical.Calendar) *ical.Calendar {
			msg := &itip.Message{Method: itip.MethodRequest, Calendar: cal}
			return withoutAnswers(msg, []string{"mailto:wilfredo@example.com", "mailto:bernard@example.net"})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cal, recs := decodeSharing(t, sharedSeries("NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION"))
			before := string(ics.Encode(cal))
			out := c.run(cal)
			unchangedParams(t, c.name, recs)
			if out == nil || string(ics.Encode(out)) == before {
				t.Errorf("%s changed nothing: the test checks nothing", c.name)
			}
		})
	}
}

// TestKeepAllowedAttendeeChangesPerInstance keeps an attendee's answers,
// which differ by instance, on a stored copy whose instances list the
// attendee with identical lines (one map in a shared decode): each
// instance gets its own answer, and the attendee's calendar is not
// written into.
func TestKeepAllowedAttendeeChangesPerInstance(t *testing.T) {
	want := []string{"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"}
	mine, err := ics.DecodeShared(sharedSeries(want...))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := recordParams(mine)
	stored := sharedSeries("NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION")
	out := keepAllowedAttendeeChanges(stored, mine, []string{"mailto:wilfredo@example.com"}, false)
	if out == nil {
		t.Fatal("stored copy not read")
	}
	unchangedParams(t, "keepAllowedAttendeeChanges", recs)
	for i, c := range out.Children {
		if got := itip.Partstat(itip.Attendee(c, "mailto:wilfredo@example.com")); got != want[i] {
			t.Errorf("component %d: PARTSTAT %s, want %s", i, got, want[i])
		}
	}
}

// TestPinFloatingKeepsSharedParams pins a cached availability object
// (shared between free-busy answers) whose AVAILABLE blocks repeat their
// lines: the copy gets new maps, the cached object stays as it was.
func TestPinFloatingKeepsSharedParams(t *testing.T) {
	var lines []string
	lines = append(lines, "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN")
	for i := 0; i < 2; i++ {
		lines = append(lines, "BEGIN:VAVAILABILITY", fmt.Sprintf("UID:av-%d", i), "DTSTAMP:20090601T000000Z",
			"DTSTART;VALUE=DATE-TIME:20090601T000000", "BEGIN:AVAILABLE", "UID:a", "DTSTAMP:20090601T000000Z",
			"DTSTART;VALUE=DATE-TIME:20090601T090000", "DTEND;VALUE=DATE-TIME:20090601T170000",
			"RRULE:FREQ=DAILY", "END:AVAILABLE", "END:VAVAILABILITY")
	}
	cal, recs := decodeSharing(t, []byte(icsText(append(lines, "END:VCALENDAR")...)))
	before := string(ics.Encode(cal))
	pinned := string(ics.Encode(pinFloating(cal, zoneOf(officeZone))))
	unchangedParams(t, "pinFloating", recs)
	if string(ics.Encode(cal)) != before {
		t.Error("pinFloating changed the cached object")
	}
	if !strings.Contains(pinned, "TZID=My Office") {
		t.Errorf("nothing pinned: the test checks nothing\n%s", pinned)
	}
}
