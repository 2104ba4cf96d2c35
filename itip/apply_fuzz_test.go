package itip

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// FuzzApply feeds arbitrary message and stored-copy bytes to Apply, for
// each calendar user the message names: it must never panic, must answer
// quickly, and whatever it stores must be a valid object.
func FuzzApply(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join(applyDir, "*", "message.ics"))
	for _, m := range dirs {
		msg, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		existing, _ := os.ReadFile(filepath.Join(filepath.Dir(m), "existing.ics"))
		f.Add(msg, existing)
	}
	f.Fuzz(func(t *testing.T, msgData, existingData []byte) {
		msg, err := ics.DecodeShared(msgData)
		if err != nil {
			return
		}
		existing, err := ics.DecodeShared(existingData)
		if err != nil {
			existing = nil
		}
		msgBefore, existingBefore := ics.Encode(msg), encodeOrNil(existing)
		defer func() {
			if !bytes.Equal(msgBefore, ics.Encode(msg)) || !bytes.Equal(existingBefore, encodeOrNil(existing)) {
				t.Fatal("Apply modified an input")
			}
		}()
		opts := ApplyOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), AcceptReplyFromNonAttendee: len(msgData)%2 == 0}
		for _, r := range fuzzRecipients(msg) {
			start := time.Now()
			res, err := Apply(msg, existing, r, opts)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("Apply took %v", d)
			}
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			if res.Calendar != nil {
				back, err := ics.Decode(ics.Encode(res.Calendar))
				if err != nil {
					t.Fatalf("stored copy does not decode: %v", err)
				}
				if _, err := ParseObject(back, nil); err != nil {
					t.Fatalf("stored copy is not a valid object: %v", err)
				}
			}
			for _, m := range res.Refresh {
				if _, err := ics.Decode(m.Bytes()); err != nil {
					t.Fatalf("message does not decode: %v", err)
				}
			}
		}
	})
}

// fuzzRecipients returns up to four calendar users a message names.
func fuzzRecipients(cal *ical.Calendar) []string {
	var out []string
	for _, c := range cal.Children {
		for _, name := range []string{ical.PropOrganizer, ical.PropAttendee} {
			for _, p := range c.Props[name] {
				if v := strings.TrimSpace(p.Value); v != "" && len(out) < 4 {
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "mailto:nobody@example.com")
	}
	return out
}
