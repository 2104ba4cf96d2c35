package sqlstore

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Names of the unique constraints the store maps to typed errors; SQLite
// reports the columns instead, which uniqueViolation translates.
const (
	constraintObjectName   = "objects_name_key"
	constraintObjectUID    = "objects_uid_key"
	constraintCalendarPath = "calendars_path_key"
	constraintAddressKey   = "principal_keys_pkey"
)

// sqliteConstraint maps the column list of SQLite's "UNIQUE constraint
// failed: …" message to the constraint name PostgreSQL reports.
func sqliteConstraint(columns string) string {
	switch columns {
	case "objects.calendar_id, objects.name":
		return constraintObjectName
	case "objects.calendar_id, objects.uid":
		return constraintObjectUID
	case "calendars.path":
		return constraintCalendarPath
	case "principal_keys.address_key":
		return constraintAddressKey
	}
	return columns
}

// uniqueViolation reports whether err is a unique-constraint violation,
// and of which constraint.
func uniqueViolation(err error) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName, pgErr.Code == "23505"
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		switch sqlErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			msg := sqlErr.Error()
			if i := strings.LastIndex(msg, "constraint failed: "); i >= 0 {
				cols := msg[i+len("constraint failed: "):]
				if j := strings.IndexAny(cols, "\n("); j >= 0 {
					cols = cols[:j]
				}
				return sqliteConstraint(strings.TrimSpace(cols)), true
			}
			return "", true
		}
	}
	return "", false
}

// transient reports whether running the transaction again may succeed.
func (s *Store) transient(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// serialization_failure, deadlock_detected
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		switch sqlErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}
