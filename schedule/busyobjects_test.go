package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// bernardBusy returns the FREEBUSY lines of bernard's answer to the B.5
// request.
func bernardBusy(t *testing.T, e *env) string {
	t.Helper()
	sr := parseScheduleResponse(t, e.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 200).body)
	for _, r := range sr.Responses {
		if r.Rcpt.Href == "mailto:bernard@example.net" {
			if r.Status != statusSuccess {
				t.Fatalf("bernard: %s", r.Status)
			}
			var lines []string
			for _, l := range strings.Split(unfold(r.Data), "\n") {
				if strings.HasPrefix(l, "FREEBUSY") {
					lines = append(lines, strings.TrimSpace(l))
				}
			}
			return strings.Join(lines, "\n")
		}
	}
	t.Fatal("no answer for bernard")
	return ""
}

// TestFreeBusyPostSeesRewrites: the parsed-object cache never answers
// with an object's earlier version (it is keyed by ETag), through
// writes over HTTP and directly in the store, and a deleted object stops
// counting.
func TestFreeBusyPostSeesRewrites(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090602T150000Z", "20090602T160000Z"))
	if got := bernardBusy(t, e); !strings.Contains(got, "20090602T150000Z/20090602T160000Z") {
		t.Fatalf("first answer:\n%s", got)
	}
	if n, _ := e.h.parsed.stats(); n != 1 {
		t.Errorf("%d objects cached after one answer, want 1", n)
	}
	e.do("bernard", "PUT", "/bernard/calendars/default/c.ics", busyEvent("c", "20090603T080000Z", "20090603T090000Z")).must(t, 204, 201)
	got := bernardBusy(t, e)
	if !strings.Contains(got, "20090603T080000Z/20090603T090000Z") || strings.Contains(got, "20090602T15") {
		t.Fatalf("after a PUT:\n%s", got)
	}
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090603T100000Z", "20090603T110000Z"))
	if got := bernardBusy(t, e); !strings.Contains(got, "20090603T100000Z/20090603T110000Z") || strings.Contains(got, "20090603T08") {
		t.Fatalf("after a store write:\n%s", got)
	}
	e.do("bernard", "DELETE", "/bernard/calendars/default/c.ics", "").must(t, 204)
	if got := bernardBusy(t, e); got != "" {
		t.Fatalf("after DELETE:\n%s", got)
	}
}

// TestFreeBusyPostAvailability: a VAVAILABILITY stored in one of the
// recipient's calendars (RFC 7953 §7) makes the time outside its
// AVAILABLE blocks BUSY-UNAVAILABLE in the free-busy answer; one in a
// transparent calendar does not count.
func TestFreeBusyPostAvailability(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	ctx := context.Background()
	for _, cal := range []backend.Calendar{
		{Path: "/bernard/calendars/avail/", Owner: "/bernard/", SupportedComponents: []string{"VAVAILABILITY"}},
		{Path: "/bernard/calendars/off/", Owner: "/bernard/", SupportedComponents: []string{"VAVAILABILITY"}, Transparent: true},
	} {
		if err := e.store.CreateCalendar(ctx, &cal); err != nil {
			t.Fatal(err)
		}
	}
	availability := func(uid, from, to string) string {
		return icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
			"BEGIN:VAVAILABILITY", "UID:"+uid, "DTSTAMP:20090601T000000Z",
			"DTSTART:20090601T000000Z", "DTEND:20090701T000000Z",
			"BEGIN:AVAILABLE", "UID:"+uid+"-a", "DTSTAMP:20090601T000000Z",
			"DTSTART:20090601T"+from+"Z", "DTEND:20090601T"+to+"Z", "RRULE:FREQ=DAILY",
			"END:AVAILABLE", "END:VAVAILABILITY", "END:VCALENDAR")
	}
	putPlain(t, e, "/bernard/calendars/avail/hours.ics", availability("hours", "090000", "170000"))
	putPlain(t, e, "/bernard/calendars/off/night.ics", availability("night", "000000", "010000"))
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090602T150000Z", "20090602T160000Z"))

	got := bernardBusy(t, e)
	for _, want := range []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20090602T000000Z/20090602T090000Z",
		"20090602T170000Z/20090603T090000Z",
		"20090603T170000Z/20090604T000000Z",
		"FREEBUSY;FBTYPE=BUSY:20090602T150000Z/20090602T160000Z",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "T010000Z") {
		t.Errorf("the transparent calendar's availability counted:\n%s", got)
	}
}

// rangeCountingStore counts whole-range reads and makes the objects in
// vanish look deleted after they were listed.
type rangeCountingStore struct {
	*memory.Store
	rangeReads int
	vanish     map[string]bool
}

func (s *rangeCountingStore) ObjectsInRange(ctx context.Context, cal string, start, end time.Time) ([]backend.Object, error) {
	s.rangeReads++
	return s.Store.ObjectsInRange(ctx, cal, start, end)
}

func (s *rangeCountingStore) Object(ctx context.Context, path string) (*backend.Object, error) {
	if s.vanish[path] {
		return nil, backend.ErrNotFound
	}
	return s.Store.Object(ctx, path)
}

// TestFreeBusyPostReadsOnlyMisses: with a warm cache, an answer lists the
// candidates without their data and reads only the objects written since
// (no whole-range read); an object deleted between listing and reading
// does not count; a cold cache reads the range once.
func TestFreeBusyPostReadsOnlyMisses(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	counting := &rangeCountingStore{Store: e.store, vanish: map[string]bool{}}
	e.h.store = counting
	path := func(i int) string { return fmt.Sprintf("/bernard/calendars/default/c%d.ics", i) }
	for i := 0; i < 8; i++ {
		putPlain(t, e, path(i), busyEvent(fmt.Sprint(i), fmt.Sprintf("20090602T%02d0000Z", 8+i), fmt.Sprintf("20090602T%02d3000Z", 8+i)))
	}
	if got := bernardBusy(t, e); !strings.Contains(got, "20090602T150000Z/20090602T153000Z") {
		t.Fatalf("cold answer:\n%s", got)
	}
	if counting.rangeReads != 1 {
		t.Fatalf("cold cache: %d range reads, want 1", counting.rangeReads)
	}
	putPlain(t, e, path(0), busyEvent("0", "20090603T080000Z", "20090603T083000Z"))
	putPlain(t, e, path(7), busyEvent("7", "20090603T150000Z", "20090603T153000Z"))
	counting.vanish[path(7)] = true // rewritten, then deleted after the listing
	got := bernardBusy(t, e)
	if counting.rangeReads != 1 {
		t.Errorf("warm cache: %d range reads, want still 1", counting.rangeReads)
	}
	for _, want := range []string{"20090603T080000Z/20090603T083000Z", "20090602T090000Z/20090602T093000Z"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	for _, gone := range []string{"20090602T080000Z", "T150000Z"} {
		if strings.Contains(got, gone) {
			t.Errorf("%s still counts:\n%s", gone, got)
		}
	}
}
