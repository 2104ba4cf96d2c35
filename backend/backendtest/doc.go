// Package backendtest is a conformance suite for implementations of the
// backend storage contract. A store author runs every test with one call:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backendtest.Store {
//			s := mystore.Open(...) // a fresh, EMPTY store
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The constructor is called once per subtest and must return a fresh store
// holding no principals, calendars, objects or inbox items; it may register
// clean-up with t.Cleanup, and should call t.Fatal when it cannot build one.
// Subtests run one after another.
//
// The suite checks every method of backend.Store and backend.DirectoryWriter
// and every typed error they return: directory lookups by every address
// form (mailto:, urn:uuid:, the principal path, http URLs) with case
// differences; calendars with their properties (schedule-calendar-transp,
// supported components, default calendar); objects with ETag
// compare-and-swap, If-None-Match creation, Schedule-Tag, UID conflicts
// within a calendar and lookup by UID across calendars; time-range
// candidates over single, recurring (bounded and unbounded), all-day,
// floating and zoned objects and tasks without dates, against the index
// backend.MakeIndex computes; scheduling inboxes and their pruning; copies
// in and out (no aliasing of caller or stored slices); and concurrent
// writers, of which none may lose an update.
//
// Beyond the interface comments, the suite fixes these behaviours, which
// every store must share:
//   - Principal paths are clean collection paths (backend.CheckPrincipal);
//     calendars are direct children of their owner's HomePath and are never
//     the inbox or outbox (backend.CheckCalendarPath); resource names pass
//     backend.CheckName. Violations return backend.ErrInvalidPath.
//   - PrincipalByAddress compares backend.AddressKey forms; the principal's
//     Path is always one of its addresses.
//   - PutPrincipal returns backend.ErrAddressInUse when an address (or the
//     Path) belongs to another principal; CreateCalendar returns
//     backend.ErrExists over an existing calendar and backend.ErrNotFound
//     when the owner is unknown.
//   - PutObject stores backend.MakeIndex(data) as the Index, rejects what
//     MakeIndex rejects with backend.ErrInvalidData, enforces
//     SupportedComponents (backend.ErrUnsupportedComponent) and
//     MaxResourceSize (backend.ErrTooLarge), and gives every write a new
//     ETag, even of identical data.
//   - ObjectByUID, when the UID is in several of the principal's
//     calendars, returns the one in the default calendar, else the first
//     in calendar path order.
//   - ObjectsInRange returns at least every object whose Index overlaps the
//     range by backend.Index.Overlaps, and leaves out objects a day or more
//     away from it.
//   - SchedulingObjects orders by last modification, ties in write order;
//     replacing an item makes it the newest. CreateSchedulingObject returns
//     backend.ErrInvalidPath for a bad name (backend.CheckName) and
//     backend.ErrInvalidData for empty data.
//   - Deleting a calendar deletes its objects and clears the owner's
//     default calendar when it was that calendar.
//
// Stores that also implement backend.Outbox (the delivery queue) get the
// Outbox subtests; for other stores they are skipped. They fix: a failed
// PutObjectEnqueue (If-Match, UID conflict, invalid message) queues and
// writes nothing, and so does a failed DeleteObjectEnqueue (If-Match, no
// object, invalid message) while a successful one deletes the object and
// queues its messages; enqueuing a known ID does nothing; one Claim gives its
// messages one lease, increments Attempts, and hides them until the lease
// expires; Complete, Retry and Release with a lost lease return
// backend.ErrLeaseLost; Release does not count the attempt; only the
// oldest message of a UID and recipient (compared by backend.AddressKey)
// is claimable; a Supersedes message drops the pair's older unleased
// REQUESTs and nothing else; and concurrent claimers take every message
// exactly once, in order per pair.
package backendtest
