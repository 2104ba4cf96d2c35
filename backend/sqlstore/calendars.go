package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

const calendarColumns = `c.path, p.path, c.display_name, c.description, c.components, c.transparent, c.max_resource_size, c.time_zone`

// scanCalendar reads one row of calendarColumns.
func scanCalendar(sc interface{ Scan(...any) error }) (*backend.Calendar, error) {
	var (
		cal   backend.Calendar
		comps string
	)
	if err := sc.Scan(&cal.Path, &cal.Owner, &cal.DisplayName, &cal.Description, &comps, &cal.Transparent, &cal.MaxResourceSize, &cal.TimeZone); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(comps), &cal.SupportedComponents); err != nil {
		return nil, fmt.Errorf("calendar %s: stored component list: %w", cal.Path, err)
	}
	return &cal, nil
}

// encodeComponents is how SupportedComponents is stored: a JSON array,
// "[]" for none.
func encodeComponents(comps []string) string {
	if len(comps) == 0 {
		return "[]"
	}
	b, err := json.Marshal(comps)
	if err != nil { // a []string always marshals
		return "[]"
	}
	return string(b)
}

// Calendars lists the calendars of principal in path order (not the inbox
// or outbox), or returns backend.ErrNotFound for an unknown principal.
func (s *Store) Calendars(ctx context.Context, principal string) ([]backend.Calendar, error) {
	id, err := s.principalID(ctx, s.rq, principal)
	if err != nil {
		return nil, err
	}
	rows, err := s.rq.QueryContext(ctx, s.q(`SELECT `+calendarColumns+`
		FROM calendars c JOIN principals p ON p.id = c.principal_id
		WHERE c.principal_id = ? ORDER BY c.path`), id)
	if err != nil {
		return nil, fmt.Errorf("calendars of %s: %w", principal, err)
	}
	cals, err := scanAll(rows, scanCalendar)
	if err != nil {
		return nil, fmt.Errorf("calendars of %s: %w", principal, err)
	}
	return cals, nil
}

// Calendar returns the calendar collection at path, or backend.ErrNotFound.
func (s *Store) Calendar(ctx context.Context, path string) (*backend.Calendar, error) {
	cal, err := scanCalendar(s.rq.QueryRowContext(ctx, s.q(`SELECT `+calendarColumns+`
		FROM calendars c JOIN principals p ON p.id = c.principal_id WHERE c.path = ?`), path))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("calendar %q: %w", path, backend.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", path, err)
	}
	return cal, nil
}

// CreateCalendar creates cal, owned by the principal cal.Owner. The path
// must be a direct child of the owner's HomePath that is neither inbox nor
// outbox (backend.ErrInvalidPath); it returns backend.ErrNotFound for an
// unknown owner and backend.ErrExists when the calendar exists.
func (s *Store) CreateCalendar(ctx context.Context, cal *backend.Calendar) error {
	if cal == nil {
		return fmt.Errorf("create calendar: %w: nil calendar", backend.ErrInvalidPath)
	}
	if err := backend.CheckCollectionPath(cal.Path); err != nil {
		return fmt.Errorf("create calendar: %w", err)
	}
	owner, err := s.PrincipalByPath(ctx, cal.Owner)
	if err != nil || owner.Path != cal.Owner {
		return fmt.Errorf("create calendar %s: owner %q: %w", cal.Path, cal.Owner, backend.ErrNotFound)
	}
	if err := backend.CheckCalendarPath(owner, cal.Path); err != nil {
		return fmt.Errorf("create calendar: %w", err)
	}
	err = s.inTx(ctx, func(tx *txn) error {
		id, err := s.principalID(ctx, tx, cal.Owner)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO calendars
			(principal_id, path, display_name, description, components, transparent, max_resource_size, time_zone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			id, cal.Path, cal.DisplayName, cal.Description, encodeComponents(cal.SupportedComponents), cal.Transparent, cal.MaxResourceSize, cal.TimeZone)
		if c, ok := uniqueViolation(err); ok && c == constraintCalendarPath {
			return backend.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create calendar %s: %w", cal.Path, err)
	}
	return nil
}

// UpdateCalendar replaces the properties of the calendar at cal.Path (its
// owner does not change), or returns backend.ErrNotFound.
func (s *Store) UpdateCalendar(ctx context.Context, cal *backend.Calendar) error {
	if cal == nil {
		return fmt.Errorf("update calendar: %w: nil calendar", backend.ErrInvalidPath)
	}
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE calendars SET display_name = ?, description = ?, components = ?,
			transparent = ?, max_resource_size = ?, time_zone = ? WHERE path = ?`),
			cal.DisplayName, cal.Description, encodeComponents(cal.SupportedComponents), cal.Transparent, cal.MaxResourceSize, cal.TimeZone, cal.Path)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = backend.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("update calendar %q: %w", cal.Path, err)
	}
	return nil
}

// DeleteCalendar removes the calendar at path, every object in it, and
// the owner's default-calendar setting when it named this calendar.
func (s *Store) DeleteCalendar(ctx context.Context, path string) error {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		// Objects and the default setting go by ON DELETE CASCADE, in
		// this transaction.
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM calendars WHERE path = ?`), path)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = backend.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete calendar %q: %w", path, err)
	}
	return nil
}

// DefaultCalendar returns the path of principal's default calendar, or
// backend.ErrNotFound when none is set (or the principal is unknown).
func (s *Store) DefaultCalendar(ctx context.Context, principal string) (string, error) {
	var path string
	err := s.rq.QueryRowContext(ctx, s.q(`SELECT c.path FROM default_calendars d
		JOIN principals p ON p.id = d.principal_id JOIN calendars c ON c.id = d.calendar_id
		WHERE p.path = ?`), principal).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		err = backend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("default calendar of %q: %w", principal, err)
	}
	return path, nil
}

// SetDefaultCalendar makes the calendar at path principal's default. The
// calendar must be one of principal's (backend.ErrNotFound otherwise).
func (s *Store) SetDefaultCalendar(ctx context.Context, principal, path string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		pid, err := s.principalID(ctx, tx, principal)
		if err != nil {
			return err
		}
		var cid int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM calendars WHERE path = ? AND principal_id = ?`), path, pid).Scan(&cid)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("calendar %q of %q: %w", path, principal, backend.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO default_calendars (principal_id, calendar_id) VALUES (?, ?)
			ON CONFLICT (principal_id) DO UPDATE SET calendar_id = excluded.calendar_id`), pid, cid)
		return err
	})
	if err != nil {
		return fmt.Errorf("set default calendar of %q: %w", principal, err)
	}
	return nil
}
