package itip

import "github.com/emersion/go-ical"

// This file holds the copying helpers of Apply. A calendar Apply returns
// never shares anything mutable with the msg or existing it was given
// (strings are immutable and are shared): callers may edit the result in
// place, and may reuse msg for the next recipient. The copies are made
// with few allocations, since one REQUEST delivered to many local
// attendees is copied once per recipient.

// cloneComponent returns a deep copy of c sharing only strings: new
// component, property map, property slices, parameter maps and parameter
// value slices, and with children the same for every sub-component. All
// properties of a component live in one backing array and all parameter
// values in another, each property's slice capped so that appending to it
// reallocates instead of overwriting its neighbour.
func cloneComponent(c *ical.Component, children bool) *ical.Component {
	nprops, nvals := 0, 0
	for _, props := range c.Props {
		nprops += len(props)
		for i := range props {
			for _, v := range props[i].Params {
				nvals += len(v)
			}
		}
	}
	backing := make([]ical.Prop, nprops)
	vals := make([]string, nvals)
	out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props))}
	for name, props := range c.Props {
		dst := backing[:len(props):len(props)]
		backing = backing[len(props):]
		for i := range props {
			p := &props[i]
			params := make(ical.Params, len(p.Params))
			for k, v := range p.Params {
				n := copy(vals, v)
				params[k] = vals[:n:n]
				vals = vals[n:]
			}
			dst[i] = ical.Prop{Name: p.Name, Value: p.Value, Params: params}
		}
		out.Props[name] = dst
	}
	if children && len(c.Children) > 0 {
		out.Children = make([]*ical.Component, len(c.Children))
		for i, ch := range c.Children {
			out.Children[i] = cloneComponent(ch, true)
		}
	}
	return out
}

// cloneProp returns a copy of p sharing only strings.
func cloneProp(p *ical.Prop) ical.Prop {
	n := 0
	for _, v := range p.Params {
		n += len(v)
	}
	vals := make([]string, n)
	params := make(ical.Params, len(p.Params))
	for k, v := range p.Params {
		n := copy(vals, v)
		params[k] = vals[:n:n]
		vals = vals[n:]
	}
	return ical.Prop{Name: p.Name, Value: p.Value, Params: params}
}
