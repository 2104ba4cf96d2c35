package schedule

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentReplies: 100 attendees accept at the same time; the
// organizer's copy ends with all 100 PARTSTATs (compare-and-swap with
// retry, nothing lost).
func TestConcurrentReplies(t *testing.T) {
	const n = 100
	users := []user{cyrus}
	var addrs []string
	for i := 0; i < n; i++ {
		u := user{fmt.Sprintf("u%03d", i), fmt.Sprintf("u%03d@example.com", i)}
		users = append(users, u)
		addrs = append(addrs, u.addr)
	}
	e := newEnv(t, nil, users...)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/big.ics", invite("big", "cyrus@example.com", addrs...)).must(t, 201)

	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := users[i+1].name
			obj, data := e.copyOf("/"+name+"/", "big")
			body := setPartstat(data, users[i+1].addr, "ACCEPTED")
			r := e.do(name, "PUT", obj.Path, body, "If-Schedule-Tag-Match", `"`+obj.ScheduleTag+`"`)
			if r.status != 204 {
				errs <- fmt.Sprintf("%s: %d %s", name, r.status, r.body)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	_, org := e.object("/cyrus/calendars/default/big.ics")
	accepted := 0
	for _, a := range addrs {
		if scheduleParam(propLine(org, "ATTENDEE", a), "PARTSTAT") == "ACCEPTED" {
			accepted++
		}
	}
	if accepted != n {
		t.Fatalf("%d of %d PARTSTATs in the organizer's copy", accepted, n)
	}
	if got := len(e.inbox("/cyrus/")); got != n {
		t.Errorf("organizer inbox has %d replies", got)
	}
	// Every attendee's copy eventually shows the others' answers: the
	// last refresh carries all of them.
	_, last := e.copyOf("/u000/", "big")
	if c := strings.Count(last, "PARTSTAT=ACCEPTED"); c < n {
		t.Errorf("u000's copy shows %d accepted; inbox %d items", c, len(e.inbox("/u000/")))
		items := e.inbox("/u000/")
		t.Logf("last inbox item:\n%s", items[len(items)-1].Data)
	}
}
