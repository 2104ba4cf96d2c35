package schedule

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPutRemoteAttendees is a PUT inviting 3 local and 10 remote
// (mailto:) attendees: "queue" stores the 10 messages with the object
// (Options.Queue, memory store) and answers; "deliverer" hands each
// remote message to a Deliverer that returns at once (the synchronous
// path without any network). The queue's figure includes building the
// 10 OutboundMessages and their IDs; the worker's sending is not timed.
func BenchmarkPutRemoteAttendees(b *testing.B) {
	users, addrs := benchUsers(3)
	for i := 0; i < 10; i++ {
		addrs = append(addrs, fmt.Sprintf("r%02d@remote.example", i))
	}
	b.Run("queue", func(b *testing.B) {
		e := newEnv(b, &Options{Queue: &QueueOptions{Domain: "example.com"}}, users...)
		benchPut(b, authenticate(e.h), addrs)
	})
	b.Run("deliverer", func(b *testing.B) {
		sent := DelivererFunc(func(context.Context, *Delivery) (Status, error) { return StatusSent, nil })
		e := newEnv(b, &Options{Deliverers: []Deliverer{sent}}, users...)
		benchPut(b, authenticate(e.h), addrs)
	})
}
