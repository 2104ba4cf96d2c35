package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// principalColumns are the principals columns principalFrom scans, in order.
const principalColumns = `p.id, p.path, p.display_name, p.type, p.home_path, p.inbox_path, p.outbox_path`

// principalQuery selects the principal whose row id the subquery where
// yields, one row per address in order (one row with a NULL address when
// it has none), for principalFrom: a principal and its addresses come in
// one query, through the primary keys.
func principalQuery(where string) string {
	return `SELECT ` + principalColumns + `, a.address FROM principals p
		LEFT JOIN principal_addresses a ON a.principal_id = p.id
		WHERE p.id = (` + where + `) ORDER BY a.seq`
}

// PrincipalByAddress returns the principal that has addr among its
// addresses (compared in backend.AddressKey form; the principal's Path is
// always one), or backend.ErrNotFound.
func (s *Store) PrincipalByAddress(ctx context.Context, addr string) (*backend.Principal, error) {
	key := backend.AddressKey(addr)
	if key == "" {
		return nil, fmt.Errorf("principal with address %q: %w", addr, backend.ErrNotFound)
	}
	rows, err := s.rq.QueryContext(ctx, s.q(principalQuery(`SELECT principal_id FROM principal_keys WHERE address_key = ?`)), key)
	p, err := principalFrom(rows, err)
	if err != nil {
		return nil, fmt.Errorf("principal with address %q: %w", addr, err)
	}
	return p, nil
}

// PrincipalByPath returns the principal whose Path, HomePath, InboxPath
// or OutboxPath is path, or backend.ErrNotFound.
func (s *Store) PrincipalByPath(ctx context.Context, path string) (*backend.Principal, error) {
	if path == "" {
		return nil, fmt.Errorf("principal at %q: %w", path, backend.ErrNotFound)
	}
	rows, err := s.rq.QueryContext(ctx, s.q(principalQuery(`SELECT id FROM principals
		WHERE path = ? OR home_path = ? OR inbox_path = ? OR outbox_path = ?
		ORDER BY path <> ?, id LIMIT 1`)), path, path, path, path, path)
	p, err := principalFrom(rows, err)
	if err != nil {
		return nil, fmt.Errorf("principal at %q: %w", path, err)
	}
	return p, nil
}

// principalFrom reads the rows of a principalQuery (closing them), or
// returns err when the query failed, or backend.ErrNotFound when there
// are no rows.
func principalFrom(rows *sql.Rows, err error) (*backend.Principal, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var p *backend.Principal
	for rows.Next() {
		var (
			id   int64
			row  backend.Principal
			addr sql.NullString
		)
		if err := rows.Scan(&id, &row.Path, &row.DisplayName, &row.Type, &row.HomePath, &row.InboxPath, &row.OutboxPath, &addr); err != nil {
			return nil, err
		}
		if p == nil {
			p = &row
		}
		if addr.Valid {
			p.Addresses = append(p.Addresses, addr.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, backend.ErrNotFound
	}
	return p, nil
}

// PutPrincipal creates p, or replaces the principal with the same Path
// (keeping its calendars, default calendar and inbox). It returns
// backend.ErrInvalidPath when p's paths are malformed
// (backend.CheckPrincipal) and backend.ErrAddressInUse when one of its
// addresses, or its Path, is an address of another principal.
func (s *Store) PutPrincipal(ctx context.Context, p *backend.Principal) error {
	if err := backend.CheckPrincipal(p); err != nil {
		return err
	}
	keys := p.AddressKeys()
	err := s.inTx(ctx, func(tx *txn) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO principals (path, display_name, type, home_path, inbox_path, outbox_path)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (path) DO UPDATE SET display_name = excluded.display_name, type = excluded.type,
				home_path = excluded.home_path, inbox_path = excluded.inbox_path, outbox_path = excluded.outbox_path
			RETURNING id`),
			p.Path, p.DisplayName, p.Type, p.HomePath, p.InboxPath, p.OutboxPath).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM principal_addresses WHERE principal_id = ?`), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM principal_keys WHERE principal_id = ?`), id); err != nil {
			return err
		}
		for i, a := range p.Addresses {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO principal_addresses (principal_id, seq, address) VALUES (?, ?, ?)`), id, i, a); err != nil {
				return err
			}
		}
		for _, k := range keys {
			var owner string
			err := tx.QueryRowContext(ctx, s.q(`SELECT p.path FROM principal_keys k JOIN principals p ON p.id = k.principal_id
				WHERE k.address_key = ?`), k).Scan(&owner)
			if err == nil {
				return fmt.Errorf("%w: %q is an address of %s", backend.ErrAddressInUse, k, owner)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO principal_keys (address_key, principal_id) VALUES (?, ?)`), k, id); err != nil {
				if c, ok := uniqueViolation(err); ok && c == constraintAddressKey {
					// A concurrent writer took the address first.
					return fmt.Errorf("%w: %q", backend.ErrAddressInUse, k)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put principal %s: %w", p.Path, err)
	}
	return nil
}

// Provision stores p and gives it a default calendar; see
// backend.Provision.
func (s *Store) Provision(ctx context.Context, p *backend.Principal) error {
	return backend.Provision(ctx, s, p)
}

// principalID returns the row id of the principal at path.
func (s *Store) principalID(ctx context.Context, q querier, path string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, s.q(`SELECT id FROM principals WHERE path = ?`), path).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("principal %q: %w", path, backend.ErrNotFound)
	}
	return id, err
}

// querier is what *statementCache and *txn share (and *sql.DB and *sql.Tx).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
