package main

import (
	"net/http"
	"testing"
)

// TestOptionsAllow checks the Allow header through the whole server: the
// middleware's exact list per kind of resource, with MKCALENDAR and MKCOL
// exactly where a calendar can be made (an unmapped URL in the user's own
// home), and the DAV header naming extended-mkcol.
func TestOptionsAllow(t *testing.T) {
	srv, _ := inProcess(t)
	for path, want := range map[string]string{
		"/alice/calendars/work/":     "OPTIONS, MKCOL, MKCALENDAR",
		"/alice/calendars/default/":  "OPTIONS, PROPFIND, PROPPATCH, REPORT",
		"/alice/calendars/":          "OPTIONS, PROPFIND, REPORT",
		"/alice/":                    "OPTIONS, PROPFIND, REPORT",
		"/":                          "OPTIONS, PROPFIND, REPORT",
		"/bob/calendars/work/":       "OPTIONS", // not alice's home
		"/bob/calendars/default/":    "OPTIONS", // not alice's calendar
		"/alice/calendars/inbox/":    "OPTIONS, PROPFIND, PROPPATCH, REPORT",
		"/alice/calendars/outbox/":   "OPTIONS, PROPFIND, POST",
		"/alice/calendars/a/b/":      "OPTIONS", // not directly in the home
		"/alice/calendars/default/x": "OPTIONS, PUT",
	} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+path, nil)
		req.SetBasicAuth("alice", "pw")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if allow := res.Header.Get("Allow"); allow != want {
			t.Errorf("%s: Allow %q, want %q", path, allow, want)
		}
		if dav := res.Header.Get("Dav"); !hasField(dav, "extended-mkcol") || !hasField(dav, "calendar-access") {
			t.Errorf("%s: DAV %q", path, dav)
		}
	}
}
