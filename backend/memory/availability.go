package memory

import (
	"context"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Availability returns principal's calendar-availability, or
// backend.ErrNotFound when none is set or the principal is unknown.
func (s *Store) Availability(ctx context.Context, principal string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	data, ok := s.availability[principal]
	if !ok {
		return nil, fmt.Errorf("%w: availability of %q", backend.ErrNotFound, principal)
	}
	return cloneBytes(data), nil
}

// SetAvailability stores data as principal's calendar-availability, or
// removes it when data is empty; backend.ErrNotFound for an unknown
// principal.
func (s *Store) SetAvailability(ctx context.Context, principal string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.principals[principal]; !ok {
		return fmt.Errorf("%w: principal %q", backend.ErrNotFound, principal)
	}
	if len(data) == 0 {
		delete(s.availability, principal)
		return nil
	}
	s.availability[principal] = cloneBytes(data)
	return nil
}

var _ backend.AvailabilityStore = (*Store)(nil)
