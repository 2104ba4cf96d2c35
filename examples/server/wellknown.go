package main

import (
	"net/http"

	"github.com/go-autoschedule/autoschedule/backend"
)

// wellKnownPath is the CalDAV service discovery path (RFC 6764 §5).
const wellKnownPath = "/.well-known/caldav"

// wellKnown returns a handler that redirects /.well-known/caldav to the
// authenticated user's principal URL, where a client finds
// current-user-principal and calendar-home-set, and passes every other
// request to next. It must run behind the authenticator. GET and HEAD are
// answered 301; other methods (clients send PROPFIND) 308, so that the
// method is kept.
func wellKnown(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != wellKnownPath && r.URL.Path != wellKnownPath+"/" {
			next.ServeHTTP(w, r)
			return
		}
		target := "/"
		if p, ok := backend.PrincipalFromContext(r.Context()); ok {
			target = p
		}
		code := http.StatusPermanentRedirect
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		http.Redirect(w, r, target, code)
	})
}
