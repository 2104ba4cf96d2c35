package sqlstore

import (
	"context"
	"errors"
	"runtime/metrics"
	"testing"
)

// goroutinesCreated reads the runtime's count of goroutines created so far.
func goroutinesCreated(t *testing.T) uint64 {
	t.Helper()
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		t.Skip("this Go runtime does not count created goroutines")
	}
	return sample[0].Value.Uint64()
}

// TestSQLiteReadsStartNoWatchers checks that SQLite reads with a
// cancellable context run without the per-statement goroutines that
// database/sql and the driver start to watch such a context: fewer than
// one goroutine per read (two or three each before), with the same
// answers as with a context that cannot be cancelled.
func TestSQLiteReadsStartNoWatchers(t *testing.T) {
	s, cal := provisioned(t, openSQLite)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := s.PutObject(ctx, cal+"a.ics", event("a", "20260310T100000Z"), nil); err != nil {
		t.Fatal(err)
	}
	read := func() {
		t.Helper()
		if _, err := s.ObjectByUID(ctx, "/alice/", "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PrincipalByPath(ctx, "/alice/"); err != nil {
			t.Fatal(err)
		}
	}
	read() // prepares the statements
	const rounds = 100
	before := goroutinesCreated(t)
	for range rounds {
		read()
	}
	if created := goroutinesCreated(t) - before; created >= rounds {
		t.Errorf("%d reads started %d goroutines; want fewer than %d", 2*rounds, created, rounds)
	}
}

// TestSQLiteReadsHonourEndedContexts checks that a read whose context has
// already ended fails with the context's error instead of running.
func TestSQLiteReadsHonourEndedContexts(t *testing.T) {
	s, _ := provisioned(t, openSQLite)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.PrincipalByPath(ctx, "/alice/"); !errors.Is(err, context.Canceled) {
		t.Errorf("PrincipalByPath with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.ObjectByUID(ctx, "/alice/", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("ObjectByUID with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestRunContext checks the context statements run with: without
// cancellation but with the values when the cache says so, unchanged
// otherwise and once ended.
func TestRunContext(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	detached := (&statementCache{uncancelled: true}).runContext(ctx)
	if detached.Done() != nil || detached.Value(key{}) != "v" {
		t.Errorf("uncancelled: Done %v, value %v; want nil, v", detached.Done(), detached.Value(key{}))
	}
	if got := (&statementCache{}).runContext(ctx); got != ctx {
		t.Error("a cache that cancels changed the context")
	}
	cancel()
	if got := (&statementCache{uncancelled: true}).runContext(ctx); got != ctx {
		t.Error("an ended context was replaced")
	}
}
