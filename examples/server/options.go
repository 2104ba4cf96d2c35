package main

import (
	"net/http"
	"strings"
)

// options answers OPTIONS through next: the scheduling middleware lists
// MKCOL in Allow exactly where a calendar can be made (a free name
// directly in the user's own calendar home, RFC 5689 extended MKCOL), and
// the server takes MKCALENDAR there too (calendarCreator serves both
// there and refuses them elsewhere). The DAV header gains extended-mkcol
// (RFC 5689 §3).
func (c *calendarCreator) options(w http.ResponseWriter, r *http.Request) {
	aw := &allowWriter{ResponseWriter: w, rewrite: withMkcalendar}
	c.next.ServeHTTP(aw, r)
	aw.fix()
}

// withMkcalendar adds MKCALENDAR to an Allow value that lists MKCOL.
func withMkcalendar(allow string) string {
	if !hasField(allow, "MKCOL") || hasField(allow, "MKCALENDAR") {
		return allow
	}
	return allow + ", MKCALENDAR"
}

// extendedMkcol is the DAV header's name for RFC 5689's extended MKCOL.
const extendedMkcol = "extended-mkcol"

// hasField reports whether the comma-separated header value list has
// field.
func hasField(list, field string) bool {
	for _, f := range strings.Split(list, ",") {
		if strings.TrimSpace(f) == field {
			return true
		}
	}
	return false
}

// allowWriter rewrites the Allow header once, before the header is sent.
type allowWriter struct {
	http.ResponseWriter
	rewrite func(string) string
	done    bool
}

// fix applies rewrite to the Allow header, once.
func (a *allowWriter) fix() {
	if a.done {
		return
	}
	a.done = true
	h := a.ResponseWriter.Header()
	if dav := h.Get("Dav"); dav != "" && !hasField(dav, extendedMkcol) {
		h.Set("Dav", dav+", "+extendedMkcol)
	}
	if v := a.rewrite(h.Get("Allow")); v != "" {
		h.Set("Allow", v)
	} else {
		h.Del("Allow")
	}
}

// WriteHeader rewrites Allow and passes the status on.
func (a *allowWriter) WriteHeader(status int) {
	a.fix()
	a.ResponseWriter.WriteHeader(status)
}

// Write rewrites Allow (for an implicit 200) and passes the data on.
func (a *allowWriter) Write(p []byte) (int, error) {
	a.fix()
	return a.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the underlying writer.
func (a *allowWriter) Unwrap() http.ResponseWriter { return a.ResponseWriter }
