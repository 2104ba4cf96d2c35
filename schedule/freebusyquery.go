package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// freeBusyQueryTimeout bounds the computation of one free-busy-query
// REPORT (loading the objects and expanding their recurrences).
const freeBusyQueryTimeout = 10 * time.Second

// isFreeBusyQuery reports whether a REPORT body is a
// CALDAV:free-busy-query (RFC 4791 §7.10).
func isFreeBusyQuery(root *node) bool {
	return root != nil && root.is(nsCalDAV, "free-busy-query")
}

// mayQueryFreeBusy reports whether actor may see the busy time of
// owner's calendars: the owner, a delegate (who may manage the
// calendars), and whoever the policy grants schedule-query-freebusy on
// the owner's inbox (the server's stand-in for CALDAV:read-free-busy).
func (h *Handler) mayQueryFreeBusy(ctx context.Context, actor, owner string) (bool, error) {
	if actor == "" {
		return false, nil
	}
	ok, err := h.mayWriteCalendar(ctx, actor, owner)
	if err != nil || ok {
		return ok, err
	}
	p, err := h.privileges(ctx, actor, owner, privilege.Inbox)
	if err != nil {
		return false, err
	}
	return p.Has(privilege.ScheduleQueryFreeBusy), nil
}

// freeBusyQuery answers a CALDAV:free-busy-query REPORT (RFC 4791 §7.10)
// over cals with a text/calendar body holding one VFREEBUSY. The calendars
// count whatever their schedule-calendar-transp unless honourTransp is set
// (a query on the calendar home is the owner's busy time, RFC 6638 §9.1:
// transparent calendars are skipped and the owner's calendar-availability
// counts when any calendar is queried); TRANSP, STATUS and the owner's
// PARTSTAT are honoured per instance, VAVAILABILITY objects stored in
// those calendars shape the answer (RFC 7953), and floating and DATE
// values are in the time zone of their calendar (calendar-timezone).
// Objects are parsed through the Handler's cache (loadBusy).
func (h *Handler) freeBusyQuery(q *request, root *node, cals []backend.Calendar, honourTransp bool) error {
	ok, err := h.mayQueryFreeBusy(q.ctx(), q.actor, q.t.principal.Path)
	if err != nil {
		return err
	}
	if !ok {
		// §7.10: 404, so that the URL is not disclosed.
		return httpError(http.StatusNotFound, "free-busy-query without read-free-busy")
	}
	start, end, err := freeBusyRange(root)
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Condition: ValidFilter, Err: err}
	}
	ctx, cancel := context.WithTimeout(q.ctx(), freeBusyQueryTimeout)
	defer cancel()
	var owner *backend.Principal
	if honourTransp && len(cals) > 0 {
		owner = q.t.principal // the owner's busy time: their calendar-availability counts
	}
	busy, err := h.loadBusy(ctx, cals, start, end, honourTransp, owner)
	if err != nil {
		return timeoutOr(err)
	}
	res, err := h.compute(ctx, busy, start, end, q.t.principal.Addresses)
	switch {
	case errors.Is(err, freebusy.ErrInvalidQuery):
		return &Error{Status: http.StatusBadRequest, Condition: ValidFilter, Err: err, Public: "time-range too long"}
	case errors.Is(err, freebusy.ErrTooManyPeriods):
		return &Error{Status: http.StatusForbidden, Condition: NumberOfMatchesWithinLimits, Err: err}
	case err != nil:
		return timeoutOr(err)
	}
	for _, p := range res.Problems {
		h.log.DebugContext(ctx, "schedule: free-busy-query: object skipped in part", "calendar", q.t.path, "err", p)
	}
	fb := freebusy.Response(freebusy.ResponseInfo{Start: start, End: end, Stamp: h.now().UTC()}, res.Periods)
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, freebusy.DefaultProdID)
	cal.Children = append(cal.Children, fb)
	body := ics.Encode(cal)
	q.w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	q.w.WriteHeader(http.StatusOK)
	_, err = q.w.Write(body)
	if err != nil {
		h.log.DebugContext(ctx, "schedule: free-busy-query: writing answer", "err", err)
	}
	return nil
}

// freeBusyRange reads the one CALDAV:time-range of a free-busy-query;
// both bounds are required here (an open range has no finite answer).
func freeBusyRange(root *node) (time.Time, time.Time, error) {
	trs := root.all(nsCalDAV, "time-range")
	if len(trs) != 1 {
		return time.Time{}, time.Time{}, fmt.Errorf("free-busy-query needs exactly one time-range, got %d", len(trs))
	}
	if attr(trs[0], "start") == "" || attr(trs[0], "end") == "" {
		return time.Time{}, time.Time{}, errors.New("time-range needs start and end")
	}
	return parseTimeRange(trs[0])
}

// timeoutOr turns a deadline into 503 Service Unavailable; other errors
// stay internal ones.
func timeoutOr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: http.StatusServiceUnavailable, Err: err, Public: "free-busy computation took too long"}
	}
	return err
}

// reportHome answers a free-busy-query REPORT on the calendar home with
// the owner's busy time over the calendars within Depth (1 or infinity:
// all of them, transparent ones skipped); other REPORTs go to go-webdav.
func (h *Handler) reportHome(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	q.r.Body = io.NopCloser(bytes.NewReader(body))
	root, err := parseXML(bytes.NewReader(body))
	if err != nil || !isFreeBusyQuery(root) {
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	d, err := depth(q.r, 0)
	if err != nil {
		return err
	}
	var cals []backend.Calendar
	if d > 0 {
		// Listing the calendars is only done for someone who may see
		// their busy time.
		ok, err := h.mayQueryFreeBusy(q.ctx(), q.actor, q.t.principal.Path)
		if err != nil {
			return err
		}
		if ok {
			if cals, err = h.store.Calendars(q.ctx(), q.t.principal.Path); err != nil {
				return err
			}
		}
	}
	return h.freeBusyQuery(q, root, cals, true)
}

// reportObject refuses a free-busy-query REPORT on a calendar object
// (RFC 4791 §7.10: 403; 404 for whoever may not see the busy time, as on
// collections); other REPORTs go to go-webdav.
func (h *Handler) reportObject(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	q.r.Body = io.NopCloser(bytes.NewReader(body))
	root, err := parseXML(bytes.NewReader(body))
	if err != nil || !isFreeBusyQuery(root) {
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	ok, err := h.mayQueryFreeBusy(q.ctx(), q.actor, q.t.principal.Path)
	if err != nil {
		return err
	}
	if !ok {
		return httpError(http.StatusNotFound, "free-busy-query without read-free-busy")
	}
	return httpError(http.StatusForbidden, "free-busy-query on a calendar object")
}
