package main

import (
	"net/http"
	"testing"
)

// TestOptionsAllow checks that OPTIONS offers MKCALENDAR and MKCOL exactly
// where a calendar can be made (an unmapped URL in the user's own home),
// and MKCOL nowhere else, and that the DAV header names extended-mkcol.
func TestOptionsAllow(t *testing.T) {
	srv, _ := inProcess(t)
	for path, want := range map[string]string{
		"/alice/calendars/work/":     "OPTIONS, MKCALENDAR, MKCOL",
		"/alice/calendars/default/":  "",
		"/alice/calendars/":          "",
		"/alice/":                    "",
		"/bob/calendars/work/":       "", // not alice's home
		"/alice/calendars/inbox/":    "",
		"/alice/calendars/a/b/":      "", // not directly in the home
		"/alice/calendars/default/x": "",
	} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+path, nil)
		req.SetBasicAuth("alice", "pw")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		allow := res.Header.Get("Allow")
		switch {
		case want != "" && allow != want:
			t.Errorf("%s: Allow %q, want %q", path, allow, want)
		case want == "" && (hasField(allow, "MKCOL") || hasField(allow, "MKCALENDAR")):
			t.Errorf("%s: Allow %q offers calendar creation", path, allow)
		}
		if dav := res.Header.Get("Dav"); !hasField(dav, "extended-mkcol") || !hasField(dav, "calendar-access") {
			t.Errorf("%s: DAV %q", path, dav)
		}
	}
	if got := withoutMethod("OPTIONS, MKCOL,PROPFIND ,, MKCOL", "MKCOL"); got != "OPTIONS, PROPFIND" {
		t.Errorf("withoutMethod: %q", got)
	}
}
