package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// maxStatusCAS is how often a status write-back re-reads the object after
// losing a compare-and-swap race before it gives up.
const maxStatusCAS = 10

// statusUpdate is the SCHEDULE-STATUS of one delivered (or failed) message.
type statusUpdate struct {
	uid       string
	recipient string
	code      string
	// role is RoleAttendee for messages from an attendee (REPLY, REFRESH,
	// COUNTER: the status goes on ORGANIZER), else RoleOrganizer (on the
	// recipient's ATTENDEE properties).
	role itip.Role
}

// roleOf returns the role in which the sender of a message of method
// holds the scheduling object.
func roleOf(method string) itip.Role {
	switch strings.ToUpper(method) {
	case itip.MethodReply, itip.MethodRefresh, itip.MethodCounter:
		return itip.RoleAttendee
	}
	return itip.RoleOrganizer
}

// statusTarget names the object a group of status updates goes to: where
// the messages said (ObjectPath), and the UID and owner to find it by when
// it has moved since.
type statusTarget struct {
	path, uid, owner string
}

// locate returns the object of t: the one at t.path when it still holds
// t.uid, else the owner's object with that UID (the event was moved to
// another calendar after the messages were queued). It returns nil, nil
// when the event is gone.
func (t statusTarget) locate(ctx context.Context, store backend.CalendarStore) (*backend.Object, error) {
	obj, err := store.Object(ctx, t.path)
	switch {
	case err == nil && obj.UID == t.uid:
		return obj, nil
	case err != nil && !errors.Is(err, backend.ErrNotFound):
		return nil, err
	case t.owner == "":
		return nil, nil
	}
	obj, err = store.ObjectByUID(ctx, t.owner, t.uid)
	if errors.Is(err, backend.ErrNotFound) {
		return nil, nil
	}
	return obj, err
}

// writeStatuses records updates (all for t.uid) in the object of t, on
// every component where each recipient appears (itip.Actions.SetStatus),
// with compare-and-swap against concurrent writes. The stored Schedule-Tag
// is kept: a delivery status is a server-side change that must not look
// like a change of the event to clients (RFC 6638 §3.2.10). An event that
// is gone is left alone; one that moved is followed (statusTarget.locate).
//
// An update is skipped while newer reports a newer message for its
// recipient (that one will set the status). newer is asked after each
// read of the object: a write that queued a newer message and recorded
// 1.0 again either came before the read (and is counted) or comes after
// it (and makes the compare-and-swap fail, so the object is read again).
func writeStatuses(ctx context.Context, store backend.CalendarStore, t statusTarget, updates []statusUpdate,
	newer func(ctx context.Context, objectPath string, u statusUpdate) bool) error {
	for attempt := 0; attempt < maxStatusCAS; attempt++ {
		obj, err := t.locate(ctx, store)
		if err != nil || obj == nil {
			return err
		}
		cal, err := ics.Decode(obj.Data)
		if err != nil {
			return fmt.Errorf("queue: stored object %s: %w", obj.Path, err)
		}
		before := ics.Encode(cal)
		// One Actions per role: each indexes the object once.
		byRole := map[itip.Role]*itip.Actions{}
		for _, u := range updates {
			if u.uid != obj.UID || newer(ctx, t.path, u) {
				continue
			}
			act := byRole[u.role]
			if act == nil {
				act = &itip.Actions{Role: u.role, Object: cal}
				byRole[u.role] = act
			}
			act.SetStatus(u.recipient, u.code)
		}
		after := ics.Encode(cal)
		if bytes.Equal(before, after) {
			return nil
		}
		_, err = store.PutObject(ctx, obj.Path, after, &backend.PutOptions{IfMatch: obj.ETag, ScheduleTag: obj.ScheduleTag})
		if errors.Is(err, backend.ErrPreconditionFailed) || errors.Is(err, backend.ErrNotFound) {
			continue // changed or deleted meanwhile: look again
		}
		return err
	}
	return fmt.Errorf("queue: status write-back to %s lost %d compare-and-swap races", t.path, maxStatusCAS)
}
