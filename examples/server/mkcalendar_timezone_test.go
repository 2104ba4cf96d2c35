package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestMkcalendarTimeZone creates calendars with calendar-timezone-id
// (MKCALENDAR) and calendar-timezone (extended MKCOL) and reads both
// properties back; an unknown zone and a value that is no VTIMEZONE are
// refused and create nothing.
func TestMkcalendarTimeZone(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "-data", dir+"/data", "-users", writeUsersFile(t, dir))
	mk := func(prop string) string {
		return `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
			prop + `</D:prop></D:set></C:mkcalendar>`
	}
	const office = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:My Office\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
	props := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-timezone/><C:calendar-timezone-id/></D:prop></D:propfind>`

	s.do(alice, "MKCALENDAR", "/alice/calendars/berlin/", mk(`<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>`)).must(t, "MKCALENDAR with calendar-timezone-id", http.StatusCreated)
	res := s.do(alice, "PROPFIND", "/alice/calendars/berlin/", props, "Depth", "0").must(t, "PROPFIND", http.StatusMultiStatus)
	if !strings.Contains(res.body, "Europe/Berlin</") || !strings.Contains(res.body, "BEGIN:VTIMEZONE") {
		t.Errorf("calendar created with calendar-timezone-id:\n%s", res.body)
	}

	mkcol := `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><C:calendar-timezone>` + office + `</C:calendar-timezone></D:prop></D:set></D:mkcol>`
	s.do(alice, "MKCOL", "/alice/calendars/office/", mkcol).must(t, "extended MKCOL with calendar-timezone", http.StatusCreated)
	res = s.do(alice, "PROPFIND", "/alice/calendars/office/", props, "Depth", "0").must(t, "PROPFIND", http.StatusMultiStatus)
	if !strings.Contains(res.body, "TZID:My Office") {
		t.Errorf("calendar created with calendar-timezone:\n%s", res.body)
	}

	for name, prop := range map[string]string{
		"unknown id":   `<C:calendar-timezone-id>Mars/Olympus_Mons</C:calendar-timezone-id>`,
		"no VTIMEZONE": `<C:calendar-timezone>BEGIN:VCALENDAR` + "\r\n" + `END:VCALENDAR</C:calendar-timezone>`,
	} {
		res = s.do(alice, "MKCALENDAR", "/alice/calendars/bad/", mk(`<D:displayname>Bad</D:displayname>`+prop)).must(t, "MKCALENDAR with "+name, http.StatusForbidden)
		if !strings.Contains(res.body, "403 Forbidden") || !strings.Contains(res.body, "424 Failed Dependency") {
			t.Errorf("%s: property failure report:\n%s", name, res.body)
		}
		s.do(alice, "PROPFIND", "/alice/calendars/bad/", "", "Depth", "0").must(t, "PROPFIND of the refused calendar", http.StatusNotFound)
	}
}
