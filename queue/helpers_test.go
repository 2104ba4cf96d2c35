package queue_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/queue"
)

// quiet is a logger that drops everything, for tests that fail on purpose.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// organizerEvent is alice's recurring event with remote attendees, one
// override, and SCHEDULE-STATUS pending for each attendee.
func organizerEvent(uid string, attendees ...string) []byte {
	var att []string
	for _, a := range attendees {
		att = append(att, "ATTENDEE;SCHEDULE-STATUS=1.0:"+a)
	}
	comp := func(extra ...string) []string {
		l := []string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20260101T000000Z", "SEQUENCE:0",
			"ORGANIZER:mailto:alice@example.com"}
		l = append(l, extra...)
		l = append(l, att...)
		return append(l, "SUMMARY:Planning", "END:VEVENT")
	}
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}
	lines = append(lines, comp("DTSTART:20260310T100000Z", "DTEND:20260310T110000Z", "RRULE:FREQ=WEEKLY;COUNT=4")...)
	lines = append(lines, comp("RECURRENCE-ID:20260317T100000Z", "DTSTART:20260317T120000Z", "DTEND:20260317T130000Z")...)
	lines = append(lines, "END:VCALENDAR", "")
	return []byte(strings.Join(lines, "\r\n"))
}

// env is a memory store with alice and one event at path, whose invitation
// to each attendee is queued with the object write.
type env struct {
	ctx   context.Context
	store *memory.Store
	path  string
	msgs  []backend.OutboundMessage
	clock *clock
}

func newEnv(t testing.TB, attendees ...string) *env {
	t.Helper()
	ctx := context.Background()
	s := memory.New()
	alice := backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")
	if err := s.Provision(ctx, alice); err != nil {
		t.Fatal(err)
	}
	cal, err := s.DefaultCalendar(ctx, alice.Path)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, store: s, path: cal + "planning.ics", clock: newClock()}
	for i, a := range attendees {
		e.msgs = append(e.msgs, backend.OutboundMessage{
			ID: fmt.Sprintf("msg-%d@test.example", i), Sender: alice.Path, ObjectPath: e.path, UID: "planning",
			Recipient: a, Method: "REQUEST", Supersedes: true, Enqueued: e.clock.Now(),
			Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
		})
	}
	if _, err := s.PutObjectEnqueue(ctx, e.path, organizerEvent("planning", attendees...),
		&backend.PutOptions{ScheduleTag: "tag-1"}, e.msgs); err != nil {
		t.Fatal(err)
	}
	return e
}

// worker returns a worker over e's store with the test clock.
func (e *env) worker(t testing.TB, s queue.Sender, mod func(*queue.Config)) *queue.Worker {
	t.Helper()
	cfg := queue.Config{
		Outbox: e.store, Store: e.store, Sender: s, Now: e.clock.Now, Logger: quiet,
		Lease: time.Minute, Backoff: queue.Backoff{Min: time.Second, Max: 10 * time.Second, Jitter: -1},
		MaxAttempts: 5, PollInterval: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	w, err := queue.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// statuses returns the SCHEDULE-STATUS of addr on each component of the
// stored object, and its Schedule-Tag.
func (e *env) statuses(t testing.TB, addr string) ([]string, string) {
	t.Helper()
	o, err := e.store.Object(e.ctx, e.path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Decode(o.Data)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cal.Children {
		for _, p := range c.Props["ATTENDEE"] {
			if strings.EqualFold(p.Value, addr) {
				out = append(out, p.Params.Get("SCHEDULE-STATUS"))
			}
		}
	}
	return out, o.ScheduleTag
}

// wantStatus fails unless every component records code for addr and the
// Schedule-Tag is still tag-1.
func (e *env) wantStatus(t testing.TB, addr, code string) {
	t.Helper()
	got, tag := e.statuses(t, addr)
	if len(got) != 2 || got[0] != code || got[1] != code {
		t.Errorf("SCHEDULE-STATUS of %s = %v, want %s on both components", addr, got, code)
	}
	if tag != "tag-1" {
		t.Errorf("Schedule-Tag = %q after a status write-back, want it unchanged (tag-1)", tag)
	}
}

// queued reports how many messages remain in e's queue.
func (e *env) queued(t testing.TB) int {
	t.Helper()
	n := 0
	for _, m := range e.msgs {
		k, err := e.store.Queued(e.ctx, m.UID, m.Recipient)
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// recorder is a Sender that counts sends per ID and fails as script says.
type recorder struct {
	mu     sync.Mutex
	sends  map[string]int
	script func(m *backend.OutboundMessage, n int) error // n: sends of m.ID so far, this one included
}

func newRecorder(script func(m *backend.OutboundMessage, n int) error) *recorder {
	return &recorder{sends: map[string]int{}, script: script}
}

func (r *recorder) Send(ctx context.Context, m *backend.OutboundMessage) error {
	r.mu.Lock()
	r.sends[m.ID]++
	n := r.sends[m.ID]
	r.mu.Unlock()
	if r.script != nil {
		return r.script(m, n)
	}
	return nil
}

func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sends[id]
}

// process runs one Process round and fails the test on error.
func process(t testing.TB, w *queue.Worker) int {
	t.Helper()
	n, err := w.Process(context.Background())
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return n
}
