package backend_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

func TestPruneInbox(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := memory.New(memory.WithClock(func() time.Time { return now }))
	p := backend.NewPrincipal("alice", "Alice")
	if err := s.Provision(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old.ics", "new.ics"} {
		if _, err := s.CreateSchedulingObject(ctx, p.Path, name, []byte("x")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * 24 * time.Hour)
	}
	// now is 20 days after old.ics and 10 after new.ics.
	n, err := backend.PruneInbox(ctx, s, 15*24*time.Hour, now)
	if err != nil || n != 1 {
		t.Fatalf("PruneInbox = %d, %v; want 1", n, err)
	}
	if _, err := s.SchedulingObject(ctx, p.Path, "new.ics"); err != nil {
		t.Errorf("new.ics pruned: %v", err)
	}
	if _, err := backend.PruneInbox(ctx, s, 0, now); err == nil {
		t.Errorf("PruneInbox(maxAge 0) did not fail")
	}
}

func TestRunInboxPruner(t *testing.T) {
	s := memory.New(memory.WithClock(func() time.Time { return time.Now().Add(-48 * time.Hour) }))
	p := backend.NewPrincipal("alice", "Alice")
	if err := s.Provision(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSchedulingObject(context.Background(), p.Path, "m.ics", []byte("x")); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := backend.RunInboxPruner(ctx, s, 24*time.Hour, 10*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("RunInboxPruner returned %v, want the context's error", err)
	}
	if list, _ := s.SchedulingObjects(context.Background(), p.Path); len(list) != 0 {
		t.Errorf("inbox holds %d items after pruning", len(list))
	}
	if !strings.Contains(logs.String(), "removed=1") {
		t.Errorf("pruner did not log its work: %q", logs.String())
	}
}
