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

// FuzzPlan feeds arbitrary old and new calendar data to Plan for owners
// who are organizers and attendees in the seed data: Plan must not panic,
// must finish quickly, and every message it returns must serialise to data
// that decodes again.
func FuzzPlan(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join(planDir, "*"))
	for _, dir := range dirs {
		old, _ := os.ReadFile(filepath.Join(dir, "old.ics"))
		new, _ := os.ReadFile(filepath.Join(dir, "new.ics"))
		f.Add(old, new)
	}
	owners := [][]string{
		{"mailto:alice@example.org", "mailto:cyrus@example.com"},
		{"mailto:bob@example.org", "mailto:bernard@example.net", "mailto:wilfredo@example.com"},
	}
	f.Fuzz(func(t *testing.T, oldData, newData []byte) {
		// Decoded as the schedule package decodes (shared parameter
		// maps), so that any write into an input map shows.
		old, err := ics.DecodeShared(oldData)
		if err != nil {
			old = nil
		}
		new, err := ics.DecodeShared(newData)
		if err != nil {
			new = nil
		}
		oldBefore, newBefore := encodeOrNil(old), encodeOrNil(new)
		defer func() {
			if !bytes.Equal(oldBefore, encodeOrNil(old)) || !bytes.Equal(newBefore, encodeOrNil(new)) {
				t.Fatal("Plan or SetStatus modified an input")
			}
		}()
		for _, addrs := range owners {
			start := time.Now()
			act, err := Plan(old, new, PlanOptions{Addresses: addrs, Now: time.Unix(1_700_000_000, 0)})
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("Plan took %v", d)
			}
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error %T is not *itip.Error: %v", err, err)
				}
				continue
			}
			for _, m := range act.Messages {
				if _, err := ics.Decode(m.Bytes()); err != nil {
					t.Fatalf("%s message does not decode: %v", m.Method, err)
				}
			}
			for _, m := range act.Messages {
				for _, r := range m.Recipients {
					act.SetStatus(r, StatusDelivered)
				}
			}
		}
	})
}

// TestPlanSurvivesBrokenProperties removes, and separately replaces with
// garbage, one at a time, every property of every component of every
// golden case's old and new data, and plans for an organizer and for an
// attendee: Plan must never panic and must return only *Error values.
func TestPlanSurvivesBrokenProperties(t *testing.T) {
	owners := [][]string{{"mailto:alice@example.org", "mailto:cyrus@example.com"}, {"mailto:bob@example.org", "mailto:bernard@example.net"}}
	dirs, _ := filepath.Glob(filepath.Join(planDir, "*"))
	runs := 0
	for _, dir := range dirs {
		for _, which := range []string{"old.ics", "new.ics"} {
			data, err := os.ReadFile(filepath.Join(dir, which))
			if err != nil {
				continue
			}
			other, _ := os.ReadFile(filepath.Join(dir, map[string]string{"old.ics": "new.ics", "new.ics": "old.ics"}[which]))
			base, err := ics.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			for ci := range base.Children {
				for name, mutation := range mutations(base.Children[ci]) {
					cal, _ := ics.Decode(data)
					mutation(cal.Children[ci], name)
					var otherCal *ical.Calendar
					if len(other) > 0 {
						otherCal, _ = ics.Decode(other)
					}
					old, new := otherCal, cal
					if which == "old.ics" {
						old, new = cal, otherCal
					}
					for _, addrs := range owners {
						runs++
						act, err := Plan(old, new, PlanOptions{Addresses: addrs, Now: time.Unix(1_770_000_000, 0)})
						if err != nil {
							if _, ok := err.(*Error); !ok {
								t.Fatalf("%s with %s broken: error %T %v", dir, name, err, err)
							}
							continue
						}
						for _, m := range act.Messages {
							if _, err := ics.Decode(m.Bytes()); err != nil {
								t.Fatalf("%s with %s broken: message does not decode: %v", dir, name, err)
							}
						}
					}
				}
			}
		}
	}
	if runs < 1000 {
		t.Errorf("only %d runs", runs)
	}
}

// mutations returns, per property name of c (twice: removed, garbled), a
// function breaking that property in a copy of c.
func mutations(c *ical.Component) map[string]func(*ical.Component, string) {
	out := make(map[string]func(*ical.Component, string))
	for name := range c.Props {
		out[name] = func(c *ical.Component, name string) { delete(c.Props, name) }
		out[name+"#garbled"] = func(c *ical.Component, name string) {
			name = strings.TrimSuffix(name, "#garbled")
			for i := range c.Props[name] {
				c.Props[name][i].Value = "x;,:" + c.Props[name][i].Value[:len(c.Props[name][i].Value)/2]
			}
		}
	}
	return out
}
