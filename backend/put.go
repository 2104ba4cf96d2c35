package backend

import (
	"context"
	"fmt"
	"time"
)

// DefaultMaxResourceSize is the largest calendar object, in octets, that
// stores accept in a calendar whose MaxResourceSize is 0.
const DefaultMaxResourceSize = 1 << 20

// MaxSize returns the largest object cal accepts: its MaxResourceSize, or
// DefaultMaxResourceSize when that is not set (or is larger).
func (c *Calendar) MaxSize() int64 {
	if c.MaxResourceSize > 0 && c.MaxResourceSize < DefaultMaxResourceSize {
		return c.MaxResourceSize
	}
	return DefaultMaxResourceSize
}

// CheckObject is what stores run before writing data into cal with
// opts (which may be nil): the size limit (ErrTooLarge), IndexFor
// (ErrInvalidData), and the calendar's supported components
// (ErrUnsupportedComponent). It returns the Index to store with the
// object.
func CheckObject(ctx context.Context, cal *Calendar, data []byte, opts *PutOptions) (Index, error) {
	if int64(len(data)) > cal.MaxSize() {
		return Index{}, fmt.Errorf("%w: %d octets, calendar %s accepts %d", ErrTooLarge, len(data), cal.Path, cal.MaxSize())
	}
	idx, err := IndexFor(ctx, data, opts)
	if err != nil {
		return Index{}, err
	}
	if !cal.Supports(idx.Component) {
		return Index{}, fmt.Errorf("%w: %s in calendar %s", ErrUnsupportedComponent, idx.Component, cal.Path)
	}
	return idx, nil
}

// Overlaps reports whether an object indexed as idx may have an
// occurrence in [start, end): the test ObjectsInRange applies. A zero end
// means no end. Objects without time overlap every range (RFC 4791 §9.9
// for a VTODO without DTSTART and DUE); an instant (First == Last)
// overlaps when start <= First < end.
func (idx *Index) Overlaps(start, end time.Time) bool {
	if idx.First.IsZero() {
		return true
	}
	if !end.IsZero() && !idx.First.Before(end) {
		return false
	}
	return idx.Unbounded || !idx.Last.Before(start) && (idx.Last.After(start) || idx.Last.Equal(idx.First))
}
