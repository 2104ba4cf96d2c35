package imip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseMail feeds arbitrary bytes to Receiver.Parse: it must never
// panic, must answer quickly, and every refusal must be a *RefusedError.
func FuzzParseMail(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "imip", "inbound", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/calendar; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n--x--\r\n"))
	f.Add([]byte("From: a@b.example\r\nContent-Type: text/calendar; method=REQUEST; charset=latin1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nBEGIN:VCALENDAR=\r\n=0D=0AEND:VCALENDAR\r\n"))
	r := &Receiver{Logger: quiet, MaxSize: 1 << 20, TrustedAuthServIDs: []string{"mx.example.org"}}
	f.Fuzz(func(t *testing.T, mail []byte) {
		start := time.Now()
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("Parse hangs on %d octets", len(mail)))
			}
		}()
		in, err := r.Parse(context.Background(), bytes.NewReader(mail), Envelope{})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Parse took %v on %d octets", d, len(mail))
		}
		if err != nil {
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if len(in.Messages) == 0 {
			t.Fatal("accepted a mail without messages")
		}
		for _, m := range in.Messages {
			if m.Message == nil || m.Originator == "" || len(m.Recipients) == 0 {
				t.Fatalf("incomplete result %+v", m)
			}
			if allowed, err := r.allowedSenders(context.Background(), m.Message, in.From); err != nil || !hasAddress(allowed, in.From) {
				t.Fatalf("accepted %s as %s", in.From, m.Originator)
			}
		}
	})
}

// FuzzParseAuthenticationResults: no panic on any header value.
func FuzzParseAuthenticationResults(f *testing.F) {
	f.Add("mx.example.org; dkim=pass header.d=example.com; dmarc=fail (p=reject (x)) header.from=example.com")
	f.Add("mx; none")
	f.Add(`a; b=c d="e\"(" (f\)`)
	f.Fuzz(func(t *testing.T, v string) {
		ar, err := ParseAuthenticationResults(v)
		if err == nil && ar.AuthServID == "" {
			t.Fatal("no authserv-id but no error")
		}
	})
}
