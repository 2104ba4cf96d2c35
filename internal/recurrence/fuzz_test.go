package recurrence

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// fixtureLines returns the property lines of the fixtures starting with
// prefix, as fuzz seeds.
func fixtureLines(f *testing.F, prefix string) []string {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.ics"))
	var out []string
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				out = append(out, sc.Text())
			}
		}
		fh.Close()
	}
	return out
}

// FuzzExpand expands arbitrary RRULE text from arbitrary DTSTART lines:
// no panic, only typed errors, and the instances yielded are ascending,
// overlap the window and respect the instance limit.
func FuzzExpand(f *testing.F) {
	starts := fixtureLines(f, "DTSTART")
	rules := fixtureLines(f, "RRULE:")
	for i, r := range rules {
		f.Add(starts[i%len(starts)], strings.TrimPrefix(r, "RRULE:"), int64(0))
	}
	for _, pc := range pathologicalCases() {
		f.Add(pc.dtstart, pc.rrule, int64(86400*400))
	}
	f.Fuzz(func(t *testing.T, dtstart, rule string, offset int64) {
		if strings.ContainsAny(dtstart+rule, "\r\n") {
			return
		}
		// rrule-go cannot be interrupted inside one step: a watchdog turns
		// a hang into a crash that the fuzzer records with its input.
		watchdog := time.AfterFunc(60*time.Second, func() {
			panic(fmt.Sprintf("expansion hangs: DTSTART %q RRULE %q offset %d", dtstart, rule, offset))
		})
		defer watchdog.Stop()
		raw := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTAMP:20260101T000000Z\r\n" +
			dtstart + "\r\nRRULE:" + rule + "\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal, err := ics.Decode([]byte(raw))
		if err != nil {
			return
		}
		from := jan2026.Add(time.Duration(offset%(86400*365*50)) * time.Second)
		to := from.AddDate(0, 1, 0)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
		defer cancel()
		lim := Limits{MaxInstances: 5000}
		var last time.Time
		n := 0
		err = Expand(ctx, cal.Children, tz.NewResolver(cal), time.UTC, from, to, lim, func(in Instance) bool {
			n++
			if in.Start.Before(last) {
				t.Fatalf("instances out of order: %s after %s", in.Start, last)
			}
			last = in.Start
			if !overlaps(in.Start, in.End, from, to) {
				t.Fatalf("instance %s–%s outside the window", in.Start, in.End)
			}
			return true
		})
		checkTyped(t, err)
		if n > lim.MaxInstances {
			t.Fatalf("%d instances", n)
		}
		_, _, _, err = Bounds(ctx, cal.Children, tz.NewResolver(cal), time.UTC, Limits{})
		checkTyped(t, err)
	})
}

func checkTyped(t *testing.T, err error) {
	t.Helper()
	if err == nil || errors.Is(err, ErrLimit) || errors.Is(err, ErrInvalid) ||
		errors.Is(err, tz.ErrInvalidValue) || errors.Is(err, tz.ErrUnknownTZID) {
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expansion ran into the 50 s guard: %v", err)
	}
	t.Fatalf("untyped error: %v", err)
}

// FuzzParseDuration: no panic; accepted values round-trip in sign and stay
// within 100 years.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"P1W", "-PT15M", "P1DT2H", "PT1H30M", "P", "PT", "+P0D", "P1Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if d > maxDuration || d < -maxDuration {
			t.Fatalf("%q = %v beyond the cap", s, d)
		}
		if (d < 0) != (strings.HasPrefix(strings.TrimSpace(s), "-") && d != 0) {
			t.Fatalf("%q = %v: wrong sign", s, d)
		}
	})
}

// FuzzParseDateList: no panic on any EXDATE/RDATE value and parameters.
func FuzzParseDateList(f *testing.F) {
	f.Add("20260105T090000Z,20260106T090000Z", "", "")
	f.Add("20260105T090000/PT1H", "PERIOD", "Europe/Berlin")
	f.Add("20260105,20260106", "DATE", "")
	f.Add("20260105T090000Z/20260105T100000Z", "PERIOD", "")
	f.Fuzz(func(t *testing.T, value, valueType, tzid string) {
		p := prop("RDATE", value)
		if valueType != "" {
			p.Params.Set("VALUE", valueType)
		}
		if tzid != "" {
			p.Params.Set("TZID", tzid)
		}
		ps, err := ParsePeriodList(p, tz.NewResolver(nil), time.UTC)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, tz.ErrInvalidValue) && !errors.Is(err, tz.ErrUnknownTZID) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, x := range ps {
			if !x.End.IsZero() && x.End.Before(x.Start.Time) {
				t.Fatalf("period ends before it starts: %+v", x)
			}
		}
	})
}
