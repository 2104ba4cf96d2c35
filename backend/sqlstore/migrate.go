package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
)

// ErrSchemaTooNew is returned by Open when the database was written by a
// newer version of this package: its schema version is above
// SchemaVersion, and this code would misread it.
var ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this program")

// migrationLock is the PostgreSQL advisory lock key that serializes
// concurrent migrations of one database ("autosch" in ASCII).
const migrationLock = 0x6175746f736368

// migrate brings the schema to SchemaVersion, one version per
// transaction, and returns the version it found.
func (s *Store) migrate(ctx context.Context) (int, error) {
	found := -1
	for {
		var version int
		err := s.inTx(ctx, func(tx *txn) error {
			if s.d.name == postgresDialect().name {
				if _, err := tx.Tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
					return err
				}
			}
			if _, err := tx.Tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
				return err
			}
			err := tx.Tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
			if errors.Is(err, sql.ErrNoRows) {
				version = 0
				if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			if version > SchemaVersion {
				return fmt.Errorf("%w: version %d, this program knows up to %d", ErrSchemaTooNew, version, SchemaVersion)
			}
			if version == SchemaVersion {
				return nil
			}
			for _, stmt := range migrations[version] {
				if _, err := tx.Tx.ExecContext(ctx, s.d.schemaText(stmt)); err != nil {
					return fmt.Errorf("migration to version %d: %w", version+1, err)
				}
			}
			_, err = tx.Tx.ExecContext(ctx, s.d.rebind(`UPDATE schema_version SET version = ?`), version+1)
			return err
		})
		if err != nil {
			return found, fmt.Errorf("sqlstore: migrate: %w", err)
		}
		if found < 0 {
			found = version
		}
		if version >= SchemaVersion {
			return found, nil
		}
		level := slog.LevelInfo
		if version == 0 {
			level = slog.LevelDebug // a new database, not an upgrade
		}
		s.log.Log(ctx, level, "sqlstore: migrated schema", "dialect", s.d.name, "from", version, "to", version+1)
	}
}
