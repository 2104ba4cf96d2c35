package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Store is an in-memory backend.Store and backend.DirectoryWriter. It is
// safe for concurrent use: one sync.RWMutex guards everything, and every
// method copies data in and out, so callers never share a slice or struct
// with the store. The zero value is not usable; call New.
type Store struct {
	now func() time.Time
	// etagPrefix is random per Store, so that ETags of two stores (or of
	// one process and the next) never coincide.
	etagPrefix string

	mu         sync.RWMutex
	seq        uint64                         // write counter: ETags and inbox order
	principals map[string]*backend.Principal  // by Path
	byAddress  map[string]string              // AddressKey → principal Path
	byPath     map[string]string              // Path, HomePath, InboxPath, OutboxPath → principal Path
	calendars  map[string]*calendar           // by calendar path
	owned      map[string]map[string]struct{} // principal Path → its calendar paths
	defaults   map[string]string              // principal Path → default calendar path
	inboxes    map[string]map[string]*inboxItem
	outbox     outbox // the delivery queue (outbox.go)
	// availability is each principal's calendar-availability
	// (availability.go), by principal Path.
	availability map[string][]byte
}

// calendar is one calendar collection and its objects.
type calendar struct {
	cal     backend.Calendar
	objects map[string]*backend.Object // by resource name; Data never changes once stored
	byUID   map[string]string          // UID → resource name
}

// inboxItem is one scheduling inbox item; data never changes once stored.
type inboxItem struct {
	obj backend.SchedulingObject
	seq uint64
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now,
// for ModTime values (and so for PruneSchedulingObjects).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	var nonce [6]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	s := &Store{
		now:        time.Now,
		etagPrefix: hex.EncodeToString(nonce[:]) + "-",
		principals: map[string]*backend.Principal{},
		byAddress:  map[string]string{},
		byPath:     map[string]string{},
		calendars:  map[string]*calendar{},
		owned:      map[string]map[string]struct{}{},
		defaults:   map[string]string{},
		inboxes:    map[string]map[string]*inboxItem{},

		availability: map[string][]byte{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Provision stores p and gives it a default calendar; see
// backend.Provision.
func (s *Store) Provision(ctx context.Context, p *backend.Principal) error {
	return backend.Provision(ctx, s, p)
}

// stamp returns the time and a new ETag for a write: the store's random
// prefix and its write counter. The caller holds s.mu for writing.
func (s *Store) stamp() (time.Time, string) {
	s.seq++
	return s.now().Round(0), s.etagPrefix + strconv.FormatUint(s.seq, 36)
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

func cloneObject(o *backend.Object) *backend.Object {
	c := *o
	c.Data = cloneBytes(o.Data)
	return &c
}

func cloneCalendar(c *backend.Calendar) *backend.Calendar {
	cp := *c
	cp.SupportedComponents = append([]string(nil), c.SupportedComponents...)
	return &cp
}

func clonePrincipal(p *backend.Principal) *backend.Principal {
	cp := *p
	cp.Addresses = append([]string(nil), p.Addresses...)
	return &cp
}

// Compile-time checks of the interfaces Store implements.
var (
	_ backend.Store           = (*Store)(nil)
	_ backend.DirectoryWriter = (*Store)(nil)
)

// CalDAV returns a go-webdav caldav.Backend over this store, for a
// caldav.Handler; see backend.CalDAV. Requests must carry the principal
// (backend.WithPrincipal).
func (s *Store) CalDAV() *backend.CalDAV { return backend.NewCalDAV(s) }
