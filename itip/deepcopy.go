package itip

import "github.com/emersion/go-ical"

// deepCopyComponent copies c, its properties and parameters, and with
// children also its sub-components. (Apply uses it.)
func deepCopyComponent(c *ical.Component, children bool) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props))}
	for name, props := range c.Props {
		cp := make([]ical.Prop, len(props))
		for i := range props {
			cp[i] = deepCopyProp(&props[i])
		}
		out.Props[name] = cp
	}
	if children && len(c.Children) > 0 {
		out.Children = make([]*ical.Component, len(c.Children))
		for i, child := range c.Children {
			out.Children[i] = deepCopyComponent(child, true)
		}
	}
	return out
}

// deepCopyProp copies p with its own parameter map.
func deepCopyProp(p *ical.Prop) ical.Prop {
	// Always a map, so that the plan can set parameters on any property.
	out := ical.Prop{Name: p.Name, Value: p.Value, Params: make(ical.Params, len(p.Params))}
	for k, v := range p.Params {
		out.Params[k] = v[:len(v):len(v)] // shared, but append cannot write into it
	}
	return out
}

// planCopy returns the copy of cal that a plan edits and stores: new
// component structs and property maps throughout, new ORGANIZER and
// ATTENDEE slices (whose parameter maps the plan replaces, see setParams),
// and everything else shared with cal. The plan only ever replaces other
// properties (SEQUENCE) wholesale, so cal is never modified.
func planCopy(cal *ical.Calendar) *ical.Calendar {
	top := &ical.Component{Name: cal.Name, Props: make(ical.Props, len(cal.Props)), Children: make([]*ical.Component, len(cal.Children))}
	for k, v := range cal.Props {
		top.Props[k] = v
	}
	for i, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			top.Children[i] = c
			continue
		}
		out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props)), Children: c.Children}
		for name, props := range c.Props {
			if name == ical.PropOrganizer || name == ical.PropAttendee {
				props = append([]ical.Prop(nil), props...)
			}
			out.Props[name] = props
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
	params := make(ical.Params, len(p.Params)+len(kv)/2)
	for k, v := range p.Params {
		params[k] = v
	}
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
	params := make(ical.Params, len(p.Params)+1)
	for k, v := range p.Params {
		params[k] = v
	}
	params[name] = vals
	p.Params = params
}

// delParam removes parameter name from p, in a new map, when present.
func delParam(p *ical.Prop, name string) {
	if _, ok := p.Params[name]; !ok {
		return
	}
	params := make(ical.Params, len(p.Params))
	for k, v := range p.Params {
		if k != name {
			params[k] = v
		}
	}
	p.Params = params
}
