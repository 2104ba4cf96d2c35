package backend_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func FuzzMakeIndex(f *testing.F) {
	for _, s := range [][]byte{
		cal(comp("VEVENT", "UID:a", "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z")...),
		cal(comp("VEVENT", "UID:c", "DTSTART;TZID=Europe/Berlin:20260105T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20260106T090000")...),
		cal(append(comp("VEVENT", "UID:o", "DTSTART:20260105T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE"),
			comp("VEVENT", "UID:o", "RECURRENCE-ID:20260107T090000Z", "DTSTART:20260108T090000Z")...)...),
		cal(comp("VEVENT", "UID:d", "DTSTART;VALUE=DATE:20260401", "RDATE;VALUE=PERIOD:20260501T100000Z/PT1H")...),
		cal(comp("VTODO", "UID:t", "DUE:20260601T120000")...),
		cal(comp("VAVAILABILITY", "UID:av", "DTSTART:20260601T000000Z")...),
		[]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=\"a:b\":20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > backend.DefaultMaxResourceSize {
			return
		}
		idx, err := backend.MakeIndex(data)
		if err != nil {
			if !errors.Is(err, backend.ErrInvalidData) {
				t.Fatalf("error %v does not match ErrInvalidData", err)
			}
			return
		}
		if idx.UID == "" || idx.Component == "" {
			t.Fatalf("index without UID or component: %+v", idx)
		}
		if idx.Unbounded && !idx.Last.IsZero() {
			t.Fatalf("unbounded index with a Last: %+v", idx)
		}
		if idx.First.IsZero() && !idx.Last.IsZero() {
			t.Fatalf("Last without First: %+v", idx)
		}
		if !idx.Last.IsZero() && idx.Last.Before(idx.First) {
			t.Fatalf("Last before First: %+v", idx)
		}
	})
}

func FuzzSplitObjectPath(f *testing.F) {
	for _, s := range []string{"/alice/calendars/default/a.ics", "/a/b/", "/../x.ics", "//x.ics", "/a/./b.ics", "/a/b\x00.ics", "x.ics"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		calPath, name, err := backend.SplitObjectPath(p)
		if err != nil {
			if !errors.Is(err, backend.ErrInvalidPath) {
				t.Fatalf("error %v does not match ErrInvalidPath", err)
			}
			return
		}
		if calPath+name != p || strings.Contains(name, "/") || name == ".." || name == "." {
			t.Fatalf("SplitObjectPath(%q) = %q, %q", p, calPath, name)
		}
		if err := backend.CheckCollectionPath(calPath); err != nil {
			t.Fatalf("SplitObjectPath(%q) accepted calendar path %q: %v", p, calPath, err)
		}
	})
}

func FuzzMatchQuery(f *testing.F) {
	f.Add(cal(comp("VEVENT", "UID:a", "DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=3", "SUMMARY:x\\,y")...), "X,Y", int64(1767600000), int64(86400))
	f.Add(cal(comp("VTODO", "UID:t", "DUE;VALUE=DATE:20260601")...), "", int64(0), int64(0))
	f.Add(cal(append(comp("VEVENT", "UID:o", "DTSTART;TZID=Europe/Paris:20260105T090000", "RRULE:FREQ=WEEKLY"),
		comp("VEVENT", "UID:o", "RECURRENCE-ID;TZID=Europe/Paris:20260112T090000", "DTSTART:20260301T090000Z")...)...), "o", int64(1772300000), int64(-5))
	f.Fuzz(func(t *testing.T, data []byte, text string, start, span int64) {
		c, err := ics.Decode(data)
		if err != nil {
			return
		}
		s := time.Unix(start, 0).UTC()
		filter := vcal(caldav.CompFilter{Name: "VEVENT", Start: s, End: s.Add(time.Duration(span) * time.Second),
			Props: []caldav.PropFilter{{Name: "SUMMARY", TextMatch: &caldav.TextMatch{Text: text}}}},
			caldav.CompFilter{Name: "VTODO", IsNotDefined: true})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = backend.MatchQuery(ctx, filter, c)
	})
}
