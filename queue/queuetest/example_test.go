package queuetest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue/queuetest"
)

// exampleTB lets the example start a Sink outside a test.
type exampleTB struct{ testing.TB }

func (exampleTB) Helper()                           {}
func (exampleTB) Cleanup(func())                    {}
func (exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// An SMTPSender delivers into a Sink, which counts copies by Message-ID.
func Example() {
	sink := queuetest.NewSink(exampleTB{})
	sender := queuetest.NewSMTPSender(sink.Addr(), 1)
	defer sender.Close()
	m := &backend.OutboundMessage{ID: "1@example.com", UID: "u", Recipient: "mailto:bob@example.org",
		Method: "REQUEST", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}
	for i := 0; i < 2; i++ { // a resend after a crash: same ID
		if err := sender.Send(context.Background(), m); err != nil {
			panic(err)
		}
	}
	ids, copies := sink.Unique()
	fmt.Println(sink.Total(), "received,", ids, "distinct, max copies", copies, "of", sink.Copies("<1@example.com>"))
	// Output: 2 received, 1 distinct, max copies 2 of 2
}
