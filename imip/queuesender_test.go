package imip

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// testClock is a settable clock for the queue worker.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// routes is a Transport that hands each mail to the Sender of its
// recipient's domain, or to fallback.
type routes struct {
	byDomain map[string]Transport
	fallback Transport
}

func (r routes) Send(ctx context.Context, m *Outgoing) error {
	if t, ok := r.byDomain[m.To[strings.LastIndexByte(m.To, '@')+1:]]; ok {
		return t.Send(ctx, m)
	}
	return r.fallback.Send(ctx, m)
}

// queuedSetup is a CalDAV server (go-webdav on a memory store, wrapped in
// the scheduling middleware with Options.Queue) for alice and the local
// bob, and a queue.Worker sending through a QueueSender over SMTP.
type queuedSetup struct {
	t      *testing.T
	store  *memory.Store
	srv    *httptest.Server
	sender *QueueSender
	clock  *testClock
	notify chan struct{}
}

func newQueuedSetup(t *testing.T, transport Transport) *queuedSetup {
	t.Helper()
	ctx := context.Background()
	s := &queuedSetup{t: t, store: memory.New(), clock: &testClock{now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		notify: make(chan struct{}, 100)}
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice Organizer", "mailto:alice@example.org"),
		backend.NewPrincipal("bob", "Bob", "mailto:bob@example.org"),
	} {
		if err := s.store.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s.sender = &QueueSender{Composer: mustComposer(t, ComposerOptions{}), Transport: transport, Directory: s.store, Logger: quiet}
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(s.store)}, s.store, &schedule.Options{
		Queue:  &schedule.QueueOptions{Domain: "example.org", Notify: func() { s.notify <- struct{}{} }},
		Logger: quiet,
		Now:    func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) },
	})
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(backend.WithPrincipal(r.Context(), "/alice/")))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// worker returns a new worker over the store: a fresh one stands for a
// restarted process.
func (s *queuedSetup) worker() *queue.Worker {
	s.t.Helper()
	w, err := queue.New(queue.Config{Outbox: s.store, Store: s.store, Sender: s.sender, Now: s.clock.Now, Logger: quiet,
		Lease: time.Minute, Backoff: queue.Backoff{Min: time.Second, Max: time.Second, Jitter: -1}})
	if err != nil {
		s.t.Fatal(err)
	}
	return w
}

// process runs one round of w.
func (s *queuedSetup) process(w *queue.Worker) int {
	s.t.Helper()
	n, err := w.Process(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// do sends a request as alice and returns the status and body.
func (s *queuedSetup) do(method, path, body string, headers ...string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// put stores an event of alice's with the given attendees and fails the
// test unless it is created.
func (s *queuedSetup) put(path, uid string, attendees ...string) {
	s.t.Helper()
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\n" +
		"SUMMARY:Queued review\r\nORGANIZER;CN=Alice Organizer:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n"
	for _, a := range attendees {
		body += "ATTENDEE;RSVP=TRUE:mailto:" + a + "\r\n"
	}
	body += "END:VEVENT\r\nEND:VCALENDAR\r\n"
	if code, b := s.do(http.MethodPut, path, body); code != http.StatusCreated {
		s.t.Fatalf("PUT %s: %d %s", path, code, b)
	}
}

// status returns the SCHEDULE-STATUS of addr's ATTENDEE in the object.
func (s *queuedSetup) status(path, addr string) string {
	s.t.Helper()
	o, err := s.store.Object(context.Background(), path)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, l := range strings.Split(strings.ReplaceAll(string(o.Data), "\r\n ", ""), "\r\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(l, ":mailto:"+addr) {
			for _, p := range strings.Split(l[:strings.LastIndex(l, ":mailto:")], ";") {
				if v, ok := strings.CutPrefix(p, "SCHEDULE-STATUS="); ok {
					return v
				}
			}
			return ""
		}
	}
	s.t.Fatalf("no ATTENDEE %s in\n%s", addr, o.Data)
	return ""
}

const queuedPath = "/alice/calendars/default/review.ics"

// TestQueuedInvitationByMail: a PUT stores SCHEDULE-STATUS 1.0 for the
// external attendee and queues the mail with the write; the worker sends
// it over SMTP (the iTIP part is the attendee's REQUEST, the local
// attendee gets no mail) and records 1.1.
func TestQueuedInvitationByMail(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-1", "bob@example.org", "erin@remote.example")
	if got := s.status(queuedPath, "erin@remote.example"); got != "1.0" {
		t.Errorf("SCHEDULE-STATUS %q before the worker ran, want 1.0", got)
	}
	if got := s.status(queuedPath, "bob@example.org"); got != "1.2" {
		t.Errorf("local attendee's SCHEDULE-STATUS %q, want 1.2", got)
	}
	if len(s.notify) != 1 {
		t.Errorf("Notify called %d times, want 1", len(s.notify))
	}
	if n := len(sk.received()); n != 0 {
		t.Fatalf("%d mails sent during the PUT; the queue sends them", n)
	}
	w := s.worker()
	if n := s.process(w); n != 1 {
		t.Fatalf("the worker claimed %d messages, want 1", n)
	}
	got := sk.received()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "erin@remote.example" || got[0].from != "calendar@example.org" {
		t.Fatalf("mails: %+v", got)
	}
	pm := parseBack(t, got[0].data)
	if subj, _ := pm.header.Subject(); subj != "Invitation: Queued review" {
		t.Errorf("Subject %q", subj)
	}
	if from := pm.header.Get("From"); !strings.Contains(from, "Alice Organizer via Calendar") {
		t.Errorf("From %q does not name the organizer (Directory lookup)", from)
	}
	cal := pm.part(t, "text/calendar")
	if cal.params["method"] != "REQUEST" {
		t.Errorf("text/calendar method %q", cal.params["method"])
	}
	msg, err := itip.DecodeMessage(cal.body)
	if err != nil {
		t.Fatalf("iTIP part: %v", err)
	}
	if msg.Method != itip.MethodRequest || msg.UID() != "review-1" || !msg.HasRecipient("mailto:erin@remote.example") ||
		strings.Contains(string(cal.body), "SCHEDULE-STATUS") {
		t.Errorf("iTIP part:\n%s", cal.body)
	}
	if got := s.status(queuedPath, "erin@remote.example"); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS %q after the send, want 1.1", got)
	}
	if st := w.Stats(); st.Sent != 1 || st.Failed != 0 || st.Retried != 0 {
		t.Errorf("worker stats %+v", st)
	}
}

// TestQueuedPermanentRefusals: SMTP 5xx replies are permanent, and each
// recipient records the status its reply maps to; the others still get
// their mail.
func TestQueuedPermanentRefusals(t *testing.T) {
	ok := startSink(t, "plain", nil)
	noUser := startSink(t, "plain", func(s *sink) { s.failRcpt = errPerm }) // 550 5.1.1
	policy := startSink(t, "plain", func(s *sink) {
		s.failRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "not authorized"}
	})
	noDomain := startSink(t, "plain", func(s *sink) {
		s.failRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 2}, Message: "no such domain"}
	})
	plain := func(sk *sink) Transport { return mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}) }
	s := newQueuedSetup(t, routes{fallback: plain(ok), byDomain: map[string]Transport{
		"nouser.example": plain(noUser), "policy.example": plain(policy), "nodomain.example": plain(noDomain)}})
	s.put(queuedPath, "review-2", "erin@remote.example", "frank@nouser.example", "gina@policy.example", "hugo@nodomain.example")
	w := s.worker()
	if n := s.process(w); n != 4 {
		t.Fatalf("claimed %d, want 4", n)
	}
	for addr, want := range map[string]string{
		"erin@remote.example":   "1.1",
		"frank@nouser.example":  "3.7",
		"gina@policy.example":   "5.3",
		"hugo@nodomain.example": "5.2",
	} {
		if got := s.status(queuedPath, addr); got != want {
			t.Errorf("SCHEDULE-STATUS of %s = %q, want %s", addr, got, want)
		}
	}
	if st := w.Stats(); st.Sent != 1 || st.Failed != 3 || st.Retried != 0 {
		t.Errorf("worker stats %+v, want 1 sent, 3 failed, no retry", st)
	}
	if n := s.process(w); n != 0 {
		t.Errorf("%d messages left after permanent failures", n)
	}
}

// TestQueuedTemporaryFailureThenSuccess: a 451 to DATA is retried after
// the backoff, the mail then arrives exactly once, and the status goes
// from 1.0 to 1.1.
func TestQueuedTemporaryFailureThenSuccess(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) { s.failData = []error{errTemp} })
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-3", "erin@remote.example")
	w := s.worker()
	s.process(w)
	if st := w.Stats(); st.Retried != 1 || st.Sent != 0 {
		t.Fatalf("after a 451: stats %+v, want one retry", st)
	}
	if got := s.status(queuedPath, "erin@remote.example"); got != "1.0" {
		t.Errorf("SCHEDULE-STATUS %q while the retry waits, want 1.0", got)
	}
	if n := s.process(w); n != 0 {
		t.Errorf("claimed %d messages before the backoff elapsed", n)
	}
	s.clock.Advance(2 * time.Second)
	if n := s.process(w); n != 1 {
		t.Fatalf("claimed %d messages after the backoff, want 1", n)
	}
	if got := sk.received(); len(got) != 1 {
		t.Fatalf("%d mails arrived, want exactly 1", len(got))
	}
	if got := s.status(queuedPath, "erin@remote.example"); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS %q after the retry, want 1.1", got)
	}
}

// TestQueuedNothingWithoutRemoteScope: Scheduling: none and internal-only
// writes (and their deletes) send no mail.
func TestQueuedNothingWithoutRemoteScope(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	w := s.worker()
	for _, scope := range []string{"none", "internal-only"} {
		path := "/alice/calendars/default/" + scope + ".ics"
		body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + scope +
			"\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nSUMMARY:Quiet\r\n" +
			"ORGANIZER:mailto:alice@example.org\r\nATTENDEE:mailto:bob@example.org\r\nATTENDEE:mailto:erin@remote.example\r\n" +
			"END:VEVENT\r\nEND:VCALENDAR\r\n"
		if code, b := s.do(http.MethodPut, path, body, "Scheduling", scope); code != http.StatusCreated {
			t.Fatalf("PUT with Scheduling: %s: %d %s", scope, code, b)
		}
		if code, b := s.do(http.MethodDelete, path, "", "Scheduling", scope); code != http.StatusNoContent {
			t.Fatalf("DELETE with Scheduling: %s: %d %s", scope, code, b)
		}
	}
	if n := s.process(w); n != 0 || len(sk.received()) != 0 || len(s.notify) != 0 {
		t.Errorf("claimed %d, %d mails, %d notifications; want nothing", n, len(sk.received()), len(s.notify))
	}
}

// TestQueuedSendSurvivesCrash: the messages of a write outlive the
// process. A worker that claimed them and died before sending leaves
// them to a new worker once the lease expires, which sends each exactly
// once; a worker that died after sending but before recording makes the
// new one send again with the same Message-ID and bytes, so the receiver
// can drop the copy.
func TestQueuedSendSurvivesCrash(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-4", "erin@remote.example", "frank@remote.example")
	ctx := context.Background()

	// The first process claims both messages, sends frank's and dies.
	claimed, err := s.store.Claim(ctx, s.clock.Now(), 10, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("Claim: %d messages, %v", len(claimed), err)
	}
	for i := range claimed {
		if claimed[i].Recipient == "mailto:frank@remote.example" {
			if err := s.sender.Send(ctx, &claimed[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A restarted process, before the lease expired: nothing to take.
	w := s.worker()
	if n := s.process(w); n != 0 {
		t.Fatalf("a new worker took %d messages under an unexpired lease", n)
	}
	s.clock.Advance(time.Minute + time.Second)
	if n := s.process(w); n != 2 {
		t.Fatalf("after the lease expired the new worker took %d messages, want 2", n)
	}
	byTo := map[string][]sunk{}
	for _, m := range sk.received() {
		byTo[m.to[0]] = append(byTo[m.to[0]], m)
	}
	if n := len(byTo["erin@remote.example"]); n != 1 {
		t.Errorf("erin got %d mails, want exactly 1", n)
	}
	frank := byTo["frank@remote.example"]
	if len(frank) != 2 || string(frank[0].data) != string(frank[1].data) {
		t.Fatalf("frank got %d mails, want the send before the crash and an identical resend", len(frank))
	}
	if id := parseBack(t, frank[0].data).header.Get("Message-Id"); id == "" || id != parseBack(t, frank[1].data).header.Get("Message-Id") {
		t.Errorf("resend Message-ID differs or is missing: %q", id)
	}
	for _, a := range []string{"erin@remote.example", "frank@remote.example"} {
		if got := s.status(queuedPath, a); got != "1.1" {
			t.Errorf("SCHEDULE-STATUS of %s = %q, want 1.1", a, got)
		}
	}
	if n := s.process(w); n != 0 {
		t.Errorf("%d messages left", n)
	}
}

// TestQueuedCancelAndSupersededRequest: the organizer deletes the event
// before the worker ran; the CANCEL queued with the delete drops the
// unsent REQUEST: one mail, the CANCEL.
func TestQueuedCancelAndSupersededRequest(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-5", "erin@remote.example")
	if code, b := s.do(http.MethodDelete, queuedPath, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", code, b)
	}
	if n, _ := s.store.Queued(context.Background(), "review-5", "mailto:erin@remote.example"); n != 1 {
		t.Errorf("%d messages queued after the DELETE, want the CANCEL only", n)
	}
	s.process(s.worker())
	got := sk.received()
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1", len(got))
	}
	pm := parseBack(t, got[0].data)
	if subj, _ := pm.header.Subject(); !strings.HasPrefix(subj, "Canceled: ") || pm.part(t, "text/calendar").params["method"] != "CANCEL" {
		t.Errorf("mail %q with method %q, want the cancellation", subj, pm.part(t, "text/calendar").params["method"])
	}
}

// TestQueueSenderRefusesBadMessages: undecodable data and non-mailto:
// recipients fail for good (5.2); a failing template is retried.
func TestQueueSenderRefusesBadMessages(t *testing.T) {
	sk := startSink(t, "plain", nil)
	qs := &QueueSender{Composer: mustComposer(t, ComposerOptions{}), Transport: mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}), Logger: quiet}
	ctx := context.Background()
	var pe *queue.PermanentError
	err := qs.Send(ctx, &backend.OutboundMessage{ID: "x@example.org", Recipient: "mailto:erin@remote.example", Data: []byte("BEGIN:VCALENDAR\r\nno")})
	if !errors.As(err, &pe) || pe.Status != itip.StatusNoDelivery || !errors.Is(err, ErrMalformed) {
		t.Errorf("undecodable data: %v", err)
	}
	err = qs.Send(ctx, &backend.OutboundMessage{ID: "y@example.org", Recipient: "urn:uuid:1", Data: []byte(invitationICS)})
	if !errors.As(err, &pe) || !errors.Is(err, ErrNotMailto) {
		t.Errorf("non-mailto recipient: %v", err)
	}
	if err := (&QueueSender{}).Send(ctx, &backend.OutboundMessage{}); err == nil {
		t.Error("a QueueSender without Composer and Transport sent")
	}
	if len(sk.received()) != 0 {
		t.Errorf("mails sent: %d", len(sk.received()))
	}
}

func TestSendErrorScheduleStatus(t *testing.T) {
	for _, tc := range []struct {
		err       SendError
		permanent bool
		status    string
	}{
		{SendError{Temporary: true, Code: 451, Enhanced: "4.3.0"}, false, ""},
		{SendError{Temporary: true, Stage: "dial"}, false, ""},
		{SendError{Code: 550, Enhanced: "5.1.1"}, true, "3.7"},
		{SendError{Code: 553, Enhanced: "5.1.3"}, true, "3.7"},
		{SendError{Code: 550, Enhanced: "5.7.1"}, true, "5.3"},
		{SendError{Code: 550, Enhanced: "5.1.2"}, true, "5.2"},
		{SendError{Code: 552, Enhanced: "5.3.4"}, true, "5.2"},
		{SendError{Code: 554}, true, "5.2"},
	} {
		if tc.err.Permanent() != tc.permanent || tc.err.ScheduleStatus() != tc.status {
			t.Errorf("%+v: Permanent %v ScheduleStatus %q, want %v %q", tc.err, tc.err.Permanent(), tc.err.ScheduleStatus(), tc.permanent, tc.status)
		}
	}
}

// capture is a Transport that keeps what it is given.
type capture struct{ mails []*Outgoing }

func (c *capture) Send(_ context.Context, m *Outgoing) error {
	c.mails = append(c.mails, m)
	return nil
}

// TestQueuedForwardToDelegate: the invitation Bob forwards to Erin, his
// delegate (RFC 5546 §4.2.5), names Alice as ORGANIZER; the mail is
// Bob's (From name, Reply-To), not Alice's. Alice's own invitation stays
// hers.
func TestQueuedForwardToDelegate(t *testing.T) {
	tr := &capture{}
	s := newQueuedSetup(t, tr)
	s.sender.Transport = tr
	forward := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
		"UID:fwd-1\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Review\r\n" +
		"ORGANIZER;CN=Alice Organizer:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:erin@remote.example\":mailto:bob@example.org\r\n" +
		"ATTENDEE;RSVP=TRUE;DELEGATED-FROM=\"mailto:bob@example.org\":mailto:erin@remote.example\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	ctx := context.Background()
	for _, tc := range []struct{ sender, name, replyTo string }{
		{"/bob/", "Bob via", "bob@example.org"},
		{"/alice/", "Alice Organizer via", "alice@example.org"},
	} {
		tr.mails = nil
		if err := s.sender.Send(ctx, &backend.OutboundMessage{ID: "fwd-" + tc.sender[1:4] + "@example.org", Sender: tc.sender,
			Recipient: "mailto:erin@remote.example", Method: itip.MethodRequest, Data: []byte(forward)}); err != nil {
			t.Fatal(err)
		}
		if len(tr.mails) != 1 {
			t.Fatalf("%d mails", len(tr.mails))
		}
		pm := parseBack(t, tr.mails[0].Data)
		if from := pm.header.Get("From"); !strings.Contains(from, tc.name) {
			t.Errorf("sent for %s: From %q, want %q", tc.sender, from, tc.name)
		}
		if rt := pm.header.Get("Reply-To"); !strings.Contains(rt, tc.replyTo) {
			t.Errorf("sent for %s: Reply-To %q, want %s", tc.sender, rt, tc.replyTo)
		}
	}
}
