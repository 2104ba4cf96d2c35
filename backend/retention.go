package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultInboxRetention is how long RunInboxPruner keeps scheduling inbox
// items when given no maximum age: long enough for a client that syncs
// weekly to see every message, short enough that inboxes stay small.
const DefaultInboxRetention = 30 * 24 * time.Hour

// PruneInbox removes every scheduling inbox item, of every principal,
// last written more than maxAge before now, and returns how many it
// removed. maxAge must be positive.
func PruneInbox(ctx context.Context, s SchedulingSupport, maxAge time.Duration, now time.Time) (int, error) {
	if maxAge <= 0 {
		return 0, fmt.Errorf("backend: inbox retention %v is not positive", maxAge)
	}
	n, err := s.PruneSchedulingObjects(ctx, now.Add(-maxAge))
	if err != nil {
		return n, fmt.Errorf("backend: pruning inboxes: %w", err)
	}
	return n, nil
}

// RunInboxPruner calls PruneInbox every interval until ctx ends, and
// returns ctx's error then. maxAge 0 means DefaultInboxRetention;
// interval 0 means one hour. Failures are logged to logger (slog.Default
// when nil) and retried at the next tick.
func RunInboxPruner(ctx context.Context, s SchedulingSupport, maxAge, interval time.Duration, logger *slog.Logger) error {
	if maxAge == 0 {
		maxAge = DefaultInboxRetention
	}
	if interval <= 0 {
		interval = time.Hour
	}
	if logger == nil {
		logger = slog.Default()
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		n, err := PruneInbox(ctx, s, maxAge, time.Now())
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled):
			logger.ErrorContext(ctx, "inbox pruning failed", "err", err)
		case n > 0:
			logger.InfoContext(ctx, "pruned scheduling inbox items", "removed", n, "max_age", maxAge)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
