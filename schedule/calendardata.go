package schedule

import (
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// calendarDataRequest returns the CALDAV:calendar-data element of a
// REPORT's prop list, nil when there is none.
func calendarDataRequest(pf *propfind) *node {
	for _, p := range pf.props {
		if p.is(nsCalDAV, "calendar-data") {
			return p
		}
	}
	return nil
}

// selectCalendarData applies a calendar-data sub-request (RFC 4791
// §9.6.1: comp, prop, allcomp, allprop) to data and returns the text to
// send; data is returned unchanged when there is no selection or it
// cannot be parsed.
func selectCalendarData(data []byte, req *node) string {
	comp := req.child(nsCalDAV, "comp")
	if comp == nil || !strings.EqualFold(attr(comp, "name"), "VCALENDAR") {
		return string(data)
	}
	cal, err := ics.DecodeShared(data)
	if err != nil {
		return string(data)
	}
	selectComponent(cal.Component, comp)
	return string(ics.Encode(cal))
}

// selectComponent keeps the properties and sub-components of c that sel
// asks for.
func selectComponent(c *ical.Component, sel *node) {
	if sel.child(nsCalDAV, "allprop") == nil {
		if props := sel.all(nsCalDAV, "prop"); len(props) > 0 {
			keep := make(ical.Props)
			for _, p := range props {
				name := strings.ToUpper(attr(p, "name"))
				if v, ok := c.Props[name]; ok {
					keep[name] = v
				}
			}
			c.Props = keep
		}
	}
	if sel.child(nsCalDAV, "allcomp") != nil {
		return
	}
	comps := sel.all(nsCalDAV, "comp")
	kept := c.Children[:0]
	for _, child := range c.Children {
		for _, cs := range comps {
			if strings.EqualFold(attr(cs, "name"), child.Name) {
				selectComponent(child, cs)
				kept = append(kept, child)
				break
			}
		}
	}
	c.Children = kept
}
