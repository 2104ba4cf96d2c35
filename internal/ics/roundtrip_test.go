package ics

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const sample = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nSUMMARY:" + "Ünïcödé and a long summary that certainly goes past the seventy-five octet limit of RFC 5545" + "\r\nATTENDEE;CN=\"Doe, Jane\";PARTSTAT=NEEDS-ACTION:mailto:jane@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestRoundTrip(t *testing.T) {
	cal, err := Decode([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	out := Encode(cal)
	for _, line := range bytes.Split(out, []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	again, err := Decode(out)
	if err != nil {
		t.Fatalf("re-decoding: %v\n%s", err, out)
	}
	ev := again.Children[0]
	if got := ev.Props.Get("SUMMARY").Value; !strings.HasPrefix(got, "Ünïcödé") || !strings.HasSuffix(got, "RFC 5545") {
		t.Errorf("SUMMARY after round trip = %q", got)
	}
	if cn := ev.Props.Get("ATTENDEE").Params.Get("CN"); cn != "Doe, Jane" {
		t.Errorf("CN after round trip = %q", cn)
	}
	if !bytes.HasPrefix(out, []byte("BEGIN:VCALENDAR\r\nPRODID:")) {
		t.Errorf("PRODID not first: %s", out)
	}
}

func TestDecodeErrorsSimple(t *testing.T) {
	for _, in := range []string{"", "garbage", "BEGIN:VCALENDAR\r\n", sample + sample} {
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("Decode(%q) error = %v, want ErrSyntax", in, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("BEGIN:VCALENDAR\r\nX;A=\"\r\nEND:VCALENDAR\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := Decode(data)
		if err != nil {
			return
		}
		if _, err := Decode(Encode(cal)); err != nil {
			t.Fatalf("encoded output does not decode: %v", err)
		}
	})
}
