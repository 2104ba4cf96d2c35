package itip

import (
	"maps"

	"github.com/emersion/go-ical"
)

// planCopy returns the copy of cal that a plan edits and stores: new
// component structs and property maps throughout, new ORGANIZER and
// ATTENDEE slices (whose parameter maps the plan replaces, see setParams),
// and everything else shared with cal. The plan only ever replaces other
// properties (SEQUENCE) wholesale, so cal is never modified.
func planCopy(cal *ical.Calendar) *ical.Calendar {
	// One allocation for the calendar and its component, one for the
	// other components and one for all their ORGANIZER and ATTENDEE
	// slices, each capped so that an append never overwrites the next.
	n, nprops := 0, 0
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			n++
			nprops += len(c.Props[ical.PropOrganizer]) + len(c.Props[ical.PropAttendee])
		}
	}
	comps := make([]ical.Component, n)
	props := make([]ical.Prop, nprops)
	m := &struct {
		cal ical.Calendar
		top ical.Component
	}{}
	m.top = ical.Component{Name: cal.Name, Props: cloneProps(cal.Props, 0), Children: make([]*ical.Component, len(cal.Children))}
	m.cal.Component = &m.top
	for i, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			m.top.Children[i] = c
			continue
		}
		out := &comps[0]
		comps = comps[1:]
		*out = ical.Component{Name: c.Name, Props: cloneProps(c.Props, 0), Children: c.Children}
		for _, name := range [...]string{ical.PropOrganizer, ical.PropAttendee} {
			if src, ok := out.Props[name]; ok {
				out.Props[name], props = copyProps(props, src)
			}
		}
		m.top.Children[i] = out
	}
	return &m.cal
}

// copyProps copies src into the start of free and returns the copy, its
// capacity capped, and the rest of free; an empty src is copied as nil.
func copyProps(free, src []ical.Prop) (cp, rest []ical.Prop) {
	if len(src) == 0 {
		return nil, free
	}
	n := copy(free, src)
	return free[:n:n], free[n:]
}

// Parameter maps of ORGANIZER and ATTENDEE properties are shared between
// the caller's calendar, the stored copy and the messages of a plan. They
// are never written in place: setParams and delParam give the property a
// fresh map with the change (copy on write).

// setParams sets parameters of p (name, value pairs) in a new map.
func setParams(p *ical.Prop, kv ...string) {
	params := cloneParams(p.Params, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		params[kv[i]] = []string{kv[i+1]}
	}
	p.Params = params
}

// setParamShared sets parameter name of p to vals in a new map. vals is
// not copied: a caller setting one value on many properties passes one
// slice for all, whose length equals its capacity so that no append can
// write into it.
func setParamShared(p *ical.Prop, name string, vals []string) {
	params := cloneParams(p.Params, 1)
	params[name] = vals
	p.Params = params
}

// delParam removes parameter name from p, in a new map, when present.
func delParam(p *ical.Prop, name string) {
	if _, ok := p.Params[name]; !ok {
		return
	}
	params := cloneParams(p.Params, 0)
	delete(params, name)
	p.Params = params
}

// smallMap is the most entries a Go map holds without growing beyond its
// first group of slots.
const smallMap = 8

// cloneParams returns a copy of params (value slices shared) with room for
// extra more names; never nil. A map that stays small is cloned, which
// copies its slots instead of hashing every name again.
func cloneParams(params ical.Params, extra int) ical.Params {
	if params == nil || len(params)+extra > smallMap {
		out := make(ical.Params, len(params)+extra)
		for k, v := range params {
			out[k] = v
		}
		return out
	}
	return maps.Clone(params)
}
