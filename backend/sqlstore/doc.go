// Package sqlstore is a backend.Store kept in SQL: SQLite (through
// modernc.org/sqlite, pure Go, no cgo) or PostgreSQL (through
// github.com/jackc/pgx/v5). It lives in its own module so that programs
// importing the scheduler never pull a database driver.
//
// Open a store with OpenSQLite (a file path) or OpenPostgres (a DSN); both
// create the schema on first use and migrate older schemas, one version
// per transaction, recording the version in the schema_version table. A
// database written by a newer version of this package is refused with
// ErrSchemaTooNew.
//
//	s, err := sqlstore.OpenSQLite(ctx, "/var/lib/cal/store.db", nil)
//	if err != nil { … }
//	defer s.Close()
//	err = s.Provision(ctx, backend.NewPrincipal("alice", "Alice", "alice@example.com"))
//	handler := &caldav.Handler{Backend: s.CalDAV()}
//
// The store implements backend.Store and backend.DirectoryWriter, and
// Store.CalDAV serves it to go-webdav's caldav.Handler. It behaves exactly
// like backend/memory: both pass backend/backendtest, and they share path
// layout (backend.NewPrincipal), Provision, indexing (backend.MakeIndex)
// and typed errors (a duplicate UID in a calendar is backend.ErrUIDConflict,
// whether the store found it or the database's unique index did).
//
// Every write that touches more than one row runs in one transaction;
// compare-and-swap writes (PutOptions.IfMatch) lock the row they replace,
// so concurrent writers never lose an update. SQLite runs in WAL mode:
// readers use a pool of connections and never wait for the writer, while
// writes go through a single connection (BEGIN IMMEDIATE, busy timeout 10
// s) so that writers in one process queue instead of failing with
// SQLITE_BUSY. Writes that queue while one runs are committed together
// (group commit): each in a savepoint of one transaction, so one write's
// failure rolls back only its own changes, and the transaction's begin
// and commit are paid once for the group. A connection of its own copies
// the log into the database file in the background (PASSIVE
// checkpoints), so that commits do not stop to do it; the writer itself
// checkpoints only every 100,000 log pages, which lets the log restart
// (the file may grow to about 400 MB under a sustained write load).
// SQLite statements run without their context's cancellation once it is
// checked (no watcher goroutine per statement). Transient failures
// (SQLITE_BUSY, PostgreSQL serialization failures and deadlocks) are
// retried a few times.
//
// Each query text is prepared once per connection and then reused (a
// cache of *sql.Stmt per pool; transactions bind them with
// sql.Tx.StmtContext), so the databases do not parse SQL on every call;
// a query first met inside a transaction is prepared after it ends, as
// preparing needs a connection and SQLite writes have only one. A
// principal and its addresses come back in one indexed query.
//
// Objects are indexed by (principal, UID) for ObjectByUID, by (calendar,
// UID) and (calendar, name) as unique keys, and for ObjectsInRange by
// (calendar, span class, first, last): first and last occurrence in whole
// Unix seconds, rounded outwards, and the class of the span between them
// (up to an hour, a day, a week, a month, a year, ten years, longer,
// unbounded, no time). Knowing the longest span of a class bounds each
// index scan on both sides, so a query for one month reads about that
// month's entries, not every object that ends after its start. Inboxes
// are indexed by principal and modification time.
//
// The tests run against both databases: set AUTOSCHEDULE_TEST_POSTGRES to
// a PostgreSQL DSN (.ci/run starts a throwaway server and does); each test
// uses its own schema. Without it the PostgreSQL tests skip, except under
// CI=true, where they fail.
package sqlstore
