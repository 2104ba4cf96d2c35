package schedule

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// Request statuses of a schedule-response (RFC 6638 §3.2.9, RFC 5546
// §3.6).
const (
	statusSuccess     = "2.0;Success"
	statusUnknownUser = "3.7;Invalid calendar user"
	statusNoAuthority = "3.8;No authority"
	statusTempFailure = "5.1;Service unavailable"
)

// serveOutbox serves the scheduling outbox (RFC 6638 §2.1): PROPFIND,
// and POST of free-busy requests (§5).
func (h *Handler) serveOutbox(q *request) error {
	owner := q.t.principal
	priv, err := h.privileges(q.ctx(), q.actor, owner.Path, privilege.Outbox)
	if err != nil {
		return err
	}
	switch q.r.Method {
	case "PROPFIND":
		if !priv.Has(privilege.Read) {
			return forbidden("outbox of " + owner.Path)
		}
		if q.t.kind != kindOutbox {
			return httpError(http.StatusNotFound, "the outbox has no members")
		}
		pf, err := parsePropfind(q.r)
		if err != nil {
			return err
		}
		resp, err := propResponse(href(owner.OutboxPath), pf, h.outboxProps(q, priv))
		if err != nil {
			return err
		}
		return writeMultistatus(q.w, []*node{resp})
	case http.MethodPost:
		// Authorization before anything else (§11.3, §11.4).
		if !priv.Has(privilege.ScheduleSendFreeBusy) {
			return forbidden("POST to the outbox of " + owner.Path)
		}
		if q.t.kind != kindOutbox {
			return httpError(http.StatusNotFound, "the outbox has no members")
		}
		return h.postFreeBusy(q)
	}
	if !priv.HasAny(privilege.Read | privilege.ScheduleSend) {
		return forbidden("outbox of " + owner.Path)
	}
	return httpError(http.StatusMethodNotAllowed, q.r.Method+" on the outbox")
}

// outboxProps are the properties of the outbox collection.
func (h *Handler) outboxProps(q *request, priv privilege.Privilege) []prop {
	owner := q.t.principal
	dataType := el(nsCalDAV, "calendar-data")
	dataType.attrs = append(dataType.attrs,
		attrOf("content-type", "text/calendar"), attrOf("version", "2.0"))
	return []prop{
		propOf(nsDAV, "resourcetype", el(nsDAV, "collection"), el(nsCalDAV, "schedule-outbox")),
		propOf(nsDAV, "owner", hrefEl(href(owner.Path))),
		propOf(nsCalDAV, "supported-calendar-component-set", compEl("VFREEBUSY")),
		propOf(nsCalDAV, "supported-calendar-data", dataType),
		textProp(nsCalDAV, "max-resource-size", strconv.FormatInt(h.maxSize, 10)),
		textProp(nsCalDAV, "max-attendees-per-instance", strconv.Itoa(h.maxAtt)),
		privilegeSetProp(privilege.Outbox),
		currentPrivilegeProp(priv),
	}
}

// postFreeBusy answers a VFREEBUSY REQUEST with one CALDAV:response per
// recipient (RFC 6638 §5, Appendix B.5).
func (h *Handler) postFreeBusy(q *request) error {
	if err := checkICalendarType(q.r); err != nil {
		return err
	}
	data, err := readBody(q.r, h.maxSize)
	if err != nil {
		return err
	}
	cal, err := ics.DecodeShared(data)
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Condition: ValidCalendarData, Err: err}
	}
	req, err := freebusy.ParseRequest(cal)
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Condition: ValidSchedulingMessage, Err: err}
	}
	owner := q.t.principal
	if !owner.Owns(req.Organizer.Value) {
		return precondition(http.StatusForbidden, ValidOrganizer, "ORGANIZER is not the outbox owner")
	}
	if len(req.Attendees) > h.maxAtt {
		return precondition(http.StatusForbidden, MaxAttendeesPerInstance, "too many recipients")
	}
	stamp := h.now().UTC()
	responses := make([]*node, 0, len(req.Attendees))
	for i := range req.Attendees {
		att := req.Attendees[i]
		status, reply := h.freeBusyFor(q, owner, req, &att, stamp)
		resp := el(nsCalDAV, "response",
			el(nsCalDAV, "recipient", hrefEl(att.Value)),
			textEl(nsCalDAV, "request-status", status))
		if reply != nil {
			resp.children = append(resp.children, textEl(nsCalDAV, "calendar-data", string(ics.Encode(reply))))
		}
		responses = append(responses, resp)
	}
	q.w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
	q.w.WriteHeader(http.StatusOK)
	return writeXML(q.w, el(nsCalDAV, "schedule-response", responses...))
}

// freeBusyFor computes one recipient's answer: its request-status and,
// on success, the VFREEBUSY reply.
func (h *Handler) freeBusyFor(q *request, owner *backend.Principal, req *freebusy.Request, att *ical.Prop, stamp time.Time) (string, *ical.Calendar) {
	ctx := q.ctx()
	rcpt, err := h.store.PrincipalByAddress(ctx, att.Value)
	if errors.Is(err, backend.ErrNotFound) {
		return statusUnknownUser, nil
	}
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: free-busy lookup", "recipient", att.Value, "err", err)
		return statusTempFailure, nil
	}
	// §11.3 item 3: the privilege of the outbox owner on the recipient's
	// inbox.
	priv, err := h.privileges(ctx, owner.Path, rcpt.Path, privilege.Inbox)
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: free-busy policy", "recipient", att.Value, "err", err)
		return statusTempFailure, nil
	}
	if !priv.Has(privilege.ScheduleQueryFreeBusy) {
		return statusNoAuthority, nil
	}
	busy, err := h.recipientBusy(ctx, rcpt, req.Start, req.End)
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: free-busy objects", "recipient", att.Value, "err", err)
		return statusTempFailure, nil
	}
	res, err := h.compute(ctx, busy, req.Start, req.End, rcpt.Addresses)
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: free-busy", "recipient", att.Value, "err", err)
		return statusTempFailure, nil
	}
	org := req.Organizer
	info := freebusy.ResponseInfo{UID: req.UID, Start: req.Start, End: req.End, Organizer: &org, Attendee: att, Stamp: stamp}
	return statusSuccess, freebusy.Reply(info, res.Periods)
}

// checkICalendarType refuses a body that is not text/calendar
// (CALDAV:supported-calendar-data).
func checkICalendarType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	t, _, err := mime.ParseMediaType(ct)
	if err != nil || t != "text/calendar" {
		return precondition(http.StatusForbidden, SupportedCalendarData, "Content-Type "+ct)
	}
	return nil
}
