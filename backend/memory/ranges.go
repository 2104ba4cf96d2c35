package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// ObjectRefsInRange returns references to the objects of the calendar at
// calendarPath whose Index overlaps [start, end)
// (backend.Index.Overlaps), in path order: the objects ObjectsInRange
// returns, without copying their data. It implements backend.RangeLister.
func (s *Store) ObjectRefsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]backend.ObjectRef, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.calendars[calendarPath]
	if !ok {
		return nil, fmt.Errorf("%w: calendar %q", backend.ErrNotFound, calendarPath)
	}
	var refs []backend.ObjectRef
	for _, o := range c.objects {
		if o.Index.Overlaps(start, end) {
			refs = append(refs, backend.ObjectRef{Path: o.Path, ETag: o.ETag, Component: o.Component})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Path < refs[j].Path })
	return refs, nil
}

var _ backend.RangeLister = (*Store)(nil)
