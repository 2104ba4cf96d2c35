package recurrence

import (
	"errors"
	"fmt"
	"time"
)

// Limits bounds the work one call to Expand or Bounds may do for one
// object. A zero field takes its value from DefaultLimits.
type Limits struct {
	// MaxSteps caps the rule iterations per object, counting those that
	// fall before the requested window (a rule is always walked from its
	// DTSTART).
	MaxSteps int
	// MaxInstances caps the instances yielded per object.
	MaxInstances int
	// MaxWindow is the longest [start, end) window Expand accepts.
	MaxWindow time.Duration
}

// DefaultLimits returns the limits used for zero fields:
//
//   - MaxSteps 50 000: rules without COUNT skip ahead to the window, so
//     steps are mostly spent inside it; a COUNT rule is walked from its
//     DTSTART, and 50 000 covers a daily COUNT rule of 136 years. At
//     roughly 0.4 µs of CPU per step, the cap costs about 20 ms.
//   - MaxInstances 20 000: a 15-minute rule for half a year; far above
//     what any calendar client displays for one object.
//   - MaxWindow 20 years (of 366 days): the widest range a
//     calendar-query or free-busy request needs in practice.
func DefaultLimits() Limits {
	return Limits{
		MaxSteps:     50_000,
		MaxInstances: 20_000,
		MaxWindow:    20 * 366 * 24 * time.Hour,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxSteps <= 0 {
		l.MaxSteps = d.MaxSteps
	}
	if l.MaxInstances <= 0 {
		l.MaxInstances = d.MaxInstances
	}
	if l.MaxWindow <= 0 {
		l.MaxWindow = d.MaxWindow
	}
	return l
}

// ErrLimit is matched (errors.Is) by every error reporting that a Limits
// value was exceeded; the error is a *LimitError naming the limit.
var ErrLimit = errors.New("recurrence: limit exceeded")

// ErrInvalid is matched (errors.Is) by errors about malformed recurrence
// data: an unparsable RRULE, DURATION, EXDATE or RDATE, or a component set
// that cannot be expanded (for example two masters).
var ErrInvalid = errors.New("recurrence: invalid recurrence data")

// minRuleYear is the earliest DTSTART year of a rule handed to rrule-go.
// Near year 1 its iterator can loop inside a single call, beyond the reach
// of step limits and contexts (FREQ=HOURLY;INTERVAL=10;BYHOUR=0 from
// 0001-01-01 never returns). No calendar recurs from before 1000; Microsoft's
// 1601 VTIMEZONE onsets are not rules expanded here.
const minRuleYear = 1000

// LimitError reports which limit stopped an expansion.
type LimitError struct {
	// Which is "steps", "instances", "window" or "rule" (a rule one of
	// whose periods could hold more than 10 000 candidates, or more than
	// MaxSteps).
	Which string
	// Limit is the value of the limit that was hit.
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("recurrence: %s limit (%d) exceeded", e.Which, e.Limit)
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
