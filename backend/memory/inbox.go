package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// SchedulingObject returns the inbox item name of principal, or
// backend.ErrNotFound.
func (s *Store) SchedulingObject(ctx context.Context, principal, name string) (*backend.SchedulingObject, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.inboxes[principal][name]
	if !ok {
		return nil, fmt.Errorf("%w: inbox item %q of %q", backend.ErrNotFound, name, principal)
	}
	o := it.obj
	o.Data = cloneBytes(o.Data)
	return &o, nil
}

// SchedulingObjects lists the inbox of principal, oldest first (by last
// write; an item replaced by CreateSchedulingObject is the newest).
func (s *Store) SchedulingObjects(ctx context.Context, principal string) ([]backend.SchedulingObject, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	inbox, ok := s.inboxes[principal]
	if !ok {
		return nil, fmt.Errorf("%w: principal %q", backend.ErrNotFound, principal)
	}
	items := make([]*inboxItem, 0, len(inbox))
	for _, it := range inbox {
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].seq < items[j].seq })
	out := make([]backend.SchedulingObject, len(items))
	for i, it := range items {
		out[i] = it.obj
		out[i].Data = cloneBytes(it.obj.Data)
	}
	return out, nil
}

// DeleteSchedulingObject removes one inbox item, or returns
// backend.ErrNotFound.
func (s *Store) DeleteSchedulingObject(ctx context.Context, principal, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.inboxes[principal][name]; !ok {
		return fmt.Errorf("%w: inbox item %q of %q", backend.ErrNotFound, name, principal)
	}
	delete(s.inboxes[principal], name)
	return nil
}

// CreateSchedulingObject stores data as inbox item name of principal,
// replacing an item of that name, and returns its ETag. It returns
// backend.ErrNotFound for an unknown principal, backend.ErrInvalidPath for
// a bad name and backend.ErrInvalidData for empty data.
func (s *Store) CreateSchedulingObject(ctx context.Context, principal, name string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := checkInboxItem(name, data); err != nil {
		return "", err
	}
	data = cloneBytes(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addInboxItem(principal, name, data)
}

// checkInboxItem is what CreateSchedulingObject checks before locking.
func checkInboxItem(name string, data []byte) error {
	if err := backend.CheckName(name); err != nil {
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("%w: empty scheduling message", backend.ErrInvalidData)
	}
	return nil
}

// addInboxItem stores data (owned by the store) as inbox item name of
// principal. The caller holds s.mu for writing.
func (s *Store) addInboxItem(principal, name string, data []byte) (string, error) {
	inbox, ok := s.inboxes[principal]
	if !ok {
		return "", fmt.Errorf("%w: principal %q", backend.ErrNotFound, principal)
	}
	mod, etag := s.stamp()
	inbox[name] = &inboxItem{
		obj: backend.SchedulingObject{Name: name, Data: data, ETag: etag, ModTime: mod, Size: int64(len(data))},
		seq: s.seq,
	}
	return etag, nil
}

// PruneSchedulingObjects removes every inbox item last written before
// olderThan and returns how many it removed.
func (s *Store) PruneSchedulingObjects(ctx context.Context, olderThan time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, inbox := range s.inboxes {
		for name, it := range inbox {
			if it.obj.ModTime.Before(olderThan) {
				delete(inbox, name)
				n++
			}
		}
	}
	return n, nil
}
