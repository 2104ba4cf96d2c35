package schedule

import (
	"strings"
	"testing"
)

var (
	cyrus    = user{"cyrus", "cyrus@example.com"}
	wilfredo = user{"wilfredo", "wilfredo@example.com"}
	bernard  = user{"bernard", "bernard@example.net"}
)

func TestOptionsAdvertisesAutoSchedule(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	for _, p := range []string{"/cyrus/", "/cyrus/calendars/", "/cyrus/calendars/default/", "/cyrus/calendars/inbox/", "/cyrus/calendars/outbox/"} {
		r := e.do("cyrus", "OPTIONS", p, "").must(t, 200, 204)
		dav := r.header.Get("Dav")
		if !strings.Contains(dav, "calendar-auto-schedule") || !strings.Contains(dav, "calendar-access") {
			t.Errorf("OPTIONS %s: DAV %q", p, dav)
		}
		if strings.Count(dav, "calendar-auto-schedule") != 1 {
			t.Errorf("OPTIONS %s: DAV %q repeats the capability", p, dav)
		}
	}
}

const propfindPrincipal = `<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:prop><C:schedule-inbox-URL/><C:schedule-outbox-URL/><C:calendar-user-address-set/>
 <C:calendar-user-type/><C:calendar-home-set/><D:displayname/><D:resourcetype/><D:getetag/></D:prop>
</D:propfind>`

func TestPrincipalPropfindAnyPrincipal(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	// Cyrus looks Wilfredo up: go-webdav alone answers only for the
	// current user's own principal.
	for _, as := range []string{"cyrus", "wilfredo"} {
		r := e.do(as, "PROPFIND", "/wilfredo/", propfindPrincipal, "Depth", "0").must(t, 207)
		for _, want := range []string{
			"<C:schedule-inbox-URL><D:href>/wilfredo/calendars/inbox/</D:href>",
			"<C:schedule-outbox-URL><D:href>/wilfredo/calendars/outbox/</D:href>",
			"<C:calendar-user-address-set><D:href>mailto:wilfredo@example.com</D:href>",
			"<C:calendar-user-type>INDIVIDUAL</C:calendar-user-type>",
			"<C:calendar-home-set><D:href>/wilfredo/calendars/</D:href>",
			"<D:principal/>",
			"<D:displayname>Wilfredo</D:displayname>",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("as %s: missing %s in\n%s", as, want, r.body)
			}
		}
		// Unknown properties are reported 404.
		if !strings.Contains(r.body, "<D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found") {
			t.Errorf("getetag not in a 404 propstat:\n%s", r.body)
		}
	}
	// allprop leaves out the properties RFC 6638 says allprop SHOULD NOT
	// return.
	r := e.do("cyrus", "PROPFIND", "/wilfredo/", "", "Depth", "0").must(t, 207)
	if strings.Contains(r.body, "schedule-inbox-URL") || !strings.Contains(r.body, "calendar-user-address-set") {
		t.Errorf("allprop:\n%s", r.body)
	}
}

func TestHomeDepth1ListsInboxAndOutbox(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	body := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><C:schedule-calendar-transp/></D:prop></D:propfind>`
	r := e.do("cyrus", "PROPFIND", "/cyrus/calendars/", body, "Depth", "1").must(t, 207)
	for _, want := range []string{
		"<D:href>/cyrus/calendars/inbox/</D:href>",
		"<C:schedule-inbox/>",
		"<D:href>/cyrus/calendars/outbox/</D:href>",
		"<C:schedule-outbox/>",
		"/cyrus/calendars/default/",
		"<C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp>",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %s in\n%s", want, r.body)
		}
	}
	// Depth 0 does not list members.
	r = e.do("cyrus", "PROPFIND", "/cyrus/calendars/", body, "Depth", "0").must(t, 207)
	if strings.Contains(r.body, "inbox") {
		t.Errorf("Depth 0 lists members:\n%s", r.body)
	}
}

func TestHomeListingOfAnotherUser(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	body := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>`
	r := e.do("wilfredo", "PROPFIND", "/cyrus/calendars/", body, "Depth", "1")
	if strings.Contains(r.body, "inbox") || strings.Contains(r.body, "outbox") {
		t.Errorf("another user's inbox and outbox listed:\n%s", r.body)
	}
	// Unauthenticated: no scheduling information at all.
	r = e.do("", "PROPFIND", "/cyrus/", propfindPrincipal, "Depth", "0")
	if strings.Contains(r.body, "schedule-inbox-URL>") || strings.Contains(r.body, "mailto:") {
		t.Errorf("unauthenticated PROPFIND answered:\n%s", r.body)
	}
}
