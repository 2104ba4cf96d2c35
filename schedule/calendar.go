package schedule

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// serveCalendar handles a calendar collection: PROPFIND gains
// schedule-calendar-transp, PROPPATCH is done here (go-webdav answers
// 501), and DELETE removes every scheduling object first (§3.2.3.2).
func (h *Handler) serveCalendar(q *request) error {
	switch q.r.Method {
	case "PROPFIND":
		body, err := readBody(q.r, xmlLimit)
		if err != nil {
			return err
		}
		q.r.Body = io.NopCloser(bytes.NewReader(body))
		pf, err := parsePropfind(q.r)
		if err != nil {
			return err
		}
		return h.passPropfind(q, body, pf, h.calendarExtraProps(q, pf), nil)
	case "REPORT":
		return h.reportCalendar(q)
	case "PROPPATCH":
		return h.proppatchCalendar(q)
	case http.MethodPut, http.MethodPost:
		return httpError(http.StatusMethodNotAllowed, q.r.Method+" on a calendar collection")
	case "COPY", "MOVE":
		// Undefined for calendar collections (RFC 6638 §3.2.3.3,
		// §3.2.3.4); go-webdav does not implement it either.
		if err := h.authorizeWrite(q); err != nil {
			return err
		}
		return httpError(http.StatusForbidden, q.r.Method+" of a calendar collection")
	case http.MethodDelete:
		return h.deleteCalendar(q)
	}
	h.next.ServeHTTP(q.w, q.r)
	return nil
}

// calendarExtraProps returns, for a path, the scheduling and time zone
// properties of the calendar there that pf may ask for (for objects,
// their schedule-tag).
func (h *Handler) calendarExtraProps(q *request, pf *propfind) func(string) []prop {
	return func(p string) []prop {
		if !strings.HasSuffix(p, "/") {
			return h.objectExtraProps(q.ctx(), p)
		}
		cal, err := h.store.Calendar(q.ctx(), collectionPath(p))
		if err != nil {
			return nil
		}
		return append([]prop{hide(transpProp(cal.Transparent))}, timeZoneProps(cal, pf)...)
	}
}

// timeZoneProps are CALDAV:calendar-timezone (RFC 4791 §5.2.2) and
// CALDAV:calendar-timezone-id (RFC 7809 §5.2) of cal, when it has a time
// zone (the id only when its TZID is an IANA name). Neither is returned
// for allprop, so the id, which takes parsing the zone, is only looked at
// when pf asks for it by name.
func timeZoneProps(cal *backend.Calendar, pf *propfind) []prop {
	if cal.TimeZone == "" {
		return nil
	}
	props := []prop{hide(textProp(nsCalDAV, "calendar-timezone", cal.TimeZone))}
	if !pf.wants(timeZoneIDName) {
		return props
	}
	if id := cal.TimeZoneID(); id != "" {
		props = append(props, hide(textProp(nsCalDAV, "calendar-timezone-id", id)))
	}
	return props
}

// timeZoneIDName is CALDAV:calendar-timezone-id (RFC 7809 §5.2).
var timeZoneIDName = xml.Name{Space: nsCalDAV, Local: "calendar-timezone-id"}

// setTimeZoneProp applies the set (or remove) of calendar-timezone or
// calendar-timezone-id p to cal; both are kept in cal.TimeZone, so
// removing either removes both. It returns the status of the property
// and, for a value refused, the precondition it fails: valid-calendar-data
// for a calendar-timezone that is not one VTIMEZONE of a time zone,
// valid-timezone for an id that is no IANA zone.
func setTimeZoneProp(cal *backend.Calendar, p *node, set bool) (int, Precondition) {
	if !set {
		cal.TimeZone = ""
		return http.StatusOK, ""
	}
	if p.is(timeZoneIDName.Space, timeZoneIDName.Local) {
		text, err := backend.TimeZoneForID(p.text)
		if err != nil {
			return http.StatusForbidden, ValidTimezone
		}
		cal.TimeZone = text
		return http.StatusOK, ""
	}
	text, err := backend.CanonicalTimeZone(p.text)
	if err != nil {
		return http.StatusForbidden, ValidCalendarData
	}
	cal.TimeZone = text
	return http.StatusOK, ""
}

// objectExtraProps returns the schedule-tag of the object at p, when it
// is a scheduling object.
func (h *Handler) objectExtraProps(ctx context.Context, p string) []prop {
	obj, err := h.store.Object(ctx, p)
	if err != nil || obj.ScheduleTag == "" {
		return nil
	}
	return []prop{hide(textProp(nsCalDAV, "schedule-tag", `"`+obj.ScheduleTag+`"`))}
}

// transpProp is CALDAV:schedule-calendar-transp (§9.1).
func transpProp(transparent bool) prop {
	v := "opaque"
	if transparent {
		v = "transparent"
	}
	return propOf(nsCalDAV, "schedule-calendar-transp", el(nsCalDAV, v))
}

// mayWriteCalendar reports whether actor may manage owner's calendars:
// the owner, and whoever the policy lets write the owner's outbox (a
// delegate).
func (h *Handler) mayWriteCalendar(ctx context.Context, actor, owner string) (bool, error) {
	if actor == "" {
		return false, nil
	}
	if actor == owner {
		return true, nil
	}
	p, err := h.privileges(ctx, actor, owner, privilege.Outbox)
	if err != nil {
		return false, err
	}
	return p.Has(privilege.Write), nil
}

// proppatchCalendar sets or removes schedule-calendar-transp,
// displayname, calendar-description, calendar-timezone and
// calendar-timezone-id; other properties are refused. RFC 4918 §9.2: all
// or nothing. A refused value is 403 with its precondition in the
// propstat's DAV:error.
func (h *Handler) proppatchCalendar(q *request) error {
	ok, err := h.mayWriteCalendar(q.ctx(), q.actor, q.t.principal.Path)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("PROPPATCH on another user's calendar")
	}
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	root, err := parseXML(bytes.NewReader(body))
	if err != nil || !root.is(nsDAV, "propertyupdate") {
		return &Error{Status: http.StatusBadRequest, Message: "malformed PROPPATCH body", Err: err}
	}
	cal := *q.t.calendar
	type result struct {
		name   *node
		status int
		cond   Precondition // why status is not 200, when a precondition says it
	}
	var results []result
	failed := false
	for _, op := range root.children {
		set := op.is(nsDAV, "set")
		if !set && !op.is(nsDAV, "remove") {
			continue
		}
		for _, p := range op.child(nsDAV, "prop").childrenOrNil() {
			status := http.StatusOK
			var cond Precondition
			switch {
			case p.is(nsCalDAV, "calendar-timezone"), p.is(nsCalDAV, "calendar-timezone-id"):
				status, cond = setTimeZoneProp(&cal, p, set)
			case p.is(nsCalDAV, "schedule-calendar-transp"):
				switch {
				case !set:
					cal.Transparent = false
				case p.child(nsCalDAV, "transparent") != nil:
					cal.Transparent = true
				case p.child(nsCalDAV, "opaque") != nil:
					cal.Transparent = false
				default:
					status = http.StatusConflict
				}
			case p.is(nsDAV, "displayname"):
				cal.DisplayName = ""
				if set {
					cal.DisplayName = strings.TrimSpace(p.text)
				}
			case p.is(nsCalDAV, "calendar-description"):
				cal.Description = ""
				if set {
					cal.Description = p.text
				}
			default:
				status = http.StatusForbidden
			}
			if status != http.StatusOK {
				failed = true
			}
			results = append(results, result{name: &node{name: p.name}, status: status, cond: cond})
		}
	}
	if !failed {
		if err := h.store.UpdateCalendar(q.ctx(), &cal); err != nil {
			return err
		}
	}
	resp := el(nsDAV, "response", hrefEl(href(q.t.path)))
	for _, res := range results {
		status := res.status
		if failed && status == http.StatusOK {
			status = http.StatusFailedDependency
		}
		resp.children = append(resp.children, propstatEl(res.name.name, status, res.cond))
	}
	return writeMultistatus(q.w, []*node{resp})
}

// propstatEl is the DAV:propstat of a PROPPATCH for the property name:
// its status and, when cond is set, the precondition it failed in a
// DAV:error (RFC 4918 §14.22).
func propstatEl(name xml.Name, status int, cond Precondition) *node {
	ps := el(nsDAV, "propstat", el(nsDAV, "prop", &node{name: name}),
		textEl(nsDAV, "status", "HTTP/1.1 "+statusLine(status)))
	if cond != "" {
		ps.children = append(ps.children, el(nsDAV, "error", el(cond.xmlName())))
	}
	return ps
}

// childrenOrNil returns n's children, nil for a nil node.
func (n *node) childrenOrNil() []*node {
	if n == nil {
		return nil
	}
	return n.children
}

// deleteCalendar runs Remove on every scheduling object of the calendar
// (§3.2.3.2), then deletes the collection. The owner's default calendar
// cannot be deleted (CALDAV:default-calendar-needed, RFC 6638 §9.2): the
// client must first name another one in schedule-default-calendar-URL.
func (h *Handler) deleteCalendar(q *request) error {
	ok, err := h.mayWriteCalendar(q.ctx(), q.actor, q.t.principal.Path)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("DELETE of another user's calendar")
	}
	conds, err := conditions(q.r)
	if err != nil {
		return err
	}
	if _, err := actingAddresses(q.t.principal, conds.userAddress); err != nil {
		return err
	}
	if def, err := h.store.DefaultCalendar(q.ctx(), q.t.principal.Path); err == nil && collectionPath(def) == q.t.calendar.Path {
		return precondition(http.StatusForbidden, DefaultCalendarNeeded, "the default calendar cannot be deleted")
	} else if err != nil && !errors.Is(err, backend.ErrNotFound) {
		return err
	}
	objs, err := h.store.Objects(q.ctx(), q.t.calendar.Path)
	if err != nil {
		return err
	}
	for i := range objs {
		if err := h.removeObject(q, &objs[i], conds); err != nil {
			return err
		}
	}
	if err := h.store.DeleteCalendar(q.ctx(), q.t.calendar.Path); err != nil {
		if errors.Is(err, backend.ErrNotFound) {
			return httpError(http.StatusNotFound, "calendar vanished")
		}
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// scheduleTagName is CALDAV:schedule-tag.
var scheduleTagName = xml.Name{Space: nsCalDAV, Local: "schedule-tag"}

// refusePropPatch answers PROPPATCH on resources without writable
// properties: every property is 403 (RFC 4918 §9.2; go-webdav answers
// 501 Not Implemented).
func (h *Handler) refusePropPatch(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	root, err := parseXML(bytes.NewReader(body))
	if err != nil || !root.is(nsDAV, "propertyupdate") {
		return &Error{Status: http.StatusBadRequest, Message: "malformed PROPPATCH body", Err: err}
	}
	resp := el(nsDAV, "response", hrefEl(href(q.r.URL.Path)))
	for _, op := range root.children {
		for _, p := range op.child(nsDAV, "prop").childrenOrNil() {
			resp.children = append(resp.children, el(nsDAV, "propstat",
				el(nsDAV, "prop", &node{name: p.name}),
				textEl(nsDAV, "status", "HTTP/1.1 "+statusLine(http.StatusForbidden))))
		}
	}
	return writeMultistatus(q.w, []*node{resp})
}

// reportCalendar answers a free-busy-query REPORT itself and lets
// go-webdav answer the others, adding the schedule-tag of the objects
// when the REPORT asks for it (clients read it with calendar-multiget).
func (h *Handler) reportCalendar(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	q.r.Body = io.NopCloser(bytes.NewReader(body))
	root, err := parseXML(bytes.NewReader(body))
	if err != nil {
		// go-webdav reports malformed bodies itself.
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	if isFreeBusyQuery(root) {
		d, err := depth(q.r, 0)
		if err != nil {
			return err
		}
		var cals []backend.Calendar
		if d > 0 { // Depth 0 is the collection alone: no objects (RFC 4791 §7.10)
			cals = []backend.Calendar{*q.t.calendar}
		}
		return h.freeBusyQuery(q, root, cals, false)
	}
	pf := propfindFrom(root)
	pf.allprop = false
	if !pf.wants(scheduleTagName) {
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	return h.passPropfind(q, body, pf, func(p string) []prop { return h.objectExtraProps(q.ctx(), p) }, nil)
}
