package schedule

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// countingStore counts PrincipalByAddress calls and can fail them.
type countingStore struct {
	backend.Store
	lookups atomic.Int64
	fail    error
}

func (s *countingStore) PrincipalByAddress(ctx context.Context, addr string) (*backend.Principal, error) {
	s.lookups.Add(1)
	if s.fail != nil {
		return nil, s.fail
	}
	return s.Store.PrincipalByAddress(ctx, addr)
}

func TestPrincipalCache(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	store := &countingStore{Store: e.store}
	h := New(http.NotFoundHandler(), store, nil)
	ctx := withPrincipalCache(context.Background())
	if withPrincipalCache(ctx) != ctx {
		t.Error("a context with a cache got another one")
	}

	for _, addr := range []string{"mailto:wilfredo@example.com", "MAILTO:Wilfredo@EXAMPLE.com"} {
		if p, err := h.principalByAddress(ctx, addr); err != nil || p.Path != "/wilfredo/" {
			t.Fatalf("%s: %+v, %v", addr, p, err)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := h.principalByAddress(ctx, "mailto:nobody@example.com"); !errors.Is(err, backend.ErrNotFound) {
			t.Fatalf("unknown address: %v", err)
		}
	}
	if n := store.lookups.Load(); n != 2 {
		t.Errorf("%d store lookups for two addresses asked twice each, want 2", n)
	}

	// Failures other than not-found are asked again.
	store.fail = errors.New("database down")
	for i := 0; i < 2; i++ {
		if _, err := h.principalByAddress(ctx, "mailto:other@example.com"); !errors.Is(err, store.fail) {
			t.Fatalf("failing store: %v", err)
		}
	}
	if n := store.lookups.Load(); n != 4 {
		t.Errorf("%d store lookups, want 4 (failures are not remembered)", n)
	}

	// Without a cache, every call asks the store.
	store.fail = nil
	h.principalByAddress(context.Background(), "mailto:wilfredo@example.com")
	h.principalByAddress(context.Background(), "mailto:wilfredo@example.com")
	if n := store.lookups.Load(); n != 6 {
		t.Errorf("%d store lookups, want 6 (no cache outside a write)", n)
	}
}

// TestPrincipalCacheInWrite: the deliveries of an invitation reuse the
// lookups of its predicted statuses: a 2-attendee invitation costs 2
// lookups, not 4 (prediction and delivery, 2 each).
func TestPrincipalCacheInWrite(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	store := &countingStore{Store: e.store}
	org := putThrough(t, e, store, "cached-lookups")
	if n := store.lookups.Load(); n > 2 {
		t.Errorf("%d principal lookups for a 2-attendee invitation, want 2", n)
	}
	if c := strings.Count(org, "SCHEDULE-STATUS=1.2"); c != 2 {
		t.Errorf("%d attendees delivered, want 2:\n%s", c, org)
	}
}
