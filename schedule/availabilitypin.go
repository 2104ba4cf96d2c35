package schedule

import (
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// A freebusy.Query places the floating values of all its availability in
// one Location, while a VAVAILABILITY object stored in a calendar has its
// floating values in that calendar's zone (RFC 4791 §7.10). pinFloating
// bridges the two without changing package freebusy: the floating
// DATE-TIME values of an object from a calendar whose zone differs from
// the query's get that zone's TZID (and its VTIMEZONE, for a TZID that is
// no known name). DATE values stay as they are, in the query's zone.

// pinnedProps are the properties of VAVAILABILITY and AVAILABLE
// components whose floating values are pinned.
var pinnedProps = []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropRecurrenceID, ical.PropRecurrenceDates, ical.PropExceptionDates}

// calendarZone is the zone of a calendar, as pinFloating needs it.
type calendarZone struct {
	tzid string          // the TZID of its VTIMEZONE; "" for UTC
	vtz  *ical.Component // its VTIMEZONE; nil for UTC
}

// zoneOf returns the calendarZone of calendar-timezone text (UTC for ""
// or a text that does not parse: it was checked when it was set).
func zoneOf(timeZone string) calendarZone {
	if timeZone == "" {
		return calendarZone{}
	}
	cal, err := ics.Decode([]byte(timeZone))
	if err != nil {
		return calendarZone{}
	}
	for _, c := range cal.Children {
		if p := c.Props.Get(ical.PropTimezoneID); c.Name == ical.CompTimezone && p != nil {
			return calendarZone{tzid: p.Value, vtz: c}
		}
	}
	return calendarZone{}
}

// pinFloating returns a copy of the availability object cal in which
// every floating DATE-TIME value of its VAVAILABILITY and AVAILABLE
// components is in zone z instead (UTC when z is), with z's VTIMEZONE
// added when cal has none of that TZID. cal itself, which the parsed
// cache shares, is not changed; it is returned as is when nothing
// floats.
func pinFloating(cal *ical.Calendar, z calendarZone) *ical.Calendar {
	out := &ical.Calendar{Component: &ical.Component{Name: cal.Name, Props: cal.Props}}
	changed := false
	hasZone := false
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			if p := c.Props.Get(ical.PropTimezoneID); p != nil && z.tzid != "" && p.Value == z.tzid {
				hasZone = true
			}
			out.Children = append(out.Children, c)
			continue
		}
		if c.Name != freebusy.ComponentAvailability {
			out.Children = append(out.Children, c)
			continue
		}
		pc, ch := pinComponent(c, z)
		changed = changed || ch
		out.Children = append(out.Children, pc)
	}
	if !changed {
		return cal
	}
	if z.vtz != nil && !hasZone {
		out.Children = append(out.Children, z.vtz)
	}
	return out
}

// pinComponent returns c, or a copy of it with its floating values and
// those of its AVAILABLE components in zone z, and whether it copied.
func pinComponent(c *ical.Component, z calendarZone) (*ical.Component, bool) {
	props, changed := pinProps(c.Props, z)
	var children []*ical.Component // a copy, made at the first AVAILABLE that changes
	for i, a := range c.Children {
		if a.Name != compAvailable {
			continue
		}
		pa, ch := pinComponent(a, z)
		if !ch {
			continue
		}
		if children == nil {
			children = append([]*ical.Component(nil), c.Children...)
		}
		children[i] = pa
	}
	if children == nil {
		if !changed {
			return c, false
		}
		children = c.Children
	}
	return &ical.Component{Name: c.Name, Props: props, Children: children}, true
}

// pinProps returns props, or a copy with the floating DATE-TIME values of
// pinnedProps in zone z, and whether it copied.
func pinProps(props ical.Props, z calendarZone) (ical.Props, bool) {
	var out ical.Props // a copy, made at the first value that changes
	for _, name := range pinnedProps {
		copied := false // out[name] is a copy of props[name]
		for i, p := range props[name] {
			if !isFloatingDateTime(&p) {
				continue
			}
			if out == nil {
				out = make(ical.Props, len(props))
				for k, v := range props {
					out[k] = v
				}
			}
			if !copied {
				out[name] = append([]ical.Prop(nil), props[name]...)
				copied = true
			}
			q := ical.Prop{Name: p.Name, Value: p.Value, Params: make(ical.Params, len(p.Params)+1)}
			for k, v := range p.Params {
				q.Params[k] = v
			}
			if z.tzid == "" {
				q.Value = strings.ReplaceAll(strings.TrimSpace(p.Value), ",", "Z,") + "Z"
			} else {
				q.Params.Set(ical.ParamTimezoneID, z.tzid)
			}
			out[name][i] = q
		}
	}
	if out == nil {
		return props, false
	}
	return out, true
}

// isFloatingDateTime reports whether p holds DATE-TIME values without a
// TZID or a UTC "Z": floating time (RFC 5545 §3.3.5 form 1). PERIOD and
// DATE values are not.
func isFloatingDateTime(p *ical.Prop) bool {
	if p.Params.Get(ical.ParamTimezoneID) != "" {
		return false
	}
	if vt := p.Params.Get(ical.ParamValue); vt != "" && !strings.EqualFold(vt, "DATE-TIME") {
		return false
	}
	for _, v := range strings.Split(p.Value, ",") {
		v = strings.TrimSpace(v)
		if len(v) != len("20060102T150405") || v[8] != 'T' {
			return false
		}
	}
	return true
}
