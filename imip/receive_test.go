package imip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// quiet is a logger that drops everything.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture reads testdata/imip/inbound/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "imip", "inbound", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseClientFixtures(t *testing.T) {
	for _, tc := range []struct {
		file       string
		env        Envelope
		method     string
		originator string
		recipients []string
		check      func(t *testing.T, m *itip.Message)
	}{
		{
			file:       "thunderbird-request.eml",
			env:        Envelope{MailFrom: "olga@tb.example", Recipients: []string{"bob@example.org"}},
			method:     "REQUEST",
			originator: "mailto:olga@tb.example",
			recipients: []string{"mailto:bob@example.org"}, // carol is not an envelope recipient here
		},
		{
			file:       "thunderbird-reply.eml",
			method:     "REPLY",
			originator: "mailto:dave@tb.example",
			recipients: []string{"mailto:alice@example.org"},
		},
		{
			file:       "outlook-reply.eml",
			env:        Envelope{MailFrom: "bounces+erin@mail.corp.example", Recipients: []string{"alice@example.org"}},
			method:     "REPLY",
			originator: "mailto:erin@corp.example",
			recipients: []string{"mailto:alice@example.org"},
			check: func(t *testing.T, m *itip.Message) {
				if m.Components()[0].Props.Get("ORGANIZER") != nil {
					t.Error("the ORGANIZER-less reply was modified")
				}
				if m.Components()[0].Props.Get("COMMENT") == nil {
					t.Error("base64 calendar lost its COMMENT")
				}
			},
		},
		{
			file:       "google-request.eml",
			env:        Envelope{MailFrom: "gina@gmail.example", Recipients: []string{"bob@example.org"}},
			method:     "REQUEST",
			originator: "mailto:gina@gmail.example",
			recipients: []string{"mailto:bob@example.org"},
		},
		{
			file:       "apple-request.eml",
			method:     "REQUEST",
			originator: "mailto:amelie@icloud.example",
			recipients: []string{"mailto:bob@example.org"},
			check: func(t *testing.T, m *itip.Message) {
				ev := m.Components()[0]
				if got := textValue(ev, "LOCATION"); got != "Café de la Paix, 5 Place de l'Opéra, Paris" {
					t.Errorf("quoted-printable LOCATION %q", got)
				}
				if got := textValue(ev, "DESCRIPTION"); !strings.HasSuffix(got, "Merci de confirmer avant vendredi !") {
					t.Errorf("soft line breaks not joined: %q", got)
				}
			},
		},
		{
			file:       "exchange-cancel-cp1252.eml",
			method:     "CANCEL",
			originator: "mailto:erin@corp.example",
			recipients: []string{"mailto:bob@example.org"},
			check: func(t *testing.T, m *itip.Message) {
				if got := textValue(m.Components()[0], "SUMMARY"); got != "Canceled: Café “kickoff”" {
					t.Errorf("windows-1252 SUMMARY %q", got)
				}
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := &Receiver{Logger: quiet}
			in, err := r.Parse(context.Background(), bytes.NewReader(fixture(t, tc.file)), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Messages) != 1 {
				t.Fatalf("%d messages (the .ics attachment must not count twice)", len(in.Messages))
			}
			got := in.Messages[0]
			if got.Message.Method != tc.method || !caladdr.Equal(got.Originator, tc.originator) {
				t.Errorf("method %s originator %s", got.Message.Method, got.Originator)
			}
			if fmt.Sprint(got.Recipients) != fmt.Sprint(tc.recipients) {
				t.Errorf("recipients %v, want %v", got.Recipients, tc.recipients)
			}
			if in.MessageID == "" || in.From == "" {
				t.Errorf("Message-ID %q From %q", in.MessageID, in.From)
			}
			if tc.check != nil {
				tc.check(t, got.Message)
			}
		})
	}
}

// replace returns the fixture with old replaced by new (once).
func replace(t testing.TB, name, old, new string) []byte {
	t.Helper()
	b := fixture(t, name)
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func TestParseRefusesSpoofedSenders(t *testing.T) {
	r := &Receiver{Logger: quiet}
	for name, tc := range map[string]struct {
		mail []byte
		env  Envelope
	}{
		"From is not the organizer": {
			mail: replace(t, "thunderbird-request.eml", "From: Olga Organizer <olga@tb.example>", "From: Olga Organizer <mallory@evil.example>"),
		},
		"From is another attendee of the reply": {
			mail: replace(t, "thunderbird-reply.eml", "From: Dave Remote <dave@tb.example>", "From: Alice <alice@example.org>"),
		},
		"look-alike domain": {
			mail: replace(t, "google-request.eml", "From: Gina Google <gina@gmail.example>", "From: Gina Google <gina@gmail.example.evil.example>"),
		},
		"two From addresses": {
			mail: replace(t, "google-request.eml", "From: Gina Google <gina@gmail.example>", "From: gina@gmail.example, mallory@evil.example"),
		},
		"no From": {
			mail: replace(t, "google-request.eml", "From: Gina Google <gina@gmail.example>\r\n", ""),
		},
		"envelope from elsewhere": {
			mail: fixture(t, "google-request.eml"),
			env:  Envelope{MailFrom: "mallory@evil.example"},
		},
		"null envelope sender": {
			mail: fixture(t, "google-request.eml"),
			env:  Envelope{MailFrom: "<>"},
		},
		"reply with the attendee swapped in the calendar": {
			// The mail is from Dave, the REPLY speaks for Alice.
			mail: bytes.ReplaceAll(fixture(t, "thunderbird-reply.eml"), []byte("ATTENDEE;CN=Dave Remote;PARTSTAT=TENTATIVE:mailto:dave@tb.example"), []byte("ATTENDEE;CN=Dave Remote;PARTSTAT=TENTATIVE:mailto:erin@corp.example")),
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.Parse(context.Background(), bytes.NewReader(tc.mail), tc.env)
			if !errors.Is(err, ErrSpoofed) {
				t.Fatalf("%v, want ErrSpoofed", err)
			}
			var re *RefusedError
			if !errors.As(err, &re) || re.Reason != ErrSpoofed {
				t.Errorf("not a *RefusedError: %T", err)
			}
		})
	}
}

func TestParseAcceptsSentBy(t *testing.T) {
	mail := replace(t, "thunderbird-request.eml", "From: Olga Organizer <olga@tb.example>", "From: Sam Secretary <sam@tb.example>")
	// The calendar (8bit part and base64 attachment) names Sam as SENT-BY in
	// the 8bit part, which is the one used.
	mail = bytes.Replace(mail, []byte("ORGANIZER;RSVP=TRUE;CN=Olga Organizer;"), []byte("ORGANIZER;SENT-BY=\"mailto:sam@tb.example\";CN=Olga Organizer;"), 1)
	in, err := (&Receiver{Logger: quiet}).Parse(context.Background(), bytes.NewReader(mail), Envelope{MailFrom: "sam@tb.example"})
	if err != nil {
		t.Fatal(err)
	}
	if !caladdr.Equal(in.Messages[0].Originator, "mailto:olga@tb.example") {
		t.Errorf("originator %s", in.Messages[0].Originator)
	}
	if _, err := (&Receiver{Logger: quiet, Envelope: EnvelopeExact}).Parse(context.Background(), bytes.NewReader(mail), Envelope{MailFrom: "bounce@tb.example"}); !errors.Is(err, ErrSpoofed) {
		t.Errorf("EnvelopeExact with another MAIL FROM: %v", err)
	}
	if _, err := (&Receiver{Logger: quiet, Envelope: EnvelopeAligned}).Parse(context.Background(), bytes.NewReader(mail), Envelope{MailFrom: "bounce@mail.tb.example"}); err != nil {
		t.Errorf("EnvelopeAligned with a subdomain MAIL FROM: %v", err)
	}
	if _, err := (&Receiver{Logger: quiet, Envelope: EnvelopeIgnored}).Parse(context.Background(), bytes.NewReader(mail), Envelope{MailFrom: "x@bounces.example"}); err != nil {
		t.Errorf("EnvelopeIgnored: %v", err)
	}
}

func TestParseAuthenticationVerdict(t *testing.T) {
	failing := replace(t, "outlook-reply.eml", "dmarc=pass action=none", "dmarc=fail action=quarantine")
	env := Envelope{Recipients: []string{"alice@example.org"}}
	if _, err := (&Receiver{Logger: quiet}).Parse(context.Background(), bytes.NewReader(failing), env); !errors.Is(err, ErrNotAuthenticated) {
		t.Errorf("dmarc=fail with the default verdict: %v", err)
	}
	// A hook that trusts anything lets it through.
	lax := &Receiver{Logger: quiet, Verdict: func(context.Context, *Verdict) error { return nil }}
	if _, err := lax.Parse(context.Background(), bytes.NewReader(failing), env); err != nil {
		t.Errorf("permissive verdict: %v", err)
	}
	// A sender-forged Authentication-Results below the MTA's is ignored.
	forged := bytes.Replace(failing, []byte("From: Erin"), []byte("Authentication-Results: mx.example.org; dmarc=pass header.from=corp.example\r\nFrom: Erin"), 1)
	strict := &Receiver{Logger: quiet, Verdict: RequireDMARCPass}
	if _, err := strict.Parse(context.Background(), bytes.NewReader(forged), env); !errors.Is(err, ErrNotAuthenticated) {
		t.Errorf("forged pass below a fail: %v", err)
	}
	// With an explicit trusted id, a result from another host is ignored.
	other := replace(t, "outlook-reply.eml", "Authentication-Results: mx.example.org;", "Authentication-Results: relay.evil.example;")
	trusting := &Receiver{Logger: quiet, Verdict: RequireDMARCPass, TrustedAuthServIDs: []string{"mx.example.org"}}
	if _, err := trusting.Parse(context.Background(), bytes.NewReader(other), env); !errors.Is(err, ErrNotAuthenticated) {
		t.Errorf("dmarc=pass from an untrusted host: %v", err)
	}
	if _, err := trusting.Parse(context.Background(), bytes.NewReader(fixture(t, "outlook-reply.eml")), env); err != nil {
		t.Errorf("dmarc=pass from the trusted host: %v", err)
	}
	// The hook sees what it needs.
	var seen *Verdict
	spy := &Receiver{Logger: quiet, Verdict: func(_ context.Context, v *Verdict) error { seen = v; return nil }}
	if _, err := spy.Parse(context.Background(), bytes.NewReader(fixture(t, "google-request.eml")), Envelope{MailFrom: "gina@gmail.example"}); err != nil {
		t.Fatal(err)
	}
	if seen == nil || seen.From != "gina@gmail.example" || seen.Method != "REQUEST" || seen.Result("dkim") != "pass" || seen.Result("spf") != "pass" || seen.Result("dmarc") != "pass" {
		t.Errorf("verdict input %+v", seen)
	}
}

func TestParseLimitsAndMalformedMail(t *testing.T) {
	r := &Receiver{Logger: quiet}
	ctx := context.Background()
	check := func(name string, mail []byte, r *Receiver, want error) {
		t.Helper()
		if _, err := r.Parse(ctx, bytes.NewReader(mail), Envelope{}); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	check("too large", fixture(t, "google-request.eml"), &Receiver{Logger: quiet, MaxSize: 1000}, ErrTooLarge)

	deep := "From: gina@gmail.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := 1; i < 30; i++ {
		deep += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	check("deep nesting", []byte(deep), r, ErrTooComplex)

	var many strings.Builder
	many.WriteString("From: gina@gmail.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := 0; i < 200; i++ {
		many.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	}
	many.WriteString("--x--\r\n")
	check("many parts", []byte(many.String()), r, ErrTooComplex)

	check("no calendar", []byte("From: gina@gmail.example\r\nContent-Type: text/plain\r\n\r\nhi\r\n"), r, ErrNoCalendar)
	check("calendar without METHOD", replace(t, "google-request.eml", "METHOD:REQUEST\r\n", ""), r, ErrMalformed)
	check("method parameter disagrees", replace(t, "google-request.eml", "charset=\"UTF-8\"; method=REQUEST", "charset=\"UTF-8\"; method=CANCEL"), r, ErrMalformed)
	check("unknown transfer encoding", replace(t, "google-request.eml", "Content-Transfer-Encoding: 7bit", "Content-Transfer-Encoding: x-uuencode"), r, ErrMalformed)
	check("unknown charset", replace(t, "exchange-cancel-cp1252.eml", "windows-1252", "koi8-r"), r, ErrMalformed)
	check("garbage header", []byte(" leading space\r\n\r\n"), r, ErrMalformed)
	check("undecodable attachment beside a good part", replace(t, "google-request.eml", "Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64", "Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: x-binhex"), r, nil)
	onlyBad := bytes.Replace(replace(t, "google-request.eml", "Content-Type: text/calendar; charset=\"UTF-8\"; method=REQUEST", "Content-Type: text/plain"),
		[]byte("filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64"), []byte("filename=\"invite.ics\"\r\nContent-Transfer-Encoding: x-binhex"), 1)
	check("only an undecodable attachment", onlyBad, r, ErrMalformed)
	if _, err := r.Parse(ctx, bytes.NewReader(fixture(t, "google-request.eml")), Envelope{Recipients: []string{"eve@example.org"}}); !errors.Is(err, ErrWrongRecipient) {
		t.Errorf("wrong envelope recipient: %v", err)
	}
}

func TestParseFallsBackToICSAttachment(t *testing.T) {
	// Without a text/calendar part with method, the .ics attachment is
	// used (here: the Google mail with its text/calendar part removed).
	mail := fixture(t, "google-request.eml")
	start := bytes.Index(mail, []byte("--000000000000aaaa0002\r\nContent-Type: text/calendar"))
	end := bytes.Index(mail, []byte("--000000000000aaaa0002--"))
	mail = append(append([]byte{}, mail[:start]...), mail[end:]...)
	in, err := (&Receiver{Logger: quiet}).Parse(context.Background(), bytes.NewReader(mail), Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Messages[0].Message.Method != "REQUEST" {
		t.Errorf("method %s", in.Messages[0].Message.Method)
	}
}

func TestParseMultipleCalendars(t *testing.T) {
	// RFC 6047 §2.4: every text/calendar part of a multipart/mixed counts.
	cancel := strings.NewReplacer("METHOD:REQUEST", "METHOD:CANCEL", "UID:0a1b", "UID:ffff").Replace(string(fixture(t, "google-request.eml")))
	parts := strings.SplitN(cancel, "--000000000000aaaa0002\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REQUEST", 2)
	if len(parts) != 2 {
		t.Fatal("fixture layout changed")
	}
	cancel = parts[0] + "--000000000000aaaa0002\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=CANCEL" + parts[1]
	req := string(fixture(t, "google-request.eml"))
	i := strings.Index(req, "--000000000000aaaa0002\r\nContent-Type: text/calendar")
	j := strings.Index(cancel, "--000000000000aaaa0002\r\nContent-Type: text/calendar")
	k := strings.Index(cancel[j:], "--000000000000aaaa0002--")
	mail := req[:i] + cancel[j:j+k] + req[i:]
	in, err := (&Receiver{Logger: quiet}).Parse(context.Background(), strings.NewReader(mail), Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Messages) != 2 || in.Messages[0].Message.Method != "CANCEL" || in.Messages[1].Message.Method != "REQUEST" {
		t.Fatalf("got %d messages", len(in.Messages))
	}
}

// fakeProcessor records what it is given.
type fakeProcessor struct {
	calls []string
}

// ProcessIncoming implements Processor.
func (p *fakeProcessor) ProcessIncoming(_ context.Context, originator string, recipients []string, msg *itip.Message) (map[string]schedule.Status, error) {
	p.calls = append(p.calls, msg.Method+" "+originator+" -> "+strings.Join(recipients, ","))
	out := map[string]schedule.Status{}
	for _, r := range recipients {
		out[caladdr.Normalize(r)] = schedule.StatusDelivered
	}
	return out, nil
}

func TestProcessHandsOverVerifiedMessages(t *testing.T) {
	r := &Receiver{Logger: quiet}
	in, err := r.Parse(context.Background(), bytes.NewReader(fixture(t, "thunderbird-request.eml")), Envelope{Recipients: []string{"bob@example.org", "carol@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	var p fakeProcessor
	st, err := r.Process(context.Background(), &p, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 1 || p.calls[0] != "REQUEST mailto:olga@tb.example -> mailto:bob@example.org,mailto:carol@example.org" {
		t.Errorf("calls %q", p.calls)
	}
	if st["mailto:bob@example.org"] != schedule.StatusDelivered || len(st) != 2 {
		t.Errorf("statuses %v", st)
	}
}

func TestParseAuthenticationResults(t *testing.T) {
	ar, err := ParseAuthenticationResults(`mx.example.org 1; dkim=pass (good signature) header.d=example.com header.s="sel 1";
	 spf=softfail smtp.mailfrom=example.com (comment (nested)); dmarc/1=fail (p=reject) header.from=example.com; arc=none`)
	if err != nil {
		t.Fatal(err)
	}
	if ar.AuthServID != "mx.example.org" || len(ar.Results) != 4 {
		t.Fatalf("%+v", ar)
	}
	if r := ar.Results[0]; r.Method != "dkim" || r.Result != "pass" || r.Props["header.d"] != "example.com" {
		t.Errorf("dkim %+v", r)
	}
	if r := ar.Results[1]; r.Method != "spf" || r.Result != "softfail" || r.Props["smtp.mailfrom"] != "example.com" {
		t.Errorf("spf %+v", r)
	}
	if r := ar.Results[2]; r.Method != "dmarc" || r.Result != "fail" || r.Props["header.from"] != "example.com" {
		t.Errorf("dmarc %+v", r)
	}
	if ar, err := ParseAuthenticationResults("mx.example.org; none"); err != nil || len(ar.Results) != 0 {
		t.Errorf("none: %+v %v", ar, err)
	}
	if _, err := ParseAuthenticationResults("  ; dkim=pass"); !errors.Is(err, ErrMalformed) {
		t.Errorf("no authserv-id: %v", err)
	}
}
