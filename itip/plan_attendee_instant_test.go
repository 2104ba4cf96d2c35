package itip

import (
	"testing"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// TestSameInstant checks which rewritten date-time values an attendee's
// write may carry: the same instant in another zone or in UTC, not another
// instant, and never a DATE or floating value for a timed one.
func TestSameInstant(t *testing.T) {
	cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260302T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseObject(cal, nil)
	if err != nil {
		t.Fatal(err)
	}
	prop := func(value string, params ...string) []ical.Prop {
		p := ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: value}
		for i := 0; i+1 < len(params); i += 2 {
			p.Params.Set(params[i], params[i+1])
		}
		return []ical.Prop{p}
	}
	utc := prop("20260302T090000Z")
	for _, tc := range []struct {
		name string
		b    []ical.Prop
		want bool
	}{
		{"same text", prop("20260302T090000Z"), true},
		{"IANA zone", prop("20260302T100000", "TZID", "Europe/Berlin"), true},
		{"Windows zone", prop("20260302T100000", "TZID", "W. Europe Standard Time"), true},
		{"other instant", prop("20260302T100000Z"), false},
		{"floating, same wall clock in UTC", prop("20260302T090000"), false},
		{"all-day", prop("20260302", "VALUE", "DATE"), false},
		{"unknown zone", prop("20260302T100000", "TZID", "Nowhere/Special"), false},
		{"two values", append(prop("20260302T090000Z"), prop("20260302T090000Z")...), false},
	} {
		if got := sameInstant(o, utc, o, tc.b); got != tc.want {
			t.Errorf("%s: sameInstant = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Floating and DATE values match their own kind.
	if !sameInstant(o, prop("20260302", "VALUE", "DATE"), o, prop("20260302", "VALUE", "date")) {
		t.Error("the same DATE written with VALUE=date is a change")
	}
	if !sameInstant(o, prop("20260302T090000"), o, prop("20260302T090000")) {
		t.Error("the same floating value is a change")
	}
}
