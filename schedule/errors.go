package schedule

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/privilege"
)

// Precondition names a WebDAV/CalDAV precondition or postcondition
// element (RFC 4918 §16, RFC 4791 §5.3.2.1, RFC 6638 §3.2.4, §5.2): the
// element's local name, in the CalDAV namespace unless it starts with
// "DAV:".
type Precondition string

// The preconditions the middleware reports.
const (
	NeedPrivileges                  Precondition = "DAV:need-privileges"
	SupportedReport                 Precondition = "DAV:supported-report"
	ValidCalendarData               Precondition = "valid-calendar-data"
	ValidCalendarObjectResource     Precondition = "valid-calendar-object-resource"
	ValidFilter                     Precondition = "valid-filter"
	SupportedCalendarData           Precondition = "supported-calendar-data"
	SupportedCalendarComponent      Precondition = "supported-calendar-component"
	MaxResourceSize                 Precondition = "max-resource-size"
	MaxAttendeesPerInstance         Precondition = "max-attendees-per-instance"
	MaxInstances                    Precondition = "max-instances"
	NoUIDConflict                   Precondition = "no-uid-conflict"
	UniqueSchedulingObjectResource  Precondition = "unique-scheduling-object-resource"
	SameOrganizerInAllComponents    Precondition = "same-organizer-in-all-components"
	AllowedOrganizerObjectChange    Precondition = "allowed-organizer-scheduling-object-change"
	AllowedAttendeeObjectChange     Precondition = "allowed-attendee-scheduling-object-change"
	ValidSchedulingMessage          Precondition = "valid-scheduling-message"
	ValidOrganizer                  Precondition = "valid-organizer"
	DefaultCalendarNeeded           Precondition = "default-calendar-needed"
	ValidScheduleDefaultCalendarURL Precondition = "valid-schedule-default-calendar-URL"
	CalendarCollectionLocationOK    Precondition = "calendar-collection-location-ok"
	ValidTimezone                   Precondition = "valid-timezone"
	NumberOfMatchesWithinLimits     Precondition = "DAV:number-of-matches-within-limits"
)

// xmlName returns the namespace and local name of the element.
func (p Precondition) xmlName() (space, local string) {
	if rest, ok := strings.CutPrefix(string(p), "DAV:"); ok {
		return nsDAV, rest
	}
	return nsCalDAV, string(p)
}

// Error is an HTTP error answered with a DAV:error body naming a
// precondition (when Condition is set). Handlers return it; ServeHTTP
// writes it.
type Error struct {
	Status int
	// Condition is the precondition reported in the body; "" for none.
	Condition Precondition
	// Href is reported inside the condition element (for example the
	// resource that already uses a UID); it must be a URL the requester
	// may see.
	Href string
	// Resource and Privilege, for DAV:need-privileges, name the
	// resource and the privilege missing on it (RFC 3744 §7.1.1); only
	// set when the requester may know the resource.
	Resource  string
	Privilege privilege.Privilege
	// Message is for logs; it is never sent to the client.
	Message string
	// Public, when set, is the plain-text body of an answer without a
	// Condition: an explanation meant for the client (for example which
	// header values are accepted). It must say nothing about stored data.
	Public string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("schedule: %d", e.Status)
	if e.Condition != "" {
		s += " " + string(e.Condition)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// precondition returns an *Error for cond with status.
func precondition(status int, cond Precondition, msg string) *Error {
	return &Error{Status: status, Condition: cond, Message: msg}
}

// httpError returns an *Error without a condition.
func httpError(status int, msg string) *Error {
	return &Error{Status: status, Message: msg}
}

// badRequest returns a 400 whose explanation msg is sent to the client.
func badRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: msg, Public: msg}
}

// forbidden is the answer to an authorization failure: 403 with
// DAV:need-privileges, and nothing about the resource.
func forbidden(msg string) *Error {
	return precondition(http.StatusForbidden, NeedPrivileges, msg)
}

// writeError answers err: an *Error as its status and DAV:error body,
// anything else as a 500 without details (they go to the log).
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		h.log.ErrorContext(r.Context(), "schedule: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	if e.Status >= 500 {
		h.log.ErrorContext(r.Context(), "schedule: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		h.log.DebugContext(r.Context(), "schedule: request refused", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Condition == "" {
		text := http.StatusText(e.Status)
		if e.Public != "" {
			text += ": " + e.Public
		}
		http.Error(w, text, e.Status)
		return
	}
	cond := el(e.Condition.xmlName())
	if e.Href != "" {
		cond.children = append(cond.children, hrefEl(e.Href))
	}
	if name, ok := e.Privilege.XMLName(); ok && e.Resource != "" {
		cond.children = append(cond.children, el(nsDAV, "resource",
			hrefEl(e.Resource), el(nsDAV, "privilege", &node{name: name})))
	}
	w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
	w.WriteHeader(e.Status)
	_ = writeXML(w, el(nsDAV, "error", cond))
}
