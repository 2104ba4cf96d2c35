package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// TestPutObjectDeliver: the copy and its inbox item are stored together,
// and neither when either write fails.
func TestPutObjectDeliver(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	alice := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.Provision(ctx, alice); err != nil {
		t.Fatal(err)
	}
	cal := alice.HomePath + backend.DefaultCalendarName + "/"
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	msg := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
	item := backend.InboxItem{Principal: alice.Path, Name: "m1.ics", Data: msg}

	o, err := s.PutObjectDeliver(ctx, cal+"a.ics", benchEvent("a", start), &backend.PutOptions{IfNoneMatch: true}, item)
	if err != nil || o.UID != "a" {
		t.Fatalf("PutObjectDeliver = %+v, %v", o, err)
	}
	if it, err := s.SchedulingObject(ctx, alice.Path, "m1.ics"); err != nil || string(it.Data) != string(msg) {
		t.Fatalf("inbox item: %+v, %v", it, err)
	}

	fails := []struct {
		name string
		path string
		opts *backend.PutOptions
		item backend.InboxItem
		want error
	}{
		{"copy precondition", cal + "a.ics", &backend.PutOptions{IfNoneMatch: true}, backend.InboxItem{Principal: alice.Path, Name: "m2.ics", Data: msg}, backend.ErrPreconditionFailed},
		{"unknown inbox", cal + "b.ics", nil, backend.InboxItem{Principal: "/nobody/", Name: "m3.ics", Data: msg}, backend.ErrNotFound},
		{"bad item name", cal + "c.ics", nil, backend.InboxItem{Principal: alice.Path, Name: "x/y.ics", Data: msg}, backend.ErrInvalidPath},
		{"empty item", cal + "d.ics", nil, backend.InboxItem{Principal: alice.Path, Name: "m4.ics"}, backend.ErrInvalidData},
	}
	for _, f := range fails {
		if _, err := s.PutObjectDeliver(ctx, f.path, benchEvent(f.name, start), f.opts, f.item); !errors.Is(err, f.want) {
			t.Errorf("%s: %v, want %v", f.name, err, f.want)
		}
	}
	objs, _ := s.Objects(ctx, cal)
	items, _ := s.SchedulingObjects(ctx, alice.Path)
	if len(objs) != 1 || len(items) != 1 {
		t.Errorf("after the failures: %d objects, %d inbox items; want 1 and 1", len(objs), len(items))
	}
}
