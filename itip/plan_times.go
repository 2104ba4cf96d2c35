package itip

import (
	"errors"
	"fmt"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// checkTimes makes sure every DTSTART, DTEND, DUE, EXDATE and RDATE of a
// scheduling object being written can be placed in time (RECURRENCE-ID is
// checked by ParseObject): a TZID that names neither a VTIMEZONE of the
// calendar nor a zone the resolver knows (IANA or Windows names), or a
// malformed value, is a ValidCalendarData error naming the property and
// TZID. Accepting it would leave every later comparison of the object
// blind. Plan checks only the new version, and tolerates an unknown TZID
// that old (the stored version, may be nil) already references: stored
// data, e.g. an invitation from another server, must never block its own
// replacement or deletion.
func checkTimes(o, old *Object) error {
	// The TZIDs old references, gathered only when an unknown one turns
	// up: scanning every property of old is wasted on valid data.
	var known []string
	gathered := false
	timeError := func(p *ical.Prop, err error) error {
		id := p.Params.Get(ical.ParamTimezoneID)
		if id != "" && errors.Is(err, tz.ErrUnknownTZID) {
			if !gathered && old != nil {
				for _, c := range old.Components() {
					known = appendTZIDs(known, c)
				}
			}
			gathered = true
			for _, k := range known {
				if k == id {
					return nil
				}
			}
			return wrapError(ValidCalendarData, fmt.Sprintf("%s: unknown TZID %q (no VTIMEZONE in the calendar and no known zone)", p.Name, id), err)
		}
		return wrapError(ValidCalendarData, p.Name, err)
	}
	for _, c := range o.Components() {
		for _, name := range [...]string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue} {
			for i := range c.Props[name] {
				if _, err := o.Time(&c.Props[name][i]); err != nil {
					if err := timeError(&c.Props[name][i], err); err != nil {
						return err
					}
				}
			}
		}
		for _, name := range [...]string{ical.PropExceptionDates, ical.PropRecurrenceDates} {
			for i := range c.Props[name] {
				if _, err := o.InstanceKeys(&c.Props[name][i]); err != nil {
					if err := timeError(&c.Props[name][i], err); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
