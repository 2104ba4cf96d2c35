package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Calendars lists the calendars of principal in path order, or returns
// backend.ErrNotFound for an unknown principal.
func (s *Store) Calendars(ctx context.Context, principal string) ([]backend.Calendar, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.principals[principal]; !ok {
		return nil, fmt.Errorf("%w: principal %q", backend.ErrNotFound, principal)
	}
	out := make([]backend.Calendar, 0, len(s.owned[principal]))
	for _, p := range s.sortedCalendars(principal) {
		out = append(out, *cloneCalendar(&s.calendars[p].cal))
	}
	return out, nil
}

// sortedCalendars returns the calendar paths of principal in path order.
// The caller holds s.mu.
func (s *Store) sortedCalendars(principal string) []string {
	paths := make([]string, 0, len(s.owned[principal]))
	for p := range s.owned[principal] {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Calendar returns the calendar at path, or backend.ErrNotFound.
func (s *Store) Calendar(ctx context.Context, path string) (*backend.Calendar, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.calendars[path]
	if !ok {
		return nil, fmt.Errorf("%w: calendar %q", backend.ErrNotFound, path)
	}
	return cloneCalendar(&c.cal), nil
}

// CreateCalendar creates cal in its owner's home. It returns
// backend.ErrNotFound when cal.Owner is unknown, backend.ErrInvalidPath
// when cal.Path is not a direct child of the owner's HomePath (or is the
// inbox or outbox), and backend.ErrExists when a calendar is there.
func (s *Store) CreateCalendar(ctx context.Context, cal *backend.Calendar) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, ok := s.principals[cal.Owner]
	if !ok {
		return fmt.Errorf("%w: owner %q of calendar %q", backend.ErrNotFound, cal.Owner, cal.Path)
	}
	if err := backend.CheckCalendarPath(owner, cal.Path); err != nil {
		return err
	}
	if _, ok := s.calendars[cal.Path]; ok {
		return fmt.Errorf("%w: calendar %q", backend.ErrExists, cal.Path)
	}
	s.calendars[cal.Path] = &calendar{
		cal:     *cloneCalendar(cal),
		objects: map[string]*backend.Object{},
		byUID:   map[string]string{},
	}
	if s.owned[cal.Owner] == nil {
		s.owned[cal.Owner] = map[string]struct{}{}
	}
	s.owned[cal.Owner][cal.Path] = struct{}{}
	return nil
}

// UpdateCalendar replaces the properties of the calendar at cal.Path
// (DisplayName, Description, SupportedComponents, Transparent,
// MaxResourceSize). It returns backend.ErrNotFound when there is none, and
// backend.ErrInvalidPath when cal.Owner is set and is not the owner.
func (s *Store) UpdateCalendar(ctx context.Context, cal *backend.Calendar) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[cal.Path]
	if !ok {
		return fmt.Errorf("%w: calendar %q", backend.ErrNotFound, cal.Path)
	}
	if cal.Owner != "" && cal.Owner != c.cal.Owner {
		return fmt.Errorf("%w: calendar %q belongs to %q, not %q", backend.ErrInvalidPath, cal.Path, c.cal.Owner, cal.Owner)
	}
	owner := c.cal.Owner
	c.cal = *cloneCalendar(cal)
	c.cal.Owner = owner
	return nil
}

// DeleteCalendar removes the calendar at path and its objects, and clears
// its owner's default calendar when it was this one.
func (s *Store) DeleteCalendar(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[path]
	if !ok {
		return fmt.Errorf("%w: calendar %q", backend.ErrNotFound, path)
	}
	delete(s.calendars, path)
	delete(s.owned[c.cal.Owner], path)
	if s.defaults[c.cal.Owner] == path {
		delete(s.defaults, c.cal.Owner)
	}
	return nil
}

// DefaultCalendar returns the path of principal's default calendar, or
// backend.ErrNotFound when the principal is unknown or has none.
func (s *Store) DefaultCalendar(ctx context.Context, principal string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.defaults[principal]; ok {
		return p, nil
	}
	return "", fmt.Errorf("%w: default calendar of %q", backend.ErrNotFound, principal)
}

// SetDefaultCalendar makes the calendar at path principal's default. It
// returns backend.ErrNotFound unless path is a calendar of principal.
func (s *Store) SetDefaultCalendar(ctx context.Context, principal, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.owned[principal][path]; !ok {
		return fmt.Errorf("%w: calendar %q of %q", backend.ErrNotFound, path, principal)
	}
	s.defaults[principal] = path
	return nil
}
