package schedule

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// allowCase is one resource probed with OPTIONS: who asks, where, and the
// Allow header expected.
type allowCase struct {
	name, as, path, allow string
}

// allowCases covers every kind of resource the middleware resolves.
var allowCases = []allowCase{
	{"root", "cyrus", "/", allowRoot},
	{"principal", "cyrus", "/cyrus/", allowPrincipal},
	{"another principal", "cyrus", "/wilfredo/", allowPrincipal},
	{"home", "cyrus", "/cyrus/calendars/", allowHome},
	{"default calendar", "cyrus", "/cyrus/calendars/default/", allowDefaultCalendar},
	{"other calendar", "cyrus", "/cyrus/calendars/work/", allowCalendar},
	{"object", "cyrus", "/cyrus/calendars/default/p1.ics", allowObject},
	{"new object", "cyrus", "/cyrus/calendars/default/p2.ics", allowNewObject},
	{"inbox", "cyrus", "/cyrus/calendars/inbox/", allowInbox},
	{"inbox item", "cyrus", "/cyrus/calendars/inbox/x.ics", allowInboxItem},
	{"outbox", "cyrus", "/cyrus/calendars/outbox/", allowOutbox},
	{"outbox member", "cyrus", "/cyrus/calendars/outbox/x", allowNothing},
	{"free name in the home", "cyrus", "/cyrus/calendars/new/", allowCreatable},
	{"free name in another home", "cyrus", "/wilfredo/calendars/new/", allowNothing},
	{"nested free name", "cyrus", "/cyrus/calendars/new/deeper/", allowNothing},
	{"unmapped", "cyrus", "/nothing/", allowNothing},
	{"another user's calendar", "cyrus", "/wilfredo/calendars/default/", allowNothing},
	{"another user's missing calendar", "cyrus", "/wilfredo/calendars/nope/", allowNothing},
}

// newAllowEnv is cyrus and wilfredo with p1.ics in cyrus's default
// calendar and a second calendar, work.
func newAllowEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, nil, cyrus, wilfredo)
	if err := e.store.CreateCalendar(context.Background(), &backend.Calendar{Path: "/cyrus/calendars/work/", Owner: "/cyrus/"}); err != nil {
		t.Fatal(err)
	}
	e.do("cyrus", http.MethodPut, "/cyrus/calendars/default/p1.ics", busyEvent("p1", "20090602T110000Z", "20090602T120000Z")).must(t, 201)
	return e
}

// TestOptionsAllowPerKind checks the Allow header of every kind of
// resource, and that it is exact: each method it lists is served there
// (not 405 or 501), and each method it leaves out does not succeed.
// PROPFIND and REPORT are only checked where listed: go-webdav answers a
// calendar-multiget at any URL (its hrefs are absolute) and a PROPFIND on
// any one-segment path (an empty multistatus) without looking at what the
// URL names.
func TestOptionsAllowPerKind(t *testing.T) {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPost,
		"PROPFIND", "PROPPATCH", "REPORT", "COPY", "MOVE", "MKCOL", "MKCALENDAR"}
	unchecked := map[string]bool{"PROPFIND": true, "REPORT": true} // when not listed
	for _, c := range allowCases {
		t.Run(c.name, func(t *testing.T) {
			r := newAllowEnv(t).do(c.as, http.MethodOptions, c.path, "").must(t, 200, 204)
			if got := r.header.Get("Allow"); got != c.allow {
				t.Errorf("Allow %q, want %q", got, c.allow)
			}
			if dav := r.header.Get("Dav"); !listHas(dav, "calendar-auto-schedule") || !listHas(dav, "calendar-access") {
				t.Errorf("DAV %q", dav)
			}
			for _, m := range methods {
				res := tryMethod(t, newAllowEnv(t), c, m)
				listed := listHas(c.allow, m)
				switch {
				case listed && (res.status == http.StatusMethodNotAllowed || res.status == http.StatusNotImplemented):
					t.Errorf("%s is listed but answered %d", m, res.status)
				case !listed && !unchecked[m] && succeeded(m, res):
					t.Errorf("%s is not listed but succeeded (%d):\n%s", m, res.status, res.body)
				}
			}
		})
	}
}

// tryMethod sends method to c's resource with a body that would be valid
// there, in a fresh env (the request may change it).
func tryMethod(t *testing.T, e *env, c allowCase, method string) *response {
	t.Helper()
	body, headers := "", []string{"Destination", e.srv.URL + "/cyrus/calendars/work/copy.ics"}
	switch method {
	case http.MethodPut:
		uid := "p2"
		if strings.HasSuffix(c.path, "/p1.ics") {
			uid = "p1"
		}
		body = busyEvent(uid, "20090602T130000Z", "20090602T140000Z")
	case http.MethodPost:
		body = freeBusyRequest
	case "PROPFIND":
		body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>`
		headers = append(headers, "Depth", "0")
	case "PROPPATCH":
		prop := `<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>`
		if strings.HasSuffix(c.path, "/inbox/") {
			prop = `<C:schedule-default-calendar-URL><D:href>/cyrus/calendars/work/</D:href></C:schedule-default-calendar-URL>`
		}
		body = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
			prop + `</D:prop></D:set></D:propertyupdate>`
	case "REPORT":
		body = `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
			`<D:prop><D:getetag/></D:prop><D:href>/cyrus/calendars/default/p1.ics</D:href></C:calendar-multiget>`
	}
	return e.do(c.as, method, c.path, body, headers...)
}

// succeeded reports whether a request did what it asked: a 2xx answer,
// and for PROPPATCH a property set (a multistatus of refusals is not).
func succeeded(method string, r *response) bool {
	if r.status < 200 || r.status > 299 {
		return false
	}
	return method != "PROPPATCH" || strings.Contains(r.body, "HTTP/1.1 200")
}

// TestOptionsHidesOtherCalendars: a user who may not write another
// user's calendars gets the same answer for one that exists and one that
// does not (RFC 6638 §11.4); unauthenticated, the same. The owner sees
// the calendar's methods.
func TestOptionsHidesOtherCalendars(t *testing.T) {
	e := newAllowEnv(t)
	for _, as := range []string{"wilfredo", ""} {
		a := e.do(as, http.MethodOptions, "/cyrus/calendars/work/", "")
		b := e.do(as, http.MethodOptions, "/cyrus/calendars/none/", "")
		if a.status != b.status || a.header.Get("Allow") != b.header.Get("Allow") {
			t.Errorf("as %q: existing calendar %d %q, missing one %d %q", as, a.status, a.header.Get("Allow"), b.status, b.header.Get("Allow"))
		}
	}
	if got := e.do("cyrus", http.MethodOptions, "/cyrus/calendars/work/", "").header.Get("Allow"); got != allowCalendar {
		t.Errorf("the owner: Allow %q, want %q", got, allowCalendar)
	}
}
