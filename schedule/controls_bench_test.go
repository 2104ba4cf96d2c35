package schedule

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// BenchmarkNormalizeClientData is the repair pass every PUT makes before
// planning, on a 100-attendee invitation: "rfc" is the default, and
// "client-as-server" also looks every CLIENT attendee up in the directory.
func BenchmarkNormalizeClientData(b *testing.B) {
	users, addrs := benchUsers(100)
	body := invite("n1", "cyrus@example.com", addrs...)
	body = strings.ReplaceAll(body, "RSVP=TRUE:", "RSVP=TRUE;SCHEDULE-AGENT=CLIENT:")
	for _, c := range []struct {
		name string
		opts *Options
	}{{"rfc", nil}, {"client-as-server", &Options{ClientAgentAsServer: true}}} {
		b.Run(c.name, func(b *testing.B) {
			e := newEnv(b, c.opts, users...)
			owner, err := e.store.PrincipalByPath(httptest.NewRequest("GET", "/", nil).Context(), "/cyrus/")
			if err != nil {
				b.Fatal(err)
			}
			q := &request{r: httptest.NewRequest("PUT", "/cyrus/calendars/default/n.ics", nil)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cal, err := ics.Decode([]byte(body))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				e.h.normalizeClientData(q, owner, owner.Addresses, cal)
			}
		})
	}
}

// BenchmarkMergeOthersStatus is the If-Schedule-Tag-Match merge of a
// 100-attendee object (RFC 6638 §3.2.10.1).
func BenchmarkMergeOthersStatus(b *testing.B) {
	_, addrs := benchUsers(100)
	stored, err := ics.Decode([]byte(invite("n1", "cyrus@example.com", addrs...)))
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(invite("n1", "cyrus@example.com", addrs...))
	owner := backend.NewPrincipal("cyrus", "Cyrus", "cyrus@example.com")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cal, err := ics.Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		mergeOthersStatus(cal, stored, owner.Addresses)
	}
}
