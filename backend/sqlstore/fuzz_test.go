package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// FuzzPutObject writes arbitrary bytes as a calendar object of a SQLite
// store: the write either fails with one of the typed errors of bad data,
// or stores exactly those bytes with the index backend.MakeIndex computes,
// and reads them back unchanged.
func FuzzPutObject(f *testing.F) {
	f.Add(event("seed", "20260310T100000Z"))
	f.Add(event("seed", "20260310T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3"))
	f.Add(event("seed", "20260310T100000", "RRULE:FREQ=DAILY", "EXDATE:20260311T100000"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("not a calendar"))
	f.Add([]byte{})

	s, cal := provisionedFuzz(f)
	ctx := context.Background()
	path := cal + "fuzz.ics"
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := s.PutObject(ctx, path, data, nil)
		if err != nil {
			if !errors.Is(err, backend.ErrInvalidData) && !errors.Is(err, backend.ErrTooLarge) &&
				!errors.Is(err, backend.ErrUnsupportedComponent) {
				t.Fatalf("PutObject: untyped error %v", err)
			}
			return
		}
		want, err := backend.MakeIndex(data)
		if err != nil {
			t.Fatalf("PutObject accepted what MakeIndex rejects: %v", err)
		}
		got, err := s.Object(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, data) || got.ETag != o.ETag {
			t.Fatalf("stored %q (ETag %s), wrote %q (ETag %s)", got.Data, got.ETag, data, o.ETag)
		}
		if !sameIndex(got.Index, want) || !sameIndex(o.Index, want) {
			t.Fatalf("index read %+v, returned %+v, MakeIndex %+v", got.Index, o.Index, want)
		}
	})
}

// provisionedFuzz is provisioned for a fuzz target (SQLite only: fuzzing
// runs many inputs per second against one store).
func provisionedFuzz(f *testing.F) (*Store, string) {
	f.Helper()
	s := openSQLite(f)
	ctx := context.Background()
	if err := s.Provision(ctx, backend.NewPrincipal("alice", "Alice", "alice@example.com")); err != nil {
		f.Fatal(err)
	}
	cal, err := s.DefaultCalendar(ctx, "/alice/")
	if err != nil {
		f.Fatal(err)
	}
	return s, cal
}
