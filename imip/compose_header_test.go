package imip

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// TestComposeFoldsLongHeaderLines: a non-ASCII subject and display names
// at their length limits give header lines of at most 78 octets (go-message
// alone wrote them on one line of up to 998), and they decode back to the
// same text.
func TestComposeFoldsLongHeaderLines(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	msg := mustMessage(t, invitationICS)
	ev := msg.Components()[0]
	ev.Props.Set(&ical.Prop{Name: ical.PropSummary, Params: ical.Params{}, Value: strings.Repeat("Überlänge 😀", 40)})
	ev.Props.Get(ical.PropOrganizer).Params.Set(ical.ParamCommonName, strings.Repeat("Ålice Örganizer ", 20))
	ev.Props[ical.PropAttendee][1].Params.Set(ical.ParamCommonName, strings.Repeat("Bøb", 100))
	out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	head := out.Data[:bytes.Index(out.Data, []byte("\r\n\r\n"))]
	for _, l := range strings.Split(string(head), "\r\n") {
		if len(l) > 78 {
			t.Errorf("header line of %d octets: %.80q…", len(l), l)
		}
	}
	pm := parseBack(t, out.Data)
	if s, _ := pm.header.Subject(); s != out.Subject || !strings.HasPrefix(s, "Invitation: Überlänge 😀Überlänge") {
		t.Errorf("Subject %q, want %q", s, out.Subject)
	}
	to, err := pm.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "bob@remote.example" || !strings.HasPrefix(to[0].Name, "BøbBøb") {
		t.Errorf("To %v %v", to, err)
	}
	from, err := pm.header.AddressList("From")
	if err != nil || len(from) != 1 || !strings.HasSuffix(from[0].Name, " via Calendar") {
		t.Errorf("From %v %v", from, err)
	}
	if !bytes.Equal(pm.part(t, "text/calendar").body, msg.Bytes()) {
		t.Error("the calendar part changed")
	}
}

// TestFoldHeader: folding only inserts CRLF before spaces of long header
// lines, never touches the body, and keeps a word longer than a line
// whole.
func TestFoldHeader(t *testing.T) {
	word := strings.Repeat("w", 90)
	in := "Short: x\r\nLong: " + strings.Repeat("abc ", 40) + "\r\nWord: " + word + " tail\r\n\r\nbody " + strings.Repeat("b ", 60) + "\r\n"
	got := string(foldHeader([]byte(in)))
	if strings.ReplaceAll(got, "\r\n ", " ") != in {
		t.Errorf("unfolding does not give the input back:\n%q", got)
	}
	head, body, _ := strings.Cut(got, "\r\n\r\n")
	if body != "body "+strings.Repeat("b ", 60)+"\r\n" {
		t.Errorf("body changed: %q", body)
	}
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 78 && !strings.Contains(l, word) {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	if s := "A: b\r\n\r\nc"; string(foldHeader([]byte(s))) != s {
		t.Error("a short header changed")
	}
}

// FuzzFoldHeader: folding never changes what a header unfolds to, nor
// the body.
func FuzzFoldHeader(f *testing.F) {
	f.Add("Subject: "+strings.Repeat("=?utf-8?q?=C3=9C?= ", 30), "body")
	f.Add(" "+strings.Repeat("x ", 50), "")
	f.Fuzz(func(t *testing.T, field, body string) {
		if strings.Contains(field, "\r\n") || strings.Contains(field, "\n") || strings.Contains(field, "\r") {
			return
		}
		in := "A: b\r\n" + field + "\r\n\r\n" + body
		got := string(foldHeader([]byte(in)))
		if strings.ReplaceAll(got, "\r\n ", " ") != strings.ReplaceAll(in, "\r\n ", " ") {
			t.Fatalf("unfolds to something else:\n%q\n%q", in, got)
		}
		if !strings.HasSuffix(got, "\r\n\r\n"+body) {
			t.Fatalf("body changed: %q", got)
		}
	})
}
