package itip

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// The chained cases of Apply live in testdata/itip/apply/chains/<case>/:
// several messages applied one after the other to one stored copy.
const applyChainDir = "../testdata/itip/apply/chains"

func readChainCal(t *testing.T, name string) *ical.Calendar {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(applyChainDir, name))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cal
}

// applyStep applies msg to cur for recipient and returns the copy to keep.
func applyStep(t *testing.T, msg, cur *ical.Calendar, recipient string, want Outcome) *ical.Calendar {
	t.Helper()
	res, err := Apply(msg, cur, recipient, ApplyOptions{Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != want {
		t.Fatalf("outcome %v (%s), want %v", res.Outcome, res.Reason, want)
	}
	if res.Calendar != nil {
		return res.Calendar
	}
	return cur
}

// componentAt returns the component of cal with the RECURRENCE-ID value
// rid ("" for the master).
func componentAt(t *testing.T, cal *ical.Calendar, rid string) *ical.Component {
	t.Helper()
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent && c.Name != ical.CompToDo {
			continue
		}
		if propValue(c, ical.PropRecurrenceID) == rid {
			return c
		}
	}
	t.Fatalf("no component with RECURRENCE-ID %q", rid)
	return nil
}

// TestApplyInstanceCancelKeepsMasterRevision: RFC 5546 §2.1.5 gives each
// UID+RECURRENCE-ID its own revision line. Alice cancels the 9 March
// instance (SEQUENCE 3, her master stays at 2), then moves the 16 March
// instance (master SEQUENCE 2, override SEQUENCE 3). Bob's copy must take
// the move, and a re-delivered original invitation must not bring the
// cancelled instance back.
func TestApplyInstanceCancelKeepsMasterRevision(t *testing.T) {
	const bob = "mailto:bob@example.org"
	dir := "instance-cancel-then-move"
	orig := readChainCal(t, filepath.Join(dir, "bobcopy.ics"))
	cur := applyStep(t, readChainCal(t, filepath.Join(dir, "cancel.ics")), orig, bob, OutcomeCancelled)
	if got := propValue(componentAt(t, cur, ""), ical.PropSequence); got != "2" {
		t.Fatalf("master SEQUENCE after an instance CANCEL = %s, want 2", got)
	}
	cancelled := componentAt(t, cur, "20260309T100000")
	if propValue(cancelled, ical.PropStatus) != "CANCELLED" || propValue(cancelled, ical.PropSequence) != "3" {
		t.Fatalf("cancelled instance: STATUS %s SEQUENCE %s", propValue(cancelled, ical.PropStatus), propValue(cancelled, ical.PropSequence))
	}

	// The original invitation delivered again: same master revision, the
	// cancelled instance (a newer revision) stays cancelled.
	redelivered := readChainCal(t, filepath.Join(dir, "bobcopy.ics"))
	setProp(redelivered.Component, ical.PropMethod, "REQUEST")
	res, err := Apply(redelivered, cur, bob, ApplyOptions{Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Calendar != nil {
		if got := propValue(componentAt(t, res.Calendar, "20260309T100000"), ical.PropStatus); got != "CANCELLED" {
			t.Fatalf("re-delivered invitation revived the cancelled instance (STATUS %q)", got)
		}
	}

	moved := applyStep(t, readChainCal(t, filepath.Join(dir, "move-request.ics")), cur, bob, OutcomeUpdated)
	o := componentAt(t, moved, "20260316T100000")
	if got := propValue(o, ical.PropDateTimeStart); got != "20260317T150000" {
		t.Fatalf("moved instance DTSTART %s, want 20260317T150000", got)
	}
}

// TestApplyStaleMasterNewerOverride: a REQUEST whose master is older than
// the stored one but whose override is newer applies the override alone.
func TestApplyStaleMasterNewerOverride(t *testing.T) {
	const bob = "mailto:bob@example.org"
	dir := "instance-cancel-then-move"
	cur := readChainCal(t, filepath.Join(dir, "bobcopy.ics"))
	setProp(componentAt(t, cur, ""), ical.PropSequence, "5")
	msg := readChainCal(t, filepath.Join(dir, "move-request.ics"))
	setProp(componentAt(t, msg, "20260316T100000"), ical.PropSequence, "6")
	got := applyStep(t, msg, cur, bob, OutcomeUpdated)
	if s := propValue(componentAt(t, got, ""), ical.PropSequence); s != "5" {
		t.Fatalf("master SEQUENCE %s: the stale master was applied", s)
	}
	if s := propValue(componentAt(t, got, "20260316T100000"), ical.PropDateTimeStart); s != "20260317T150000" {
		t.Fatalf("newer override not applied: DTSTART %s", s)
	}
	setProp(componentAt(t, msg, "20260316T100000"), ical.PropSequence, "4")
	applyStep(t, msg, cur, bob, OutcomeIgnored)
}
