package backend_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
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

// FuzzPrepareCalendar: for any calendar the decoder accepts,
// PrepareCalendar's Index (computed on the decoded calendar) is the one
// MakeIndex computes from its encoding, and both refuse the same data.
func FuzzPrepareCalendar(f *testing.F) {
	for _, s := range [][]byte{
		cal(comp("VEVENT", "UID:a", "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z")...),
		cal(comp("VEVENT", "UID:c", "DTSTART;TZID=Europe/Berlin:20260105T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20260106T090000")...),
		cal(append(comp("VEVENT", "UID:o", "DTSTART:20260105T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE"),
			comp("VEVENT", "UID:o", "RECURRENCE-ID:20260107T090000Z", "DTSTART:20260108T090000Z")...)...),
		cal(comp("VEVENT", "UID:d", "DTSTART;VALUE=DATE:20260401", "RDATE;VALUE=PERIOD:20260501T100000Z/PT1H")...),
		cal(append(comp("VTIMEZONE", "TZID:Custom", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0130", "TZOFFSETTO:+0130", "END:STANDARD"),
			comp("VEVENT", "UID:z", "DTSTART;TZID=Custom:20260105T090000", "DTEND;TZID=Custom:20260105T100000")...)...),
		cal(comp("VTODO", "UID:t", "DUE:20260601T120000")...),
		cal(comp("VAVAILABILITY", "UID:av", "DTSTART:20260601T000000Z")...),
		cal(comp("VEVENT", "UID: spaced ", "SUMMARY:a\\, b;c", "DTSTART:20260310T100000Z")...),
		[]byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
	} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > backend.DefaultMaxResourceSize {
			return
		}
		c, err := ics.Decode(data)
		if err != nil {
			return
		}
		p, perr := backend.PrepareCalendar(ctx, c)
		var enc []byte
		if perr == nil {
			enc = p.Data()
		} else {
			enc = ics.Encode(c)
		}
		want, werr := backend.MakeIndexContext(ctx, enc)
		if (perr == nil) != (werr == nil) {
			t.Fatalf("PrepareCalendar error %v, MakeIndex of its encoding %v\n%s", perr, werr, enc)
		}
		if perr == nil && p.Index() != want {
			t.Fatalf("PrepareCalendar index %+v, MakeIndex of its encoding %+v\n%s", p.Index(), want, enc)
		}
	})
}
