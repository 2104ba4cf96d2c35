package schedule

import (
	"net/http"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// storeOnly is a write with "Scheduling: none" (a restore or an import):
// the data is stored exactly as sent, nothing is planned or sent. It is
// still a scheduling object resource when the owner organizes it or
// attends it, so it gets a new Schedule-Tag and its UID must be unique
// among the owner's scheduling objects.
func (h *Handler) storeOnly(q *request, dst *target, cal *ical.Calendar, data []byte, old *backend.Object, addrs []string) (*writeResult, error) {
	ctx := q.ctx()
	obj, err := itip.ParseObject(cal, nil)
	if err != nil {
		return nil, planError(err)
	}
	// The attendee limit holds for imports too (a later write would
	// schedule them all).
	for _, c := range obj.Components() {
		if len(c.Props[ical.PropAttendee]) > h.maxAtt {
			return nil, precondition(http.StatusForbidden, MaxAttendeesPerInstance, "too many attendees")
		}
	}
	tag := ""
	if obj.IsSchedulable() && ownerTakesPart(obj, addrs) {
		tag = newTag()
		if err := h.checkUniqueUID(ctx, dst, obj.UID); err != nil {
			return nil, err
		}
	}
	putOpts := &backend.PutOptions{IfNoneMatch: old == nil, ScheduleTag: tag}
	if old != nil {
		putOpts.IfMatch = old.ETag
	}
	stored, err := h.store.PutObject(ctx, dst.path, data, putOpts)
	if err != nil {
		return nil, storeError(err)
	}
	return &writeResult{obj: stored, created: old == nil}, nil
}

// ownerTakesPart reports whether one of addrs is the ORGANIZER or an
// ATTENDEE of obj.
func ownerTakesPart(obj *itip.Object, addrs []string) bool {
	own := caladdr.NewSet(addrs...)
	if own.Has(obj.Organizer) {
		return true
	}
	for _, c := range obj.Components() {
		for _, a := range c.Props[ical.PropAttendee] {
			if own.Has(a.Value) {
				return true
			}
		}
	}
	return false
}
