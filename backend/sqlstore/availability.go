package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Availability returns principal's calendar-availability, or
// backend.ErrNotFound when none is set or the principal is unknown.
func (s *Store) Availability(ctx context.Context, principal string) ([]byte, error) {
	var data []byte
	err := s.rq.QueryRowContext(ctx, s.q(`SELECT a.data FROM availability a
		JOIN principals p ON p.id = a.principal_id WHERE p.path = ?`), principal).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		err = backend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("availability of %q: %w", principal, err)
	}
	return data, nil
}

// SetAvailability stores data as principal's calendar-availability, or
// removes it when data is empty; backend.ErrNotFound for an unknown
// principal.
func (s *Store) SetAvailability(ctx context.Context, principal string, data []byte) error {
	err := s.inTx(ctx, func(tx *txn) error {
		id, err := s.principalID(ctx, tx, principal)
		if err != nil {
			return err
		}
		if len(data) == 0 {
			_, err = tx.ExecContext(ctx, s.q(`DELETE FROM availability WHERE principal_id = ?`), id)
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO availability (principal_id, data) VALUES (?, ?)
			ON CONFLICT (principal_id) DO UPDATE SET data = excluded.data`), id, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("set availability of %q: %w", principal, err)
	}
	return nil
}

var _ backend.AvailabilityStore = (*Store)(nil)
