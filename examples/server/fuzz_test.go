package main

import (
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// FuzzCheckXML: the XML guard never panics, and a document it accepts is
// refused once a DOCTYPE is put in front.
func FuzzCheckXML(f *testing.F) {
	f.Add([]byte(entityBomb))
	f.Add([]byte(`<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`))
	f.Add([]byte(`<a><![CDATA[<!DOCTYPE]]><!-- x --></a>`))
	f.Add([]byte(`<a>&amp;&#x41;&undefined;</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkXML(data) != nil {
			return
		}
		withDoctype := append([]byte(`<!DOCTYPE x [<!ENTITY e "e">]>`), data...)
		if err := checkXML(withDoctype); !errors.Is(err, errXMLDirective) {
			t.Fatalf("DOCTYPE in front of an accepted document: %v", err)
		}
	})
}

// FuzzMkcalendar: parsing and applying an MKCALENDAR or extended MKCOL body
// never panics, and a success yields a calendar with valid components.
func FuzzMkcalendar(f *testing.F) {
	f.Add("MKCALENDAR", []byte(`<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>W</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set><C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>`))
	f.Add("MKCOL", []byte(`<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>`))
	f.Add("MKCOL", []byte(`<D:mkcol xmlns:D="DAV:"><D:set><D:prop><x xmlns=""/></D:prop></D:set></D:mkcol>`))
	f.Fuzz(func(t *testing.T, method string, body []byte) {
		req, err := parseMkcalendar(method, body)
		if err != nil {
			return
		}
		cal := &backend.Calendar{}
		failed, _ := applyProps(cal, req, method == "MKCOL")
		if len(failed) > 0 {
			return
		}
		for _, c := range cal.SupportedComponents {
			if !creatableComponents[c] {
				t.Fatalf("accepted component %q", c)
			}
		}
	})
}

// FuzzParseUsers: the users file parser never panics, and accepted users
// have valid names and principals.
func FuzzParseUsers(f *testing.F) {
	f.Add([]byte(`[{"username":"alice","password":"x","name":"Alice","addresses":["mailto:alice@example.org"],"type":"INDIVIDUAL"}]`))
	f.Add([]byte(`[{"username":"a","password":"$2a$10$abcdefghijklmnopqrstuuJ6v8b0k6Qk8b5G5o5H3b1nZb8E2vY6e","addresses":["a@x"]}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := parseUsers(data)
		if err != nil {
			return
		}
		for i := range users {
			if err := backend.CheckPrincipal(users[i].principal()); err != nil {
				t.Fatalf("accepted user %+v: %v", users[i], err)
			}
		}
	})
}
