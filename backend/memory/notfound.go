package memory

import (
	"strconv"

	"github.com/go-autoschedule/autoschedule/backend"
)

// notFound is backend.ErrNotFound saying what was looked for. Lookups that
// miss are routine (every invitation looks for the recipient's copy, and
// for the recipient, before creating them), so the message is formatted
// only when someone asks for it.
type notFound struct {
	what  string // "object", "UID", …
	key   string
	owner string // the principal whose calendars were searched, or ""
}

func (e *notFound) Error() string {
	s := backend.ErrNotFound.Error() + ": " + e.what + " " + strconv.Quote(e.key)
	if e.owner != "" {
		s += " in calendars of " + strconv.Quote(e.owner)
	}
	return s
}

// Unwrap makes errors.Is(err, backend.ErrNotFound) hold.
func (e *notFound) Unwrap() error { return backend.ErrNotFound }
