package queue

import (
	"encoding/binary"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
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
//
// For several recipients of one write, PreviousViews builds each
// distinct view once.
func PreviousView(old *ical.Calendar, recipient string) []byte {
	return NewPreviousViews(old).For(recipient)
}

// PreviousViews makes the PreviousView of one old version for the
// recipients of one write. Recipients who were in the same components
// see the same view, which is built once and shared: callers must not
// modify the slices For returns. It is not safe for concurrent use.
type PreviousViews struct {
	old   *ical.Calendar
	views map[string][]byte // components involving a recipient → view
	key   []byte            // scratch for the map key
}

// NewPreviousViews returns the views of old (nil: a new event).
func NewPreviousViews(old *ical.Calendar) *PreviousViews {
	return &PreviousViews{old: old, views: map[string][]byte{}}
}

// For returns PreviousView(old, recipient).
func (v *PreviousViews) For(recipient string) []byte {
	v.key = v.key[:0]
	if v.old != nil {
		for i, c := range v.old.Children {
			if c.Name != ical.CompTimezone && itip.Involves(c, recipient) {
				v.key = binary.AppendUvarint(v.key, uint64(i))
			}
		}
	}
	if view, ok := v.views[string(v.key)]; ok {
		return view
	}
	view := v.build()
	v.views[string(v.key)] = view
	return view
}

// build encodes the view of the components whose indexes v.key lists.
func (v *PreviousViews) build() []byte {
	view := ical.NewCalendar()
	view.Props.SetText(ical.PropVersion, "2.0")
	view.Props.SetText(ical.PropProductID, previousProductID)
	zones := map[string]bool{}
	for rest := v.key; len(rest) > 0; {
		i, n := binary.Uvarint(rest)
		rest = rest[n:]
		c := v.old.Children[i]
		out := ical.NewComponent(c.Name)
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
				out.Props.Add(&kept)
			}
		}
		view.Children = append(view.Children, out)
	}
	if len(zones) > 0 {
		var tzs []*ical.Component
		for _, c := range v.old.Children {
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
