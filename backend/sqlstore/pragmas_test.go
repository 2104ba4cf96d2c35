package sqlstore

import (
	"testing"
	"time"
)

// TestSQLiteWriterPragmas: the write connection runs in WAL mode with
// synchronous=NORMAL and checkpoints every walCheckpointPages pages.
func TestSQLiteWriterPragmas(t *testing.T) {
	s := openSQLite(t)
	for pragma, want := range map[string]string{
		"journal_mode":       "wal",
		"synchronous":        "1", // NORMAL
		"wal_autocheckpoint": "100000",
		"foreign_keys":       "1",
	} {
		var got string
		if err := s.write.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
	if walCheckpointPages != 100000 {
		t.Errorf("walCheckpointPages %d: update the test", walCheckpointPages)
	}
}

// TestBackgroundCheckpoint: the log the writes leave is copied into the
// database file without the writer doing it (its own threshold is far).
func TestBackgroundCheckpoint(t *testing.T) {
	s := openSQLite(t)
	if _, err := s.write.Exec(`CREATE TABLE cp_test (k INTEGER PRIMARY KEY, v BLOB)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := s.write.Exec(`INSERT INTO cp_test (v) VALUES (randomblob(3000))`); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * checkpointInterval)
	for s.checkpoints.copied.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no frame of the log copied in the background")
		}
		time.Sleep(checkpointInterval / 4)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
