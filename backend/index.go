package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// FloatingSlack is how far MakeIndex widens the indexed span of an object
// that has floating or all-day (DATE) times on either side. Such times
// mean the same wall clock in every time zone, so the instant they denote
// lies between 14 hours before the wall clock read as UTC (UTC+14, the
// easternmost zone) and 12 hours after it (UTC-12); 14 hours covers both.
const FloatingSlack = 14 * time.Hour

// indexable reports whether a calendar object resource may hold
// components of type name (upper case).
func indexable(name string) bool {
	switch name {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy, compAvailability:
		return true
	}
	return false
}

// MakeIndex validates data as one calendar object resource (RFC 4791
// §4.1) and computes its Index, with the default recurrence limits and no
// deadline. See MakeIndexContext.
func MakeIndex(data []byte) (Index, error) {
	return MakeIndexContext(context.Background(), data)
}

// MakeIndexContext validates data as one calendar object resource and
// computes its Index. Stores call it on every write, so that every store
// indexes identically.
//
// data must be one VCALENDAR without METHOD holding components of one
// type (VEVENT, VTODO, VJOURNAL, VFREEBUSY or VAVAILABILITY; VTIMEZONEs
// aside) that all carry the same non-empty UID. Anything else, and times
// or recurrence rules that cannot be read (for example an unknown TZID),
// returns an error matching ErrInvalidData.
//
// First and Last bound every occurrence, overrides (RECURRENCE-ID) and
// RDATEs included, computed with the shared recurrence expander. A rule
// without COUNT or UNTIL is Unbounded with a zero Last; so is a rule too
// long to walk within the expander's step limit, which is then indexed
// from its earliest DTSTART. An object with no time at all (a VTODO
// without DTSTART or DUE) has zero First and Last. Floating and DATE times
// are read as UTC and the span widened by FloatingSlack on both sides.
// The only error that does not match ErrInvalidData is ctx's.
func MakeIndexContext(ctx context.Context, data []byte) (Index, error) {
	cal, err := ics.Decode(data)
	if err != nil {
		return Index{}, fmt.Errorf("%w: %w", ErrInvalidData, err)
	}
	return IndexCalendar(ctx, cal)
}

// IndexCalendar is MakeIndexContext for a calendar that is already
// decoded.
func IndexCalendar(ctx context.Context, cal *ical.Calendar) (Index, error) {
	if cal == nil || cal.Component == nil {
		return Index{}, fmt.Errorf("%w: no VCALENDAR", ErrInvalidData)
	}
	if cal.Props.Get(ical.PropMethod) != nil {
		return Index{}, fmt.Errorf("%w: a calendar object resource must not have METHOD", ErrInvalidData)
	}
	var idx Index
	var comps []*ical.Component
	for _, c := range cal.Children {
		name := strings.ToUpper(c.Name)
		if name == ical.CompTimezone {
			continue
		}
		if !indexable(name) {
			return Index{}, fmt.Errorf("%w: component %s cannot be stored in a calendar", ErrInvalidData, c.Name)
		}
		if idx.Component == "" {
			idx.Component = name
		} else if idx.Component != name {
			return Index{}, fmt.Errorf("%w: both %s and %s in one resource", ErrInvalidData, idx.Component, name)
		}
		uid := ""
		if p := c.Props.Get(ical.PropUID); p != nil {
			uid = strings.TrimSpace(p.Value)
		}
		if uid == "" {
			return Index{}, fmt.Errorf("%w: %s without UID", ErrInvalidData, name)
		}
		if idx.UID == "" {
			idx.UID = uid
		} else if idx.UID != uid {
			return Index{}, fmt.Errorf("%w: UIDs %q and %q in one resource", ErrInvalidData, idx.UID, uid)
		}
		comps = append(comps, c)
	}
	if idx.Component == "" {
		return Index{}, fmt.Errorf("%w: no calendar component", ErrInvalidData)
	}
	if err := indexTimes(ctx, cal, comps, &idx); err != nil {
		return Index{}, err
	}
	return idx, nil
}

// indexTimes sets First, Last and Unbounded of idx.
func indexTimes(ctx context.Context, cal *ical.Calendar, comps []*ical.Component, idx *Index) error {
	res := tz.NewResolver(cal)
	first, last, unbounded, err := recurrence.Bounds(ctx, comps, res, time.UTC, recurrence.Limits{})
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, recurrence.ErrLimit):
		// Too long to walk: index as unbounded from the earliest start.
		first, unbounded = earliestStart(comps, res), true
	default:
		return fmt.Errorf("%w: %s %q: %w", ErrInvalidData, idx.Component, idx.UID, err)
	}
	if idx.Component == compAvailability && !first.IsZero() && !hasEnd(comps) {
		unbounded = true // RFC 7953 §3.1: no DTEND means no end
	}
	if unbounded {
		last = time.Time{}
	}
	if !first.IsZero() && hasFloating(comps, res) {
		first = first.Add(-FloatingSlack)
		if !last.IsZero() {
			last = last.Add(FloatingSlack)
		}
	}
	idx.First, idx.Last, idx.Unbounded = first.UTC(), last, unbounded
	if !last.IsZero() {
		idx.Last = last.UTC()
	}
	return nil
}

// earliestStart returns the earliest DTSTART (or DUE) among comps, read
// with floating times as UTC, or the zero time when none can be read.
func earliestStart(comps []*ical.Component, res *tz.Resolver) time.Time {
	var first time.Time
	for _, c := range comps {
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDue} {
			p := c.Props.Get(name)
			if p == nil {
				continue
			}
			if v, err := res.Parse(p, time.UTC); err == nil && (first.IsZero() || v.Time.Before(first)) {
				first = v.Time
			}
		}
	}
	return first
}

func hasEnd(comps []*ical.Component) bool {
	for _, c := range comps {
		if c.Props.Get(ical.PropDateTimeEnd) != nil || c.Props.Get(ical.PropDuration) != nil {
			return true
		}
	}
	return false
}

// hasFloating reports whether any time that bounds comps' occurrences is
// floating or a DATE.
func hasFloating(comps []*ical.Component, res *tz.Resolver) bool {
	floating := func(k tz.Kind) bool { return k == tz.Floating || k == tz.Date }
	for _, c := range comps {
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue, ical.PropRecurrenceID} {
			for i := range c.Props[name] {
				if v, err := res.Parse(&c.Props[name][i], time.UTC); err == nil && floating(v.Kind) {
					return true
				}
			}
		}
		for i := range c.Props[ical.PropRecurrenceDates] {
			vs, err := recurrence.ParseDateList(&c.Props[ical.PropRecurrenceDates][i], res, time.UTC)
			if err != nil {
				continue
			}
			for _, v := range vs {
				if floating(v.Kind) {
					return true
				}
			}
		}
	}
	return false
}

// compAvailability is RFC 7953's component, which go-ical does not name.
const compAvailability = "VAVAILABILITY"
