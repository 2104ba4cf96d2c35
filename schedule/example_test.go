package schedule_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/schedule"
)

func Example() {
	ctx := context.Background()
	store := memory.New()
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice", "alice@example.com"),
		backend.NewPrincipal("bob", "Bob", "bob@example.com"),
	} {
		if err := store.Provision(ctx, p); err != nil {
			panic(err)
		}
	}
	next := &caldav.Handler{Backend: backend.NewCalDAV(store)}
	h := schedule.New(next, store, nil)
	// A stand-in for real authentication: the Basic-auth user name.
	server := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); ok {
			r = r.WithContext(backend.WithPrincipal(r.Context(), "/"+u+"/"))
		}
		h.ServeHTTP(w, r)
	})

	invite := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//EN",
		"BEGIN:VEVENT", "UID:lunch-1", "DTSTAMP:20250101T090000Z",
		"DTSTART:20250102T120000Z", "DTEND:20250102T130000Z", "SUMMARY:Lunch",
		"ORGANIZER:mailto:alice@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:carol@elsewhere.example",
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	req := httptest.NewRequest("PUT", "/alice/calendars/default/lunch.ics", strings.NewReader(invite))
	req.SetBasicAuth("alice", "secret")
	req.Header.Set("Content-Type", "text/calendar")
	rec := httptest.NewRecorder()
	server.ServeHTTP(rec, req)
	fmt.Println("PUT:", rec.Code, "Schedule-Tag set:", rec.Header().Get("Schedule-Tag") != "")

	// Alice's copy says who got the invitation.
	obj, _ := store.Object(ctx, "/alice/calendars/default/lunch.ics")
	unfolded := strings.ReplaceAll(string(obj.Data), "\r\n ", "")
	for _, line := range strings.Split(unfolded, "\r\n") {
		if strings.Contains(line, "SCHEDULE-STATUS") {
			i := strings.Index(line, "SCHEDULE-STATUS=")
			fmt.Println(line[i:])
		}
	}
	// Bob has his copy and the message in his inbox.
	copyObj, _ := store.ObjectByUID(ctx, "/bob/", "lunch-1")
	items, _ := store.SchedulingObjects(ctx, "/bob/")
	fmt.Println("Bob's copy:", copyObj.Path, "inbox items:", len(items))
	// Output:
	// PUT: 201 Schedule-Tag set: true
	// SCHEDULE-STATUS=1.2:mailto:bob@example.com
	// SCHEDULE-STATUS=3.7:mailto:carol@elsewhere.example
	// Bob's copy: /bob/calendars/default/lunch-1.ics inbox items: 1
}

// Restoring a backup with the Scheduling header of the scheduling-controls
// draft: the data is stored as sent and nobody is invited again.
func Example_schedulingNone() {
	ctx := context.Background()
	store := memory.New()
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice", "alice@example.com"),
		backend.NewPrincipal("bob", "Bob", "bob@example.com"),
	} {
		if err := store.Provision(ctx, p); err != nil {
			panic(err)
		}
	}
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, nil)
	backup := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//EN",
		"BEGIN:VEVENT", "UID:lunch-1", "DTSTAMP:20250101T090000Z",
		"DTSTART:20250102T120000Z", "DTEND:20250102T130000Z", "SUMMARY:Lunch",
		"ORGANIZER:mailto:alice@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=1.2:mailto:bob@example.com",
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	req := httptest.NewRequest("PUT", "/alice/calendars/default/lunch.ics", strings.NewReader(backup))
	req = req.WithContext(backend.WithPrincipal(ctx, "/alice/"))
	req.Header.Set("Content-Type", "text/calendar")
	req.Header.Set("Scheduling", "none")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	obj, _ := store.Object(ctx, "/alice/calendars/default/lunch.ics")
	items, _ := store.SchedulingObjects(ctx, "/bob/")
	fmt.Println("PUT:", rec.Code, "stored as sent:", string(obj.Data) == backup, "Schedule-Tag set:", rec.Header().Get("Schedule-Tag") != "")
	fmt.Println("messages to Bob:", len(items))
	// Output:
	// PUT: 201 stored as sent: true Schedule-Tag set: true
	// messages to Bob: 0
}
