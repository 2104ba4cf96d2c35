package imip

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// mustDeliverer returns a Deliverer sending to addr in plain text.
func mustDeliverer(t testing.TB, addr string) *Deliverer {
	t.Helper()
	return &Deliverer{
		Logger:    quiet,
		Composer:  mustComposer(t, ComposerOptions{}),
		Transport: mustSender(t, SenderOptions{Addr: addr, Security: PlainText, DialTimeout: 2 * time.Second}),
	}
}

func TestDelivererStatuses(t *testing.T) {
	msg := mustMessage(t, invitationICS)
	alice := &backend.Principal{Path: "/alice/", DisplayName: "Alice A.", Addresses: []string{"mailto:alice@example.org"}}
	deliver := func(d *Deliverer, ctx context.Context, rcpt string) (schedule.Status, error) {
		return d.Deliver(ctx, &schedule.Delivery{Sender: alice, Message: msg, Recipient: rcpt})
	}

	ok := startSink(t, "plain", nil)
	d := mustDeliverer(t, ok.addr)
	if st, err := deliver(d, context.Background(), "mailto:bob@remote.example"); st != schedule.StatusSent || err != nil {
		t.Errorf("success: %q %v", st, err)
	}
	got := ok.received()
	if len(got) != 1 || got[0].to[0] != "bob@remote.example" {
		t.Fatalf("sink got %+v", got)
	}
	from, _ := parseBack(t, got[0].data).header.AddressList("From")
	if len(from) != 1 || from[0].Name != "Alice A. via Calendar" {
		t.Errorf("From %v: the principal's display name is not used", from)
	}

	for _, r := range []string{"urn:uuid:0000", "https://other.example/p/bob", "mailto:not-an-address"} {
		if _, err := deliver(d, context.Background(), r); !errors.Is(err, schedule.ErrNotResponsible) {
			t.Errorf("%s: %v, want ErrNotResponsible", r, err)
		}
	}

	if st, err := deliver(d, WithoutMail(context.Background()), "mailto:bob@remote.example"); st != schedule.StatusNoRoute || err != nil {
		t.Errorf("suppressed: %q %v", st, err)
	}
	d.Suppress = func(_ context.Context, del *schedule.Delivery) bool {
		return strings.HasSuffix(del.Recipient, "carol@remote.example")
	}
	if st, err := deliver(d, context.Background(), "mailto:carol@remote.example"); st != schedule.StatusNoRoute || err != nil {
		t.Errorf("suppressed by hook: %q %v", st, err)
	}
	if n := len(ok.received()); n != 1 {
		t.Errorf("suppressed deliveries sent mail: %d messages", n)
	}

	perm := startSink(t, "plain", func(s *sink) { s.failRcpt = errPerm })
	if st, err := deliver(mustDeliverer(t, perm.addr), context.Background(), "mailto:bob@remote.example"); st != schedule.StatusNoRoute || err != nil {
		t.Errorf("5xx: %q %v, want 5.2 and no error", st, err)
	}

	temp := startSink(t, "plain", func(s *sink) { s.failData = []error{errTemp} })
	if _, err := deliver(mustDeliverer(t, temp.addr), context.Background(), "mailto:bob@remote.example"); !isSendError(err, true) {
		t.Errorf("4xx: %v, want a temporary error", err)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := l.Addr().String()
	l.Close()
	if _, err := deliver(mustDeliverer(t, down), context.Background(), "mailto:bob@remote.example"); !isSendError(err, true) {
		t.Errorf("server down: %v, want a temporary error", err)
	}
}

// organizerEvent has attendees with every SCHEDULE-AGENT value.
const organizerEvent = "BEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"PRODID:-//test//imip//EN\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:agent-test@example.org\r\n" +
	"DTSTAMP:20261120T100000Z\r\n" +
	"DTSTART:20261203T100000Z\r\n" +
	"DURATION:PT1H\r\n" +
	"SUMMARY:Agents\r\n" +
	"ORGANIZER;CN=Alice:mailto:alice@example.org\r\n" +
	"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
	"ATTENDEE;CN=Server:mailto:server@remote.example\r\n" +
	"ATTENDEE;CN=Explicit;SCHEDULE-AGENT=SERVER:mailto:explicit@remote.example\r\n" +
	"ATTENDEE;CN=Client;SCHEDULE-AGENT=CLIENT:mailto:client@remote.example\r\n" +
	"ATTENDEE;CN=None;SCHEDULE-AGENT=NONE:mailto:none@remote.example\r\n" +
	"ATTENDEE;CN=Unknown;SCHEDULE-AGENT=X-FOO:mailto:unknown@remote.example\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// TestPlanThenMailHonoursScheduleAgent runs an organizer's write through
// itip.Plan and every planned message through the Deliverer: mail goes
// only to SCHEDULE-AGENT=SERVER attendees (RFC 6638 §7.1), and each mail
// carries that attendee's view without scheduling parameters.
func TestPlanThenMailHonoursScheduleAgent(t *testing.T) {
	cal, err := ical.NewDecoder(strings.NewReader(organizerEvent)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	act, err := itip.Plan(nil, cal, itip.PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	sk := startSink(t, "plain", nil)
	d := mustDeliverer(t, sk.addr)
	for _, m := range act.Messages {
		for _, r := range m.Recipients {
			if st, err := d.Deliver(context.Background(), &schedule.Delivery{Message: m, Recipient: r}); st != schedule.StatusSent || err != nil {
				t.Errorf("%s: %q %v", r, st, err)
			}
		}
	}
	got := map[string]sunk{}
	for _, s := range sk.received() {
		got[s.to[0]] = s
	}
	want := caladdr.NewSet("mailto:server@remote.example", "mailto:explicit@remote.example")
	if len(got) != 2 {
		t.Errorf("mail went to %d recipients: %v", len(got), keys(got))
	}
	for to, s := range got {
		if !want.Has("mailto:" + to) {
			t.Errorf("mail sent to %s", to)
			continue
		}
		ics := string(parseBack(t, s.data).part(t, "text/calendar").body)
		if strings.Contains(ics, "SCHEDULE-AGENT") || strings.Contains(ics, "SCHEDULE-STATUS") {
			t.Errorf("%s's iTIP part carries scheduling parameters:\n%s", to, ics)
		}
		if !strings.Contains(ics, "METHOD:REQUEST") || !strings.Contains(ics, to) {
			t.Errorf("%s's iTIP part:\n%s", to, ics)
		}
	}
}

// keys lists the keys of m.
func keys(m map[string]sunk) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDelivererUsesPreviousVersionAndRecipientZone(t *testing.T) {
	sk := startSink(t, "plain", nil)
	d := mustDeliverer(t, sk.addr)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no time zone database")
	}
	d.Location = func(_ context.Context, r string) *time.Location {
		if r == "mailto:bob@remote.example" {
			return tokyo
		}
		return nil
	}
	prev, err := ical.NewDecoder(strings.NewReader(strings.Replace(invitationICS, `Raum Zürich\, 3. Stock`, "Room 1", 1))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	msg := mustMessage(t, strings.Replace(invitationICS, "SEQUENCE:0", "SEQUENCE:1", 1))
	st, err := d.Deliver(WithPrevious(context.Background(), prev), &schedule.Delivery{Message: msg, Recipient: "mailto:bob@remote.example"})
	if st != schedule.StatusSent || err != nil {
		t.Fatalf("%q %v", st, err)
	}
	pm := parseBack(t, sk.received()[0].data)
	text := string(pm.part(t, "text/plain").body)
	for _, s := range []string{"Where: Room 1 -> Raum Zürich, 3. Stock", "Thursday, 3 December 2026, 18:00 – 19:30 (Asia/Tokyo)"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	if s, _ := pm.header.Subject(); s != "Updated: Planung Café Q1" {
		t.Errorf("Subject %q", s)
	}
}

func TestSenderConcurrentUse(t *testing.T) {
	sk := startSink(t, "starttls", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, TLSConfig: sk.clientTLS(), MaxConns: 2})
	m := outgoing(t)
	errs := make(chan error, 40)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 5; i++ {
				errs <- s.Send(context.Background(), m)
			}
		}()
	}
	for i := 0; i < 40; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(sk.received()); n != 40 {
		t.Errorf("%d received", n)
	}
	if n := sk.sessionCount(); n > 2 {
		t.Errorf("%d connections with MaxConns 2", n)
	}
}

func TestDeliverWithKeyKeepsMessageIDAcrossRetries(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) { s.failData = []error{errTemp} })
	d := mustDeliverer(t, sk.addr)
	// A queue worker decodes the stored iTIP text and retries under the
	// entry's ID.
	stored := mustMessage(t, invitationICS).Bytes()
	attempt := func() (schedule.Status, error) {
		msg, err := itip.DecodeMessage(stored)
		if err != nil {
			t.Fatal(err)
		}
		return d.DeliverWithKey(context.Background(), &schedule.Delivery{Message: msg, Recipient: "mailto:bob@remote.example"}, "outbox-7")
	}
	if _, err := attempt(); !isSendError(err, true) {
		t.Fatalf("first attempt: %v", err)
	}
	if st, err := attempt(); st != schedule.StatusSent || err != nil {
		t.Fatalf("retry: %q %v", st, err)
	}
	if st, err := attempt(); st != schedule.StatusSent || err != nil { // a duplicate send after a crash
		t.Fatalf("duplicate: %q %v", st, err)
	}
	got := sk.received()
	if len(got) != 2 {
		t.Fatalf("%d received", len(got))
	}
	id0, _ := parseBack(t, got[0].data).header.MessageID()
	id1, _ := parseBack(t, got[1].data).header.MessageID()
	if id0 != id1 || id0 != messageID("outbox-7", "example.org") {
		t.Errorf("Message-IDs %q %q", id0, id1)
	}
	if string(got[0].data) != string(got[1].data) {
		t.Error("a retried delivery is not byte-identical")
	}
}
