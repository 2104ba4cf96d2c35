package imip_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/itip"
)

// An organizer's invitation becomes an e-mail: the composed bytes are
// what Sender.Send (or a queue) hands to the SMTP server.
func ExampleComposer_Compose() {
	msg, err := itip.DecodeMessage([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nMETHOD:REQUEST\r\n" +
		"BEGIN:VEVENT\r\nUID:42@example.org\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\n" +
		"SUMMARY:Design review\r\nORGANIZER;CN=Alice:mailto:alice@example.org\r\n" +
		"ATTENDEE;CN=Bob:mailto:bob@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	c, err := imip.NewComposer(imip.ComposerOptions{From: "calendar@example.org"})
	if err != nil {
		panic(err)
	}
	out, err := c.Compose(&imip.ComposeInput{Message: msg, Recipient: "mailto:bob@example.net", Key: "delivery-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println("MAIL FROM:", out.From)
	fmt.Println("RCPT TO:", out.To)
	fmt.Println("Subject:", out.Subject)
	for _, line := range strings.Split(string(out.Data), "\r\n") {
		if strings.HasPrefix(line, "Content-Type: text/") {
			fmt.Println(line)
		}
	}
	// Output:
	// MAIL FROM: calendar@example.org
	// RCPT TO: bob@example.net
	// Subject: Invitation: Design review
	// Content-Type: text/plain; charset=utf-8
	// Content-Type: text/html; charset=utf-8
	// Content-Type: text/calendar; charset=utf-8; component=vevent; method=REQUEST
}

// A reply that arrives by e-mail is checked against its sender before it
// is handed to the scheduling middleware.
func ExampleReceiver_Parse() {
	mail := "From: Bob <bob@example.net>\r\n" +
		"To: alice@example.org\r\n" +
		"Subject: Accepted: Design review\r\n" +
		"Content-Type: text/calendar; charset=utf-8; method=REPLY\r\n" +
		"\r\n" +
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nMETHOD:REPLY\r\n" +
		"BEGIN:VEVENT\r\nUID:42@example.org\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261203T100000Z\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.net\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	var r imip.Receiver
	in, err := r.Parse(context.Background(), strings.NewReader(mail), imip.Envelope{MailFrom: "bob@example.net", Recipients: []string{"alice@example.org"}})
	if err != nil {
		panic(err)
	}
	m := in.Messages[0]
	fmt.Println(m.Message.Method, "from", m.Originator, "to", m.Recipients)

	spoofed := strings.Replace(mail, "bob@example.net>", "mallory@example.com>", 1)
	_, err = r.Parse(context.Background(), strings.NewReader(spoofed), imip.Envelope{})
	fmt.Println(err)
	// Output:
	// REPLY from mailto:bob@example.net to [mailto:alice@example.org]
	// imip: sender is not the message's originator: From mallory@example.com is not mailto:bob@example.net (REPLY)
}
