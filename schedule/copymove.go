package schedule

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// copyMove handles COPY and MOVE of a calendar object resource between
// calendar collections (RFC 6638 §3.2.3.3, §3.2.3.4; go-webdav answers
// 501). Within one owner's calendars a MOVE is no scheduling operation
// and a COPY of a scheduling object would duplicate its UID
// (unique-scheduling-object-resource); across owners the destination is
// a create (PUT rules) and a MOVE's source a Remove.
func (h *Handler) copyMove(q *request) error {
	if err := h.authorizeWrite(q); err != nil {
		return err
	}
	move := q.r.Method == "MOVE"
	destHeader := q.r.Header.Get("Destination")
	u, err := url.Parse(destHeader)
	if destHeader == "" || err != nil || u.Path == "" {
		return httpError(http.StatusBadRequest, "missing or malformed Destination")
	}
	if u.Host != "" && !strings.EqualFold(u.Host, q.r.Host) {
		return httpError(http.StatusBadGateway, "Destination on another server")
	}
	dst, err := h.resolve(q.ctx(), u.Path)
	if err != nil {
		return err
	}
	if dst.kind != kindObject {
		// Scheduling objects live in calendar collections only.
		return precondition(http.StatusForbidden, CalendarCollectionLocationOK, "destination is not in a calendar")
	}
	dq := &request{w: q.w, r: q.r, t: dst, actor: q.actor}
	if err := h.authorizeWrite(dq); err != nil {
		return err
	}
	if dst.path == q.t.path {
		return httpError(http.StatusForbidden, "source and destination are the same")
	}
	src, err := h.store.Object(q.ctx(), q.t.path)
	if errors.Is(err, backend.ErrNotFound) {
		return httpError(http.StatusNotFound, "no such object")
	} else if err != nil {
		return err
	}
	conds, err := conditions(q.r)
	if err != nil {
		return err
	}
	if _, err := actingAddresses(q.t.principal, conds.userAddress); err != nil {
		return err
	}
	if err := conds.check(src); err != nil {
		return err
	}
	overwrite := !strings.EqualFold(strings.TrimSpace(q.r.Header.Get("Overwrite")), "F")
	existing, err := h.store.Object(q.ctx(), dst.path)
	if err != nil && !errors.Is(err, backend.ErrNotFound) {
		return err
	}
	if existing != nil && !overwrite {
		return httpError(http.StatusPreconditionFailed, "destination exists")
	}
	if int64(len(src.Data)) > h.sizeLimit(dst.calendar) {
		return precondition(http.StatusForbidden, MaxResourceSize, "object too large for the destination")
	}
	created := existing == nil
	sameOwner := dst.principal.Path == q.t.principal.Path
	var stored *backend.Object
	switch {
	case sameOwner && move && src.ScheduleTag != "" && existing == nil:
		// A move inside the owner's calendars: no scheduling operation,
		// but a change by a client: a new Schedule-Tag (§3.2.10).
		if stored, err = h.store.PutObject(q.ctx(), dst.path, src.Data, &backend.PutOptions{IfNoneMatch: true, ScheduleTag: newTag()}); err != nil {
			return storeError(err)
		}
		if err := h.store.DeleteObject(q.ctx(), src.Path, src.ETag); err != nil {
			_ = h.store.DeleteObject(q.ctx(), stored.Path, stored.ETag)
			return storeError(err)
		}
	case sameOwner && !move && src.ScheduleTag != "":
		e := precondition(http.StatusForbidden, UniqueSchedulingObjectResource, "COPY would duplicate a scheduling object")
		e.Href = href(src.Path)
		return e
	default:
		dstConds := conds.destination(existing)
		if move && sameOwner {
			// The source goes away first so that its UID does not count
			// as another scheduling object of the owner.
			if err := h.removePlain(q, src); err != nil {
				return err
			}
		}
		res, err := h.writeObject(dq, dst, src.Data, dstConds)
		if err != nil {
			return err
		}
		stored = res.obj
		if move && !sameOwner {
			if err := h.removeObjectWith(q, q.t.principal, src, conds); err != nil {
				return err
			}
		}
	}
	if stored != nil && stored.ScheduleTag != "" {
		// §3.2.10: the Schedule-Tag of the destination.
		q.w.Header().Set("Schedule-Tag", `"`+stored.ScheduleTag+`"`)
	}
	if created {
		q.w.WriteHeader(http.StatusCreated)
	} else {
		q.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// removePlain deletes obj without any scheduling operation.
func (h *Handler) removePlain(q *request, obj *backend.Object) error {
	if err := h.store.DeleteObject(q.ctx(), obj.Path, obj.ETag); err != nil {
		return storeError(err)
	}
	return nil
}
