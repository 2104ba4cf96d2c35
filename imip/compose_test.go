package imip

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing"
	texttemplate "text/template"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/itip"
)

func TestComposeInvitationStructure(t *testing.T) {
	c := mustComposer(t, ComposerOptions{ProductName: "Example Calendar"})
	msg := mustMessage(t, invitationICS)
	out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:Bob@Remote.example", Key: "job-1"})
	if err != nil {
		t.Fatal(err)
	}
	if out.From != "calendar@example.org" || out.To != "bob@remote.example" {
		t.Errorf("envelope %q -> %q", out.From, out.To)
	}
	pm := parseBack(t, out.Data)
	if pm.top != "multipart/alternative" {
		t.Fatalf("top type %q", pm.top)
	}
	want := []string{"multipart/alternative", "multipart/alternative/text/plain", "multipart/alternative/text/html", "multipart/alternative/text/calendar"}
	if got := pm.types(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("structure %v, want %v", got, want)
	}
	subj, _ := pm.header.Subject()
	if subj != "Invitation: Planung Café Q1" {
		t.Errorf("Subject %q", subj)
	}
	from, _ := pm.header.AddressList("From")
	if len(from) != 1 || from[0].Address != "calendar@example.org" || from[0].Name != "Alice Organizer via Example Calendar" {
		t.Errorf("From %v", from)
	}
	rt, _ := pm.header.AddressList("Reply-To")
	if len(rt) != 1 || rt[0].Address != "alice@example.org" {
		t.Errorf("Reply-To %v", rt)
	}
	to, _ := pm.header.AddressList("To")
	if len(to) != 1 || to[0].Address != "bob@remote.example" || to[0].Name != "Bob Remote" {
		t.Errorf("To %v", to)
	}
	if id, _ := pm.header.MessageID(); id != out.MessageID || !strings.HasSuffix(id, "@example.org") {
		t.Errorf("Message-ID %q, Outgoing says %q", id, out.MessageID)
	}
	if d, err := pm.header.Date(); err != nil || !d.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Date %v %v (want the DTSTAMP)", d, err)
	}
	if pm.header.Get("MIME-Version") != "1.0" || pm.header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("MIME-Version %q Auto-Submitted %q", pm.header.Get("MIME-Version"), pm.header.Get("Auto-Submitted"))
	}

	cal := pm.part(t, "text/calendar")
	if cal.params["method"] != "REQUEST" || !strings.EqualFold(cal.params["charset"], "utf-8") || cal.params["component"] != "vevent" {
		t.Errorf("text/calendar params %v", cal.params)
	}
	if cal.cte != "base64" {
		t.Errorf("non-ASCII calendar sent as %q, want base64", cal.cte)
	}
	if !bytes.Equal(cal.body, msg.Bytes()) {
		t.Errorf("calendar part differs from the message:\n%s", cal.body)
	}
	back, err := itip.DecodeMessage(cal.body)
	if err != nil || back.Method != itip.MethodRequest || !back.HasRecipient("mailto:bob@remote.example") {
		t.Errorf("calendar part re-parsed: %v %+v", err, back)
	}

	text := string(pm.part(t, "text/plain").body)
	for _, s := range []string{"You are invited", "Planung Café Q1", "Raum Zürich, 3. Stock", "Thursday, 3 December 2026, 10:00 – 11:30 (Europe/Berlin)", "Alice Organizer <alice@example.org>", "Bob Remote <bob@remote.example> (NEEDS-ACTION)", "dave@remote.example", "1. Rückblick"} {
		if !strings.Contains(text, s) {
			t.Errorf("text part lacks %q:\n%s", s, text)
		}
	}
	html := string(pm.part(t, "text/html").body)
	if !strings.Contains(html, "Raum Zürich, 3. Stock") || !strings.Contains(html, `href="mailto:alice@example.org"`) {
		t.Errorf("HTML part:\n%s", html)
	}
}

func TestComposeIsDeterministicWithStableMessageID(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	msg := mustMessage(t, invitationICS)
	in := &ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example", Key: "queue-job-42"}
	a, err := c.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Compose(in)
	if !bytes.Equal(a.Data, b.Data) {
		t.Error("the same input gave different bytes")
	}
	other, _ := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example", Key: "queue-job-43"})
	if other.MessageID == a.MessageID {
		t.Error("different keys gave the same Message-ID")
	}
	// Without a key: derived from content and recipient.
	k1, _ := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example"})
	k2, _ := c.Compose(&ComposeInput{Message: msg, Recipient: "MAILTO:BOB@remote.example"})
	k3, _ := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:carol@remote.example"})
	if k1.MessageID != k2.MessageID || k1.MessageID == k3.MessageID {
		t.Errorf("content-derived IDs: %s %s %s", k1.MessageID, k2.MessageID, k3.MessageID)
	}
}

func TestComposeSubjects(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	cancel := strings.Replace(invitationICS, "METHOD:REQUEST", "METHOD:CANCEL", 1)
	update := strings.Replace(invitationICS, "SEQUENCE:0", "SEQUENCE:2", 1)
	for _, tc := range []struct {
		ics, recipient, want string
	}{
		{invitationICS, "mailto:bob@remote.example", "Invitation: Planung Café Q1"},
		{update, "mailto:bob@remote.example", "Updated: Planung Café Q1"},
		{cancel, "mailto:bob@remote.example", "Canceled: Planung Café Q1"},
		{fmt.Sprintf(replyICS, "ACCEPTED"), "mailto:carol@remote.example", "Accepted: Planning"},
		{fmt.Sprintf(replyICS, "DECLINED"), "mailto:carol@remote.example", "Declined: Planning"},
		{fmt.Sprintf(replyICS, "TENTATIVE"), "mailto:carol@remote.example", "Tentative: Planning"},
	} {
		out, err := c.Compose(&ComposeInput{Message: mustMessage(t, tc.ics), Recipient: tc.recipient})
		if err != nil {
			t.Fatal(err)
		}
		pm := parseBack(t, out.Data)
		if s, _ := pm.header.Subject(); s != tc.want || out.Subject != tc.want {
			t.Errorf("subject %q (Outgoing %q), want %q", s, out.Subject, tc.want)
		}
		if m := pm.part(t, "text/calendar").params["method"]; m != mustMessage(t, tc.ics).Method {
			t.Errorf("method param %q", m)
		}
	}
}

func TestComposeReplyGoesToOrganizer(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, fmt.Sprintf(replyICS, "DECLINED")), Recipient: "mailto:carol@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	pm := parseBack(t, out.Data)
	rt, _ := pm.header.AddressList("Reply-To")
	if len(rt) != 1 || rt[0].Address != "bob@example.org" {
		t.Errorf("Reply-To %v, want the replying attendee", rt)
	}
	if text := string(pm.part(t, "text/plain").body); !strings.Contains(text, "Bob Local has declined this invitation.") {
		t.Errorf("text part:\n%s", text)
	}
}

func TestComposeHeaderInjectionImpossible(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	msg := mustMessage(t, invitationICS)
	// Write hostile values straight into the calendar (bypassing the
	// iCalendar decoder, which would not let raw CR/LF through).
	ev := msg.Components()[0]
	ev.Props.Set(&ical.Prop{Name: ical.PropSummary, Params: ical.Params{}, Value: "Hi\r\nBcc: victim@example.net\r\n\r\n<b>body</b>"})
	att := ev.Props[ical.PropAttendee]
	att[1].Params.Set(ical.ParamCommonName, "Bob\r\nX-Injected: 1")
	ev.Props[ical.PropAttendee] = att
	out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example", OriginatorName: "Eve\nCc: x@example.net"})
	if err != nil {
		t.Fatal(err)
	}
	head := out.Data[:bytes.Index(out.Data, []byte("\r\n\r\n"))]
	for _, bad := range []string{"\r\nBcc:", "\r\nX-Injected:", "\r\nCc:", "\nBcc", "\rBcc"} {
		if bytes.Contains(head, []byte(bad)) {
			t.Errorf("header contains %q:\n%s", bad, head)
		}
	}
	pm := parseBack(t, out.Data)
	if pm.header.Has("Bcc") || pm.header.Has("X-Injected") || pm.header.Has("Cc") {
		t.Errorf("injected header field present:\n%s", head)
	}
	if s, _ := pm.header.Subject(); s != "Invitation: Hi Bcc: victim@example.net <b>body</b>" {
		t.Errorf("Subject %q", s)
	}
	// Subject length is bounded.
	ev.Props.Set(&ical.Prop{Name: ical.PropSummary, Params: ical.Params{}, Value: strings.Repeat("x", 5000)})
	msg2 := &itip.Message{Method: msg.Method, Originator: msg.Originator, Recipients: msg.Recipients, Update: msg.Update, Calendar: msg.Calendar}
	out, _ = c.Compose(&ComposeInput{Message: msg2, Recipient: "mailto:bob@remote.example"})
	if s, _ := parseBack(t, out.Data).header.Subject(); len([]rune(s)) > maxSubjectRunes+1 {
		t.Errorf("subject of %d runes", len([]rune(s)))
	}
}

func TestComposeEscapesHTML(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	ics := strings.Replace(invitationICS, "SUMMARY:Planung Café Q1", `SUMMARY:<script>alert(1)</script>`, 1)
	ics = strings.Replace(ics, `LOCATION:Raum Zürich\, 3. Stock`, `LOCATION:"><img src=x onerror=alert(2)>`, 1)
	ics = strings.Replace(ics, "SEQUENCE:0", "SEQUENCE:0\r\nURL:javascript:alert(3)", 1)
	ics = strings.Replace(ics, "CN=Carol", `CN="<i>Carol</i>"`, 1)
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, ics), Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	html := string(parseBack(t, out.Data).part(t, "text/html").body)
	for _, bad := range []string{"<script>", "<img", "<i>Carol", `href="javascript:`} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q:\n%s", bad, html)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "&lt;i&gt;Carol&lt;/i&gt;"} {
		if !strings.Contains(html, good) {
			t.Errorf("HTML lacks %q:\n%s", good, html)
		}
	}
}

func TestComposeFoldsLongLines(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	long := strings.Repeat("Überlange Beschreibung ohne Zeilenumbruch. ", 60)
	ics := strings.Replace(invitationICS, "DESCRIPTION:Agenda:", "DESCRIPTION:"+long+"Agenda:", 1)
	msg := mustMessage(t, ics)
	out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(out.Data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d has %d octets: %q", i, len(line), line)
		}
		if !isASCII([]byte(line)) {
			t.Errorf("line %d is not 7-bit: %q", i, line)
		}
	}
	if bytes.Contains(out.Data, []byte("=\r\n")) == false {
		t.Error("no quoted-printable soft line break in the mail")
	}
	pm := parseBack(t, out.Data)
	if text := string(pm.part(t, "text/plain").body); !strings.Contains(text, strings.TrimSpace(long)) {
		t.Error("the long description did not survive quoted-printable")
	}
	if !bytes.Equal(pm.part(t, "text/calendar").body, msg.Bytes()) {
		t.Error("the calendar did not survive base64")
	}
}

func TestComposeASCIICalendarIs7bit(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, fmt.Sprintf(replyICS, "ACCEPTED")), Recipient: "mailto:carol@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	cal := parseBack(t, out.Data).part(t, "text/calendar")
	if cal.cte != "7bit" {
		t.Errorf("ASCII calendar sent as %q", cal.cte)
	}
}

func TestComposeRecipientTimeZone(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, invitationICS), Recipient: "mailto:bob@remote.example", Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	text := string(parseBack(t, out.Data).part(t, "text/plain").body)
	if !strings.Contains(text, "Thursday, 3 December 2026, 04:00 – 05:30 (America/New_York)") {
		t.Errorf("time not in the recipient's zone:\n%s", text)
	}
}

func TestComposeAttachICS(t *testing.T) {
	c := mustComposer(t, ComposerOptions{AttachICS: true})
	msg := mustMessage(t, invitationICS)
	out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	pm := parseBack(t, out.Data)
	if pm.top != "multipart/mixed" {
		t.Fatalf("top %q", pm.top)
	}
	att := pm.part(t, "application/ics")
	if att.disp != "attachment" || !bytes.Equal(att.body, msg.Bytes()) {
		t.Errorf("attachment %q, same bytes %v", att.disp, bytes.Equal(att.body, msg.Bytes()))
	}
	if pm.part(t, "text/calendar").params["method"] != "REQUEST" {
		t.Error("text/calendar lost its method")
	}
}

func TestComposeListsChanges(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	prev, err := ical.NewDecoder(strings.NewReader(strings.Replace(strings.Replace(invitationICS, `Raum Zürich\, 3. Stock`, "Room 1", 1), "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dave@remote.example\r\n", "", 1))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	update := strings.Replace(invitationICS, "SEQUENCE:0", "SEQUENCE:1", 1)
	update = strings.Replace(update, "T100000\r\nDTEND", "T110000\r\nDTEND", 1)
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, update), Recipient: "mailto:bob@remote.example", Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	pm := parseBack(t, out.Data)
	text := string(pm.part(t, "text/plain").body)
	for _, s := range []string{"What changed:", "Where: Room 1 -> Raum Zürich, 3. Stock", "When: Thursday, 3 December 2026, 10:00 – 11:30 (Europe/Berlin) -> Thursday, 3 December 2026, 11:00 – 11:30 (Europe/Berlin)", "Attendees: added dave@remote.example"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	if s, _ := pm.header.Subject(); s != "Updated: Planung Café Q1" {
		t.Errorf("Subject %q", s)
	}
	// A recipient who was not in the previous version is invited.
	out, _ = c.Compose(&ComposeInput{Message: mustMessage(t, update), Recipient: "mailto:dave@remote.example", Previous: prev})
	if s, _ := parseBack(t, out.Data).header.Subject(); s != "Invitation: Planung Café Q1" {
		t.Errorf("new attendee's Subject %q", s)
	}
}

func TestComposeRefusesNonMailto(t *testing.T) {
	c := mustComposer(t, ComposerOptions{})
	for _, r := range []string{"urn:uuid:1234", "https://example.org/p/bob", "mailto:", "mailto:bob", "mailto:a b@example.org", "mailto:bob@example.org%0d%0aBcc:x@y"} {
		if _, err := c.Compose(&ComposeInput{Message: mustMessage(t, invitationICS), Recipient: r}); !errors.Is(err, ErrNotMailto) {
			t.Errorf("%q: %v, want ErrNotMailto", r, err)
		}
	}
	if _, err := NewComposer(ComposerOptions{From: "Calendar <cal@example.org>"}); err == nil {
		t.Error("From with a display name accepted")
	}
	if _, err := NewComposer(ComposerOptions{}); err == nil {
		t.Error("empty From accepted")
	}
}

func TestComposeFromOriginator(t *testing.T) {
	c := mustComposer(t, ComposerOptions{FromOriginator: true})
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, invitationICS), Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	pm := parseBack(t, out.Data)
	from, _ := pm.header.AddressList("From")
	sender, _ := pm.header.AddressList("Sender")
	if len(from) != 1 || from[0].Address != "alice@example.org" || len(sender) != 1 || sender[0].Address != "calendar@example.org" {
		t.Errorf("From %v Sender %v", from, sender)
	}
	if out.From != "calendar@example.org" {
		t.Errorf("envelope from %q", out.From)
	}
}

func TestComposeCustomTemplates(t *testing.T) {
	text := texttemplate.Must(texttemplate.New("t").Parse("{{.Kind}}|{{.Title}}|{{.Organizer.Email}}|{{len .Attendees}}\n"))
	html := htmltemplate.Must(htmltemplate.New("h").Parse("<p>{{.Title}}</p>\n"))
	c := mustComposer(t, ComposerOptions{Templates: Templates{Text: text, HTML: html}})
	ics := strings.Replace(invitationICS, "SUMMARY:Planung Café Q1", "SUMMARY:<b>Q1</b>", 1)
	out, err := c.Compose(&ComposeInput{Message: mustMessage(t, ics), Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	pm := parseBack(t, out.Data)
	if got := string(pm.part(t, "text/plain").body); got != "invitation|<b>Q1</b>|alice@example.org|4\r\n" {
		t.Errorf("custom text template gave %q", got)
	}
	if got := string(pm.part(t, "text/html").body); got != "<p>&lt;b&gt;Q1&lt;/b&gt;</p>\r\n" {
		t.Errorf("custom HTML template gave %q", got)
	}
	// A template that fails is an error, not a half-written mail.
	bad := texttemplate.Must(texttemplate.New("t").Parse("{{.NoSuchField}}"))
	c = mustComposer(t, ComposerOptions{Templates: Templates{Text: bad}})
	if _, err := c.Compose(&ComposeInput{Message: mustMessage(t, ics), Recipient: "mailto:bob@remote.example"}); err == nil {
		t.Error("failing template accepted")
	}
}
