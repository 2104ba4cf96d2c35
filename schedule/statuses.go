package schedule

import (
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// predictStatuses returns the status each recipient's delivery is
// expected to end with: StatusDelivered for a local user who accepts the
// sender's messages, StatusNoPrivilege or StatusInvalidUser when it is
// known to fail, StatusPending for recipients left to the durable queue
// or the Deliverers.
// Recipients outside scope get "" (no delivery, no status).
func (h *Handler) predictStatuses(ctx context.Context, sender *backend.Principal, msgs []*itip.Message, scope Scope) map[string]Status {
	out := make(map[string]Status)
	for _, m := range msgs {
		for _, r := range m.Recipients {
			st := h.predict(ctx, sender, m, r, scope)
			key := caladdr.Normalize(r)
			if prev, ok := out[key]; !ok || worse(st, prev) {
				out[key] = st
			}
		}
	}
	return out
}

func (h *Handler) predict(ctx context.Context, sender *backend.Principal, msg *itip.Message, recipient string, scope Scope) Status {
	rcpt, err := h.principalByAddress(ctx, recipient)
	switch {
	case errors.Is(err, backend.ErrNotFound) && !scope.Remote():
		return ""
	case err == nil && !scope.Local():
		return ""
	case errors.Is(err, backend.ErrNotFound):
		if len(h.deliverers) == 0 && !h.dq.takes(recipient, scope) {
			return StatusInvalidUser
		}
		return StatusPending
	case err != nil:
		return StatusPending
	case rcpt.InboxPath == "":
		return StatusInvalidUser
	}
	priv, err := h.privileges(ctx, sender.Path, rcpt.Path, privilege.Inbox)
	if err != nil {
		return StatusPending
	}
	if !priv.Has(deliverPrivilege(msg)) {
		return StatusNoPrivilege
	}
	return StatusDelivered
}

// sameStatuses reports whether two status maps are equal.
func sameStatuses(a, b map[string]Status) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// worse reports whether a is a worse outcome than b (failures over
// success).
func worse(a, b Status) bool {
	return !strings.HasPrefix(string(a), "1.") && strings.HasPrefix(string(b), "1.")
}

// writeStatuses writes the delivery statuses into the stored object
// (SCHEDULE-STATUS on the recipients' ATTENDEE or ORGANIZER properties,
// RFC 6638 §3.2.9), with compare-and-swap against concurrent replies.
func (h *Handler) writeStatuses(ctx context.Context, owner *backend.Principal, uid string, obj *backend.Object, statuses map[string]Status) (*backend.Object, error) {
	mu := h.locks.lock(owner.Path, uid)
	defer mu.Unlock()
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		cal, err := ics.DecodeShared(obj.Data)
		if err != nil {
			return obj, nil
		}
		if !setStatuses(cal, statuses) {
			return obj, nil
		}
		n, err := h.store.PutObject(ctx, obj.Path, ics.Encode(cal), &backend.PutOptions{IfMatch: obj.ETag, ScheduleTag: obj.ScheduleTag})
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, backend.ErrPreconditionFailed):
			if obj, err = h.store.Object(ctx, obj.Path); err != nil {
				return nil, storeError(err)
			}
		default:
			return nil, err
		}
	}
	return obj, nil
}

// setStatuses sets SCHEDULE-STATUS on every ATTENDEE and ORGANIZER
// property whose address has a status (removes it for the status "": no
// message was sent), in every component; it reports whether anything
// changed. Parameter maps are replaced, never written into: itip shares
// them between the stored object and its messages.
func setStatuses(cal *ical.Calendar, statuses map[string]Status) bool {
	changed := false
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		for _, name := range [...]string{ical.PropAttendee, ical.PropOrganizer} {
			props := c.Props[name]
			for i := range props {
				st, ok := statuses[caladdr.Normalize(props[i].Value)]
				_, has := props[i].Params["SCHEDULE-STATUS"]
				if !ok || (st == "" && !has) || (st != "" && props[i].Params.Get("SCHEDULE-STATUS") == string(st)) {
					continue
				}
				params := make(ical.Params, len(props[i].Params)+1)
				for k, v := range props[i].Params {
					params[k] = v
				}
				if st == "" {
					delete(params, "SCHEDULE-STATUS")
				} else {
					params.Set("SCHEDULE-STATUS", string(st))
				}
				props[i].Params = params
				changed = true
			}
		}
	}
	return changed
}

// clearStatuses removes SCHEDULE-STATUS from every ATTENDEE and ORGANIZER
// property.
func clearStatuses(cal *ical.Calendar) {
	all := make(map[string]Status)
	for _, c := range cal.Children {
		for _, name := range [...]string{ical.PropAttendee, ical.PropOrganizer} {
			for _, p := range c.Props[name] {
				all[caladdr.Normalize(p.Value)] = ""
			}
		}
	}
	setStatuses(cal, all)
}
