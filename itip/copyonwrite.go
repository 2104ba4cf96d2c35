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
	top := &ical.Component{Name: cal.Name, Props: cloneProps(cal.Props, 0), Children: make([]*ical.Component, len(cal.Children))}
	for i, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			top.Children[i] = c
			continue
		}
		out := &ical.Component{Name: c.Name, Props: cloneProps(c.Props, 0), Children: c.Children}
		for _, name := range [...]string{ical.PropOrganizer, ical.PropAttendee} {
			if props, ok := out.Props[name]; ok {
				out.Props[name] = append([]ical.Prop(nil), props...)
			}
		}
		top.Children[i] = out
	}
	return &ical.Calendar{Component: top}
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
