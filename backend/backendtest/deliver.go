package backendtest

import (
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// runCopyDeliver checks backend.CopyDeliverer: a recipient's copy and its
// inbox item are stored together, and neither when either write fails
// (a failed precondition on the copy, an unknown inbox, a bad item name,
// an empty item). Stores without it are skipped.
func runCopyDeliver(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	cd, ok := f.s.(backend.CopyDeliverer)
	if !ok {
		t.Skip("store does not implement backend.CopyDeliverer")
	}
	msg := ics("METHOD:REQUEST")
	copyOf := func(uid string) []byte { return event(uid, "20260310T100000Z", "20260310T110000Z") }
	item := backend.InboxItem{Principal: f.alice.Path, Name: "m1.ics", Data: msg}
	o, err := cd.PutObjectDeliver(f.ctx, f.aliceCal+"a.ics", copyOf("a"), &backend.PutOptions{IfNoneMatch: true}, item)
	if err != nil || o.UID != "a" {
		t.Fatalf("PutObjectDeliver = %+v, %v", o, err)
	}
	if it, err := f.s.SchedulingObject(f.ctx, f.alice.Path, "m1.ics"); err != nil || string(it.Data) != string(msg) {
		t.Fatalf("inbox item: %+v, %v", it, err)
	}

	fails := []struct {
		name string
		path string
		opts *backend.PutOptions
		item backend.InboxItem
		want error
	}{
		{"copy-precondition", "a.ics", &backend.PutOptions{IfNoneMatch: true}, backend.InboxItem{Principal: f.alice.Path, Name: "m2.ics", Data: msg}, backend.ErrPreconditionFailed},
		{"unknown-inbox", "b.ics", nil, backend.InboxItem{Principal: "/nobody/", Name: "m3.ics", Data: msg}, backend.ErrNotFound},
		{"bad-item-name", "c.ics", nil, backend.InboxItem{Principal: f.alice.Path, Name: "x/y.ics", Data: msg}, backend.ErrInvalidPath},
		{"empty-item", "d.ics", nil, backend.InboxItem{Principal: f.alice.Path, Name: "m4.ics"}, backend.ErrInvalidData},
	}
	for _, c := range fails {
		if _, err := cd.PutObjectDeliver(f.ctx, f.aliceCal+c.path, copyOf(c.name), c.opts, c.item); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	objs, err := f.s.Objects(f.ctx, f.aliceCal)
	noErr(t, "Objects", err)
	items, err := f.s.SchedulingObjects(f.ctx, f.alice.Path)
	noErr(t, "SchedulingObjects", err)
	if len(objs) != 1 || len(items) != 1 {
		t.Errorf("after the failures: %d objects, %d inbox items; want 1 and 1", len(objs), len(items))
	}
}
