package schedule

import (
	"context"
	"strings"
	"testing"
)

// TestAttendeeDelegates runs RFC 5546 §4.2.5 between local users: Cyrus
// invites Wilfredo, who delegates to Bernard by writing his copy with
// PARTSTAT=DELEGATED and Bernard added DELEGATED-FROM him. Cyrus's copy
// then lists Bernard, Bernard gets the invitation, and his acceptance
// reaches Cyrus. Adding someone who is not a delegate stays forbidden.
func TestAttendeeDelegates(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	const org = "/cyrus/calendars/default/d.ics"
	const wAddr, bAddr = "wilfredo@example.com", "bernard@example.net"
	e.do("cyrus", "PUT", org, invite("d1", "cyrus@example.com", wAddr)).must(t, 201)
	wObj, wData := e.copyOf("/wilfredo/", "d1")

	// Adding Bernard as an ordinary attendee is not his to do.
	line := propLine(wData, "ATTENDEE", wAddr)
	crasher := strings.Replace(wData, line, line+"\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:"+bAddr, 1)
	e.do("wilfredo", "PUT", wObj.Path, crlf(crasher)).must(t, 403)

	delegated := strings.Replace(wData, line,
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:`+bAddr+`":mailto:`+wAddr+"\n"+
			`ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;DELEGATED-FROM="mailto:`+wAddr+`":mailto:`+bAddr, 1)
	e.do("wilfredo", "PUT", wObj.Path, crlf(delegated), "If-Match", `"`+wObj.ETag+`"`).must(t, 204)

	_, orgData := e.object(org)
	if got := scheduleParam(propLine(orgData, "ATTENDEE", wAddr), "PARTSTAT"); got != "DELEGATED" {
		t.Errorf("organizer's copy: Wilfredo %s, want DELEGATED\n%s", got, orgData)
	}
	if l := propLine(orgData, "ATTENDEE", bAddr); !strings.Contains(l, "DELEGATED-FROM") {
		t.Fatalf("organizer's copy does not list the delegate: %q\n%s", l, orgData)
	}
	_, wStored := e.copyOf("/wilfredo/", "d1")
	if got := scheduleParam(propLine(wStored, "ATTENDEE", bAddr), "SCHEDULE-STATUS"); got != string(StatusDelivered) {
		t.Errorf("delegator's copy: delegate SCHEDULE-STATUS %q, want %s\n%s", got, StatusDelivered, wStored)
	}
	bObj, bData := e.copyOf("/bernard/", "d1")
	if !strings.Contains(bData, "ORGANIZER:mailto:cyrus@example.com") {
		t.Fatalf("delegate's copy:\n%s", bData)
	}
	invites := 0
	for _, it := range e.inbox("/bernard/") {
		if strings.Contains(string(it.Data), "METHOD:REQUEST") {
			invites++
		}
	}
	if invites == 0 {
		t.Error("no invitation in the delegate's inbox")
	}

	// Wilfredo makes up an event "organized" by Cyrus and delegates it to
	// Bernard: Cyrus has no such event, so nothing reaches Bernard.
	fake := invite("fake1", "cyrus@example.com", wAddr)
	fake = strings.Replace(fake, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"+wAddr,
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:`+bAddr+`":mailto:`+wAddr+"\r\n"+
			`ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;DELEGATED-FROM="mailto:`+wAddr+`":mailto:`+bAddr, 1)
	e.do("wilfredo", "PUT", "/wilfredo/calendars/default/fake.ics", fake).must(t, 201)
	if _, err := e.store.ObjectByUID(context.Background(), "/bernard/", "fake1"); err == nil {
		t.Error("a delegator's made-up event reached the delegate")
	}

	// Bernard accepts: the organizer's copy records it.
	e.do("bernard", "PUT", bObj.Path, acceptAs(bData, bAddr), "If-Match", `"`+bObj.ETag+`"`).must(t, 204)
	_, orgData = e.object(org)
	if got := scheduleParam(propLine(orgData, "ATTENDEE", bAddr), "PARTSTAT"); got != "ACCEPTED" {
		t.Errorf("organizer's copy after the delegate accepted: %s\n%s", got, orgData)
	}
}
