package imip_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// printer is a Transport that prints instead of talking SMTP; a server
// uses an *imip.Sender.
type printer struct{}

func (printer) Send(_ context.Context, m *imip.Outgoing) error {
	fmt.Printf("mail to %s: %s\n", m.To, m.Subject)
	return nil
}

// Durable e-mail delivery: the middleware queues the invitation for the
// external attendee with the object (SCHEDULE-STATUS 1.0); a queue.Worker
// sends it through a QueueSender and records 1.1.
func ExampleQueueSender() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := memory.New()
	if err := store.Provision(ctx, backend.NewPrincipal("alice", "Alice", "mailto:alice@example.org")); err != nil {
		panic(err)
	}
	composer, err := imip.NewComposer(imip.ComposerOptions{From: "calendar@example.org"})
	if err != nil {
		panic(err)
	}
	worker, err := queue.New(queue.Config{Outbox: store, Store: store, Logger: quiet,
		Sender: &imip.QueueSender{Composer: composer, Transport: printer{}, Directory: store, Logger: quiet}})
	if err != nil {
		panic(err)
	}
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, &schedule.Options{
		Queue:  &schedule.QueueOptions{Domain: "example.org", Notify: worker.Notify},
		Logger: quiet,
	})

	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\nUID:review-7\r\n" +
		"DTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Design review\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\nATTENDEE:mailto:bob@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	req := httptest.NewRequest("PUT", "/alice/calendars/default/review.ics", strings.NewReader(event))
	req.Header.Set("Content-Type", "text/calendar")
	req = req.WithContext(backend.WithPrincipal(req.Context(), "/alice/"))
	h.ServeHTTP(httptest.NewRecorder(), req)
	fmt.Println("stored with", bobStatus(ctx, store))

	// A server runs the worker with go worker.Run(ctx); one round here.
	if _, err := worker.Process(ctx); err != nil {
		panic(err)
	}
	fmt.Println("then", bobStatus(ctx, store))
	// Output:
	// stored with SCHEDULE-STATUS=1.0
	// mail to bob@example.net: Invitation: Design review
	// then SCHEDULE-STATUS=1.1
}

// bobStatus returns the SCHEDULE-STATUS parameter of Bob's ATTENDEE.
func bobStatus(ctx context.Context, store *memory.Store) string {
	obj, err := store.Object(ctx, "/alice/calendars/default/review.ics")
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(obj.Data), "\r\n ", ""), "\r\n") {
		if i := strings.Index(line, "SCHEDULE-STATUS="); i >= 0 && strings.HasSuffix(line, "bob@example.net") {
			return line[i : i+len("SCHEDULE-STATUS=1.0")]
		}
	}
	return "no status"
}
