package schedule

import (
	"context"
	"errors"
	"sync"

	"github.com/go-autoschedule/autoschedule/backend"
)

// principalCache remembers, for one write and its deliveries, whom each
// calendar user address resolved to: the statuses predicted before the
// write and the deliveries after it look the same recipients up, and
// with a SQL store the lookups after the write are the expensive ones
// (every write empties the page caches of the reading connections).
// Misses (backend.ErrNotFound) are remembered too; other errors are not.
type principalCache struct {
	mu sync.Mutex
	m  map[string]principalLookup // by backend.AddressKey
}

type principalLookup struct {
	p   *backend.Principal // shared by the write's lookups: read-only
	err error              // nil or a backend.ErrNotFound
}

type principalCacheKey struct{}

// withPrincipalCache returns a context in which principalByAddress
// remembers its answers. A context that has a cache keeps it.
func withPrincipalCache(ctx context.Context) context.Context {
	if _, ok := ctx.Value(principalCacheKey{}).(*principalCache); ok {
		return ctx
	}
	return context.WithValue(ctx, principalCacheKey{}, &principalCache{m: make(map[string]principalLookup)})
}

// principalByAddress is the store's PrincipalByAddress, answered from
// ctx's principalCache when it has one. The principal returned may be
// shared with other lookups of the same write: do not modify it.
func (h *Handler) principalByAddress(ctx context.Context, addr string) (*backend.Principal, error) {
	c, _ := ctx.Value(principalCacheKey{}).(*principalCache)
	if c == nil {
		return h.store.PrincipalByAddress(ctx, addr)
	}
	key := backend.AddressKey(addr)
	c.mu.Lock()
	l, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return l.p, l.err
	}
	p, err := h.store.PrincipalByAddress(ctx, addr)
	if err == nil || errors.Is(err, backend.ErrNotFound) {
		c.mu.Lock()
		c.m[key] = principalLookup{p: p, err: err}
		c.mu.Unlock()
	}
	return p, err
}
