package backendtest

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func runCalendars(t *testing.T, newStore NewStore) {
	t.Run("Provision/CreatesDefault", func(t *testing.T) {
		f := newFixture(t, newStore)
		cal, err := f.s.Calendar(f.ctx, f.aliceCal)
		noErr(t, "Calendar(default)", err)
		if cal.Owner != f.alice.Path {
			t.Errorf("default calendar owner = %q, want %q", cal.Owner, f.alice.Path)
		}
		// Provision is idempotent: no second calendar, same default.
		noErr(t, "Provision again", backend.Provision(f.ctx, f.s, f.alice))
		cals, err := f.s.Calendars(f.ctx, f.alice.Path)
		noErr(t, "Calendars", err)
		if len(cals) != 1 || cals[0].Path != f.aliceCal {
			t.Errorf("Calendars after second Provision = %+v, want only %s", cals, f.aliceCal)
		}
	})
	t.Run("CreateCalendar/PropertiesRoundTrip", func(t *testing.T) {
		f := newFixture(t, newStore)
		want := backend.Calendar{
			Path:                f.alice.HomePath + "work/",
			Owner:               f.alice.Path,
			DisplayName:         "Work",
			Description:         "Work things",
			SupportedComponents: []string{"VEVENT"},
			Transparent:         true,
			MaxResourceSize:     4096,
		}
		in := want
		in.SupportedComponents = append([]string(nil), want.SupportedComponents...)
		noErr(t, "CreateCalendar", f.s.CreateCalendar(f.ctx, &in))
		in.SupportedComponents[0] = "VTODO" // must not reach the store
		got, err := f.s.Calendar(f.ctx, want.Path)
		noErr(t, "Calendar", err)
		sameCalendar(t, got, &want)
		got.SupportedComponents[0] = "VJOURNAL"
		again, err := f.s.Calendar(f.ctx, want.Path)
		noErr(t, "Calendar", err)
		sameCalendar(t, again, &want)
	})
	t.Run("CreateCalendar/Errors", func(t *testing.T) {
		f := newFixture(t, newStore)
		err := f.s.CreateCalendar(f.ctx, &backend.Calendar{Path: f.aliceCal, Owner: f.alice.Path})
		wantErr(t, "CreateCalendar(existing)", err, backend.ErrExists)
		err = f.s.CreateCalendar(f.ctx, &backend.Calendar{Path: "/carol/calendars/x/", Owner: "/carol/"})
		wantErr(t, "CreateCalendar(unknown owner)", err, backend.ErrNotFound)
		for _, p := range []string{
			f.bob.HomePath + "stolen/",        // in another principal's home
			f.alice.HomePath + "a/b/",         // not a direct child of home
			f.alice.InboxPath,                 // the scheduling inbox
			f.alice.OutboxPath,                // the scheduling outbox
			f.alice.HomePath,                  // the home itself
			f.alice.HomePath + "x",            // no trailing slash
			f.alice.HomePath + "../evil/",     // not clean
			f.alice.HomePath + "with space/x", // an object path
		} {
			err := f.s.CreateCalendar(f.ctx, &backend.Calendar{Path: p, Owner: f.alice.Path})
			wantErr(t, "CreateCalendar("+p+")", err, backend.ErrInvalidPath)
		}
	})
	t.Run("Calendars/ListsOwnOnly", func(t *testing.T) {
		f := newFixture(t, newStore)
		work := f.newCalendar(t, f.alice, "work", "VEVENT")
		tasks := f.newCalendar(t, f.alice, "tasks", "VTODO")
		cals, err := f.s.Calendars(f.ctx, f.alice.Path)
		noErr(t, "Calendars", err)
		got := map[string]backend.Calendar{}
		for _, c := range cals {
			got[c.Path] = c
		}
		if len(cals) != 3 || got[work].Path == "" || got[tasks].Path == "" || got[f.aliceCal].Path == "" {
			t.Errorf("Calendars(alice) = %+v, want %s, %s and %s", cals, f.aliceCal, work, tasks)
		}
		if c := got[tasks]; len(c.SupportedComponents) != 1 || c.SupportedComponents[0] != "VTODO" {
			t.Errorf("Calendars: tasks SupportedComponents = %q, want [VTODO]", c.SupportedComponents)
		}
		bobs, err := f.s.Calendars(f.ctx, f.bob.Path)
		noErr(t, "Calendars(bob)", err)
		if len(bobs) != 1 || bobs[0].Path != f.bobCal {
			t.Errorf("Calendars(bob) = %+v, want only %s", bobs, f.bobCal)
		}
		_, err = f.s.Calendars(f.ctx, "/carol/")
		wantErr(t, "Calendars(unknown principal)", err, backend.ErrNotFound)
	})
	t.Run("Calendar/NotFound", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, p := range []string{f.alice.HomePath + "nope/", f.alice.InboxPath, f.alice.HomePath, "/nope/"} {
			_, err := f.s.Calendar(f.ctx, p)
			wantErr(t, "Calendar("+p+")", err, backend.ErrNotFound)
		}
	})
	t.Run("UpdateCalendar/TransparentRoundTrip", func(t *testing.T) {
		f := newFixture(t, newStore)
		cal, err := f.s.Calendar(f.ctx, f.aliceCal)
		noErr(t, "Calendar", err)
		if cal.Transparent {
			t.Errorf("new default calendar is transparent")
		}
		for _, transp := range []bool{true, false, true} {
			cal.Transparent = transp
			cal.DisplayName = "Renamed"
			cal.Description = "desc"
			cal.SupportedComponents = []string{"VEVENT", "VTODO", "VJOURNAL"}
			noErr(t, "UpdateCalendar", f.s.UpdateCalendar(f.ctx, cal))
			got, err := f.s.Calendar(f.ctx, f.aliceCal)
			noErr(t, "Calendar", err)
			sameCalendar(t, got, cal)
			list, err := f.s.Calendars(f.ctx, f.alice.Path)
			noErr(t, "Calendars", err)
			if len(list) != 1 || list[0].Transparent != transp {
				t.Errorf("Calendars after UpdateCalendar(Transparent=%v) = %+v", transp, list)
			}
		}
		err = f.s.UpdateCalendar(f.ctx, &backend.Calendar{Path: f.alice.HomePath + "nope/", Owner: f.alice.Path})
		wantErr(t, "UpdateCalendar(unknown)", err, backend.ErrNotFound)
	})
	t.Run("DefaultCalendar/SetAndGet", func(t *testing.T) {
		f := newFixture(t, newStore)
		work := f.newCalendar(t, f.alice, "work")
		noErr(t, "SetDefaultCalendar", f.s.SetDefaultCalendar(f.ctx, f.alice.Path, work))
		got, err := f.s.DefaultCalendar(f.ctx, f.alice.Path)
		noErr(t, "DefaultCalendar", err)
		if got != work {
			t.Errorf("DefaultCalendar = %q, want %q", got, work)
		}
		err = f.s.SetDefaultCalendar(f.ctx, f.alice.Path, f.bobCal)
		wantErr(t, "SetDefaultCalendar(bob's calendar)", err, backend.ErrNotFound)
		err = f.s.SetDefaultCalendar(f.ctx, f.alice.Path, f.alice.HomePath+"nope/")
		wantErr(t, "SetDefaultCalendar(missing calendar)", err, backend.ErrNotFound)
		err = f.s.SetDefaultCalendar(f.ctx, "/carol/", work)
		wantErr(t, "SetDefaultCalendar(unknown principal)", err, backend.ErrNotFound)
		_, err = f.s.DefaultCalendar(f.ctx, "/carol/")
		wantErr(t, "DefaultCalendar(unknown principal)", err, backend.ErrNotFound)
		if got, _ := f.s.DefaultCalendar(f.ctx, f.alice.Path); got != work {
			t.Errorf("DefaultCalendar after refused changes = %q, want %q", got, work)
		}
	})
	t.Run("DeleteCalendar/RemovesObjectsAndDefault", func(t *testing.T) {
		f := newFixture(t, newStore)
		obj := f.aliceCal + "a.ics"
		f.put(t, obj, event("del-uid", "20260310T100000Z", "20260310T110000Z"))
		noErr(t, "DeleteCalendar", f.s.DeleteCalendar(f.ctx, f.aliceCal))
		_, err := f.s.Calendar(f.ctx, f.aliceCal)
		wantErr(t, "Calendar after delete", err, backend.ErrNotFound)
		_, err = f.s.Object(f.ctx, obj)
		wantErr(t, "Object after calendar delete", err, backend.ErrNotFound)
		_, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "del-uid")
		wantErr(t, "ObjectByUID after calendar delete", err, backend.ErrNotFound)
		_, err = f.s.DefaultCalendar(f.ctx, f.alice.Path)
		wantErr(t, "DefaultCalendar after deleting it", err, backend.ErrNotFound)
		_, err = f.s.Objects(f.ctx, f.aliceCal)
		wantErr(t, "Objects after calendar delete", err, backend.ErrNotFound)
		wantErr(t, "DeleteCalendar again", f.s.DeleteCalendar(f.ctx, f.aliceCal), backend.ErrNotFound)
		// The path can be used again, and starts empty.
		f.newCalendar(t, f.alice, backend.DefaultCalendarName)
		objs, err := f.s.Objects(f.ctx, f.aliceCal)
		noErr(t, "Objects of recreated calendar", err)
		if len(objs) != 0 {
			t.Errorf("recreated calendar holds %d objects, want 0", len(objs))
		}
		f.put(t, f.aliceCal+"b.ics", event("del-uid", "20260310T100000Z", "20260310T110000Z"))
	})
}

func sameCalendar(t *testing.T, got, want *backend.Calendar) {
	t.Helper()
	same := got.Path == want.Path && got.Owner == want.Owner && got.DisplayName == want.DisplayName &&
		got.Description == want.Description && got.Transparent == want.Transparent &&
		got.MaxResourceSize == want.MaxResourceSize && got.TimeZone == want.TimeZone &&
		len(got.SupportedComponents) == len(want.SupportedComponents)
	if same {
		for i := range got.SupportedComponents {
			if got.SupportedComponents[i] != want.SupportedComponents[i] {
				same = false
			}
		}
	}
	if !same {
		t.Errorf("calendar = %+v, want %+v", got, want)
	}
}
