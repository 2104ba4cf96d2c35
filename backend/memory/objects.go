package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Object returns the object at path, or backend.ErrNotFound.
func (s *Store) Object(ctx context.Context, path string) (*backend.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil {
		return nil, &notFound{what: "object", key: path}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c, ok := s.calendars[calPath]; ok {
		if o, ok := c.objects[name]; ok {
			return cloneObject(o), nil
		}
	}
	return nil, &notFound{what: "object", key: path}
}

// Objects lists the objects of the calendar at calendarPath in path order,
// or returns backend.ErrNotFound.
func (s *Store) Objects(ctx context.Context, calendarPath string) ([]backend.Object, error) {
	return s.selectObjects(ctx, calendarPath, func(*backend.Object) bool { return true })
}

// ObjectsInRange returns the objects of the calendar at calendarPath whose
// Index overlaps [start, end) (backend.Index.Overlaps), in path order.
func (s *Store) ObjectsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]backend.Object, error) {
	return s.selectObjects(ctx, calendarPath, func(o *backend.Object) bool { return o.Index.Overlaps(start, end) })
}

func (s *Store) selectObjects(ctx context.Context, calendarPath string, keep func(*backend.Object) bool) ([]backend.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.calendars[calendarPath]
	if !ok {
		return nil, fmt.Errorf("%w: calendar %q", backend.ErrNotFound, calendarPath)
	}
	kept := make([]*backend.Object, 0, len(c.objects))
	for _, o := range c.objects {
		if keep(o) {
			kept = append(kept, o)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Path < kept[j].Path })
	out := make([]backend.Object, len(kept))
	for i, o := range kept {
		out[i] = *o
		out[i].Data = cloneBytes(o.Data)
	}
	return out, nil
}

// ObjectByUID finds the object with UID uid in the calendars of principal:
// in its default calendar first, then in path order. It returns
// backend.ErrNotFound when there is none.
func (s *Store) ObjectByUID(ctx context.Context, principal, uid string) (*backend.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if def, ok := s.defaults[principal]; ok {
		if o := s.calendars[def].byUIDObject(uid); o != nil {
			return cloneObject(o), nil
		}
	}
	var found *backend.Object
	for p := range s.owned[principal] {
		if o := s.calendars[p].byUIDObject(uid); o != nil && (found == nil || o.Path < found.Path) {
			found = o
		}
	}
	if found != nil {
		return cloneObject(found), nil
	}
	return nil, &notFound{what: "UID", key: uid, owner: principal}
}

func (c *calendar) byUIDObject(uid string) *backend.Object {
	if c == nil {
		return nil
	}
	if name, ok := c.byUID[uid]; ok {
		return c.objects[name]
	}
	return nil
}

// PutObject creates or replaces the object at path. Besides the errors
// of backend.CalendarStore, it returns those of backend.CheckObject
// (invalid data, unsupported component, too large), backend.ErrInvalidPath
// for a malformed path and backend.ErrNotFound when the calendar does not
// exist. The index is computed before the store is locked.
func (s *Store) PutObject(ctx context.Context, path string, data []byte, opts *backend.PutOptions) (*backend.Object, error) {
	return s.putObject(ctx, path, data, opts, nil)
}

// putObject is PutObject; also, when not nil, runs under the same lock
// after the write succeeded (PutObjectEnqueue queues its messages there).
func (s *Store) putObject(ctx context.Context, path string, data []byte, opts *backend.PutOptions, also func()) (*backend.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &backend.PutOptions{}
	}
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx, calPath)
	if err != nil {
		return nil, err
	}
	idx, err := backend.CheckObject(ctx, cal, data, opts)
	if err != nil {
		return nil, err
	}
	data = cloneBytes(data)

	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[calPath]
	if !ok {
		return nil, fmt.Errorf("%w: calendar %q", backend.ErrNotFound, calPath)
	}
	// The calendar may have changed while the index was computed.
	if int64(len(data)) > c.cal.MaxSize() {
		return nil, fmt.Errorf("%w: %d octets, calendar %s accepts %d", backend.ErrTooLarge, len(data), calPath, c.cal.MaxSize())
	}
	if !c.cal.Supports(idx.Component) {
		return nil, fmt.Errorf("%w: %s in calendar %s", backend.ErrUnsupportedComponent, idx.Component, calPath)
	}
	old := c.objects[name]
	switch {
	case opts.IfNoneMatch && old != nil:
		return nil, fmt.Errorf("%w: %q exists", backend.ErrPreconditionFailed, path)
	case opts.IfMatch != "" && old == nil:
		return nil, fmt.Errorf("%w: object %q (If-Match %q)", backend.ErrNotFound, path, opts.IfMatch)
	case opts.IfMatch != "" && old.ETag != opts.IfMatch:
		return nil, fmt.Errorf("%w: %q has ETag %q, not %q", backend.ErrPreconditionFailed, path, old.ETag, opts.IfMatch)
	}
	if holder, ok := c.byUID[idx.UID]; ok && holder != name {
		return nil, fmt.Errorf("%w: UID %q is already used by %s%s", backend.ErrUIDConflict, idx.UID, calPath, holder)
	}
	mod, etag := s.stamp()
	o := &backend.Object{Path: path, Data: data, ETag: etag, ScheduleTag: opts.ScheduleTag, ModTime: mod, Index: idx}
	if old != nil && old.UID != idx.UID {
		delete(c.byUID, old.UID)
	}
	c.objects[name] = o
	c.byUID[idx.UID] = name
	if also != nil {
		also()
	}
	return cloneObject(o), nil
}

// DeleteObject removes the object at path; a non-empty ifMatch must equal
// its ETag (backend.ErrPreconditionFailed otherwise).
func (s *Store) DeleteObject(ctx context.Context, path, ifMatch string) error {
	return s.deleteObject(ctx, path, ifMatch, nil)
}

// deleteObject is DeleteObject; also, when not nil, runs under the same
// lock after the delete succeeded (DeleteObjectEnqueue queues its
// messages there).
func (s *Store) deleteObject(ctx context.Context, path, ifMatch string, also func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	calPath, name, err := backend.SplitObjectPath(path)
	if err != nil {
		return fmt.Errorf("%w: object %q", backend.ErrNotFound, path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[calPath]
	if !ok || c.objects[name] == nil {
		return fmt.Errorf("%w: object %q", backend.ErrNotFound, path)
	}
	o := c.objects[name]
	if ifMatch != "" && o.ETag != ifMatch {
		return fmt.Errorf("%w: %q has ETag %q, not %q", backend.ErrPreconditionFailed, path, o.ETag, ifMatch)
	}
	delete(c.objects, name)
	delete(c.byUID, o.UID)
	if also != nil {
		also()
	}
	return nil
}
