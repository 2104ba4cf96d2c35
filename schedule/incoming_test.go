package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// externalRequest is an external organizer's REQUEST (or CANCEL, with
// method) as an iMIP mail carries it.
func externalRequest(t testing.TB, method, uid string, seq int, stamp, summary, organizer string, attendees ...string) *itip.Message {
	t.Helper()
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//remote//EN", "METHOD:" + method, "BEGIN:VEVENT",
		"UID:" + uid, fmt.Sprintf("SEQUENCE:%d", seq), "DTSTAMP:" + stamp,
		"DTSTART:20090610T160000Z", "DTEND:20090610T170000Z", "SUMMARY:" + summary,
		"ORGANIZER:mailto:" + organizer, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + organizer}
	for _, a := range attendees {
		lines = append(lines, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"+a)
	}
	if method == itip.MethodCancel {
		lines = append(lines, "STATUS:CANCELLED")
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	return mustDecodeMessage(t, icsText(lines...))
}

// externalReply is an external attendee's REPLY; organizer "" leaves
// ORGANIZER out as Outlook does (then the message names recipients).
func externalReply(t testing.TB, uid, stamp, organizer, attendee, partstat string, recipients ...string) *itip.Message {
	t.Helper()
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//remote//EN", "METHOD:REPLY", "BEGIN:VEVENT",
		"UID:" + uid, "SEQUENCE:0", "DTSTAMP:" + stamp, "DTSTART:20090610T160000Z",
		"ATTENDEE;PARTSTAT=" + partstat + ":mailto:" + attendee, "REQUEST-STATUS:2.0;Success"}
	if organizer != "" {
		lines = append(lines, "ORGANIZER:mailto:"+organizer)
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	data := icsText(lines...)
	if organizer != "" {
		return mustDecodeMessage(t, data)
	}
	// An ORGANIZER-less reply is no valid iTIP message on its own: the
	// receiver (imip.Receiver) addresses it to the mail's recipients.
	withOrg := mustDecodeMessage(t, strings.Replace(data, "END:VEVENT", "ORGANIZER:mailto:"+strings.TrimPrefix(recipients[0], "mailto:")+"\r\nEND:VEVENT", 1))
	plain := mustDecodeMessage(t, strings.Replace(data, "END:VEVENT", "ORGANIZER:mailto:x@example.invalid\r\nEND:VEVENT", 1))
	cal := plain.Calendar
	for _, c := range cal.Children {
		delete(c.Props, "ORGANIZER")
	}
	return &itip.Message{Method: withOrg.Method, Originator: withOrg.Originator, Recipients: recipients, Calendar: cal}
}

func mustDecodeMessage(t testing.TB, data string) *itip.Message {
	t.Helper()
	m, err := itip.DecodeMessage([]byte(data))
	if err != nil {
		t.Fatalf("DecodeMessage: %v\n%s", err, data)
	}
	return m
}

// processIncoming runs ProcessIncoming and fails on a whole-call error.
func (e *env) processIncoming(originator string, recipients []string, msg *itip.Message) map[string]Status {
	e.t.Helper()
	st, err := e.h.ProcessIncoming(context.Background(), originator, recipients, msg)
	if err != nil {
		e.t.Fatalf("ProcessIncoming: %v", err)
	}
	return st
}

// wantStatuses compares statuses with want.
func wantStatuses(t testing.TB, got map[string]Status, want map[string]Status) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("statuses %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("statuses %v, want %v", got, want)
			return
		}
	}
}

func TestProcessIncomingRequestFromExternalOrganizer(t *testing.T) {
	mail := &recordingDeliverer{} // example.net is reached by e-mail
	e := newEnv(t, &Options{Deliverers: []Deliverer{mail}}, cyrus, wilfredo)
	const olga = "olga@remote.example"
	inv := externalRequest(t, itip.MethodRequest, "ext-1", 0, "20090601T100000Z", "Planning", olga,
		"cyrus@example.com", "wilfredo@example.com", "nobody@example.com", "bernard@example.net")
	st := e.processIncoming("mailto:"+olga, []string{"mailto:cyrus@example.com", "MAILTO:Wilfredo@Example.COM", "mailto:nobody@example.com", "mailto:bernard@example.net"}, inv)
	wantStatuses(t, st, map[string]Status{
		"mailto:cyrus@example.com":    StatusDelivered,
		"mailto:wilfredo@example.com": StatusDelivered,
		"mailto:nobody@example.com":   StatusInvalidUser,
		"mailto:bernard@example.net":  StatusInvalidUser, // not hosted: never relayed
	})
	if m := mail.methods(); len(m) != 0 {
		t.Errorf("an incoming message was relayed: %q", m)
	}
	obj, data := e.copyOf("/cyrus/", "ext-1")
	if !strings.HasPrefix(obj.Path, "/cyrus/calendars/default/") || !strings.Contains(data, "ORGANIZER:mailto:"+olga) || !strings.Contains(data, "SUMMARY:Planning") {
		t.Fatalf("copy at %s:\n%s", obj.Path, data)
	}
	if obj.ScheduleTag == "" {
		t.Error("the copy has no Schedule-Tag")
	}
	// The copy is served over CalDAV to its owner, and the inbox item too.
	g := e.do("cyrus", "GET", obj.Path, "").must(t, 200)
	if !strings.Contains(unfold(g.body), "UID:ext-1") {
		t.Errorf("GET of the copy:\n%s", g.body)
	}
	items := e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(string(items[0].Data), "METHOD:REQUEST") {
		t.Fatalf("inbox %+v", items)
	}
	pr, err := e.store.PrincipalByAddress(context.Background(), "mailto:cyrus@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if g := e.do("cyrus", "GET", pr.InboxPath+items[0].Name, "").must(t, 200); !strings.Contains(g.body, "UID:ext-1") {
		t.Errorf("GET of the inbox item:\n%s", g.body)
	}
	if len(e.inbox("/wilfredo/")) != 1 {
		t.Error("wilfredo's inbox")
	}

	// The same mail again (an MTA retry): nothing new in the inbox.
	e.processIncoming("mailto:"+olga, []string{"mailto:cyrus@example.com"}, inv)
	if n := len(e.inbox("/cyrus/")); n != 1 {
		t.Errorf("a repeated REQUEST added to the inbox: %d items", n)
	}

	// An update (SEQUENCE 1) is applied where the copy lives.
	upd := externalRequest(t, itip.MethodRequest, "ext-1", 1, "20090601T110000Z", "Planning v2", olga, "cyrus@example.com", "wilfredo@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+olga, []string{"mailto:cyrus@example.com"}, upd), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	if _, data := e.copyOf("/cyrus/", "ext-1"); !strings.Contains(data, "SUMMARY:Planning v2") {
		t.Fatalf("update not applied:\n%s", data)
	}
	if n := len(e.inbox("/cyrus/")); n != 2 {
		t.Errorf("inbox after the update: %d items", n)
	}

	// A stale REQUEST (lower SEQUENCE) is ignored.
	stale := externalRequest(t, itip.MethodRequest, "ext-1", 0, "20090601T120000Z", "Old", olga, "cyrus@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+olga, []string{"mailto:cyrus@example.com"}, stale), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	before, data := e.copyOf("/cyrus/", "ext-1")
	if strings.Contains(data, "SUMMARY:Old") || len(e.inbox("/cyrus/")) != 2 {
		t.Fatalf("stale REQUEST applied:\n%s", data)
	}

	// Someone else organizing the same UID, or claiming to be Olga, is
	// refused (3.8) and changes nothing.
	const mallory = "mallory@evil.example"
	hijack := externalRequest(t, itip.MethodRequest, "ext-1", 5, "20090601T130000Z", "Hijacked", mallory, "cyrus@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+mallory, []string{"mailto:cyrus@example.com"}, hijack), map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	spoof := externalRequest(t, itip.MethodCancel, "ext-1", 5, "20090601T130000Z", "Planning", olga, "cyrus@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+mallory, []string{"mailto:cyrus@example.com"}, spoof), map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	if after, _ := e.copyOf("/cyrus/", "ext-1"); after.ETag != before.ETag || len(e.inbox("/cyrus/")) != 2 {
		t.Fatal("a refused message changed the copy or the inbox")
	}

	// Olga cancels.
	cancel := externalRequest(t, itip.MethodCancel, "ext-1", 2, "20090601T140000Z", "Planning v2", olga, "cyrus@example.com", "wilfredo@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+olga, []string{"mailto:cyrus@example.com"}, cancel), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	if _, data := e.copyOf("/cyrus/", "ext-1"); !strings.Contains(data, "STATUS:CANCELLED") {
		t.Errorf("CANCEL not applied:\n%s", data)
	}
	if n := len(e.inbox("/cyrus/")); n != 3 {
		t.Errorf("inbox after the CANCEL: %d items", n)
	}
}

func TestProcessIncomingReplyFromExternalAttendee(t *testing.T) {
	mail := &recordingDeliverer{} // example.net is reached by e-mail
	e := newEnv(t, &Options{Deliverers: []Deliverer{mail}}, cyrus, wilfredo)
	const bernardAddr, mike = "bernard@example.net", "mike@example.net"
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", bernardAddr, mike)).must(t, 201)
	invites := len(mail.methods())

	rep := externalReply(t, "m1", "20090603T100000Z", "cyrus@example.com", bernardAddr, "ACCEPTED")
	st := e.processIncoming("mailto:"+bernardAddr, []string{"mailto:cyrus@example.com"}, rep)
	wantStatuses(t, st, map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	_, org := e.object("/cyrus/calendars/default/m.ics")
	line := propLine(org, "ATTENDEE", bernardAddr)
	if scheduleParam(line, "PARTSTAT") != "ACCEPTED" || scheduleParam(line, "SCHEDULE-STATUS") != "2.0" {
		t.Fatalf("organizer's copy: %q", line)
	}
	g := e.do("cyrus", "GET", "/cyrus/calendars/default/m.ics", "").must(t, 200)
	if scheduleParam(propLine(unfold(g.body), "ATTENDEE", bernardAddr), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("GET of the organizer's copy:\n%s", g.body)
	}
	items := e.inbox("/cyrus/")
	if len(items) != 1 || !strings.Contains(string(items[0].Data), "METHOD:REPLY") {
		t.Fatalf("organizer's inbox %+v", items)
	}
	// §4.2: the other attendees learn of it, local and remote alike.
	if _, w := e.copyOf("/wilfredo/", "m1"); scheduleParam(propLine(w, "ATTENDEE", bernardAddr), "PARTSTAT") != "ACCEPTED" {
		t.Errorf("wilfredo's copy not refreshed:\n%s", w)
	}
	refreshes := mail.methods()[invites:]
	if len(refreshes) != 1 || refreshes[0] != "REQUEST mailto:"+mike {
		t.Errorf("refreshes sent by mail: %q", refreshes)
	}

	// Bernard lost the event and asks for it (REFRESH): the organizer's
	// server mails him the current REQUEST; the copy stays as it is.
	refresh := mustDecodeMessage(t, icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//remote//EN", "METHOD:REFRESH",
		"BEGIN:VEVENT", "UID:m1", "DTSTAMP:20090603T103000Z", "ORGANIZER:mailto:cyrus@example.com",
		"ATTENDEE:mailto:"+bernardAddr, "END:VEVENT", "END:VCALENDAR"))
	sent := len(mail.methods())
	wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, []string{"mailto:cyrus@example.com"}, refresh), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	if got := mail.methods()[sent:]; len(got) != 1 || got[0] != "REQUEST mailto:"+bernardAddr {
		t.Errorf("answer to the REFRESH: %q", got)
	}

	// Outlook's REPLY without ORGANIZER, a later one.
	outlook := externalReply(t, "m1", "20090603T110000Z", "", bernardAddr, "DECLINED", "mailto:cyrus@example.com")
	wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, []string{"mailto:cyrus@example.com"}, outlook), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	before, org := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(org, "ATTENDEE", bernardAddr), "PARTSTAT"); got != "DECLINED" {
		t.Fatalf("ORGANIZER-less REPLY: PARTSTAT %q\n%s", got, org)
	}

	// A REPLY from someone who is not an attendee, or one sent by someone
	// else than its ATTENDEE, is refused and changes nothing.
	const mallory = "mallory@example.net"
	crash := externalReply(t, "m1", "20090603T120000Z", "cyrus@example.com", mallory, "ACCEPTED")
	wantStatuses(t, e.processIncoming("mailto:"+mallory, []string{"mailto:cyrus@example.com"}, crash), map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	forged := externalReply(t, "m1", "20090603T120000Z", "cyrus@example.com", bernardAddr, "ACCEPTED")
	wantStatuses(t, e.processIncoming("mailto:"+mallory, []string{"mailto:cyrus@example.com"}, forged), map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	// A REPLY sent to an attendee instead of the organizer.
	wrong := externalReply(t, "m1", "20090603T120000Z", "cyrus@example.com", bernardAddr, "ACCEPTED")
	wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, []string{"mailto:wilfredo@example.com"}, wrong), map[string]Status{"mailto:wilfredo@example.com": StatusRejected})
	if after, _ := e.object("/cyrus/calendars/default/m.ics"); after.ETag != before.ETag {
		t.Error("a refused REPLY changed the organizer's copy")
	}
	if n := len(e.inbox("/cyrus/")); n != 2 {
		t.Errorf("organizer's inbox: %d items, want 2", n)
	}
}

// actorPolicy records the actors it is asked about and refuses those
// without a principal (mail from outside).
type actorPolicy struct {
	mu     sync.Mutex
	actors []string
}

func (p *actorPolicy) Privileges(ctx context.Context, actor, owner string, c privilege.Collection) (privilege.Privilege, error) {
	p.mu.Lock()
	p.actors = append(p.actors, actor)
	p.mu.Unlock()
	if !strings.HasPrefix(actor, "/") {
		return privilege.None, nil
	}
	return privilege.Default{}.Privileges(ctx, actor, owner, c)
}

func TestProcessIncomingAsksThePolicy(t *testing.T) {
	policy := &actorPolicy{}
	e := newEnv(t, &Options{Policy: policy}, cyrus)
	inv := externalRequest(t, itip.MethodRequest, "ext-2", 0, "20090601T100000Z", "Planning", "olga@remote.example", "cyrus@example.com")
	st := e.processIncoming("MAILTO:Olga@Remote.Example", []string{"mailto:cyrus@example.com"}, inv)
	wantStatuses(t, st, map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	if len(policy.actors) != 1 || policy.actors[0] != "mailto:olga@remote.example" {
		t.Errorf("policy asked about %q", policy.actors)
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/cyrus/", "ext-2"); err == nil || len(e.inbox("/cyrus/")) != 0 {
		t.Error("a refused invitation was delivered")
	}
}

func TestProcessIncomingBadCalls(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	inv := externalRequest(t, itip.MethodRequest, "ext-3", 0, "20090601T100000Z", "Planning", "olga@remote.example", "cyrus@example.com")
	ctx := context.Background()
	if _, err := e.h.ProcessIncoming(ctx, "mailto:olga@remote.example", []string{"mailto:cyrus@example.com"}, nil); !errors.Is(err, itip.ValidSchedulingMessage) {
		t.Errorf("nil message: %v", err)
	}
	if _, err := e.h.ProcessIncoming(ctx, " ", []string{"mailto:cyrus@example.com"}, inv); !errors.Is(err, itip.ValidOrganizer) {
		t.Errorf("no originator: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.h.ProcessIncoming(canceled, "mailto:olga@remote.example", []string{"mailto:cyrus@example.com"}, inv); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
	if st, err := e.h.ProcessIncoming(ctx, "mailto:olga@remote.example", nil, inv); err != nil || len(st) != 0 {
		t.Errorf("no recipients: %v %v", st, err)
	}
	// A recipient the message does not invite.
	wantStatuses(t, e.processIncoming("mailto:olga@remote.example", []string{"mailto:cyrus@example.com", "mailto:cyrus@example.com"},
		externalRequest(t, itip.MethodRequest, "ext-4", 0, "20090601T100000Z", "x", "olga@remote.example", "someone@remote.example")),
		map[string]Status{"mailto:cyrus@example.com": StatusRejected})
	if len(e.inbox("/cyrus/")) != 0 {
		t.Error("something was delivered")
	}
}

// TestProcessIncomingConcurrentReplies has 40 external attendees answer
// by mail at once: every answer ends up in the organizer's copy.
func TestProcessIncomingConcurrentReplies(t *testing.T) {
	const n = 40
	mail := &recordingDeliverer{}
	e := newEnv(t, &Options{Deliverers: []Deliverer{mail}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, cyrus)
	var atts []string
	for i := 0; i < n; i++ {
		atts = append(atts, fmt.Sprintf("x%02d@example.net", i))
	}
	e.do("cyrus", "PUT", "/cyrus/calendars/default/c.ics", invite("c1", "cyrus@example.com", atts...)).must(t, 201)
	var wg sync.WaitGroup
	for i, a := range atts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep := externalReply(t, "c1", fmt.Sprintf("20090603T10%02d00Z", i), "cyrus@example.com", a, "ACCEPTED")
			st, err := e.h.ProcessIncoming(context.Background(), "mailto:"+a, []string{"mailto:cyrus@example.com"}, rep)
			if err != nil || st["mailto:cyrus@example.com"] != StatusDelivered {
				t.Errorf("%s: %v %v", a, st, err)
			}
		}()
	}
	wg.Wait()
	_, org := e.object("/cyrus/calendars/default/c.ics")
	for _, a := range atts {
		if got := scheduleParam(propLine(org, "ATTENDEE", a), "PARTSTAT"); got != "ACCEPTED" {
			t.Errorf("%s: PARTSTAT %q", a, got)
		}
	}
	if got := len(e.inbox("/cyrus/")); got != n {
		t.Errorf("inbox: %d replies, want %d", got, n)
	}
}

// TestProcessIncomingDataTheStoreRefuses: an invitation whose copy the
// store cannot take (a TZID without VTIMEZONE, found by fuzzing) is a
// permanent refusal (5.3), not a temporary failure the sender would retry.
func TestProcessIncomingDataTheStoreRefuses(t *testing.T) {
	e := newEnv(t, &Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, cyrus)
	inv := externalRequest(t, itip.MethodRequest, "ext-5", 0, "20090601T100000Z", "Planning", "olga@remote.example", "cyrus@example.com")
	dtend := inv.Calendar.Children[0].Props.Get("DTEND")
	dtend.Params.Set("TZID", "Nowhere/Land")
	dtend.Value = "20090610T170000"
	wantStatuses(t, e.processIncoming("mailto:olga@remote.example", []string{"mailto:cyrus@example.com"}, inv),
		map[string]Status{"mailto:cyrus@example.com": StatusRejected})
	if _, err := e.store.ObjectByUID(context.Background(), "/cyrus/", "ext-5"); err == nil || len(e.inbox("/cyrus/")) != 0 {
		t.Error("the refused invitation was delivered")
	}
}

// TestProcessIncomingFromLocalUserRefused: mail claiming to come from a
// user the store hosts changes nothing of their objects or others'.
func TestProcessIncomingFromLocalUserRefused(t *testing.T) {
	e := newEnv(t, &Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	before, _ := e.object("/cyrus/calendars/default/m.ics")
	copyBefore, _ := e.copyOf("/wilfredo/", "m1")
	forged := externalRequest(t, itip.MethodRequest, "m1", 3, "20090601T100000Z", "Moved", "cyrus@example.com", "wilfredo@example.com")
	wantStatuses(t, e.processIncoming("mailto:cyrus@example.com", []string{"mailto:wilfredo@example.com"}, forged),
		map[string]Status{"mailto:wilfredo@example.com": StatusNoPrivilege})
	// The same through an external SENT-BY.
	forged.Calendar.Children[0].Props.Get("ORGANIZER").Params.Set("SENT-BY", "mailto:assistant@remote.example")
	wantStatuses(t, e.processIncoming("mailto:assistant@remote.example", []string{"mailto:wilfredo@example.com"}, forged),
		map[string]Status{"mailto:wilfredo@example.com": StatusNoPrivilege})
	reply := externalReply(t, "m1", "20090603T100000Z", "cyrus@example.com", "wilfredo@example.com", "DECLINED")
	wantStatuses(t, e.processIncoming("MAILTO:Wilfredo@example.com", []string{"mailto:cyrus@example.com"}, reply),
		map[string]Status{"mailto:cyrus@example.com": StatusNoPrivilege})
	after, _ := e.object("/cyrus/calendars/default/m.ics")
	copyAfter, _ := e.copyOf("/wilfredo/", "m1")
	if after.ETag != before.ETag || copyAfter.ETag != copyBefore.ETag {
		t.Error("mail from a local address changed a copy")
	}
}

// lookupFailure is a store whose principal lookups fail.
type lookupFailure struct{ backend.Store }

func (lookupFailure) PrincipalByAddress(context.Context, string) (*backend.Principal, error) {
	return nil, errors.New("directory down")
}

// TestProcessIncomingLookupFailure: when the originator cannot be looked
// up the whole call fails (the MTA is told to try again).
func TestProcessIncomingLookupFailure(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	h := New(http.NotFoundHandler(), lookupFailure{e.store}, nil)
	inv := externalRequest(t, itip.MethodRequest, "ext-6", 0, "20090601T100000Z", "Planning", "olga@remote.example", "cyrus@example.com")
	if st, err := h.ProcessIncoming(context.Background(), "mailto:olga@remote.example", []string{"mailto:cyrus@example.com"}, inv); err == nil {
		t.Errorf("no error, statuses %v", st)
	}
}

// TestProcessIncomingReplyWithDurableQueue: with Options.Queue, an
// external attendee's mailed REPLY makes the organizer's server queue the
// refresh for the other remote attendee; the REPLY itself goes nowhere.
func TestProcessIncomingReplyWithDurableQueue(t *testing.T) {
	qe := newQueueEnv(t, cyrus, wilfredo)
	const path, zed = "/cyrus/calendars/default/m.ics", "zed@elsewhere.example"
	qe.do("cyrus", "PUT", path, invite("m1", "cyrus@example.com", "wilfredo@example.com", erin, zed)).must(t, 201)
	qe.process()
	before := len(qe.sender.sent())
	rep := externalReply(t, "m1", "20090603T100000Z", "cyrus@example.com", erin, "ACCEPTED")
	wantStatuses(t, qe.env.processIncoming("mailto:"+erin, []string{"mailto:cyrus@example.com"}, rep), map[string]Status{"mailto:cyrus@example.com": StatusDelivered})
	qe.process()
	if got := qe.sender.sent()[before:]; len(got) != 1 || got[0] != "REQUEST mailto:"+zed {
		t.Fatalf("after erin's mailed reply sent %v, want the refresh to %s", got, zed)
	}
	_, org := qe.object(path)
	if got := scheduleParam(propLine(org, "ATTENDEE", erin), "PARTSTAT"); got != "ACCEPTED" {
		t.Errorf("PARTSTAT %q", got)
	}
	if _, w := qe.copyOf("/wilfredo/", "m1"); scheduleParam(propLine(w, "ATTENDEE", erin), "PARTSTAT") != "ACCEPTED" {
		t.Error("wilfredo's copy not refreshed")
	}
}
