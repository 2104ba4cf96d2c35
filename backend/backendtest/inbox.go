package backendtest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// itipMessage is a small iTIP REQUEST; stores keep inbox data as given.
func itipMessage(uid string) []byte {
	return ics(append([]string{"METHOD:REQUEST"},
		eventLines(uid, "20260310T100000Z", "20260310T110000Z", "ORGANIZER:mailto:bob@example.com", "ATTENDEE:mailto:alice@example.com")...)...)
}

func runInbox(t *testing.T, newStore NewStore) {
	t.Run("CreateAndGet", func(t *testing.T) {
		f := newFixture(t, newStore)
		data := itipMessage("m1")
		etag, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, "m1.ics", data)
		noErr(t, "CreateSchedulingObject", err)
		if etag == "" || strings.ContainsAny(etag, "\" ") {
			t.Errorf("CreateSchedulingObject ETag = %q, want opaque and unquoted", etag)
		}
		got, err := f.s.SchedulingObject(f.ctx, f.alice.Path, "m1.ics")
		noErr(t, "SchedulingObject", err)
		if got.Name != "m1.ics" || !bytes.Equal(got.Data, data) || got.ETag != etag ||
			got.Size != int64(len(data)) || got.ModTime.IsZero() {
			t.Errorf("SchedulingObject = %+v, want name m1.ics, the data written, ETag %q, size %d", got, etag, len(data))
		}
		_, err = f.s.SchedulingObject(f.ctx, f.bob.Path, "m1.ics")
		wantErr(t, "SchedulingObject(other principal's inbox)", err, backend.ErrNotFound)
		_, err = f.s.SchedulingObject(f.ctx, f.alice.Path, "nope.ics")
		wantErr(t, "SchedulingObject(missing)", err, backend.ErrNotFound)
	})
	t.Run("ListOldestFirstReplaceMakesNewest", func(t *testing.T) {
		f := newFixture(t, newStore)
		etags := map[string]string{}
		for _, n := range []string{"c.ics", "a.ics", "b.ics"} {
			etag, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, n, itipMessage(n))
			noErr(t, "CreateSchedulingObject", err)
			etags[n] = etag
		}
		wantNames(t, f, f.alice.Path, "c.ics", "a.ics", "b.ics")
		etag, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, "c.ics", itipMessage("c2"))
		noErr(t, "CreateSchedulingObject(replace)", err)
		if etag == etags["c.ics"] {
			t.Errorf("replacing an inbox item kept its ETag %q", etag)
		}
		wantNames(t, f, f.alice.Path, "a.ics", "b.ics", "c.ics")
		got, err := f.s.SchedulingObject(f.ctx, f.alice.Path, "c.ics")
		noErr(t, "SchedulingObject", err)
		if !bytes.Equal(got.Data, itipMessage("c2")) {
			t.Errorf("replaced inbox item holds the old data")
		}
		wantNames(t, f, f.bob.Path)
	})
	t.Run("Delete", func(t *testing.T) {
		f := newFixture(t, newStore)
		_, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, "m.ics", itipMessage("m"))
		noErr(t, "CreateSchedulingObject", err)
		wantErr(t, "DeleteSchedulingObject(other inbox)", f.s.DeleteSchedulingObject(f.ctx, f.bob.Path, "m.ics"), backend.ErrNotFound)
		noErr(t, "DeleteSchedulingObject", f.s.DeleteSchedulingObject(f.ctx, f.alice.Path, "m.ics"))
		_, err = f.s.SchedulingObject(f.ctx, f.alice.Path, "m.ics")
		wantErr(t, "SchedulingObject after delete", err, backend.ErrNotFound)
		wantErr(t, "DeleteSchedulingObject again", f.s.DeleteSchedulingObject(f.ctx, f.alice.Path, "m.ics"), backend.ErrNotFound)
		wantNames(t, f, f.alice.Path)
	})
	t.Run("Errors", func(t *testing.T) {
		f := newFixture(t, newStore)
		_, err := f.s.CreateSchedulingObject(f.ctx, "/carol/", "m.ics", itipMessage("m"))
		wantErr(t, "CreateSchedulingObject(unknown principal)", err, backend.ErrNotFound)
		_, err = f.s.SchedulingObjects(f.ctx, "/carol/")
		wantErr(t, "SchedulingObjects(unknown principal)", err, backend.ErrNotFound)
		for _, name := range []string{"", "a/b.ics", "..", "."} {
			_, err = f.s.CreateSchedulingObject(f.ctx, f.alice.Path, name, itipMessage("m"))
			wantErr(t, fmt.Sprintf("CreateSchedulingObject(name %q)", name), err, backend.ErrInvalidPath)
		}
		_, err = f.s.CreateSchedulingObject(f.ctx, f.alice.Path, "empty.ics", nil)
		wantErr(t, "CreateSchedulingObject(empty data)", err, backend.ErrInvalidData)
		wantNames(t, f, f.alice.Path)
	})
	t.Run("NoAliasing", func(t *testing.T) {
		f := newFixture(t, newStore)
		data := itipMessage("m")
		orig := append([]byte(nil), data...)
		_, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, "m.ics", data)
		noErr(t, "CreateSchedulingObject", err)
		data[0] = 'X'
		got, err := f.s.SchedulingObject(f.ctx, f.alice.Path, "m.ics")
		noErr(t, "SchedulingObject", err)
		got.Data[1] = 'Y'
		list, err := f.s.SchedulingObjects(f.ctx, f.alice.Path)
		noErr(t, "SchedulingObjects", err)
		if !bytes.Equal(list[0].Data, orig) {
			t.Errorf("inbox data shared with a caller: %q", list[0].Data[:10])
		}
	})
	t.Run("Prune", func(t *testing.T) {
		f := newFixture(t, newStore)
		create := func(p, n string) *backend.SchedulingObject {
			_, err := f.s.CreateSchedulingObject(f.ctx, p, n, itipMessage(n))
			noErr(t, "CreateSchedulingObject", err)
			o, err := f.s.SchedulingObject(f.ctx, p, n)
			noErr(t, "SchedulingObject", err)
			return o
		}
		old := create(f.alice.Path, "old.ics")
		create(f.bob.Path, "old-bob.ics")
		n, err := f.s.PruneSchedulingObjects(f.ctx, old.ModTime)
		noErr(t, "PruneSchedulingObjects(at ModTime)", err)
		if n != 0 {
			t.Errorf("PruneSchedulingObjects(olderThan = the oldest ModTime) removed %d, want 0", n)
		}
		// Stores may keep ModTime to the second: wait for a later one.
		time.Sleep(1100 * time.Millisecond)
		fresh := create(f.alice.Path, "fresh.ics")
		if !fresh.ModTime.After(old.ModTime) {
			t.Fatalf("ModTime did not advance in 1.1 s: %v then %v", old.ModTime, fresh.ModTime)
		}
		n, err = f.s.PruneSchedulingObjects(f.ctx, fresh.ModTime)
		noErr(t, "PruneSchedulingObjects", err)
		if n != 2 {
			t.Errorf("PruneSchedulingObjects removed %d, want 2 (one per principal)", n)
		}
		wantNames(t, f, f.alice.Path, "fresh.ics")
		wantNames(t, f, f.bob.Path)
		n, err = f.s.PruneSchedulingObjects(f.ctx, time.Now().Add(time.Hour))
		noErr(t, "PruneSchedulingObjects(all)", err)
		if n != 1 {
			t.Errorf("PruneSchedulingObjects(an hour ahead) removed %d, want 1", n)
		}
		wantNames(t, f, f.alice.Path)
	})
}

func wantNames(t *testing.T, f *fixture, principal string, names ...string) {
	t.Helper()
	list, err := f.s.SchedulingObjects(f.ctx, principal)
	noErr(t, "SchedulingObjects", err)
	got := make([]string, len(list))
	for i, o := range list {
		got[i] = o.Name
		if o.ETag == "" || len(o.Data) == 0 || o.Size != int64(len(o.Data)) {
			t.Errorf("SchedulingObjects returned an incomplete item %+v", o)
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("SchedulingObjects(%s) = %q, want %q (oldest first)", principal, got, names)
	}
}
