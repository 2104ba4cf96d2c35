package itip_test

import (
	"fmt"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Alice creates an event inviting Bob and Carol, then moves it. Plan says
// what to store and what to send each time.
func ExamplePlan() {
	created := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:lunch-1@example.org\r\nDTSTAMP:20260301T090000Z\r\n" +
		"DTSTART:20260310T120000Z\r\nDTEND:20260310T130000Z\r\nSUMMARY:Lunch\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE:mailto:bob@example.org\r\nATTENDEE:mailto:carol@example.org\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
	opts := itip.PlanOptions{
		Addresses: []string{"mailto:alice@example.org"},
		Now:       time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	newCal, err := ics.Decode(created)
	if err != nil {
		panic(err)
	}
	act, err := itip.Plan(nil, newCal, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(act.Role, act.Operation)
	for _, m := range act.Messages {
		fmt.Println(m.Method, m.Update, m.Recipients)
		act.SetStatus(m.Recipients[0], itip.StatusDelivered) // after delivery
	}

	// Carol is dropped and the lunch moves by an hour.
	moved, err := ics.Decode([]byte(string(ics.Encode(act.Object))))
	if err != nil {
		panic(err)
	}
	ev := moved.Children[0]
	ev.Props.Get("DTSTART").Value = "20260310T130000Z"
	ev.Props.Get("DTEND").Value = "20260310T140000Z"
	ev.Props["ATTENDEE"] = ev.Props["ATTENDEE"][:2]
	act, err = itip.Plan(act.Object, moved, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(act.Role, act.Operation, "rescheduled:", act.Rescheduled)
	for _, m := range act.Messages {
		fmt.Println(m.Method, m.Update, m.Recipients)
	}
	// Output:
	// organizer create
	// REQUEST full [mailto:bob@example.org mailto:carol@example.org]
	// organizer modify rescheduled: true
	// REQUEST full [mailto:bob@example.org]
	// CANCEL full [mailto:carol@example.org]
}
