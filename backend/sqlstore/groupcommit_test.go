package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// groupFixture is a SQLite store with a scratch table, and a first write
// that holds the committer until released, so that the writes started
// meanwhile queue and run as one group.
type groupFixture struct {
	s       *Store
	release chan struct{}
	first   chan error
}

func newGroupFixture(t *testing.T) *groupFixture {
	t.Helper()
	s := openSQLite(t)
	if _, err := s.write.Exec(`CREATE TABLE gc_test (k TEXT PRIMARY KEY); INSERT INTO gc_test (k) VALUES ('old')`); err != nil {
		t.Fatal(err)
	}
	f := &groupFixture{s: s, release: make(chan struct{}), first: make(chan error, 1)}
	started := make(chan struct{})
	go func() {
		f.first <- s.inTx(context.Background(), func(tx *txn) error {
			close(started)
			<-f.release
			return nil
		})
	}()
	<-started
	return f
}

// insert is a write of key k.
func insert(k string) func(tx *txn) error {
	return func(tx *txn) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO gc_test (k) VALUES (?)`, k)
		return err
	}
}

// queue starts the writes concurrently and waits until all are queued
// behind the held first write.
func (f *groupFixture) queue(t *testing.T, fns ...func(tx *txn) error) []chan error {
	t.Helper()
	out := make([]chan error, len(fns))
	for i, fn := range fns {
		out[i] = make(chan error, 1)
		go func() { out[i] <- f.s.inTx(context.Background(), fn) }()
	}
	// The committer takes them only after the first write: wait until
	// every sender is blocked on the channel (none can have run yet).
	time.Sleep(100 * time.Millisecond)
	close(f.release)
	if err := <-f.first; err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *groupFixture) stored(t *testing.T) map[string]bool {
	t.Helper()
	rows, err := f.s.read.Query(`SELECT k FROM gc_test`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got[k] = true
	}
	return got
}

// TestGroupCommitIsolatesFailures: writes queued together share one
// transaction; one that fails (after writing), one that panics and one
// that violates a constraint leave no trace and get their own error,
// while the others are stored.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	f := newGroupFixture(t)
	var mu sync.Mutex
	txs := map[*txn]int{}
	seen := func(fn func(tx *txn) error) func(tx *txn) error {
		return func(tx *txn) error {
			mu.Lock()
			txs[tx]++
			mu.Unlock()
			return fn(tx)
		}
	}
	boom := errors.New("boom")
	results := f.queue(t,
		seen(insert("a")),
		seen(func(tx *txn) error {
			if err := insert("failed")(tx); err != nil {
				return err
			}
			return boom
		}),
		seen(insert("b")),
		seen(func(tx *txn) error {
			if err := insert("panicked")(tx); err != nil {
				return err
			}
			panic("in a write")
		}),
		seen(insert("old")), // duplicate key
		seen(insert("c")),
	)
	want := []func(error) bool{
		func(err error) bool { return err == nil },
		func(err error) bool { return errors.Is(err, boom) },
		func(err error) bool { return err == nil },
		func(err error) bool { return err != nil },
		func(err error) bool { _, ok := uniqueViolation(err); return ok },
		func(err error) bool { return err == nil },
	}
	for i, r := range results {
		if err := <-r; !want[i](err) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if got := f.stored(t); len(got) != 4 || !got["a"] || !got["b"] || !got["c"] {
		t.Errorf("stored %v, want old, a, b, c", got)
	}
	if len(txs) >= len(results) {
		t.Errorf("%d writes ran in %d transactions: no group commit", len(results), len(txs))
	}
}

// TestGroupCommitBrokenGroup: a write that ends the group's transaction
// itself makes the group fail; the other writes run again alone and are
// stored.
func TestGroupCommitBrokenGroup(t *testing.T) {
	f := newGroupFixture(t)
	results := f.queue(t,
		insert("a"),
		func(tx *txn) error {
			_, err := tx.Tx.ExecContext(context.Background(), "ROLLBACK")
			return err
		},
		insert("b"),
	)
	for i, r := range results {
		err := <-r
		if (err == nil) != (i != 1) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if got := f.stored(t); len(got) != 3 || !got["a"] || !got["b"] {
		t.Errorf("stored %v, want old, a, b", got)
	}
}

// TestGroupCommitCancelledWhileQueued: a write whose context ends before
// its group runs is not run, and reports its context's error.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	f := newGroupFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { res <- f.s.inTx(ctx, insert("never")) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	results := f.queue(t, insert("x"))
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v", err)
	}
	if err := <-results[0]; err != nil {
		t.Fatal(err)
	}
	if got := f.stored(t); len(got) != 2 || !got["x"] {
		t.Errorf("stored %v, want old, x", got)
	}
}

// TestGroupCommitManyWriters: concurrent writers all get their writes
// stored, and the store closes cleanly afterwards; later writes fail.
func TestGroupCommitManyWriters(t *testing.T) {
	s := openSQLite(t)
	if _, err := s.write.Exec(`CREATE TABLE gc_test (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.inTx(context.Background(), insert(fmt.Sprint(i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.read.QueryRow(`SELECT count(*) FROM gc_test`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("%d rows (%v), want 200", n, err)
	}
	s.Close()
	if err := s.inTx(context.Background(), insert("late")); !errors.Is(err, errStoreClosed) {
		t.Errorf("write after Close: %v", err)
	}
}

// BenchmarkConcurrentInboxWrites: 8 writers delivering inbox items at
// once, with group commit ("grouped") and with one transaction per write
// ("single"), on a fresh SQLite store.
func BenchmarkConcurrentInboxWrites(b *testing.B) {
	msg := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//autoschedule//bench//EN\r\nMETHOD:REQUEST\r\n" +
		"BEGIN:VEVENT\r\nUID:invite@bench.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\n" +
		"SUMMARY:Invitation\r\nORGANIZER:mailto:bob@example.com\r\nATTENDEE:mailto:alice@example.com\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
	for _, mode := range []string{"grouped", "single"} {
		b.Run(mode, func(b *testing.B) {
			s := openSQLite(b)
			if mode == "single" {
				s.group.close()
				s.group = nil
			}
			ctx := context.Background()
			p := backend.NewPrincipal("alice", "Alice", "alice@example.com")
			if err := s.Provision(ctx, p); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(8 / runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.CreateSchedulingObject(ctx, p.Path, fmt.Sprintf("m%d.ics", n.Add(1)), msg); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
