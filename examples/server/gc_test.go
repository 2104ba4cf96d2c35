package main

import (
	"errors"
	"io"
	"runtime/debug"
	"testing"
)

func TestGCPercentChoice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flagValue int
		flagGiven bool
		env       string
		want      int
		wantSet   bool
	}{
		{"default", defaultGCPercent, false, "", defaultGCPercent, true},
		{"GOGC kept", defaultGCPercent, false, "150", 0, false},
		{"GOGC=off kept", defaultGCPercent, false, "off", 0, false},
		{"flag wins over GOGC", 250, true, "150", 250, true},
		{"flag", 800, true, "", 800, true},
	} {
		got, set := gcPercent(tc.flagValue, tc.flagGiven, tc.env)
		if got != tc.want || set != tc.wantSet {
			t.Errorf("%s: gcPercent(%d, %v, %q) = %d, %v; want %d, %v", tc.name, tc.flagValue, tc.flagGiven, tc.env, got, set, tc.want, tc.wantSet)
		}
	}
}

func TestApplyGCPercentRestores(t *testing.T) {
	before := debug.SetGCPercent(123)
	defer debug.SetGCPercent(before)
	restore := applyGCPercent(321, true, "")
	if now := debug.SetGCPercent(321); now != 321 {
		t.Errorf("GC percent while applied: %d, want 321", now)
	}
	restore()
	if now := debug.SetGCPercent(123); now != 123 {
		t.Errorf("GC percent after restore: %d, want 123", now)
	}
	restore = applyGCPercent(defaultGCPercent, false, "77") // GOGC set: untouched
	if now := debug.SetGCPercent(123); now != 123 {
		t.Errorf("GC percent with GOGC set: %d, want 123 (untouched)", now)
	}
	restore()
}

func TestGCPercentFlag(t *testing.T) {
	c, err := parseFlags([]string{"-demo"}, io.Discard)
	if err != nil || c.gcPercent != defaultGCPercent || c.gcPercentGiven {
		t.Fatalf("default: %+v %v", c, err)
	}
	c, err = parseFlags([]string{"-demo", "-gc-percent", "200"}, io.Discard)
	if err != nil || c.gcPercent != 200 || !c.gcPercentGiven {
		t.Fatalf("-gc-percent 200: %+v %v", c, err)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if _, err := parseFlags([]string{"-demo", "-gc-percent", bad}, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("-gc-percent %s: err %v, want usage error", bad, err)
		}
	}
}
