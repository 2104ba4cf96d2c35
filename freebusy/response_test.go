package freebusy

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func TestResponse(t *testing.T) {
	org := ical.NewProp(ical.PropOrganizer)
	org.Params.Set("CN", "Cyrus Daboo")
	org.Value = "mailto:cyrus@example.com"
	att := ical.NewProp(ical.PropAttendee)
	att.Value = "mailto:wilfredo@example.com"
	at := func(h int) time.Time { return jan5.Add(time.Duration(h) * time.Hour) }
	info := ResponseInfo{UID: `a\,b`, Start: at(1), End: at(10), Organizer: org, Attendee: att, Stamp: at(0).Add(1500 * time.Millisecond)}
	fb := Response(info, []Period{
		{at(0), at(2), Busy},            // clipped at the start
		{at(3), at(4), Free},            // left out
		{at(4), at(5), ""},              // BUSY
		{at(5), at(6), BusyUnavailable}, //
		{at(11), at(12), Busy},          // outside: left out
		{at(9), at(12), BusyTentative},  // clipped at the end
	})
	got := string(ics.AppendComponent(nil, fb))
	want := strings.Join([]string{
		"BEGIN:VFREEBUSY",
		`UID:a\,b`,
		"DTSTAMP:20260105T000001Z",
		"ATTENDEE:mailto:wilfredo@example.com",
		"DTEND:20260105T100000Z",
		"DTSTART:20260105T010000Z",
		"FREEBUSY;FBTYPE=BUSY:20260105T010000Z/20260105T020000Z",
		"FREEBUSY;FBTYPE=BUSY:20260105T040000Z/20260105T050000Z",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260105T050000Z/20260105T060000Z",
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260105T090000Z/20260105T100000Z",
		"ORGANIZER;CN=Cyrus Daboo:mailto:cyrus@example.com",
		"END:VFREEBUSY", "",
	}, "\r\n")
	if got != want {
		t.Errorf("Response:\n%s\nwant:\n%s", got, want)
	}
	// The response owns its properties: changing it leaves the input alone.
	fb.Props.Get(ical.PropOrganizer).Params.Set("CN", "changed")
	if org.Params.Get("CN") != "Cyrus Daboo" {
		t.Error("Response shares parameters with its input")
	}
}

func TestResponseDefaults(t *testing.T) {
	before := time.Now().Add(-time.Second)
	fb := Response(ResponseInfo{}, []Period{{jan5, jan12, Busy}})
	for _, name := range []string{ical.PropUID, ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropOrganizer, ical.PropAttendee} {
		if fb.Props.Get(name) != nil {
			t.Errorf("%s written without being given", name)
		}
	}
	stamp, err := fb.Props.DateTime(ical.PropDateTimeStamp, time.UTC)
	if err != nil || stamp.Before(before) || stamp.After(time.Now()) {
		t.Errorf("DTSTAMP %v, %v; want now", stamp, err)
	}
	if n := len(fb.Props.Values(ical.PropFreeBusy)); n != 1 {
		t.Errorf("%d FREEBUSY properties, want 1", n)
	}
}

func TestReply(t *testing.T) {
	cal := Reply(ResponseInfo{UID: "x", Start: jan5, End: jan12}, nil)
	for name, want := range map[string]string{"METHOD": "REPLY", "VERSION": "2.0", "PRODID": DefaultProdID} {
		if p := cal.Props.Get(name); p == nil || p.Value != want {
			t.Errorf("%s = %v, want %s", name, p, want)
		}
	}
	if len(cal.Children) != 1 || cal.Children[0].Name != ical.CompFreeBusy {
		t.Fatalf("children %v", cal.Children)
	}
	if _, err := ics.Decode(ics.Encode(cal)); err != nil {
		t.Errorf("reply does not round-trip: %v", err)
	}
}
