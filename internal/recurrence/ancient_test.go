package recurrence

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Found by FuzzExpand: rrule-go looped inside one iterator call for this
// rule from year 1, so neither the step limit nor the context could stop it.
func TestAncientDTSTARTIsRefused(t *testing.T) {
	for _, year := range []string{"0001", "0002", "0100", "0999"} {
		data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n" +
			"DTSTART:" + year + "0101T000000Z\r\nRRULE:FREQ=HOURLY;INTERVAL=10;BYHOUR=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal, err := ics.Decode([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, _, _, err := Bounds(context.Background(), cal.Children, tz.NewResolver(cal), time.UTC, DefaultLimits())
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("year %s: Bounds error = %v, want ErrInvalid", year, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("year %s: Bounds did not return", year)
		}
	}
}
