package recurrence

import (
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// span is the time a component occupies: its start and how long each of
// its instances lasts.
type span struct {
	start  tz.Value
	dur    NominalDuration
	allDay bool
	due    bool // start is a VTODO's DUE: there is no DTSTART
}

// end returns the end of an instance starting at s.
func (sp span) end(s time.Time) time.Time { return sp.dur.AddTo(s) }

// componentSpan reads DTSTART and the end of c (DTEND for VEVENT, DUE for
// VTODO, or DURATION), applying the RFC 5545 defaults: a DATE start lasts
// one day, a DATE-TIME start with neither lasts no time. ok is false for a
// component with no DTSTART and no DUE (it occupies no time). An end
// before the start counts as no duration.
func (x *Expander) componentSpan(c *ical.Component, res *tz.Resolver, floating *time.Location) (sp span, ok bool, err error) {
	startProp := firstProp(c, ical.PropDateTimeStart)
	endName := ical.PropDateTimeEnd
	if strings.EqualFold(c.Name, ical.CompToDo) {
		endName = ical.PropDue
	}
	endProp := firstProp(c, endName)
	if startProp == nil {
		if endProp == nil || !strings.EqualFold(c.Name, ical.CompToDo) {
			return span{}, false, nil
		}
		// A VTODO with only DUE: the instant it is due.
		v, err := x.parse(endProp, res, floating)
		if err != nil {
			return span{}, false, fmt.Errorf("%s: %w", endName, err)
		}
		return span{start: v, allDay: v.Kind == tz.Date, due: true}, true, nil
	}
	start, err := x.parse(startProp, res, floating)
	if err != nil {
		return span{}, false, fmt.Errorf("%s: %w", ical.PropDateTimeStart, err)
	}
	sp = span{start: start, allDay: start.Kind == tz.Date}
	if endProp != nil {
		ev, err := x.parse(endProp, res, floating)
		if err != nil {
			return span{}, false, fmt.Errorf("%s: %w", endName, err)
		}
		if ev.Time.After(start.Time) {
			if start.Kind == tz.Date && ev.Kind == tz.Date {
				sp.dur.Days = daysBetween(start.Time, ev.Time)
			} else {
				sp.dur.Exact = ev.Time.Sub(start.Time)
			}
		}
		return sp, true, nil
	}
	if dp := firstProp(c, ical.PropDuration); dp != nil {
		d, err := ParseNominalDuration(dp.Value)
		if err != nil {
			return span{}, false, err
		}
		if d.Approx() > 0 {
			sp.dur = d
		}
		return sp, true, nil
	}
	if start.Kind == tz.Date {
		sp.dur.Days = 1
	}
	return sp, true, nil
}

// daysBetween counts calendar days from a to b (both midnights of one
// location), robust against 23- and 25-hour days.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ua := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	ub := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}
