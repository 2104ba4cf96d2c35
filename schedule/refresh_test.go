package schedule

import (
	"slices"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// TestRefreshCoalesce: a refresh set that replaces an unsent one still
// reaches the attendees it leaves out (the one whose reply made it) with
// the older set's message, and every recipient is in one message only.
func TestRefreshCoalesce(t *testing.T) {
	msg := func(tag string, rcpts ...string) *itip.Message {
		return &itip.Message{Method: itip.MethodRequest, Originator: "mailto:org@example.com", Recipients: rcpts,
			Calendar: externalRequest(t, itip.MethodRequest, tag, 0, "20090601T100000Z", "x", "org@example.com", "a@example.com").Calendar}
	}
	var rf refresher
	org := &backend.Principal{Path: "/org/"}
	first := []*itip.Message{msg("s1", "mailto:b@example.com", "mailto:c@example.com", "mailto:d@example.com")} // after a's reply
	if !rf.enqueue("k", org, first, ScopeAll) {
		t.Fatal("first set: caller must run")
	}
	// b and then c reply before the first set is sent: each newer set
	// leaves its replier out.
	second := []*itip.Message{msg("s2", "mailto:a@example.com", "MAILTO:C@example.com"), msg("s2", "mailto:d@example.com")}
	third := []*itip.Message{msg("s3", "mailto:a@example.com", "mailto:b@example.com", "mailto:d@example.com")}
	if rf.enqueue("k", org, second, ScopeAll) || rf.enqueue("k", org, third, ScopeAll) {
		t.Fatal("a set was queued while another waits: the running delivery sends it")
	}
	got := map[string]string{}
	for _, m := range rf.pending["k"].msgs {
		for _, r := range m.Recipients {
			if prev, dup := got[r]; dup {
				t.Errorf("%s in two messages (%s, %s)", r, prev, m.UID())
			}
			got[r] = m.UID()
		}
	}
	want := map[string]string{"mailto:a@example.com": "s3", "mailto:b@example.com": "s3", "mailto:d@example.com": "s3", "MAILTO:C@example.com": "s2"}
	if len(got) != len(want) {
		t.Fatalf("recipients %v, want %v", got, want)
	}
	for r, uid := range want {
		if got[r] != uid {
			t.Errorf("%s gets %q, want %q", r, got[r], uid)
		}
	}
	if !slices.Equal(third[0].Recipients, []string{"mailto:a@example.com", "mailto:b@example.com", "mailto:d@example.com"}) {
		t.Errorf("the newer set's message was changed: %v", third[0].Recipients)
	}
}
