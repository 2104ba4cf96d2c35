package schedule

import (
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// The Allow header of OPTIONS for each kind of resource: the methods that
// can succeed there (given the privileges and a valid request), not
// go-webdav's list, which types a path by its number of segments, offers
// DELETE and MKCOL on every collection (the root, principals and homes
// answer 403 or 405) and never PROPPATCH (the middleware serves it on
// calendars and the inbox).
const (
	allowRoot      = "OPTIONS, PROPFIND, REPORT"
	allowPrincipal = "OPTIONS, PROPFIND, REPORT"
	allowHome      = "OPTIONS, PROPFIND, REPORT"
	// allowCalendar is for a calendar the user may write; the default
	// calendar cannot be deleted (default-calendar-needed).
	allowCalendar        = "OPTIONS, PROPFIND, PROPPATCH, REPORT, DELETE"
	allowDefaultCalendar = "OPTIONS, PROPFIND, PROPPATCH, REPORT"
	// allowObject is for an existing calendar object, allowNewObject for
	// a name in a calendar where there is none yet.
	allowObject    = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT, COPY, MOVE"
	allowNewObject = "OPTIONS, PUT"
	allowInbox     = "OPTIONS, PROPFIND, PROPPATCH, REPORT"
	allowInboxItem = "OPTIONS, GET, HEAD, DELETE, PROPFIND"
	allowOutbox    = "OPTIONS, PROPFIND, POST"
	// allowCreatable is for a free name directly in the user's own
	// calendar home: go-webdav makes a calendar there with extended MKCOL.
	allowCreatable = "OPTIONS, MKCOL"
	// allowNothing is for paths where nothing exists (outbox members,
	// unmapped paths) and for calendars the user may not write, so that
	// OPTIONS does not tell whether another user's calendar exists
	// (RFC 6638 §11.4).
	allowNothing = "OPTIONS"
)

// schedulingDAV is the DAV header of the scheduling inbox and outbox,
// which the middleware serves without go-webdav.
const schedulingDAV = "1, 3, access-control, calendar-access, calendar-auto-schedule, " + schedulingControlsCapability

// options answers OPTIONS on any path. The scheduling inbox and outbox
// are answered here; elsewhere go-webdav answers (its DAV header, its
// authorization of calendar objects) and the middleware adds its
// capabilities to the DAV header and sets Allow for the kind of resource.
func (h *Handler) options(q *request) error {
	var allow string
	switch q.t.kind {
	case kindInbox:
		allow = allowInbox
	case kindInboxItem:
		allow = allowInboxItem
	case kindOutbox:
		allow = allowOutbox
	case kindOutboxItem:
		allow = allowNothing
	}
	if allow != "" {
		q.w.Header().Set("Dav", schedulingDAV)
		q.w.Header().Set("Allow", allow)
		q.w.WriteHeader(http.StatusOK)
		return nil
	}
	rewrite, err := h.allowRewrite(q)
	if err != nil {
		return err
	}
	h.next.ServeHTTP(withAutoSchedule(q.w, rewrite), q.r)
	return nil
}

// allowRewrite returns what becomes of go-webdav's Allow header for the
// target of q (other than the inbox and outbox).
func (h *Handler) allowRewrite(q *request) (func(string) string, error) {
	fixed := func(allow string) func(string) string { return func(string) string { return allow } }
	switch q.t.kind {
	case kindPrincipal:
		return fixed(allowPrincipal), nil
	case kindHome:
		return fixed(allowHome), nil
	case kindObject:
		// go-webdav looked the object up (after its authorization): it
		// offers GET only when the object exists.
		return func(webdav string) string {
			if listHas(webdav, http.MethodGet) {
				return allowObject
			}
			return allowNewObject
		}, nil
	case kindCalendar:
		ok, err := h.mayWriteCalendar(q.ctx(), q.actor, q.t.principal.Path)
		if err != nil || !ok {
			return fixed(allowNothing), err
		}
		def, err := h.store.DefaultCalendar(q.ctx(), q.t.principal.Path)
		switch {
		case err == nil && collectionPath(def) == q.t.calendar.Path:
			return fixed(allowDefaultCalendar), nil
		case err != nil && !errors.Is(err, backend.ErrNotFound):
			return nil, err
		}
		return fixed(allowCalendar), nil
	}
	if q.t.path == "/" {
		return fixed(allowRoot), nil
	}
	if h.creatable(q) {
		return fixed(allowCreatable), nil
	}
	return fixed(allowNothing), nil
}

// creatable reports whether the unmapped path of q is a valid name
// directly in the authenticated user's calendar home, where go-webdav's
// extended MKCOL makes a calendar (backend.CalDAV.CreateCalendar allows it
// in the user's own home only).
func (h *Handler) creatable(q *request) bool {
	if q.actor == "" {
		return false
	}
	pr, err := h.store.PrincipalByPath(q.ctx(), q.actor)
	if err != nil || pr.HomePath == "" {
		return false
	}
	calPath := collectionPath(q.t.path)
	name, ok := strings.CutPrefix(calPath, pr.HomePath)
	name = strings.TrimSuffix(name, "/")
	return ok && calPath != pr.HomePath && path.Base(name) == name && backend.CheckName(name) == nil
}

// listHas reports whether the comma-separated header value list (DAV,
// Allow) has item.
func listHas(list, item string) bool {
	for _, f := range strings.Split(list, ",") {
		if strings.TrimSpace(f) == item {
			return true
		}
	}
	return false
}

// autoScheduleWriter adds calendar-auto-schedule to the DAV header the
// wrapped handler writes, and rewrites its Allow header.
type autoScheduleWriter struct {
	http.ResponseWriter
	allow func(string) string
	done  bool
}

// withAutoSchedule wraps w so that a successful answer's DAV header
// advertises calendar-auto-schedule (RFC 6638 §2) and scheduling-controls
// (the scheduling-controls draft, §3), and its Allow header is allow's
// result for the wrapped handler's.
func withAutoSchedule(w http.ResponseWriter, allow func(string) string) http.ResponseWriter {
	return &autoScheduleWriter{ResponseWriter: w, allow: allow}
}

// fix amends the headers, once, before they are sent; an error answer is
// left as it is.
func (a *autoScheduleWriter) fix(status int) {
	if a.done {
		return
	}
	a.done = true
	if status < 200 || status > 299 {
		return
	}
	h := a.ResponseWriter.Header()
	if dav := h.Get("Dav"); dav != "" {
		dav = addCapability(dav, "calendar-auto-schedule")
		h.Set("Dav", addCapability(dav, schedulingControlsCapability))
	}
	h.Set("Allow", a.allow(h.Get("Allow")))
}

// WriteHeader amends the headers and passes the status on.
func (a *autoScheduleWriter) WriteHeader(status int) {
	a.fix(status)
	a.ResponseWriter.WriteHeader(status)
}

// Write amends the headers (for an implicit 200) and passes the data on.
func (a *autoScheduleWriter) Write(p []byte) (int, error) {
	a.fix(http.StatusOK)
	return a.ResponseWriter.Write(p)
}

// addCapability appends c to a comma-separated DAV header value unless
// it is there already.
func addCapability(dav, c string) string {
	if listHas(dav, c) {
		return dav
	}
	return dav + ", " + c
}
