package backendtest

import (
	"bytes"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// runTimeZone checks that Calendar.TimeZone (calendar-timezone) is kept
// by CreateCalendar, replaced and cleared by UpdateCalendar, and listed
// by Calendars, byte for byte.
func runTimeZone(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	berlin, err := backend.TimeZoneForID("Europe/Berlin")
	noErr(t, "TimeZoneForID(Europe/Berlin)", err)
	tokyo, err := backend.TimeZoneForID("Asia/Tokyo")
	noErr(t, "TimeZoneForID(Asia/Tokyo)", err)

	want := backend.Calendar{Path: f.alice.HomePath + "zoned/", Owner: f.alice.Path, DisplayName: "Zoned", TimeZone: berlin}
	in := want
	noErr(t, "CreateCalendar", f.s.CreateCalendar(f.ctx, &in))
	got, err := f.s.Calendar(f.ctx, want.Path)
	noErr(t, "Calendar", err)
	sameCalendar(t, got, &want)
	if id := got.TimeZoneID(); id != "Europe/Berlin" {
		t.Errorf("TimeZoneID of the stored calendar = %q, want Europe/Berlin", id)
	}

	want.TimeZone = tokyo
	in = want
	noErr(t, "UpdateCalendar(Tokyo)", f.s.UpdateCalendar(f.ctx, &in))
	listed := func(want *backend.Calendar) {
		t.Helper()
		cals, err := f.s.Calendars(f.ctx, f.alice.Path)
		noErr(t, "Calendars", err)
		for i := range cals {
			if cals[i].Path == want.Path {
				sameCalendar(t, &cals[i], want)
				return
			}
		}
		t.Errorf("Calendars does not list %s", want.Path)
	}
	listed(&want)

	want.TimeZone = ""
	in = want
	noErr(t, "UpdateCalendar(no zone)", f.s.UpdateCalendar(f.ctx, &in))
	listed(&want)
	got, err = f.s.Calendar(f.ctx, f.aliceCal)
	noErr(t, "Calendar(default)", err)
	if got.TimeZone != "" {
		t.Errorf("a calendar created without a time zone has %q", got.TimeZone)
	}
}

// runAvailability checks backend.AvailabilityStore: nothing set is
// ErrNotFound, what is set comes back byte for byte and per principal,
// a second set replaces the first, empty data removes it, and an
// unknown principal is ErrNotFound. Stores without it are skipped.
func runAvailability(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	as, ok := f.s.(backend.AvailabilityStore)
	if !ok {
		t.Skip("store does not implement backend.AvailabilityStore")
	}
	_, err := as.Availability(f.ctx, f.alice.Path)
	wantErr(t, "Availability before any set", err, backend.ErrNotFound)
	noErr(t, "removing what is not set", as.SetAvailability(f.ctx, f.alice.Path, nil))

	first := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VAVAILABILITY\r\nUID:a1\r\nDTSTAMP:20260101T000000Z\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n")
	second := bytes.Replace(first, []byte("UID:a1"), []byte("UID:a2"), 1)
	in := bytes.Clone(first)
	noErr(t, "SetAvailability", as.SetAvailability(f.ctx, f.alice.Path, in))
	in[0] = 'X' // must not reach the store
	got, err := as.Availability(f.ctx, f.alice.Path)
	noErr(t, "Availability", err)
	if !bytes.Equal(got, first) {
		t.Errorf("Availability = %q, want %q", got, first)
	}
	_, err = as.Availability(f.ctx, f.bob.Path)
	wantErr(t, "Availability of another principal", err, backend.ErrNotFound)

	noErr(t, "SetAvailability again", as.SetAvailability(f.ctx, f.alice.Path, second))
	if got, err = as.Availability(f.ctx, f.alice.Path); err != nil || !bytes.Equal(got, second) {
		t.Errorf("Availability after replacing = %q, %v; want %q", got, err, second)
	}
	noErr(t, "SetAvailability(bob)", as.SetAvailability(f.ctx, f.bob.Path, first))
	noErr(t, "removing alice's", as.SetAvailability(f.ctx, f.alice.Path, nil))
	_, err = as.Availability(f.ctx, f.alice.Path)
	wantErr(t, "Availability after removing", err, backend.ErrNotFound)
	if got, err = as.Availability(f.ctx, f.bob.Path); err != nil || !bytes.Equal(got, first) {
		t.Errorf("bob's availability after removing alice's = %q, %v", got, err)
	}

	wantErr(t, "SetAvailability of an unknown principal",
		as.SetAvailability(f.ctx, "/nobody/", first), backend.ErrNotFound)
	_, err = as.Availability(f.ctx, "/nobody/")
	wantErr(t, "Availability of an unknown principal", err, backend.ErrNotFound)
}
