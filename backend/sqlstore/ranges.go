package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// ObjectRefsInRange returns references to the objects ObjectsInRange
// returns for the same arguments (the same candidates of the
// time-range index), in path order, without reading their data. It
// implements backend.RangeLister; unknown calendars are
// backend.ErrNotFound.
func (s *Store) ObjectRefsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]backend.ObjectRef, error) {
	c, err := s.calendarRow(ctx, s.rq, calendarPath)
	if err != nil {
		return nil, err
	}
	ids, args := rangeQuery(c.id, start, end)
	rows, err := s.rq.QueryContext(ctx, s.q(`SELECT name, etag, component FROM objects WHERE id IN (`+ids+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("objects of %q in range: %w", calendarPath, err)
	}
	refs, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (*backend.ObjectRef, error) {
		var r backend.ObjectRef
		if err := sc.Scan(&r.Path, &r.ETag, &r.Component); err != nil {
			return nil, err
		}
		r.Path = calendarPath + r.Path
		return &r, nil
	})
	if err != nil {
		return nil, fmt.Errorf("objects of %q in range: %w", calendarPath, err)
	}
	slices.SortFunc(refs, func(a, b backend.ObjectRef) int { return strings.Compare(a.Path, b.Path) })
	return refs, nil
}

var _ backend.RangeLister = (*Store)(nil)
