package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// objectColumns are the columns scanObject reads, in order; queries join
// objects o with calendars c.
const objectColumns = `c.path, o.name, o.data, o.etag, o.schedule_tag, o.mod_time, o.uid, o.component, o.first_ts, o.last_ts, o.unbounded`

// scanObject reads one row of objectColumns.
func scanObject(sc interface{ Scan(...any) error }) (*backend.Object, error) {
	var (
		o           backend.Object
		calPath     string
		name        string
		mod         int64
		first, last sql.NullInt64
	)
	if err := sc.Scan(&calPath, &name, &o.Data, &o.ETag, &o.ScheduleTag, &mod, &o.UID, &o.Component, &first, &last, &o.Unbounded); err != nil {
		return nil, err
	}
	o.Path = calPath + name
	o.ModTime = time.UnixMicro(mod).UTC()
	if first.Valid {
		o.First = time.Unix(first.Int64, 0).UTC()
	}
	if last.Valid {
		o.Last = time.Unix(last.Int64, 0).UTC()
	}
	return &o, nil
}

// scanObjects reads every row of objectColumns.
func scanObjects(rows *sql.Rows) ([]backend.Object, error) { return scanAll(rows, scanObject) }

// scanAll reads every row with scan and closes rows.
func scanAll[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (*T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// Time-range columns hold whole Unix seconds: the start of the first
// occurrence rounded down and the end of the last rounded up, so that
// comparing seconds never drops a candidate. NULL means "no time" (first)
// or "no end" (last).
func floorSeconds(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func ceilSeconds(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	s := t.Unix()
	if t.Nanosecond() > 0 && s < math.MaxInt64 {
		s++
	}
	return sql.NullInt64{Int64: s, Valid: true}
}

// newETag returns a fresh opaque entity tag: random, so every write gets
// a new one even when the data did not change.
func newETag() string { return rand.Text() }

// now is the modification time of a write, at the microsecond precision
// both databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// calendarRow is what a write needs to know about a calendar.
type calendarRow struct {
	id, principalID int64
	cal             backend.Calendar // Path, SupportedComponents, MaxResourceSize
}

func (s *Store) calendarRow(ctx context.Context, q querier, path string) (*calendarRow, error) {
	var (
		c     = calendarRow{cal: backend.Calendar{Path: path}}
		comps string
	)
	err := q.QueryRowContext(ctx, s.q(`SELECT id, principal_id, max_resource_size, components FROM calendars WHERE path = ?`), path).
		Scan(&c.id, &c.principalID, &c.cal.MaxResourceSize, &comps)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("calendar %q: %w", path, backend.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(comps), &c.cal.SupportedComponents); err != nil {
		return nil, fmt.Errorf("calendar %q: stored component list: %w", path, err)
	}
	return &c, nil
}

// Object returns the object at path, or backend.ErrNotFound.
func (s *Store) Object(ctx context.Context, path string) (*backend.Object, error) {
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil { // nothing can be stored at a malformed path
		return nil, fmt.Errorf("object %q: %w (%v)", path, backend.ErrNotFound, err)
	}
	o, err := scanObject(s.rq.QueryRowContext(ctx, s.q(`SELECT `+objectColumns+`
		FROM objects o JOIN calendars c ON c.id = o.calendar_id
		WHERE c.path = ? AND o.name = ?`), calPath, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = backend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("object %q: %w", path, err)
	}
	return o, nil
}

// Objects lists the objects of the calendar at calendarPath in name
// order, or returns backend.ErrNotFound for an unknown calendar.
func (s *Store) Objects(ctx context.Context, calendarPath string) ([]backend.Object, error) {
	c, err := s.calendarRow(ctx, s.rq, calendarPath)
	if err != nil {
		return nil, err
	}
	rows, err := s.rq.QueryContext(ctx, s.q(`SELECT `+objectColumns+`
		FROM objects o JOIN calendars c ON c.id = o.calendar_id
		WHERE o.calendar_id = ? ORDER BY o.name`), c.id)
	if err != nil {
		return nil, fmt.Errorf("objects of %q: %w", calendarPath, err)
	}
	objs, err := scanObjects(rows)
	if err != nil {
		return nil, fmt.Errorf("objects of %q: %w", calendarPath, err)
	}
	return objs, nil
}

// ObjectByUID finds the object with that UID in the calendars of
// principal: in its default calendar first, then in path order. It
// returns backend.ErrNotFound when there is none.
func (s *Store) ObjectByUID(ctx context.Context, principal, uid string) (*backend.Object, error) {
	o, err := scanObject(s.rq.QueryRowContext(ctx, s.q(`SELECT `+objectColumns+`
		FROM objects o JOIN calendars c ON c.id = o.calendar_id
		LEFT JOIN default_calendars d ON d.principal_id = o.principal_id AND d.calendar_id = o.calendar_id
		WHERE o.principal_id = (SELECT id FROM principals WHERE path = ?) AND o.uid = ?
		ORDER BY CASE WHEN d.calendar_id IS NULL THEN 1 ELSE 0 END, c.path LIMIT 1`), principal, uid))
	if errors.Is(err, sql.ErrNoRows) {
		err = backend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("object with UID %q of %q: %w", uid, principal, err)
	}
	return o, nil
}

// PutObject creates or replaces the object at path with data under opts'
// conditions, in one transaction, and returns what is now stored. Errors:
// backend.ErrInvalidPath, backend.ErrNotFound (no such calendar, or
// IfMatch on a missing object), backend.ErrTooLarge (the calendar's
// MaxSize), backend.ErrInvalidData (what backend.MakeIndex rejects),
// backend.ErrUnsupportedComponent, backend.ErrPreconditionFailed and
// backend.ErrUIDConflict: the checks of backend.CheckObject, then ETag
// conditions, then the UID.
func (s *Store) PutObject(ctx context.Context, path string, data []byte, opts *backend.PutOptions) (*backend.Object, error) {
	return s.putObject(ctx, path, data, opts, nil)
}

// putObject is PutObject; also, when not nil, runs in the same
// transaction after the write succeeded (PutObjectEnqueue queues its
// messages there), and its error rolls the write back.
func (s *Store) putObject(ctx context.Context, path string, data []byte, opts *backend.PutOptions, also func(tx *txn) error) (*backend.Object, error) {
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil {
		return nil, fmt.Errorf("put object: %w", err)
	}
	if opts == nil {
		opts = &backend.PutOptions{}
	}
	// Parse before the write transaction, so that parsing never holds the
	// (SQLite) write lock; no calendar accepts more than
	// backend.DefaultMaxResourceSize, so larger data is not even parsed.
	// The calendar's own limit and components are checked in the
	// transaction.
	if len(data) > backend.DefaultMaxResourceSize {
		return nil, fmt.Errorf("put object %q: %w: %d octets, limit %d", path, backend.ErrTooLarge, len(data), backend.DefaultMaxResourceSize)
	}
	idx, err := backend.IndexFor(ctx, data, opts)
	if err != nil {
		return nil, fmt.Errorf("put object %q: %w", path, err)
	}
	o := &backend.Object{
		Path:        path,
		Data:        bytes.Clone(data),
		ScheduleTag: opts.ScheduleTag,
		Index:       idx,
	}
	first, last := floorSeconds(idx.First), ceilSeconds(idx.Last)
	if idx.Unbounded || !first.Valid {
		// No end; or no time at all, which every range query returns.
		last = sql.NullInt64{}
	}
	// The stored Index is what a read returns: whole seconds, UTC.
	o.Index.First, o.Index.Last = time.Time{}, time.Time{}
	if first.Valid {
		o.First = time.Unix(first.Int64, 0).UTC()
	}
	if last.Valid {
		o.Last = time.Unix(last.Int64, 0).UTC()
	}

	err = s.inTx(ctx, func(tx *txn) error {
		c, err := s.calendarRow(ctx, tx, calPath)
		if err != nil {
			return err
		}
		if int64(len(data)) > c.cal.MaxSize() {
			return fmt.Errorf("%w: %d octets, calendar accepts %d", backend.ErrTooLarge, len(data), c.cal.MaxSize())
		}
		if !c.cal.Supports(idx.Component) {
			return fmt.Errorf("%w: %s in calendar %q", backend.ErrUnsupportedComponent, idx.Component, calPath)
		}
		// One query finds both the object at the path (to replace) and
		// any other object of the calendar with the UID (a conflict),
		// and locks them until the transaction ends.
		var (
			oldID    int64
			oldETag  string
			exists   bool
			conflict string
		)
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, etag, name FROM objects
			WHERE calendar_id = ? AND (name = ? OR uid = ?)`+s.d.forUpdate), c.id, name, idx.UID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id         int64
				etag, have string
			)
			if err := rows.Scan(&id, &etag, &have); err != nil {
				rows.Close()
				return err
			}
			if have == name {
				oldID, oldETag, exists = id, etag, true
			} else {
				conflict = have
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case opts.IfNoneMatch && exists:
			return fmt.Errorf("%w: If-None-Match: an object exists", backend.ErrPreconditionFailed)
		case opts.IfMatch != "" && !exists:
			return fmt.Errorf("If-Match on a missing object: %w", backend.ErrNotFound)
		case opts.IfMatch != "" && opts.IfMatch != oldETag:
			return fmt.Errorf("%w: If-Match %q, stored ETag %q", backend.ErrPreconditionFailed, opts.IfMatch, oldETag)
		case conflict != "":
			return fmt.Errorf("%w: UID %q is in %s%s", backend.ErrUIDConflict, idx.UID, calPath, conflict)
		}
		o.ETag, o.ModTime = newETag(), now()
		if exists {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE objects SET data = ?, etag = ?, schedule_tag = ?, mod_time = ?,
				uid = ?, component = ?, first_ts = ?, last_ts = ?, span_class = ?, unbounded = ? WHERE id = ?`),
				o.Data, o.ETag, o.ScheduleTag, o.ModTime.UnixMicro(), idx.UID, idx.Component, first, last, spanClass(first, last), idx.Unbounded, oldID)
		} else {
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO objects (calendar_id, principal_id, name, data, etag, schedule_tag,
				mod_time, uid, component, first_ts, last_ts, span_class, unbounded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				c.id, c.principalID, name, o.Data, o.ETag, o.ScheduleTag, o.ModTime.UnixMicro(), idx.UID, idx.Component, first, last, spanClass(first, last), idx.Unbounded)
		}
		if constraint, ok := uniqueViolation(err); ok {
			switch {
			case constraint == constraintObjectUID:
				return fmt.Errorf("%w: UID %q", backend.ErrUIDConflict, idx.UID)
			case constraint == constraintObjectName && opts.IfNoneMatch:
				return fmt.Errorf("%w: If-None-Match: an object was created concurrently", backend.ErrPreconditionFailed)
			case constraint == constraintObjectName:
				return errRetry // a concurrent writer created it: run again as an update
			}
		}
		if err == nil && also != nil {
			err = also(tx)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("put object %q: %w", path, err)
	}
	return o, nil
}

// DeleteObject removes the object at path, or returns backend.ErrNotFound.
// A non-empty ifMatch makes it conditional on the stored ETag
// (backend.ErrPreconditionFailed otherwise).
func (s *Store) DeleteObject(ctx context.Context, path, ifMatch string) error {
	return s.deleteObject(ctx, path, ifMatch, nil)
}

// deleteObject is DeleteObject; also, when not nil, runs in the same
// transaction after the delete succeeded (DeleteObjectEnqueue queues its
// messages there), and its error rolls the delete back.
func (s *Store) deleteObject(ctx context.Context, path, ifMatch string, also func(tx *txn) error) error {
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil { // nothing can be stored at a malformed path
		return fmt.Errorf("delete object %q: %w (%v)", path, backend.ErrNotFound, err)
	}
	err = s.inTx(ctx, func(tx *txn) error {
		c, err := s.calendarRow(ctx, tx, calPath)
		if err != nil {
			return err
		}
		var (
			id   int64
			etag string
		)
		err = tx.QueryRowContext(ctx, s.q(`SELECT id, etag FROM objects WHERE calendar_id = ? AND name = ?`+s.d.forUpdate), c.id, name).Scan(&id, &etag)
		if errors.Is(err, sql.ErrNoRows) {
			return backend.ErrNotFound
		}
		if err != nil {
			return err
		}
		if ifMatch != "" && ifMatch != etag {
			return fmt.Errorf("%w: If-Match %q, stored ETag %q", backend.ErrPreconditionFailed, ifMatch, etag)
		}
		if _, err = tx.ExecContext(ctx, s.q(`DELETE FROM objects WHERE id = ?`), id); err != nil || also == nil {
			return err
		}
		return also(tx)
	})
	if err != nil {
		return fmt.Errorf("delete object %q: %w", path, err)
	}
	return nil
}

// ObjectsInRange returns the objects of the calendar at calendarPath that
// may have an occurrence overlapping [start, end), judged from the stored
// index: objects without time, unbounded recurrences that start before
// end, and objects whose [first, last] span meets the range. A zero start
// or end leaves that side open. The caller filters the candidates exactly.
func (s *Store) ObjectsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]backend.Object, error) {
	c, err := s.calendarRow(ctx, s.rq, calendarPath)
	if err != nil {
		return nil, err
	}
	// The ids come from index range scans (see rangeQuery); rows are
	// read for the ids found only.
	ids, args := rangeQuery(c.id, start, end)
	rows, err := s.rq.QueryContext(ctx, s.q(`SELECT `+objectColumns+` FROM objects o JOIN calendars c ON c.id = o.calendar_id
		WHERE o.id IN (`+ids+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("objects of %q in range: %w", calendarPath, err)
	}
	objs, err := scanObjects(rows)
	if err != nil {
		return nil, fmt.Errorf("objects of %q in range: %w", calendarPath, err)
	}
	slices.SortFunc(objs, func(a, b backend.Object) int { return strings.Compare(a.Path, b.Path) })
	return objs, nil
}
