package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// cached returns how many statements the store's caches hold.
func cached(s *Store) int {
	n := 0
	for _, c := range []*statementCache{s.rq, s.wq} {
		c.mu.RLock()
		n += len(c.stmts)
		c.mu.RUnlock()
		if s.rq == s.wq {
			break
		}
	}
	return n
}

// TestStatementsPreparedOnce checks that reads and writes, transactions
// included, go through prepared statements that are reused: after a
// first round, repeating the same calls prepares nothing new, and a
// query first run inside a transaction is prepared once it has ended.
func TestStatementsPreparedOnce(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx := context.Background()
			round := func(i int) {
				t.Helper()
				o, err := s.PutObject(ctx, cal+"a.ics", event("a", "20260310T100000Z"), nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.PutObject(ctx, cal+"a.ics", event("a", "20260311T100000Z"), &backend.PutOptions{IfMatch: o.ETag}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ObjectByUID(ctx, "/alice/", "a"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.PrincipalByAddress(ctx, "mailto:alice@example.com"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CreateSchedulingObject(ctx, "/alice/", fmt.Sprintf("m%d.ics", i), []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")); err != nil {
					t.Fatal(err)
				}
			}
			round(0)
			after1 := cached(s)
			if after1 == 0 {
				t.Fatal("no statement was cached")
			}
			if st := s.wq.lookup(s.q(`INSERT INTO inbox (principal_id, name, data, etag, mod_time) VALUES (?, ?, ?, ?, ?)`)); st == nil {
				t.Error("the inbox INSERT, run in a transaction, was not prepared after it")
			}
			for i := 1; i < 4; i++ {
				round(i)
			}
			if n := cached(s); n != after1 {
				t.Errorf("repeating the same calls grew the cache from %d to %d statements", after1, n)
			}
		})
	}
}

// TestStatementCacheBound checks that a cache stops growing at
// maxCachedStatements and still runs the queries beyond it, unprepared.
func TestStatementCacheBound(t *testing.T) {
	s := openSQLite(t)
	c := newStatementCache(s.read, true)
	defer c.Close()
	ctx := context.Background()
	for i := 0; i < maxCachedStatements+20; i++ {
		var n int
		if err := c.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("SELECT %d: %d, %v", i, n, err)
		}
	}
	if len(c.stmts) != maxCachedStatements {
		t.Errorf("cache holds %d statements, want %d", len(c.stmts), maxCachedStatements)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := c.QueryRowContext(ctx, "SELECT 7").Scan(&n); err != nil || n != 7 {
		t.Errorf("after Close: %d, %v (want the query to run unprepared)", n, err)
	}
}

// TestPrincipalAddressesInOrder checks that both lookups return every
// address of a principal, in the order given, from one query.
func TestPrincipalAddressesInOrder(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s := d.open(t)
			ctx := context.Background()
			p := backend.NewPrincipal("bob", "Bob", "mailto:zz@example.com", "mailto:bob@example.com", "tel:+15551234", "mailto:aa@example.com")
			if err := s.PutPrincipal(ctx, p); err != nil {
				t.Fatal(err)
			}
			for _, addr := range []string{"mailto:AA@example.com", "tel:+15551234", "/bob/"} {
				got, err := s.PrincipalByAddress(ctx, addr)
				if err != nil {
					t.Fatalf("PrincipalByAddress(%s): %v", addr, err)
				}
				if got.Path != "/bob/" || !slices.Equal(got.Addresses, p.Addresses) {
					t.Errorf("PrincipalByAddress(%s) = %+v, want the addresses %q", addr, got, p.Addresses)
				}
			}
			got, err := s.PrincipalByPath(ctx, p.InboxPath)
			if err != nil || !slices.Equal(got.Addresses, p.Addresses) || got.HomePath != p.HomePath {
				t.Errorf("PrincipalByPath(%s) = %+v, %v", p.InboxPath, got, err)
			}
			if _, err := s.PrincipalByAddress(ctx, "mailto:nobody@example.com"); err == nil {
				t.Error("PrincipalByAddress of an unknown address succeeded")
			}
		})
	}
}

// TestConcurrentPreparedUse runs reads and writes from many goroutines,
// so that statements are first prepared concurrently and then shared; it
// also shows that a SQLite write transaction (holding the only write
// connection) never waits for a connection to prepare on.
func TestConcurrentPreparedUse(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 10; i++ {
						uid := fmt.Sprintf("g%d-%d", g, i)
						if _, err := s.PutObject(ctx, cal+uid+".ics", event(uid, "20260310T100000Z"), nil); err != nil {
							errs <- err
							return
						}
						if _, err := s.PrincipalByAddress(ctx, "mailto:alice@example.com"); err != nil {
							errs <- err
							return
						}
						if _, err := s.Object(ctx, cal+uid+".ics"); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
