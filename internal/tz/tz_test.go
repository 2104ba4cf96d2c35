package tz

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func loadFixture(t testing.TB, name string) *ical.Calendar {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Decode([]byte(strings.ReplaceAll(string(data), "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func mustLoc(t testing.TB, r *Resolver, tzid string) *time.Location {
	t.Helper()
	loc, err := r.Location(tzid)
	if err != nil {
		t.Fatalf("Location(%q): %v", tzid, err)
	}
	return loc
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

func TestLocationNames(t *testing.T) {
	r := NewResolver(nil)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		tzid           string
		summer, winter int // offsets in hours*3600 (seconds)
	}{
		{"Europe/Berlin", 7200, 3600},
		{"europe/berlin", 7200, 3600},
		{"/Europe/Berlin", 7200, 3600},
		{"/mozilla.org/20050126_1/Europe/Berlin", 7200, 3600},
		{"/softwarestudio.org/Olson_20011030_5/America/New_York", -4 * 3600, -5 * 3600},
		{"W. Europe Standard Time", 7200, 3600},
		{"Pacific Standard Time", -7 * 3600, -8 * 3600},
		{"pacific standard time", -7 * 3600, -8 * 3600},
		{"Eastern Standard Time", -4 * 3600, -5 * 3600},
		{"India Standard Time", 19800, 19800},
		{"AUS Eastern Standard Time", 10 * 3600, 11 * 3600},
		{"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", 7200, 3600},
		{"(GMT-08:00) Pacific Time (US & Canada)", -7 * 3600, -8 * 3600},
		{"(UTC) Dublin, Edinburgh, Lisbon, London", 3600, 0},
		{"UTC", 0, 0},
		{"GMT", 0, 0},
		{"Etc/GMT-3", 3 * 3600, 3 * 3600},
	}
	for _, tc := range tests {
		loc := mustLoc(t, r, tc.tzid)
		if got := offsetAt(summer, loc); got != tc.summer {
			t.Errorf("%q summer offset = %d, want %d", tc.tzid, got, tc.summer)
		}
		if got := offsetAt(winter, loc); got != tc.winter {
			t.Errorf("%q winter offset = %d, want %d", tc.tzid, got, tc.winter)
		}
	}
}

func TestUnknownTZIDIsAnError(t *testing.T) {
	r := NewResolver(loadFixture(t, "custom-berlin.ics"))
	for _, tzid := range []string{"", "Mars/Olympus_Mons", "My Other Zone", "Berlin", "(UTC+01:00) Nowhere", strings.Repeat("A/", 200)} {
		loc, err := r.Location(tzid)
		if !errors.Is(err, ErrUnknownTZID) || loc != nil {
			t.Errorf("Location(%q) = %v, %v; want ErrUnknownTZID", tzid, loc, err)
		}
		if tzid == "" {
			continue // no TZID: a floating value, not an error
		}
		if _, err := r.ParseDateTime("20260101T100000", tzid, time.UTC); !errors.Is(err, ErrUnknownTZID) {
			t.Errorf("ParseDateTime with %q: %v; want ErrUnknownTZID", tzid, err)
		}
	}
}

func TestEveryWindowsZoneResolves(t *testing.T) {
	for win, iana := range windowsZones {
		if win != strings.ToLower(win) {
			t.Errorf("key %q not lower case", win)
		}
		if _, ok, err := loadIANA(iana); !ok || err != nil {
			t.Errorf("%q → %q: not in the embedded database (%v)", win, iana, err)
		}
	}
	for display, win := range windowsDisplayNames {
		if _, ok := windowsZones[win]; !ok {
			t.Errorf("display name %q → unknown Windows ID %q", display, win)
		}
	}
	if len(windowsZones) < 135 {
		t.Errorf("only %d Windows zones", len(windowsZones))
	}
}

// TestEmbeddedDatabaseIsUsed proves resolution does not depend on the
// host: with ZONEINFO pointing nowhere, names still resolve.
func TestEmbeddedDatabaseIsUsed(t *testing.T) {
	t.Setenv("ZONEINFO", filepath.Join(t.TempDir(), "missing.zip"))
	idx, err := zoneIndex()
	if err != nil || len(idx) < 400 {
		t.Fatalf("embedded index: %d zones, %v", len(idx), err)
	}
	loc := mustLoc(t, NewResolver(nil), "Asia/Kathmandu")
	if got := offsetAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), loc); got != 5*3600+45*60 {
		t.Fatalf("Kathmandu offset %d", got)
	}
}

// compareZones checks that got and want agree at every transition of want
// (one second before and at it) between from and to, and every 6 hours.
func compareZones(t *testing.T, got, want *time.Location, from, to time.Time) {
	t.Helper()
	bad := 0
	check := func(at time.Time) {
		if g, w := offsetAt(at, got), offsetAt(at, want); g != w && bad < 10 {
			bad++
			t.Errorf("at %s: offset %d, want %d (%s)", at.UTC().Format(time.RFC3339), g, w, want)
		}
	}
	transitions := 0
	for at := from; at.Before(to); {
		_, end := at.In(want).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		if !end.After(at) { // a transition that changes nothing visible
			at = at.Add(time.Minute)
			continue
		}
		check(end.Add(-time.Second))
		check(end)
		at = end
		transitions++
	}
	for at := from; at.Before(to); at = at.Add(6 * time.Hour) {
		check(at)
	}
	if transitions == 0 {
		t.Fatalf("no transitions of %s between %s and %s", want, from, to)
	}
}

func TestVTimezoneMatchesBerlin(t *testing.T) {
	r := NewResolver(loadFixture(t, "custom-berlin.ics"))
	custom := mustLoc(t, r, "My Custom Zone")
	berlin := mustLoc(t, r, "Europe/Berlin")
	compareZones(t, custom, berlin,
		time.Date(1981, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
	// Names come from TZNAME.
	if name, _ := time.Date(2026, 7, 1, 0, 0, 0, 0, custom).Zone(); name != "CEST" {
		t.Errorf("summer abbreviation %q", name)
	}
}

func TestVTimezoneWallClockAcrossDST(t *testing.T) {
	r := NewResolver(loadFixture(t, "custom-berlin.ics"))
	for _, v := range []string{
		"20260329T015959", "20260329T020000", "20260329T023000", "20260329T030000", // into summer time (gap)
		"20261025T015959", "20261025T020000", "20261025T023000", "20261025T030000", // back (repeated hour)
		"20270101T000000", "20990615T120000",
	} {
		a, err := r.ParseDateTime(v, "My Custom Zone", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.ParseDateTime(v, "Europe/Berlin", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Time.Equal(b.Time) || a.Kind != Zoned {
			t.Errorf("%s: custom %s, Berlin %s", v, a.Time.UTC(), b.Time.UTC())
		}
	}
}

func TestVTimezoneOutlookStyle(t *testing.T) {
	r := NewResolver(loadFixture(t, "outlook-us-eastern.ics"))
	custom := mustLoc(t, r, "Eastern Time (Custom)")
	ny := mustLoc(t, r, "America/New_York")
	compareZones(t, custom, ny,
		time.Date(2007, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2260, 1, 1, 0, 0, 0, 0, time.UTC))
}

func TestVTimezoneRDate(t *testing.T) {
	r := NewResolver(loadFixture(t, "rdate-fixed.ics"))
	loc := mustLoc(t, r, "Island Time")
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2000, 6, 1, 0, 0, 0, 0, time.UTC), 19800},
		{time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), 23400},
		{time.Date(2030, 12, 1, 0, 0, 0, 0, time.UTC), 19800},
		{time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC), 23400},
		{time.Date(2032, 6, 1, 0, 0, 0, 0, time.UTC), 23400},
		{time.Date(2033, 6, 1, 0, 0, 0, 0, time.UTC), 19800},
		{time.Date(1900, 6, 1, 0, 0, 0, 0, time.UTC), 19800},
	} {
		if got := offsetAt(tc.at, loc); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.at, got, tc.want)
		}
	}
}

func vtzCalendar(t testing.TB, tzid, body string) *ical.Calendar {
	t.Helper()
	s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
	cal, err := ics.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestVTimezoneRejectsHostileRules(t *testing.T) {
	for name, body := range map[string]string{
		"secondly":   "BEGIN:DAYLIGHT\nDTSTART:20000101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=SECONDLY\nEND:DAYLIGHT\n",
		"byhour":     "BEGIN:DAYLIGHT\nDTSTART:20000101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYHOUR=1,2,3\nEND:DAYLIGHT\n",
		"no offset":  "BEGIN:STANDARD\nDTSTART:20000101T000000\nTZOFFSETTO:+0200\nEND:STANDARD\n",
		"bad offset": "BEGIN:STANDARD\nDTSTART:20000101T000000\nTZOFFSETFROM:+2500\nTZOFFSETTO:+0200\nEND:STANDARD\n",
		"empty":      "",
	} {
		_, err := NewResolver(vtzCalendar(t, "Hostile", body)).Location("Hostile")
		if !errors.Is(err, ErrUnknownTZID) {
			t.Errorf("%s: %v, want ErrUnknownTZID", name, err)
		}
	}
}

// A rule matching no day (February 30th) must not make rrule-go search
// until year 9999: the onsets stop with the 400-year shift.
func TestVTimezoneImpossibleRuleIsCheap(t *testing.T) {
	cal := vtzCalendar(t, "Never", "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:DAYLIGHT\n")
	loc, err := NewResolver(cal).Location("Never")
	if err != nil {
		t.Fatal(err)
	}
	if got := offsetAt(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), loc); got != 7200 {
		t.Fatalf("offset %d after the only onset (DTSTART)", got)
	}
}

func TestParseKinds(t *testing.T) {
	r := NewResolver(nil)
	berlin := mustLoc(t, r, "Europe/Berlin")
	for _, tc := range []struct {
		prop string
		want time.Time
		kind Kind
	}{
		{"DTSTART:20260101T100000Z", time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), UTC},
		{"DTSTART;TZID=Europe/Berlin:20260101T100000", time.Date(2026, 1, 1, 10, 0, 0, 0, berlin), Zoned},
		{"DTSTART:20260101T100000", time.Date(2026, 1, 1, 10, 0, 0, 0, berlin), Floating},
		{"DTSTART;VALUE=DATE:20260101", time.Date(2026, 1, 1, 0, 0, 0, 0, berlin), Date},
	} {
		cal, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n" + tc.prop + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.Parse(cal.Children[0].Props.Get("DTSTART"), berlin)
		if err != nil {
			t.Fatalf("%s: %v", tc.prop, err)
		}
		if !v.Time.Equal(tc.want) || v.Kind != tc.kind {
			t.Errorf("%s: %s kind %d; want %s kind %d", tc.prop, v.Time, v.Kind, tc.want, tc.kind)
		}
	}
	for _, bad := range []string{"2026", "20261301T000000", "20260101T250000Z", "x"} {
		if _, err := r.ParseDateTime(bad, "", time.UTC); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseDateTime(%q): %v", bad, err)
		}
	}
}

func TestResolverConcurrent(t *testing.T) {
	r := NewResolver(loadFixture(t, "custom-berlin.ics"))
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := r.Location("My Custom Zone")
			if err == nil {
				_, err = r.Location("Europe/Paris")
			}
			done <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// RFC 5545 §3.3.5: a repeated local time is its first occurrence, a
// skipped one moves forward by the gap — in every zone, unlike
// time.Date, whose choice differs between zones.
func TestParseDateTimeInDSTChanges(t *testing.T) {
	r := NewResolver(nil)
	for _, tc := range []struct {
		tzid, local, wantUTC string
	}{
		{"Europe/Berlin", "20260329T023000", "2026-03-29T01:30:00Z"},    // gap → 03:30 CEST
		{"Europe/Berlin", "20261025T023000", "2026-10-25T00:30:00Z"},    // first: 02:30 CEST
		{"America/New_York", "20260308T023000", "2026-03-08T07:30:00Z"}, // gap → 03:30 EDT
		{"America/New_York", "20261101T013000", "2026-11-01T05:30:00Z"}, // first: 01:30 EDT
		{"Australia/Lord_Howe", "20261004T021500", "2026-10-03T15:45:00Z"},
		{"Australia/Lord_Howe", "20260405T013000", "2026-04-04T14:30:00Z"}, // first: +11
		{"Europe/Berlin", "20260715T120000", "2026-07-15T10:00:00Z"},
	} {
		v, err := r.ParseDateTime(tc.local, tc.tzid, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Time.UTC().Format(time.RFC3339); got != tc.wantUTC {
			t.Errorf("%s %s = %s, want %s", tc.tzid, tc.local, got, tc.wantUTC)
		}
	}
	berlin := mustLoc(t, r, "Europe/Berlin")
	w := time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)
	first, later, twice := FromWallClock(w, berlin)
	if !twice || later.Sub(first) != time.Hour || first.UTC().Hour() != 0 {
		t.Errorf("FromWallClock repeated: %s %s %v", first, later, twice)
	}
}

// Before its first onset a VTIMEZONE keeps that onset's TZOFFSETFROM,
// never UTC.
func TestVTimezoneBeforeFirstOnset(t *testing.T) {
	cal := vtzCalendar(t, "Late Start", "BEGIN:STANDARD\nDTSTART:20000101T000000\nTZOFFSETFROM:-0330\nTZOFFSETTO:-0300\nEND:STANDARD\n")
	loc := mustLoc(t, NewResolver(cal), "Late Start")
	if got := offsetAt(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), loc); got != -3*3600-1800 {
		t.Fatalf("offset before the first onset %d", got)
	}
	if got := offsetAt(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), loc); got != -3*3600 {
		t.Fatalf("offset after the onset %d", got)
	}
}

// The zones rebuilt with explicit transitions equal the embedded ones.
func TestExpandedZonesMatchEmbedded(t *testing.T) {
	idx, err := zoneIndex()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
		"America/Sao_Paulo", "Africa/Casablanca", "Pacific/Chatham", "Europe/Dublin", "UTC", "America/Santiago"} {
		f := idx[strings.ToLower(name)]
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		slim, err := time.LoadLocationFromTZData(name, data)
		if err != nil {
			t.Fatal(err)
		}
		fat, ok, err := loadIANA(name)
		if !ok || err != nil {
			t.Fatal(name, err)
		}
		for at := time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)); at = at.Add(23*time.Hour + 17*time.Minute) {
			n1, o1 := at.In(fat).Zone()
			n2, o2 := at.In(slim).Zone()
			if o1 != o2 || n1 != n2 || at.In(fat).IsDST() != at.In(slim).IsDST() {
				t.Fatalf("%s at %s: %s%+d, embedded %s%+d", name, at, n1, o1, n2, o2)
			}
		}
		if name != "UTC" {
			compareZones(t, fat, slim, time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
		}
	}
}
