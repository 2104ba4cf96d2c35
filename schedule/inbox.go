package schedule

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// icalContentType is the media type of iCalendar resources.
const icalContentType = "text/calendar; charset=utf-8"

// serveInbox serves the scheduling inbox and its items (RFC 6638 §2.2).
// Authorization is checked before anything about the resource is
// looked at, so a refused request learns nothing (§11.4).
func (h *Handler) serveInbox(q *request) error {
	owner := q.t.principal
	priv, err := h.privileges(q.ctx(), q.actor, owner.Path, privilege.Inbox)
	if err != nil {
		return err
	}
	need := privilege.Read
	switch q.r.Method {
	case http.MethodDelete:
		need = privilege.Unbind
	case "PROPPATCH":
		need = privilege.WriteProperties
	case http.MethodPut, http.MethodPost, "MKCOL", "MKCALENDAR", "COPY", "MOVE":
		need = privilege.Bind
	}
	if !priv.Has(need) {
		return forbidden("inbox of " + owner.Path)
	}
	switch q.r.Method {
	case "PROPFIND":
		return h.propfindInbox(q, priv)
	case "REPORT":
		if q.t.kind != kindInbox {
			return httpError(http.StatusMethodNotAllowed, "REPORT on an inbox item")
		}
		return h.reportInbox(q)
	case http.MethodGet, http.MethodHead:
		if q.t.kind != kindInboxItem {
			return httpError(http.StatusMethodNotAllowed, "GET on the inbox collection")
		}
		return h.getInboxItem(q)
	case http.MethodDelete:
		if q.t.kind != kindInboxItem {
			// The server owns the inbox; clients cannot delete it (§2).
			return forbidden("DELETE of the inbox collection")
		}
		if err := h.store.DeleteSchedulingObject(q.ctx(), owner.Path, q.t.name); err != nil {
			if errors.Is(err, backend.ErrNotFound) {
				return httpError(http.StatusNotFound, "no such inbox item")
			}
			return err
		}
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	case "PROPPATCH":
		if q.t.kind != kindInbox {
			return forbidden("PROPPATCH on an inbox item")
		}
		return h.proppatchInbox(q)
	}
	// Only the server creates inbox items (§2.2): PUT, POST, COPY, MOVE
	// and MKCOL are refused.
	return forbidden(q.r.Method + " into the inbox")
}

// inboxProps are the properties of the inbox collection for an actor
// holding priv on it.
func (h *Handler) inboxProps(q *request, priv privilege.Privilege) ([]prop, error) {
	owner := q.t.principal
	props := []prop{
		propOf(nsDAV, "resourcetype", el(nsDAV, "collection"), el(nsCalDAV, "schedule-inbox")),
		propOf(nsDAV, "owner", hrefEl(href(owner.Path))),
		propOf(nsCalDAV, "supported-calendar-component-set",
			compEl("VEVENT"), compEl("VTODO"), compEl("VJOURNAL"), compEl("VFREEBUSY")),
		textProp(nsCalDAV, "max-resource-size", strconv.FormatInt(h.maxSize, 10)),
		textProp(nsCalDAV, "max-attendees-per-instance", strconv.Itoa(h.maxAtt)),
		privilegeSetProp(privilege.Inbox),
		currentPrivilegeProp(priv),
	}
	def, err := h.store.DefaultCalendar(q.ctx(), owner.Path)
	switch {
	case err == nil:
		props = append(props, propOf(nsCalDAV, "schedule-default-calendar-URL", hrefEl(href(def))))
	case errors.Is(err, backend.ErrNotFound):
		props = append(props, propOf(nsCalDAV, "schedule-default-calendar-URL"))
	default:
		return nil, err
	}
	return props, nil
}

// compEl is a CALDAV:comp element.
func compEl(name string) *node {
	n := el(nsCalDAV, "comp")
	n.attrs = []xml.Attr{{Name: xml.Name{Local: "name"}, Value: name}}
	return n
}

// privilegeSetProp is DAV:supported-privilege-set of c.
func privilegeSetProp(c privilege.Collection) prop {
	return prop{
		name: xml.Name{Space: nsDAV, Local: "supported-privilege-set"},
		value: func() (*node, error) {
			return marshalNode(privilege.Supported(c))
		},
	}
}

// currentPrivilegeProp is DAV:current-user-privilege-set for p.
func currentPrivilegeProp(p privilege.Privilege) prop {
	return prop{
		name: xml.Name{Space: nsDAV, Local: "current-user-privilege-set"},
		value: func() (*node, error) {
			return marshalNode(privilege.Current(p))
		},
	}
}

// itemProps are the properties of one inbox item; dataReq is the
// calendar-data element of the request (nil: the whole item).
func itemProps(item *backend.SchedulingObject, dataReq *node) []prop {
	props := []prop{
		propOf(nsDAV, "resourcetype"),
		textProp(nsDAV, "getetag", `"`+item.ETag+`"`),
		textProp(nsDAV, "getcontenttype", icalContentType),
		textProp(nsDAV, "getcontentlength", strconv.Itoa(len(item.Data))),
		hide(prop{
			name: xml.Name{Space: nsCalDAV, Local: "calendar-data"},
			value: func() (*node, error) {
				text := string(item.Data)
				if dataReq != nil {
					text = selectCalendarData(item.Data, dataReq)
				}
				return textEl(nsCalDAV, "calendar-data", text), nil
			},
		}),
	}
	if !item.ModTime.IsZero() {
		props = append(props, textProp(nsDAV, "getlastmodified", item.ModTime.UTC().Format(http.TimeFormat)))
	}
	return props
}

// propfindInbox answers PROPFIND on the inbox (Depth 0 or 1) or an item.
func (h *Handler) propfindInbox(q *request, priv privilege.Privilege) error {
	d, err := depth(q.r, 2)
	if err != nil {
		return err
	}
	pf, err := parsePropfind(q.r)
	if err != nil {
		return err
	}
	owner := q.t.principal
	if q.t.kind == kindInboxItem {
		item, err := h.store.SchedulingObject(q.ctx(), owner.Path, q.t.name)
		if err != nil {
			if errors.Is(err, backend.ErrNotFound) {
				return httpError(http.StatusNotFound, "no such inbox item")
			}
			return err
		}
		resp, err := propResponse(href(q.t.path), pf, itemProps(item, nil))
		if err != nil {
			return err
		}
		return writeMultistatus(q.w, []*node{resp})
	}
	props, err := h.inboxProps(q, priv)
	if err != nil {
		return err
	}
	if pf.wants(availabilityName) {
		// Read only when asked for by name: it is not returned for allprop.
		if props, err = h.appendAvailabilityProp(q, props); err != nil {
			return err
		}
	}
	resp, err := propResponse(href(owner.InboxPath), pf, props)
	if err != nil {
		return err
	}
	responses := []*node{resp}
	if d > 0 {
		items, err := h.store.SchedulingObjects(q.ctx(), owner.Path)
		if err != nil {
			return err
		}
		for i := range items {
			r, err := propResponse(href(owner.InboxPath+items[i].Name), pf, itemProps(&items[i], nil))
			if err != nil {
				return err
			}
			responses = append(responses, r)
		}
	}
	return writeMultistatus(q.w, responses)
}

// getInboxItem answers GET or HEAD of an inbox item.
func (h *Handler) getInboxItem(q *request) error {
	item, err := h.store.SchedulingObject(q.ctx(), q.t.principal.Path, q.t.name)
	if err != nil {
		if errors.Is(err, backend.ErrNotFound) {
			return httpError(http.StatusNotFound, "no such inbox item")
		}
		return err
	}
	etag := `"` + item.ETag + `"`
	hd := q.w.Header()
	hd.Set("Content-Type", icalContentType)
	hd.Set("Content-Length", strconv.Itoa(len(item.Data)))
	hd.Set("ETag", etag)
	if !item.ModTime.IsZero() {
		hd.Set("Last-Modified", item.ModTime.UTC().Format(http.TimeFormat))
	}
	if inm := q.r.Header.Get("If-None-Match"); inm != "" && (inm == "*" || strings.Contains(inm, etag)) {
		q.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	q.w.WriteHeader(http.StatusOK)
	if q.r.Method == http.MethodGet {
		_, _ = q.w.Write(item.Data)
	}
	return nil
}

// proppatchInbox sets schedule-default-calendar-URL (§9.2), which must
// name one of the owner's calendars (§4.3.1.2), and sets or removes
// calendar-availability (RFC 7953 §7.2.4) when the store keeps it
// (backend.AvailabilityStore); a value that is not availability data is
// 403 with CALDAV:valid-calendar-data in its propstat. All or nothing.
func (h *Handler) proppatchInbox(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	root, err := parseXML(bytes.NewReader(body))
	if err != nil || !root.is(nsDAV, "propertyupdate") {
		return &Error{Status: http.StatusBadRequest, Message: "malformed PROPPATCH body", Err: err}
	}
	owner := q.t.principal
	resp := el(nsDAV, "response", hrefEl(href(owner.InboxPath)))
	var newDefault string
	var newAvailability []byte // the value to store, when setAvailability
	setAvailability := false
	as, keepsAvailability := h.store.(backend.AvailabilityStore)
	failed := false
	type result struct {
		name   xml.Name
		status int
		cond   Precondition
	}
	var results []result
	for _, op := range root.children {
		set := op.is(nsDAV, "set")
		if !set && !op.is(nsDAV, "remove") {
			continue
		}
		for _, p := range op.child(nsDAV, "prop").childrenOrNil() {
			status := http.StatusOK
			var cond Precondition
			if keepsAvailability && p.is(availabilityName.Space, availabilityName.Local) {
				setAvailability, newAvailability = true, nil
				if set {
					data, err := canonicalAvailability(p.text)
					if err != nil {
						status, cond = http.StatusForbidden, ValidCalendarData
					}
					newAvailability = data
				}
			} else if !p.is(nsCalDAV, "schedule-default-calendar-URL") {
				status = http.StatusForbidden
			} else if !set {
				status = http.StatusForbidden // a default calendar is always kept
			} else if hr := p.child(nsDAV, "href"); hr == nil {
				status = http.StatusConflict
			} else if path, ok := unhref(hr.text); !ok {
				status = http.StatusConflict
			} else if cal, err := h.store.Calendar(q.ctx(), collectionPath(path)); err != nil || cal.Owner != owner.Path {
				return precondition(http.StatusForbidden, ValidScheduleDefaultCalendarURL, "not a calendar of the owner")
			} else if !cal.Supports("VEVENT") && !cal.Supports("VTODO") {
				// New scheduling objects are events and to-dos (§4.3).
				return precondition(http.StatusForbidden, ValidScheduleDefaultCalendarURL, "the calendar accepts no scheduling component")
			} else {
				newDefault = cal.Path
			}
			if status != http.StatusOK {
				failed = true
			}
			results = append(results, result{p.name, status, cond})
		}
	}
	if !failed && newDefault != "" {
		if err := h.store.SetDefaultCalendar(q.ctx(), owner.Path, newDefault); err != nil {
			return err
		}
	}
	if !failed && setAvailability {
		if err := as.SetAvailability(q.ctx(), owner.Path, newAvailability); err != nil {
			return err
		}
	}
	for _, res := range results {
		status := res.status
		if failed && status == http.StatusOK {
			status = http.StatusFailedDependency
		}
		resp.children = append(resp.children, propstatEl(res.name, status, res.cond))
	}
	return writeMultistatus(q.w, []*node{resp})
}

// appendAvailabilityProp adds the owner's calendar-availability to props
// when the store keeps it and it is set.
func (h *Handler) appendAvailabilityProp(q *request, props []prop) ([]prop, error) {
	as, ok := h.store.(backend.AvailabilityStore)
	if !ok {
		return props, nil
	}
	data, err := as.Availability(q.ctx(), q.t.principal.Path)
	if errors.Is(err, backend.ErrNotFound) {
		return props, nil
	}
	if err != nil {
		return nil, err
	}
	return append(props, hide(textProp(availabilityName.Space, availabilityName.Local, string(data)))), nil
}
