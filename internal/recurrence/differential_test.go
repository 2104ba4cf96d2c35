package recurrence

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// randomRule builds a rule from parts that always match some day, so that
// rrule-go itself can be run on it without a guard.
func randomRule(rng *rand.Rand) string {
	freqs := []string{"YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"}
	f := freqs[rng.Intn(len(freqs))]
	parts := []string{"FREQ=" + f, fmt.Sprintf("INTERVAL=%d", 1+rng.Intn(3)), fmt.Sprintf("COUNT=%d", 1+rng.Intn(40))}
	pick := func(name string, lo, hi, max int) {
		n := 1 + rng.Intn(max)
		seen := map[int]bool{}
		var vs []string
		for i := 0; i < n; i++ {
			v := lo + rng.Intn(hi-lo+1)
			if !seen[v] {
				seen[v] = true
				vs = append(vs, fmt.Sprint(v))
			}
		}
		parts = append(parts, name+"="+strings.Join(vs, ","))
	}
	if rng.Intn(3) == 0 {
		pick("BYMONTH", 1, 12, 4)
	}
	switch rng.Intn(4) {
	case 0:
		if f != "HOURLY" {
			pick("BYMONTHDAY", 1, 28, 3)
		}
	case 1:
		days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
		rng.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
		parts = append(parts, "BYDAY="+strings.Join(days[:1+rng.Intn(3)], ","))
	}
	if f != "HOURLY" && rng.Intn(3) == 0 {
		pick("BYHOUR", 0, 23, 3)
	}
	if rng.Intn(4) == 0 {
		pick("BYMINUTE", 0, 59, 2)
	}
	return strings.Join(parts, ";")
}

// TestMatchesRRuleGo compares Expand with rrule-go run directly, in UTC
// where no DST mapping applies: the instance starts must be DTSTART plus
// exactly rrule-go's occurrences.
func TestMatchesRRuleGo(t *testing.T) {
	rng := rand.New(rand.NewSource(5545))
	compared := 0
	for i := 0; i < 300; i++ {
		rule := randomRule(rng)
		start := time.Date(2020+rng.Intn(6), time.Month(1+rng.Intn(12)), 1+rng.Intn(28), rng.Intn(24), 15*rng.Intn(4), 0, 0, time.UTC)
		ws, we := start, start.AddDate(20, 0, 0)
		if i%2 == 1 {
			// No COUNT: an UNTIL, and a window a year later, which Expand
			// reaches by skipping ahead.
			parts := strings.Split(rule, ";")
			for j, p := range parts {
				if strings.HasPrefix(p, "COUNT=") {
					parts[j] = "UNTIL=" + start.AddDate(3, 0, 0).Format("20060102T150405Z")
				}
			}
			rule = strings.Join(parts, ";")
			ws, we = start.AddDate(1, 0, 0), start.AddDate(2, 0, 0)
		}
		cal, comps := event(t, "DTSTART:"+start.Format("20060102T150405Z"), "RRULE:"+rule)

		var got []string
		err := Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, ws, we,
			Limits{MaxSteps: 1 << 20}, func(in Instance) bool {
				got = append(got, in.Start.Format(time.RFC3339))
				return true
			})
		if err != nil {
			t.Fatalf("%s from %s: %v", rule, start, err)
		}

		opt, err := rrule.StrToROption(rule)
		if err != nil {
			t.Fatal(err)
		}
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			t.Fatal(err)
		}
		if first, ok := r.Iterator()(); opt.Count > 0 && ok && !first.Equal(start) {
			// RFC 5545: an unsynchronised DTSTART is the first of the
			// COUNT occurrences, so the rule contributes COUNT-1.
			opt.Count--
			if opt.Count == 0 {
				opt.Until = start // nothing from the rule
			}
			if r, err = rrule.NewRRule(*opt); err != nil {
				t.Fatal(err)
			}
		}
		wantSet := map[string]bool{}
		if !start.Before(ws) {
			wantSet[start.Format(time.RFC3339)] = true
		}
		next := r.Iterator()
		for {
			v, ok := next()
			if !ok || !v.Before(we) {
				break
			}
			if !v.Before(ws) {
				wantSet[v.Format(time.RFC3339)] = true
			}
		}
		var want []string
		for k := range wantSet {
			want = append(want, k)
		}
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s from %s:\n got %v\nwant %v", rule, start.Format(time.RFC3339), got, want)
		}
		compared += len(want)
	}
	t.Logf("%d instances compared", compared)
}
