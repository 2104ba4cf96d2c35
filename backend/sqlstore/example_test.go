package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/sqlstore"
)

// A SQLite store in a temporary directory: provision a user, store an
// event in their default calendar, and find it again by UID.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "calendars.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	alice := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.Provision(ctx, alice); err != nil {
		log.Fatal(err)
	}
	cal, err := s.DefaultCalendar(ctx, alice.Path)
	if err != nil {
		log.Fatal(err)
	}
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:lunch-1\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:20260310T120000Z\r\nDTEND:20260310T130000Z\r\nSUMMARY:Lunch\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := s.PutObject(ctx, cal+"lunch.ics", []byte(event), &backend.PutOptions{IfNoneMatch: true}); err != nil {
		log.Fatal(err)
	}

	o, err := s.ObjectByUID(ctx, "/alice/", "lunch-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Path, o.Component, o.First.Format("2006-01-02 15:04"))

	p, err := s.PrincipalByAddress(ctx, "MAILTO:Alice@Example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Path, p.DisplayName)
	// Output:
	// /alice/calendars/default/lunch.ics VEVENT 2026-03-10 12:00
	// /alice/ Alice
}
