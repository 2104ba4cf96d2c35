package main

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// nopProcessor answers every recipient 1.2 without doing anything.
type nopProcessor struct{}

func (nopProcessor) ProcessIncoming(_ context.Context, _ string, recipients []string, _ *itip.Message) (map[string]schedule.Status, error) {
	out := make(map[string]schedule.Status, len(recipients))
	for _, r := range recipients {
		out[r] = schedule.StatusDelivered
	}
	return out, nil
}

// BenchmarkMailListener hands iMIP REPLY mails to the listener over one
// SMTP connection, as an MTA with connection caching does: the cost of
// the SMTP exchange, the recipient lookup, parsing and the sender check,
// with a processor that does nothing.
func BenchmarkMailListener(b *testing.B) {
	l := startTestListener(b, listenerConfig("127.0.0.1:0"), nil, nopProcessor{})
	c, err := smtp.Dial(l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("mx.remote.example"); err != nil {
		b.Fatal(err)
	}
	mail := replyMail("ext@remote.example", "BENCH-1", "ACCEPTED")
	b.ReportAllocs()
	b.SetBytes(int64(len(mail)))
	for b.Loop() {
		if err := c.SendMail("ext@remote.example", []string{"alice@example.org"}, strings.NewReader(mail)); err != nil {
			b.Fatal(err)
		}
	}
}
