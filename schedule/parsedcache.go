package schedule

import (
	"container/list"
	"sync"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// DefaultFreeBusyCacheSize is the memory, in octets, that parsed calendar
// objects kept between free-busy answers may take when
// Options.FreeBusyCacheSize is 0: 64 MiB, some six thousand typical
// events.
const DefaultFreeBusyCacheSize = 64 << 20

// parsedCostFactor estimates the memory a parsed object takes from the
// size of its iCalendar text: go-ical's components, property maps and
// parameter maps take about nine times the text (measured on events with
// attendees and overrides).
const parsedCostFactor = 10

// parsedCache keeps parsed calendar objects between free-busy answers,
// keyed by resource path and ETag, so that a free-busy POST or
// free-busy-query parses only the objects written since the last one
// that read them. Its memory is bounded (least recently used entries go
// first). The calendars it returns are shared between requests and must
// only be read: freebusy.Compute does not modify its objects. Objects
// that do not parse are remembered too (as nil), so that a broken object
// is not parsed again on every query. It is safe for concurrent use; nil
// caches nothing.
type parsedCache struct {
	mu      sync.Mutex
	limit   int64
	size    int64
	entries map[string]*list.Element // path → *parsedEntry
	lru     list.List                // front: most recently used
}

// parsedEntry is one cached object.
type parsedEntry struct {
	path, etag string
	cal        *ical.Calendar // nil: the data did not parse
	cost       int64
}

// newParsedCache returns a cache of at most limit octets (0: the
// default); a negative limit returns nil, which caches nothing.
func newParsedCache(limit int64) *parsedCache {
	switch {
	case limit < 0:
		return nil
	case limit == 0:
		limit = DefaultFreeBusyCacheSize
	}
	return &parsedCache{limit: limit, entries: make(map[string]*list.Element)}
}

// decode returns the parsed form of the object stored at path with etag
// and data, from the cache when it holds that version, and whether it
// parses. An object is cached only when the store gave it an ETag.
func (c *parsedCache) decode(path, etag string, data []byte) (*ical.Calendar, bool) {
	if cal, ok, hit := c.get(path, etag); hit {
		return cal, ok
	}
	cal, err := ics.DecodeShared(data)
	if err != nil {
		cal = nil
	}
	c.put(path, etag, cal, int64(len(data))*parsedCostFactor)
	return cal, cal != nil
}

// get looks path up; hit is false unless the cache holds the version
// etag.
func (c *parsedCache) get(path, etag string) (cal *ical.Calendar, ok, hit bool) {
	if c == nil || etag == "" {
		return nil, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, found := c.entries[path]
	if !found {
		return nil, false, false
	}
	e := el.Value.(*parsedEntry)
	if e.etag != etag {
		return nil, false, false
	}
	c.lru.MoveToFront(el)
	return e.cal, e.cal != nil, true
}

// put remembers the version etag of path, replacing any other, and
// evicts the least recently used entries beyond the limit. An entry
// larger than the whole limit is not kept.
func (c *parsedCache) put(path, etag string, cal *ical.Calendar, cost int64) {
	if c == nil || etag == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, found := c.entries[path]; found {
		c.remove(el)
	}
	if cost > c.limit {
		return
	}
	c.entries[path] = c.lru.PushFront(&parsedEntry{path: path, etag: etag, cal: cal, cost: cost})
	c.size += cost
	for c.size > c.limit {
		c.remove(c.lru.Back())
	}
}

// remove drops one entry; c.mu must be held.
func (c *parsedCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*parsedEntry)
	delete(c.entries, e.path)
	c.size -= e.cost
}

// stats returns the number of entries and their estimated size, for
// tests.
func (c *parsedCache) stats() (entries int, size int64) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}
