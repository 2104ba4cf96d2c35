package backend_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func TestPrepared(t *testing.T) {
	ctx := context.Background()
	data := cal(comp("VEVENT", "UID:p", "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z")...)
	want, err := backend.MakeIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := backend.Prepare(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Index() != want || !bytes.Equal(p.Data(), data) {
		t.Fatalf("Prepare = %+v %q, want %+v", p.Index(), p.Data(), want)
	}
	// Prepare keeps its own copy: changing the input changes nothing.
	data[len(data)-3] = 'X'
	if got, err := backend.IndexFor(ctx, p.Data(), &backend.PutOptions{Prepared: p}); err != nil || got != want {
		t.Errorf("IndexFor(prepared data) = %+v, %v; want %+v", got, err, want)
	}

	// Other bytes than the prepared slice are indexed themselves, even
	// when the options carry a Prepared.
	other := cal(comp("VEVENT", "UID:q", "DTSTART:20260311T100000Z")...)
	if got, err := backend.IndexFor(ctx, other, &backend.PutOptions{Prepared: p}); err != nil || got.UID != "q" {
		t.Errorf("IndexFor(other data) = %+v, %v; want UID q", got, err)
	}
	same := bytes.Clone(p.Data()) // equal bytes, another slice
	if got, err := backend.IndexFor(ctx, same, &backend.PutOptions{Prepared: p}); err != nil || got != want {
		t.Errorf("IndexFor(a copy) = %+v, %v", got, err)
	}
	if got, err := backend.IndexFor(ctx, p.Data()[:len(p.Data())-20], &backend.PutOptions{Prepared: p}); err == nil {
		t.Errorf("IndexFor(a prefix of the prepared data) = %+v, want an error (it is truncated)", got)
	}
	if _, err := backend.IndexFor(ctx, other, nil); err != nil {
		t.Errorf("IndexFor without options: %v", err)
	}

	// What MakeIndex refuses cannot be prepared.
	if _, err := backend.Prepare(ctx, []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")); !errors.Is(err, backend.ErrInvalidData) {
		t.Errorf("Prepare(empty calendar) = %v, want ErrInvalidData", err)
	}
	if _, err := backend.Prepare(ctx, nil); !errors.Is(err, backend.ErrInvalidData) {
		t.Errorf("Prepare(nil) = %v, want ErrInvalidData", err)
	}
}

// ExamplePrepare writes one invitation copy to several calendars with
// one parse of its data.
func ExamplePrepare() {
	ctx := context.Background()
	data := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\nUID:team\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	p, err := backend.Prepare(ctx, data)
	if err != nil {
		panic(err)
	}
	opts := &backend.PutOptions{IfNoneMatch: true, Prepared: p}
	// for each recipient: store.PutObject(ctx, path, p.Data(), opts)
	idx, _ := backend.IndexFor(ctx, p.Data(), opts)
	fmt.Println(idx.UID, idx.Component, idx.First.Format("2006-01-02 15:04"))
	// Output: team VEVENT 2026-03-10 10:00
}
