package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// busyData is what one user's busy time is computed from: their calendar
// objects, grouped by the time zone of the calendar holding them, and
// their availability.
type busyData struct {
	// zones are the objects by calendar time zone: floating and DATE
	// values of a calendar's objects are in its CALDAV:calendar-timezone
	// (RFC 4791 §5.2.2, §7.10), UTC for calendars without one.
	zones []zoneObjects
	// availability holds the stored objects whose component is
	// VAVAILABILITY (RFC 7953 §7: CalDAV servers may store them in
	// calendar collections) and the owner's CALDAV:calendar-availability
	// (RFC 7953 §7.2.4); time outside their AVAILABLE blocks is busy.
	availability []*ical.Calendar
	// availabilityFrom is, per availability entry, the index in zones of
	// the calendar that stores it; -1 for the calendar-availability
	// property.
	availabilityFrom []int
	// availabilityZone is the CALDAV:calendar-timezone text of the zone
	// in which floating and DATE values of availability are placed
	// (availabilityZone explains the choice); "" for UTC. The floating
	// DATE-TIME values of objects from calendars of another zone are
	// pinned to theirs (pinFloating).
	availabilityZone string
	// locations caches the time zone of each calendar-timezone text met.
	locations map[string]*time.Location
}

// zoneObjects are the objects of the calendars that share one time zone.
type zoneObjects struct {
	timeZone string         // the calendars' TimeZone; "" for none
	loc      *time.Location // its location; nil for UTC
	objects  []freebusy.Object
}

// zone returns the index in d.zones of the group of calendar-timezone
// text timeZone, adding it with its location when it is new. A stored
// zone that no longer resolves (it was checked when it was set) is
// logged and taken as UTC.
func (h *Handler) zone(ctx context.Context, d *busyData, cal *backend.Calendar) int {
	for i := range d.zones {
		if d.zones[i].timeZone == cal.TimeZone {
			return i
		}
	}
	d.zones = append(d.zones, zoneObjects{timeZone: cal.TimeZone, loc: h.location(ctx, d, cal)})
	return len(d.zones) - 1
}

// location returns the time zone of cal (nil for UTC), parsed once per
// answer.
func (h *Handler) location(ctx context.Context, d *busyData, cal *backend.Calendar) *time.Location {
	if cal.TimeZone == "" {
		return nil
	}
	if loc, ok := d.locations[cal.TimeZone]; ok {
		return loc
	}
	loc, err := cal.TimeZoneLocation()
	if err != nil {
		h.log.WarnContext(ctx, "schedule: free-busy: calendar time zone taken as UTC", "calendar", cal.Path, "err", err)
	}
	if d.locations == nil {
		d.locations = make(map[string]*time.Location)
	}
	d.locations[cal.TimeZone] = loc
	return loc
}

// compute computes the busy time over [start, end) of the user with
// addresses from d: one freebusy.Compute per calendar time zone (a Query
// places floating and DATE values in a single Location), the availability
// counted in the Compute of its zone (or one of its own), and the periods
// merged. Problems are listed together; their indexes count within their
// zone's objects. An answer of more than freebusy.DefaultMaxPeriods
// merged periods fails with freebusy.ErrTooManyPeriods, as one Compute
// would.
func (h *Handler) compute(ctx context.Context, d *busyData, start, end time.Time, addresses []string) (*freebusy.Result, error) {
	availAt := -1 // the zone whose Compute counts the availability
	for i := range d.zones {
		if d.zones[i].timeZone == d.availabilityZone {
			availAt = i
		}
	}
	if availAt < 0 && (len(d.availability) > 0 || len(d.zones) == 0) {
		// No calendar of that zone was read: the availability is counted
		// alone (and a query without calendars still gets checked).
		d.zones = append(d.zones, zoneObjects{timeZone: d.availabilityZone,
			loc: h.location(ctx, d, &backend.Calendar{TimeZone: d.availabilityZone})})
		availAt = len(d.zones) - 1
	}
	var out *freebusy.Result
	for i := range d.zones {
		z := &d.zones[i]
		if len(z.objects) == 0 && i != availAt && (out != nil || i < len(d.zones)-1) {
			continue // nothing to count (but one Compute always runs)
		}
		q := freebusy.Query{Start: start, End: end, Addresses: addresses, Location: z.loc}
		if i == availAt {
			q.Availability = d.availability
		}
		res, err := freebusy.Compute(ctx, q, z.objects)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = res
			continue
		}
		out.Periods = append(out.Periods, res.Periods...)
		out.Problems = append(out.Problems, res.Problems...)
	}
	if len(d.zones) > 1 {
		// Merge is idempotent, so a single non-empty zone loses nothing.
		out.Periods = freebusy.Merge(out.Periods)
		if len(out.Periods) > freebusy.DefaultMaxPeriods {
			return nil, fmt.Errorf("%w: more than %d periods in %d time zones", freebusy.ErrTooManyPeriods, freebusy.DefaultMaxPeriods, len(d.zones))
		}
	}
	return out, nil
}

// loadBusy reads the objects of cals that may overlap [start, end) (the
// store's time-range index picks them) and parses them through h's
// cache, so that only objects written since an earlier answer are
// parsed again. When the store is a backend.RangeLister and h caches,
// the candidates are listed without their data and only the versions
// the cache lacks are read (loadCalendarByRef). With honourTransp,
// calendars whose schedule-calendar-transp is transparent are not read
// (RFC 6638 §9.1); without it every calendar counts. Objects that no
// longer parse do not count. When owner is not nil, the owner's
// calendar-availability counts too (ownerAvailability).
func (h *Handler) loadBusy(ctx context.Context, cals []backend.Calendar, start, end time.Time, honourTransp bool, owner *backend.Principal) (*busyData, error) {
	d := &busyData{}
	rl, byRef := h.store.(backend.RangeLister)
	byRef = byRef && h.parsed != nil
	var counted []backend.Calendar
	for i := range cals {
		cal := &cals[i]
		if honourTransp && cal.Transparent {
			continue
		}
		counted = append(counted, *cal)
		zi := h.zone(ctx, d, cal)
		var err error
		if byRef {
			err = h.loadCalendarByRef(ctx, d, zi, rl, cal.Path, start, end)
		} else {
			err = h.loadCalendar(ctx, d, zi, cal.Path, start, end)
		}
		if err != nil {
			return nil, err
		}
	}
	if owner != nil {
		if err := h.ownerAvailability(ctx, d, owner); err != nil {
			return nil, err
		}
	}
	if len(d.availability) > 0 {
		zone, err := h.availabilityZone(ctx, counted, owner)
		if err != nil {
			return nil, err
		}
		d.availabilityZone = zone
		for i, zi := range d.availabilityFrom {
			if zi >= 0 && d.zones[zi].timeZone != zone {
				d.availability[i] = pinFloating(d.availability[i], zoneOf(d.zones[zi].timeZone))
			}
		}
	}
	return d, nil
}

// ownerAvailability adds owner's CALDAV:calendar-availability to d's
// availability, when the store keeps it (backend.AvailabilityStore) and
// it is set. A stored value that no longer parses is logged and does not
// count (it was checked when it was set).
func (h *Handler) ownerAvailability(ctx context.Context, d *busyData, owner *backend.Principal) error {
	as, ok := h.store.(backend.AvailabilityStore)
	if !ok {
		return nil
	}
	data, err := as.Availability(ctx, owner.Path)
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("availability of %s: %w", owner.Path, err)
	}
	cal, err := ics.DecodeShared(data)
	if err != nil {
		h.log.WarnContext(ctx, "schedule: free-busy: stored calendar-availability does not parse", "principal", owner.Path, "err", err)
		return nil
	}
	d.availability = append(d.availability, cal)
	d.availabilityFrom = append(d.availabilityFrom, -1)
	return nil
}

// availabilityZone returns the calendar-timezone text in which the
// floating and DATE values of a user's availability are placed: RFC 7953
// gives availability no calendar of its own, so it is the user's zone,
// taken as the one zone of the counted calendars when they agree, else
// that of owner's default calendar, else that of the first calendar with
// one; "" (UTC) when no calendar has a zone.
func (h *Handler) availabilityZone(ctx context.Context, cals []backend.Calendar, owner *backend.Principal) (string, error) {
	zone, mixed := "", false
	for i := range cals {
		switch tz := cals[i].TimeZone; {
		case tz == "" || tz == zone:
		case zone == "":
			zone = tz
		default:
			mixed = true
		}
	}
	if !mixed || owner == nil {
		return zone, nil
	}
	def, err := h.store.DefaultCalendar(ctx, owner.Path)
	if errors.Is(err, backend.ErrNotFound) {
		return zone, nil
	}
	if err != nil {
		return "", fmt.Errorf("default calendar of %s: %w", owner.Path, err)
	}
	for i := range cals {
		if cals[i].Path == collectionPath(def) && cals[i].TimeZone != "" {
			return cals[i].TimeZone, nil
		}
	}
	return zone, nil
}

// loadCalendar adds to d, in its zone group, the candidates of the
// calendar at path for [start, end), read with their data in one
// ObjectsInRange.
func (h *Handler) loadCalendar(ctx context.Context, d *busyData, zone int, path string, start, end time.Time) error {
	objs, err := h.store.ObjectsInRange(ctx, path, start, end)
	if err != nil {
		return fmt.Errorf("objects of %s: %w", path, err)
	}
	for i := range objs {
		o := &objs[i]
		c, ok := h.parsed.decode(o.Path, o.ETag, o.Data)
		d.add(zone, o.Component, c, ok)
	}
	return nil
}

// refMissShare is the share of a calendar's candidates missing from the
// cache above which loadCalendarByRef reads the whole range with its data
// in one query (loadCalendar) rather than each missing object alone: a
// cold cache costs one range read, not one read per object.
const refMissShare = 4 // more than one in four

// loadCalendarByRef adds to d, in its zone group, the candidates of the calendar at path for
// [start, end), listed without their data by rl: those whose version the
// cache holds come from it, the others are read with Object (or, when
// more than one in refMissShare misses, the range is read with its data
// by loadCalendar). An object changed since it was listed counts as read;
// one deleted since does not count.
func (h *Handler) loadCalendarByRef(ctx context.Context, d *busyData, zone int, rl backend.RangeLister, path string, start, end time.Time) error {
	refs, err := rl.ObjectRefsInRange(ctx, path, start, end)
	if err != nil {
		return fmt.Errorf("objects of %s: %w", path, err)
	}
	type found struct {
		cal *ical.Calendar
		ok  bool
	}
	cached := make([]found, len(refs))
	var misses []int
	for i, r := range refs {
		c, ok, hit := h.parsed.get(r.Path, r.ETag)
		if !hit {
			misses = append(misses, i)
			continue
		}
		cached[i] = found{c, ok}
	}
	if len(misses)*refMissShare > len(refs) {
		return h.loadCalendar(ctx, d, zone, path, start, end)
	}
	next := 0 // index into misses
	for i, r := range refs {
		if next < len(misses) && misses[next] == i {
			next++
			o, err := h.store.Object(ctx, r.Path)
			if errors.Is(err, backend.ErrNotFound) {
				continue // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("object %s: %w", r.Path, err)
			}
			c, ok := h.parsed.decode(o.Path, o.ETag, o.Data)
			d.add(zone, o.Component, c, ok)
			continue
		}
		d.add(zone, r.Component, cached[i].cal, cached[i].ok)
	}
	return nil
}

// add counts the parsed object c, of the stored component, unless it did
// not parse (!ok): as availability when it is a VAVAILABILITY, as busy
// time of the zone group zone otherwise.
func (d *busyData) add(zone int, component string, c *ical.Calendar, ok bool) {
	switch {
	case !ok:
	case component == freebusy.ComponentAvailability:
		d.availability = append(d.availability, c)
		d.availabilityFrom = append(d.availabilityFrom, zone)
	default:
		d.zones[zone].objects = append(d.zones[zone].objects, freebusy.Object{Calendar: c})
	}
}

// recipientBusy loads what the busy time of rcpt, the recipient of a
// free-busy request, is computed from: every calendar of theirs that is
// not transparent, and their calendar-availability.
func (h *Handler) recipientBusy(ctx context.Context, rcpt *backend.Principal, start, end time.Time) (*busyData, error) {
	cals, err := h.store.Calendars(ctx, rcpt.Path)
	if err != nil {
		return nil, err
	}
	return h.loadBusy(ctx, cals, start, end, true, rcpt)
}
