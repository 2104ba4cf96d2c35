package tz

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// generatedZone generates a VTIMEZONE for the IANA zone name under a TZID
// no resolver knows, encodes and decodes it, and resolves it through the
// calendar's VTIMEZONE.
func generatedZone(t testing.TB, name string, from, to time.Time) (*ical.Component, *time.Location, *time.Location) {
	t.Helper()
	iana := mustLoc(t, NewResolver(nil), name)
	alias := "X-Generated " + strings.ReplaceAll(name, "/", " ")
	vtz, err := GenerateVTimezone(alias, iana, from, to)
	if err != nil {
		t.Fatalf("GenerateVTimezone(%s): %v", name, err)
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//test//EN")
	cal.Children = append(cal.Children, vtz)
	decoded, err := ics.Decode(ics.Encode(cal))
	if err != nil {
		t.Fatalf("%s: decoding the generated VTIMEZONE: %v\n%s", name, err, ics.Encode(cal))
	}
	got, err := NewResolver(decoded).Location(alias)
	if err != nil {
		t.Fatalf("%s: resolving the generated VTIMEZONE: %v\n%s", name, err, ics.Encode(cal))
	}
	return vtz, got, iana
}

func TestGenerateVTimezoneRoundTrip(t *testing.T) {
	from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2040, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, name := range []string{
		"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
		"America/Sao_Paulo", "Europe/Moscow", "Pacific/Chatham",
	} {
		t.Run(name, func(t *testing.T) {
			vtz, got, want := generatedZone(t, name, from, to)
			if name != "Asia/Kolkata" {
				compareZones(t, got, want, from.AddDate(-1, 0, 0), to)
			}
			rng := rand.New(rand.NewSource(int64(len(name))))
			span := to.Unix() - from.Unix()
			for i := 0; i < 5000; i++ {
				at := time.Unix(from.Unix()+rng.Int63n(span), 0)
				if g, w := offsetAt(at, got), offsetAt(at, want); g != w {
					t.Fatalf("at %s: offset %d, want %d\n%s", at.UTC().Format(time.RFC3339), g, w, encodeComponent(vtz))
				}
			}
			if len(vtz.Children) > 12 {
				t.Errorf("%d observances for 41 years; rules were not recognised\n%s", len(vtz.Children), encodeComponent(vtz))
			}
		})
	}
}

func encodeComponent(c *ical.Component) string {
	cal := ical.NewCalendar()
	cal.Children = []*ical.Component{c}
	return string(ics.Encode(cal))
}

// observances returns the STANDARD and DAYLIGHT children of vtz by name.
func observancesByName(vtz *ical.Component) map[string][]*ical.Component {
	out := map[string][]*ical.Component{}
	for _, c := range vtz.Children {
		out[c.Name] = append(out[c.Name], c)
	}
	return out
}

func prop(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

func TestGenerateVTimezoneRegularRules(t *testing.T) {
	tests := []struct {
		name           string
		std, dst       string // RRULEs
		stdStart       string // DTSTART of STANDARD
		dstFrom, dstTo string
		stdName        string
	}{
		{"Europe/Berlin", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "20251026T030000", "+0100", "+0200", "CET"},
		{"America/New_York", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "20251102T020000", "-0500", "-0400", "EST"},
		{"Australia/Sydney", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "20250406T030000", "+1000", "+1100", "AEST"},
		{"Pacific/Chatham", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU", "20250406T034500", "+1245", "+1345", "+1245"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vtz, _, _ := generatedZone(t, tt.name, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
			obs := observancesByName(vtz)
			std, dst := obs[ical.CompTimezoneStandard], obs[ical.CompTimezoneDaylight]
			if len(std) != 1 || len(dst) != 1 || len(vtz.Children) != 2 {
				t.Fatalf("want one STANDARD and one DAYLIGHT:\n%s", encodeComponent(vtz))
			}
			if g := prop(std[0], ical.PropRecurrenceRule); g != tt.std {
				t.Errorf("STANDARD RRULE %q, want %q", g, tt.std)
			}
			if g := prop(dst[0], ical.PropRecurrenceRule); g != tt.dst {
				t.Errorf("DAYLIGHT RRULE %q, want %q", g, tt.dst)
			}
			if g := prop(std[0], ical.PropDateTimeStart); g != tt.stdStart {
				t.Errorf("STANDARD DTSTART %q, want %q (the onset in the daylight offset)", g, tt.stdStart)
			}
			if f, to := prop(dst[0], ical.PropTimezoneOffsetFrom), prop(dst[0], ical.PropTimezoneOffsetTo); f != tt.dstFrom || to != tt.dstTo {
				t.Errorf("DAYLIGHT offsets %s→%s, want %s→%s", f, to, tt.dstFrom, tt.dstTo)
			}
			if g := prop(std[0], ical.PropTimezoneName); g != tt.stdName {
				t.Errorf("STANDARD TZNAME %q, want %q", g, tt.stdName)
			}
		})
	}
}

func TestGenerateVTimezoneFixedOffset(t *testing.T) {
	for _, tt := range []struct{ name, off string }{
		{"Asia/Kolkata", "+0530"},
		{"America/Sao_Paulo", "-0300"}, // DST abolished in 2019
		{"UTC", "+0000"},
	} {
		vtz, got, want := generatedZone(t, tt.name, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		if len(vtz.Children) != 1 || vtz.Children[0].Name != ical.CompTimezoneStandard {
			t.Fatalf("%s: want one STANDARD:\n%s", tt.name, encodeComponent(vtz))
		}
		c := vtz.Children[0]
		if prop(c, ical.PropTimezoneOffsetFrom) != tt.off || prop(c, ical.PropTimezoneOffsetTo) != tt.off || prop(c, ical.PropRecurrenceRule) != "" {
			t.Errorf("%s: want a fixed %s:\n%s", tt.name, tt.off, encodeComponent(vtz))
		}
		at := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
		if offsetAt(at, got) != offsetAt(at, want) {
			t.Errorf("%s: offset %d, want %d", tt.name, offsetAt(at, got), offsetAt(at, want))
		}
	}
}

// A rule the zone stopped following within the range ends with UNTIL; the
// one in force at the end has none; one-off changes use DTSTART/RDATE.
func TestGenerateVTimezoneChangedRules(t *testing.T) {
	vtz, _, _ := generatedZone(t, "America/New_York", time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))
	var unbounded, until int
	for _, c := range vtz.Children {
		switch r := prop(c, ical.PropRecurrenceRule); {
		case r == "":
		case strings.Contains(r, "UNTIL="):
			until++
		default:
			unbounded++
		}
	}
	if unbounded != 2 || until != 2 {
		t.Errorf("want 2 rules with UNTIL (before 2007) and 2 without:\n%s", encodeComponent(vtz))
	}
	// São Paulo's rules, still followed in 2017, stopped in 2019: the years
	// after the range show it, so the rules end with UNTIL.
	vtz, got, want := generatedZone(t, "America/Sao_Paulo", time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC))
	rules := 0
	for _, c := range vtz.Children {
		if r := prop(c, ical.PropRecurrenceRule); r != "" {
			rules++
			if !strings.Contains(r, "UNTIL=") {
				t.Errorf("Sao Paulo rule %q without UNTIL:\n%s", r, encodeComponent(vtz))
			}
		}
	}
	if rules != 2 {
		t.Errorf("Sao Paulo: %d rules, want 2:\n%s", rules, encodeComponent(vtz))
	}
	compareZones(t, got, want, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC))
	vtz, _, _ = generatedZone(t, "Europe/Moscow", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, c := range vtz.Children {
		if r := prop(c, ical.PropRecurrenceRule); r != "" && !strings.Contains(r, "UNTIL=") {
			t.Errorf("Moscow has no rule in force since 2011, got %q:\n%s", r, encodeComponent(vtz))
		}
	}
}

// Zones whose changes follow no weekday rule are written with RDATE.
func TestGenerateVTimezoneIrregular(t *testing.T) {
	// Tehran changed on fixed calendar dates (21/22 March) until 2022.
	vtz, got, want := generatedZone(t, "Asia/Tehran", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	rdates := 0
	for _, c := range vtz.Children {
		rdates += len(c.Props[ical.PropRecurrenceDates])
	}
	if rdates == 0 {
		t.Errorf("want RDATEs:\n%s", encodeComponent(vtz))
	}
	compareZones(t, got, want, time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
}

func TestGenerateVTimezoneErrors(t *testing.T) {
	berlin := mustLoc(t, NewResolver(nil), "Europe/Berlin")
	y := func(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name     string
		tzid     string
		loc      *time.Location
		from, to time.Time
	}{
		{"empty TZID", "", berlin, y(2020), y(2021)},
		{"long TZID", strings.Repeat("x", 300), berlin, y(2020), y(2021)},
		{"nil location", "X", nil, y(2020), y(2021)},
		{"reversed", "X", berlin, y(2021), y(2020)},
		{"too long", "X", berlin, y(1800), y(2100)},
		{"year 0", "X", berlin, time.Time{}, y(2020)},
		{"year 10000", "X", berlin, y(9990), y(10001)},
	} {
		if _, err := GenerateVTimezone(tt.tzid, tt.loc, tt.from, tt.to); !errors.Is(err, ErrVTimezoneGeneration) {
			t.Errorf("%s: error %v, want ErrVTimezoneGeneration", tt.name, err)
		}
	}
}

func TestVTimezoneCacheShares(t *testing.T) {
	berlin := mustLoc(t, NewResolver(nil), "Europe/Berlin")
	var c VTimezoneCache
	a, err := c.VTimezone("Europe/Berlin", berlin, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.VTimezone("Europe/Berlin", berlin, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 12, 1, 0, 0, 0, 0, time.UTC))
	if a != b {
		t.Error("same TZID and years generated twice")
	}
	other, _ := c.VTimezone("Europe/Berlin", berlin, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC))
	if other == a {
		t.Error("different years share one VTIMEZONE")
	}
	if _, err := c.VTimezone("", berlin, time.Now(), time.Now()); !errors.Is(err, ErrVTimezoneGeneration) {
		t.Errorf("error %v", err)
	}
}

func BenchmarkGenerateVTimezone(b *testing.B) {
	r := NewResolver(nil)
	from, to := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"Europe/Berlin", "Asia/Kolkata"} {
		loc := mustLoc(b, r, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := GenerateVTimezone(name, loc, from, to); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("cached", func(b *testing.B) {
		loc := mustLoc(b, r, "Europe/Berlin")
		var c VTimezoneCache
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.VTimezone("Europe/Berlin", loc, from, to); err != nil {
				b.Fatal(err)
			}
		}
	})
}
