// Package memory is an in-memory implementation of the backend storage
// contract (backend.Store and backend.DirectoryWriter), for tests,
// examples and small embedded servers. Nothing is persisted.
//
// A Store is safe for concurrent use. It copies data in and out, so
// callers may modify what they pass or receive. Every write computes the
// object's index with backend.CheckObject before taking the lock, so
// writers do not hold readers up while recurrence rules are expanded.
// ETags are strong and opaque: a random per-store prefix and the store's
// write counter, so every write gets a new one and no two stores share
// one. A write with backend.PutOptions.Prepared takes the index from it.
//
// Usage:
//
//	s := memory.New()
//	alice := backend.NewPrincipal("alice", "Alice", "alice@example.com")
//	if err := s.Provision(ctx, alice); err != nil { ... }
//	// Serve CalDAV (requests must carry backend.WithPrincipal):
//	h := &caldav.Handler{Backend: s.CalDAV()}
//
// Principals follow the path layout of backend.NewPrincipal; Provision
// gives each a default calendar "/<user>/calendars/default/".
//
// A Store is also a backend.Outbox, the delivery queue of package queue:
// PutObjectEnqueue writes the object and queues its messages under the
// same lock, and DeleteObjectEnqueue does the same for a delete. The queue lives and dies with the Store, so it survives a
// crashed worker (leases expire) but not the process.
package memory
