package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestTransient(t *testing.T) {
	s := &Store{log: quietLogger}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{errRetry, true},
		{fmt.Errorf("wrapped: %w", errRetry), true},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "40P01"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{errors.New("other"), false},
		{context.Canceled, false},
	} {
		if got := s.transient(c.err); got != c.want {
			t.Errorf("transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestInTxRetries checks that a transaction losing a race runs again,
// and that one that keeps losing gives up after maxAttempts.
func TestInTxRetries(t *testing.T) {
	s := openSQLite(t)
	ctx := context.Background()
	calls := 0
	err := s.inTx(ctx, func(tx *txn) error {
		calls++
		if calls < 3 {
			return errRetry
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("inTx = %v after %d calls, want success after 3", err, calls)
	}
	calls = 0
	err = s.inTx(ctx, func(tx *txn) error { calls++; return errRetry })
	if !errors.Is(err, errRetry) || calls != maxAttempts {
		t.Errorf("inTx = %v after %d calls, want errRetry after %d", err, calls, maxAttempts)
	}
	calls = 0
	boom := errors.New("boom")
	if err := s.inTx(ctx, func(tx *txn) error { calls++; return boom }); !errors.Is(err, boom) || calls != 1 {
		t.Errorf("inTx = %v after %d calls, want boom at once", err, calls)
	}
}

// TestSQLiteBusyIsTransient provokes SQLITE_BUSY (a second connection
// writes while the store holds the write lock, without waiting) and
// checks that inTx would retry it.
func TestSQLiteBusyIsTransient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	s, err := OpenSQLite(context.Background(), path, &Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.write.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`INSERT INTO principals (path, display_name, type, home_path, inbox_path, outbox_path) VALUES ('/x/', '', '', '/x/c/', '/x/c/i/', '/x/c/o/')`)
	if err == nil {
		t.Fatal("write while the store holds the write lock succeeded")
	}
	if !s.transient(err) {
		t.Errorf("transient(%v) = false, want true (SQLITE_BUSY)", err)
	}
}
