package schedule

import (
	"hash/fnv"
	"sync"
)

// lockStripes is the number of mutexes serialising updates of the same
// scheduling object inside this process (CAS still guards against other
// processes). A stripe is held across a store write (and its wait for
// the SQLite group commit), and an organizer's write with three
// attendees takes four stripes, so unrelated objects sharing a stripe
// wait for each other: with 64 stripes, eight busy clients spent about a
// millisecond per request there; 4096 (32 KiB of mutexes) make such
// collisions rare.
const lockStripes = 4096

// objectLocks serialises updates of one scheduling object (principal and
// UID) so that concurrent replies do not spin on compare-and-swap.
type objectLocks struct {
	stripes [lockStripes]sync.Mutex
}

func (l *objectLocks) lock(principal, uid string) *sync.Mutex {
	f := fnv.New32a()
	_, _ = f.Write([]byte(principal))
	_, _ = f.Write([]byte{0})
	_, _ = f.Write([]byte(uid))
	m := &l.stripes[f.Sum32()%lockStripes]
	m.Lock()
	return m
}
