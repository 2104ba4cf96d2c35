package queue_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/queue"
)

// A memory store queues an invitation with the object write; a worker
// sends it and records SCHEDULE-STATUS 1.1.
func Example() {
	ctx := context.Background()
	store := memory.New()
	alice := backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")
	if err := store.Provision(ctx, alice); err != nil {
		panic(err)
	}
	cal, _ := store.DefaultCalendar(ctx, alice.Path)
	path := cal + "lunch.ics"
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\nUID:lunch\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T120000Z\r\nORGANIZER:mailto:alice@example.com\r\n" +
		"ATTENDEE;SCHEDULE-STATUS=1.0:mailto:bob@remote.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	invitation := backend.OutboundMessage{
		ID: "lunch-1@example.com", Sender: alice.Path, ObjectPath: path, UID: "lunch",
		Recipient: "mailto:bob@remote.example", Method: "REQUEST", Supersedes: true,
		Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
	}
	if _, err := store.PutObjectEnqueue(ctx, path, []byte(event), nil, []backend.OutboundMessage{invitation}); err != nil {
		panic(err)
	}

	mailer := queue.SenderFunc(func(ctx context.Context, m *backend.OutboundMessage) error {
		fmt.Printf("mail %s to %s, Message-ID <%s>\n", m.Method, m.Recipient, m.ID)
		return nil
	})
	w, err := queue.New(queue.Config{Outbox: store, Store: store, Sender: mailer,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err)
	}
	go func() { _ = w.Run(ctx) }()
	for w.Stats().Sent == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := w.Stop(ctx); err != nil {
		panic(err)
	}
	obj, _ := store.Object(ctx, path)
	fmt.Println(obj.Index.UID, "stored with", firstStatus(obj.Data))
	// Output:
	// mail REQUEST to mailto:bob@remote.example, Message-ID <lunch-1@example.com>
	// lunch stored with SCHEDULE-STATUS=1.1
}

func firstStatus(data []byte) string {
	const p = "SCHEDULE-STATUS="
	for i := 0; i+len(p)+3 <= len(data); i++ {
		if string(data[i:i+len(p)]) == p {
			return string(data[i : i+len(p)+3])
		}
	}
	return "no status"
}
