package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/queue/queuetest"
)

// benchMessages returns n queued-message values with distinct pairs and
// no object.
func benchMessages(n int) []backend.OutboundMessage {
	data := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:-//bench//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	out := make([]backend.OutboundMessage, n)
	for i := range out {
		out[i] = backend.OutboundMessage{ID: fmt.Sprintf("bench-%d@test.example", i), Sender: "/alice/",
			UID: fmt.Sprintf("uid-%d", i/10), Recipient: fmt.Sprintf("mailto:r%d@remote.example", i%10),
			Method: "REQUEST", Data: data}
	}
	return out
}

// drainQueue runs a worker over q until it has sent n messages, and
// reports messages per second.
func drainQueue(b *testing.B, q backend.Outbox, store backend.CalendarStore, s queue.Sender, n int) {
	b.Helper()
	w, err := queue.New(queue.Config{Outbox: q, Store: store, Sender: s, Concurrency: 8, BatchSize: 128, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for sent := 0; sent < n; {
		k, err := w.Process(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			b.Fatalf("queue empty after %d of %d", sent, n)
		}
		sent += k
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
	if st := w.Stats(); st.Sent != int64(n) {
		b.Fatalf("sent %d of %d", st.Sent, n)
	}
}

// BenchmarkQueueThroughput measures Claim → Send → Complete on the
// memory store: with a no-op sender, with an in-process SMTP sink, and
// with the status write-back into objects of 100 attendees each.
func BenchmarkQueueThroughput(b *testing.B) {
	b.Run("memory/noop", func(b *testing.B) {
		b.ReportAllocs()
		s := memory.New()
		if err := s.Enqueue(context.Background(), benchMessages(b.N)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		drainQueue(b, s, nil, queue.SenderFunc(func(context.Context, *backend.OutboundMessage) error { return nil }), b.N)
	})
	b.Run("memory/smtp", func(b *testing.B) {
		b.ReportAllocs()
		s := memory.New()
		if err := s.Enqueue(context.Background(), benchMessages(b.N)); err != nil {
			b.Fatal(err)
		}
		sk := queuetest.NewSink(b)
		snd := queuetest.NewSMTPSender(sk.Addr(), 8)
		defer snd.Close()
		b.ResetTimer()
		drainQueue(b, s, nil, snd, b.N)
		b.StopTimer()
		if ids, copies := sk.Unique(); ids != b.N || copies != 1 {
			b.Fatalf("sink got %d messages, up to %d copies; want %d, 1", ids, copies, b.N)
		}
	})
	b.Run("memory/writeback", func(b *testing.B) {
		b.ReportAllocs()
		const perObject = 100
		var attendees []string
		for i := 0; i < perObject; i++ {
			attendees = append(attendees, fmt.Sprintf("mailto:a%03d@remote.example", i))
		}
		e := newEnv(b)
		for i := 0; i*perObject < b.N; i++ {
			uid := fmt.Sprintf("evt-%d", i)
			path := e.path[:len(e.path)-len("planning.ics")] + uid + ".ics"
			var msgs []backend.OutboundMessage
			for j := 0; j < perObject && i*perObject+j < b.N; j++ {
				msgs = append(msgs, backend.OutboundMessage{ID: fmt.Sprintf("%s-%d", uid, j), Sender: "/alice/", ObjectPath: path,
					UID: uid, Recipient: attendees[j], Method: "REQUEST", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")})
			}
			if _, err := e.store.PutObjectEnqueue(e.ctx, path, organizerEvent(uid, attendees...), nil, msgs); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		drainQueue(b, e.store, e.store, queue.SenderFunc(func(context.Context, *backend.OutboundMessage) error { return nil }), b.N)
	})
}
