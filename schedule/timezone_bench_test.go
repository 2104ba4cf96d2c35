package schedule

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// BenchmarkFreeBusyQueryTimeZone is BenchmarkFreeBusyQuery on the
// calendar home with the calendars' time zones and the owner's
// availability varied: "utc" has neither (the answer of before), "berlin"
// gives the default calendar Europe/Berlin (the zone is parsed from its
// calendar-timezone text per answer; the transparent calendar is not
// read), "berlin+custom" also gives the transparent calendar a custom
// VTIMEZONE and makes it opaque (two zones: two Computes, merged), and
// "berlin+availability" adds calendar-availability on the inbox.
func BenchmarkFreeBusyQueryTimeZone(b *testing.B) {
	berlin, err := backend.TimeZoneForID("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name                 string
		zone, otherZone      string
		availability, opaque bool
	}{
		{"utc", "", "", false, false},
		{"berlin", berlin, "", false, false},
		{"berlin+custom", berlin, officeZone, false, true},
		{"berlin+availability", berlin, "", true, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := newFreeBusyEnv(b, nil)
			ctx := context.Background()
			for path, zone := range map[string]string{"/cyrus/calendars/default/": c.zone, "/cyrus/calendars/transp/": c.otherZone} {
				cal, err := e.store.Calendar(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				cal.TimeZone = zone
				if c.opaque {
					cal.Transparent = false
				}
				if err := e.store.UpdateCalendar(ctx, cal); err != nil {
					b.Fatal(err)
				}
			}
			if c.availability {
				if err := e.store.SetAvailability(ctx, "/cyrus/", []byte(workHours)); err != nil {
					b.Fatal(err)
				}
			}
			handler := authenticate(e.h)
			body := fbQuery("20260105T000000Z", "20260112T000000Z")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("REPORT", "/cyrus/calendars/", strings.NewReader(body))
				req.SetBasicAuth("cyrus", "x")
				req.Header.Set("Depth", "1")
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}
