package schedule

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// DefaultMaxInstances is the default of Options.MaxInstances.
const DefaultMaxInstances = 20000

// checkInstances enforces CALDAV:max-instances (RFC 4791 §5.3.2.1) and
// the recurrence expansion limits (RFC 6638 §11.1): the object may not
// have more than max instances in the expansion window that starts at
// its first one (recurrence.DefaultLimits().MaxWindow), and expanding it
// may not exceed the step limit. Objects without RRULE or RDATE are not
// expanded.
func checkInstances(ctx context.Context, cal *ical.Calendar, max int) error {
	var comps []*ical.Component
	recurring := false
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		comps = append(comps, c)
		if c.Props.Get(ical.PropRecurrenceRule) != nil || c.Props.Get(ical.PropRecurrenceDates) != nil {
			recurring = true
		}
	}
	if !recurring {
		return nil
	}
	res := tz.NewResolver(cal)
	lim := recurrence.DefaultLimits()
	lim.MaxInstances = max
	first, _, _, err := recurrence.Bounds(ctx, comps, res, time.UTC, lim)
	if err == nil && !first.IsZero() {
		err = recurrence.Expand(ctx, comps, res, time.UTC, first, first.Add(lim.MaxWindow), lim,
			func(recurrence.Instance) bool { return true })
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, recurrence.ErrLimit):
		return &Error{Status: http.StatusForbidden, Condition: MaxInstances, Err: err}
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return &Error{Status: http.StatusForbidden, Condition: ValidCalendarObjectResource, Err: err}
}
