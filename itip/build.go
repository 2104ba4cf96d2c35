package itip

import (
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// messageProp returns an ORGANIZER or ATTENDEE property as it travels in
// a message, without the scheduling parameters (RFC 6638 §7.1-§7.3). A
// property without them is shared as it is: parameter maps are never
// written in place (see setParams), so later changes to the stored object
// (SetStatus) cannot leak into a message.
func messageProp(p *ical.Prop) ical.Prop {
	clean := true
	for k := range p.Params {
		if serverOnlyParam(k) {
			clean = false
			break
		}
	}
	if clean {
		return *p // parameter maps are never written in place (setParams)
	}
	out := ical.Prop{Name: p.Name, Value: p.Value, Params: make(ical.Params, len(p.Params))}
	for k, v := range p.Params {
		if !serverOnlyParam(k) {
			out.Params[k] = v
		}
	}
	return out
}

// serverOnlyParam reports whether a parameter never travels in a message:
// the RFC 6638 scheduling parameters, and the server's own bookkeeping
// (X-AUTOSCHEDULE-*, e.g. the revision of the last applied REPLY).
func serverOnlyParam(name string) bool {
	return strings.HasPrefix(name, "SCHEDULE-") || strings.HasPrefix(name, "X-AUTOSCHEDULE-")
}

// messageComponent returns c as it travels in a message: DTSTAMP set to
// stamp, scheduling parameters removed, VALARMs and alarm state
// (alarmStateProp; personal) dropped. Property
// values are shared with c; the result must not be modified in place.
func messageComponent(c *ical.Component, stamp string, extra int) *ical.Component {
	// One allocation for the component and its DTSTAMP, one for its
	// ORGANIZER and ATTENDEE slices.
	m := &struct {
		comp  ical.Component
		stamp [1]ical.Prop
	}{}
	m.stamp[0] = ical.Prop{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: stamp}
	out := &m.comp
	*out = ical.Component{Name: c.Name, Props: cloneProps(c.Props, extra)}
	free := make([]ical.Prop, len(c.Props[ical.PropOrganizer])+len(c.Props[ical.PropAttendee]))
	// Clone copies the map's storage instead of hashing every name again;
	// the entries that change are then replaced or deleted.
	for name, props := range out.Props {
		switch {
		case name == ical.PropAttendee || name == ical.PropOrganizer:
			cp := free[:len(props):len(props)]
			free = free[len(props):]
			for i := range props {
				cp[i] = messageProp(&props[i])
			}
			out.Props[name] = cp
		case alarmStateProp(name):
			delete(out.Props, name)
		}
	}
	out.Props[ical.PropDateTimeStamp] = m.stamp[:]
	for _, child := range c.Children {
		if child.Name != ical.CompAlarm {
			out.Children = append(out.Children, child)
		}
	}
	return out
}

// cloneProps returns a copy of props (the property slices shared) that
// can take extra more names without growing; never nil.
func cloneProps(props ical.Props, extra int) ical.Props {
	if props == nil || extra > 0 {
		out := make(ical.Props, len(props)+extra)
		for k, v := range props {
			out[k] = v
		}
		return out
	}
	return maps.Clone(props)
}

// withExdates returns a shallow copy of a message master with the
// RECURRENCE-IDs of hidden overrides added as EXDATE values.
func withExdates(master *ical.Component, hidden []*compInfo) *ical.Component {
	out := &ical.Component{Name: master.Name, Props: cloneProps(master.Props, 0), Children: master.Children}
	ex := make([]ical.Prop, 0, len(master.Props[ical.PropExceptionDates])+len(hidden))
	ex = append(ex, master.Props[ical.PropExceptionDates]...)
	for _, h := range hidden {
		rid := firstProp(h.c.Props, ical.PropRecurrenceID)
		p := ical.Prop{Name: ical.PropExceptionDates, Params: ical.Params{}, Value: rid.Value}
		for k, v := range rid.Params {
			if k == ical.ParamTimezoneID || k == ical.ParamValue {
				p.Params[k] = v
			}
		}
		ex = append(ex, p)
	}
	out.Props[ical.PropExceptionDates] = ex
	return out
}

// propAt formats the instant t the way model (a DTSTART) is written:
// DATE, UTC, in its TZID, or floating.
func propAt(o *Object, model *ical.Prop, t time.Time) ical.Prop {
	out := ical.Prop{Name: model.Name, Params: ical.Params{}}
	v, err := o.Time(model)
	switch {
	case err != nil:
		out.Value = utcDateTime(t)
	case v.Kind == tz.Date:
		out.Params[ical.ParamValue] = []string{"DATE"}
		out.Value = t.In(o.floating).Format("20060102")
	case v.Kind == tz.UTC:
		out.Value = utcDateTime(t)
	case v.Kind == tz.Zoned:
		out.Params[ical.ParamTimezoneID] = model.Params[ical.ParamTimezoneID]
		out.Value = t.In(v.Time.Location()).Format("20060102T150405")
	default:
		out.Value = t.In(o.floating).Format("20060102T150405")
	}
	return out
}

// instanceFromMaster derives the component of the instance at key from master:
// RECURRENCE-ID, DTSTART and DTEND (or DUE) of that instance, without the
// recurrence properties.
func instanceFromMaster(o *Object, master *ical.Component, key time.Time) *ical.Component {
	out := &ical.Component{Name: master.Name, Props: cloneProps(master.Props, 0)}
	for _, k := range [...]string{ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates} {
		delete(out.Props, k)
	}
	start := firstProp(master.Props, ical.PropDateTimeStart)
	if start == nil {
		start = firstProp(master.Props, ical.PropDue)
	}
	if start == nil {
		p := ical.Prop{Name: ical.PropRecurrenceID, Params: ical.Params{}, Value: utcDateTime(key)}
		out.Props[ical.PropRecurrenceID] = []ical.Prop{p}
		return out
	}
	rid := propAt(o, start, key)
	rid.Name = ical.PropRecurrenceID
	out.Props[ical.PropRecurrenceID] = []ical.Prop{rid}
	t := recurTimingOf(o, master)
	if s := firstProp(master.Props, ical.PropDateTimeStart); s != nil {
		out.Props[ical.PropDateTimeStart] = []ical.Prop{propAt(o, s, key)}
		for _, name := range [...]string{ical.PropDateTimeEnd, ical.PropDue} {
			if e := firstProp(master.Props, name); e != nil && t.valid {
				out.Props[name] = []ical.Prop{propAt(o, e, key.Add(t.length))}
			}
		}
	} else if due := firstProp(master.Props, ical.PropDue); due != nil {
		out.Props[ical.PropDue] = []ical.Prop{propAt(o, due, key)}
	}
	return out
}

// summaryProps are copied into CANCEL and REPLY components so that a
// human reading the message knows what it is about.
var summaryProps = [...]string{
	ical.PropRecurrenceID, ical.PropDateTimeStart, ical.PropDateTimeEnd,
	ical.PropDuration, ical.PropDue, ical.PropSummary, ical.PropLocation,
}

// briefComponent starts a CANCEL or REPLY component from src: UID,
// SEQUENCE, DTSTAMP, ORGANIZER and the summary properties.
func briefComponent(src *ical.Component, seq int, stamp string) *ical.Component {
	out := &ical.Component{Name: src.Name, Props: make(ical.Props, 12)}
	out.Props[ical.PropUID] = src.Props[ical.PropUID]
	out.Props[ical.PropSequence] = []ical.Prop{{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(seq)}}
	out.Props[ical.PropDateTimeStamp] = []ical.Prop{{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: stamp}}
	if org := firstProp(src.Props, ical.PropOrganizer); org != nil {
		out.Props[ical.PropOrganizer] = []ical.Prop{messageProp(org)}
	}
	for _, name := range summaryProps {
		if v, ok := src.Props[name]; ok {
			out.Props[name] = v
		}
	}
	return out
}

// setSequence writes SEQUENCE n into c.
func setSequence(c *ical.Component, n int) {
	c.Props[ical.PropSequence] = []ical.Prop{{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(n)}}
}

// finishMessage puts comps and the VTIMEZONEs of tzsrc they reference into
// a message calendar, and returns the TZIDs comps reference (ids, each
// once), gathered in one walk over their properties.
func finishMessage(cal *ical.Calendar, tzsrc []*Object, comps []*ical.Component) (ids []string) {
	ids = referencedTZIDs(comps)
	seen := make(map[string]bool)
	for _, o := range tzsrc {
		if o == nil {
			continue
		}
		for _, vtz := range o.timezonesFor(ids) {
			id := propValue(vtz, ical.PropTimezoneID)
			if !seen[id] {
				seen[id] = true
				cal.Children = append(cal.Children, vtz)
			}
		}
	}
	cal.Children = append(cal.Children, comps...)
	return ids
}
