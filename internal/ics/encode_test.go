package ics

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// checkLines fails unless out is CRLF-terminated lines of at most 75 octets,
// none splitting a UTF-8 sequence.
func checkLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatalf("output does not end in CRLF: %q", out)
	}
	for i, line := range bytes.Split(out[:len(out)-2], []byte("\r\n")) {
		if len(line) > maxLineOctets {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if !utf8.Valid(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
	}
}

func propLine(p ical.Prop) string { return string(AppendProperty(nil, &p)) }

func TestFoldBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		// "X:" + 73 octets is exactly 75: no fold.
		{"exactly 75", strings.Repeat("a", 73), "X:" + strings.Repeat("a", 73) + "\r\n"},
		{"76", strings.Repeat("a", 74), "X:" + strings.Repeat("a", 73) + "\r\n a\r\n"},
		// Continuation lines hold 74 octets after their space.
		{"two folds", strings.Repeat("a", 73+74+1), "X:" + strings.Repeat("a", 73) + "\r\n " + strings.Repeat("a", 74) + "\r\n a\r\n"},
		// A 2-octet character at octets 75-76 moves to the next line.
		{"é at boundary", strings.Repeat("a", 72) + "é", "X:" + strings.Repeat("a", 72) + "\r\n é\r\n"},
		// A 2-octet character ending exactly at octet 75 stays.
		{"é ends at 75", strings.Repeat("a", 71) + "é", "X:" + strings.Repeat("a", 71) + "é\r\n"},
		// A 4-octet character straddling the boundary moves whole.
		{"emoji at boundary", strings.Repeat("a", 71) + "🎉b", "X:" + strings.Repeat("a", 71) + "\r\n 🎉b\r\n"},
		{"3-octet run", strings.Repeat("日", 30), "X:" + strings.Repeat("日", 24) + "\r\n " + strings.Repeat("日", 6) + "\r\n"},
	} {
		got := propLine(ical.Prop{Name: "X", Value: tc.value})
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		checkLines(t, []byte(got))
	}
}

func TestFoldInvalidUTF8Terminates(t *testing.T) {
	// A run of continuation bytes (only names are written unchecked) must
	// not stall the folder.
	l := lineWriter{}
	l.write(strings.Repeat("\x80", 300))
	out := string(l.end())
	if n := strings.Count(out, "\x80"); n != 300 {
		t.Errorf("kept %d of 300 bytes", n)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > maxLineOctets {
			t.Errorf("line of %d octets", len(line))
		}
	}
}

func TestEncodeParams(t *testing.T) {
	for _, tc := range []struct {
		params ical.Params
		want   string
	}{
		{ical.Params{"CN": {"Doe, Jane"}, "ROLE": {"CHAIR"}}, `X;CN="Doe, Jane";ROLE=CHAIR:v`},
		{ical.Params{"A": {"x:y"}, "B": {"p;q"}}, `X;A="x:y";B="p;q":v`},
		{ical.Params{"CN": {`George "Babe" Ruth`}}, `X;CN=George ^'Babe^' Ruth:v`},
		{ical.Params{"CN": {`"Quoted", sir`}}, `X;CN="^'Quoted^', sir":v`},
		{ical.Params{"X-ADDR": {"Main St\nTown\r\nLand\rX"}}, `X;X-ADDR=Main St^nTown^nLand^nX:v`},
		{ical.Params{"A": {"5^2", "^"}}, `X;A=5^^2,^^:v`},
		{ical.Params{"A": {"", "b\x00c\td"}}, "X;A=,bc\td:v"},
		{ical.Params{"Z": {"1"}, "A": {"2"}, "M": {"3"}}, `X;A=2;M=3;Z=1:v`},
		{ical.Params{}, `X:v`},
		{ical.Params{"EMPTY": {}, "NIL": nil, "A": {"1"}}, `X;A=1:v`},
	} {
		got := propLine(ical.Prop{Name: "X", Params: tc.params, Value: "v"})
		if got != tc.want+"\r\n" {
			t.Errorf("params %#v:\n got %q\nwant %q", tc.params, got, tc.want)
		}
		cal, err := Decode([]byte("BEGIN:VCALENDAR\r\n" + got + "END:VCALENDAR\r\n"))
		if err != nil {
			t.Errorf("%q does not decode: %v", got, err)
			continue
		}
		back := cal.Props.Get("X").Params
		for name, vals := range tc.params {
			for i, v := range vals {
				v = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "").Replace(v)
				if i >= len(back[name]) || back[name][i] != v {
					t.Errorf("%q: %s decodes to %q, want %q", got, name, back[name], v)
				}
			}
		}
	}
}

func TestEncodeValueControls(t *testing.T) {
	got := propLine(ical.Prop{Name: "DESCRIPTION", Value: "a\r\nb\nc\rd\x00e\tf\xffg\xc3"})
	if want := "DESCRIPTION:a\\nb\\nc\\nde\tf\uFFFDg\uFFFD\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = propLine(ical.Prop{Name: "X", Params: ical.Params{"A": {"\xff:x", "\xe2\x82"}}, Value: "v"})
	if want := "X;A=\"\uFFFD:x\",\uFFFD\uFFFD:v\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEncodeOrder(t *testing.T) {
	ev := ical.NewComponent("VEVENT")
	for _, name := range []string{"SUMMARY", "DTSTART", "SEQUENCE", "ATTENDEE", "UID", "X-B", "DTSTAMP", "RECURRENCE-ID"} {
		ev.Props.Add(&ical.Prop{Name: name, Params: ical.Params{}, Value: "1"})
	}
	ev.Props.Add(&ical.Prop{Name: "ATTENDEE", Params: ical.Params{}, Value: "2"})
	cal := ical.NewCalendar()
	cal.Props.SetText("VERSION", "2.0")
	cal.Props.SetText("PRODID", "p")
	cal.Props.SetText("METHOD", "REQUEST")
	cal.Props.SetText("CALSCALE", "GREGORIAN")
	cal.Children = append(cal.Children, ev, nil)
	want := "BEGIN:VCALENDAR\r\nPRODID:p\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID:1\r\nDTSTAMP:1\r\nSEQUENCE:1\r\nATTENDEE:1\r\nATTENDEE:2\r\nDTSTART:1\r\nSUMMARY:1\r\nX-B:1\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	for i := 0; i < 5; i++ { // map order varies between runs
		if got := string(Encode(cal)); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	}
	var b bytes.Buffer
	if err := EncodeTo(&b, cal); err != nil || b.String() != want {
		t.Errorf("EncodeTo = %q, %v", b.String(), err)
	}
	if Encode(nil) != nil || Encode(&ical.Calendar{}) != nil || AppendComponent([]byte("x"), nil) == nil {
		t.Error("nil calendars must encode to nothing")
	}
}

func TestEncodeManyNames(t *testing.T) {
	c := ical.NewComponent("X")
	var names []string
	for i := 0; i < 40; i++ { // beyond the insertion-sort and stack sizes
		name := "P" + string(rune('A'+i%26)) + string(rune('A'+i/26))
		names = append(names, name)
		p := ical.NewProp(name)
		for j := 0; j < 20; j++ {
			p.Params[name+string(rune('A'+j))] = []string{"v"}
		}
		c.Props.Add(p)
	}
	out := string(AppendComponent(nil, c))
	last := -1
	for _, name := range []string{"PAA", "PAB", "PBA", "PNB"} {
		i := strings.Index(out, "\r\n"+name+";")
		if i <= last {
			t.Fatalf("%s out of order in\n%s", name, out)
		}
		last = i
	}
	// Twenty parameters: sorted by name beyond the insertion-sort size.
	cal, err := Decode([]byte("BEGIN:VCALENDAR\r\n" + out + "END:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	unfolded := string(AppendProperty(nil, &cal.Children[0].Props["PAA"][0]))
	unfolded = strings.ReplaceAll(unfolded, "\r\n ", "")
	last = -1
	for j := 0; j < 20; j++ {
		i := strings.Index(unfolded, ";PAA"+string(rune('A'+j))+"=v")
		if i <= last {
			t.Fatalf("parameter %d out of order in %s", j, unfolded)
		}
		last = i
	}
	checkLines(t, []byte(out))
}

func TestRoundTripFixtures(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			cal, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			out := Encode(cal)
			checkLines(t, out)
			again, err := Decode(out)
			if err != nil {
				t.Fatalf("re-decoding: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(cal, again) {
				t.Errorf("round trip changed the calendar:\n%s", out)
			}
			if !bytes.Equal(Encode(again), out) {
				t.Error("encoding is not stable")
			}
			// go-ical reads our output the same way.
			if gi, err := decodeGoIcal(out); err != nil || !reflect.DeepEqual(gi, cal) {
				t.Errorf("go-ical reads the output differently: %v", err)
			}
		})
	}
}
