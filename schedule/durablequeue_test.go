package schedule

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/privilege"
	"github.com/go-autoschedule/autoschedule/queue"
)

const (
	erin   = "erin@remote.example"
	urnBob = "urn:uuid:0c9e2f5a-1d7b-4f3e-8a6c-2b4d9e1f7a35"
)

// sentLog is a queue.Sender that records what it is given and answers
// with fail (nil: success).
type sentLog struct {
	mu   sync.Mutex
	msgs []backend.OutboundMessage
	fail func(m *backend.OutboundMessage) error
}

func (s *sentLog) Send(_ context.Context, m *backend.OutboundMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, *m)
	if s.fail != nil {
		return s.fail(m)
	}
	return nil
}

// sent returns "METHOD recipient" per message sent so far.
func (s *sentLog) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, m.Method+" "+m.Recipient)
	}
	return out
}

// queueEnv is an env whose middleware queues remote mailto: recipients in
// the memory store's outbox, with a worker over it (driven by process)
// and a Deliverer that takes every other remote recipient.
type queueEnv struct {
	*env
	sender    *sentLog
	worker    *queue.Worker
	notified  atomic.Int64
	delivered sync.Map // recipient → calls of the Deliverer
}

func newQueueEnv(t *testing.T, users ...user) *queueEnv {
	return newQueueEnvWith(t, nil, users...)
}

// newQueueEnvWith is newQueueEnv with mod applied to the Options; a
// Deliverer it sets replaces the recording one.
func newQueueEnvWith(t *testing.T, mod func(*Options), users ...user) *queueEnv {
	t.Helper()
	qe := &queueEnv{sender: &sentLog{}}
	deliverer := DelivererFunc(func(ctx context.Context, d *Delivery) (Status, error) {
		n, _ := qe.delivered.LoadOrStore(d.Recipient, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		return StatusSent, nil
	})
	opts := &Options{
		Deliverers: []Deliverer{deliverer},
		Queue:      &QueueOptions{Domain: "cal.example.com", Notify: func() { qe.notified.Add(1) }},
	}
	if mod != nil {
		mod(opts)
	}
	qe.env = newEnv(t, opts, users...)
	w, err := queue.New(queue.Config{Outbox: qe.store, Store: qe.store, Sender: qe.sender,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	qe.worker = w
	return qe
}

// process runs the worker until the queue is empty.
func (qe *queueEnv) process() {
	qe.t.Helper()
	for {
		n, err := qe.worker.Process(context.Background())
		if err != nil {
			qe.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// queued counts the messages queued for uid and addr.
func (qe *queueEnv) queued(uid, addr string) int {
	qe.t.Helper()
	n, err := qe.store.Queued(context.Background(), uid, addr)
	if err != nil {
		qe.t.Fatal(err)
	}
	return n
}

// status returns the SCHEDULE-STATUS of addr's prop line in the object.
func (qe *queueEnv) status(path, prop, addr string) string {
	qe.t.Helper()
	_, data := qe.object(path)
	return scheduleParam(propLine(data, prop, addr), "SCHEDULE-STATUS")
}

func (qe *queueEnv) deliveredTo(addr string) int64 {
	n, ok := qe.delivered.Load(addr)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

func TestQueueTakesRemoteMailtoRecipients(t *testing.T) {
	qe := newQueueEnv(t, cyrus, wilfredo)
	const path = "/cyrus/calendars/default/m.ics"
	body := strings.Replace(invite("m1", "cyrus@example.com", "wilfredo@example.com", erin),
		"END:VEVENT", "ATTENDEE:"+urnBob+"\r\nEND:VEVENT", 1)
	r := qe.do("cyrus", "PUT", path, body).must(t, 201)
	if r.header.Get("ETag") != "" {
		t.Error("ETag sent although the server added SCHEDULE-STATUS")
	}
	for addr, want := range map[string]string{
		"wilfredo@example.com": "1.2", // local
		erin:                   "1.0", // queued with the write
		urnBob:                 "1.1", // the Deliverer
	} {
		if got := qe.status(path, "ATTENDEE", addr); got != want {
			t.Errorf("before the worker ran: SCHEDULE-STATUS of %s = %q, want %s", addr, got, want)
		}
	}
	if n := qe.deliveredTo("mailto:" + erin); n != 0 {
		t.Errorf("the Deliverer was called %d times for the queued recipient", n)
	}
	if n := qe.deliveredTo(urnBob); n != 1 {
		t.Errorf("the Deliverer was called %d times for %s, want 1", n, urnBob)
	}
	if n := qe.queued("m1", "mailto:"+erin); n != 1 {
		t.Fatalf("%d messages queued for %s, want 1", n, erin)
	}
	if n := qe.notified.Load(); n != 1 {
		t.Errorf("Notify called %d times after one write, want 1", n)
	}
	if got := qe.sender.sent(); len(got) != 0 {
		t.Fatalf("sent %v before the worker ran", got)
	}

	qe.process()
	if got := qe.sender.sent(); len(got) != 1 || got[0] != "REQUEST mailto:"+erin {
		t.Fatalf("worker sent %v, want one REQUEST to %s", got, erin)
	}
	m := qe.sender.msgs[0]
	msg, err := itip.DecodeMessage(m.Data)
	if err != nil {
		t.Fatalf("queued data is no iTIP message: %v", err)
	}
	if m.ObjectPath != path || m.Sender != "/cyrus/" || m.UID != "m1" || !strings.HasSuffix(m.ID, "@cal.example.com") ||
		msg.Method != itip.MethodRequest || !msg.HasRecipient("mailto:"+erin) {
		t.Errorf("queued message %+v (method %s)", m, msg.Method)
	}
	if got := qe.status(path, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("after the worker: SCHEDULE-STATUS of %s = %q, want 1.1", erin, got)
	}
	if got := qe.status(path, "ATTENDEE", "wilfredo@example.com"); got != "1.2" {
		t.Errorf("the worker's write-back changed the local attendee's status to %q", got)
	}
}

// TestQueueWriteIsDurableBeforeDelivery holds the deliveries after a
// write (asynchronous delivery, a Deliverer that blocks): the queued
// message is in the outbox when the client gets its answer, as it would
// be if the process died then, and the worker sends it meanwhile. The
// late write-back of the other recipients' statuses leaves the worker's
// 1.1 alone.
func TestQueueWriteIsDurableBeforeDelivery(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	qe := newQueueEnvWith(t, func(o *Options) {
		o.AsyncDelivery = true
		o.Deliverers = []Deliverer{DelivererFunc(func(ctx context.Context, d *Delivery) (Status, error) {
			<-release
			return StatusNoRoute, nil
		})}
	}, cyrus)
	const path = "/cyrus/calendars/default/m.ics"
	// The blocked recipient comes first: in-process delivery of the
	// mailto: recipient would wait behind it.
	body := strings.Replace(invite("m1", "cyrus@example.com", erin), "ATTENDEE;PARTSTAT=NEEDS-ACTION",
		"ATTENDEE:"+urnBob+"\r\nATTENDEE;PARTSTAT=NEEDS-ACTION", 1)
	qe.do("cyrus", "PUT", path, body).must(t, 201)
	if n := qe.queued("m1", "mailto:"+erin); n != 1 {
		t.Fatalf("%d messages queued when the PUT was answered, want 1", n)
	}
	qe.process()
	if got := qe.status(path, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS %q after the worker, want 1.1", got)
	}
	unblock()
	if err := qe.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := qe.status(path, "ATTENDEE", urnBob); got != "5.2" {
		t.Errorf("SCHEDULE-STATUS of %s = %q, want the Deliverer's 5.2", urnBob, got)
	}
	if got := qe.status(path, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS of %s = %q after the other deliveries, want the worker's 1.1 kept", erin, got)
	}
	if got := qe.sender.sent(); len(got) != 1 {
		t.Errorf("sent %v, want one message", got)
	}
}

func TestQueueRespectsSchedulingControls(t *testing.T) {
	qe := newQueueEnv(t, cyrus, wilfredo)
	for i, scope := range []string{"none", "internal-only"} {
		uid := "ctl" + scope
		path := "/cyrus/calendars/default/" + uid + ".ics"
		qe.do("cyrus", "PUT", path, invite(uid, "cyrus@example.com", "wilfredo@example.com", erin), "Scheduling", scope).must(t, 201)
		if n := qe.queued(uid, "mailto:"+erin); n != 0 {
			t.Errorf("Scheduling: %s queued %d messages", scope, n)
		}
		if got := qe.status(path, "ATTENDEE", erin); got != "" {
			t.Errorf("Scheduling: %s: SCHEDULE-STATUS of the remote attendee %q, want none", scope, got)
		}
		qe.do("cyrus", "DELETE", path, "", "Scheduling", scope).must(t, 204)
		if n := qe.queued(uid, "mailto:"+erin); n != 0 {
			t.Errorf("DELETE with Scheduling: %s queued %d messages", scope, n)
		}
		if n := qe.notified.Load(); n != 0 {
			t.Errorf("case %d: Notify called %d times", i, n)
		}
	}
	// SCHEDULE-AGENT=CLIENT: the client sends, the server queues nothing.
	body := strings.Replace(invite("client", "cyrus@example.com", erin), "RSVP=TRUE:mailto:"+erin, "RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:"+erin, 1)
	qe.do("cyrus", "PUT", "/cyrus/calendars/default/client.ics", body).must(t, 201)
	if n := qe.queued("client", "mailto:"+erin); n != 0 {
		t.Errorf("SCHEDULE-AGENT=CLIENT queued %d messages", n)
	}
	qe.process()
	if got := qe.sender.sent(); len(got) != 0 {
		t.Errorf("sent %v", got)
	}
	// external-only does use the queue.
	qe.do("cyrus", "PUT", "/cyrus/calendars/default/ext.ics", invite("ext", "cyrus@example.com", "wilfredo@example.com", erin), "Scheduling", "external-only").must(t, 201)
	if n := qe.queued("ext", "mailto:"+erin); n != 1 {
		t.Errorf("Scheduling: external-only queued %d messages, want 1", n)
	}
}

func TestQueueRemovalAndSupersededRequest(t *testing.T) {
	qe := newQueueEnv(t, cyrus)
	const path = "/cyrus/calendars/default/m.ics"
	qe.do("cyrus", "PUT", path, invite("m1", "cyrus@example.com", erin)).must(t, 201)
	// An update before the worker ran: the first REQUEST is obsolete.
	obj, data := qe.object(path)
	moved := strings.ReplaceAll(strings.ReplaceAll(data, "20090610T160000Z", "20090611T160000Z"), "20090610T170000Z", "20090611T170000Z")
	moved = strings.ReplaceAll(strings.TrimRight(moved, "\n"), "\n", "\r\n") + "\r\n"
	qe.do("cyrus", "PUT", path, moved, "If-Match", `"`+obj.ETag+`"`).must(t, 204)
	if n := qe.queued("m1", "mailto:"+erin); n != 1 {
		t.Errorf("%d messages queued after an update, want 1 (the newer REQUEST supersedes)", n)
	}
	qe.process()
	if got := qe.sender.sent(); len(got) != 1 || !bytes.Contains(qe.sender.msgs[0].Data, []byte("20090611T160000Z")) {
		t.Fatalf("sent %v, want only the updated REQUEST", got)
	}
	if got := qe.status(path, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS %q after the send, want 1.1", got)
	}
	// The organizer deletes: a CANCEL queued with the delete.
	obj, _ = qe.object(path)
	qe.do("cyrus", "DELETE", path, "", "If-Match", `"wrong"`).must(t, 412)
	if n := qe.queued("m1", "mailto:"+erin); n != 0 {
		t.Fatalf("a failed DELETE queued %d messages", n)
	}
	qe.do("cyrus", "DELETE", path, "", "If-Match", `"`+obj.ETag+`"`).must(t, 204)
	if n := qe.queued("m1", "mailto:"+erin); n != 1 {
		t.Fatalf("%d messages queued by the DELETE, want 1", n)
	}
	qe.process()
	got := qe.sender.sent()
	if len(got) != 2 || got[1] != "CANCEL mailto:"+erin || qe.sender.msgs[1].ObjectPath != "" {
		t.Errorf("sent %v (last about %q), want a CANCEL about no object", got, qe.sender.msgs[len(qe.sender.msgs)-1].ObjectPath)
	}
}

func TestQueueCarriesAttendeeReply(t *testing.T) {
	qe := newQueueEnv(t, wilfredo)
	const path = "/wilfredo/calendars/default/boss.ics"
	invitation := icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT",
		"UID:boss-1", "DTSTAMP:20090602T185254Z", "DTSTART:20090610T160000Z", "DTEND:20090610T170000Z",
		"SUMMARY:Review", "ORGANIZER:mailto:boss@remote.example",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@remote.example",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:wilfredo@example.com", "END:VEVENT", "END:VCALENDAR")
	qe.do("wilfredo", "PUT", path, invitation, "Scheduling", "none").must(t, 201)
	_, data := qe.object(path)
	qe.do("wilfredo", "PUT", path, setPartstat(data, "wilfredo@example.com", "ACCEPTED")).must(t, 204)
	if got := qe.status(path, "ORGANIZER", "boss@remote.example"); got != "1.0" {
		t.Errorf("ORGANIZER SCHEDULE-STATUS %q before the worker, want 1.0", got)
	}
	qe.process()
	if got := qe.sender.sent(); len(got) != 1 || got[0] != "REPLY mailto:boss@remote.example" {
		t.Fatalf("sent %v, want a REPLY to the organizer", got)
	}
	if !bytes.Contains(qe.sender.msgs[0].Data, []byte("PARTSTAT=ACCEPTED")) {
		t.Errorf("REPLY without the PARTSTAT:\n%s", qe.sender.msgs[0].Data)
	}
	if got := qe.status(path, "ORGANIZER", "boss@remote.example"); got != "1.1" {
		t.Errorf("ORGANIZER SCHEDULE-STATUS %q after the worker, want 1.1", got)
	}
	// The attendee deletes the copy: a REPLY declining, queued with the
	// delete.
	qe.do("wilfredo", "DELETE", path, "").must(t, 204)
	if n := qe.queued("boss-1", "mailto:boss@remote.example"); n != 1 {
		t.Fatalf("%d messages queued by the attendee's DELETE, want 1", n)
	}
	qe.process()
	if got := qe.sender.sent(); len(got) != 2 || got[1] != "REPLY mailto:boss@remote.example" ||
		!bytes.Contains(qe.sender.msgs[1].Data, []byte("PARTSTAT=DECLINED")) {
		t.Errorf("after the DELETE sent %v, want a REPLY declining", got)
	}
}

func TestQueueTakesRefreshAfterLocalReply(t *testing.T) {
	qe := newQueueEnv(t, cyrus, wilfredo)
	const path = "/cyrus/calendars/default/m.ics"
	qe.do("cyrus", "PUT", path, invite("m1", "cyrus@example.com", "wilfredo@example.com", erin)).must(t, 201)
	qe.process()
	before := len(qe.sender.sent())
	obj, data := qe.copyOf("/wilfredo/", "m1")
	qe.do("wilfredo", "PUT", obj.Path, setPartstat(data, "wilfredo@example.com", "ACCEPTED")).must(t, 204)
	qe.process()
	got := qe.sender.sent()[before:]
	if len(got) != 1 || got[0] != "REQUEST mailto:"+erin {
		t.Fatalf("after wilfredo's reply sent %v, want the refresh to %s", got, erin)
	}
	m := qe.sender.msgs[before]
	if m.ObjectPath != path || !bytes.Contains(m.Data, []byte("ACCEPTED")) {
		t.Errorf("refresh about %q:\n%s", m.ObjectPath, m.Data)
	}
	if got := qe.status(path, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS of %s = %q after the refresh, want 1.1", erin, got)
	}
}

func TestQueuePermanentFailureStatus(t *testing.T) {
	qe := newQueueEnv(t, cyrus)
	qe.sender.fail = func(m *backend.OutboundMessage) error {
		return queue.Permanent(itip.StatusNoUser, io.EOF)
	}
	const path = "/cyrus/calendars/default/m.ics"
	qe.do("cyrus", "PUT", path, invite("m1", "cyrus@example.com", erin)).must(t, 201)
	qe.process()
	if got := qe.status(path, "ATTENDEE", erin); got != "3.7" {
		t.Errorf("SCHEDULE-STATUS %q after a permanent failure, want 3.7", got)
	}
}

// hiddenOutbox is a store that does not show its outbox.
type hiddenOutbox struct{ backend.Store }

func TestQueueNeedsAnOutbox(t *testing.T) {
	var logs bytes.Buffer
	store := memory.New()
	h := New(http.NotFoundHandler(), hiddenOutbox{store}, &Options{Queue: &QueueOptions{},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if h.dq != nil || !strings.Contains(logs.String(), "does not implement backend.Outbox") {
		t.Errorf("Queue on a store without an outbox: queue %v, log %q", h.dq, logs.String())
	}
	if h := New(http.NotFoundHandler(), store, &Options{Queue: &QueueOptions{}}); h.dq == nil || !h.dq.accept("MAILTO:x@y.example") || h.dq.accept(urnBob) {
		t.Error("the default Accept takes mailto: addresses only")
	}
	logs.Reset()
	for _, bad := range []string{"a b", "x@y", strings.Repeat("d", maxIDDomain+1)} {
		h := New(http.NotFoundHandler(), store, &Options{Queue: &QueueOptions{Domain: bad}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if h.dq == nil || h.dq.domain != "" {
			t.Errorf("Domain %q kept", bad)
		}
	}
	if n := strings.Count(logs.String(), "QueueOptions.Domain"); n != 3 {
		t.Errorf("%d errors logged for 3 bad domains", n)
	}
}

// TestQueueTakesMoveAcrossOwners: a MOVE into another owner's calendar is
// a create there, whose invitation is queued with the destination's
// write.
func TestQueueTakesMoveAcrossOwners(t *testing.T) {
	// Wilfredo may write Cyrus's calendars (a delegate).
	policy := privilege.Grants{
		Outbox:   map[string]map[string]privilege.Privilege{"/cyrus/": {"/wilfredo/": privilege.Read | privilege.Write}},
		Fallback: privilege.Default{},
	}
	qe := newQueueEnvWith(t, func(o *Options) { o.Policy = policy }, cyrus, wilfredo)
	src, dst := "/cyrus/calendars/default/w.ics", "/wilfredo/calendars/default/w.ics"
	// Wilfredo's event, filed in Cyrus's calendar without scheduling.
	qe.do("wilfredo", "PUT", src, invite("w1", "wilfredo@example.com", erin), "Scheduling", "none").must(t, 201)
	if n := qe.queued("w1", "mailto:"+erin); n != 0 {
		t.Fatalf("Scheduling: none queued %d", n)
	}
	qe.do("wilfredo", "MOVE", src, "", "Destination", qe.srv.URL+dst).must(t, 201)
	if n := qe.queued("w1", "mailto:"+erin); n != 1 {
		t.Fatalf("the MOVE queued %d messages, want the invitation", n)
	}
	if got := qe.status(dst, "ATTENDEE", erin); got != "1.0" {
		t.Errorf("SCHEDULE-STATUS %q at the destination, want 1.0", got)
	}
	qe.process()
	if got := qe.sender.sent(); len(got) != 1 || got[0] != "REQUEST mailto:"+erin || qe.sender.msgs[0].Sender != "/wilfredo/" {
		t.Errorf("sent %v, want wilfredo's REQUEST", got)
	}
	if got := qe.status(dst, "ATTENDEE", erin); got != "1.1" {
		t.Errorf("SCHEDULE-STATUS %q after the send, want 1.1", got)
	}
}
