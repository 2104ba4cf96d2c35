package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// provisioned returns a store of the dialect with alice provisioned, and
// her default calendar.
func provisioned(t *testing.T, open func(testing.TB) *Store) (*Store, string) {
	t.Helper()
	s := open(t)
	ctx := context.Background()
	if err := s.Provision(ctx, backend.NewPrincipal("alice", "Alice", "alice@example.com")); err != nil {
		t.Fatal(err)
	}
	cal, err := s.DefaultCalendar(ctx, "/alice/")
	if err != nil {
		t.Fatal(err)
	}
	return s, cal
}

func event(uid, start string, extra ...string) []byte {
	e := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//autoschedule//sqlstore test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\n"
	for _, x := range extra {
		e += x + "\r\n"
	}
	return []byte(e + "END:VEVENT\r\nEND:VCALENDAR\r\n")
}

func TestMigrationsMatchSchemaVersion(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("%d migrations, SchemaVersion %d", len(migrations), SchemaVersion)
	}
}

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
	if got := sqliteDialect().rebind(q); got != q {
		t.Errorf("SQLite rebind = %q", got)
	}
	if got, want := postgresDialect().rebind(q), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"; got != want {
		t.Errorf("PostgreSQL rebind = %q, want %q", got, want)
	}
}

// schemaVersion reads the version table.
func schemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.read.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReopen checks that a second Open finds the schema current, keeps the
// data, and that a database from a newer program is refused.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		open func(t *testing.T) func() (*Store, error)
	}{
		{"SQLite", func(t *testing.T) func() (*Store, error) {
			path := filepath.Join(t.TempDir(), "store.db")
			return func() (*Store, error) { return OpenSQLite(ctx, path, &Options{Logger: quietLogger}) }
		}},
		{"Postgres", func(t *testing.T) func() (*Store, error) {
			dsn := postgresSchemaDSN(t)
			return func() (*Store, error) { return OpenPostgres(ctx, dsn, &Options{Logger: quietLogger}) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			open := c.open(t)
			s, err := open()
			if err != nil {
				t.Fatal(err)
			}
			if v := schemaVersion(t, s); v != SchemaVersion {
				t.Errorf("new database at version %d, want %d", v, SchemaVersion)
			}
			if err := s.Provision(ctx, backend.NewPrincipal("alice", "Alice", "alice@example.com")); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PutObject(ctx, "/alice/calendars/default/a.ics", event("a", "20260310T100000Z"), nil); err != nil {
				t.Fatal(err)
			}
			s.Close()

			s, err = open()
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			found, err := s.migrate(ctx)
			if err != nil || found != SchemaVersion {
				t.Errorf("migrate on a current database found version %d, %v", found, err)
			}
			if o, err := s.ObjectByUID(ctx, "/alice/", "a"); err != nil || o.Path != "/alice/calendars/default/a.ics" {
				t.Errorf("object after reopen: %v, %v", o, err)
			}
			if _, err := s.write.Exec(`UPDATE schema_version SET version = 99`); err != nil {
				t.Fatal(err)
			}
			s.Close()

			s, err = open()
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Errorf("open of a version-99 database: %v, want ErrSchemaTooNew", err)
			}
			if s != nil {
				s.Close()
			}
		})
	}
}

// TestUniqueViolations makes the database itself refuse duplicates (the
// store checks first, so only a race reaches the constraints) and checks
// that each violation is recognised as its constraint in both dialects.
func TestUniqueViolations(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx := context.Background()
			o, err := s.PutObject(ctx, cal+"a.ics", event("uid-a", "20260310T100000Z"), nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.calendarRow(ctx, s.read, cal)
			if err != nil {
				t.Fatal(err)
			}
			insert := func(name, uid string) error {
				_, err := s.write.Exec(s.q(`INSERT INTO objects (calendar_id, principal_id, name, data, etag, schedule_tag,
					mod_time, uid, component, first_ts, last_ts, span_class, unbounded) VALUES (?, ?, ?, ?, 'x', '', 0, ?, 'VEVENT', NULL, NULL, ?, ?)`),
					c.id, c.principalID, name, o.Data, uid, spanTimeless, false)
				return err
			}
			for _, tc := range []struct {
				what string
				err  error
				want string
			}{
				{"same UID", insert("b.ics", "uid-a"), constraintObjectUID},
				{"same name", insert("a.ics", "uid-b"), constraintObjectName},
				{"same calendar path", func() error {
					_, err := s.write.Exec(s.q(`INSERT INTO calendars (principal_id, path, display_name, description, components,
						transparent, max_resource_size) VALUES (?, ?, '', '', '[]', ?, 0)`), c.principalID, cal, false)
					return err
				}(), constraintCalendarPath},
				{"same address", func() error {
					_, err := s.write.Exec(s.q(`INSERT INTO principal_keys (address_key, principal_id) VALUES (?, ?)`),
						backend.AddressKey("mailto:alice@example.com"), c.principalID)
					return err
				}(), constraintAddressKey},
			} {
				got, ok := uniqueViolation(tc.err)
				if !ok || got != tc.want {
					t.Errorf("%s: uniqueViolation(%v) = %q, %v; want %q", tc.what, tc.err, got, ok, tc.want)
				}
			}
			if _, ok := uniqueViolation(errors.New("other")); ok {
				t.Error("uniqueViolation(other error) = true")
			}
		})
	}
}

// TestConcurrentSameUID races writers of one UID at different names: one
// wins, every other gets ErrUIDConflict, whether the store's check or the
// database's unique index caught it.
func TestConcurrentSameUID(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx := context.Background()
			const writers = 50
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				won     int
				unknown []error
			)
			for i := 0; i < writers; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := s.PutObject(ctx, fmt.Sprintf("%sw%02d.ics", cal, i), event("contended", "20260310T100000Z"), nil)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
					case !errors.Is(err, backend.ErrUIDConflict):
						unknown = append(unknown, err)
					}
				}(i)
			}
			wg.Wait()
			if won != 1 {
				t.Errorf("%d writers stored the UID, want 1", won)
			}
			for _, err := range unknown {
				t.Errorf("unexpected error: %v", err)
			}
			objs, err := s.Objects(ctx, cal)
			if err != nil || len(objs) != 1 {
				t.Errorf("calendar holds %d objects (%v), want 1", len(objs), err)
			}
		})
	}
}

// TestTwoStoresShareSQLiteFile runs compare-and-swap writers through two
// stores on one file, as two processes would: SQLite's file lock, not the
// store's single writer connection, serializes them, and no update is lost.
func TestTwoStoresShareSQLiteFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var stores [2]*Store
	for i := range stores {
		s, err := OpenSQLite(ctx, path, &Options{Logger: quietLogger})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	if err := stores[0].Provision(ctx, backend.NewPrincipal("alice", "Alice")); err != nil {
		t.Fatal(err)
	}
	obj := "/alice/calendars/default/counter.ics"
	if _, err := stores[0].PutObject(ctx, obj, event("counter", "20260310T100000Z"), nil); err != nil {
		t.Fatal(err)
	}
	const perStore = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*perStore)
	for i := 0; i < 2*perStore; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := stores[i%2]
			for attempt := 0; attempt < 1000; attempt++ {
				o, err := s.Object(ctx, obj)
				if err != nil {
					errs <- err
					return
				}
				data := append([]byte(nil), o.Data[:len(o.Data)-len("END:VEVENT\r\nEND:VCALENDAR\r\n")]...)
				data = append(data, fmt.Sprintf("COMMENT:writer %02d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i)...)
				_, err = s.PutObject(ctx, obj, data, &backend.PutOptions{IfMatch: o.ETag})
				if errors.Is(err, backend.ErrPreconditionFailed) {
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", i, err)
				}
				return
			}
			errs <- fmt.Errorf("writer %d never succeeded", i)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	o, err := stores[1].Object(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*perStore; i++ {
		if want := fmt.Sprintf("COMMENT:writer %02d\r\n", i); !bytes.Contains(o.Data, []byte(want)) {
			t.Errorf("update of writer %d lost", i)
		}
	}
}

func TestOpenSQLiteRejectsBadPaths(t *testing.T) {
	ctx := context.Background()
	for _, p := range []string{"", ":memory:", "a?mode=memory", "x#y", "file:x.db", filepath.Join(t.TempDir(), "missing-dir", "db")} {
		if s, err := OpenSQLite(ctx, p, nil); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q) succeeded", p)
		}
	}
}

func TestOpenPostgresBadDSN(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s, err := OpenPostgres(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", nil); err == nil {
		s.Close()
		t.Error("OpenPostgres to a closed port succeeded")
	}
}

// TestCancelledContext checks that every kind of call returns the
// context's error rather than touching the database.
func TestCancelledContext(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := s.PutObject(ctx, cal+"a.ics", event("a", "20260310T100000Z"), nil); !errors.Is(err, context.Canceled) {
				t.Errorf("PutObject: %v", err)
			}
			if _, err := s.Object(ctx, cal+"a.ics"); !errors.Is(err, context.Canceled) {
				t.Errorf("Object: %v", err)
			}
			if _, err := s.CreateSchedulingObject(ctx, "/alice/", "x.ics", []byte("x")); !errors.Is(err, context.Canceled) {
				t.Errorf("CreateSchedulingObject: %v", err)
			}
		})
	}
}

// TestClosedStore checks that a closed store fails cleanly.
func TestClosedStore(t *testing.T) {
	s, cal := provisioned(t, openSQLite)
	s.Close()
	if _, err := s.Object(context.Background(), cal+"a.ics"); err == nil || errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Object on a closed store: %v", err)
	}
	if _, err := s.PutObject(context.Background(), cal+"a.ics", event("a", "20260310T100000Z"), nil); err == nil {
		t.Errorf("PutObject on a closed store: %v", err)
	}
}
