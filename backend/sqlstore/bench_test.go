package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// The benchmarks share one large store per dialect, built on first use
// (benchmarks only: normal test runs never build it):
// benchPrincipals principals with benchPerPrincipal objects each in their
// default calendar, 100,000 objects in all, spread over four years.
const (
	benchPrincipals   = 10
	benchPerPrincipal = 10_000
	benchBatch        = 250 // rows per INSERT statement while loading
)

// benchFixture is a loaded store and what the benchmarks query.
type benchFixture struct {
	s         *Store
	principal string // the principal the benchmarks use
	calendar  string // its default calendar
	cleanup   func()
	err       error
}

var (
	benchMu       sync.Mutex
	benchFixtures = map[string]*benchFixture{}
)

// TestMain removes the benchmark databases after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	benchMu.Lock()
	for _, f := range benchFixtures {
		if f.cleanup != nil {
			f.cleanup()
		}
	}
	benchMu.Unlock()
	os.Exit(code)
}

// benchStore returns the loaded store of the dialect, building it once.
func benchStore(b *testing.B, dialect string) *benchFixture {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if f, ok := benchFixtures[dialect]; ok {
		if f.err != nil {
			b.Fatal(f.err)
		}
		return f
	}
	dsn := ""
	if dialect == "Postgres" {
		dsn = postgresDSN(b) // skips (outside CI) before anything is cached
	}
	f := &benchFixture{}
	benchFixtures[dialect] = f
	ctx := context.Background()
	switch dialect {
	case "SQLite":
		dir, err := os.MkdirTemp("", "sqlstore-bench")
		if err != nil {
			b.Fatal(err)
		}
		f.s, f.err = OpenSQLite(ctx, filepath.Join(dir, "bench.db"), nil)
		f.cleanup = func() {
			if f.s != nil {
				f.s.Close()
			}
			os.RemoveAll(dir)
		}
	case "Postgres":
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			b.Fatal(err)
		}
		schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			b.Fatal(err)
		}
		f.cleanup = func() {
			if f.s != nil {
				f.s.Close()
			}
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
		f.s, f.err = OpenPostgres(ctx, withSearchPath(b, dsn, schema), nil)
	}
	if f.err == nil {
		start := time.Now()
		f.err = f.load(ctx)
		b.Logf("%s: loaded %d objects in %v", dialect, benchPrincipals*benchPerPrincipal, time.Since(start).Round(time.Millisecond))
	}
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f
}

// benchEvent is object i of a principal: hourly slots spread over four
// years from 2024; every 50th recurs weekly ten times, every 200th weekly
// forever.
func benchEvent(user string, i int) []byte {
	start := benchStart(i)
	rule := ""
	switch {
	case i%200 == 0:
		rule = "RRULE:FREQ=WEEKLY\r\n"
	case i%50 == 0:
		rule = "RRULE:FREQ=WEEKLY;COUNT=10\r\n"
	}
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//autoschedule//bench//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:" + benchUID(user, i) + "\r\nDTSTAMP:20240101T000000Z\r\n" +
		"DTSTART:" + start.Format("20060102T150405Z") + "\r\nDTEND:" + start.Add(time.Hour).Format("20060102T150405Z") + "\r\n" +
		rule + "SUMMARY:Meeting " + fmt.Sprint(i) + "\r\nORGANIZER:mailto:" + user + "@example.com\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + user + "@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest@example.org\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
}

func benchStart(i int) time.Time {
	return time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 4 * time.Hour)
}

// benchIndex is the Index of benchEvent(user, i), known from how it was
// built (running backend.MakeIndex on 100,000 objects would dominate the
// set-up time); load checks it against MakeIndex on a sample.
func benchIndex(user string, i int) backend.Index {
	idx := backend.Index{UID: benchUID(user, i), Component: "VEVENT", First: benchStart(i)}
	switch {
	case i%200 == 0:
		idx.Unbounded = true
	case i%50 == 0:
		idx.Last = idx.First.AddDate(0, 0, 7*9).Add(time.Hour)
	default:
		idx.Last = idx.First.Add(time.Hour)
	}
	return idx
}

func benchUID(user string, i int) string { return fmt.Sprintf("%s-%06d@bench.example", user, i) }

// load provisions the principals through the API and inserts their objects
// with multi-row INSERTs in one transaction, indexed by backend.MakeIndex.
func (f *benchFixture) load(ctx context.Context) error {
	s := f.s
	for u := 0; u < benchPrincipals; u++ {
		user := fmt.Sprintf("user%02d", u)
		p := backend.NewPrincipal(user, user, user+"@example.com")
		if err := s.Provision(ctx, p); err != nil {
			return err
		}
		if u == 0 {
			f.principal = p.Path
			cal, err := s.DefaultCalendar(ctx, p.Path)
			if err != nil {
				return err
			}
			f.calendar = cal
		}
	}
	return s.inTx(ctx, func(tx *txn) error {
		for u := 0; u < benchPrincipals; u++ {
			user := fmt.Sprintf("user%02d", u)
			cal, err := s.calendarRow(ctx, tx, "/"+user+"/calendars/default/")
			if err != nil {
				return err
			}
			mod := now().UnixMicro()
			for i := 0; i < benchPerPrincipal; i += benchBatch {
				var (
					values []string
					args   []any
				)
				for j := i; j < i+benchBatch && j < benchPerPrincipal; j++ {
					data := benchEvent(user, j)
					idx := benchIndex(user, j)
					if j%97 == 0 || j%200 == 0 || j%50 == 0 && j < 1000 {
						want, err := backend.MakeIndex(data)
						if err != nil {
							return err
						}
						if !sameIndex(idx, want) {
							return fmt.Errorf("benchIndex(%s, %d) = %+v, MakeIndex says %+v", user, j, idx, want)
						}
					}
					last := ceilSeconds(idx.Last)
					if idx.Unbounded || idx.First.IsZero() {
						last = sql.NullInt64{}
					}
					values = append(values, "(?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)")
					args = append(args, cal.id, cal.principalID, fmt.Sprintf("%06d.ics", j), data, newETag(),
						mod, idx.UID, idx.Component, floorSeconds(idx.First), last, spanClass(floorSeconds(idx.First), last), idx.Unbounded)
				}
				_, err := tx.ExecContext(ctx, s.q(`INSERT INTO objects (calendar_id, principal_id, name, data, etag, schedule_tag,
					mod_time, uid, component, first_ts, last_ts, span_class, unbounded) VALUES `+strings.Join(values, ", ")), args...)
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func sameIndex(a, b backend.Index) bool {
	return a.UID == b.UID && a.Component == b.Component && a.First.Equal(b.First) && a.Last.Equal(b.Last) && a.Unbounded == b.Unbounded
}

// forDialects runs bench as a sub-benchmark per dialect.
func forDialects(b *testing.B, bench func(b *testing.B, f *benchFixture)) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			f := benchStore(b, d.name)
			b.ReportAllocs()
			b.ResetTimer()
			bench(b, f)
		})
	}
}

// BenchmarkObjectByUID looks objects up by UID across the principal's
// calendars (the (principal, UID) index).
func BenchmarkObjectByUID(b *testing.B) {
	forDialects(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			uid := benchUID("user00", (i*7919)%benchPerPrincipal)
			o, err := f.s.ObjectByUID(ctx, f.principal, uid)
			if err != nil || o.UID != uid {
				b.Fatalf("ObjectByUID(%s) = %v, %v", uid, o, err)
			}
		}
	})
}

// BenchmarkCreateSchedulingObject delivers iTIP messages into an inbox.
func BenchmarkCreateSchedulingObject(b *testing.B) {
	msg := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//autoschedule//bench//EN\r\nMETHOD:REQUEST\r\n" +
		"BEGIN:VEVENT\r\nUID:invite@bench.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\n" +
		"SUMMARY:Invitation\r\nORGANIZER:mailto:user01@example.com\r\nATTENDEE:mailto:user00@example.com\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
	forDialects(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		prefix := fmt.Sprintf("bench-%d-", time.Now().UnixNano())
		for i := 0; i < b.N; i++ {
			if _, err := f.s.CreateSchedulingObject(ctx, f.principal, fmt.Sprintf("%s%d.ics", prefix, i), msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompareAndSwap replaces one object with If-Match on its
// current ETag: read-check-write in one transaction, index included.
func BenchmarkCompareAndSwap(b *testing.B) {
	forDialects(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		path := f.calendar + "000123.ics"
		o, err := f.s.Object(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		data := benchEvent("user00", 123)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			o, err = f.s.PutObject(ctx, path, data, &backend.PutOptions{IfMatch: o.ETag})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkObjectsInRangeMonth asks for one month's candidates in a
// calendar of 10,000 objects.
func BenchmarkObjectsInRangeMonth(b *testing.B) {
	forDialects(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, 1, 0)
		var n int
		for i := 0; i < b.N; i++ {
			objs, err := f.s.ObjectsInRange(ctx, f.calendar, start, end)
			if err != nil {
				b.Fatal(err)
			}
			n = len(objs)
		}
		b.ReportMetric(float64(n), "objects/op")
	})
}

// BenchmarkPrincipalByAddress resolves calendar user addresses to
// principals, as scheduling does for every attendee.
func BenchmarkPrincipalByAddress(b *testing.B) {
	forDialects(b, func(b *testing.B, f *benchFixture) {
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			user := fmt.Sprintf("user%02d", i%benchPrincipals)
			p, err := f.s.PrincipalByAddress(ctx, "mailto:"+user+"@example.com")
			if err != nil || p.Path != "/"+user+"/" {
				b.Fatalf("PrincipalByAddress(%s) = %+v, %v", user, p, err)
			}
		}
	})
}
