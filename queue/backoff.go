package queue

import (
	"math/rand/v2"
	"time"
)

// Backoff spaces the attempts of a message that failed temporarily: the
// delay after attempt n is Min·Factorⁿ⁻¹, at most Max, spread by ±Jitter
// so that messages that failed together do not come back together.
type Backoff struct {
	// Min is the delay after the first failure; default 30 s.
	Min time.Duration
	// Max caps the delay; default 6 h.
	Max time.Duration
	// Factor multiplies the delay per attempt; default 2, at least 1.
	Factor float64
	// Jitter is the fraction of the delay by which it varies at random,
	// between 0 and 1; default 0.2. Negative means none.
	Jitter float64
}

// withDefaults fills in unset fields.
func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = 30 * time.Second
	}
	if b.Max <= 0 {
		b.Max = 6 * time.Hour
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if !(b.Factor >= 1) { // NaN too
		b.Factor = 2
	}
	switch {
	case b.Jitter == 0:
		b.Jitter = 0.2
	case b.Jitter > 1:
		b.Jitter = 1
	}
	return b
}

// Delay returns the wait after the attempt-th failed attempt (counting
// from 1), with jitter, never more than Max nor less than zero.
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.withDefaults()
	d := float64(b.Min)
	for i := 1; i < attempt && d < float64(b.Max); i++ {
		d *= b.Factor
	}
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	if b.Jitter > 0 {
		d *= 1 - b.Jitter + 2*b.Jitter*rand.Float64()
	}
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	return time.Duration(d)
}
