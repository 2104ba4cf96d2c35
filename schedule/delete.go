package schedule

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// deleteObject handles DELETE of a calendar object resource: the Remove
// operation (§3.2.3.2).
func (h *Handler) deleteObject(q *request) error {
	if err := h.authorizeWrite(q); err != nil {
		return err
	}
	conds, err := conditions(q.r)
	if err != nil {
		return err
	}
	if _, err := actingAddresses(q.t.principal, conds.userAddress); err != nil {
		return err
	}
	old, err := h.store.Object(q.ctx(), q.t.path)
	if errors.Is(err, backend.ErrNotFound) {
		return httpError(http.StatusNotFound, "no such object")
	} else if err != nil {
		return err
	}
	if err := conds.check(old); err != nil {
		return err
	}
	if err := h.removeObjectWith(q, q.t.principal, old, conds); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeObject deletes obj (owned by the request target's owner) with the
// Remove scheduling operation, under the request's scheduling controls.
func (h *Handler) removeObject(q *request, obj *backend.Object, conds writeConds) error {
	return h.removeObjectWith(q, q.t.principal, obj, conds)
}

func (h *Handler) removeObjectWith(q *request, owner *backend.Principal, obj *backend.Object, conds writeConds) error {
	ctx := q.ctx()
	var act *itip.Actions
	if conds.scope != ScopeNone {
		// Scheduling: none removes without any scheduling operation.
		opts, err := h.planOptions(owner, conds)
		if err != nil {
			return err
		}
		if oldCal, err := ics.DecodeShared(obj.Data); err == nil {
			h.normalizeClientData(q, owner, opts.Addresses, oldCal)
			act, err = itip.Plan(oldCal, nil, opts)
			if err != nil {
				// A stored object the planner cannot read is removed
				// without scheduling.
				act = nil
			}
		}
	}
	if act != nil && act.Role != itip.RoleNone {
		if err := h.authorizeScheduling(q, owner, act); err != nil {
			return err
		}
	}
	var qw *queuedWrite
	if act != nil {
		// Messages for remote recipients are queued with the delete
		// (durable delivery, Options.Queue).
		var err error
		if qw, err = h.planQueued(ctx, owner, "", act.Messages, conds.scope); err != nil {
			return err
		}
	}
	if err := h.deleteLocked(ctx, owner, obj, act, qw); err != nil {
		return err
	}
	if act != nil && len(act.Messages) > 0 {
		ctx = qw.context(context.WithoutCancel(ctx))
		deliver := func() { h.deliverAll(ctx, owner, act.Messages, conds.scope) }
		if !h.background(deliver) {
			deliver()
		}
	}
	return nil
}

// deleteLocked deletes obj, unless it changed since it was read, while
// holding the lock of its scheduling object, and queues the messages of
// qw (may be nil) with the delete.
func (h *Handler) deleteLocked(ctx context.Context, owner *backend.Principal, obj *backend.Object, act *itip.Actions, qw *queuedWrite) error {
	if act != nil && act.UID != "" {
		mu := h.locks.lock(owner.Path, act.UID)
		defer mu.Unlock()
	}
	if err := h.deleteEnqueue(ctx, obj.Path, obj.ETag, qw); err != nil {
		return storeError(err)
	}
	return nil
}
