package freebusy

import (
	"strings"
	"time"
)

// Type is a free or busy time type: the value of the FBTYPE parameter
// (RFC 5545 §3.2.9) of a FREEBUSY property, or of the BUSYTYPE property of
// a VAVAILABILITY component (RFC 7953 §3.2).
type Type string

// The free and busy time types of RFC 5545 §3.2.9.
const (
	Free            Type = "FREE"             // the time is free
	Busy            Type = "BUSY"             // the time is busy
	BusyTentative   Type = "BUSY-TENTATIVE"   // busy with a tentative or unanswered event
	BusyUnavailable Type = "BUSY-UNAVAILABLE" // the user is not available (e.g. outside working hours)
)

// ParseType returns the Type an FBTYPE or BUSYTYPE value names, compared
// case-insensitively. RFC 5545 says an unrecognised value is to be treated
// as BUSY, and so it is here; an empty value is BUSY, FBTYPE's default.
func ParseType(s string) Type {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case string(Free):
		return Free
	case string(BusyTentative):
		return BusyTentative
	case string(BusyUnavailable):
		return BusyUnavailable
	default:
		return Busy
	}
}

// rank orders types by how busy they make a user, for choosing between
// them: Free < BusyTentative < BusyUnavailable < Busy.
func (t Type) rank() int {
	switch t {
	case Free:
		return 0
	case BusyTentative:
		return 1
	case BusyUnavailable:
		return 2
	default:
		return 3
	}
}

// Period is a half-open span of time [Start, End) of one Type. Periods
// returned by this package are in UTC and never empty.
type Period struct {
	Start, End time.Time
	Type       Type
}

// periodFormat is the UTC DATE-TIME form used in PERIOD values.
const periodFormat = "20060102T150405Z"

// String returns the period as an RFC 5545 PERIOD value (explicit start and
// end, in UTC) followed by a space and its type, e.g.
// "20090602T110000Z/20090602T120000Z BUSY".
func (p Period) String() string {
	return p.Value() + " " + string(p.Type)
}

// Value returns the period as an RFC 5545 PERIOD value with an explicit
// start and end in UTC, as written in a FREEBUSY property.
func (p Period) Value() string {
	return p.Start.UTC().Format(periodFormat) + "/" + p.End.UTC().Format(periodFormat)
}
