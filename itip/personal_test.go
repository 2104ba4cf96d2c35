package itip

import "testing"

// TestAlarmStateProp checks which property names count as personal alarm
// state, in any case, and that the quick rejection of other names misses
// none.
func TestAlarmStateProp(t *testing.T) {
	for name, want := range map[string]bool{
		"X-MOZ-LASTACK":                true,
		"x-moz-lastack":                true,
		"X-MOZ-SNOOZE-TIME":            true,
		"X-MOZ-SNOOZE-TIME-1711900000": true,
		"x-Moz-Snooze-Time-17":         true,
		"X-MOZ-SNOOZE":                 false,
		"X-MOZ-LASTAC":                 false,
		"X-MOZ-GENERATION":             false,
		"ATTENDEE":                     false,
		"DESCRIPTION-X-MOZ-LASTACK":    false,
		"":                             false,
		"X":                            false,
	} {
		if got := alarmStateProp(name); got != want {
			t.Errorf("alarmStateProp(%q) = %v, want %v", name, got, want)
		}
	}
}
