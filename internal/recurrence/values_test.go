package recurrence

import (
	"errors"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		days int
	}{
		{"P1W", 7 * 24 * time.Hour, 7},
		{"-PT15M", -15 * time.Minute, 0},
		{"+PT15M", 15 * time.Minute, 0},
		{"P1DT2H", 26 * time.Hour, 1},
		{"PT1H30M", 90 * time.Minute, 0},
		{"PT1H0M5S", time.Hour + 5*time.Second, 0},
		{"P0D", 0, 0},
		{"PT36H", 36 * time.Hour, 0},
		{"p2d", 48 * time.Hour, 2},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		nd, err := ParseNominalDuration(tc.in)
		if err != nil || abs(nd.Days) != tc.days {
			t.Errorf("ParseNominalDuration(%q) = %+v, %v; want %d days", tc.in, nd, err, tc.days)
		}
	}
	for _, bad := range []string{"", "P", "PT", "1H", "P1H", "PT1D", "P1W2D", "PT1M1H", "P1DT", "PT1S1S",
		"P99999999999D", "P40000D", "P-1D", "PT1.5H", "P1DX", "--P1D"} {
		if d, err := ParseDuration(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDuration(%q) = %v, %v; want ErrInvalid", bad, d, err)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// A day of a DURATION is a calendar day: across the March change in
// Berlin it lasts 23 hours.
func TestNominalDurationFollowsWallClock(t *testing.T) {
	berlin, err := tz.NewResolver(nil).Location("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseNominalDuration("P1DT1H")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 28, 12, 0, 0, 0, berlin)
	if got, want := d.AddTo(start), time.Date(2026, 3, 29, 13, 0, 0, 0, berlin); !got.Equal(want) {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func prop(name, value string, params ...string) *ical.Prop {
	p := ical.NewProp(name)
	p.Value = value
	for i := 0; i+1 < len(params); i += 2 {
		p.Params.Set(params[i], params[i+1])
	}
	return p
}

func TestParseDateList(t *testing.T) {
	res := tz.NewResolver(nil)
	berlin, _ := res.Location("Europe/Berlin")
	vs, err := ParseDateList(prop("EXDATE", "20260105T090000,20260112T090000", "TZID", "Europe/Berlin"), res, time.UTC)
	if err != nil || len(vs) != 2 || !vs[1].Time.Equal(time.Date(2026, 1, 12, 9, 0, 0, 0, berlin)) || vs[0].Kind != tz.Zoned {
		t.Fatalf("zoned list: %v %v", vs, err)
	}
	vs, err = ParseDateList(prop("RDATE", "20260105,20260106", "VALUE", "DATE"), res, berlin)
	if err != nil || len(vs) != 2 || vs[0].Kind != tz.Date || !vs[1].Time.Equal(time.Date(2026, 1, 6, 0, 0, 0, 0, berlin)) {
		t.Fatalf("date list: %v %v", vs, err)
	}
	if Key(vs[1]) != time.Date(2026, 1, 5, 23, 0, 0, 0, time.UTC) {
		t.Fatalf("Key %s", Key(vs[1]))
	}
	ps, err := ParsePeriodList(prop("RDATE", "20260105T090000Z/20260105T100000Z,20260106T090000Z/PT2H", "VALUE", "PERIOD"), res, time.UTC)
	if err != nil || len(ps) != 2 || ps[0].End.Sub(ps[0].Start.Time) != time.Hour || ps[1].End.Sub(ps[1].Start.Time) != 2*time.Hour {
		t.Fatalf("periods: %+v %v", ps, err)
	}
	// A PERIOD list read as dates gives the starts.
	vs, err = ParseDateList(prop("RDATE", "20260105T090000Z/PT1H", "VALUE", "PERIOD"), res, time.UTC)
	if err != nil || len(vs) != 1 || vs[0].Time.Hour() != 9 {
		t.Fatalf("period starts: %v %v", vs, err)
	}
	for _, bad := range []*ical.Prop{
		prop("EXDATE", ""),
		prop("EXDATE", "2026010"),
		prop("EXDATE", "20260105T090000,nope"),
		prop("RDATE", "20260105T090000Z", "VALUE", "PERIOD"),
		prop("RDATE", "20260105T090000Z/20260104T090000Z", "VALUE", "PERIOD"),
		prop("RDATE", "20260105T090000Z/P1X", "VALUE", "PERIOD"),
		prop("EXDATE", "20260105T090000", "TZID", "Nowhere/Special"),
	} {
		if _, err := ParsePeriodList(bad, res, time.UTC); err == nil {
			t.Errorf("%s:%s accepted", bad.Name, bad.Value)
		}
	}
	_, err = ParseDateList(prop("EXDATE", "20260105T090000", "TZID", "Nowhere/Special"), res, time.UTC)
	if !errors.Is(err, tz.ErrUnknownTZID) {
		t.Errorf("unknown TZID: %v", err)
	}
}
