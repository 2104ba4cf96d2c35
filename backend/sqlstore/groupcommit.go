package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// maxGroup bounds the write transactions one group commit holds.
const maxGroup = 64

// errStoreClosed is what writes get once the store is closed.
var errStoreClosed = errors.New("sqlstore: store closed")

// groupCommitter runs the write transactions of a SQLite store (which
// writes through one connection, one transaction at a time) in groups:
// transactions that queue while one runs are run together, each inside a
// savepoint of one database transaction, and committed once. The cost of
// beginning and committing (locking the WAL, appending its frames) is
// then paid once per group instead of once per write, and a page that
// several writes change is appended once.
//
// Each write keeps its own outcome: a write whose function fails is
// rolled back to its savepoint alone. Should the group transaction itself
// fail (a savepoint that cannot be released, a failed commit), it is
// rolled back and its writes run again one by one, each in its own
// transaction, as without grouping. Statements inside a group ignore
// their callers' cancellation (txn.detached): interrupting one would roll
// back the others' work. A caller whose context ends while it waits is
// answered with its context's error and its write does not run.
type groupCommitter struct {
	s    *Store
	reqs chan *groupWrite
	quit chan struct{} // closed by close
	done chan struct{} // closed when the loop has ended
	once sync.Once
}

// groupWrite is one write transaction waiting for its group.
type groupWrite struct {
	ctx    context.Context
	fn     func(tx *txn) error
	result chan error // buffered: the loop never waits for the caller
}

func newGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, reqs: make(chan *groupWrite), quit: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// run queues fn and returns its outcome once its group has committed.
func (g *groupCommitter) run(ctx context.Context, fn func(tx *txn) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, result: make(chan error, 1)}
	select {
	case g.reqs <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return errStoreClosed
	}
	return <-w.result // queued writes are always answered, even on close
}

// close stops the loop once the group under way has committed; writes
// queued later fail with errStoreClosed.
func (g *groupCommitter) close() {
	g.once.Do(func() { close(g.quit) })
	<-g.done
}

func (g *groupCommitter) loop() {
	defer close(g.done)
	group := make([]*groupWrite, 0, maxGroup)
	for {
		select {
		case w := <-g.reqs:
			group = append(group[:0], w)
		case <-g.quit:
			return
		}
		// Take whatever queued while the previous group ran.
	more:
		for len(group) < maxGroup {
			select {
			case w := <-g.reqs:
				group = append(group, w)
			default:
				break more
			}
		}
		g.commit(group)
		clear(group)
	}
}

// commit runs one group and answers each of its writes.
func (g *groupCommitter) commit(group []*groupWrite) {
	if len(group) == 1 {
		w := group[0]
		w.result <- g.alone(w)
		return
	}
	ctx := context.Background()
	tx, err := g.s.write.BeginTx(ctx, nil)
	if err != nil {
		for _, w := range group {
			w.result <- err // BEGIN failures (SQLITE_BUSY) are transient: inTx retries
		}
		return
	}
	t := &txn{Tx: tx, stmts: g.s.wq, detached: true}
	defer func() { g.s.wq.prepareMissed(ctx, t.missed) }()
	results := make([]error, len(group))
	ran := 0 // group[:ran] ran inside the transaction
	var broken error
	for _, w := range group {
		if broken = g.inSavepoint(ctx, t, w, &results[ran]); broken != nil {
			break
		}
		ran++
	}
	if broken == nil {
		broken = tx.Commit()
	} else {
		broken = errors.Join(broken, ignoreDone(tx.Rollback()))
	}
	if broken != nil {
		g.s.log.Warn("sqlstore: group commit failed; running its writes one by one", "writes", len(group), "err", broken)
		// Nothing of the group is stored. Writes whose function failed
		// keep that outcome (it was rolled back anyway); the others run
		// again alone, as does every write the group did not reach.
		for i, w := range group {
			if i < ran && results[i] != nil {
				w.result <- results[i]
				continue
			}
			w.result <- g.alone(w)
		}
		return
	}
	for i, w := range group {
		w.result <- results[i]
	}
}

// inSavepoint runs w inside a savepoint of t and stores w's outcome in
// result. It returns an error only when the group transaction cannot go
// on (the savepoint commands failed).
func (g *groupCommitter) inSavepoint(ctx context.Context, t *txn, w *groupWrite, result *error) error {
	if err := w.ctx.Err(); err != nil {
		*result = err
		return nil
	}
	if _, err := t.Tx.ExecContext(ctx, "SAVEPOINT group_write"); err != nil {
		return err
	}
	err := callTx(t, w.fn)
	*result = err
	if err != nil {
		if _, rbErr := t.Tx.ExecContext(ctx, "ROLLBACK TO group_write"); rbErr != nil {
			return fmt.Errorf("rolling back a write: %w", rbErr)
		}
	}
	if _, err := t.Tx.ExecContext(ctx, "RELEASE group_write"); err != nil {
		return fmt.Errorf("releasing a savepoint: %w", err)
	}
	return nil
}

// alone runs w in a transaction of its own.
func (g *groupCommitter) alone(w *groupWrite) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	return g.s.singleTx(context.WithoutCancel(w.ctx), func(tx *txn) error {
		tx.detached = true
		return callTx(tx, w.fn)
	})
}

// callTx calls fn, turning a panic into an error: fn runs on the
// committer's goroutine, which must survive it.
func callTx(t *txn, fn func(tx *txn) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("sqlstore: panic in a write transaction: %v", v)
		}
	}()
	return fn(t)
}
