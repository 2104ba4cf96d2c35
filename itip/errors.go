package itip

import "fmt"

// Condition names the CalDAV precondition (an XML element in the
// urn:ietf:params:xml:ns:caldav namespace, RFC 4791 §5.3.2.1 and RFC 6638
// §3.2.4, §5.3.2.1) that a request violated. Its value is the element's local
// name, so a middleware can write <C:value/> inside a DAV:error body.
//
// A Condition is itself an error, so callers can branch with
// errors.Is(err, itip.AllowedAttendeeChange).
type Condition string

// The preconditions the iTIP engine reports. Each is used with 403 Forbidden
// unless noted otherwise.
const (
	// ValidCalendarData: the iCalendar data cannot be parsed or is not valid
	// iCalendar (RFC 4791 §5.3.2.1; used with 400 or 403).
	ValidCalendarData Condition = "valid-calendar-data"
	// ValidCalendarObjectResource: the data breaks the calendar object
	// resource rules of RFC 4791 §4.1, e.g. components with different UIDs,
	// mixed component types or two masters.
	ValidCalendarObjectResource Condition = "valid-calendar-object-resource"
	// SupportedCalendarComponent: the component type cannot be scheduled.
	SupportedCalendarComponent Condition = "supported-calendar-component"
	// UniqueSchedulingObject: the UID is already used by another scheduling
	// object resource of the same owner (RFC 6638 §3.2.4.1).
	UniqueSchedulingObject Condition = "unique-scheduling-object-resource"
	// SameOrganizerInAllComponents: the components disagree on ORGANIZER
	// (RFC 6638 §3.2.4.2).
	SameOrganizerInAllComponents Condition = "same-organizer-in-all-components"
	// AllowedOrganizerChange: the organizer made a forbidden change, e.g.
	// set another attendee's PARTSTAT (RFC 6638 §3.2.4.3).
	AllowedOrganizerChange Condition = "allowed-organizer-scheduling-object-change"
	// AllowedAttendeeChange: an attendee changed something outside the list
	// of RFC 6638 §3.2.2.1 (RFC 6638 §3.2.4.4).
	AllowedAttendeeChange Condition = "allowed-attendee-scheduling-object-change"
	// MaxAttendeesPerInstance: an instance lists more attendees than allowed
	// (RFC 4791 §5.2.9 and §5.3.2.1).
	MaxAttendeesPerInstance Condition = "max-attendees-per-instance"
	// MaxInstances: an object overrides or lists more recurrence instances
	// than allowed (RFC 4791 §5.2.8 and §5.3.2.1).
	MaxInstances Condition = "max-instances"
	// ValidSchedulingMessage: an iTIP message is malformed (RFC 6638
	// §5.3.2.1; used with 400).
	ValidSchedulingMessage Condition = "valid-scheduling-message"
	// ValidOrganizer: the ORGANIZER of a message is missing or is not the
	// sender (RFC 6638 §5.3.2.1).
	ValidOrganizer Condition = "valid-organizer"
)

// Error returns the element name, so a Condition can be used as an error.
func (c Condition) Error() string { return "itip: " + string(c) }

// Error is the error the iTIP engine returns for data that breaks a CalDAV
// precondition. It matches its Condition with errors.Is.
type Error struct {
	Condition Condition // the violated precondition
	Msg       string    // what exactly is wrong, for humans and logs
	Err       error     // the underlying cause, if any
}

// errorf returns an *Error for condition c with a formatted message.
func errorf(c Condition, format string, args ...any) *Error {
	return &Error{Condition: c, Msg: fmt.Sprintf(format, args...)}
}

// wrapError returns an *Error for condition c caused by err.
func wrapError(c Condition, msg string, err error) *Error {
	return &Error{Condition: c, Msg: msg, Err: err}
}

// Error formats the condition, the message and the cause.
func (e *Error) Error() string {
	s := "itip: " + string(e.Condition)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Condition, or an *Error with the same
// Condition.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Condition:
		return t == e.Condition
	case *Error:
		return t.Condition == e.Condition && (t.Msg == "" || t.Msg == e.Msg)
	}
	return false
}
