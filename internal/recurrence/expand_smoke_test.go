package recurrence

import (
	"context"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

func TestSmokeWeekly(t *testing.T) {
	cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260305T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = Expand(context.Background(), cal.Children, tz.NewResolver(cal), time.UTC,
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Limits{},
		func(in Instance) bool { got = append(got, in.Start.Format(time.RFC3339)); return true })
	if err != nil {
		t.Fatal(err)
	}
	t.Log(got)
	if len(got) != 6 || got[4] != "2026-04-02T09:00:00+02:00" {
		t.Fatalf("got %v", got)
	}
}
