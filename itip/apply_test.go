package itip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// The golden cases of Apply live in testdata/itip/apply/<case>/:
//
//	case.json      applyCase: recipient, clock, options, what it shows
//	message.ics    the incoming iTIP message
//	existing.ics   the recipient's stored copy (absent: none)
//	expected.json  applyExpect: outcome or error, manifest of messages
//	expected.ics   the copy to store (absent: nothing to store)
//	NN-METHOD-recipient.ics  the messages Apply returns
//
// go test ./itip -run TestApplyGolden -update rewrites the expected files.
const applyDir = "../testdata/itip/apply"

// applyCase is case.json.
type applyCase struct {
	Description                string `json:"description"`
	Recipient                  string `json:"recipient"`
	Now                        string `json:"now,omitempty"`
	Floating                   string `json:"floating,omitempty"`
	Originator                 string `json:"originator,omitempty"`
	AcceptReplyFromNonAttendee bool   `json:"acceptReplyFromNonAttendee,omitempty"`
}

// applyExpect is expected.json.
type applyExpect struct {
	Error      string            `json:"error,omitempty"`    // the Condition
	ErrorIs    string            `json:"errorIs,omitempty"`  // the sentinel cause, if any
	Outcome    string            `json:"outcome,omitempty"`  // Outcome.String()
	StatusOnly bool              `json:"statusOnly"`         // Applied.StatusOnly
	Reason     string            `json:"reason,omitempty"`   // Applied.Reason
	Stored     bool              `json:"stored"`             // expected.ics exists
	Messages   []messageManifest `json:"messages,omitempty"` // Applied.Refresh
}

var applySentinels = map[string]error{
	"ErrOrganizerMismatch": ErrOrganizerMismatch,
	"ErrNotAttendee":       ErrNotAttendee,
	"ErrNotOrganizerCopy":  ErrNotOrganizerCopy,
}

const defaultApplyNow = "2026-01-15T12:00:00Z"

func (c *applyCase) options(t testing.TB) ApplyOptions {
	now := c.Now
	if now == "" {
		now = defaultApplyNow
	}
	n, floating := caseClock(t, now, c.Floating)
	return ApplyOptions{Now: n, Floating: floating, Originator: c.Originator, AcceptReplyFromNonAttendee: c.AcceptReplyFromNonAttendee}
}

func applyCaseDirs(t testing.TB) []string { return caseDirs(t, applyDir) }

func loadApplyCase(t testing.TB, dir string) (applyCase, *ical.Calendar, *ical.Calendar) {
	var c applyCase
	readCaseJSON(t, dir, &c)
	if c.Recipient == "" || c.Description == "" {
		t.Fatalf("case.json needs recipient and description")
	}
	msg := readCal(t, filepath.Join(dir, "message.ics"))
	if msg == nil {
		t.Fatalf("no message.ics")
	}
	return c, msg, readCal(t, filepath.Join(dir, "existing.ics"))
}

// sentinelName returns the name of the sentinel err wraps, if any.
func sentinelName(err error) string {
	names := make([]string, 0, len(applySentinels))
	for n := range applySentinels {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if errors.Is(err, applySentinels[n]) {
			return n
		}
	}
	return ""
}

// TestApplyGolden runs every case of testdata/itip/apply and compares the
// outcome, the stored copy and the messages semantically (DTSTAMP,
// property order and parameter order ignored).
func TestApplyGolden(t *testing.T) {
	dirs := applyCaseDirs(t)
	if len(dirs) < 25 {
		t.Fatalf("only %d apply cases", len(dirs))
	}
	for _, dir := range dirs {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c, msg, existing := loadApplyCase(t, dir)
			opts := c.options(t)
			msgBefore, existingBefore := ics.Encode(msg), encodeOrNil(existing)
			res, err := Apply(msg, existing, c.Recipient, opts)
			if !bytes.Equal(msgBefore, ics.Encode(msg)) || !bytes.Equal(existingBefore, encodeOrNil(existing)) {
				t.Fatal("Apply modified its input")
			}
			var got applyExpect
			files := map[string][]byte{}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error is not an *Error: %v", err)
				}
				got.Error, got.ErrorIs = string(e.Condition), sentinelName(err)
			} else {
				checkApplied(t, res, c, opts)
				got.Outcome, got.StatusOnly, got.Reason = res.Outcome.String(), res.StatusOnly, res.Reason
				if res.Calendar != nil {
					got.Stored = true
					files["expected.ics"] = ics.Encode(res.Calendar)
				}
				for i, m := range res.Refresh {
					name := fmt.Sprintf("%02d-%s-%s.ics", i+1, m.Method, fileSafe(m.Recipients[0]))
					got.Messages = append(got.Messages, messageManifest{File: name, Method: m.Method,
						Originator: m.Originator, Recipients: m.Recipients, Update: m.Update.String()})
					files[name] = m.Bytes()
				}
			}
			manifest, _ := json.MarshalIndent(got, "", "  ")
			manifest = append(manifest, '\n')
			if *update {
				writeApplyGolden(t, dir, manifest, files)
				return
			}
			var want applyExpect
			data, rerr := os.ReadFile(filepath.Join(dir, "expected.json"))
			if rerr != nil {
				t.Fatalf("%v (run with -update to create)", rerr)
			}
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if !applyExpectEqual(got, want) {
				t.Fatalf("result differs (err=%v)\n got: %s\nwant: %s", err, manifest, data)
			}
			for name, data := range files {
				wantData, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if g, w := canonicalICS(t, data), canonicalICS(t, wantData); g != w {
					t.Errorf("%s differs:\n%s", name, lineDiff(w, g))
				}
			}
		})
	}
}

func encodeOrNil(cal *ical.Calendar) []byte {
	if cal == nil {
		return nil
	}
	return ics.Encode(cal)
}

func applyExpectEqual(a, b applyExpect) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func writeApplyGolden(t *testing.T, dir string, manifest []byte, files map[string][]byte) {
	old, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9]-*.ics"))
	for _, f := range append(old, filepath.Join(dir, "expected.ics")) {
		os.Remove(f)
	}
	if err := os.WriteFile(filepath.Join(dir, "expected.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if count[l] > 0 {
			b.WriteString("- " + l + "\n")
			count[l]--
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if count[l] < 0 {
			b.WriteString("+ " + l + "\n")
			count[l]++
		}
	}
	return b.String()
}

// checkApplied asserts what must hold for every successful Apply.
func checkApplied(t *testing.T, res *Applied, c applyCase, opts ApplyOptions) {
	t.Helper()
	switch res.Outcome {
	case OutcomeCreated, OutcomeUpdated, OutcomeCancelled:
		if res.Calendar == nil {
			t.Fatalf("%v without a calendar to store", res.Outcome)
		}
	default:
		if res.Calendar != nil {
			t.Fatalf("%v with a calendar to store", res.Outcome)
		}
		if res.Outcome == OutcomeIgnored && res.Reason == "" {
			t.Fatal("ignored without a reason")
		}
	}
	if res.StatusOnly && res.Outcome != OutcomeUpdated {
		t.Fatalf("StatusOnly with outcome %v", res.Outcome)
	}
	if res.Calendar != nil {
		if res.Calendar.Props.Get(ical.PropMethod) != nil {
			t.Error("stored copy has METHOD")
		}
		data := ics.Encode(res.Calendar)
		back, err := ics.Decode(data)
		if err != nil {
			t.Fatalf("stored copy does not decode: %v", err)
		}
		if _, err := ParseObject(back, opts.Floating); err != nil {
			t.Fatalf("stored copy is not a valid object: %v", err)
		}
		for _, comp := range back.Children {
			for _, name := range []string{ical.PropOrganizer, ical.PropAttendee} {
				for _, p := range comp.Props[name] {
					if p.Params.Get(ParamScheduleForceSend) != "" {
						t.Errorf("stored %s has SCHEDULE-FORCE-SEND", name)
					}
				}
			}
		}
		checkTimezones(t, back)
	}
	stamp := opts.Now.UTC().Format("20060102T150405Z")
	for _, m := range res.Refresh {
		if len(m.Recipients) == 0 {
			t.Fatal("message without recipients")
		}
		back, err := ics.Decode(m.Bytes())
		if err != nil {
			t.Fatalf("message does not decode: %v", err)
		}
		pm, err := ParseMessage(back)
		if err != nil {
			t.Fatalf("message is not a valid iTIP message: %v", err)
		}
		if pm.Method != m.Method || !caladdr.Equal(pm.Originator, m.Originator) {
			t.Errorf("message says %s from %s, its content %s from %s", m.Method, m.Originator, pm.Method, pm.Originator)
		}
		for _, r := range m.Recipients {
			if m.Method == MethodRequest && !pm.HasRecipient(r) {
				t.Errorf("recipient %s is not an ATTENDEE of its message", r)
			}
		}
		for _, comp := range pm.Components() {
			if v := propValue(comp, ical.PropDateTimeStamp); v != stamp {
				t.Errorf("message DTSTAMP %q, want %q", v, stamp)
			}
			for _, ch := range comp.Children {
				if ch.Name == ical.CompAlarm {
					t.Error("message carries a VALARM")
				}
			}
			for _, name := range []string{ical.PropOrganizer, ical.PropAttendee} {
				for _, p := range comp.Props[name] {
					for k := range p.Params {
						if strings.HasPrefix(k, "SCHEDULE-") {
							t.Errorf("message %s has %s", name, k)
						}
					}
				}
			}
		}
		checkTimezones(t, back)
	}
}

// checkTimezones asserts that every TZID used in cal is defined by a
// VTIMEZONE in it or is an IANA name.
func checkTimezones(t *testing.T, cal *ical.Calendar) {
	t.Helper()
	defined := map[string]bool{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			defined[propValue(c, ical.PropTimezoneID)] = true
		}
	}
	var ids []string
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			ids = appendTZIDs(ids, c)
		}
	}
	for _, id := range ids {
		if !defined[id] {
			if _, err := time.LoadLocation(id); err != nil {
				t.Errorf("TZID %q has no VTIMEZONE", id)
			}
		}
	}
}

// TestApplyIdempotent applies every golden message a second time to the
// copy the first application produced: nothing may change any more.
func TestApplyIdempotent(t *testing.T) {
	for _, dir := range applyCaseDirs(t) {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c, msg, existing := loadApplyCase(t, dir)
			opts := c.options(t)
			res, err := Apply(msg, existing, c.Recipient, opts)
			if err != nil || res.Calendar == nil {
				return
			}
			again, err := Apply(msg, res.Calendar, c.Recipient, opts)
			if err != nil {
				t.Fatalf("second Apply: %v", err)
			}
			if again.Outcome != OutcomeUnchanged && again.Outcome != OutcomeIgnored {
				t.Fatalf("second Apply: %v (%s), want unchanged\n%s", again.Outcome, again.Reason,
					lineDiff(canonicalICS(t, ics.Encode(res.Calendar)), canonicalICS(t, ics.Encode(again.Calendar))))
			}
		})
	}
}

// TestApplyErrors covers refusals that need no fixture.
func TestApplyErrors(t *testing.T) {
	event := func(method string, extra ...string) *ical.Calendar {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"}
		if method != "" {
			lines = append(lines, "METHOD:"+method)
		}
		lines = append(lines, "BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z", "DTSTART:20260201T100000Z",
			"ORGANIZER:mailto:o@example.com", "ATTENDEE:mailto:a@example.com")
		lines = append(lines, extra...)
		lines = append(lines, "END:VEVENT", "END:VCALENDAR", "")
		cal, err := ics.Decode([]byte(strings.Join(lines, "\r\n")))
		if err != nil {
			t.Fatal(err)
		}
		return cal
	}
	other := event("")
	other.Children[0].Props.SetText(ical.PropUID, "u2")
	for _, tc := range []struct {
		name      string
		msg, cur  *ical.Calendar
		recipient string
		want      Condition
	}{
		{"no METHOD", event(""), nil, "mailto:a@example.com", ValidSchedulingMessage},
		{"unknown METHOD", event("X-FOO"), nil, "mailto:a@example.com", ValidSchedulingMessage},
		{"no recipient", event("REQUEST"), nil, " ", ValidSchedulingMessage},
		{"nil message", nil, nil, "mailto:a@example.com", ValidCalendarData},
		{"other UID", event("REQUEST"), other, "mailto:a@example.com", ValidCalendarObjectResource},
		{"REQUEST to the organizer", event("REQUEST"), nil, "mailto:o@example.com", ValidSchedulingMessage},
		{"REPLY with two attendees", event("REPLY", "ATTENDEE:mailto:b@example.com"), event(""), "mailto:o@example.com", ValidSchedulingMessage},
		{"ADD with RECURRENCE-ID", event("ADD", "RECURRENCE-ID:20260201T100000Z"), event(""), "mailto:a@example.com", ValidSchedulingMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apply(tc.msg, tc.cur, tc.recipient, ApplyOptions{})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestApplyOriginator checks ApplyOptions.Originator: a message must come
// from its ORGANIZER (or SENT-BY) or its replying ATTENDEE.
func TestApplyOriginator(t *testing.T) {
	dir := filepath.Join(applyDir, "request-create-b2")
	c, msg, existing := loadApplyCase(t, dir)
	opts := c.options(t)
	for _, tc := range []struct {
		originator string
		ok         bool
	}{
		{"mailto:cyrus@example.com", true},
		{"MAILTO:Cyrus@Example.COM", true},
		{"mailto:mallory@example.org", false},
	} {
		opts.Originator = tc.originator
		_, err := Apply(msg, existing, c.Recipient, opts)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrOrganizerMismatch)) {
			t.Errorf("originator %s: err=%v", tc.originator, err)
		}
	}
	dir = filepath.Join(applyDir, "reply-b4")
	c, msg, existing = loadApplyCase(t, dir)
	opts = c.options(t)
	opts.Originator = "mailto:bernard@example.net"
	if _, err := Apply(msg, existing, c.Recipient, opts); !errors.Is(err, ErrNotAttendee) {
		t.Errorf("REPLY from another originator: %v", err)
	}
	opts.Originator = "mailto:wilfredo@example.com"
	if _, err := Apply(msg, existing, c.Recipient, opts); err != nil {
		t.Errorf("REPLY from its attendee: %v", err)
	}
}

// TestApplyStatusCodes covers SCHEDULE-STATUS from REQUEST-STATUS.
func TestApplyStatusCodes(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "2.0"},
		{[]string{"2.0;Success"}, "2.0"},
		{[]string{"2.0;Success", "2.8;Success, repeating event ignored"}, "2.0,2.8"},
		{[]string{"3.1.2;Invalid property value;DTSTART:1"}, "3.1.2"},
		{[]string{"bogus"}, "2.0"},
	} {
		c := &ical.Component{Name: ical.CompEvent, Props: ical.Props{}}
		for _, v := range tc.in {
			c.Props.Add(&ical.Prop{Name: ical.PropRequestStatus, Params: ical.Params{}, Value: v})
		}
		if got := replyStatus(c); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hostileReply returns an organizer's copy whose master starts in 1900
// with rule, and a REPLY naming 4000 instances of it one minute apart.
func hostileReply(t *testing.T, rule string) (msg, cur *ical.Calendar) {
	t.Helper()
	stored := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:19000101T000000Z\r\nRRULE:" + rule + "\r\nORGANIZER:mailto:o@example.com\r\n" +
		"ATTENDEE:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\n")
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:%s\r\n"+
			"ORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com\r\nEND:VEVENT\r\n",
			base.Add(time.Duration(i)*time.Minute).Format("20060102T150405Z"))
	}
	b.WriteString("END:VCALENDAR\r\n")
	msg, err := ics.Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if cur, err = ics.Decode([]byte(stored)); err != nil {
		t.Fatal(err)
	}
	return msg, cur
}

// TestApplyHostileReplyIsBounded sends a REPLY naming thousands of
// instances of a SECONDLY rule with COUNT that starts in 1900: checking an
// instance means walking the rule from 1900, which exceeds the step limit,
// so no instance can be confirmed. Apply answers quickly, creates no
// overrides and lists only a few of the skipped instances.
func TestApplyHostileReplyIsBounded(t *testing.T) {
	msg, cur := hostileReply(t, "FREQ=SECONDLY;COUNT=2000000000")
	start := time.Now()
	res, err := Apply(msg, cur, "mailto:o@example.com", ApplyOptions{})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Apply took %v", d)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeIgnored || len(res.Reason) > 1000 || !strings.HasSuffix(res.Reason, "and 3995 more") {
		t.Fatalf("outcome %v (%s), want ignored with a short reason", res.Outcome, res.Reason)
	}
}

// TestApplyReplyToManyRealInstancesIsBounded sends the same REPLY about a
// SECONDLY rule without COUNT. internal/recurrence skips such a rule ahead
// to the window, so the RECURRENCE-IDs are cheap to confirm and they are
// real instances: RFC 5546 §3.2.3 has the organizer record the reply for
// them, in new overrides. The work stays bounded: Apply is fast, creates
// at most maxInstanceChecks overrides (the instances it could confirm) and
// keeps Reason short.
func TestApplyReplyToManyRealInstancesIsBounded(t *testing.T) {
	msg, cur := hostileReply(t, "FREQ=SECONDLY")
	start := time.Now()
	res, err := Apply(msg, cur, "mailto:o@example.com", ApplyOptions{})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Apply took %v", d)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeUpdated || len(res.Reason) > 1000 || !strings.Contains(res.Reason, "more") {
		t.Fatalf("outcome %v (%s), want updated with a short reason", res.Outcome, res.Reason)
	}
	o, err := ParseObject(res.Calendar, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(o.Overrides); n == 0 || n > maxInstanceChecks {
		t.Fatalf("%d overrides, want 1..%d", n, maxInstanceChecks)
	}
	for _, in := range o.Overrides {
		if in.Key.Second() != 0 || in.Key.Year() != 2025 {
			t.Errorf("override %v is not one of the REPLY's instances", in.Key)
		}
		if p := Attendee(in.Component, "mailto:a@example.com"); p == nil || Partstat(p) != "ACCEPTED" {
			t.Errorf("override %v: attendee %v", in.Key, p)
		}
	}
}
