package schedule

import (
	"context"
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
// parsed again. With honourTransp, calendars whose
// schedule-calendar-transp is transparent are not read (RFC 6638 §9.1);
// without it every calendar counts. Objects that no longer parse do not
// count.
func (h *Handler) loadBusy(ctx context.Context, cals []backend.Calendar, start, end time.Time, honourTransp bool) (*busyData, error) {
	d := &busyData{}
	for _, cal := range cals {
		if honourTransp && cal.Transparent {
			continue
		}
		objs, err := h.store.ObjectsInRange(ctx, cal.Path, start, end)
		if err != nil {
			return nil, fmt.Errorf("objects of %s: %w", cal.Path, err)
		}
		for i := range objs {
			o := &objs[i]
			c, ok := h.parsed.decode(o.Path, o.ETag, o.Data)
			if !ok {
				continue
			}
			if o.Component == freebusy.ComponentAvailability {
				d.availability = append(d.availability, c)
				continue
			}
			d.objects = append(d.objects, freebusy.Object{Calendar: c})
		}
	}
	return d, nil
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
