package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// maxCASAttempts bounds the compare-and-swap retries of one update of a
// stored object that others write concurrently.
const maxCASAttempts = 16

// maxDeliveryWorkers bounds the deliveries of one write run in parallel.
const maxDeliveryWorkers = 8

// parallelDeliveryThreshold is the number of deliveries from which they
// run in parallel; fewer are cheaper one after the other.
const parallelDeliveryThreshold = 8

// deliveryJob is one message for one recipient.
type deliveryJob struct {
	msg       *itip.Message
	recipient string
}

// deliverAll delivers every message to each of its recipients, in
// parallel, and returns the status per normalised recipient address (the
// worst when a recipient got several messages). Recipients outside scope
// get no delivery and the status "" (their SCHEDULE-STATUS is removed).
func (h *Handler) deliverAll(ctx context.Context, sender *backend.Principal, msgs []*itip.Message, scope Scope) map[string]Status {
	return h.deliverFrom(ctx, localOrigin(sender), msgs, scope)
}

// deliverFrom is deliverAll for a sender that may be outside the store
// (ProcessIncoming).
func (h *Handler) deliverFrom(ctx context.Context, from origin, msgs []*itip.Message, scope Scope) map[string]Status {
	var jobs []deliveryJob
	for _, m := range msgs {
		for _, r := range m.Recipients {
			jobs = append(jobs, deliveryJob{msg: m, recipient: r})
		}
	}
	if len(jobs) > 1 {
		ctx = withCreatedCopies(withPrincipalCache(ctx))
	}
	statuses := make(map[string]Status, len(jobs))
	results := make([]Status, len(jobs))
	workers := min(len(jobs), maxDeliveryWorkers)
	if len(jobs) < parallelDeliveryThreshold {
		for i, j := range jobs {
			results[i] = h.deliver(ctx, from, j.msg, j.recipient, scope)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					results[i] = h.deliver(ctx, from, jobs[i].msg, jobs[i].recipient, scope)
				}
			}()
		}
		for i := range jobs {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for i, j := range jobs {
		key := caladdr.Normalize(j.recipient)
		if prev, ok := statuses[key]; !ok || worse(results[i], prev) {
			statuses[key] = results[i]
		}
	}
	return statuses
}

// deliverPrivilege is the inbox privilege a message needs (§6.1).
func deliverPrivilege(msg *itip.Message) privilege.Privilege {
	switch msg.Method {
	case itip.MethodReply, itip.MethodRefresh, itip.MethodCounter:
		return privilege.ScheduleDeliverReply
	}
	return privilege.ScheduleDeliverInvite
}

// deliver delivers msg to one recipient: locally when the store hosts
// them (RFC 6638 §4), through the Deliverers otherwise; not at all (status
// "") when scope excludes the recipient. Messages from an external
// sender are never relayed: recipients not hosted here get 3.7.
func (h *Handler) deliver(ctx context.Context, from origin, msg *itip.Message, recipient string, scope Scope) (st Status) {
	// Deliveries may run in their own goroutines, out of reach of
	// ServeHTTP's recover: a failure of one is that recipient's 5.1.
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(ctx, "schedule: panic during delivery", "recipient", recipient, "panic", fmt.Sprint(v))
			st = StatusTempFailure
		}
	}()
	rcpt, err := h.principalByAddress(ctx, recipient)
	if errors.Is(err, backend.ErrNotFound) {
		if !scope.Remote() {
			return ""
		}
		if from.principal == nil {
			return StatusInvalidUser
		}
		return h.deliverRemote(ctx, &Delivery{Sender: from.principal, Message: msg, Recipient: recipient, Scope: scope})
	}
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: recipient lookup", "recipient", recipient, "err", err)
		return StatusTempFailure
	}
	if !scope.Local() {
		return ""
	}
	if rcpt.InboxPath == "" {
		// Not enabled for receiving scheduling messages (§2.2.1).
		return StatusInvalidUser
	}
	// §11.2 item 3: the calendar owner's privilege on the recipient's
	// inbox.
	need := deliverPrivilege(msg)
	priv, err := h.privileges(ctx, from.actor(), rcpt.Path, privilege.Inbox)
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: delivery policy", "recipient", recipient, "err", err)
		return StatusTempFailure
	}
	if !priv.Has(need) {
		return StatusNoPrivilege
	}
	if forwarded, err := h.forwardedToLocalOrganizersDelegate(ctx, msg); err != nil {
		h.log.ErrorContext(ctx, "schedule: organizer lookup", "recipient", recipient, "err", err)
		return StatusTempFailure
	} else if forwarded {
		// The organizer is hosted here: processing the delegator's REPLY
		// added the delegate to the organizer's copy, whose refresh
		// brings them the invitation. The forwarded one is not applied,
		// so that a delegator cannot pass off an event of their own
		// making as the organizer's.
		return StatusDelivered
	}
	applied, runRefresh, st := h.applyLocal(ctx, from, rcpt, msg, recipient, scope)
	if applied == nil {
		return st
	}
	if runRefresh {
		h.refresh.run(ctx, h, refreshKey(rcpt, msg.UID()))
	}
	return StatusDelivered
}

// forwardedToLocalOrganizersDelegate reports whether msg is an invitation
// a delegator forwards to their delegate (RFC 5546 §4.2.5: a REQUEST not
// from its ORGANIZER) for an event whose ORGANIZER this server hosts.
func (h *Handler) forwardedToLocalOrganizersDelegate(ctx context.Context, msg *itip.Message) (bool, error) {
	if msg.Method != itip.MethodRequest {
		return false, nil
	}
	comps := msg.Components()
	if len(comps) == 0 {
		return false, nil
	}
	org := itip.Organizer(comps[0])
	if org == nil || caladdr.Equal(org.Value, msg.Originator) {
		return false, nil
	}
	return h.isHosted(ctx, org.Value)
}

// applyLocal applies msg to the recipient's copy and stores the result,
// retrying on concurrent changes, with the inbox item of the message
// when it goes to the inbox (wantsInboxItem: only after processing,
// §4.1, §4.2). It returns nil and a failure status
// when the message cannot be processed. Refresh messages the application
// calls for are queued while the copy is locked; runRefresh tells the
// caller to deliver them once it has released the lock.
//
// The refreshes inherit scope: a reply sent with Scheduling:
// internal-only does not make the organizer's server notify remote
// attendees.
func (h *Handler) applyLocal(ctx context.Context, from origin, rcpt *backend.Principal, msg *itip.Message, recipient string, scope Scope) (applied *itip.Applied, runRefresh bool, st Status) {
	uid := msg.UID()
	originator := from.originator(msg)
	mu := h.locks.lock(rcpt.Path, uid)
	defer mu.Unlock()
	verifyPath := false // set once a new copy did not fit the default calendar
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		existing, err := h.store.ObjectByUID(ctx, rcpt.Path, uid)
		if errors.Is(err, backend.ErrNotFound) {
			existing = nil
		} else if err != nil {
			h.log.ErrorContext(ctx, "schedule: copy lookup", "recipient", recipient, "err", err)
			return nil, false, StatusTempFailure
		}
		var existingCal *ical.Calendar
		if existing != nil {
			if existingCal, err = ics.DecodeShared(existing.Data); err != nil {
				existingCal = nil
			}
		}
		out, err := h.applyMessage(ctx, msg, existingCal, recipient, originator)
		applied = out.applied
		if err != nil {
			h.log.InfoContext(ctx, "schedule: message refused", "recipient", recipient, "method", msg.Method, "originator", originator, "err", err)
			return nil, false, refusalStatus(msg, err)
		}
		if applied.Calendar == nil {
			if wantsInboxItem(applied, scope) {
				if err := h.addInboxItem(ctx, rcpt, msg); err != nil {
					h.log.ErrorContext(ctx, "schedule: inbox item", "recipient", recipient, "err", err)
					return nil, false, StatusTempFailure
				}
			}
			return applied, h.queueRefresh(rcpt, msg, applied, scope), StatusDelivered
		}
		opts := backend.PutOptions{Prepared: out.prepared}
		var path string
		if existing != nil {
			path = existing.Path
			opts.IfMatch = existing.ETag
			opts.ScheduleTag = existing.ScheduleTag
			if !applied.StatusOnly || opts.ScheduleTag == "" {
				opts.ScheduleTag = newTag()
			}
		} else {
			path, err = h.newCopyPath(ctx, rcpt, applied.Calendar, uid, verifyPath)
			if err != nil {
				h.log.InfoContext(ctx, "schedule: no calendar for a new copy", "recipient", recipient, "err", err)
				return nil, false, StatusNoRoute
			}
			opts.IfNoneMatch = true
			opts.ScheduleTag = newTag()
		}
		err = h.storeCopy(ctx, rcpt, path, out, &opts, msg, wantsInboxItem(applied, scope))
		switch {
		case err == nil:
			return applied, h.queueRefresh(rcpt, msg, applied, scope), StatusDelivered
		case errors.Is(err, errInboxItem):
			h.log.ErrorContext(ctx, "schedule: inbox item", "recipient", recipient, "err", err)
			return nil, false, StatusTempFailure
		case existing == nil && !verifyPath && (errors.Is(err, backend.ErrUnsupportedComponent) || errors.Is(err, backend.ErrNotFound)):
			verifyPath = true // the default calendar does not take it: choose another
			continue
		case errors.Is(err, backend.ErrPreconditionFailed), errors.Is(err, backend.ErrNotFound):
			continue // changed concurrently: read again and re-apply
		case errors.Is(err, backend.ErrInvalidData), errors.Is(err, backend.ErrTooLarge):
			// The store refuses what the message made of the copy (an
			// unknown TZID, more than the calendar takes): retrying
			// cannot help.
			h.log.InfoContext(ctx, "schedule: copy refused by the store", "recipient", recipient, "method", msg.Method, "err", err)
			return nil, false, StatusRejected
		default:
			h.log.ErrorContext(ctx, "schedule: storing the copy", "recipient", recipient, "err", err)
			return nil, false, StatusTempFailure
		}
	}
	h.log.WarnContext(ctx, "schedule: too many concurrent updates", "recipient", recipient, "uid", uid)
	return nil, false, StatusTempFailure
}

// queueRefresh queues the refresh messages of an applied message (called
// with the copy locked) and reports whether the caller must run them.
func (h *Handler) queueRefresh(rcpt *backend.Principal, msg *itip.Message, applied *itip.Applied, scope Scope) bool {
	if len(applied.Refresh) == 0 {
		return false
	}
	return h.refresh.enqueue(refreshKey(rcpt, msg.UID()), rcpt, applied.Refresh, scope)
}

// newCopyPath chooses where a new copy goes: the recipient's default
// calendar (RFC 6638 §4.3), or the first calendar that accepts the
// component. A recipient without any such calendar gets one created,
// which becomes their default calendar when they have none. Unless
// verify, a default calendar is taken without reading it (the write
// fails with backend.ErrUnsupportedComponent or backend.ErrNotFound when
// it does not fit; ask again with verify then): one query fewer per
// invitation in the common case.
func (h *Handler) newCopyPath(ctx context.Context, rcpt *backend.Principal, cal *ical.Calendar, uid string, verify bool) (string, error) {
	if !verify {
		if def, err := h.store.DefaultCalendar(ctx, rcpt.Path); err == nil {
			return def + objectName(uid), nil
		}
	}
	comp := ""
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			comp = c.Name
			break
		}
	}
	var calPath string
	hasDefault := false
	if def, err := h.store.DefaultCalendar(ctx, rcpt.Path); err == nil {
		if c, err := h.store.Calendar(ctx, def); err == nil {
			hasDefault = true
			if c.Supports(comp) {
				calPath = c.Path
			}
		}
	}
	if calPath == "" {
		cals, err := h.store.Calendars(ctx, rcpt.Path)
		if err != nil {
			return "", err
		}
		for _, c := range cals {
			if c.Supports(comp) {
				calPath = c.Path
				break
			}
		}
	}
	if calPath == "" {
		c, err := h.createCalendarFor(ctx, rcpt, comp)
		if err != nil {
			return "", err
		}
		calPath = c.Path
		if !hasDefault {
			if err := h.store.SetDefaultCalendar(ctx, rcpt.Path, calPath); err != nil {
				return "", fmt.Errorf("schedule: making %s the default calendar: %w", calPath, err)
			}
		}
	}
	return calPath + objectName(uid), nil
}

// createCalendarFor creates a calendar for comp in rcpt's calendar home:
// "default/" or, when that name is taken, a fresh one.
func (h *Handler) createCalendarFor(ctx context.Context, rcpt *backend.Principal, comp string) (*backend.Calendar, error) {
	if rcpt.HomePath == "" {
		return nil, errors.New("schedule: no calendar home for " + rcpt.Path)
	}
	c := &backend.Calendar{Path: rcpt.HomePath + "default/", Owner: rcpt.Path, DisplayName: "Calendar"}
	if comp != ical.CompEvent && comp != ical.CompToDo {
		c.SupportedComponents = []string{comp}
	}
	if _, err := h.store.Calendar(ctx, c.Path); err == nil {
		c.Path = rcpt.HomePath + newTag() + "/"
	}
	if err := h.store.CreateCalendar(ctx, c); err != nil {
		return nil, fmt.Errorf("schedule: creating a calendar for %s: %w", rcpt.Path, err)
	}
	h.log.InfoContext(ctx, "schedule: created a calendar for an invitation", "principal", rcpt.Path, "calendar", c.Path)
	return c, nil
}

// objectName derives a resource name from a UID: the UID itself when it
// is made of safe characters, a random name otherwise.
func objectName(uid string) string {
	if len(uid) == 0 || len(uid) > 100 {
		return newTag() + ".ics"
	}
	for _, r := range uid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '@') {
			return newTag() + ".ics"
		}
	}
	return uid + ".ics"
}
