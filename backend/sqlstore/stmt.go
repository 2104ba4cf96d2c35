package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStatements bounds a statementCache. The store's queries are
// fixed texts (a few dozen), so the bound is only reached by a caller
// that builds query texts; those run unprepared once it is.
const maxCachedStatements = 256

// statementCache runs queries on one *sql.DB through statements prepared
// once and reused, so that the database parses each query text once per
// connection instead of on every call (database/sql prepares a cached
// *sql.Stmt again, transparently, on each connection that runs it).
// Queries are keyed by their text, already rebound for the dialect. It
// implements querier, and is safe for concurrent use.
type statementCache struct {
	db *sql.DB
	// uncancelled makes statements run with their context's values but
	// not its cancellation, once the context is checked not to have
	// ended (runContext). database/sql and the SQLite driver each start
	// a goroutine per statement to watch a cancellable context; a
	// SQLite statement waits for no network and runs to its end in
	// microseconds, so watching is pure cost: about twenty goroutines
	// per scheduling request, each queued ahead of the requests' own.
	uncancelled bool
	mu          sync.RWMutex
	stmts       map[string]*sql.Stmt
	closed      bool
}

// newStatementCache returns an empty cache for db; see
// statementCache.uncancelled.
func newStatementCache(db *sql.DB, uncancelled bool) *statementCache {
	return &statementCache{db: db, uncancelled: uncancelled, stmts: make(map[string]*sql.Stmt)}
}

// runContext is the context a statement runs with: ctx, or, when the
// cache runs statements uncancelled and ctx has not ended, ctx without
// its cancellation. An ended ctx is kept, so that the statement fails
// with its error at once.
func (c *statementCache) runContext(ctx context.Context) context.Context {
	if c.uncancelled && ctx.Err() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// errCacheClosed is returned by prepared once the cache is closed; the
// callers then run the query unprepared, which reports the closed
// database.
var errCacheClosed = errors.New("sqlstore: statement cache closed")

// errCacheFull is returned by prepared when the cache holds
// maxCachedStatements statements.
var errCacheFull = errors.New("sqlstore: statement cache full")

// lookup returns the cached statement of query, or nil.
func (c *statementCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// prepared returns the statement of query, preparing it on first use.
// Preparing takes a connection of the pool: never call it while holding
// a transaction of the same pool (SQLite writes have one connection);
// txn defers such preparations until the transaction has ended.
func (c *statementCache) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.stmts[query]
	closed, full := c.closed, len(c.stmts) >= maxCachedStatements
	c.mu.RUnlock()
	switch {
	case ok:
		return st, nil
	case closed:
		return nil, errCacheClosed
	case full:
		return nil, errCacheFull
	}
	// Prepare outside the lock: it talks to the database.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.stmts[query]; ok { // a concurrent caller won
		st.Close()
		return have, nil
	}
	if c.closed || len(c.stmts) >= maxCachedStatements {
		st.Close()
		if c.closed {
			return nil, errCacheClosed
		}
		return nil, errCacheFull
	}
	c.stmts[query] = st
	return st, nil
}

// QueryRowContext runs query, prepared, for at most one row. When the
// statement cannot be prepared the query runs unprepared, so that its
// error (or its result) comes from the database as usual.
func (c *statementCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = c.runContext(ctx)
	if st, err := c.prepared(ctx, query); err == nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// QueryContext runs query, prepared, for rows; see QueryRowContext.
func (c *statementCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = c.runContext(ctx)
	if st, err := c.prepared(ctx, query); err == nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// ExecContext runs the statement query, prepared; see QueryRowContext.
func (c *statementCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = c.runContext(ctx)
	if st, err := c.prepared(ctx, query); err == nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

// Close closes the cached statements; later calls run unprepared.
func (c *statementCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var err error
	for q, st := range c.stmts {
		err = errors.Join(err, st.Close())
		delete(c.stmts, q)
	}
	return err
}

// txn is a write transaction whose queries use the write statements of
// the store, bound to the transaction (sql.Tx.StmtContext reuses the
// statement already prepared on the transaction's connection). A query
// not prepared yet runs unprepared and is remembered in missed, for
// tryTx to prepare once the transaction has released its connection.
// Its methods take query texts already rebound, like *sql.Tx's. When
// detached (a group commit), they ignore the cancellation of the contexts
// they are given: a statement interrupted by a cancelled context may roll
// back the whole transaction, and with it the other writes of the group.
type txn struct {
	*sql.Tx
	stmts    *statementCache
	missed   []string
	detached bool
}

// ctx is the context the transaction's statements run with.
func (t *txn) ctx(ctx context.Context) context.Context {
	if t.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// stmt returns the transaction's handle of query's prepared statement, or
// nil when it is not prepared yet.
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	st := t.stmts.lookup(query)
	if st == nil {
		t.missed = append(t.missed, query)
		return nil
	}
	return t.Tx.StmtContext(ctx, st)
}

// QueryRowContext runs query, prepared, in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs query, prepared, in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// ExecContext runs the statement query, prepared, in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// prepareMissed prepares the queries a transaction ran unprepared. It is
// best effort: a query that fails to prepare runs unprepared next time
// and is tried again after that transaction.
func (c *statementCache) prepareMissed(ctx context.Context, queries []string) {
	if c == nil {
		return
	}
	for _, q := range queries {
		if c.lookup(q) == nil {
			if _, err := c.prepared(ctx, q); err != nil {
				return
			}
		}
	}
}
