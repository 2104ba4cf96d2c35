package ics

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

func TestDecodeFixturesMatchGoIcal(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			// go-ical does not skip a byte order mark.
			want, err := decodeGoIcal(bytes.TrimPrefix(data, []byte(utf8BOM)))
			if err != nil {
				t.Fatalf("go-ical: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decode differs from go-ical:\n got %#v\nwant %#v", got.Component, want.Component)
			}
		})
	}
}

// crlf turns the readable "\n"-separated lines of tests into CRLF lines.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

const minimal = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20260101T000000Z\nEND:VEVENT\nEND:VCALENDAR\n"

func TestDecodeStructure(t *testing.T) {
	cal, err := Decode(crlf("begin:vcalendar\nVersion:2.0\nBEGIN:VEVENT\nuid:1\nAttendee;cn=A;Partstat=ACCEPTED:mailto:a@x\nATTENDEE:mailto:b@x\nSUMMARY:a:b;c\nBEGIN:VALARM\nACTION:DISPLAY\nEND:valarm\nEND:VEVENT\nEND:VCALENDAR\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cal.Name != "VCALENDAR" || len(cal.Children) != 1 || cal.Props.Get("VERSION").Value != "2.0" {
		t.Fatalf("calendar = %#v", cal.Component)
	}
	ev := cal.Children[0]
	att := ev.Props["ATTENDEE"]
	if len(att) != 2 || att[0].Value != "mailto:a@x" || att[1].Value != "mailto:b@x" {
		t.Fatalf("ATTENDEE = %#v", att)
	}
	if !reflect.DeepEqual(att[0].Params, ical.Params{"CN": {"A"}, "PARTSTAT": {"ACCEPTED"}}) {
		t.Errorf("params = %#v", att[0].Params)
	}
	if att[1].Params == nil {
		t.Error("a property without parameters must get an empty, non-nil Params map, as go-ical gives")
	}
	if v := ev.Props.Get("SUMMARY").Value; v != "a:b;c" {
		t.Errorf("SUMMARY = %q", v)
	}
	if len(ev.Children) != 1 || ev.Children[0].Name != "VALARM" || ev.Children[0].Children != nil {
		t.Errorf("VALARM = %#v", ev.Children)
	}
	// Appending to one name's properties must not overwrite another's.
	ev.Props["ATTENDEE"] = append(ev.Props["ATTENDEE"], ical.Prop{Name: "ATTENDEE", Value: "mailto:c@x"})
	if ev.Props.Get("SUMMARY").Value != "a:b;c" || ev.Props.Get("UID").Value != "1" {
		t.Error("appending ATTENDEE overwrote a neighbouring property")
	}
}

func TestDecodeParams(t *testing.T) {
	for _, tc := range []struct {
		line string
		want ical.Params
	}{
		{`X;CN="Doe, Jane: boss; CEO":v`, ical.Params{"CN": {"Doe, Jane: boss; CEO"}}},
		{`X;A=1,"2,3",4:v`, ical.Params{"A": {"1", "2,3", "4"}}},
		{`X;A=;B="":v`, ical.Params{"A": {""}, "B": {""}}},
		{`X;A=1;a=2:v`, ical.Params{"A": {"1", "2"}}},
		{`X;X-MY_PARAM=1:v`, ical.Params{"X-MY_PARAM": {"1"}}},
		{`X;CN=George Herman ^'Babe^' Ruth:v`, ical.Params{"CN": {`George Herman "Babe" Ruth`}}},
		{`X;X-ADDR="Main St^nTown":v`, ical.Params{"X-ADDR": {"Main St\nTown"}}},
		{`X;A=5^^2 ^x^:v`, ical.Params{"A": {"5^2 ^x^"}}},
		{`X;A="ünï":v`, ical.Params{"A": {"ünï"}}},
		{"X;A=a\tb:v", ical.Params{"A": {"a\tb"}}},
	} {
		cal, err := Decode(crlf("BEGIN:VCALENDAR\n" + tc.line + "\nEND:VCALENDAR\n"))
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		p := cal.Props.Get("X")
		if !reflect.DeepEqual(p.Params, tc.want) || p.Value != "v" {
			t.Errorf("%s: params %#v value %q, want %#v", tc.line, p.Params, p.Value, tc.want)
		}
	}
}

func TestDecodeUnfolding(t *testing.T) {
	for name, in := range map[string]string{
		"CRLF space": "BEGIN:VCALENDAR\r\nSUMMARY:ab\r\n c\r\n  d\r\nEND:VCALENDAR\r\n",
		"LF tab":     "BEGIN:VCALENDAR\nSUMMARY:ab\n\tc\n\t d\nEND:VCALENDAR\n",
		"mixed":      "BEGIN:VCALENDAR\nSUMM\r\n ARY:ab\n c \r\n\td\r\nEND:VCALENDAR",
		"multi-byte": "BEGIN:VCALENDAR\r\nSUMMARY:ab\xc3\r\n \xbc\r\n c \r\n d\r\nEND:VCALENDAR\r\n",
	} {
		cal, err := Decode([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := map[string]string{"CRLF space": "abc d", "LF tab": "abc d", "mixed": "abc d", "multi-byte": "abüc d"}[name]
		if got := cal.Props.Get("SUMMARY").Value; got != want {
			t.Errorf("%s: SUMMARY = %q, want %q", name, got, want)
		}
	}
}

func TestDecodeLFAndBlankLines(t *testing.T) {
	cal, err := Decode([]byte("\n" + minimal + "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeGoIcal([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cal, want) {
		t.Errorf("LF-only input: got %#v, want %#v", cal.Component, want.Component)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 0, "no VCALENDAR"},
		{"blank", "\n\n", 0, "no VCALENDAR"},
		{"garbage", "garbage", 1, "missing ':'"},
		{"not a calendar", "BEGIN:VEVENT\nEND:VEVENT\n", 1, "expected BEGIN:VCALENDAR"},
		{"property first", "VERSION:2.0\n" + minimal, 1, "expected BEGIN:VCALENDAR"},
		{"unterminated", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\n", 4, "missing END:VEVENT"},
		{"mismatched END", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VTODO\nEND:VCALENDAR\n", 4, "END:VTODO does not match BEGIN:VEVENT on line 2"},
		{"END without BEGIN", "END:VCALENDAR\n", 1, "without BEGIN"},
		{"trailing garbage", minimal + "garbage\n", 9, "data after END:VCALENDAR"},
		{"two calendars", minimal + minimal, 9, "data after END:VCALENDAR"},
		{"empty name", "BEGIN:VCALENDAR\n:x\nEND:VCALENDAR\n", 2, "empty property name"},
		{"bad name", "BEGIN:VCALENDAR\nX Y:x\nEND:VCALENDAR\n", 2, "invalid character ' ' in property name"},
		{"empty component", "BEGIN:VCALENDAR\nBEGIN:\nEND:\nEND:VCALENDAR\n", 2, "without a component name"},
		{"bad component", "BEGIN:VCALENDAR\nBEGIN:V EVENT\nEND:V EVENT\nEND:VCALENDAR\n", 2, "in component name"},
		{"param no colon", "BEGIN:VCALENDAR\nX;A=b\nEND:VCALENDAR\n", 2, "missing ':' after parameters"},
		{"param no equals", "BEGIN:VCALENDAR\nX;A:b\nEND:VCALENDAR\n", 2, "invalid character ':' in parameter name"},
		{"param empty name", "BEGIN:VCALENDAR\nX;=a:b\nEND:VCALENDAR\n", 2, "empty parameter name"},
		{"unterminated quote", "BEGIN:VCALENDAR\nX;A=\"b:c\nEND:VCALENDAR\n", 2, "unterminated quoted"},
		{"after quote", "BEGIN:VCALENDAR\nX;A=\"b\"c:d\nEND:VCALENDAR\n", 2, "unexpected character 'c' after parameter value"},
		{"quote inside", "BEGIN:VCALENDAR\nX;A=b\"c\":d\nEND:VCALENDAR\n", 2, "inside unquoted"},
		{"invalid UTF-8", "BEGIN:VCALENDAR\nX:\xff\nEND:VCALENDAR\n", 2, "invalid UTF-8"},
		{"split UTF-8 not continued", "BEGIN:VCALENDAR\nX:\xc3\nEND:VCALENDAR\n", 2, "invalid UTF-8"},
		{"NUL", "BEGIN:VCALENDAR\nX:a\x00b\nEND:VCALENDAR\n", 2, "control character 0x00"},
		{"bare CR", "BEGIN:VCALENDAR\nX:a\rb\nEND:VCALENDAR\n", 2, "control character 0x0d"},
		{"CR only lines", "BEGIN:VCALENDAR\rEND:VCALENDAR\r", 1, "control character 0x0d"},
		{"line numbers count folds", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nX:a\n b\n\tc\nY;A=\"b\"c:d\nEND:VEVENT\nEND:VCALENDAR\n", 6, "after parameter value"},
		{"BEGIN line after folds", "BEGIN:VCALENDAR\nX:a\n b\nBEGIN:VEVENT\nX:a\n b\n c\nEND:VTODO\n", 8, "END:VTODO does not match BEGIN:VEVENT on line 4"},
		{"missing END after folds", "BEGIN:VCALENDAR\nX:a\n b\n", 4, "missing END:VCALENDAR for BEGIN on line 1"},
		{"long value clipped", "BEGIN:VCALENDAR\nEND:" + strings.Repeat("é", 100) + "\n", 2, "END:" + strings.Repeat("é", 20) + "... does not match"},
		{"DEL in folded line", "BEGIN:VCALENDAR\nX:a\n b\x7f\nEND:VCALENDAR\n", 2, "control character 0x7f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal, err := Decode(crlf(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Decode = %v, %v; want a *SyntaxError", cal, err)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("error = line %d %q, want line %d containing %q", se.Line, se.Msg, tc.line, tc.msg)
			}
			if errors.Is(err, ErrLimit) {
				t.Errorf("%v must not match ErrLimit", err)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	nested := func(depth int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\n")
		for i := 1; i < depth; i++ {
			b.WriteString("BEGIN:X\n")
		}
		for i := 1; i < depth; i++ {
			b.WriteString("END:X\n")
		}
		b.WriteString("END:VCALENDAR\n")
		return b.String()
	}
	manyProps := "BEGIN:VCALENDAR\n" + strings.Repeat("X:1\n", 11) + "END:VCALENDAR\n"
	manyComps := "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:X\nEND:X\n", 10) + "END:VCALENDAR\n"
	longLine := "BEGIN:VCALENDAR\nX:" + strings.Repeat("a", 100) + "\nEND:VCALENDAR\n"
	longFolded := "BEGIN:VCALENDAR\nX:" + strings.Repeat("aaaaaaaaa\n ", 11) + "\nEND:VCALENDAR\n"
	manyValues := "BEGIN:VCALENDAR\nX;A=" + strings.Repeat("a,", 10) + "a\nEND:VCALENDAR\n"
	opts := DecodeOptions{MaxDepth: 4, MaxLineLength: 100, MaxProperties: 10, MaxComponents: 10, MaxParamValues: 10}
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"depth at limit", nested(4), true},
		{"depth over limit", nested(5), false},
		{"properties over limit", manyProps, false},
		{"components at limit", strings.Replace(manyComps, "BEGIN:X\nEND:X\n", "", 1), true},
		{"components over limit", manyComps, false},
		{"line over limit", longLine, false},
		{"folded line over limit", longFolded, false},
		{"parameter values over limit", manyValues, false},
	} {
		_, err := opts.Decode(crlf(tc.in))
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (!errors.Is(err, ErrLimit) || !errors.Is(err, ErrSyntax)) {
			t.Errorf("%s: error %v, want ErrLimit and ErrSyntax", tc.name, err)
		}
	}
	// The defaults apply to Decode.
	if _, err := Decode(crlf(nested(DefaultMaxDepth + 1))); !errors.Is(err, ErrLimit) {
		t.Errorf("default depth limit: %v", err)
	}
	if _, err := Decode(crlf(nested(DefaultMaxDepth))); err != nil {
		t.Errorf("default depth at limit: %v", err)
	}
}

func TestDecodeBOMAndDataReuse(t *testing.T) {
	data := append([]byte(utf8BOM), crlf(minimal)...)
	cal, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	if cal.Children[0].Props.Get("UID").Value != "1" {
		t.Error("decoded strings alias the caller's buffer")
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	if got := (&SyntaxError{Line: 3, Msg: "bad"}).Error(); got != "ics: line 3: bad" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&SyntaxError{Msg: "bad"}).Error(); got != "ics: bad" {
		t.Errorf("Error() = %q", got)
	}
}

// TestDecodeWhereGoIcalPanics pins inputs on which go-ical's decoder panics:
// Decode must return a SyntaxError for each.
func TestDecodeWhereGoIcalPanics(t *testing.T) {
	for _, in := range []string{
		"BEGIN:VCALENDAR\r\nX;A=\"b\"c:d\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nX;A=b\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nX;A=\"b\"\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nX;A:b=c\r\nEND:VCALENDAR\r\n",
	} {
		_, goErr := decodeGoIcal([]byte(in))
		if goErr == nil || !strings.Contains(goErr.Error(), "panicked") {
			t.Logf("go-ical no longer panics on %q (%v)", in, goErr)
		}
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("Decode(%q) = %v, want a SyntaxError", in, err)
		}
	}
}

// TestDecodeGroupingMatchesGoIcal covers both ways properties are grouped
// by name (up to maxNameGroups names, and the sorting fallback beyond) and
// both ways parameters are collected (each name once, and merged when a
// name repeats), names repeated and interleaved.
func TestDecodeGroupingMatchesGoIcal(t *testing.T) {
	for _, names := range []int{3, maxNameGroups, maxNameGroups + 1, 3 * maxNameGroups} {
		for _, params := range []int{0, 2, 3, 8, 11} {
			var b strings.Builder
			b.WriteString("BEGIN:VCALENDAR\nBEGIN:VEVENT\n")
			for i := 0; i < 3*names; i++ {
				fmt.Fprintf(&b, "X-P%d", (i*7)%names)
				for j := 0; j < params; j++ {
					// Every third parameter repeats the first name.
					fmt.Fprintf(&b, ";A%d=v%d", j%3*j, i+j)
				}
				fmt.Fprintf(&b, ":value %d\n", i)
			}
			b.WriteString("END:VEVENT\nEND:VCALENDAR\n")
			data := crlf(b.String())
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("%d names, %d params: %v", names, params, err)
			}
			want, err := decodeGoIcal(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%d names, %d params: Decode differs from go-ical", names, params)
			}
		}
	}
}

func TestDecodeShareParams(t *testing.T) {
	data := []byte("BEGIN:VCALENDAR\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:a\r\nATTENDEE;CN=B:mailto:b@x\r\nATTENDEE;CN=B:mailto:c@x\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:b\r\nATTENDEE;CN=B:mailto:b@x\r\nATTENDEE;CN=C:mailto:c@x\r\nX-A;CN=B:v\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:c\r\nATTENDEE;CN=B:mailto:b@x\r\nATTENDEE;cn=C:mailto:c@x\r\nX-A;CN=B:w\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n")
	plain, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := DecodeShared(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain, cal) {
		t.Fatal("DecodeShared and Decode differ")
	}
	same := func(a, b ical.Params) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	atts := func(i int) []ical.Prop { return cal.Children[i].Props[ical.PropAttendee] }
	prop := func(i int, name string) ical.Params { return cal.Children[i].Props[name][0].Params }
	// The first component comes before any repetition: nothing shared.
	if same(atts(0)[0].Params, atts(0)[1].Params) {
		t.Error("lines of the first component share a map")
	}
	// Properties without parameters share one empty map throughout.
	if !same(prop(0, ical.PropUID), prop(0, ical.PropSummary)) || !same(prop(0, ical.PropUID), prop(2, ical.PropUID)) {
		t.Error("properties without parameters do not share the empty map")
	}
	// From the second VEVENT on, lines written alike share.
	if !same(atts(1)[0].Params, atts(2)[0].Params) || !same(prop(1, ical.PropSummary), prop(2, ical.PropSummary)) ||
		!same(prop(1, "X-A"), prop(2, "X-A")) {
		t.Error("identical lines of the second and third VEVENT do not share a map")
	}
	// A different name, or parameters written differently, do not.
	if same(atts(1)[0].Params, prop(1, "X-A")) || same(atts(1)[1].Params, atts(2)[1].Params) {
		t.Error("lines written differently share a map")
	}
	for i := range plain.Children {
		for _, props := range plain.Children[i].Props {
			for _, p := range props {
				if p.Params == nil {
					t.Fatal("nil Params")
				}
			}
		}
	}
	if plain2, _ := Decode(data); same(plain2.Children[1].Props[ical.PropAttendee][0].Params, plain2.Children[2].Props[ical.PropAttendee][0].Params) {
		t.Error("Decode without ShareParams shares a map")
	}
}

// TestDecodeOutgrowsScratch decodes a calendar outgrowing each of
// decode's on-stack scratch stacks (components nested 12 deep, 20
// children of one component, 40 properties open at once and components
// of growing size, properties after children) and compares with go-ical.
func TestDecodeOutgrowsScratch(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\n")
	for depth := 0; depth < 12; depth++ {
		fmt.Fprintf(&b, "BEGIN:X-C%d\nX-A;P=%d:before\n", depth, depth)
	}
	for kid := 0; kid < 20; kid++ {
		fmt.Fprintf(&b, "BEGIN:X-KID\n")
		for i := 0; i < 3*kid; i++ {
			fmt.Fprintf(&b, "X-P%d;A=%d:%d\n", i%5, kid, i)
		}
		b.WriteString("END:X-KID\n")
	}
	for depth := 11; depth >= 0; depth-- {
		fmt.Fprintf(&b, "X-B:after\nEND:X-C%d\n", depth)
	}
	b.WriteString("PRODID:x\nEND:VCALENDAR\n")
	data := crlf(b.String())
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeGoIcal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("Decode differs from go-ical")
	}
}
