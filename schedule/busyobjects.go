package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/freebusy"
)

// busyData is what one user's busy time is computed from: their calendar
// objects and their availability.
type busyData struct {
	objects []freebusy.Object
	// availability holds the stored objects whose component is
	// VAVAILABILITY (RFC 7953 §7: CalDAV servers may store them in
	// calendar collections); time outside their AVAILABLE blocks is busy.
	availability []*ical.Calendar
}

// query returns the freebusy.Query for addresses over [start, end) with
// d's availability.
func (d *busyData) query(start, end time.Time, addresses []string) freebusy.Query {
	return freebusy.Query{Start: start, End: end, Addresses: addresses, Availability: d.availability}
}

// loadBusy reads the objects of cals that may overlap [start, end) (the
// store's time-range index picks them) and parses them through h's
// cache, so that only objects written since an earlier answer are
// parsed again. When the store is a backend.RangeLister and h caches,
// the candidates are listed without their data and only the versions
// the cache lacks are read (loadCalendarByRef). With honourTransp,
// calendars whose schedule-calendar-transp is transparent are not read
// (RFC 6638 §9.1); without it every calendar counts. Objects that no
// longer parse do not count.
func (h *Handler) loadBusy(ctx context.Context, cals []backend.Calendar, start, end time.Time, honourTransp bool) (*busyData, error) {
	d := &busyData{}
	rl, byRef := h.store.(backend.RangeLister)
	byRef = byRef && h.parsed != nil
	for _, cal := range cals {
		if honourTransp && cal.Transparent {
			continue
		}
		var err error
		if byRef {
			err = h.loadCalendarByRef(ctx, d, rl, cal.Path, start, end)
		} else {
			err = h.loadCalendar(ctx, d, cal.Path, start, end)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// loadCalendar adds to d the candidates of the calendar at path for
// [start, end), read with their data in one ObjectsInRange.
func (h *Handler) loadCalendar(ctx context.Context, d *busyData, path string, start, end time.Time) error {
	objs, err := h.store.ObjectsInRange(ctx, path, start, end)
	if err != nil {
		return fmt.Errorf("objects of %s: %w", path, err)
	}
	for i := range objs {
		o := &objs[i]
		c, ok := h.parsed.decode(o.Path, o.ETag, o.Data)
		d.add(o.Component, c, ok)
	}
	return nil
}

// refMissShare is the share of a calendar's candidates missing from the
// cache above which loadCalendarByRef reads the whole range with its data
// in one query (loadCalendar) rather than each missing object alone: a
// cold cache costs one range read, not one read per object.
const refMissShare = 4 // more than one in four

// loadCalendarByRef adds to d the candidates of the calendar at path for
// [start, end), listed without their data by rl: those whose version the
// cache holds come from it, the others are read with Object (or, when
// more than one in refMissShare misses, the range is read with its data
// by loadCalendar). An object changed since it was listed counts as read;
// one deleted since does not count.
func (h *Handler) loadCalendarByRef(ctx context.Context, d *busyData, rl backend.RangeLister, path string, start, end time.Time) error {
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
		return h.loadCalendar(ctx, d, path, start, end)
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
			d.add(o.Component, c, ok)
			continue
		}
		d.add(r.Component, cached[i].cal, cached[i].ok)
	}
	return nil
}

// add counts the parsed object c, of the stored component, unless it did
// not parse (!ok): as availability when it is a VAVAILABILITY, as busy
// time otherwise.
func (d *busyData) add(component string, c *ical.Calendar, ok bool) {
	switch {
	case !ok:
	case component == freebusy.ComponentAvailability:
		d.availability = append(d.availability, c)
	default:
		d.objects = append(d.objects, freebusy.Object{Calendar: c})
	}
}

// recipientBusy loads what the busy time of rcpt, the recipient of a
// free-busy request, is computed from: every calendar of theirs that is
// not transparent.
func (h *Handler) recipientBusy(ctx context.Context, rcpt *backend.Principal, start, end time.Time) (*busyData, error) {
	cals, err := h.store.Calendars(ctx, rcpt.Path)
	if err != nil {
		return nil, err
	}
	return h.loadBusy(ctx, cals, start, end, true)
}
