package itip

import "github.com/emersion/go-ical"

// deepCopyCalendar returns a deep copy of cal: the plan edits its copy, never
// the caller's data.
func deepCopyCalendar(cal *ical.Calendar) *ical.Calendar {
	return &ical.Calendar{Component: deepCopyComponent(cal.Component, true)}
}

// deepCopyComponent copies c, its properties and parameters, and with
// children also its sub-components.
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
	out := ical.Prop{Name: p.Name, Value: p.Value}
	if p.Params != nil {
		out.Params = make(ical.Params, len(p.Params))
		for k, v := range p.Params {
			out.Params[k] = v[:len(v):len(v)] // shared, but append cannot write into it
		}
	}
	return out
}
