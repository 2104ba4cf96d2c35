package tz

import (
	"sync"
	"time"

	"github.com/emersion/go-ical"
)

// maxCachedVTimezones bounds a VTimezoneCache; past it, results are
// generated but no longer remembered.
const maxCachedVTimezones = 256

// VTimezoneCache remembers the VTIMEZONEs GenerateVTimezone made, by
// TZID, location and year range, so that a caller building many messages
// (one per recipient group) generates each zone once and shares the
// component. It is held by the caller (e.g. for one scheduling operation);
// the zero value is ready to use and it is safe for concurrent use. The
// components it returns are shared: do not modify them.
type VTimezoneCache struct {
	mu sync.Mutex
	m  map[vtzCacheKey]vtzCacheEntry
}

type vtzCacheKey struct {
	tzid     string
	loc      *time.Location
	from, to int // years; GenerateVTimezone works in whole years
}

type vtzCacheEntry struct {
	vtz *ical.Component
	err error
}

// VTimezone returns GenerateVTimezone(tzid, loc, from, to), generating it
// only when the same TZID, location and years were not asked for before.
func (c *VTimezoneCache) VTimezone(tzid string, loc *time.Location, from, to time.Time) (*ical.Component, error) {
	key := vtzCacheKey{tzid: tzid, loc: loc, from: from.UTC().Year(), to: to.UTC().Year()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		return e.vtz, e.err
	}
	vtz, err := GenerateVTimezone(tzid, loc, from, to)
	if c.m == nil {
		c.m = make(map[vtzCacheKey]vtzCacheEntry)
	}
	if len(c.m) < maxCachedVTimezones {
		c.m[key] = vtzCacheEntry{vtz, err}
	}
	return vtz, err
}
