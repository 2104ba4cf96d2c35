package queue

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// NewID returns a new message ID for the queue and the e-mail Message-ID:
// 128 random bits in hex, "@", and domain (the sending host's domain;
// "localhost" when empty).
func NewID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("queue: message ID: %w", err)
	}
	domain = strings.TrimSpace(domain)
	if domain == "" {
		domain = "localhost"
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}

// Messages returns one OutboundMessage per recipient for the iTIP message
// msg, sent by the principal at sender about the object at objectPath, to
// hand to Outbox.PutObjectEnqueue or Enqueue. Each gets a new ID under
// domain (NewID) and the message text msg.Bytes(), shared by all.
//
// A REQUEST supersedes the same sender's older queued REQUESTs for the
// UID to the same recipient (the planner's REQUESTs carry each recipient's
// whole view of the event), and so does a CANCEL of the whole event (no
// RECURRENCE-ID); a CANCEL of some instances, a REPLY or an ADD does not.
func Messages(sender, objectPath, domain string, msg *itip.Message, recipients []string, now time.Time) ([]backend.OutboundMessage, error) {
	data := msg.Bytes()
	supersedes := supersedes(msg)
	out := make([]backend.OutboundMessage, 0, len(recipients))
	for _, r := range recipients {
		id, err := NewID(domain)
		if err != nil {
			return nil, err
		}
		out = append(out, backend.OutboundMessage{
			ID:         id,
			Sender:     sender,
			ObjectPath: objectPath,
			UID:        msg.UID(),
			Recipient:  r,
			Method:     msg.Method,
			Supersedes: supersedes,
			Data:       data,
			Enqueued:   now,
		})
	}
	return out, nil
}

// supersedes reports whether msg replaces everything queued before it for
// its recipients: a REQUEST, or a CANCEL without RECURRENCE-ID.
func supersedes(msg *itip.Message) bool {
	switch msg.Method {
	case itip.MethodRequest:
		return true
	case itip.MethodCancel:
		for _, c := range msg.Components() {
			if c.Props.Get(ical.PropRecurrenceID) != nil {
				return false
			}
		}
		return true
	}
	return false
}
