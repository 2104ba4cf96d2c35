package queue

import (
	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// previousProps are the properties of an event (or to-do) that a mail's
// list of changes compares (imip: title, time, place, recurrence,
// description, attendees) or needs to find the component (UID,
// RECURRENCE-ID), and DTSTAMP, which a valid component must have;
// PreviousView keeps only these.
var previousProps = [...]string{
	ical.PropUID, ical.PropDateTimeStamp, ical.PropRecurrenceID, ical.PropSequence,
	ical.PropSummary, ical.PropLocation, ical.PropDescription,
	ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue, ical.PropDuration,
	ical.PropRecurrenceRule, ical.PropOrganizer, ical.PropAttendee,
}

// PreviousView returns what recipient saw of the event old before an
// update, for backend.OutboundMessage.Previous: the components of old
// (overrides included) where recipient is the organizer or an attendee,
// with only the properties a summary of changes reads (previousProps;
// ORGANIZER and ATTENDEE keep their CN parameter only), and the
// VTIMEZONEs their times refer to. Alarms, attachments, other parameters
// and the instances recipient was not invited to are left out, which
// keeps queue rows small and shows the recipient nothing new.
//
// A recipient who was not invited before, or any recipient when old is
// nil (a new event), gets a calendar without components: the mail is then
// an invitation, with no changes listed.
func PreviousView(old *ical.Calendar, recipient string) []byte {
	view := ical.NewCalendar()
	view.Props.SetText(ical.PropVersion, "2.0")
	view.Props.SetText(ical.PropProductID, previousProductID)
	if old == nil {
		return ics.Encode(view)
	}
	zones := map[string]bool{}
	for _, c := range old.Children {
		if c.Name == ical.CompTimezone || !involves(c, recipient) {
			continue
		}
		v := ical.NewComponent(c.Name)
		for _, name := range previousProps {
			for _, p := range c.Props[name] {
				kept := ical.Prop{Name: p.Name, Value: p.Value, Params: ical.Params{}}
				for _, k := range [...]string{ical.ParamTimezoneID, ical.ParamValue, ical.ParamCommonName} {
					if vs := p.Params[k]; len(vs) > 0 && (k != ical.ParamCommonName || name == ical.PropOrganizer || name == ical.PropAttendee) {
						kept.Params[k] = vs
					}
				}
				if tzid := kept.Params.Get(ical.ParamTimezoneID); tzid != "" {
					zones[tzid] = true
				}
				v.Props.Add(&kept)
			}
		}
		view.Children = append(view.Children, v)
	}
	if len(zones) > 0 {
		var tzs []*ical.Component
		for _, c := range old.Children {
			if c.Name != ical.CompTimezone {
				continue
			}
			if id := c.Props.Get(ical.PropTimezoneID); id != nil && zones[id.Value] {
				tzs = append(tzs, c)
			}
		}
		view.Children = append(tzs, view.Children...)
	}
	return ics.Encode(view)
}

// previousProductID is the PRODID of the views PreviousView makes.
const previousProductID = "-//go-autoschedule//previous view//EN"

// involves reports whether addr is the organizer or an attendee of c.
func involves(c *ical.Component, addr string) bool {
	if p := c.Props.Get(ical.PropOrganizer); p != nil && caladdr.Equal(p.Value, addr) {
		return true
	}
	for _, a := range c.Props[ical.PropAttendee] {
		if caladdr.Equal(a.Value, addr) {
			return true
		}
	}
	return false
}
