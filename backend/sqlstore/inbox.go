package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

const inboxColumns = `i.name, i.data, i.etag, i.mod_time`

func scanSchedulingObject(sc interface{ Scan(...any) error }) (*backend.SchedulingObject, error) {
	var (
		so  backend.SchedulingObject
		mod int64
	)
	if err := sc.Scan(&so.Name, &so.Data, &so.ETag, &mod); err != nil {
		return nil, err
	}
	so.ModTime = time.UnixMicro(mod).UTC()
	so.Size = int64(len(so.Data))
	return &so, nil
}

// SchedulingObject returns the inbox item name of principal, or
// backend.ErrNotFound.
func (s *Store) SchedulingObject(ctx context.Context, principal, name string) (*backend.SchedulingObject, error) {
	so, err := scanSchedulingObject(s.rq.QueryRowContext(ctx, s.q(`SELECT `+inboxColumns+`
		FROM inbox i JOIN principals p ON p.id = i.principal_id
		WHERE p.path = ? AND i.name = ?`), principal, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = backend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("inbox item %q of %q: %w", name, principal, err)
	}
	return so, nil
}

// SchedulingObjects lists the inbox items of principal, least recently
// modified first (ties in write order), or returns backend.ErrNotFound for
// an unknown principal.
func (s *Store) SchedulingObjects(ctx context.Context, principal string) ([]backend.SchedulingObject, error) {
	id, err := s.principalID(ctx, s.rq, principal)
	if err != nil {
		return nil, fmt.Errorf("inbox of %q: %w", principal, err)
	}
	rows, err := s.rq.QueryContext(ctx, s.q(`SELECT `+inboxColumns+` FROM inbox i
		WHERE i.principal_id = ? ORDER BY i.mod_time, i.id`), id)
	if err != nil {
		return nil, fmt.Errorf("inbox of %q: %w", principal, err)
	}
	items, err := scanAll(rows, scanSchedulingObject)
	if err != nil {
		return nil, fmt.Errorf("inbox of %q: %w", principal, err)
	}
	return items, nil
}

// DeleteSchedulingObject removes one inbox item, or returns
// backend.ErrNotFound.
func (s *Store) DeleteSchedulingObject(ctx context.Context, principal, name string) error {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM inbox
			WHERE principal_id = (SELECT id FROM principals WHERE path = ?) AND name = ?`), principal, name)
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
		return fmt.Errorf("delete inbox item %q of %q: %w", name, principal, err)
	}
	return nil
}

// CreateSchedulingObject stores a new inbox item of principal and returns
// its ETag. An item of that name is replaced, and becomes the newest.
// Errors: backend.ErrNotFound (unknown principal), backend.ErrInvalidPath
// (a bad name), backend.ErrInvalidData (empty data) and backend.ErrTooLarge (more than
// backend.DefaultMaxResourceSize).
func (s *Store) CreateSchedulingObject(ctx context.Context, principal, name string, data []byte) (string, error) {
	if err := checkInboxItem(principal, name, data); err != nil {
		return "", err
	}
	etag := newETag()
	data = bytes.Clone(data)
	err := s.inTx(ctx, func(tx *txn) error { return s.insertInboxItem(ctx, tx, principal, name, data, etag) })
	if err != nil {
		return "", fmt.Errorf("create inbox item %q of %q: %w", name, principal, err)
	}
	return etag, nil
}

// checkInboxItem is what CreateSchedulingObject checks before its
// transaction.
func checkInboxItem(principal, name string, data []byte) error {
	if err := backend.CheckName(name); err != nil {
		return fmt.Errorf("create inbox item: %w", err)
	}
	if len(data) == 0 {
		return fmt.Errorf("create inbox item %q of %q: %w: empty scheduling message", name, principal, backend.ErrInvalidData)
	}
	if len(data) > backend.DefaultMaxResourceSize {
		return fmt.Errorf("create inbox item %q of %q: %w: %d octets, limit %d", name, principal, backend.ErrTooLarge, len(data), backend.DefaultMaxResourceSize)
	}
	return nil
}

// insertInboxItem stores data as inbox item name of principal in tx,
// replacing an item of that name.
func (s *Store) insertInboxItem(ctx context.Context, tx *txn, principal, name string, data []byte, etag string) error {
	id, err := s.principalID(ctx, tx, principal)
	if err != nil {
		return err
	}
	// Delete and insert rather than update, so that the replaced item
	// gets a new row id: ties in modification time sort by it.
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM inbox WHERE principal_id = ? AND name = ?`), id, name); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO inbox (principal_id, name, data, etag, mod_time) VALUES (?, ?, ?, ?, ?)`),
		id, name, data, etag, now().UnixMicro())
	if _, ok := uniqueViolation(err); ok {
		return errRetry // a concurrent writer created the same name
	}
	return err
}

// PruneSchedulingObjects removes every inbox item, of every principal,
// last modified before olderThan, and returns how many it removed.
func (s *Store) PruneSchedulingObjects(ctx context.Context, olderThan time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM inbox WHERE mod_time < ?`), olderThan.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune inboxes: %w", err)
	}
	return int(n), nil
}
