package backendtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Store is what the suite tests: the scheduler's storage contract plus the
// directory writer the suite uses to create principals.
type Store interface {
	backend.Store
	backend.DirectoryWriter
}

// NewStore returns a fresh, empty store for one subtest; see the package
// documentation.
type NewStore func(t *testing.T) Store

// Run runs the whole conformance suite against the stores newStore builds,
// as subtests of t grouped by area (Directory, Calendars, Objects,
// TimeRange, Inbox, Concurrency, TimeZone, and RangeRefs, CopyDeliver,
// Outbox and Availability for stores that implement backend.RangeLister,
// backend.CopyDeliverer, backend.Outbox and backend.AvailabilityStore).
func Run(t *testing.T, newStore NewStore) {
	t.Run("Directory", func(t *testing.T) { runDirectory(t, newStore) })
	t.Run("Calendars", func(t *testing.T) { runCalendars(t, newStore) })
	t.Run("Objects", func(t *testing.T) { runObjects(t, newStore) })
	t.Run("TimeRange", func(t *testing.T) { runTimeRange(t, newStore) })
	t.Run("RangeRefs", func(t *testing.T) { runRangeRefs(t, newStore) })
	t.Run("Inbox", func(t *testing.T) { runInbox(t, newStore) })
	t.Run("CopyDeliver", func(t *testing.T) { runCopyDeliver(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { runConcurrency(t, newStore) })
	t.Run("Outbox", func(t *testing.T) { runOutbox(t, newStore) })
	t.Run("TimeZone", func(t *testing.T) { runTimeZone(t, newStore) })
	t.Run("Availability", func(t *testing.T) { runAvailability(t, newStore) })
}

// fixture is a store with two provisioned principals.
type fixture struct {
	ctx        context.Context
	s          Store
	alice, bob *backend.Principal
	aliceCal   string // alice's default calendar
	bobCal     string // bob's default calendar
}

const aliceUUID = "urn:uuid:6f1c2a4e-8b1d-4c6e-9a53-0d2f7e4b9c11"

func newFixture(t *testing.T, newStore NewStore) *fixture {
	t.Helper()
	ctx := context.Background()
	s := newStore(t)
	if s == nil {
		t.Fatal("newStore returned nil")
	}
	alice := backend.NewPrincipal("alice", "Alice Example",
		"mailto:alice@example.com", aliceUUID, "https://cal.example.com/alice/", "alice.alt@example.org")
	bob := backend.NewPrincipal("bob", "Bob Example", "mailto:bob@example.com")
	for _, p := range []*backend.Principal{alice, bob} {
		if err := backend.Provision(ctx, s, p); err != nil {
			t.Fatalf("Provision(%s): %v", p.Path, err)
		}
	}
	f := &fixture{ctx: ctx, s: s, alice: alice, bob: bob}
	f.aliceCal = f.defaultCalendar(t, alice.Path)
	f.bobCal = f.defaultCalendar(t, bob.Path)
	return f
}

func (f *fixture) defaultCalendar(t *testing.T, principal string) string {
	t.Helper()
	p, err := f.s.DefaultCalendar(f.ctx, principal)
	if err != nil {
		t.Fatalf("DefaultCalendar(%s) after Provision: %v", principal, err)
	}
	return p
}

// newCalendar creates a calendar named name in owner's home.
func (f *fixture) newCalendar(t *testing.T, owner *backend.Principal, name string, comps ...string) string {
	t.Helper()
	cal := &backend.Calendar{
		Path:                owner.HomePath + name + "/",
		Owner:               owner.Path,
		DisplayName:         name,
		SupportedComponents: comps,
	}
	if err := f.s.CreateCalendar(f.ctx, cal); err != nil {
		t.Fatalf("CreateCalendar(%s): %v", cal.Path, err)
	}
	return cal.Path
}

// put stores data at path unconditionally and fails the test on error.
func (f *fixture) put(t *testing.T, path string, data []byte) *backend.Object {
	t.Helper()
	o, err := f.s.PutObject(f.ctx, path, data, &backend.PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%s): %v", path, err)
	}
	return o
}

func (f *fixture) get(t *testing.T, path string) *backend.Object {
	t.Helper()
	o, err := f.s.Object(f.ctx, path)
	if err != nil {
		t.Fatalf("Object(%s): %v", path, err)
	}
	return o
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want one matching %v", what, err, target)
	}
}

// noErr fails the test now when err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ics builds a VCALENDAR around components given as lines; lines are
// joined with CRLF.
func ics(lines ...string) []byte {
	all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autoschedule//backendtest//EN"}, lines...)
	all = append(all, "END:VCALENDAR", "")
	return []byte(strings.Join(all, "\r\n"))
}

// event is a VEVENT with the given UID, DTSTART and DTEND values (UTC
// date-times like "20260310T100000Z") and extra property lines.
func event(uid, start, end string, extra ...string) []byte {
	return ics(eventLines(uid, start, end, extra...)...)
}

func eventLines(uid, start, end string, extra ...string) []string {
	l := []string{"BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20260101T000000Z", "DTSTART:" + start}
	if end != "" {
		l = append(l, "DTEND:"+end)
	}
	l = append(l, "SUMMARY:"+uid)
	l = append(l, extra...)
	return append(l, "END:VEVENT")
}

func utc(s string) time.Time {
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		panic("backendtest: bad time literal " + s)
	}
	return t
}

func paths(objs []backend.Object) map[string]bool {
	m := make(map[string]bool, len(objs))
	for _, o := range objs {
		m[o.Path] = true
	}
	return m
}
