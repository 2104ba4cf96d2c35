package tz

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWindowsZonesMatchCLDR checks the Windows table against CLDR's
// territory-"001" mapping (testdata/cldr-windows-zones-001.txt): every
// Windows ID CLDR lists is known, and resolves to a zone with the same
// UTC offsets as CLDR's zone at every month from 2000 to 2035. CLDR
// sometimes names a zone by its old alias (Asia/Calcutta); the offsets,
// not the spelling, are what an event's times depend on.
func TestWindowsZonesMatchCLDR(t *testing.T) {
	f, err := os.Open("testdata/cldr-windows-zones-001.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		win, want, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("malformed line %q", line)
		}
		n++
		got := windowsToIANA(win)
		if got == "" {
			t.Errorf("%q: not in the Windows table (CLDR: %s)", win, want)
			continue
		}
		gotLoc, ok1, err1 := loadIANA(got)
		wantLoc, ok2, err2 := loadIANA(want)
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			t.Errorf("%q: %s (%v %v) / CLDR %s (%v %v) not both in the embedded database", win, got, ok1, err1, want, ok2, err2)
			continue
		}
		for m := time.Date(2000, 1, 15, 12, 0, 0, 0, time.UTC); m.Year() < 2036; m = m.AddDate(0, 1, 0) {
			if g, w := offsetAt(m, gotLoc), offsetAt(m, wantLoc); g != w {
				t.Errorf("%q: %s has offset %d at %s, CLDR's %s has %d", win, got, g, m.Format("2006-01"), want, w)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 135 {
		t.Fatalf("only %d CLDR entries read", n)
	}
}
