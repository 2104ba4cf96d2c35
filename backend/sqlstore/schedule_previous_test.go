package sqlstore

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// TestScheduleQueuePreviousAcrossRestart: the middleware with
// Options.Queue on the SQL store queues an organizer's update with what
// the attendee saw before (OutboundMessage.Previous), in the object's
// transaction; a restarted process claims it with that view, while the
// first invitation carries an empty one.
func TestScheduleQueuePreviousAcrossRestart(t *testing.T) {
	for _, d := range reopeners {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			open := d.make(t)
			s1 := open()
			if err := backend.Provision(ctx, s1, backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")); err != nil {
				t.Fatal(err)
			}
			cal, err := s1.DefaultCalendar(ctx, "/alice/")
			if err != nil {
				t.Fatal(err)
			}
			path := cal + "review.ics"
			event := func(start, room string) string {
				return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:review\r\n" +
					"DTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:Review\r\n" +
					"LOCATION:" + room + "\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:erin@remote.example\r\n" +
					"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:soon\r\nEND:VALARM\r\n" +
					"END:VEVENT\r\nEND:VCALENDAR\r\n"
			}
			srv := scheduleServer(t, s1)
			if code := request(t, srv, http.MethodPut, path, event("20260310T100000Z", "Room 1")); code != http.StatusCreated {
				t.Fatalf("PUT: %d", code)
			}
			now := time.Now()
			first, err := s1.Claim(ctx, now, 10, time.Minute)
			if err != nil || len(first) != 1 {
				t.Fatalf("Claim of the invitation: %d messages, %v", len(first), err)
			}
			if first[0].Previous == nil || strings.Contains(string(first[0].Previous), "VEVENT") {
				t.Errorf("the invitation carries previous version %q, want an empty calendar", first[0].Previous)
			}
			if err := s1.Complete(ctx, first[0].Lease, first[0].ID); err != nil {
				t.Fatal(err)
			}
			if code := request(t, srv, http.MethodPut, path, event("20260311T140000Z", "Room 2")); code != http.StatusNoContent {
				t.Fatalf("PUT of the update: %d", code)
			}
			s1.Close() // the process dies before any worker ran

			s2 := open()
			got, err := s2.Claim(ctx, now, 10, time.Minute)
			if err != nil || len(got) != 1 {
				t.Fatalf("Claim after the restart: %d messages, %v", len(got), err)
			}
			prev := string(got[0].Previous)
			for _, want := range []string{"DTSTART:20260310T100000Z", "LOCATION:Room 1", "ATTENDEE:mailto:erin@remote.example"} {
				if !strings.Contains(prev, want) {
					t.Errorf("the update's Previous lacks %q:\n%s", want, prev)
				}
			}
			if strings.Contains(prev, "Room 2") || strings.Contains(prev, "VALARM") {
				t.Errorf("the update's Previous is not the attendee's earlier view:\n%s", prev)
			}
			if !strings.Contains(string(got[0].Data), "LOCATION:Room 2") {
				t.Errorf("the update's Data is not the new version:\n%s", got[0].Data)
			}
		})
	}
}
