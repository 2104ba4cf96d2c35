package sqlstore

import "testing"

// TestSQLiteWriterPragmas: the write connection runs in WAL mode with
// synchronous=NORMAL and checkpoints every walCheckpointPages pages.
func TestSQLiteWriterPragmas(t *testing.T) {
	s := openSQLite(t)
	for pragma, want := range map[string]string{
		"journal_mode":       "wal",
		"synchronous":        "1", // NORMAL
		"wal_autocheckpoint": "10000",
		"foreign_keys":       "1",
	} {
		var got string
		if err := s.write.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
	if walCheckpointPages != 10000 {
		t.Errorf("walCheckpointPages %d: update the test", walCheckpointPages)
	}
}
