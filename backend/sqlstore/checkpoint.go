package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointInterval is how often the background checkpointer copies the
// SQLite write-ahead log into the database file.
const checkpointInterval = 200 * time.Millisecond

// checkpointer copies the write-ahead log of a SQLite store into the
// database file from a connection of its own (PASSIVE checkpoints, which
// never wait for nor block the writer). Left to SQLite, the commit that
// makes the log reach its threshold does the copying and the file
// syncing itself, and holds up every write queued behind it meanwhile:
// the slowest writes of a busy server. The writer's automatic checkpoint
// stays, at walCheckpointPages: under a steady stream of writes it is
// what lets the log restart from its beginning (see walCheckpointPages),
// and it catches up when this one falls behind.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	quit chan struct{}
	done chan struct{}
	once sync.Once
	err  error // of closing db
	// copied counts the log frames the checkpoints found copied (a
	// frame may count in several checkpoints until the log restarts).
	copied atomic.Int64
}

// startCheckpointer opens its connection with dsn and starts it.
func startCheckpointer(dsn string, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, log: log, quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			if err := c.checkpoint(context.Background()); err != nil {
				c.log.Warn("sqlstore: background checkpoint", "err", err)
			}
		}
	}
}

// checkpoint copies what it can of the log into the database file.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, logFrames, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied); err != nil {
		return fmt.Errorf("wal_checkpoint: %w", err)
	}
	if copied > 0 {
		c.copied.Add(int64(copied))
	}
	return nil
}

// close stops the checkpointer and closes its connection; calls after
// the first return the first one's result.
func (c *checkpointer) close() error {
	c.once.Do(func() {
		close(c.quit)
		<-c.done
		c.err = c.db.Close()
	})
	return c.err
}
