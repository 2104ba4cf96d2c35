package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// postgresEnv names the environment variable with the DSN of a PostgreSQL
// database the tests may create schemas in; .ci/run sets it.
const postgresEnv = "AUTOSCHEDULE_TEST_POSTGRES"

// quietLogger drops the stores' log messages in tests.
var quietLogger = slog.New(slog.DiscardHandler)

// dialects are the databases every store test runs against.
var dialects = []struct {
	name string
	open func(t testing.TB) *Store
}{
	{"SQLite", openSQLite},
	{"Postgres", openPostgres},
}

// openSQLite opens a store in a fresh file of the test's temp dir.
func openSQLite(t testing.TB) *Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "store.db"), &Options{Logger: quietLogger})
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresDSN returns the test database's DSN, or skips the test when
// none is configured outside CI. In CI a missing database fails the test.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL tests (.ci/run starts a server)", postgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN (e.g. postgres://user@localhost/db?sslmode=disable), as .ci/run does", postgresEnv)
	}
	return dsn
}

// openPostgres opens a store in a fresh schema of the test database, so
// that tests are isolated and may run in parallel; the schema is dropped
// when the test ends.
func openPostgres(t testing.TB) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), postgresSchemaDSN(t), &Options{MaxConns: 8, Logger: quietLogger})
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresSchemaDSN returns the DSN of a fresh schema of the test
// database, dropped when the test ends.
func postgresSchemaDSN(t testing.TB) string {
	t.Helper()
	dsn := postgresDSN(t)
	return withSearchPath(t, dsn, newSchema(t, dsn))
}

// newSchema creates a uniquely named schema and registers its removal.
func newSchema(t testing.TB, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	schema := "test_" + strings.ToLower(rand.Text())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return schema
}

// withSearchPath adds search_path=schema to a URL or key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("%s: %v", postgresEnv, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}
