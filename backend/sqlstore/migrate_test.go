package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// createAtVersion writes the schema of version to a new database through
// db, as a program of that version would have left it.
func createAtVersion(t *testing.T, db *sql.DB, d dialect, version int) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE schema_version (version INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:version] {
		for _, stmt := range m {
			if _, err := db.Exec(d.schemaText(stmt)); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	if _, err := db.Exec(d.rebind(`INSERT INTO schema_version (version) VALUES (?)`), version); err != nil {
		t.Fatal(err)
	}
}

// upgradeCase is a database kind an upgrade test writes at an old schema
// version with driver and dsn, then opens with open.
type upgradeCase struct {
	name   string
	d      dialect
	driver string
	dsn    func(t testing.TB) string
	open   func(dsn string) (*Store, error)
}

// createAt creates a database of c's kind at schema version and
// returns its DSN and an open handle for writing old rows.
func (c upgradeCase) createAt(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	dsn := c.dsn(t)
	db, err := sql.Open(c.driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	createAtVersion(t, db, c.d, version)
	return dsn, db
}

// upgradeCases lists SQLite and PostgreSQL for the upgrade tests.
func upgradeCases(ctx context.Context) []upgradeCase {
	return []upgradeCase{
		{"SQLite", sqliteDialect(), "sqlite",
			func(t testing.TB) string { return filepath.Join(t.TempDir(), "old.db") },
			func(dsn string) (*Store, error) { return OpenSQLite(ctx, dsn, &Options{Logger: quietLogger}) }},
		{"Postgres", postgresDialect(), "pgx", postgresSchemaDSN,
			func(dsn string) (*Store, error) { return OpenPostgres(ctx, dsn, &Options{Logger: quietLogger}) }},
	}
}

// TestUpgradeFromVersion2 opens a database written before outbox.previous
// existed: the migration adds the column, the rows queued before stay
// claimable (without Previous), and new rows keep theirs.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := context.Background()
	cases := upgradeCases(ctx)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dsn, old := c.createAt(t, 2)
			data := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
			if _, err := old.Exec(c.d.rebind(`INSERT INTO outbox (msg_id, pair_key, sender, object_path, uid, recipient,
				method, supersedes, data, enqueued, attempts, next_attempt, last_error, lease, lease_until)
				VALUES (?, ?, '/alice/', '', 'uid-old', 'mailto:bob@remote.example', 'REQUEST', ?, ?, 1, 0, 0, '', '', 0)`),
				"old@test.example", pairKey("uid-old", "mailto:bob@remote.example"), true, data); err != nil {
				t.Fatal(err)
			}
			old.Close()

			s, err := c.open(dsn)
			if err != nil {
				t.Fatalf("open a version-2 database: %v", err)
			}
			defer s.Close()
			if v := schemaVersion(t, s); v != SchemaVersion {
				t.Fatalf("upgraded database at version %d, want %d", v, SchemaVersion)
			}
			prev := []byte("BEGIN:VCALENDAR\r\nX-OLD:1\r\nEND:VCALENDAR\r\n")
			if err := s.Enqueue(ctx, []backend.OutboundMessage{{ID: "new@test.example", Sender: "/alice/", UID: "uid-new",
				Recipient: "mailto:bob@remote.example", Method: "REQUEST", Data: data, Previous: prev}}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Claim(ctx, time.Now(), 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].ID != "old@test.example" || got[1].ID != "new@test.example" {
				t.Fatalf("claimed %v, want the old row, then the new one", ids(got))
			}
			if !bytes.Equal(got[0].Data, data) || got[0].Previous != nil || !got[0].Supersedes || got[0].UID != "uid-old" {
				t.Errorf("old row claimed as %+v", got[0])
			}
			if !bytes.Equal(got[1].Previous, prev) {
				t.Errorf("new row's Previous %q, want %q", got[1].Previous, prev)
			}
			if err := s.Complete(ctx, got[0].Lease, got[0].ID, got[1].ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func ids(msgs []backend.OutboundMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}
