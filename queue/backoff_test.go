package queue_test

import (
	"math"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/queue"
)

// TestBackoffOddSettings: a NaN or infinite Factor or Jitter never gives
// a negative delay or one over Max, and a NaN Factor means the default
// (it used to make every retry due at once, spending all attempts in a
// burst).
func TestBackoffOddSettings(t *testing.T) {
	for _, b := range []queue.Backoff{
		{Min: time.Second, Max: time.Minute, Factor: math.NaN()},
		{Min: time.Second, Max: time.Minute, Factor: math.Inf(1)},
		{Min: time.Second, Max: time.Minute, Jitter: math.NaN()},
		{Min: time.Second, Max: time.Minute, Jitter: math.Inf(1)},
		{Min: time.Second, Max: time.Minute, Factor: math.NaN(), Jitter: math.NaN()},
	} {
		for attempt := 1; attempt <= 40; attempt++ {
			if d := b.Delay(attempt); d < 0 || d > time.Minute {
				t.Fatalf("%+v: Delay(%d) = %v, want within [0, 1 min]", b, attempt, d)
			}
		}
	}
	nan := queue.Backoff{Min: time.Second, Max: time.Minute, Factor: math.NaN(), Jitter: -1}
	if d := nan.Delay(3); d != 4*time.Second {
		t.Errorf("NaN Factor: Delay(3) = %v, want 4 s (the default factor 2)", d)
	}
}
