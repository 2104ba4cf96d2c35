package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/go-autoschedule/autoschedule/backend"
)

// Options tune a Store. The zero value (or nil) is fine.
type Options struct {
	// Logger receives migration and retry messages; nil uses slog.Default().
	Logger *slog.Logger
	// MaxConns caps the open connections of the pool (PostgreSQL) or of
	// the reader pool (SQLite, which writes through one connection);
	// 0 means 10.
	MaxConns int
}

// Store is a backend.Store kept in SQLite or PostgreSQL. It is safe for
// concurrent use; Close it when done.
type Store struct {
	d     dialect
	read  *sql.DB // queries that only read
	write *sql.DB // transactions that write; one connection for SQLite
	// rq and wq run the queries of read and write through statements
	// prepared once (the same cache when read and write are one pool);
	// nil while the schema is migrated.
	rq, wq *statementCache
	// group runs SQLite's write transactions in group commits; nil for
	// PostgreSQL (concurrent transactions) and while migrating.
	group *groupCommitter
	// checkpoints copies SQLite's write-ahead log into the database file
	// in the background; nil for PostgreSQL.
	checkpoints *checkpointer
	log         *slog.Logger
}

// Compile-time checks of the interfaces the store implements.
var (
	_ backend.Store           = (*Store)(nil)
	_ backend.DirectoryWriter = (*Store)(nil)
)

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.Logger == nil {
		v.Logger = slog.Default()
	}
	if v.MaxConns <= 0 {
		v.MaxConns = 10
	}
	return v
}

// walCheckpointPages is the size of the SQLite write-ahead log, in pages,
// from which a commit checkpoints it (SQLite's default is 1000). The
// background checkpointer copies the log into the database file, but
// under a steady stream of writes the log only restarts from its
// beginning after a checkpoint the writer makes: one that ends while no
// write is under way. That checkpoint is cheap in copying (the
// background one did most of it) but syncs the log and the database
// file, about 10 ms on the commit path during which every queued write
// waits. At 10,000 pages it came about three times a second at 900
// organizer PUTs per second (4 writes, ~37 pages each) and was the p99 of
// loadgen on a quiet machine (25-30 ms; 18-23 ms at 100,000 pages).
//
// The price is disk space: under such a load the log file grows to about
// 400 MB (4 KiB pages) and keeps that size, reused, until the store is
// closed (SQLite then removes it). A journal_size_limit would shrink it
// at each restart, but truncating hundreds of megabytes on the commit
// path stalled writes for half a second.
const walCheckpointPages = 100000

// OpenSQLite opens (creating it when missing) the SQLite database in the
// file at path, and creates or migrates its schema. The database runs in
// WAL mode: readers never wait for the writer, and writes go through one
// connection, so concurrent writers queue in the process instead of
// failing with SQLITE_BUSY, and the writes that queued are committed as
// one group. A background connection copies the log into the database
// file every checkpointInterval, so that commits do not have to (the
// writer still checkpoints once the log reaches walCheckpointPages, which
// lets the log restart). Other processes may share the file; they wait
// up to ten seconds for its write lock.
func OpenSQLite(ctx context.Context, path string, opts *Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, ":") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlstore: SQLite path %q: must be a plain file name, without '?', '#' or a URI scheme", path)
	}
	o := opts.withDefaults()
	dsn := func(pragmas ...string) string {
		q := url.Values{}
		q["_pragma"] = append([]string{"busy_timeout(10000)", "foreign_keys(1)"}, pragmas...)
		q.Set("_txlock", "immediate")
		return "file:" + path + "?" + q.Encode()
	}
	write, err := sql.Open("sqlite", dsn("journal_mode(WAL)", "synchronous(NORMAL)", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages)))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	s := &Store{d: sqliteDialect(), read: write, write: write, log: o.Logger}
	if _, err := s.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	n := o.MaxConns
	if p := runtime.GOMAXPROCS(0); n > 4*p {
		n = 4 * p
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	s.read = read
	if s.checkpoints, err = startCheckpointer(dsn("synchronous(NORMAL)"), s.log); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	s.rq, s.wq = newStatementCache(read, true), newStatementCache(write, true)
	s.group = newGroupCommitter(s)
	return s, nil
}

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL
// such as "postgres://user@host/db?sslmode=disable" or key=value pairs,
// as pgx accepts them; add search_path=… to use a schema other than
// public), and creates or migrates its schema.
func OpenPostgres(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	o := opts.withDefaults()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect to PostgreSQL: %w", err)
	}
	s := &Store{d: postgresDialect(), read: db, write: db, log: o.Logger}
	if _, err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	c := newStatementCache(db, false) // PostgreSQL statements may wait on the network: keep cancelling them
	s.rq, s.wq = c, c
	return s, nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Close closes the prepared statements and the database connections.
// Calls that are under way fail.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	var err error
	if s.checkpoints != nil {
		err = s.checkpoints.close()
	}
	if s.rq != nil {
		err = errors.Join(err, s.rq.Close())
	}
	if s.wq != nil && s.wq != s.rq {
		err = errors.Join(err, s.wq.Close())
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// q rebinds query for the store's dialect.
func (s *Store) q(query string) string { return s.d.rebind(query) }
