package imip

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// calServer is a CalDAV server as a server author builds it: go-webdav's
// caldav.Handler on the memory store behind the scheduling middleware,
// served over HTTP, with a Deliverer that records what would be mailed.
// Requests authenticate with Basic auth; the user name is the principal.
type calServer struct {
	t      testing.TB
	store  *memory.Store
	h      *schedule.Handler
	srv    *httptest.Server
	mu     sync.Mutex
	mailed []string // "METHOD recipient" of messages for remote recipients
	// failPuts makes the middleware's writes of calendar objects fail,
	// as a store that is down would.
	failPuts atomic.Bool
}

// flakyStore is the store as the middleware sees it: writes fail while
// failPuts is set.
type flakyStore struct {
	backend.Store
	cs *calServer
}

// PutObject fails while cs.failPuts is set.
func (s flakyStore) PutObject(ctx context.Context, path string, data []byte, opts *backend.PutOptions) (*backend.Object, error) {
	if s.cs.failPuts.Load() {
		return nil, errors.New("store down")
	}
	return s.Store.PutObject(ctx, path, data, opts)
}

// The local users of calServer.
const (
	aliceAddr = "mailto:alice@example.org"
	bobAddr   = "mailto:bob@example.org"
	carolAddr = "mailto:carol@example.org"
)

// newCalServer starts a calServer logging to log (nil: nowhere).
func newCalServer(t testing.TB, log *slog.Logger) *calServer {
	t.Helper()
	cs := &calServer{t: t, store: memory.New()}
	ctx := context.Background()
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice", aliceAddr),
		backend.NewPrincipal("bob", "Bob", bobAddr),
		backend.NewPrincipal("carol", "Carol", carolAddr),
	} {
		if err := cs.store.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	mail := schedule.DelivererFunc(func(_ context.Context, d *schedule.Delivery) (schedule.Status, error) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		cs.mailed = append(cs.mailed, d.Message.Method+" "+d.Recipient)
		return schedule.StatusSent, nil
	})
	if log == nil {
		log = quiet
	}
	cs.h = schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(cs.store)}, flakyStore{Store: cs.store, cs: cs}, &schedule.Options{
		Deliverers: []schedule.Deliverer{mail},
		Logger:     log,
		// Before the fixtures' DTSTAMPs, so that their messages are current.
		Now: func() time.Time { return time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC) },
	})
	cs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); ok {
			r = r.WithContext(backend.WithPrincipal(r.Context(), "/"+u+"/"))
		}
		cs.h.ServeHTTP(w, r)
	}))
	t.Cleanup(cs.srv.Close)
	return cs
}

// do sends an HTTP request as user and returns the status and body.
func (cs *calServer) do(as, method, path, body string) (int, string) {
	cs.t.Helper()
	req, err := http.NewRequest(method, cs.srv.URL+path, strings.NewReader(body))
	if err != nil {
		cs.t.Fatal(err)
	}
	req.SetBasicAuth(as, "x")
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	res, err := cs.srv.Client().Do(req)
	if err != nil {
		cs.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		cs.t.Fatal(err)
	}
	return res.StatusCode, strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n ", ""), "\r\n", "\n")
}

// get GETs path as user over HTTP and returns the unfolded body.
func (cs *calServer) get(as, path string) string {
	cs.t.Helper()
	code, body := cs.do(as, http.MethodGet, path, "")
	if code != http.StatusOK {
		cs.t.Fatalf("GET %s as %s: %d\n%s", path, as, code, body)
	}
	return body
}

// put PUTs an organizer's object and requires success.
func (cs *calServer) put(as, path, body string) {
	cs.t.Helper()
	if code, resp := cs.do(as, http.MethodPut, path, body); code/100 != 2 {
		cs.t.Fatalf("PUT %s: %d\n%s", path, code, resp)
	}
}

// copyPath returns where principal's copy of uid lives, "" when it has
// none.
func (cs *calServer) copyPath(principal, uid string) string {
	obj, err := cs.store.ObjectByUID(context.Background(), principal, uid)
	if errors.Is(err, backend.ErrNotFound) {
		return ""
	}
	if err != nil {
		cs.t.Fatal(err)
	}
	return obj.Path
}

// inbox returns principal's inbox items, each as fetched over HTTP.
func (cs *calServer) inbox(user string) []string {
	cs.t.Helper()
	pr, err := cs.store.PrincipalByPath(context.Background(), "/"+user+"/")
	if err != nil {
		cs.t.Fatal(err)
	}
	items, err := cs.store.SchedulingObjects(context.Background(), pr.Path)
	if err != nil {
		cs.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, cs.get(user, pr.InboxPath+it.Name))
	}
	return out
}

// state is everything the store holds for the users, to compare before
// and after a refused mail.
func (cs *calServer) state() string {
	cs.t.Helper()
	var b strings.Builder
	ctx := context.Background()
	for _, u := range []string{"/alice/", "/bob/", "/carol/"} {
		cals, err := cs.store.Calendars(ctx, u)
		if err != nil {
			cs.t.Fatal(err)
		}
		for _, c := range cals {
			objs, err := cs.store.Objects(ctx, c.Path)
			if err != nil {
				cs.t.Fatal(err)
			}
			for _, o := range objs {
				b.WriteString(o.Path + " " + o.ETag + "\n")
			}
		}
		items, err := cs.store.SchedulingObjects(ctx, u)
		if err != nil {
			cs.t.Fatal(err)
		}
		for _, it := range items {
			b.WriteString(u + "inbox/" + it.Name + "\n")
		}
	}
	return b.String()
}

// mails returns what the Deliverer was given so far.
func (cs *calServer) mails() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.mailed...)
}

// receive runs an e-mail through Receiver.Parse and Receiver.Process
// into the middleware.
func (cs *calServer) receive(r *Receiver, mail []byte, env Envelope) (map[string]schedule.Status, error) {
	cs.t.Helper()
	in, err := r.Parse(context.Background(), bytes.NewReader(mail), env)
	if err != nil {
		return nil, err
	}
	return r.Process(context.Background(), cs.h, in)
}

// line returns the unfolded property line named name ending in addr.
func line(data, name, addr string) string {
	for _, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, name) && strings.HasSuffix(strings.ToLower(strings.TrimSpace(l)), strings.ToLower(addr)) {
			return l
		}
	}
	return ""
}

// param returns a parameter value of an unfolded property line.
func param(l, name string) string {
	i := strings.Index(l, ";"+name+"=")
	if i < 0 {
		return ""
	}
	v := l[i+len(name)+2:]
	if j := strings.IndexAny(v, ";:"); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, `"`)
}

// The organizer objects the reply fixtures answer.
const (
	tbReplyUID      = "b7c9a1e2-thunderbird-reply"
	outlookReplyUID = "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6A7010000000000000000100000001234567890ABCDEF"
)

// answeredEvent is Alice's event with a remote attendee who answers by
// mail, Bob (local) and Zoe (remote, refreshed by mail).
func answeredEvent(uid, remote, start string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:" + uid + "\r\nDTSTAMP:20261101T070000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\n" +
		"SUMMARY:Review\r\nORGANIZER;CN=Alice:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE;RSVP=TRUE:" + remote + "\r\n" +
		"ATTENDEE;RSVP=TRUE:mailto:bob@example.org\r\n" +
		"ATTENDEE;RSVP=TRUE:mailto:zoe@remote.example\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
}

// TestInboundInvitationsFromClients delivers the invitation fixtures of
// four clients to local users: each gets a copy in their default calendar
// and the message in their inbox, both readable over CalDAV.
func TestInboundInvitationsFromClients(t *testing.T) {
	for _, tc := range []struct {
		file, uid, organizer string
		env                  Envelope
		users                []string
		check                func(t *testing.T, copy string)
	}{
		{file: "thunderbird-request.eml", uid: "7d1c2f0e-5a3b-4c8e-9f11-thunderbird-test", organizer: "mailto:olga@tb.example",
			env: Envelope{MailFrom: "olga@tb.example", Recipients: []string{"bob@example.org", "carol@example.org"}}, users: []string{"bob", "carol"},
			check: func(t *testing.T, c string) {
				if !strings.Contains(c, "DTSTART;TZID=Europe/Berlin:20261203T100000") || !strings.Contains(c, "BEGIN:VTIMEZONE") {
					t.Errorf("time zone lost:\n%s", c)
				}
			}},
		{file: "google-request.eml", uid: "0a1b2c3d4e5f6g7h8i9j@google.example", organizer: "mailto:gina@gmail.example",
			env: Envelope{MailFrom: "gina@gmail.example", Recipients: []string{"bob@example.org"}}, users: []string{"bob"},
			check: func(t *testing.T, c string) {
				if !strings.Contains(c, "SUMMARY:Launch sync") {
					t.Errorf("copy:\n%s", c)
				}
			}},
		{file: "apple-request.eml", uid: "5E0B2C91-1B2D-4F5A-9E3C-APPLE-FIXTURE", organizer: "mailto:amelie@icloud.example",
			users: []string{"bob"},
			check: func(t *testing.T, c string) {
				if !strings.Contains(c, `LOCATION:Café de la Paix\, 5 Place de l'Opéra\, Paris`) || !strings.Contains(c, "SUMMARY:Dîner d'équipe") {
					t.Errorf("quoted-printable text not kept:\n%s", c)
				}
			}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cs := newCalServer(t, nil)
			st, err := cs.receive(&Receiver{Logger: quiet}, fixture(t, tc.file), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if len(st) != len(tc.users) {
				t.Errorf("statuses %v", st)
			}
			for _, u := range tc.users {
				if got := st["mailto:"+u+"@example.org"]; got != schedule.StatusDelivered {
					t.Errorf("%s: status %q", u, got)
				}
				p := cs.copyPath("/"+u+"/", tc.uid)
				if !strings.HasPrefix(p, "/"+u+"/calendars/") {
					t.Fatalf("%s has no copy (%q)", u, p)
				}
				c := cs.get(u, p)
				if !strings.Contains(c, "ORGANIZER") || !strings.HasSuffix(line(c, "ORGANIZER", tc.organizer), tc.organizer) {
					t.Errorf("%s's copy has another ORGANIZER:\n%s", u, c)
				}
				if ps := param(line(c, "ATTENDEE", "mailto:"+u+"@example.org"), "PARTSTAT"); ps != "NEEDS-ACTION" {
					t.Errorf("%s's PARTSTAT %q", u, ps)
				}
				tc.check(t, c)
				items := cs.inbox(u)
				if len(items) != 1 || !strings.Contains(items[0], "METHOD:REQUEST") || !strings.Contains(items[0], "UID:"+tc.uid) {
					t.Errorf("%s's inbox: %q", u, items)
				}
			}
			if m := cs.mails(); len(m) != 0 {
				t.Errorf("incoming mail was relayed: %q", m)
			}
		})
	}
}

// TestInboundCancelFromExchange cancels, with the windows-1252 fixture, an
// invitation Erin sent earlier.
func TestInboundCancelFromExchange(t *testing.T) {
	cs := newCalServer(t, nil)
	const uid = "040000008200E00074C5B7101A82E0080000000011223344"
	invite := "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" +
		"ORGANIZER;CN=Erin Exchange:mailto:erin@corp.example\r\n" +
		"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Bob:mailto:bob@example.org\r\n" +
		"SUMMARY:Kickoff\r\nDTSTART:20261214T090000Z\r\nDTEND:20261214T100000Z\r\nUID:" + uid + "\r\n" +
		"SEQUENCE:1\r\nDTSTAMP:20261105T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	st, err := cs.h.ProcessIncoming(context.Background(), "mailto:erin@corp.example", []string{bobAddr}, mustMessage(t, invite))
	if err != nil || st[bobAddr] != schedule.StatusDelivered {
		t.Fatalf("invitation: %v %v", st, err)
	}
	st, err = cs.receive(&Receiver{Logger: quiet}, fixture(t, "exchange-cancel-cp1252.eml"), Envelope{})
	if err != nil || st[bobAddr] != schedule.StatusDelivered {
		t.Fatalf("cancel: %v %v", st, err)
	}
	c := cs.get("bob", cs.copyPath("/bob/", uid))
	if !strings.Contains(c, "STATUS:CANCELLED") || !strings.Contains(c, "SEQUENCE:2") {
		t.Errorf("copy not cancelled:\n%s", c)
	}
	if items := cs.inbox("bob"); len(items) != 2 || !strings.Contains(items[0]+items[1], "METHOD:CANCEL") {
		t.Errorf("inbox %q", items)
	}
}

// TestInboundRepliesFromClients applies Thunderbird's and Outlook's
// (ORGANIZER-less) replies to Alice's events: the attendee's PARTSTAT and
// SCHEDULE-STATUS in her copy, the REPLY in her inbox, and the other
// attendees refreshed (Bob locally, Zoe by mail).
func TestInboundRepliesFromClients(t *testing.T) {
	for _, tc := range []struct {
		file, uid, attendee, partstat string
		env                           Envelope
	}{
		{file: "thunderbird-reply.eml", uid: tbReplyUID, attendee: "mailto:dave@tb.example", partstat: "TENTATIVE"},
		{file: "outlook-reply.eml", uid: outlookReplyUID, attendee: "mailto:erin@corp.example", partstat: "ACCEPTED",
			env: Envelope{MailFrom: "bounces+erin@mail.corp.example", Recipients: []string{"alice@example.org"}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cs := newCalServer(t, nil)
			cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tc.uid, tc.attendee, "20261204T140000Z"))
			invited := len(cs.mails())
			st, err := cs.receive(&Receiver{Logger: quiet}, fixture(t, tc.file), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if len(st) != 1 || st[aliceAddr] != schedule.StatusDelivered {
				t.Fatalf("statuses %v", st)
			}
			org := cs.get("alice", "/alice/calendars/default/ev.ics")
			l := line(org, "ATTENDEE", tc.attendee)
			if param(l, "PARTSTAT") != tc.partstat || param(l, "SCHEDULE-STATUS") != "2.0" {
				t.Errorf("organizer's copy: %q\n%s", l, org)
			}
			if items := cs.inbox("alice"); len(items) != 1 || !strings.Contains(items[0], "METHOD:REPLY") {
				t.Errorf("alice's inbox %q", items)
			}
			bob := cs.get("bob", cs.copyPath("/bob/", tc.uid))
			if got := param(line(bob, "ATTENDEE", tc.attendee), "PARTSTAT"); got != tc.partstat {
				t.Errorf("bob's copy not refreshed: PARTSTAT %q", got)
			}
			if got := cs.mails()[invited:]; len(got) != 1 || got[0] != "REQUEST mailto:zoe@remote.example" {
				t.Errorf("refreshes by mail %q", got)
			}
		})
	}
}

// TestInboundCounterListingEveryAttendee files Outlook's "propose new
// time", a COUNTER that lists every attendee (RFC 5546 §3.2.7 allows
// that), in the organizer's inbox as coming from the attendee the mail is
// from; her copy does not change. The same COUNTER mailed by someone it
// does not list is refused as spoofed.
func TestInboundCounterListingEveryAttendee(t *testing.T) {
	const uid = "040000008200E00074C5B7101A82E00800000000B1C2D3E4F5A6B7010000000000000000100000000FEDCBA0987654321"
	cs := newCalServer(t, nil)
	r := &Receiver{Logger: quiet}
	cs.put("alice", "/alice/calendars/default/ol.ics", answeredEvent(uid, "mailto:erin@corp.example", "20261207T080000Z"))
	st, err := cs.receive(r, fixture(t, "outlook-counter.eml"), Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[aliceAddr] != schedule.StatusDelivered {
		t.Fatalf("statuses %v", st)
	}
	items := cs.inbox("alice")
	if len(items) != 1 || !strings.Contains(items[0], "METHOD:COUNTER") || !strings.Contains(items[0], "afternoon") {
		t.Fatalf("alice's inbox %q", items)
	}
	if got := cs.get("alice", "/alice/calendars/default/ol.ics"); !strings.Contains(got, "DTSTART:20261207T080000Z") {
		t.Errorf("the COUNTER changed the organizer's copy:\n%s", got)
	}

	// The same proposal from someone it does not list.
	forged := bytes.ReplaceAll(fixture(t, "outlook-counter.eml"), []byte("From: Erin Exchange <erin@corp.example>"), []byte("From: <mallory@corp.example>"))
	if _, err := cs.receive(r, forged, Envelope{}); !errors.Is(err, ErrSpoofed) {
		t.Errorf("COUNTER from someone it does not list: %v, want ErrSpoofed", err)
	}
	if n := len(cs.inbox("alice")); n != 1 {
		t.Errorf("alice's inbox holds %d items, want 1", n)
	}
}

// TestInboundRefusesImpostors: a spoofed mail is refused before anything
// changes; a correctly sent REPLY from someone who is not an attendee, or
// a REQUEST hijacking an existing UID, is refused by the middleware (3.8).
func TestInboundRefusesImpostors(t *testing.T) {
	cs := newCalServer(t, nil)
	r := &Receiver{Logger: quiet}
	cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))
	if _, err := cs.receive(r, fixture(t, "google-request.eml"), Envelope{MailFrom: "gina@gmail.example", Recipients: []string{"bob@example.org"}}); err != nil {
		t.Fatal(err)
	}
	before := cs.state()

	for name, mail := range map[string][]byte{
		"reply with forged From":  replace(t, "thunderbird-reply.eml", "From: Dave Remote <dave@tb.example>", "From: Mallory <mallory@evil.example>"),
		"invite with forged From": replace(t, "google-request.eml", "From: Gina Google <gina@gmail.example>", "From: <mallory@evil.example>"),
	} {
		_, err := cs.receive(r, mail, Envelope{})
		if !errors.Is(err, ErrSpoofed) {
			t.Errorf("%s: %v, want ErrSpoofed", name, err)
		}
	}
	if _, err := cs.receive(r, fixture(t, "thunderbird-reply.eml"), Envelope{MailFrom: "mallory@evil.example"}); !errors.Is(err, ErrSpoofed) {
		t.Errorf("foreign envelope sender: %v", err)
	}

	// Mallory sends as herself: the mail is authentic, but she is not
	// invited, and does not organize Gina's event.
	crasher := bytes.ReplaceAll(fixture(t, "thunderbird-reply.eml"), []byte("dave@tb.example"), []byte("mallory@tb.example"))
	st, err := cs.receive(r, crasher, Envelope{})
	if err != nil || st[aliceAddr] != schedule.StatusNoPrivilege {
		t.Errorf("REPLY from a non-attendee: %v %v", st, err)
	}
	hijack := bytes.ReplaceAll(fixture(t, "google-request.eml"), []byte("gina@gmail.example"), []byte("mallory@gmail.example"))
	hijack = bytes.Replace(hijack, []byte("SEQUENCE:0"), []byte("SEQUENCE:7"), 1)
	st, err = cs.receive(r, hijack, Envelope{})
	if err != nil || st[bobAddr] != schedule.StatusNoPrivilege {
		t.Errorf("REQUEST from another organizer: %v %v", st, err)
	}
	if after := cs.state(); after != before {
		t.Errorf("refused mail changed the store:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// TestInboundOverSMTP runs the real exchange: an SMTP client hands the
// fixtures to an in-process go-smtp server running Receiver.SMTPBackend
// on the middleware, and the results are read back over CalDAV.
func TestInboundOverSMTP(t *testing.T) {
	cs := newCalServer(t, nil)
	addr := serveReceiver(t, &Receiver{Logger: quiet}, cs.h)
	cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))

	if err := submit(t, addr, "olga@tb.example", []string{"bob@example.org", "carol@example.org"}, fixture(t, "thunderbird-request.eml")); err != nil {
		t.Fatalf("invitation: %v", err)
	}
	for _, u := range []string{"bob", "carol"} {
		p := cs.copyPath("/"+u+"/", "7d1c2f0e-5a3b-4c8e-9f11-thunderbird-test")
		if p == "" {
			t.Fatalf("%s has no copy", u)
		}
		if c := cs.get(u, p); !strings.Contains(c, "SUMMARY:Quarterly planning") {
			t.Errorf("%s's copy:\n%s", u, c)
		}
		n := 0
		for _, it := range cs.inbox(u) {
			if strings.Contains(it, "UID:7d1c2f0e-5a3b-4c8e-9f11-thunderbird-test") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s's inbox: %d items for the invitation", u, n)
		}
	}
	if err := submit(t, addr, "dave@tb.example", []string{"alice@example.org"}, fixture(t, "thunderbird-reply.eml")); err != nil {
		t.Fatalf("reply: %v", err)
	}
	org := cs.get("alice", "/alice/calendars/default/ev.ics")
	if got := param(line(org, "ATTENDEE", "mailto:dave@tb.example"), "PARTSTAT"); got != "TENTATIVE" {
		t.Errorf("reply over SMTP: PARTSTAT %q", got)
	}

	before := cs.state()
	spoofed := replace(t, "thunderbird-reply.eml", "From: Dave Remote <dave@tb.example>", "From: <mallory@evil.example>")
	var se *smtp.SMTPError
	if err := submit(t, addr, "mallory@evil.example", []string{"alice@example.org"}, spoofed); !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("spoofed reply: %v, want 550", err)
	}
	if after := cs.state(); after != before {
		t.Errorf("spoofed mail changed the store:\n%s\n%s", before, after)
	}
}

// lmtpSend delivers mail over LMTP and returns the reply code per
// recipient.
func lmtpSend(t *testing.T, addr, from string, to []string, mail []byte) map[string]int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mta.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(mail); err != nil {
		t.Fatal(err)
	}
	resp, err := w.CloseWithLMTPResponse()
	codes := map[string]int{}
	for r := range resp {
		codes[r] = 250
	}
	var lerr smtp.LMTPDataError
	if errors.As(err, &lerr) {
		for r, se := range lerr {
			codes[r] = se.Code
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return codes
}

// TestInboundRepliesPerRecipient checks the SMTP and LMTP replies after
// processing: per recipient over LMTP, one over SMTP; a temporary
// failure is answered 451 and the mail sent again is delivered once.
func TestInboundRepliesPerRecipient(t *testing.T) {
	cs := newCalServer(t, nil)
	r := &Receiver{Logger: quiet}
	smtpAddr := serveReceiver(t, r, cs.h)
	lmtpAddr := serveBackend(t, r.SMTPBackend(cs.h), true)
	const uid = "7d1c2f0e-5a3b-4c8e-9f11-thunderbird-test"

	// Carl is invited but has no account here: 550 5.1.1 for him alone.
	toCarl := bytes.ReplaceAll(fixture(t, "thunderbird-request.eml"), []byte("carol@example.org"), []byte("carl@example.org"))
	codes := lmtpSend(t, lmtpAddr, "olga@tb.example", []string{"bob@example.org", "carl@example.org"}, toCarl)
	if codes["bob@example.org"] != 250 || codes["carl@example.org"] != 550 {
		t.Errorf("LMTP replies %v", codes)
	}
	if cs.copyPath("/bob/", uid) == "" {
		t.Error("bob got no copy")
	}

	// An authentic REPLY from someone Alice did not invite: 550 5.7.1.
	cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))
	before := cs.state()
	crasher := bytes.ReplaceAll(fixture(t, "thunderbird-reply.eml"), []byte("dave@tb.example"), []byte("mallory@tb.example"))
	var se *smtp.SMTPError
	if err := submit(t, smtpAddr, "mallory@tb.example", []string{"alice@example.org"}, crasher); !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 1}) {
		t.Errorf("REPLY from a non-attendee: %v", err)
	}
	if codes := lmtpSend(t, lmtpAddr, "mallory@tb.example", []string{"alice@example.org"}, crasher); codes["alice@example.org"] != 550 {
		t.Errorf("LMTP: REPLY from a non-attendee: %v", codes)
	}
	if cs.state() != before {
		t.Error("the refused REPLY changed the store")
	}

	// The store fails: 451, nothing delivered; the MTA's retry succeeds
	// and Alice's inbox gets the REPLY once.
	cs.failPuts.Store(true)
	if err := submit(t, smtpAddr, "dave@tb.example", []string{"alice@example.org"}, fixture(t, "thunderbird-reply.eml")); !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("store down: %v, want 451", err)
	}
	if codes := lmtpSend(t, lmtpAddr, "dave@tb.example", []string{"alice@example.org"}, fixture(t, "thunderbird-reply.eml")); codes["alice@example.org"] != 451 {
		t.Errorf("LMTP, store down: %v", codes)
	}
	cs.failPuts.Store(false)
	for i := 0; i < 2; i++ { // the retry, and a second copy of the mail
		if err := submit(t, smtpAddr, "dave@tb.example", []string{"alice@example.org"}, fixture(t, "thunderbird-reply.eml")); err != nil {
			t.Fatalf("retry %d: %v", i, err)
		}
	}
	org := cs.get("alice", "/alice/calendars/default/ev.ics")
	if got := param(line(org, "ATTENDEE", "mailto:dave@tb.example"), "PARTSTAT"); got != "TENTATIVE" {
		t.Errorf("PARTSTAT after the retry %q", got)
	}
	if items := cs.inbox("alice"); len(items) != 1 {
		t.Errorf("alice's inbox: %d items, want 1", len(items))
	}
}
