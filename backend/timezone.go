package backend

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Errors of the calendar time zone helpers; callers branch on them with
// errors.Is to pick the precondition they report.
var (
	// ErrInvalidTimeZone: a CALDAV:calendar-timezone value (RFC 4791
	// §5.2.2) that is not an iCalendar object holding exactly one
	// VTIMEZONE that makes a time zone (CALDAV:valid-calendar-data).
	ErrInvalidTimeZone = errors.New("backend: invalid calendar time zone")
	// ErrUnknownTimeZone: a CALDAV:calendar-timezone-id (RFC 7809 §5.2)
	// that names no zone of the IANA database (CALDAV:valid-timezone).
	ErrUnknownTimeZone = errors.New("backend: unknown time zone identifier")
)

// The stored form. Calendar.TimeZone holds the CALDAV:calendar-timezone
// property: an iCalendar object with exactly one VTIMEZONE, as
// CanonicalTimeZone returns it, or "" for none. Setting the
// CALDAV:calendar-timezone-id property stores the VTIMEZONE TimeZoneForID
// generates for the name, so that one field answers both properties:
// calendar-timezone is the text as stored, calendar-timezone-id is its
// TZID when that is an IANA name (Calendar.TimeZoneID). Keeping the text,
// not a zone name, keeps the rules of a VTIMEZONE whose TZID is no known
// name.

// timeZoneFirstYear and timeZoneLastYear bound the years whose offset
// changes a VTIMEZONE generated for calendar-timezone-id lists; the rules
// in force at the end carry on after it.
const (
	timeZoneFirstYear = 1970
	timeZoneLastYear  = 2037
)

// timeZoneProdID is the PRODID of generated calendar-timezone values.
const timeZoneProdID = "-//go-autoschedule//calendar-timezone//EN"

// CanonicalTimeZone checks a CALDAV:calendar-timezone value: an
// iCalendar object whose only component is one VTIMEZONE, with a TZID
// that resolves (through internal/tz: an IANA or Windows name, else the
// VTIMEZONE's own rules) to a time zone. It returns the value re-encoded
// (CRLF line ends, long lines folded), the form Calendar.TimeZone keeps,
// or an error wrapping ErrInvalidTimeZone.
func CanonicalTimeZone(text string) (string, error) {
	cal, _, _, err := parseTimeZone(text)
	if err != nil {
		return "", err
	}
	return string(ics.Encode(cal)), nil
}

// parseTimeZone parses and checks a calendar-timezone value (see
// CanonicalTimeZone) and returns it with its location and TZID.
func parseTimeZone(text string) (*ical.Calendar, *time.Location, string, error) {
	cal, err := ics.Decode([]byte(text))
	if err != nil {
		return nil, nil, "", fmt.Errorf("%w: %w", ErrInvalidTimeZone, err)
	}
	var vtz *ical.Component
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			return nil, nil, "", fmt.Errorf("%w: a %s component besides the VTIMEZONE", ErrInvalidTimeZone, c.Name)
		}
		if vtz != nil {
			return nil, nil, "", fmt.Errorf("%w: more than one VTIMEZONE", ErrInvalidTimeZone)
		}
		vtz = c
	}
	if vtz == nil {
		return nil, nil, "", fmt.Errorf("%w: no VTIMEZONE", ErrInvalidTimeZone)
	}
	p := vtz.Props.Get(ical.PropTimezoneID)
	if p == nil || strings.TrimSpace(p.Value) == "" {
		return nil, nil, "", fmt.Errorf("%w: VTIMEZONE without TZID", ErrInvalidTimeZone)
	}
	loc, err := tz.NewResolver(cal).Location(p.Value)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%w: %w", ErrInvalidTimeZone, err)
	}
	return cal, loc, p.Value, nil
}

// TimeZoneForID returns the CALDAV:calendar-timezone value for a
// CALDAV:calendar-timezone-id: an iCalendar object with the VTIMEZONE of
// the IANA zone id (matched case-insensitively, written with its
// canonical spelling), describing its offset changes from 1970 on. An id
// that names no IANA zone is an error wrapping ErrUnknownTimeZone.
func TimeZoneForID(id string) (string, error) {
	name, ok := tz.IANAName(strings.TrimSpace(id))
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownTimeZone, id)
	}
	loc, err := tz.NewResolver(nil).Location(name)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrUnknownTimeZone, id, err)
	}
	from := time.Date(timeZoneFirstYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(timeZoneLastYear, time.December, 31, 0, 0, 0, 0, time.UTC)
	vtz, err := tz.GenerateVTimezone(name, loc, from, to)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrUnknownTimeZone, id, err)
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, timeZoneProdID)
	cal.Children = append(cal.Children, vtz)
	return string(ics.Encode(cal)), nil
}

// TimeZoneLocation returns the time zone of the calendar (its TimeZone
// field), in which its floating and DATE values are placed (RFC 4791
// §5.2.2), or nil when it has none. A stored value that no longer
// resolves is an error wrapping ErrInvalidTimeZone.
func (c *Calendar) TimeZoneLocation() (*time.Location, error) {
	if c.TimeZone == "" {
		return nil, nil
	}
	_, loc, _, err := parseTimeZone(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", c.Path, err)
	}
	return loc, nil
}

// TimeZoneID returns the CALDAV:calendar-timezone-id of the calendar: the
// canonical IANA name of its VTIMEZONE's TZID, or "" when it has no time
// zone or its TZID is no IANA name.
func (c *Calendar) TimeZoneID() string {
	if c.TimeZone == "" {
		return ""
	}
	_, _, tzid, err := parseTimeZone(c.TimeZone)
	if err != nil {
		return ""
	}
	name, _ := tz.IANAName(strings.TrimSpace(tzid))
	return name
}
