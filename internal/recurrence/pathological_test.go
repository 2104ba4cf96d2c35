package recurrence

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// event builds a one-component object from property lines.
func event(t testing.TB, lines ...string) (*ical.Calendar, []*ical.Component) {
	t.Helper()
	s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:p\r\nDTSTAMP:20260101T000000Z\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, err := ics.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return cal, cal.Children
}

// bits returns "NAME=0,1,…,n-1".
func bits(name string, n int) string {
	v := make([]string, n)
	for i := range v {
		v[i] = strconv.Itoa(i)
	}
	return name + "=" + strings.Join(v, ",")
}

type pathCase struct {
	name       string
	dtstart    string
	rrule      string
	from, to   time.Time
	wantErr    string // "" no error; else the LimitError.Which, or "invalid"
	maxResults int    // upper bound on instances when no error
}

var (
	jan2026 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb2026 = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
)

func pathologicalCases() []pathCase {
	return []pathCase{
		{"secondly-unbounded-from-2000", "DTSTART:20000101T000000Z", "FREQ=SECONDLY", jan2026, feb2026, "instances", 0},
		{"secondly-count-from-2000", "DTSTART:20000101T000000Z", "FREQ=SECONDLY;COUNT=1000000000", jan2026, feb2026, "steps", 0},
		{"secondly-in-window", "DTSTART:20260101T000000Z", "FREQ=SECONDLY", jan2026, feb2026, "instances", 0},
		{"minutely-60-byseconds", "DTSTART:20260101T000000Z", "FREQ=MINUTELY;" + bits("BYSECOND", 60), jan2026, feb2026, "instances", 0},
		{"yearly-86400-times", "DTSTART:20260101T000000Z", "FREQ=YEARLY;" + bits("BYSECOND", 60) + ";" + bits("BYMINUTE", 60) + ";" + bits("BYHOUR", 24), jan2026, feb2026, "rule", 0},
		{"daily-86400-times", "DTSTART:20260101T000000Z", "FREQ=DAILY;" + bits("BYSECOND", 60) + ";" + bits("BYMINUTE", 60) + ";" + bits("BYHOUR", 24), jan2026, feb2026, "rule", 0},
		{"daily-1440-times", "DTSTART:20260101T000000Z", "FREQ=DAILY;" + bits("BYMINUTE", 60) + ";" + bits("BYHOUR", 24), jan2026, feb2026, "instances", 0},
		{"yearly-feb-from-jan-30th", "DTSTART:20260130T090000Z", "FREQ=YEARLY;BYMONTH=2", jan2026, feb2026, "", 1},
		// rrule-go walks a COUNT rule from DTSTART; the arithmetic
		// iteration of simple rules jumps to the window.
		{"count-1e9-from-1700", "DTSTART:17000101T090000Z", "FREQ=DAILY;BYHOUR=9;COUNT=1000000000", jan2026, feb2026, "steps", 0},
		{"count-1e9-from-1700-simple", "DTSTART:17000101T090000Z", "FREQ=DAILY;COUNT=1000000000", jan2026, feb2026, "", 31},
		{"count-1e18-weekly-from-1700-simple", "DTSTART:17000101T090000Z", "FREQ=WEEKLY;BYDAY=MO,TU;COUNT=999999999999999999", jan2026, feb2026, "", 9},
		{"window-1000-years", "DTSTART:20260101T090000Z", "FREQ=DAILY", jan2026, jan2026.AddDate(1000, 0, 0), "window", 0},
		{"feb-30th-yearly", "DTSTART:16010101T090000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31", jan2026, feb2026, "", 0},
		{"feb-31st-monthly", "DTSTART:20260131T090000Z", "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", jan2026, feb2026, "", 1},
		{"yearday-366-in-january", "DTSTART:20260101T090000Z", "FREQ=DAILY;BYYEARDAY=366;BYMONTH=1", jan2026, feb2026, "", 1},
		{"weekno-53-in-june", "DTSTART:20260101T090000Z", "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6", jan2026, feb2026, "", 1},
		{"weekly-interval-huge", "DTSTART:20260101T090000Z", "FREQ=WEEKLY;INTERVAL=1000000", jan2026, feb2026, "", 1},
		{"feb-30th-secondly", "DTSTART:20000101T090000Z", "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", jan2026, feb2026, "", 0},
		{"hourly-unreachable-byhour", "DTSTART:20260101T090000Z", "FREQ=HOURLY;INTERVAL=24;BYHOUR=10", jan2026, feb2026, "", 1},
		{"minutely-unreachable-byminute", "DTSTART:20260101T090000Z", "FREQ=MINUTELY;INTERVAL=60;BYMINUTE=30", jan2026, feb2026, "", 1},
		{"secondly-unreachable", "DTSTART:20260101T090000Z", "FREQ=SECONDLY;INTERVAL=3600;BYSECOND=7", jan2026, feb2026, "", 1},
		{"secondly-bysetpos-2", "DTSTART:20260101T090000Z", "FREQ=SECONDLY;BYSETPOS=2", jan2026, feb2026, "", 1},
		{"monthly-bysetpos-beyond", "DTSTART:20260101T090000Z", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", jan2026, feb2026, "", 1},
		{"daily-weekly-step-wrong-day", "DTSTART:20260105T090000Z", "FREQ=DAILY;INTERVAL=7;BYDAY=TU", jan2026, feb2026, "", 1},
		{"secondly-one-per-day", "DTSTART:20000101T000000Z", "FREQ=SECONDLY;BYHOUR=23;BYMINUTE=59;BYSECOND=59", jan2026, feb2026, "steps", 0},
		{"interval-huge", "DTSTART:20260101T090000Z", "FREQ=DAILY;INTERVAL=9223372036854775807", jan2026, feb2026, "invalid", 0},
		{"byeaster", "DTSTART:20260101T090000Z", "FREQ=YEARLY;BYEASTER=0", jan2026, feb2026, "invalid", 0},
		{"yearly-far-past", "DTSTART:00010101T090000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", jan2026, feb2026, "invalid", 0}, // before minRuleYear
	}
}

func runPathological(ctx context.Context, tb testing.TB, pc pathCase) (n int, b *budget, err error) {
	cal, comps := event(tb, pc.dtstart, "RRULE:"+pc.rrule)
	lim := DefaultLimits()
	b = &budget{ctx: ctx, max: lim.MaxSteps}
	err = expand(comps, tz.NewResolver(cal), time.UTC, pc.from, pc.to, lim, b, func(Instance) bool { n++; return true })
	return n, b, err
}

// TestPathological checks that hostile rules end with the right typed
// error or a capped result, and never spend more than MaxSteps. The
// context deadline only guards against a hang; no timing is asserted.
func TestPathological(t *testing.T) {
	for _, pc := range pathologicalCases() {
		t.Run(pc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			n, b, err := runPathological(ctx, t, pc)
			if ctx.Err() != nil {
				t.Fatalf("hit the 30 s guard deadline: %v", err)
			}
			if b.steps > b.max {
				// spend reports the overrun; it must not continue after it
				if !errors.Is(err, ErrLimit) {
					t.Fatalf("steps %d > max %d without ErrLimit", b.steps, b.max)
				}
			}
			switch pc.wantErr {
			case "":
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if pc.maxResults > 0 && n > pc.maxResults {
					t.Fatalf("%d instances, want at most %d", n, pc.maxResults)
				}
			case "invalid":
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want ErrInvalid", err)
				}
			default:
				var le *LimitError
				if !errors.As(err, &le) || !errors.Is(err, ErrLimit) || le.Which != pc.wantErr {
					t.Fatalf("error %v, want *LimitError{%s}", err, pc.wantErr)
				}
				if le.Which == "instances" && n != DefaultLimits().MaxInstances {
					t.Fatalf("yielded %d before the instance limit", n)
				}
			}
			t.Logf("instances %d, steps %d", n, b.steps)
		})
	}
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cal, comps := event(t, "DTSTART:20260101T000000Z", "RRULE:FREQ=MINUTELY")
	err := Expand(ctx, comps, tz.NewResolver(cal), time.UTC, jan2026, feb2026, Limits{}, func(Instance) bool { return true })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
	// Cancelled while iterating: noticed within ctxEvery steps.
	ctx, cancel = context.WithCancel(context.Background())
	n := 0
	err = Expand(ctx, comps, tz.NewResolver(cal), time.UTC, jan2026, feb2026, Limits{}, func(Instance) bool {
		n++
		if n == 10 {
			cancel()
		}
		return true
	})
	if !errors.Is(err, context.Canceled) || n > 10+ctxEvery {
		t.Fatalf("%v after %d instances", err, n)
	}
}

func TestBoundsPathological(t *testing.T) {
	cal, comps := event(t, "DTSTART:20000101T000000Z", "RRULE:FREQ=SECONDLY;COUNT=1000000000")
	first, _, unbounded, err := Bounds(context.Background(), comps, tz.NewResolver(cal), time.UTC, Limits{})
	var le *LimitError
	if !errors.As(err, &le) || le.Which != "steps" {
		t.Fatalf("%v, want steps limit", err)
	}
	if !unbounded || !first.Equal(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("first %s unbounded %v: an index needs both", first, unbounded)
	}
}
