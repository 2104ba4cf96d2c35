package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// createMethods is the Allow header of a URL where a calendar can be
// created: an unmapped URL directly in the user's calendar home.
const createMethods = "OPTIONS, MKCALENDAR, MKCOL"

// options answers OPTIONS through next (go-webdav and the scheduling
// middleware write the DAV header) with an Allow header that tells the
// truth about calendar creation, which go-webdav does not know about: an
// unmapped URL in the user's calendar home allows MKCALENDAR and extended
// MKCOL and nothing else, and no other URL allows MKCOL (calendarCreator
// refuses it everywhere else). The DAV header gains extended-mkcol (RFC
// 5689 §3).
func (c *calendarCreator) options(w http.ResponseWriter, r *http.Request) {
	rewrite := func(allow string) string { return withoutMethod(allow, "MKCOL") }
	if c.creatable(r) {
		rewrite = func(string) string { return createMethods }
	}
	aw := &allowWriter{ResponseWriter: w, rewrite: rewrite}
	c.next.ServeHTTP(aw, r)
	aw.fix()
}

// creatable reports whether a calendar can be made at r's URL by the
// authenticated user: a direct child of their home that does not exist.
func (c *calendarCreator) creatable(r *http.Request) bool {
	principalPath, ok := backend.PrincipalFromContext(r.Context())
	if !ok {
		return false
	}
	pr, err := c.store.PrincipalByPath(r.Context(), principalPath)
	if err != nil {
		return false
	}
	calPath, ok := calendarPathIn(pr, r.URL.Path)
	if !ok {
		return false
	}
	_, err = c.store.Calendar(r.Context(), calPath)
	return errors.Is(err, backend.ErrNotFound)
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

// withoutMethod removes method from a comma-separated Allow value.
func withoutMethod(allow, method string) string {
	fields := strings.Split(allow, ",")
	kept := fields[:0]
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" && f != method {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, ", ")
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
