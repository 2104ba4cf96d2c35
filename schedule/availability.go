package schedule

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// availabilityName is CALDAV:calendar-availability (RFC 7953 §7.2.4), a
// property of the scheduling inbox.
var availabilityName = xml.Name{Space: nsCalDAV, Local: "calendar-availability"}

// compAvailable is RFC 7953's AVAILABLE component.
const compAvailable = "AVAILABLE"

// errInvalidAvailability is wrapped by the errors of canonicalAvailability.
var errInvalidAvailability = errors.New("invalid calendar-availability")

// canonicalAvailability checks a calendar-availability value and returns
// it re-encoded (CRLF line ends, folded), the form that is stored: one
// VCALENDAR without METHOD whose components are VAVAILABILITYs (at least
// one) and the VTIMEZONEs they use; each VAVAILABILITY has UID and DTSTAMP
// and only AVAILABLE components, each with UID, DTSTAMP and DTSTART; their
// DTSTART and DTEND values parse and their TZIDs resolve (through
// the calendar's VTIMEZONEs or internal/tz's names). Errors wrap
// errInvalidAvailability.
func canonicalAvailability(text string) ([]byte, error) {
	cal, err := ics.Decode([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidAvailability, err)
	}
	if cal.Props.Get(ical.PropMethod) != nil {
		return nil, fmt.Errorf("%w: METHOD in a stored calendar", errInvalidAvailability)
	}
	res := tz.NewResolver(cal)
	found := 0
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
			continue
		case freebusy.ComponentAvailability:
			found++
		default:
			return nil, fmt.Errorf("%w: a %s component", errInvalidAvailability, c.Name)
		}
		if err := checkAvailabilityComponent(c, res, false); err != nil {
			return nil, err
		}
		for _, a := range c.Children {
			if a.Name != compAvailable {
				return nil, fmt.Errorf("%w: a %s component in VAVAILABILITY", errInvalidAvailability, a.Name)
			}
			if err := checkAvailabilityComponent(a, res, true); err != nil {
				return nil, err
			}
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("%w: no VAVAILABILITY", errInvalidAvailability)
	}
	return ics.Encode(cal), nil
}

// checkAvailabilityComponent checks the properties RFC 7953 requires of a
// VAVAILABILITY or (available) an AVAILABLE component, and that its time
// values parse.
func checkAvailabilityComponent(c *ical.Component, res *tz.Resolver, available bool) error {
	required := []string{ical.PropUID, ical.PropDateTimeStamp}
	if available {
		required = append(required, ical.PropDateTimeStart)
	}
	for _, name := range required {
		if p := c.Props.Get(name); p == nil || strings.TrimSpace(p.Value) == "" {
			return fmt.Errorf("%w: %s without %s", errInvalidAvailability, c.Name, name)
		}
	}
	if c.Props.Get(ical.PropDateTimeEnd) != nil && c.Props.Get(ical.PropDuration) != nil {
		return fmt.Errorf("%w: %s with both DTEND and DURATION", errInvalidAvailability, c.Name)
	}
	for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
		for i := range c.Props[name] {
			if _, err := res.Parse(&c.Props[name][i], time.UTC); err != nil {
				return fmt.Errorf("%w: %s %s: %w", errInvalidAvailability, c.Name, name, err)
			}
		}
	}
	return nil
}
