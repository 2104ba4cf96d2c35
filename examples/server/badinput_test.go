package main

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// entityBomb is an XML document whose entities would expand to gigabytes
// in a parser that expands them.
const entityBomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>`

// countingReader yields n octets of 'x' and counts what was read.
type countingReader struct {
	left int64
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > c.left {
		n = c.left
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	c.left -= n
	c.read.Add(n)
	return int(n), nil
}

// snapshot is what the tests compare to prove that nothing changed: the
// members (with ETags) of alice's and bob's calendars and inboxes.
func snapshot(s *serverProcess) map[string]string {
	out := map[string]string{}
	for _, c := range []struct {
		who  testUser
		path string
	}{
		{alice, "/alice/calendars/default/"}, {alice, "/alice/calendars/inbox/"},
		{bob, "/bob/calendars/default/"}, {bob, "/bob/calendars/inbox/"},
		{alice, "/alice/calendars/"},
	} {
		for _, m := range s.listMembers(c.who, c.path) {
			out[m.Href] = m.ETag
		}
	}
	return out
}

// TestBadInput sends hostile and broken requests over the wire: each gets a
// clear 4xx, the server keeps serving, and nothing stored changes.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "-data", dir+"/data", "-users", writeUsersFile(t, dir))
	s.do(alice, http.MethodPut, lunchPath, lunch, "If-None-Match", "*").must(t, "PUT", http.StatusCreated)
	before := snapshot(s)

	notICS := "this is not iCalendar\r\n"
	badUTF8 := strings.Replace(lunch, "SUMMARY:Lunch", "SUMMARY:Lunch \xff\xfe\xc3", 1)
	badUTF8 = strings.ReplaceAll(badUTF8, "9263504FD3AD", "utf8-case")
	cases := []struct {
		name    string
		who     testUser
		method  string
		path    string
		body    string
		headers []string
		want    int
		cond    string // expected precondition element, "" for any
	}{
		{"wrong password", testUser{name: "alice", password: "nope"}, "PROPFIND", "/alice/", "", []string{"Depth", "0"}, http.StatusUnauthorized, ""},
		{"no auth", testUser{}, http.MethodGet, lunchPath, "", nil, http.StatusUnauthorized, ""},
		{"no auth PUT", testUser{}, http.MethodPut, "/alice/calendars/default/x.ics", lunch, nil, http.StatusUnauthorized, ""},
		{"entity bomb PROPFIND", alice, "PROPFIND", "/alice/calendars/", entityBomb, []string{"Depth", "1"}, http.StatusBadRequest, ""},
		{"entity bomb POST (XML)", alice, http.MethodPost, "/alice/calendars/outbox/", entityBomb, nil, http.StatusBadRequest, ""},
		{"entity bomb POST (as iCalendar)", alice, http.MethodPost, "/alice/calendars/outbox/", entityBomb, []string{"Content-Type", "text/calendar"}, 0, ""},
		{"entity bomb REPORT", alice, "REPORT", "/alice/calendars/default/", entityBomb, []string{"Depth", "1"}, http.StatusBadRequest, ""},
		{"entity bomb MKCALENDAR", alice, "MKCALENDAR", "/alice/calendars/bomb/", strings.Replace(entityBomb, "D:propfind", "C:mkcalendar", 2), nil, http.StatusBadRequest, ""},
		{"invalid UTF-8 PUT", alice, http.MethodPut, "/alice/calendars/default/utf8.ics", badUTF8, nil, 0, ""},
		{"not iCalendar PUT", alice, http.MethodPut, "/alice/calendars/default/junk.ics", notICS, []string{"Content-Type", "text/calendar"}, http.StatusBadRequest, "valid-calendar-data"},
		{"not iCalendar over an existing object", alice, http.MethodPut, lunchPath, notICS, []string{"Content-Type", "text/calendar"}, http.StatusBadRequest, "valid-calendar-data"},
		{"malformed XML", alice, "PROPFIND", "/alice/", "<D:propfind xmlns:D='DAV:'><D:prop>&undefined;</D:prop>", []string{"Depth", "0"}, http.StatusBadRequest, ""},
		{"MKCALENDAR in someone else's home", alice, "MKCALENDAR", "/bob/calendars/mine/", "", nil, http.StatusForbidden, "calendar-collection-location-ok"},
		{"MKCALENDAR over the inbox", alice, "MKCALENDAR", "/alice/calendars/inbox/", "", nil, http.StatusForbidden, "calendar-collection-location-ok"},
		{"plain MKCOL", alice, "MKCOL", "/alice/calendars/plain/", "", nil, http.StatusForbidden, "valid-resourcetype"},
	}
	for _, c := range cases {
		res := s.do(c.who, c.method, c.path, c.body, c.headers...)
		switch {
		case c.want == 0 && (res.status < 400 || res.status >= 500):
			t.Errorf("%s: status %d, want a 4xx; body:\n%s", c.name, res.status, res.body)
		case c.want != 0 && res.status != c.want:
			t.Errorf("%s: status %d, want %d; body:\n%s", c.name, res.status, c.want, res.body)
		case c.cond != "" && !strings.Contains(res.body, c.cond):
			t.Errorf("%s: body lacks %s:\n%s", c.name, c.cond, res.body)
		}
	}

	// A 50 MB body is refused from its Content-Length, unread.
	body := &countingReader{left: 50 << 20}
	req, err := http.NewRequest(http.MethodPut, s.url+"alice/calendars/default/huge.ics", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 50 << 20
	req.Header.Set("Content-Type", "text/calendar")
	req.SetBasicAuth(alice.name, alice.password)
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("50 MB PUT: %v (read %d octets)", err, body.read.Load())
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("50 MB PUT: status %d, want 413", res.StatusCode)
	}
	if n := body.read.Load(); n > 16<<20 {
		t.Errorf("50 MB PUT: the client sent %d octets before the answer", n)
	}

	// The server still serves, and nothing changed.
	after := snapshot(s)
	if len(after) != len(before) {
		t.Errorf("stored members changed:\nbefore %v\nafter  %v", before, after)
	}
	for href, etag := range before {
		if after[href] != etag {
			t.Errorf("%s: ETag %q became %q", href, etag, after[href])
		}
	}
	s.stop()
}

// TestMkcalendar creates calendars with MKCALENDAR and extended MKCOL and
// reads their properties back.
func TestMkcalendar(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "-data", dir+"/data", "-users", writeUsersFile(t, dir))
	mk := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">
 <D:set><D:prop>
  <D:displayname>Work</D:displayname>
  <C:calendar-description>Things for work</C:calendar-description>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  <C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>
  <A:calendar-color>#FF0000</A:calendar-color>
 </D:prop></D:set>
</C:mkcalendar>`
	s.do(alice, "MKCALENDAR", "/alice/calendars/work/", mk).must(t, "MKCALENDAR", http.StatusCreated)
	s.do(alice, "MKCALENDAR", "/alice/calendars/work/", mk).must(t, "MKCALENDAR again", http.StatusMethodNotAllowed)

	mkcol := `<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:set><D:prop>
  <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
  <D:displayname>Tasks</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
 </D:prop></D:set>
</D:mkcol>`
	s.do(alice, "MKCOL", "/alice/calendars/tasks", mkcol).must(t, "extended MKCOL", http.StatusCreated)

	// Unknown properties fail the whole request, with a report.
	bad := strings.Replace(mk, "<D:displayname>Work</D:displayname>", "<D:displayname>X</D:displayname><X:unknown xmlns:X=\"urn:x\"/>", 1)
	res := s.do(alice, "MKCALENDAR", "/alice/calendars/other/", bad).must(t, "MKCALENDAR with an unknown property", http.StatusForbidden)
	if !strings.Contains(res.body, "403 Forbidden") || !strings.Contains(res.body, "424 Failed Dependency") {
		t.Errorf("property failure report:\n%s", res.body)
	}
	s.do(alice, "PROPFIND", "/alice/calendars/other/", "", "Depth", "0").must(t, "PROPFIND of the refused calendar", http.StatusNotFound)

	props := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:displayname/><C:calendar-description/><C:supported-calendar-component-set/><C:schedule-calendar-transp/></D:prop></D:propfind>`
	var ms struct {
		Responses []struct {
			Href        string `xml:"href"`
			DisplayName string `xml:"propstat>prop>displayname"`
			Description string `xml:"propstat>prop>calendar-description"`
			Comps       []struct {
				Name string `xml:"name,attr"`
			} `xml:"propstat>prop>supported-calendar-component-set>comp"`
			Transp struct {
				Transparent *struct{} `xml:"transparent"`
				Opaque      *struct{} `xml:"opaque"`
			} `xml:"propstat>prop>schedule-calendar-transp"`
		} `xml:"response"`
	}
	res = s.do(alice, "PROPFIND", "/alice/calendars/", props, "Depth", "1").must(t, "PROPFIND home", http.StatusMultiStatus)
	if err := xml.Unmarshal([]byte(res.body), &ms); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, r := range ms.Responses {
		switch r.Href {
		case "/alice/calendars/work/":
			found[r.Href] = true
			if r.DisplayName != "Work" || r.Description != "Things for work" || len(r.Comps) != 1 || r.Comps[0].Name != "VEVENT" || r.Transp.Transparent == nil {
				t.Errorf("work calendar: %+v", r)
			}
		case "/alice/calendars/tasks/":
			found[r.Href] = true
			if r.DisplayName != "Tasks" || len(r.Comps) != 1 || r.Comps[0].Name != "VTODO" || r.Transp.Opaque == nil {
				t.Errorf("tasks calendar: %+v", r)
			}
		}
	}
	if len(found) != 2 {
		t.Fatalf("created calendars not listed:\n%s", res.body)
	}
	s.stop()
}
