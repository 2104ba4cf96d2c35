package itip

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanUnknownTZIDNamed checks that the refusal of an unresolvable TZID
// names it, so that a client can tell what to fix.
func TestPlanUnknownTZIDNamed(t *testing.T) {
	c, old, new := loadCase(t, filepath.Join(planDir, "org-modify-unknown-tzid-introduced"))
	_, err := Plan(old, new, c.options(t))
	var e *Error
	if !errors.As(err, &e) || e.Condition != ValidCalendarData {
		t.Fatalf("err = %v, want valid-calendar-data", err)
	}
	if !strings.Contains(err.Error(), "Mars/Olympus_Mons") {
		t.Errorf("error %q does not name the TZID", err)
	}
}
