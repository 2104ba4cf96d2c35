package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// outsider is an external calendar user alice never invited.
const outsider = "eve@remote.example"

// outsiderReply is a REPLY to alice's event uid in which outsider answers
// as if invited: From, envelope sender and ATTENDEE all agree, so the
// mail passes the sender checks and only the scheduling rules refuse it
// (RFC 6638 3.8: not an attendee of the organizer's copy).
func outsiderReply(uid string) string {
	return strings.ReplaceAll(replyMail("ext@remote.example", uid, "DECLINED"), "ext@remote.example", outsider)
}

// lmtpSend hands data to the LMTP listener at addr for every one of rcpts
// and returns the per-recipient replies to DATA: nil for a 250.
func lmtpSend(t *testing.T, addr, mailFrom string, rcpts []string, data string) map[string]*smtp.SMTPError {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.remote.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(mailFrom, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatalf("RCPT %s: %v", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	replies := map[string]*smtp.SMTPError{}
	for _, r := range rcpts {
		replies[r] = nil
	}
	var perRcpt smtp.LMTPDataError
	switch err := w.Close(); {
	case errors.As(err, &perRcpt):
		for r, se := range perRcpt {
			replies[r] = se
		}
	case err != nil:
		t.Fatalf("end of DATA: %v", err)
	}
	_ = c.Quit()
	return replies
}

// enhanced formats the enhanced status code of a reply, "" for a 250.
func enhanced(se *smtp.SMTPError) string {
	if se == nil {
		return ""
	}
	c := se.EnhancedCode
	return fmt.Sprintf("%d.%d.%d", c[0], c[1], c[2])
}

// TestMailRefusalThroughServer runs a REPLY from someone alice never
// invited through the built server's SMTP listener: the scheduling
// middleware refuses it (3.8), and the sender must hear so (550 5.7.1),
// not 250. Then over LMTP, with alice and bob both envelope recipients,
// each gets their own reply: ext's genuine REPLY is delivered to alice
// (250) and refused for bob (550 5.1.1, not his message); the outsider's
// REPLY is refused for alice (5.7.1) and for bob (5.1.1). Nothing
// refused changes alice's copy.
func TestMailRefusalThroughServer(t *testing.T) {
	for _, lmtp := range []bool{false, true} {
		name := "SMTP"
		if lmtp {
			name = "LMTP"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sink := startSink(t, "127.0.0.1:0")
			args := append([]string{"-data", dir + "/data", "-users", writeUsersFile(t, dir)}, mailArgs(sink)...)
			if lmtp {
				args = append(args, "-smtp-listen-lmtp")
			}
			s := startServer(t, args...)
			listen := s.printed("Calendar mail (" + name + ") accepted on ")

			uid, path := "REFUSAL-"+name, "/alice/calendars/default/refusal.ics"
			s.do(alice, http.MethodPut, path, budget(uid, 0, "20300610T090000Z"), "If-None-Match", "*").must(t, "PUT", http.StatusCreated)
			sink.waitFor("UID:" + uid)
			waitAttendee(t, s, path, "SCHEDULE-STATUS=1.1")
			before := s.do(alice, http.MethodGet, path, "").must(t, "GET", http.StatusOK).body

			if !lmtp {
				err := sendMail(listen, outsider, "alice@example.org", outsiderReply(uid))
				var se *smtp.SMTPError
				if !errors.As(err, &se) || se.Code != 550 || enhanced(se) != "5.7.1" {
					t.Errorf("REPLY from a non-attendee: %v, want 550 5.7.1", err)
				}
			} else {
				rcpts := []string{"alice@example.org", "bob@example.org"}
				got := lmtpSend(t, listen, outsider, rcpts, outsiderReply(uid))
				if se := got["alice@example.org"]; se == nil || se.Code != 550 || enhanced(se) != "5.7.1" {
					t.Errorf("non-attendee's REPLY, alice: %v, want 550 5.7.1", se)
				}
				if se := got["bob@example.org"]; se == nil || se.Code != 550 || enhanced(se) != "5.1.1" {
					t.Errorf("non-attendee's REPLY, bob: %v, want 550 5.1.1", se)
				}
			}
			if after := s.do(alice, http.MethodGet, path, "").must(t, "GET", http.StatusOK).body; after != before {
				t.Errorf("a refused REPLY changed alice's copy:\n%s", after)
			}
			if !lmtp {
				return
			}
			got := lmtpSend(t, listen, "ext@remote.example", []string{"alice@example.org", "bob@example.org"}, replyMail("ext@remote.example", uid, "ACCEPTED"))
			if se := got["alice@example.org"]; se != nil {
				t.Errorf("ext's REPLY, alice: %v, want 250", se)
			}
			if se := got["bob@example.org"]; se == nil || se.Code != 550 || enhanced(se) != "5.1.1" {
				t.Errorf("ext's REPLY, bob: %v, want 550 5.1.1", se)
			}
			waitAttendee(t, s, path, "PARTSTAT=ACCEPTED")
		})
	}
}
