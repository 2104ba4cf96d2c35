package freebusy

import (
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// Query says whose busy time is wanted, and when.
type Query struct {
	// Start and End bound the time range [Start, End) asked about. Both
	// are required and End must be after Start.
	Start, End time.Time

	// Addresses are the calendar user addresses of the user whose busy
	// time is computed (e.g. "mailto:alice@example.com"). An instance in
	// which one of them is an ATTENDEE takes its type from that attendee's
	// PARTSTAT: DECLINED is free, NEEDS-ACTION and TENTATIVE are
	// BUSY-TENTATIVE. Addresses are compared with internal/caladdr. With
	// no addresses, PARTSTAT is not looked at.
	Addresses []string

	// Location is the user's time zone, in which DATE (all-day) and
	// floating DATE-TIME values are placed. Nil means UTC.
	Location *time.Location

	// Availability holds the user's VAVAILABILITY components (RFC 7953),
	// e.g. the CALDAV:calendar-availability property, each in a calendar
	// object with the VTIMEZONEs it needs. Time outside their AVAILABLE
	// blocks is busy with their BUSYTYPE. VAVAILABILITY components in the
	// objects given to Compute are not looked at: a server that stores
	// them in calendar collections passes those objects here too.
	Availability []*ical.Calendar

	// Limits caps recurrence expansion per object; zero fields take their
	// value from recurrence.DefaultLimits(). A range longer than
	// Limits.MaxWindow is refused.
	Limits recurrence.Limits

	// MaxPeriods caps the number of merged periods in the answer; zero
	// means DefaultMaxPeriods. Instances are merged as they come, so
	// memory stays bounded by this cap, not by the number of instances.
	MaxPeriods int
}

// Object is one calendar object resource of the user.
type Object struct {
	// Calendar is the parsed object: VEVENTs (a master, its overrides),
	// VFREEBUSYs, and the VTIMEZONEs its TZIDs may name.
	Calendar *ical.Calendar

	// Transparent says the collection holding the object has a
	// CALDAV:schedule-calendar-transp of transparent (RFC 6638 §9.1): it
	// does not contribute to free-busy and is skipped.
	Transparent bool
}

// Result is the outcome of Compute.
type Result struct {
	// Periods is the user's busy time within the query range: merged per
	// type, sorted, in UTC, never FREE.
	Periods []Period

	// Problems lists objects (or availability components) that could not
	// be counted fully: a bad TZID or DATE-TIME, or a recurrence limit.
	// Their instances found before the problem are still in Periods.
	Problems []*ObjectError
}

// limits returns q.Limits with zero fields set from
// recurrence.DefaultLimits.
func (q *Query) limits() recurrence.Limits {
	lim, def := q.Limits, recurrence.DefaultLimits()
	if lim.MaxSteps <= 0 {
		lim.MaxSteps = def.MaxSteps
	}
	if lim.MaxInstances <= 0 {
		lim.MaxInstances = def.MaxInstances
	}
	if lim.MaxWindow <= 0 {
		lim.MaxWindow = def.MaxWindow
	}
	return lim
}

// DefaultMaxPeriods is the largest answer Compute gives when
// Query.MaxPeriods is zero: far more than any real calendar needs, small
// enough to bound the memory a hostile one can take.
const DefaultMaxPeriods = 100_000

func (q *Query) maxPeriods() int {
	if q.MaxPeriods <= 0 {
		return DefaultMaxPeriods
	}
	return q.MaxPeriods
}

func (q *Query) location() *time.Location {
	if q.Location == nil {
		return time.UTC
	}
	return q.Location
}
