package backend

import "errors"

// Errors that stores return, in addition to those of backend.go, for input
// the caller can correct. Callers branch on them with errors.Is; stores
// wrap them with %w and a message saying what was wrong.
var (
	// ErrInvalidData: calendar data that is not a valid calendar object
	// resource (RFC 4791 §4.1): unparsable, no or several component
	// types, missing or conflicting UIDs, a METHOD property, or times
	// that cannot be resolved. MakeIndex returns it.
	ErrInvalidData = errors.New("backend: invalid calendar data")
	// ErrInvalidPath: a path that does not fit the store's layout, such
	// as a calendar outside its owner's home, an object not directly
	// inside a calendar, or a resource name with a slash in it.
	ErrInvalidPath = errors.New("backend: invalid path")
	// ErrExists: CreateCalendar was asked for a path where a collection
	// already is.
	ErrExists = errors.New("backend: already exists")
	// ErrAddressInUse: PutPrincipal was given a calendar user address (or
	// a path) that already belongs to another principal.
	ErrAddressInUse = errors.New("backend: address belongs to another principal")
	// ErrUnsupportedComponent: the object's component type is not in the
	// calendar's SupportedComponents (supported-calendar-component).
	ErrUnsupportedComponent = errors.New("backend: component type not supported by calendar")
	// ErrTooLarge: the object is larger than the calendar's
	// MaxResourceSize, or the store's limit (max-resource-size).
	ErrTooLarge = errors.New("backend: object too large")
)
