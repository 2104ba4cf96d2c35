package schedule

import (
	"strings"
	"testing"
)

// TestProcessIncomingCounterRedelivered: a COUNTER or DECLINECOUNTER
// delivered twice (the MTA retries after a temporary failure, the sender's
// queue sends again after a crash) is filed once, like any other message
// that changes nothing the second time. Before, each delivery added an
// inbox item.
func TestProcessIncomingCounterRedelivered(t *testing.T) {
	e := newEnv(t, &Options{Deliverers: []Deliverer{&recordingDeliverer{}}}, cyrus, wilfredo)
	const bernardAddr = "bernard@example.net"
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", bernardAddr)).must(t, 201)
	cyrusAddr := []string{"mailto:cyrus@example.com"}
	delivered := map[string]Status{"mailto:cyrus@example.com": StatusDelivered}
	for i := 0; i < 2; i++ {
		counter := mustDecodeMessage(t, counterMessage(t, "COUNTER", "m1", "cyrus@example.com", bernardAddr))
		wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, cyrusAddr, counter), delivered)
	}
	if n := len(e.inbox("/cyrus/")); n != 1 {
		t.Errorf("organizer's inbox holds %d items after the same COUNTER twice, want 1", n)
	}
	// Another proposal from the same attendee is filed.
	other := mustDecodeMessage(t, strings.Replace(counterMessage(t, "COUNTER", "m1", "cyrus@example.com", bernardAddr), "Thursday", "Friday", 1))
	wantStatuses(t, e.processIncoming("mailto:"+bernardAddr, cyrusAddr, other), delivered)
	if n := len(e.inbox("/cyrus/")); n != 2 {
		t.Errorf("organizer's inbox holds %d items after a second proposal, want 2", n)
	}
}
