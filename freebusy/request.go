package freebusy

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Request is a parsed VFREEBUSY request (RFC 5546 §3.3.2, as POSTed to a
// scheduling outbox per RFC 6638 §5 and Appendix B.5).
type Request struct {
	// UID is the request's UID, echoed in each reply.
	UID string
	// Start and End are the range asked about, in UTC.
	Start, End time.Time
	// Organizer is the ORGANIZER property: who asks.
	Organizer ical.Prop
	// Attendees are the ATTENDEE properties: whose busy time is asked for,
	// in request order.
	Attendees []ical.Prop
}

// ParseRequest checks that cal is a VFREEBUSY request and returns its
// content. cal must have METHOD:REQUEST and exactly one VFREEBUSY component
// (VTIMEZONEs aside) with one UID, one DTSTART and one DTEND (UTC, or with a
// TZID that resolves; DATE and floating values are refused), DTEND after
// DTSTART, one ORGANIZER and at least one ATTENDEE. Anything else is a
// *RequestError naming the property at fault.
func ParseRequest(cal *ical.Calendar) (*Request, error) {
	if cal == nil || cal.Component == nil {
		return nil, &RequestError{Property: "VCALENDAR", Reason: "missing"}
	}
	method := cal.Props["METHOD"]
	if len(method) != 1 || !strings.EqualFold(strings.TrimSpace(method[0].Value), "REQUEST") {
		return nil, &RequestError{Property: "METHOD", Reason: "must be REQUEST"}
	}
	var fb *ical.Component
	for _, child := range cal.Children {
		switch child.Name {
		case ical.CompTimezone:
		case ical.CompFreeBusy:
			if fb != nil {
				return nil, &RequestError{Property: "VFREEBUSY", Reason: "more than one"}
			}
			fb = child
		default:
			return nil, &RequestError{Property: child.Name, Reason: "not allowed in a VFREEBUSY request"}
		}
	}
	if fb == nil {
		return nil, &RequestError{Property: "VFREEBUSY", Reason: "missing"}
	}
	req := &Request{}
	uid, err := single(fb, "UID")
	if err != nil {
		return nil, err
	}
	req.UID = uid.Value

	res := tz.NewResolver(cal)
	if req.Start, err = requestTime(fb, res, "DTSTART"); err != nil {
		return nil, err
	}
	if req.End, err = requestTime(fb, res, "DTEND"); err != nil {
		return nil, err
	}
	if !req.End.After(req.Start) {
		return nil, &RequestError{Property: "DTEND", Reason: "not after DTSTART"}
	}
	org, err := single(fb, "ORGANIZER")
	if err != nil {
		return nil, err
	}
	req.Organizer = *org
	for _, a := range fb.Props["ATTENDEE"] {
		if strings.TrimSpace(a.Value) == "" {
			return nil, &RequestError{Property: "ATTENDEE", Reason: "empty"}
		}
		req.Attendees = append(req.Attendees, a)
	}
	if len(req.Attendees) == 0 {
		return nil, &RequestError{Property: "ATTENDEE", Reason: "missing"}
	}
	return req, nil
}

// single returns the one non-empty property name of c.
func single(c *ical.Component, name string) (*ical.Prop, error) {
	props := c.Props[name]
	switch {
	case len(props) == 0:
		return nil, &RequestError{Property: name, Reason: "missing"}
	case len(props) > 1:
		return nil, &RequestError{Property: name, Reason: "more than one"}
	case strings.TrimSpace(props[0].Value) == "":
		return nil, &RequestError{Property: name, Reason: "empty"}
	}
	return &props[0], nil
}

func requestTime(c *ical.Component, res *tz.Resolver, name string) (time.Time, error) {
	p, err := single(c, name)
	if err != nil {
		return time.Time{}, err
	}
	v, err := res.Parse(p, time.UTC)
	if err != nil {
		return time.Time{}, &RequestError{Property: name, Reason: "not a valid DATE-TIME", Err: err}
	}
	switch v.Kind {
	case tz.Date:
		return time.Time{}, &RequestError{Property: name, Reason: "must be a DATE-TIME, not a DATE"}
	case tz.Floating:
		return time.Time{}, &RequestError{Property: name, Reason: "must be in UTC, not floating"}
	}
	return v.Time.UTC(), nil
}
