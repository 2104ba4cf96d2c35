package imip

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue"
)

// collector is a Transport that keeps what it is given.
type collector struct {
	mu   sync.Mutex
	sent []*Outgoing
}

func (c *collector) Send(_ context.Context, m *Outgoing) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return nil
}

// FuzzQueueSender hands arbitrary queued data, recipients and previous
// versions to QueueSender.Send: it must never panic; data it cannot decode and
// recipients that are not mailto: fail for good (a *queue.PermanentError),
// so that the worker does not retry them; what it sends goes to the
// queued recipient with a Message-ID derived from the queue ID. A
// previous version, readable or not, never makes a message fail.
func FuzzQueueSender(f *testing.F) {
	f.Add([]byte(invitationICS), "mailto:bob@remote.example", []byte(nil))
	f.Add([]byte(invitationICS), "mailto:bob@remote.example", []byte(invitationICS))
	f.Add([]byte(invitationICS), "mailto:bob@remote.example", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID"))
	f.Add([]byte(strings.Replace(replyICS, "%s", "ACCEPTED", 1)), "mailto:carol@remote.example", []byte(invitationICS))
	f.Add([]byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"), "mailto:x@y.example", []byte(nil))
	f.Add([]byte(invitationICS), "urn:uuid:1", []byte(nil))
	f.Add([]byte(invitationICS), "mailto:\"a b\"@x\r\nBcc: evil@example", []byte(nil))
	c := &collector{}
	qs := &QueueSender{Composer: mustComposer(f, ComposerOptions{}), Transport: c, Logger: quiet}
	f.Fuzz(func(t *testing.T, data []byte, recipient string, previous []byte) {
		c.mu.Lock()
		c.sent = c.sent[:0]
		c.mu.Unlock()
		m := &backend.OutboundMessage{ID: "fuzz@example.org", Recipient: recipient, Data: data, Previous: previous}
		err := qs.Send(context.Background(), m)
		if m.Previous = nil; (qs.Send(context.Background(), m) == nil) != (err == nil) {
			t.Fatalf("the previous version decides whether the message fails: %v", err)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil {
			var pe *queue.PermanentError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not permanent: the worker would retry it", err)
			}
			if len(c.sent) != 0 {
				t.Fatal("mail sent although Send failed")
			}
			return
		}
		if len(c.sent) != 2 {
			t.Fatalf("%d mails for two sends of one message", len(c.sent))
		}
		for _, out := range c.sent {
			if want, _ := recipientEmail(recipient); out.To != want || out.MessageID != messageID(m.ID, "example.org") {
				t.Fatalf("mail to %q with Message-ID %q for %q", out.To, out.MessageID, recipient)
			}
		}
	})
}
