// Package tz resolves iCalendar TZID parameters to time zones and parses
// DATE and DATE-TIME values (RFC 5545 §3.3.4, §3.3.5) into instants.
//
// A Resolver belongs to one calendar object. It resolves, in this order:
// IANA names, from a copy of the IANA database embedded in the binary (so
// results never depend on the host's zoneinfo); Windows zone IDs and
// display names as Outlook writes them ("W. Europe Standard Time"),
// through the CLDR windowsZones mapping; and any other TZID through that
// object's own VTIMEZONE, whose STANDARD and DAYLIGHT rules are expanded
// into a real *time.Location (transitions up to 2200 and, for the usual
// yearly rules, a POSIX rule beyond). Nothing is ever silently taken as
// UTC: an unresolvable TZID is an error wrapping ErrUnknownTZID, and a
// malformed value one wrapping ErrInvalidValue.
//
//	res := tz.NewResolver(cal)
//	v, err := res.Parse(event.Props.Get("DTSTART"), time.UTC)
//	// v.Time is the instant; v.Kind says UTC, Zoned, Floating or Date.
//
// Floating and DATE values have no zone of their own: they are placed in
// the location the caller passes (usually the calendar's or the user's
// zone, else UTC).
//
// The other way round, GenerateVTimezone writes the VTIMEZONE (RFC 5545
// §3.6.5) for a *time.Location over a range of years, for objects that
// name an IANA zone without defining it; a VTimezoneCache held by the
// caller shares the result between the messages of one operation.
package tz
