package backendtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func runObjects(t *testing.T, newStore NewStore) {
	t.Run("PutObject/CreateAndRead", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		data := event("uid-a", "20260310T100000Z", "20260310T110000Z")
		put := f.put(t, path, data)
		got := f.get(t, path)
		if !bytes.Equal(got.Data, data) {
			t.Errorf("Object data = %q, want the bytes written %q", got.Data, data)
		}
		if got.Path != path || put.Path != path {
			t.Errorf("Object path = %q (PutObject returned %q), want %q", got.Path, put.Path, path)
		}
		if got.ETag == "" || got.ETag != put.ETag {
			t.Errorf("Object ETag = %q, PutObject returned %q: want equal and not empty", got.ETag, put.ETag)
		}
		if strings.ContainsAny(got.ETag, "\" \t\r\n") || strings.HasPrefix(got.ETag, "W/") {
			t.Errorf("ETag %q is quoted, weak or holds white space", got.ETag)
		}
		if got.ModTime.IsZero() {
			t.Errorf("Object ModTime is zero")
		}
		if got.ScheduleTag != "" {
			t.Errorf("ScheduleTag = %q, want none", got.ScheduleTag)
		}
		want, err := backend.MakeIndex(data)
		noErr(t, "MakeIndex", err)
		sameIndex(t, "Object", got.Index, want)
		sameIndex(t, "PutObject result", put.Index, want)
	})
	t.Run("PutObject/EveryWriteNewETag", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		data := event("uid-a", "20260310T100000Z", "20260310T110000Z")
		seen := map[string]bool{}
		for i := 0; i < 5; i++ {
			o := f.put(t, path, data)
			if seen[o.ETag] {
				t.Fatalf("write %d of identical data reused ETag %q", i, o.ETag)
			}
			seen[o.ETag] = true
		}
		// Another object with the same bytes in another calendar: distinct ETag too.
		if o := f.put(t, f.bobCal+"a.ics", data); seen[o.ETag] {
			t.Errorf("object in another calendar got an ETag already used: %q", o.ETag)
		}
	})
	t.Run("PutObject/IfMatch", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		v1 := f.put(t, path, event("uid-a", "20260310T100000Z", "20260310T110000Z"))
		v2data := event("uid-a", "20260310T120000Z", "20260310T130000Z")
		v2, err := f.s.PutObject(f.ctx, path, v2data, &backend.PutOptions{IfMatch: v1.ETag})
		noErr(t, "PutObject(If-Match current)", err)
		if v2.ETag == v1.ETag {
			t.Errorf("ETag unchanged after a write")
		}
		_, err = f.s.PutObject(f.ctx, path, event("uid-a", "20260311T100000Z", ""), &backend.PutOptions{IfMatch: v1.ETag})
		wantErr(t, "PutObject(If-Match stale)", err, backend.ErrPreconditionFailed)
		if got := f.get(t, path); !bytes.Equal(got.Data, v2data) || got.ETag != v2.ETag {
			t.Errorf("a refused conditional write changed the object")
		}
		_, err = f.s.PutObject(f.ctx, f.aliceCal+"missing.ics", event("uid-m", "20260310T100000Z", ""), &backend.PutOptions{IfMatch: v1.ETag})
		wantErr(t, "PutObject(If-Match, nothing stored)", err, backend.ErrNotFound)
		_, err = f.s.Object(f.ctx, f.aliceCal+"missing.ics")
		wantErr(t, "Object after refused If-Match create", err, backend.ErrNotFound)
	})
	t.Run("PutObject/IfNoneMatch", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		data := event("uid-a", "20260310T100000Z", "20260310T110000Z")
		_, err := f.s.PutObject(f.ctx, path, data, &backend.PutOptions{IfNoneMatch: true})
		noErr(t, "PutObject(If-None-Match, new)", err)
		_, err = f.s.PutObject(f.ctx, path, event("uid-a", "20260311T100000Z", ""), &backend.PutOptions{IfNoneMatch: true})
		wantErr(t, "PutObject(If-None-Match, existing)", err, backend.ErrPreconditionFailed)
		if got := f.get(t, path); !bytes.Equal(got.Data, data) {
			t.Errorf("a refused If-None-Match write changed the object")
		}
	})
	t.Run("PutObject/NilOptions", func(t *testing.T) {
		f := newFixture(t, newStore)
		_, err := f.s.PutObject(f.ctx, f.aliceCal+"a.ics", event("uid-a", "20260310T100000Z", ""), nil)
		noErr(t, "PutObject(nil options)", err)
	})
	t.Run("PutObject/ScheduleTag", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		data := event("uid-a", "20260310T100000Z", "20260310T110000Z")
		o, err := f.s.PutObject(f.ctx, path, data, &backend.PutOptions{ScheduleTag: "st-1"})
		noErr(t, "PutObject(Schedule-Tag)", err)
		if o.ScheduleTag != "st-1" || f.get(t, path).ScheduleTag != "st-1" {
			t.Errorf("Schedule-Tag not stored as given: returned %q, stored %q", o.ScheduleTag, f.get(t, path).ScheduleTag)
		}
		if u, _ := f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-a"); u == nil || u.ScheduleTag != "st-1" {
			t.Errorf("ObjectByUID lost the Schedule-Tag: %+v", u)
		}
		f.put(t, path, data)
		if got := f.get(t, path).ScheduleTag; got != "" {
			t.Errorf("Schedule-Tag after a write without one = %q, want none", got)
		}
	})
	t.Run("PutObject/UIDConflictWithinCalendar", func(t *testing.T) {
		f := newFixture(t, newStore)
		f.put(t, f.aliceCal+"a.ics", event("same-uid", "20260310T100000Z", ""))
		_, err := f.s.PutObject(f.ctx, f.aliceCal+"b.ics", event("same-uid", "20260311T100000Z", ""), nil)
		wantErr(t, "PutObject(same UID, other resource, same calendar)", err, backend.ErrUIDConflict)
		_, err = f.s.Object(f.ctx, f.aliceCal+"b.ics")
		wantErr(t, "Object after UID conflict", err, backend.ErrNotFound)
		// Rewriting the resource that holds the UID is fine.
		f.put(t, f.aliceCal+"a.ics", event("same-uid", "20260312T100000Z", ""))
		// The same UID in another principal's calendar, or another calendar, is fine.
		f.put(t, f.bobCal+"b.ics", event("same-uid", "20260310T100000Z", ""))
		work := f.newCalendar(t, f.alice, "work")
		f.put(t, work+"c.ics", event("same-uid", "20260310T100000Z", ""))
		// Changing the UID of a resource frees the old one.
		f.put(t, f.aliceCal+"a.ics", event("other-uid", "20260310T100000Z", ""))
		f.put(t, f.aliceCal+"d.ics", event("same-uid", "20260310T100000Z", ""))
	})
	t.Run("PutObject/Rejects", func(t *testing.T) {
		f := newFixture(t, newStore)
		events := f.newCalendar(t, f.alice, "events", "VEVENT")
		small := &backend.Calendar{Path: f.alice.HomePath + "small/", Owner: f.alice.Path, MaxResourceSize: 200}
		noErr(t, "CreateCalendar(small)", f.s.CreateCalendar(f.ctx, small))
		todo := ics("BEGIN:VTODO", "UID:t1", "DTSTAMP:20260101T000000Z", "SUMMARY:task", "END:VTODO")
		cases := []struct {
			name string
			path string
			data []byte
			want error
		}{
			{"garbage", f.aliceCal + "x.ics", []byte("this is not iCalendar"), backend.ErrInvalidData},
			{"empty", f.aliceCal + "x.ics", nil, backend.ErrInvalidData},
			{"no component", f.aliceCal + "x.ics", ics(), backend.ErrInvalidData},
			{"no UID", f.aliceCal + "x.ics", ics("BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", "DTSTART:20260310T100000Z", "END:VEVENT"), backend.ErrInvalidData},
			{"two UIDs", f.aliceCal + "x.ics", ics(append(eventLines("u1", "20260310T100000Z", ""), eventLines("u2", "20260310T100000Z", "")...)...), backend.ErrInvalidData},
			{"two component types", f.aliceCal + "x.ics", ics(append(eventLines("u1", "20260310T100000Z", ""), "BEGIN:VTODO", "UID:u1", "END:VTODO")...), backend.ErrInvalidData},
			{"METHOD", f.aliceCal + "x.ics", ics(append([]string{"METHOD:REQUEST"}, eventLines("u1", "20260310T100000Z", "")...)...), backend.ErrInvalidData},
			{"unknown TZID", f.aliceCal + "x.ics", ics("BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Nowhere/Nothing:20260310T100000", "END:VEVENT"), backend.ErrInvalidData},
			{"unsupported component", events + "x.ics", todo, backend.ErrUnsupportedComponent},
			{"too large", small.Path + "x.ics", event("u1", "20260310T100000Z", "", "DESCRIPTION:"+strings.Repeat("x", 300)), backend.ErrTooLarge},
			{"missing calendar", f.alice.HomePath + "nope/x.ics", event("u1", "20260310T100000Z", ""), backend.ErrNotFound},
			{"inbox is no calendar", f.alice.InboxPath + "x.ics", event("u1", "20260310T100000Z", ""), backend.ErrNotFound},
			{"bad name", f.aliceCal + "..", event("u1", "20260310T100000Z", ""), backend.ErrInvalidPath},
			{"collection path", f.aliceCal, event("u1", "20260310T100000Z", ""), backend.ErrInvalidPath},
		}
		for _, c := range cases {
			_, err := f.s.PutObject(f.ctx, c.path, c.data, nil)
			wantErr(t, "PutObject("+c.name+")", err, c.want)
		}
		for _, p := range []string{f.aliceCal, events, small.Path} {
			objs, err := f.s.Objects(f.ctx, p)
			noErr(t, "Objects", err)
			if len(objs) != 0 {
				t.Errorf("refused writes stored %d objects in %s", len(objs), p)
			}
		}
		// Within the limits, the same calendars accept objects.
		f.put(t, small.Path+"ok.ics", ics("BEGIN:VEVENT", "UID:s", "DTSTART:20260310T100000Z", "END:VEVENT"))
		f.put(t, f.aliceCal+"todo.ics", todo)
	})
	t.Run("Object/NotFound", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, p := range []string{f.aliceCal + "nope.ics", f.alice.HomePath + "nope/x.ics", "/nope/x.ics", f.aliceCal} {
			_, err := f.s.Object(f.ctx, p)
			wantErr(t, "Object("+p+")", err, backend.ErrNotFound)
		}
	})
	t.Run("Objects/ListsCalendar", func(t *testing.T) {
		f := newFixture(t, newStore)
		work := f.newCalendar(t, f.alice, "work")
		f.put(t, f.aliceCal+"a.ics", event("a", "20260310T100000Z", ""))
		f.put(t, f.aliceCal+"b.ics", event("b", "20260310T100000Z", ""))
		f.put(t, work+"c.ics", event("c", "20260310T100000Z", ""))
		f.put(t, f.bobCal+"d.ics", event("d", "20260310T100000Z", ""))
		objs, err := f.s.Objects(f.ctx, f.aliceCal)
		noErr(t, "Objects", err)
		got := paths(objs)
		if len(objs) != 2 || !got[f.aliceCal+"a.ics"] || !got[f.aliceCal+"b.ics"] {
			t.Errorf("Objects(%s) = %v, want a.ics and b.ics", f.aliceCal, got)
		}
		for _, o := range objs {
			if len(o.Data) == 0 || o.ETag == "" || o.UID == "" {
				t.Errorf("Objects returned an incomplete object: %+v", o)
			}
		}
		empty := f.newCalendar(t, f.alice, "empty")
		objs, err = f.s.Objects(f.ctx, empty)
		noErr(t, "Objects(empty)", err)
		if len(objs) != 0 {
			t.Errorf("Objects(empty calendar) = %d objects", len(objs))
		}
		_, err = f.s.Objects(f.ctx, f.alice.HomePath+"nope/")
		wantErr(t, "Objects(missing calendar)", err, backend.ErrNotFound)
	})
	t.Run("ObjectByUID/AcrossCalendars", func(t *testing.T) {
		f := newFixture(t, newStore)
		work := f.newCalendar(t, f.alice, "work")
		f.put(t, f.aliceCal+"a.ics", event("uid-default", "20260310T100000Z", ""))
		f.put(t, work+"w.ics", event("uid-work", "20260310T100000Z", ""))
		f.put(t, f.bobCal+"b.ics", event("uid-bob", "20260310T100000Z", ""))
		o, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-work")
		noErr(t, "ObjectByUID(in non-default calendar)", err)
		if o.Path != work+"w.ics" || o.UID != "uid-work" || len(o.Data) == 0 || o.ETag == "" {
			t.Errorf("ObjectByUID = %+v, want %s", o, work+"w.ics")
		}
		o, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-default")
		noErr(t, "ObjectByUID(in default calendar)", err)
		if o.Path != f.aliceCal+"a.ics" {
			t.Errorf("ObjectByUID = %s, want %s", o.Path, f.aliceCal+"a.ics")
		}
		_, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-bob")
		wantErr(t, "ObjectByUID(another principal's UID)", err, backend.ErrNotFound)
		_, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "UID-WORK")
		wantErr(t, "ObjectByUID(UID in other case)", err, backend.ErrNotFound)
		_, err = f.s.ObjectByUID(f.ctx, "/carol/", "uid-work")
		wantErr(t, "ObjectByUID(unknown principal)", err, backend.ErrNotFound)
		// After a delete, and after a UID change, the old UID is gone.
		noErr(t, "DeleteObject", f.s.DeleteObject(f.ctx, work+"w.ics", ""))
		_, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-work")
		wantErr(t, "ObjectByUID after delete", err, backend.ErrNotFound)
		f.put(t, f.aliceCal+"a.ics", event("uid-renamed", "20260310T100000Z", ""))
		_, err = f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-default")
		wantErr(t, "ObjectByUID after UID change", err, backend.ErrNotFound)
		if o, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-renamed"); err != nil || o.Path != f.aliceCal+"a.ics" {
			t.Errorf("ObjectByUID(new UID) = %v, %v", o, err)
		}
	})
	t.Run("ObjectByUID/DefaultCalendarFirst", func(t *testing.T) {
		f := newFixture(t, newStore)
		a := f.newCalendar(t, f.alice, "a-first")
		z := f.newCalendar(t, f.alice, "z-last")
		f.put(t, z+"x.ics", event("twice", "20260310T100000Z", ""))
		f.put(t, a+"x.ics", event("twice", "20260310T100000Z", ""))
		if o, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "twice"); err != nil || o.Path != a+"x.ics" {
			t.Errorf("ObjectByUID with the UID in two calendars = %v, %v; want %s (path order)", o, err, a+"x.ics")
		}
		f.put(t, f.aliceCal+"x.ics", event("twice", "20260310T100000Z", ""))
		if o, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "twice"); err != nil || o.Path != f.aliceCal+"x.ics" {
			t.Errorf("ObjectByUID with the UID in the default calendar too = %v, %v; want %s", o, err, f.aliceCal+"x.ics")
		}
	})
	t.Run("DeleteObject", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		o := f.put(t, path, event("uid-a", "20260310T100000Z", ""))
		wantErr(t, "DeleteObject(stale If-Match)", f.s.DeleteObject(f.ctx, path, o.ETag+"x"), backend.ErrPreconditionFailed)
		f.get(t, path)
		noErr(t, "DeleteObject(current If-Match)", f.s.DeleteObject(f.ctx, path, o.ETag))
		_, err := f.s.Object(f.ctx, path)
		wantErr(t, "Object after delete", err, backend.ErrNotFound)
		wantErr(t, "DeleteObject again", f.s.DeleteObject(f.ctx, path, ""), backend.ErrNotFound)
		wantErr(t, "DeleteObject(missing, If-Match)", f.s.DeleteObject(f.ctx, path, o.ETag), backend.ErrNotFound)
		f.put(t, path, event("uid-a", "20260310T100000Z", ""))
		noErr(t, "DeleteObject(unconditional)", f.s.DeleteObject(f.ctx, path, ""))
		// The UID is free again.
		f.put(t, f.aliceCal+"b.ics", event("uid-a", "20260310T100000Z", ""))
	})
	t.Run("Object/NoAliasing", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "a.ics"
		data := event("uid-a", "20260310T100000Z", "")
		orig := append([]byte(nil), data...)
		put := f.put(t, path, data)
		for i := range data {
			data[i] = 'X'
		}
		got := f.get(t, path)
		if !bytes.Equal(got.Data, orig) {
			t.Fatalf("store kept the caller's slice: %q", got.Data)
		}
		for i := range got.Data {
			got.Data[i] = 'Y'
		}
		for i := range put.Data {
			put.Data[i] = 'Z'
		}
		if again := f.get(t, path); !bytes.Equal(again.Data, orig) {
			t.Errorf("store hands out its own slice: %q", again.Data)
		}
		objs, err := f.s.Objects(f.ctx, f.aliceCal)
		noErr(t, "Objects", err)
		for i := range objs[0].Data {
			objs[0].Data[i] = 'W'
		}
		u, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "uid-a")
		noErr(t, "ObjectByUID", err)
		if !bytes.Equal(u.Data, orig) {
			t.Errorf("Objects hands out the store's slice: %q", u.Data)
		}
	})
}

func sameIndex(t *testing.T, what string, got, want backend.Index) {
	t.Helper()
	if got.UID != want.UID || got.Component != want.Component || !got.First.Equal(want.First) ||
		!got.Last.Equal(want.Last) || got.Unbounded != want.Unbounded {
		t.Errorf("%s index = %+v, want %+v (backend.MakeIndex)", what, got, want)
	}
}
