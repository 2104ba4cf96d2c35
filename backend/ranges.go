package backend

import (
	"context"
	"time"
)

// ObjectRef names one stored version of a calendar object without its
// data: enough for a caller that keeps parsed objects by path and ETag to
// tell which candidates of a time range it already has.
type ObjectRef struct {
	Path      string // full path of the resource, inside its calendar
	ETag      string // the stored ETag, as Object.ETag
	Component string // the stored Index.Component, as Object.Component
}

// RangeLister is implemented by stores that can list the candidates of a
// time range without reading their data. A caller that caches objects by
// (Path, ETag) then fetches, with Object, only the versions it lacks.
// Stores without it are read with CalendarStore.ObjectsInRange.
type RangeLister interface {
	// ObjectRefsInRange returns, in path order, a reference to each
	// object that ObjectsInRange(ctx, calendarPath, start, end) would
	// return, with the same Path, ETag and Component: a superset of the
	// objects that may overlap [start, end), judged from the Index, that
	// the caller filters exactly. A zero start or end leaves that side
	// open. It returns ErrNotFound when there is no calendar at
	// calendarPath.
	ObjectRefsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]ObjectRef, error)
}
