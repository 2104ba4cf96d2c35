package backend

import "context"

// AvailabilityStore is implemented by stores that keep each principal's
// CALDAV:calendar-availability (RFC 7953 §7.2.4), the property of the
// scheduling inbox that says when its owner is available: iCalendar text
// of one VCALENDAR with VAVAILABILITY components (and the VTIMEZONEs they
// need). Free-busy answers count it together with the VAVAILABILITY
// objects stored in calendars. A store without it has no such property.
// Stores keep the text as given; the scheduler checks it before it
// stores it.
type AvailabilityStore interface {
	// Availability returns principal's calendar-availability, or
	// ErrNotFound when none is set or the principal is unknown.
	Availability(ctx context.Context, principal string) ([]byte, error)
	// SetAvailability stores data as principal's calendar-availability,
	// replacing what was there; empty data removes it (removing what is
	// not set is no error). It returns ErrNotFound for an unknown
	// principal.
	SetAvailability(ctx context.Context, principal string, data []byte) error
}
