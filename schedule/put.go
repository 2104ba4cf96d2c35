package schedule

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// putObject handles PUT of a calendar object resource.
func (h *Handler) putObject(q *request) error {
	if err := h.authorizeWrite(q); err != nil {
		return err
	}
	conds, err := conditions(q.r)
	if err != nil {
		return err
	}
	if err := checkICalendarType(q.r); err != nil {
		return err
	}
	data, err := readBody(q.r, h.sizeLimit(q.t.calendar))
	if err != nil {
		return err
	}
	res, err := h.writeObject(q, q.t, data, conds)
	if err != nil {
		return err
	}
	res.respond(q.w, data)
	return nil
}

// sizeLimit is the largest object the calendar accepts.
func (h *Handler) sizeLimit(cal *backend.Calendar) int64 {
	if cal != nil && cal.MaxSize() > 0 && cal.MaxSize() < h.maxSize {
		return cal.MaxSize()
	}
	return h.maxSize
}

// authorizeWrite refuses writes by anyone but the calendar owner and
// their delegates. It runs before anything else is looked at.
func (h *Handler) authorizeWrite(q *request) error {
	ok, err := h.mayWriteCalendar(q.ctx(), q.actor, q.t.principal.Path)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("write to a calendar of " + q.t.principal.Path)
	}
	return nil
}

// writeResult is what a write stored.
type writeResult struct {
	obj     *backend.Object
	created bool
}

// respond writes the success answer of a PUT: 201 or 204, the
// Schedule-Tag of a scheduling object, and the ETag only when the stored
// bytes are exactly the ones the client sent (otherwise the client must
// fetch the server's version).
func (res *writeResult) respond(w http.ResponseWriter, sent []byte) {
	if res.obj.ScheduleTag != "" {
		w.Header().Set("Schedule-Tag", `"`+res.obj.ScheduleTag+`"`)
	}
	if bytes.Equal(res.obj.Data, sent) {
		w.Header().Set("ETag", `"`+res.obj.ETag+`"`)
	}
	if res.created {
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeObject stores data at dst as a write by dst's owner, with the
// scheduling that implies: it validates, plans with itip, stores, delivers
// and writes the delivery statuses back.
func (h *Handler) writeObject(q *request, dst *target, data []byte, conds writeConds) (*writeResult, error) {
	ctx := withPrincipalCache(q.ctx()) // predicted statuses and deliveries resolve the same recipients
	opts, err := h.planOptions(dst.principal, conds)
	if err != nil {
		return nil, err
	}
	cal, err := ics.DecodeShared(data)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Condition: ValidCalendarData, Err: err}
	}
	compType, uid, err := validateObject(cal)
	if err != nil {
		return nil, &Error{Status: http.StatusForbidden, Condition: ValidCalendarObjectResource, Err: err}
	}
	if !dst.calendar.Supports(compType) {
		return nil, precondition(http.StatusForbidden, SupportedCalendarComponent, compType)
	}
	if err := checkInstances(ctx, cal, h.maxInst); err != nil {
		return nil, err
	}
	// Serialise with deliveries into the same scheduling object (a
	// reply or refresh landing between our read and our write would
	// otherwise fail the write although the client's conditions hold).
	mu := h.locks.lock(dst.principal.Path, uid)
	locked := true
	unlock := func() {
		if locked {
			locked = false
			mu.Unlock()
		}
	}
	defer unlock()
	old, err := h.store.Object(ctx, dst.path)
	if errors.Is(err, backend.ErrNotFound) {
		old = nil
	} else if err != nil {
		return nil, err
	}
	var oldCal *ical.Calendar
	if old != nil {
		if oldCal, err = ics.DecodeShared(old.Data); err != nil {
			oldCal = nil // unreadable stored data: treat as a new resource
		}
	}
	if conds.scope == ScopeNone {
		if err := conds.check(old); err != nil {
			return nil, err
		}
		return h.storeOnly(q, dst, cal, data, old, opts.Addresses)
	}
	h.normalizeClientData(q, dst.principal, opts.Addresses, cal)
	if oldCal != nil {
		h.normalizeClientData(q, dst.principal, opts.Addresses, oldCal)
	}
	merge := conds.hasIfScheduleTag
	condErr := conds.check(old)
	if condErr != nil {
		if !isReaccept(conds, old, oldCal, cal, opts.Addresses) {
			return nil, condErr
		}
		// Evolution re-accepts an invitation by creating the resource the
		// server already made for it: the write is the attendee's update
		// of their copy, merged like an If-Schedule-Tag-Match write. If
		// it is more than that (the invitation it answers is outdated),
		// the If-None-Match failure stands.
		merge = true
	}
	if merge && oldCal != nil {
		mergeOthersStatus(cal, oldCal, opts.Addresses)
	}
	opts.MergeAttendeeStatus = merge
	act, err := itip.Plan(oldCal, cal, opts)
	if err != nil && errors.Is(err, itip.AllowedAttendeeChange) && h.attendeeChanges == AttendeeChangeKeepAllowed && old != nil && condErr == nil {
		// Keep what the attendee may change, drop the rest: first with
		// the overrides the attendee added, then without them.
		for _, withNew := range [...]bool{true, false} {
			merged := keepAllowedAttendeeChanges(old.Data, cal, opts.Addresses, withNew)
			if merged == nil {
				break
			}
			if act, err = itip.Plan(oldCal, merged, opts); err == nil || !errors.Is(err, itip.AllowedAttendeeChange) {
				break
			}
		}
	}
	if err != nil {
		if condErr != nil {
			return nil, condErr
		}
		return nil, planError(err)
	}
	if act.Role != itip.RoleNone {
		if err := h.authorizeScheduling(q, dst.principal, act); err != nil {
			return nil, err
		}
	}
	if act.Operation == itip.OpCreate {
		if err := h.checkUniqueUID(ctx, dst, uid); err != nil {
			return nil, err
		}
	}
	var predicted map[string]Status
	keepStatuses := act.Object != nil && act.Operation != itip.OpRemove
	if act.Object != nil && act.Operation == itip.OpRemove {
		// What is stored is no scheduling object any more: it carries no
		// delivery status.
		clearStatuses(act.Object)
	}
	if len(act.Messages) > 0 && keepStatuses {
		// Store the statuses deliveries are expected to end with, so that
		// the common case needs no second write (§3.2.9 status values
		// are corrected after delivery when the outcome differs).
		predicted = h.predictStatuses(ctx, dst.principal, act.Messages, conds.scope)
		if h.async {
			// Nothing is delivered yet when the client gets its answer.
			predicted = pendingFor(predicted)
		}
		setStatuses(act.Object, predicted)
	}
	stored := data
	var prepared *backend.Prepared // the encoding, indexed without parsing it again
	if act.Object != nil && (act.Role != itip.RoleNone || old != nil && old.ScheduleTag != "") {
		if p, perr := backend.PrepareCalendar(ctx, act.Object); perr == nil {
			stored, prepared = p.Data(), p
		} else {
			stored = ics.Encode(act.Object) // the store says what is wrong with it
		}
	}
	tag := ""
	if act.Role != itip.RoleNone && act.Operation != itip.OpRemove {
		// Every write by a client changes the Schedule-Tag (§3.2.10).
		tag = newTag()
	}
	putOpts := &backend.PutOptions{IfNoneMatch: old == nil, ScheduleTag: tag, Prepared: prepared}
	if old != nil {
		putOpts.IfMatch = old.ETag
	}
	statusPath := ""
	if keepStatuses {
		statusPath = dst.path
	}
	// Messages for remote recipients are queued with the write (durable
	// delivery, Options.Queue).
	qw, err := h.planQueued(ctx, dst.principal, statusPath, act.Messages, conds.scope)
	if err != nil {
		return nil, err
	}
	if act.Role == itip.RoleOrganizer {
		qw.withPrevious(oldCal) // update mails list what changed
	}
	obj, err := h.putEnqueue(ctx, dst.path, stored, putOpts, qw)
	unlock()
	if err != nil {
		return nil, storeError(err)
	}
	if len(act.Messages) > 0 {
		// The object is stored: deliveries and the status write-back
		// finish even if the client goes away.
		ctx = qw.context(context.WithoutCancel(ctx))
		owner, uid, msgs, scope := dst.principal, act.UID, act.Messages, conds.scope
		deliver := func() (*backend.Object, error) {
			statuses := h.deliverAll(ctx, owner, msgs, scope)
			if keepStatuses && !sameStatuses(statuses, predicted) {
				return h.writeStatuses(ctx, owner, uid, obj, qw.without(statuses))
			}
			return obj, nil
		}
		if !h.background(func() {
			if _, err := deliver(); err != nil {
				h.log.ErrorContext(ctx, "schedule: writing delivery statuses", "path", obj.Path, "err", err)
			}
		}) {
			// The write itself succeeded: a failure to record the
			// statuses is logged, not reported as a failed write.
			if o, err := deliver(); err != nil {
				h.log.ErrorContext(ctx, "schedule: writing delivery statuses", "path", obj.Path, "err", err)
			} else {
				obj = o
			}
		}
	}
	return &writeResult{obj: obj, created: old == nil}, nil
}

// planOptions are the itip options for a write by owner, acting as the
// address Schedule-User-Address names when there is one.
func (h *Handler) planOptions(owner *backend.Principal, conds writeConds) (itip.PlanOptions, error) {
	addrs, err := actingAddresses(owner, conds.userAddress)
	if err != nil {
		return itip.PlanOptions{}, err
	}
	return itip.PlanOptions{
		Addresses:           addrs,
		Now:                 h.now(),
		MaxAttendees:        h.maxAtt,
		SuppressReply:       conds.suppressReply,
		MergeAttendeeStatus: conds.hasIfScheduleTag,
	}, nil
}

// authorizeScheduling checks §11.2 items 1 and 2: the owner can schedule
// (has an outbox), and the actor may send as the owner in that role: an
// organizer invites; an attendee replies, and invites too when forwarding
// the invitation to a delegate (RFC 5546 §4.2.5).
func (h *Handler) authorizeScheduling(q *request, owner *backend.Principal, act *itip.Actions) error {
	if owner.OutboxPath == "" {
		return forbidden("the calendar owner cannot schedule")
	}
	needs := []privilege.Privilege{privilege.ScheduleSendInvite}
	if act.Role == itip.RoleAttendee {
		needs[0] = privilege.ScheduleSendReply
		for _, m := range act.Messages {
			if m.Method == itip.MethodRequest {
				needs = append(needs, privilege.ScheduleSendInvite)
				break
			}
		}
	}
	p, err := h.privileges(q.ctx(), q.actor, owner.Path, privilege.Outbox)
	if err != nil {
		return err
	}
	for _, need := range needs {
		if !p.Has(need) {
			e := forbidden("no " + need.String() + " on the outbox of " + owner.Path)
			if p.Has(privilege.Read) {
				// The actor may see the outbox: say what is missing (as
				// in RFC 6638 Appendix B.6).
				e.Resource, e.Privilege = href(owner.OutboxPath), need
			}
			return e
		}
	}
	return nil
}

// checkUniqueUID enforces §3.2.4.1 and §11.2 item 5: a new scheduling
// object must not reuse the UID of another scheduling object of the same
// owner. The href reported is in the owner's calendars, which the actor
// may write.
func (h *Handler) checkUniqueUID(ctx context.Context, dst *target, uid string) error {
	other, err := h.store.ObjectByUID(ctx, dst.principal.Path, uid)
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if other.Path == dst.path || other.ScheduleTag == "" {
		// The same resource, or a plain calendar object (not a
		// scheduling object resource) that happens to share the UID.
		return nil
	}
	e := precondition(http.StatusForbidden, UniqueSchedulingObjectResource, "UID in use")
	e.Href = href(other.Path)
	return e
}

// validateObject checks the calendar object resource rules of RFC 4791
// §4.1 and returns its component type and UID.
func validateObject(cal *ical.Calendar) (comp, uid string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errors.New("invalid calendar object")
		}
	}()
	return caldav.ValidateCalendarObject(cal)
}

// planError maps an itip error to its precondition.
func planError(err error) error {
	var ie *itip.Error
	if !errors.As(err, &ie) {
		return err
	}
	cond := Precondition(ie.Condition)
	status := http.StatusForbidden
	if ie.Condition == itip.ValidCalendarData || ie.Condition == itip.ValidSchedulingMessage {
		status = http.StatusBadRequest
	}
	return &Error{Status: status, Condition: cond, Err: err}
}

// storeError maps store errors of a write to HTTP errors.
func storeError(err error) error {
	switch {
	case errors.Is(err, backend.ErrPreconditionFailed), errors.Is(err, backend.ErrNotFound):
		return &Error{Status: http.StatusPreconditionFailed, Message: "changed concurrently", Err: err}
	case errors.Is(err, backend.ErrUIDConflict):
		return &Error{Status: http.StatusConflict, Condition: NoUIDConflict, Err: err}
	case errors.Is(err, backend.ErrTooLarge):
		return &Error{Status: http.StatusForbidden, Condition: MaxResourceSize, Err: err}
	case errors.Is(err, backend.ErrUnsupportedComponent):
		return &Error{Status: http.StatusForbidden, Condition: SupportedCalendarComponent, Err: err}
	case errors.Is(err, backend.ErrInvalidData):
		return &Error{Status: http.StatusForbidden, Condition: ValidCalendarObjectResource, Err: err}
	case errors.Is(err, backend.ErrInvalidPath):
		return &Error{Status: http.StatusForbidden, Message: "invalid resource name", Err: err}
	}
	return err
}

// newTag returns a fresh opaque Schedule-Tag.
func newTag() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
