package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

func TestWithClockAndPrune(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := memory.New(memory.WithClock(func() time.Time { return now }))
	p := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.Provision(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.ics", "b.ics"} {
		if _, err := s.CreateSchedulingObject(ctx, p.Path, name, []byte("x")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	o, err := s.SchedulingObject(ctx, p.Path, "a.ics")
	if err != nil || !o.ModTime.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("ModTime from the clock = %v, %v", o, err)
	}
	n, err := s.PruneSchedulingObjects(ctx, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if _, err := s.SchedulingObject(ctx, p.Path, "a.ics"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("a.ics after prune: %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	s := memory.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.PutPrincipal(ctx, backend.NewPrincipal("a", "A")); !errors.Is(err, context.Canceled) {
		t.Errorf("PutPrincipal(cancelled) = %v", err)
	}
	if _, err := s.PutObject(ctx, "/a/calendars/default/x.ics", []byte("x"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("PutObject(cancelled) = %v", err)
	}
	if _, err := s.ObjectsInRange(ctx, "/a/calendars/default/", time.Time{}, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("ObjectsInRange(cancelled) = %v", err)
	}
}
