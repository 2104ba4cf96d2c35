package schedule

import (
	"context"
	"strings"
	"testing"
)

// TestClientHabit covers what real clients write that a literal reading
// of the RFCs would mishandle.
func TestClientHabit(t *testing.T) {
	const org = "/cyrus/calendars/default/m.ics"
	clientAgent := func(body string) string {
		return strings.Replace(body, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:wilfredo@example.com",
			"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:wilfredo@example.com", 1)
	}

	t.Run("thunderbird/rfc-default", func(t *testing.T) {
		// SCHEDULE-AGENT=CLIENT left by Thunderbird: the server sends
		// nothing to that attendee (RFC 6638 §7.1).
		e := newEnv(t, nil, cyrus, wilfredo)
		e.do("cyrus", "PUT", org, clientAgent(invite("m1", "cyrus@example.com", "wilfredo@example.com"))).must(t, 201)
		if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err == nil || len(e.inbox("/wilfredo/")) != 0 {
			t.Error("the server scheduled a CLIENT attendee")
		}
		if _, data := e.object(org); !strings.Contains(propLine(data, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-AGENT=CLIENT") {
			t.Errorf("SCHEDULE-AGENT lost:\n%s", data)
		}
	})

	t.Run("thunderbird/client-as-server", func(t *testing.T) {
		// With the option, CLIENT on a local attendee counts as SERVER;
		// a remote attendee keeps CLIENT (Thunderbird e-mailed them).
		remote := &recordingDeliverer{}
		e := newEnv(t, &Options{ClientAgentAsServer: true, Deliverers: []Deliverer{remote}}, cyrus, wilfredo)
		body := clientAgent(invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net"))
		body = strings.Replace(body, "RSVP=TRUE:mailto:bernard@example.net", "RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:bernard@example.net", 1)
		e.do("cyrus", "PUT", org, body).must(t, 201)
		if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "SUMMARY:Meeting") {
			t.Errorf("copy:\n%s", data)
		}
		if m := remote.methods(); len(m) != 0 {
			t.Errorf("a remote CLIENT attendee was scheduled: %v", m)
		}
		_, data := e.object(org)
		if strings.Contains(propLine(data, "ATTENDEE", "wilfredo@example.com"), "SCHEDULE-AGENT") ||
			!strings.Contains(propLine(data, "ATTENDEE", "bernard@example.net"), "SCHEDULE-AGENT=CLIENT") {
			t.Errorf("stored:\n%s", data)
		}
		// A later edit from another client (which keeps what was stored)
		// reaches Wilfredo.
		e.do("cyrus", "PUT", org, crlf(strings.Replace(data, "SUMMARY:Meeting", "SUMMARY:Later", 1))).must(t, 204)
		if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "SUMMARY:Later") {
			t.Errorf("later edit did not reach the attendee:\n%s", data)
		}
	})

	t.Run("thunderbird/client-organizer-as-server", func(t *testing.T) {
		// An attendee's client marks the (local) ORGANIZER CLIENT: with
		// the option the server still replies.
		e := newEnv(t, &Options{ClientAgentAsServer: true}, cyrus, wilfredo)
		e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
		obj, data := e.copyOf("/wilfredo/", "m1")
		data = strings.Replace(acceptAs(data, "wilfredo@example.com"), "ORGANIZER:mailto:cyrus@example.com", "ORGANIZER;SCHEDULE-AGENT=CLIENT:mailto:cyrus@example.com", 1)
		e.do("wilfredo", "PUT", obj.Path, data).must(t, 204)
		_, orgData := e.object(org)
		if scheduleParam(propLine(orgData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
			t.Errorf("no REPLY:\n%s", orgData)
		}
	})

	for _, c := range []struct{ name, form string }{{"login", "cyrus"}, {"principal-path", "/cyrus/"}, {"principal-url", "SERVER/cyrus/"}} {
		form := c.form
		t.Run("davx5/organizer-as-"+c.name, func(t *testing.T) {
			// ORGANIZER written as the login name or the principal URL.
			e := newEnv(t, nil, cyrus, wilfredo)
			v := strings.Replace(form, "SERVER", e.srv.URL, 1)
			body := strings.Replace(invite("m1", "cyrus@example.com", "wilfredo@example.com"), "ORGANIZER:mailto:cyrus@example.com", "ORGANIZER:"+v, 1)
			body = strings.Replace(body, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:"+v, 1)
			e.do("cyrus", "PUT", org, body).must(t, 201)
			_, copyData := e.copyOf("/wilfredo/", "m1")
			if !strings.Contains(copyData, "ORGANIZER:mailto:cyrus@example.com") {
				t.Errorf("copy:\n%s", copyData)
			}
			_, data := e.object(org)
			if strings.Count(data, "ATTENDEE") != 2 || propLine(data, "ATTENDEE", "mailto:cyrus@example.com") == "" {
				t.Errorf("stored:\n%s", data)
			}
		})
	}

	t.Run("davx5/attendee-principal-url", func(t *testing.T) {
		// Another local user picked from the directory by principal URL.
		e := newEnv(t, nil, cyrus, wilfredo)
		body := strings.Replace(invite("m1", "cyrus@example.com", "wilfredo@example.com"), ":mailto:wilfredo@example.com", ":"+e.srv.URL+"/wilfredo/", 1)
		e.do("cyrus", "PUT", org, body).must(t, 201)
		e.copyOf("/wilfredo/", "m1")
		// A principal URL on another host is not ours to resolve.
		body = strings.Replace(invite("m2", "cyrus@example.com", "wilfredo@example.com"), ":mailto:wilfredo@example.com", ":https://elsewhere.example/wilfredo/", 1)
		e.do("cyrus", "PUT", "/cyrus/calendars/default/m2.ics", body).must(t, 201)
		if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m2"); err == nil {
			t.Error("a foreign URL was taken for a local user")
		}
	})

	t.Run("evolution/reaccept-if-none-match", func(t *testing.T) {
		// Evolution accepts from the e-mail invitation by creating the
		// resource at the URL the server already used, If-None-Match: *.
		e := newEnv(t, nil, cyrus, wilfredo, bernard)
		e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")).must(t, 201)
		bObj, _ := e.copyOf("/bernard/", "m1")
		e.do("bernard", "PUT", bObj.Path, acceptAs(unfold(string(mustObj(t, e, bObj.Path))), "bernard@example.net")).must(t, 204)
		wObj, _ := e.copyOf("/wilfredo/", "m1")
		fromMail := acceptAs(unfold(invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")), "wilfredo@example.com")
		e.do("wilfredo", "PUT", wObj.Path, fromMail, "If-None-Match", "*").must(t, 204)
		_, orgData := e.object(org)
		if scheduleParam(propLine(orgData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" {
			t.Errorf("no REPLY:\n%s", orgData)
		}
		// Bernard's acceptance, newer than the mail, is kept.
		if _, w := e.copyOf("/wilfredo/", "m1"); scheduleParam(propLine(w, "ATTENDEE", "bernard@example.net"), "PARTSTAT") != "ACCEPTED" {
			t.Errorf("stale status from the mail overwrote the copy:\n%s", w)
		}
		// An acceptance of an outdated invitation (the organizer moved
		// the meeting since) stays a failed If-None-Match.
		cur, curData := e.object(org)
		e.do("cyrus", "PUT", org, crlf(strings.Replace(curData, "SUMMARY:Meeting", "SUMMARY:Changed", 1)), "If-Match", `"`+cur.ETag+`"`).must(t, 204)
		e.do("wilfredo", "PUT", wObj.Path, acceptAs(unfold(invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")), "wilfredo@example.com"), "If-None-Match", "*").must(t, 412)
		// If-None-Match still protects everything else: the organizer's
		// own resource, a plain object.
		e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com"), "If-None-Match", "*").must(t, 412)
		e.do("wilfredo", "PUT", "/wilfredo/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
		e.do("wilfredo", "PUT", "/wilfredo/calendars/default/p.ics", busyEvent("p1", "20090610T160000Z", "20090610T170000Z"), "If-None-Match", "*").must(t, 412)
	})

	t.Run("python-caldav/sequence-bump-on-accept", func(t *testing.T) {
		// python-caldav's accept increments SEQUENCE: an attendee cannot
		// change it, and it is not an organizer change (itip keeps the
		// stored SEQUENCE for attendee writes).
		e := newEnv(t, nil, cyrus, wilfredo)
		e.do("cyrus", "PUT", org, invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
		obj, data := e.copyOf("/wilfredo/", "m1")
		seq := "SEQUENCE:0"
		if i := strings.Index(data, "SEQUENCE:"); i >= 0 {
			seq = data[i : i+strings.IndexByte(data[i:], '\n')]
		}
		bumped := strings.Replace(data, seq+"\n", "", 1)
		bumped = strings.Replace(bumped, "UID:m1\n", "UID:m1\nSEQUENCE:7\n", 1)
		e.do("wilfredo", "PUT", obj.Path, acceptAs(bumped, "wilfredo@example.com")).must(t, 204)
		_, stored := e.copyOf("/wilfredo/", "m1")
		if strings.Contains(stored, "SEQUENCE:7") {
			t.Errorf("the attendee's SEQUENCE was stored:\n%s", stored)
		}
		_, orgData := e.object(org)
		if scheduleParam(propLine(orgData, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT") != "ACCEPTED" || strings.Contains(orgData, "SEQUENCE:7") {
			t.Errorf("organizer copy:\n%s", orgData)
		}
	})

	t.Run("mailto-upper-case", func(t *testing.T) {
		// MAILTO: and a different case of the address name one attendee.
		e := newEnv(t, nil, cyrus, wilfredo)
		upper := strings.Replace(invite("m1", "cyrus@example.com", "wilfredo@example.com"), "mailto:wilfredo@example.com", "MAILTO:Wilfredo@Example.COM", 1)
		dup := strings.Replace(upper, "END:VEVENT", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:wilfredo@example.com\r\nEND:VEVENT", 1)
		e.do("cyrus", "PUT", org, dup).must(t, 201)
		_, data := e.object(org)
		if n := strings.Count(strings.ToLower(data), "wilfredo@example.com"); n != 1 {
			t.Fatalf("%d ATTENDEE lines for Wilfredo:\n%s", n, data)
		}
		obj, copyData := e.copyOf("/wilfredo/", "m1")
		line := propLine(copyData, "ATTENDEE", "wilfredo@example.com")
		copyData = strings.Replace(copyData, line, strings.Replace(line, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1), 1)
		e.do("wilfredo", "PUT", obj.Path, crlf(copyData)).must(t, 204)
		_, data = e.object(org)
		if n := strings.Count(strings.ToLower(data), "wilfredo@example.com"); n != 1 || !strings.Contains(data, "PARTSTAT=ACCEPTED") {
			t.Errorf("after the reply:\n%s", data)
		}
		// The organizer re-saves with lower case: no CANCEL, no new
		// invitation.
		before := len(e.inbox("/wilfredo/"))
		e.do("cyrus", "PUT", org, crlf(strings.ReplaceAll(data, "MAILTO:Wilfredo@Example.COM", "mailto:wilfredo@example.com"))).must(t, 204)
		if _, w := e.copyOf("/wilfredo/", "m1"); strings.Contains(w, "STATUS:CANCELLED") || len(e.inbox("/wilfredo/")) != before {
			t.Errorf("case change rescheduled the attendee:\n%s", w)
		}
	})
}

// mustObj returns the stored bytes at path.
func mustObj(t *testing.T, e *env, path string) []byte {
	t.Helper()
	obj, _ := e.object(path)
	return obj.Data
}
