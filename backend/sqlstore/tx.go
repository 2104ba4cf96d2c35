package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// errRetry asks inTx to run the transaction again: it lost a race that a
// fresh attempt resolves (two creators of the same resource name).
var errRetry = errors.New("sqlstore: retry transaction")

// maxAttempts bounds how often inTx runs a transaction that keeps
// failing with a transient error.
const maxAttempts = 8

// inTx runs fn in a write transaction and commits it. It retries the
// whole transaction on transient failures (serialization failure or
// deadlock in PostgreSQL, a busy database in SQLite, errRetry).
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) error {
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !s.transient(err) || attempt == maxAttempts {
			if errors.Is(err, errRetry) {
				err = fmt.Errorf("sqlstore: gave up after %d attempts: %w", attempt, err)
			}
			return err
		}
		s.log.DebugContext(ctx, "sqlstore: retrying transaction", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// tryTx runs fn once: in the next group commit (SQLite), or in a
// transaction of its own.
func (s *Store) tryTx(ctx context.Context, fn func(tx *txn) error) error {
	if s.group != nil {
		return s.group.run(ctx, fn)
	}
	return s.singleTx(ctx, fn)
}

// singleTx runs fn in one transaction, then prepares the statements fn
// ran unprepared (which needs the connection the transaction held).
func (s *Store) singleTx(ctx context.Context, fn func(tx *txn) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &txn{Tx: sqlTx, stmts: s.wq}
	defer func() { s.wq.prepareMissed(ctx, tx.missed) }()
	if err := fn(tx); err != nil {
		if rbErr := ignoreDone(tx.Rollback()); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return tx.Commit()
}

// ignoreDone drops the error Rollback returns when the transaction has
// already ended (for example because its context was cancelled).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
