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
// component structs and property maps throughout, deep copies of the
// ORGANIZER and ATTENDEE properties (whose parameters the plan rewrites),
// and everything else shared with cal. The plan only ever replaces other
// properties (SEQUENCE) wholesale, so cal is never modified.
//
// With attendees false, ATTENDEE properties are copied only in components
// where one carries SCHEDULE-FORCE-SEND (to be stripped).
func planCopy(cal *ical.Calendar, attendees bool) *ical.Calendar {
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
			if name == ical.PropOrganizer || (name == ical.PropAttendee && (attendees || anyForceSend(props))) {
				cp := make([]ical.Prop, len(props))
				for j := range props {
					cp[j] = deepCopyProp(&props[j])
				}
				props = cp
			}
			out.Props[name] = props
		}
		top.Children[i] = out
	}
	return &ical.Calendar{Component: top}
}

// anyForceSend reports whether one of props carries SCHEDULE-FORCE-SEND.
func anyForceSend(props []ical.Prop) bool {
	for i := range props {
		if _, ok := props[i].Params[ParamScheduleForceSend]; ok {
			return true
		}
	}
	return false
}
