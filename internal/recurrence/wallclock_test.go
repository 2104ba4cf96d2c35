package recurrence

import (
	"math/rand"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// TestZoneMemoMatchesFromWallClock maps readings (in order, at random
// steps, and at random jumps, across DST changes, in the gaps and the
// repeated hours) with zoneMemo and with tz.FromWallClock, which must
// give identical instants in identical locations.
func TestZoneMemoMatchesFromWallClock(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	res := tz.NewResolver(nil)
	var shared zoneMemos // all zones, interleaved with the per-zone memo
	for _, name := range []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Tokyo", "Pacific/Apia", "Europe/Dublin"} {
		loc, err := res.Location(name)
		if err != nil {
			t.Fatal(err)
		}
		var z zoneMemo
		w := time.Date(1990, 1, 1, 0, 30, 0, 0, time.UTC)
		for i := 0; i < 20000; i++ {
			switch rng.Intn(10) {
			case 0:
				w = time.Date(1980+rng.Intn(60), time.Month(1+rng.Intn(12)), 1+rng.Intn(28), rng.Intn(24), 30*rng.Intn(2), 0, 0, time.UTC)
			default:
				w = w.Add(time.Duration(rng.Intn(49)) * 30 * time.Minute)
			}
			got := z.instant(w, loc)
			want, _, _ := tz.FromWallClock(w, loc)
			if got2 := shared.instant(w, loc); got2 != want {
				t.Fatalf("%s %s: memos %v, FromWallClock %v", name, w.Format(time.RFC3339), got2, want)
			}
			if other := []*time.Location{time.UTC, loc}[rng.Intn(2)]; rng.Intn(3) == 0 {
				v := w.Add(time.Duration(rng.Intn(100)) * time.Hour)
				if a, _, _ := tz.FromWallClock(v, other); shared.instant(v, other) != a {
					t.Fatalf("%s %s: memos differ from FromWallClock", other, v)
				}
			}
			if got != want {
				t.Fatalf("%s %s: memo %v, FromWallClock %v", name, w.Format(time.DateTime), got, want)
			}
		}
	}
}
