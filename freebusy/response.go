package freebusy

import (
	"time"

	"github.com/emersion/go-ical"
)

// DefaultProdID is the PRODID Reply writes when ResponseInfo.ProdID is empty.
const DefaultProdID = "-//go-autoschedule//freebusy//EN"

// ResponseInfo is what a VFREEBUSY response says besides the busy time:
// what the request asked, echoed back (RFC 5546 §3.3.2 REPLY).
type ResponseInfo struct {
	// UID is the request's UID, as written (raw property value).
	UID string
	// Start and End are the range of the request; periods are clipped to it.
	Start, End time.Time
	// Organizer is the request's ORGANIZER, echoed; nil to leave it out.
	Organizer *ical.Prop
	// Attendee is the ATTENDEE whose busy time this is, as the request
	// named them; nil to leave it out.
	Attendee *ical.Prop
	// Stamp is the DTSTAMP to write; the zero value means time.Now().
	Stamp time.Time
	// ProdID is the VCALENDAR's PRODID (Reply only); empty means
	// DefaultProdID.
	ProdID string
}

// ResponseInfo returns what a response to r for attendee echoes, stamped
// with stamp (zero means now).
func (r *Request) ResponseInfo(attendee ical.Prop, stamp time.Time) ResponseInfo {
	org := r.Organizer
	return ResponseInfo{UID: r.UID, Start: r.Start, End: r.End, Organizer: &org, Attendee: &attendee, Stamp: stamp}
}

// Response returns a VFREEBUSY component answering a busy-time request
// (RFC 6638 Appendix B.5): UID, DTSTAMP, DTSTART, DTEND, ORGANIZER and
// ATTENDEE from info, and one FREEBUSY property per period with its FBTYPE,
// in UTC. Periods are written in the order given, clipped to
// [info.Start, info.End); FREE and empty ones are left out. Nothing but
// the periods' times and types is written about the user's events.
func Response(info ResponseInfo, periods []Period) *ical.Component {
	fb := ical.NewComponent(ical.CompFreeBusy)
	if info.UID != "" {
		fb.Props.Set(&ical.Prop{Name: ical.PropUID, Params: ical.Params{}, Value: info.UID})
	}
	stamp := info.Stamp
	if stamp.IsZero() {
		stamp = time.Now()
	}
	fb.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC().Truncate(time.Second))
	if !info.Start.IsZero() {
		fb.Props.SetDateTime(ical.PropDateTimeStart, info.Start.UTC())
	}
	if !info.End.IsZero() {
		fb.Props.SetDateTime(ical.PropDateTimeEnd, info.End.UTC())
	}
	if info.Organizer != nil {
		fb.Props.Set(copyProp(ical.PropOrganizer, info.Organizer))
	}
	if info.Attendee != nil {
		fb.Props.Set(copyProp(ical.PropAttendee, info.Attendee))
	}
	for _, p := range periods {
		if p.Type == Free {
			continue
		}
		if !info.Start.IsZero() && p.Start.Before(info.Start) {
			p.Start = info.Start
		}
		if !info.End.IsZero() && p.End.After(info.End) {
			p.End = info.End
		}
		if !p.End.After(p.Start) {
			continue
		}
		if p.Type == "" {
			p.Type = Busy
		}
		prop := ical.NewProp(ical.PropFreeBusy)
		prop.Params.Set(ical.ParamFreeBusyType, string(p.Type))
		prop.Value = p.Value()
		fb.Props.Add(prop)
	}
	return fb
}

// Reply returns a VCALENDAR with METHOD:REPLY holding Response(info,
// periods): the calendar-data of one recipient in a CALDAV:schedule-response.
func Reply(info ResponseInfo, periods []Period) *ical.Calendar {
	cal := ical.NewCalendar()
	prodID := info.ProdID
	if prodID == "" {
		prodID = DefaultProdID
	}
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropMethod, "REPLY")
	cal.Children = append(cal.Children, Response(info, periods))
	return cal
}

// copyProp returns a copy of p named name, with its own parameter map.
func copyProp(name string, p *ical.Prop) *ical.Prop {
	c := ical.NewProp(name)
	for k, v := range p.Params {
		c.Params[k] = append([]string(nil), v...)
	}
	c.Value = p.Value
	return c
}
