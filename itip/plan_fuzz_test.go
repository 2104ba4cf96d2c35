package itip

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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
		old, err := ics.Decode(oldData)
		if err != nil {
			old = nil
		}
		new, err := ics.Decode(newData)
		if err != nil {
			new = nil
		}
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
