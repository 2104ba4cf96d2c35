package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Compile-time check that the store keeps a delivery queue.
var _ backend.Outbox = (*Store)(nil)

// The outbox table (schema version 2, previous added in 3) holds one row
// per queued message; previous is NULL when the message has none.
// Its id gives the order; pair_key is a hash of
// backend.OutboundMessage.PairKey (see pairKey);
// times are Unix microseconds, 0 for "none"; lease is "" and lease_until
// 0 while no claim holds the row.

// PutObjectEnqueue stores the object like PutObject and queues msgs in
// the same transaction: when the write fails, nothing is queued, and when
// queuing fails, nothing is written.
func (s *Store) PutObjectEnqueue(ctx context.Context, path string, data []byte, opts *backend.PutOptions, msgs []backend.OutboundMessage) (*backend.Object, error) {
	if err := checkMessages(msgs); err != nil {
		return nil, err
	}
	return s.putObject(ctx, path, data, opts, func(tx *txn) error { return s.enqueue(ctx, tx, msgs) })
}

// DeleteObjectEnqueue deletes the object like DeleteObject and queues
// msgs in the same transaction: when the delete fails, nothing is queued,
// and when queuing fails, nothing is deleted.
func (s *Store) DeleteObjectEnqueue(ctx context.Context, path, ifMatch string, msgs []backend.OutboundMessage) error {
	if err := checkMessages(msgs); err != nil {
		return err
	}
	return s.deleteObject(ctx, path, ifMatch, func(tx *txn) error { return s.enqueue(ctx, tx, msgs) })
}

// Enqueue queues msgs in one transaction, all or none.
func (s *Store) Enqueue(ctx context.Context, msgs []backend.OutboundMessage) error {
	if err := checkMessages(msgs); err != nil {
		return err
	}
	if err := s.inTx(ctx, func(tx *txn) error { return s.enqueue(ctx, tx, msgs) }); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

func checkMessages(msgs []backend.OutboundMessage) error {
	for i := range msgs {
		if err := backend.CheckOutboundMessage(&msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

// enqueue inserts msgs in tx. A message whose ID is queued already is left
// out; a superseding message first deletes the pair's unleased REQUESTs.
func (s *Store) enqueue(ctx context.Context, tx *txn, msgs []backend.OutboundMessage) error {
	stamp := now()
	for i := range msgs {
		m := &msgs[i]
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM outbox WHERE msg_id = ?`), m.ID).Scan(&one)
		if err == nil {
			continue // queued already: enqueuing is idempotent
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		enq := m.Enqueued
		if enq.IsZero() {
			enq = stamp
		}
		key := pairKey(m.UID, m.Recipient)
		previous := m.Previous
		if m.Supersedes {
			prev, dropped, err := s.dropSuperseded(ctx, tx, key, m.Sender, enq)
			if err != nil {
				return err
			}
			if dropped {
				previous = prev
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (msg_id, pair_key, sender, object_path, uid, recipient,
			method, supersedes, data, previous, enqueued, attempts, next_attempt, last_error, lease, lease_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', '', 0) ON CONFLICT (msg_id) DO NOTHING`),
			m.ID, key, m.Sender, m.ObjectPath, m.UID, m.Recipient, m.Method, m.Supersedes, m.Data, nullBytes(previous),
			enq.UnixMicro(), micros(m.NextAttempt)); err != nil {
			return err
		}
	}
	return nil
}

// dropSuperseded deletes in tx the REQUESTs of the pair key from sender
// that no lease holds at time at, and returns the previous column of the
// oldest of them and whether there was one.
func (s *Store) dropSuperseded(ctx context.Context, tx *txn, key, sender string, at time.Time) (prev []byte, dropped bool, err error) {
	rows, err := tx.QueryContext(ctx, s.q(`DELETE FROM outbox
		WHERE pair_key = ? AND sender = ? AND method = 'REQUEST' AND lease_until <= ? RETURNING id, previous`), key, sender, at.UnixMicro())
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var oldest int64
	for rows.Next() {
		var (
			id int64
			p  []byte
		)
		if err := rows.Scan(&id, &p); err != nil {
			return nil, false, err
		}
		if !dropped || id < oldest {
			oldest, prev, dropped = id, p, true
		}
	}
	return prev, dropped, rows.Err()
}

// nullBytes returns b for a nullable BLOB column: nil (NULL) when empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// pairKey returns the stored form of the ordering key of uid and
// recipient: the SHA-256 of backend.OutboundMessage.PairKey in hex, of
// fixed length and free of the NUL that PairKey uses as separator.
func pairKey(uid, recipient string) string {
	sum := sha256.Sum256([]byte((&backend.OutboundMessage{UID: uid, Recipient: recipient}).PairKey()))
	return hex.EncodeToString(sum[:])
}

// micros returns t in Unix microseconds, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros, in UTC.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// claimColumns are what Claim returns of each row, in scanClaimed order.
const claimColumns = `id, msg_id, sender, object_path, uid, recipient, method, supersedes, data, previous,
	enqueued, attempts, next_attempt, last_error`

// claimable selects the ids Claim takes: due, not leased, and the oldest
// of their pair, oldest first.
const claimable = `SELECT id FROM outbox o
	WHERE o.next_attempt <= ? AND o.lease_until <= ?
	AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.pair_key = o.pair_key AND p.id < o.id)
	ORDER BY o.id LIMIT ?`

// Claim leases up to limit due messages, oldest first, of which each is
// the oldest of its pair, in one statement. On PostgreSQL the candidate
// rows are locked with FOR UPDATE SKIP LOCKED, so concurrent claimers in
// any number of processes take disjoint sets without waiting for each
// other; SQLite runs write transactions one at a time.
func (s *Store) Claim(ctx context.Context, at time.Time, limit int, lease time.Duration) ([]backend.OutboundMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("%w: lease of %v", backend.ErrInvalidData, lease)
	}
	nowUS, until := at.UnixMicro(), at.Add(lease).UnixMicro()
	token := "l" + rand.Text()
	query := `UPDATE outbox SET attempts = attempts + 1, lease = ?, lease_until = ?
		WHERE id IN (` + claimable + `) RETURNING ` + claimColumns
	if s.d.name == "postgres" {
		// A CTE runs the locking SELECT exactly once.
		query = `WITH c AS (` + claimable + ` FOR UPDATE SKIP LOCKED)
			UPDATE outbox SET attempts = attempts + 1, lease = ?, lease_until = ?
			FROM c WHERE outbox.id = c.id RETURNING outbox.` + strings.ReplaceAll(claimColumns, ", ", ", outbox.")
	}
	var out []backend.OutboundMessage
	err := s.inTx(ctx, func(tx *txn) error {
		out = out[:0]
		args := []any{token, until, nowUS, nowUS, limit}
		if s.d.name == "postgres" {
			args = []any{nowUS, nowUS, limit, token, until}
		}
		rows, err := tx.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var order []int64
		for rows.Next() {
			var (
				m          backend.OutboundMessage
				id         int64
				enq, next  int64
				supersedes bool
			)
			if err := rows.Scan(&id, &m.ID, &m.Sender, &m.ObjectPath, &m.UID, &m.Recipient, &m.Method, &supersedes, &m.Data, &m.Previous,
				&enq, &m.Attempts, &next, &m.LastError); err != nil {
				return err
			}
			m.Supersedes, m.Enqueued, m.NextAttempt, m.Lease = supersedes, fromMicros(enq), fromMicros(next), token
			out = append(out, m)
			order = append(order, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// RETURNING has no order: restore the queue's.
		sort.Sort(byID{order, out})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return out, nil
}

// byID sorts claimed messages by their row id.
type byID struct {
	ids  []int64
	msgs []backend.OutboundMessage
}

func (b byID) Len() int           { return len(b.ids) }
func (b byID) Less(i, j int) bool { return b.ids[i] < b.ids[j] }
func (b byID) Swap(i, j int) {
	b.ids[i], b.ids[j] = b.ids[j], b.ids[i]
	b.msgs[i], b.msgs[j] = b.msgs[j], b.msgs[i]
}

// leased runs an UPDATE or DELETE of the message id under lease and
// returns backend.ErrLeaseLost when no row matched.
func (s *Store) leased(ctx context.Context, what, query, id, lease string, args ...any) error {
	if lease == "" {
		return fmt.Errorf("%s %q: %w", what, id, backend.ErrLeaseLost)
	}
	res, err := s.wq.ExecContext(ctx, s.q(query), append(args, id, lease)...)
	if err != nil {
		return fmt.Errorf("%s %q: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %q: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %q: %w", what, id, backend.ErrLeaseLost)
	}
	return nil
}

// completeChunk bounds the IDs of one DELETE statement.
const completeChunk = 500

// Complete removes the claimed messages ids that lease holds, with one
// statement per 500 IDs.
func (s *Store) Complete(ctx context.Context, lease string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if lease == "" {
		return fmt.Errorf("complete: %w: empty lease", backend.ErrLeaseLost)
	}
	var done int64
	for start := 0; start < len(ids); start += completeChunk {
		chunk := ids[start:min(start+completeChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, lease)
		for _, id := range chunk {
			args = append(args, id)
		}
		res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE lease = ? AND msg_id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`), args...)
		if err != nil {
			return fmt.Errorf("complete: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("complete: %w", err)
		}
		done += n
	}
	if done < int64(len(ids)) {
		return fmt.Errorf("complete: %w: %d of %d messages", backend.ErrLeaseLost, int64(len(ids))-done, len(ids))
	}
	return nil
}

// Retry makes a claimed message due again at next; a REQUEST that a newer
// superseding message of its pair and sender waits behind is deleted
// instead, the newer one taking its previous column (see backend.Outbox).
func (s *Store) Retry(ctx context.Context, id, lease string, next time.Time, lastErr string) error {
	if lease == "" {
		return fmt.Errorf("retry %q: %w", id, backend.ErrLeaseLost)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var (
			row                 int64
			key, sender, method string
			previous            []byte
		)
		err := tx.QueryRowContext(ctx, s.q(`SELECT id, pair_key, sender, method, previous FROM outbox WHERE msg_id = ? AND lease = ?`),
			id, lease).Scan(&row, &key, &sender, &method, &previous)
		if errors.Is(err, sql.ErrNoRows) {
			return backend.ErrLeaseLost
		}
		if err != nil {
			return err
		}
		if method == "REQUEST" {
			// A newer superseding message makes this one obsolete.
			var newer int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM outbox WHERE pair_key = ? AND sender = ? AND supersedes AND id > ?
				ORDER BY id LIMIT 1`), key, sender, row).Scan(&newer)
			if err == nil {
				if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE id = ?`), row); err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET previous = ? WHERE id = ?`), nullBytes(previous), newer)
				return err
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET next_attempt = ?, last_error = ?, lease = '', lease_until = 0 WHERE id = ?`),
			micros(next), backend.TruncateError(lastErr), row)
		return err
	})
	if err != nil {
		return fmt.Errorf("retry %q: %w", id, err)
	}
	return nil
}

// Release gives a claimed message back unsent, due at once.
func (s *Store) Release(ctx context.Context, id, lease string) error {
	return s.leased(ctx, "release", `UPDATE outbox SET attempts = attempts - 1, next_attempt = 0, lease = '', lease_until = 0
		WHERE msg_id = ? AND lease = ?`, id, lease)
}

// Queued counts the messages queued for uid and recipient.
func (s *Store) Queued(ctx context.Context, uid, recipient string) (int, error) {
	key := pairKey(uid, recipient)
	var n int
	if err := s.rq.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM outbox WHERE pair_key = ?`), key).Scan(&n); err != nil {
		return 0, fmt.Errorf("queued: %w", err)
	}
	return n, nil
}

// QueuedFor counts the messages queued for uid and recipient whose
// ObjectPath is objectPath, claimed or not (queue.ObjectQueue).
func (s *Store) QueuedFor(ctx context.Context, objectPath, uid, recipient string) (int, error) {
	var n int
	if err := s.rq.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM outbox WHERE pair_key = ? AND object_path = ?`),
		pairKey(uid, recipient), objectPath).Scan(&n); err != nil {
		return 0, fmt.Errorf("queued for %s: %w", objectPath, err)
	}
	return n, nil
}
