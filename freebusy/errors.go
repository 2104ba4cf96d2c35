package freebusy

import (
	"errors"
	"fmt"
)

// ErrInvalidQuery is wrapped by the error Compute returns for a Query it
// cannot answer: a missing or inverted range, or one longer than
// Limits.MaxWindow (20 years by default).
var ErrInvalidQuery = errors.New("freebusy: invalid query")

// ErrTooManyPeriods is wrapped by the error Compute returns when the
// answer would hold more than Query.MaxPeriods periods.
var ErrTooManyPeriods = errors.New("freebusy: too many busy periods")

// ObjectError reports one calendar object, or one availability calendar,
// that could not be counted fully. Compute skips what it cannot read and goes
// on with the rest of the user's data; the instances of the object that
// were found before the problem (e.g. those within a recurrence limit) are
// still counted.
type ObjectError struct {
	// Availability is true when Index refers to Query.Availability rather
	// than to the objects given to Compute.
	Availability bool
	// Index is the position of the object in its slice.
	Index int
	// UID is the UID of the component in error, when known.
	UID string
	// Err is the cause; it wraps e.g. recurrence.ErrLimit,
	// tz.ErrUnknownTZID or tz.ErrInvalidValue.
	Err error
}

// Error describes the problem and the object it is in.
func (e *ObjectError) Error() string {
	what := "object"
	if e.Availability {
		what = "availability"
	}
	if e.UID != "" {
		return fmt.Sprintf("freebusy: %s %d (UID %q): %v", what, e.Index, e.UID, e.Err)
	}
	return fmt.Sprintf("freebusy: %s %d: %v", what, e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *ObjectError) Unwrap() error { return e.Err }

// ErrInvalidRequest is matched (errors.Is) by every *RequestError.
var ErrInvalidRequest = errors.New("freebusy: invalid VFREEBUSY request")

// RequestError says what is wrong with a VFREEBUSY request (RFC 5546
// §3.3.2, RFC 6638 §5). A server answers it with the CALDAV
// valid-scheduling-message precondition.
type RequestError struct {
	// Property is the property or component at fault, e.g. "DTEND",
	// "ATTENDEE", "METHOD" or "VFREEBUSY".
	Property string
	// Reason says what is wrong with it.
	Reason string
	// Err is an underlying cause, if any (e.g. a tz error).
	Err error
}

// Error names the property at fault and what is wrong with it.
func (e *RequestError) Error() string {
	msg := "freebusy: invalid VFREEBUSY request: " + e.Property + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrInvalidRequest) true for every RequestError.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }

// Unwrap returns the underlying cause, if any.
func (e *RequestError) Unwrap() error { return e.Err }
