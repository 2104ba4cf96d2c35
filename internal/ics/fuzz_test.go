package ics

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// fuzzSeeds are small inputs covering edges the fixtures (checked in under
// testdata/fuzz) do not.
var fuzzSeeds = []string{
	"BEGIN:VCALENDAR\r\nX;A=\"\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nX;A=\"b\"c:d\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\nX;A=b\nEND:VCALENDAR\n",
	"BEGIN:VCALENDAR\nX;CN=^'a^'^n^^:v\n f\nEND:VCALENDAR\n ",
	"\xEF\xBB\xBFBEGIN:VCALENDAR\nEND:vcalendar",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\nEND:VCALENDAR\n",
	"BEGIN:VCALENDAR\nEND:VCALENDAR\ngarbage\n",
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// encodes to folded CRLF lines that decode back to the same calendar.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrSyntax) || strings.Contains(err.Error(), internalError) {
				t.Fatalf("Decode(%q): %v", data, err)
			}
			return
		}
		shared, err := DecodeShared(data)
		if err != nil || !reflect.DeepEqual(cal, shared) {
			t.Fatalf("DecodeShared(%q) differs from Decode: %v", data, err)
		}
		out := Encode(cal)
		checkLines(t, out)
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("encoded output does not decode: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(cal, again) {
			t.Fatalf("round trip changed the calendar:\nin  %q\nout %q", data, out)
		}
		if !bytes.Equal(Encode(again), out) {
			t.Fatalf("encoding is not stable")
		}
	})
}

// rejectedOnPurpose lists the messages of the errors Decode returns for
// input go-ical accepts, as documented in doc.go.
var rejectedOnPurpose = []string{
	"invalid UTF-8",
	"control character",
	"in property name",
	"in parameter name",
	"in component name",
	"without a component name",
	"does not match BEGIN", // only under Unicode case folding
	"data after END:VCALENDAR",
}

// FuzzDecodeEquivalence checks Decode against go-ical's decoder: when both
// succeed the calendars are equal (parameter values RFC 6868-decoded), and
// when only one succeeds the reason is one of the documented differences.
func FuzzDecodeEquivalence(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		if err != nil && strings.Contains(err.Error(), internalError) {
			t.Fatalf("Decode(%q): %v", data, err)
		}
		want, goErr := decodeGoIcal(data)
		switch {
		case err == nil && goErr == nil:
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode differs from go-ical on %q:\n got %#v\nwant %#v", data, got.Component, want.Component)
			}
		case err != nil && goErr == nil:
			if errors.Is(err, ErrLimit) {
				return
			}
			for _, msg := range rejectedOnPurpose {
				if strings.Contains(err.Error(), msg) {
					return
				}
			}
			t.Fatalf("Decode rejects what go-ical accepts, for no documented reason: %v\n%q", err, data)
		case err == nil && goErr != nil:
			// go-ical stumbles on a byte order mark and on a fold space
			// as the last byte.
			if bytes.HasPrefix(data, []byte(utf8BOM)) || bytes.HasSuffix(data, []byte("\n ")) || bytes.HasSuffix(data, []byte("\n\t")) {
				return
			}
			t.Fatalf("Decode accepts what go-ical rejects (%v):\n%q", goErr, data)
		}
	})
}

// sanitized is what Decode gives back for a value (newline `\n`) or a
// parameter value (newline "\n") that AppendProperty wrote: line breaks
// replaced, other control characters but HTAB dropped, bytes of invalid
// UTF-8 replaced by U+FFFD.
func sanitized(s, newline string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\r' || r == '\n':
			b.WriteString(newline)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteRune(utf8.RuneError)
		case r < 0x20 && r != '\t' || r == 0x7F:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FuzzEncodeProperty checks that any value and parameter values, including
// ones no decoder produces, encode to folded lines that decode back to
// what they were, sanitized as documented.
func FuzzEncodeProperty(f *testing.F) {
	f.Add("Doe, Jane", `say "hi"^`, "a\r\nb\\n, c; d: é🎉")
	f.Add("\xff\x00", "x\ry", strings.Repeat("日本", 50))
	f.Fuzz(func(t *testing.T, param1, param2, value string) {
		p := ical.Prop{Name: "X-FUZZ", Params: ical.Params{"A": {param1, param2}, "B": {param2}}, Value: value}
		line := AppendProperty(nil, &p)
		checkLines(t, line)
		cal, err := Decode(append(append([]byte("BEGIN:VCALENDAR\r\n"), line...), "END:VCALENDAR\r\n"...))
		if err != nil {
			t.Fatalf("%q does not decode: %v", line, err)
		}
		got := cal.Props.Get("X-FUZZ")
		want := ical.Params{"A": {sanitized(param1, "\n"), sanitized(param2, "\n")}, "B": {sanitized(param2, "\n")}}
		if !reflect.DeepEqual(got.Params, want) {
			t.Errorf("params %q decode to %q, want %q", line, got.Params, want)
		}
		if want := sanitized(value, `\n`); got.Value != want {
			t.Errorf("value %q decodes to %q, want %q", line, got.Value, want)
		}
	})
}
