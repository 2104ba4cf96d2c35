package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// TestUpgradeFromVersion3 opens a database written before calendars had a
// time zone and principals an availability: a calendar of then reads with
// no time zone and takes one, and availability can be set.
func TestUpgradeFromVersion3(t *testing.T) {
	ctx := context.Background()
	cases := upgradeCases(ctx)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dsn, old := c.createAt(t, 3)
			var pid int64
			if err := old.QueryRow(`INSERT INTO principals (path, display_name, type, home_path, inbox_path, outbox_path)
				VALUES ('/alice/', 'Alice', 'INDIVIDUAL', '/alice/calendars/', '/alice/inbox/', '/alice/outbox/') RETURNING id`).Scan(&pid); err != nil {
				t.Fatal(err)
			}
			if _, err := old.Exec(c.d.rebind(`INSERT INTO calendars (principal_id, path, display_name, description, components, transparent, max_resource_size)
				VALUES (?, '/alice/calendars/work/', 'Work', '', '[]', ?, 0)`), pid, false); err != nil {
				t.Fatal(err)
			}
			old.Close()

			s, err := c.open(dsn)
			if err != nil {
				t.Fatalf("open a version-3 database: %v", err)
			}
			defer s.Close()
			if v := schemaVersion(t, s); v != SchemaVersion {
				t.Fatalf("upgraded database at version %d, want %d", v, SchemaVersion)
			}
			cal, err := s.Calendar(ctx, "/alice/calendars/work/")
			if err != nil {
				t.Fatal(err)
			}
			if cal.TimeZone != "" || cal.DisplayName != "Work" {
				t.Errorf("calendar of version 3 read as %+v", cal)
			}
			berlin, err := backend.TimeZoneForID("Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			cal.TimeZone = berlin
			if err := s.UpdateCalendar(ctx, cal); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Calendar(ctx, cal.Path); err != nil || got.TimeZone != berlin {
				t.Errorf("time zone after the upgrade: %v, %q", err, got.TimeZone)
			}
			if _, err := s.Availability(ctx, "/alice/"); !errors.Is(err, backend.ErrNotFound) {
				t.Errorf("availability after the upgrade: %v, want ErrNotFound", err)
			}
			avail := []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
			if err := s.SetAvailability(ctx, "/alice/", avail); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Availability(ctx, "/alice/"); err != nil || string(got) != string(avail) {
				t.Errorf("availability = %q, %v", got, err)
			}
		})
	}
}
