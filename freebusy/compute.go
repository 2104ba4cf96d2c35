package freebusy

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Compute computes the busy time of one calendar user within
// [q.Start, q.End) from their calendar objects and their availability.
//
// Every VEVENT instance (RRULE, RDATE, EXDATE and RECURRENCE-ID overrides
// expanded by internal/recurrence) that overlaps the range counts, typed
// per instance:
//   - TRANSP:TRANSPARENT or STATUS:CANCELLED: free (left out);
//   - the user is an ATTENDEE with PARTSTAT DECLINED or DELEGATED: free;
//   - STATUS:TENTATIVE, or the user's PARTSTAT is NEEDS-ACTION (also when
//     absent, RFC 5545's default) or TENTATIVE: BUSY-TENTATIVE; but an
//     unanswered PARTSTAT of a user who is also the ORGANIZER is BUSY;
//   - otherwise BUSY.
//
// FREEBUSY properties of stored VFREEBUSY components count with their
// FBTYPE. VTODO and VJOURNAL components make nobody busy (RFC 4791
// §7.10). Objects with Transparent set are skipped. Time outside the
// AVAILABLE blocks of q.Availability is busy as its VAVAILABILITY says
// (see availability.go for the rules).
//
// An object that cannot be read fully (a bad TZID, a malformed date, a
// recurrence limit) does not fail the answer: what could be read of it
// counts, and it is listed in Result.Problems. Compute fails only for an
// invalid query (ErrInvalidQuery), for an answer of more than
// q.MaxPeriods periods (ErrTooManyPeriods), or when ctx is done. Large
// sets of objects are split among up to GOMAXPROCS goroutines, all
// finished before Compute returns.
func Compute(ctx context.Context, q Query, objects []Object) (*Result, error) {
	if q.Start.IsZero() || q.End.IsZero() {
		return nil, fmt.Errorf("%w: start and end are required", ErrInvalidQuery)
	}
	if !q.End.After(q.Start) {
		return nil, fmt.Errorf("%w: end %s is not after start %s", ErrInvalidQuery, q.End.UTC().Format(time.RFC3339), q.Start.UTC().Format(time.RFC3339))
	}
	lim := q.limits()
	if q.End.Sub(q.Start) > lim.MaxWindow {
		return nil, fmt.Errorf("%w: range of %s is longer than the limit of %s", ErrInvalidQuery, q.End.Sub(q.Start), lim.MaxWindow)
	}
	c := newComputation(q, lim)
	if err := c.objectsParallel(ctx, objects); err != nil {
		return nil, err
	}
	if err := c.availability(ctx); err != nil {
		return nil, err
	}
	c.compact()
	if c.overflow {
		return nil, c.overflowError()
	}
	return &Result{Periods: c.periods(), Problems: c.problems}, nil
}

// computation holds the state of one Compute call, or of one of its
// workers.
type computation struct {
	q                  Query
	lim                recurrence.Limits
	loc                *time.Location
	start, end         time.Time
	startUnix, endUnix int64
	users              caladdr.Set
	isUser             map[string]bool // raw address → users.Has, per goroutine
	maxPeriods         int
	prefilter          bool                 // mayOverlap may be used: loc's offset is under a day
	types              []componentBusyType  // busy type per component of the current group
	expander           *recurrence.Expander // one per goroutine: shares resolved zones between objects
	zoneless           *tz.Resolver         // one per goroutine: for calendars without VTIMEZONE
	yieldFn            func(recurrence.Instance) bool
	busy               []busyTime
	merged             int               // busy[:merged] is sorted and coalesced
	spare              []busyTime        // the other buffer of compact
	sortTmp            []busyTime        // scratch memory of mergeBusy
	pruned             []*ical.Component // memory for pruneOverridesInto
	compactAt          int               // merge busy times when there are this many
	overflow           bool              // more than maxPeriods periods after merging
	problems           []*ObjectError
}

// minCompact is the fewest periods worth merging before the end.
const minCompact = 1024

func newComputation(q Query, lim recurrence.Limits) *computation {
	c := &computation{
		q:          q,
		lim:        lim,
		loc:        q.location(),
		start:      q.Start,
		end:        q.End,
		startUnix:  q.Start.Unix(),
		endUnix:    q.End.Unix(),
		users:      caladdr.NewSet(q.Addresses...),
		maxPeriods: q.maxPeriods(),
		compactAt:  minCompact,
		expander:   recurrence.NewExpander(),
	}
	_, offset := q.Start.In(c.loc).Zone()
	c.prefilter = offset > -prefilterMargin/2 && offset < prefilterMargin/2
	c.yieldFn = c.yield
	return c
}

// fork returns an empty computation with c's query, for a worker.
func (c *computation) fork() *computation {
	f := *c
	f.types = nil
	f.expander = recurrence.NewExpander()
	f.zoneless = nil
	f.isUser = nil
	f.yieldFn = f.yield
	f.busy, f.problems, f.overflow, f.compactAt = nil, nil, false, minCompact
	f.merged, f.spare, f.sortTmp, f.pruned = 0, nil, nil, nil
	return &f
}

func (c *computation) problem(availability bool, index int, uid string, err error) {
	c.problems = append(c.problems, &ObjectError{Availability: availability, Index: index, UID: uid, Err: err})
}

// add records [start, end) as busy with type t, clipped to the range.
func (c *computation) add(start, end time.Time, t Type) {
	if t == Free {
		return
	}
	s, e := max(start.Unix(), c.startUnix), min(end.Unix(), c.endUnix)
	if e <= s || !end.After(c.start) || !start.Before(c.end) {
		return
	}
	c.busy = append(c.busy, busyTime{s, e, kindOf(t)})
	if len(c.busy) >= c.compactAt {
		c.compact()
		c.compactAt = max(2*len(c.busy), minCompact)
	}
}

// compact merges the busy times so far, which bounds memory by the size
// of the answer rather than by the number of instances.
func (c *computation) compact() {
	if c.merged == 0 || c.merged > len(c.busy) {
		c.busy = mergeBusy(c.busy, &c.sortTmp, c.startUnix)
	} else {
		// Only what was added since the last compaction is sorted; it is
		// then merged with the part already in order.
		// The result goes back into c.busy, which keeps its capacity
		// for the next busy times.
		tail := mergeBusy(c.busy[c.merged:], &c.sortTmp, c.startUnix)
		c.spare = mergeSorted(c.spare[:0], c.busy[:c.merged], tail)
		c.busy = append(c.busy[:0], c.spare...)
	}
	c.merged = len(c.busy)
	if len(c.busy) > c.maxPeriods {
		c.overflow = true
	}
}

func (c *computation) overflowError() error {
	return fmt.Errorf("%w: more than %d periods", ErrTooManyPeriods, c.maxPeriods)
}

// objectsParallel counts objects, splitting them among workers when there
// are enough to pay for it. Workers take chunks of objectsPerChunk in
// turn rather than a fixed share each, so that a worker slowed down (by
// heavier objects, or by a core busy with other work) does not hold up
// the answer. A panic in a worker is raised again here, in the caller's
// goroutine.
func (c *computation) objectsParallel(ctx context.Context, objects []Object) error {
	workers := min(runtime.GOMAXPROCS(0), len(objects)/objectsPerWorker)
	if workers <= 1 {
		return c.objects(ctx, 0, objects)
	}
	parts := make([]*computation, workers)
	errs := make([]error, workers)
	panics := make([]any, workers)
	var next atomic.Int64 // first index of the next chunk
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range parts {
		parts[w] = c.fork()
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer func() {
				if panics[w] = recover(); panics[w] != nil {
					failed.Store(true)
				}
			}()
			for !failed.Load() {
				lo := int(next.Add(objectsPerChunk)) - objectsPerChunk
				if lo >= len(objects) {
					return
				}
				hi := min(lo+objectsPerChunk, len(objects))
				if errs[w] = parts[w].objects(ctx, lo, objects[lo:hi]); errs[w] != nil {
					failed.Store(true)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	for w := range parts {
		if panics[w] != nil {
			panic(panics[w])
		}
	}
	for w := range parts {
		if errs[w] != nil {
			return errs[w]
		}
	}
	for _, p := range parts {
		c.busy = append(c.busy, p.busy...)
		c.problems = append(c.problems, p.problems...)
	}
	// Each worker's problems are in index order; interleave them.
	slices.SortStableFunc(c.problems, func(a, b *ObjectError) int { return cmp.Compare(a.Index, b.Index) })
	c.compact()
	if c.overflow {
		return c.overflowError()
	}
	return nil
}

// objectsPerWorker is the fewest objects per goroutine worth starting
// one for; objectsPerChunk is how many a worker takes at a time.
const (
	objectsPerWorker = 256
	objectsPerChunk  = 128
)

// objects counts objects, the first of which has index first.
func (c *computation) objects(ctx context.Context, first int, objects []Object) error {
	for i, obj := range objects {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if obj.Transparent || obj.Calendar == nil || obj.Calendar.Component == nil {
			continue
		}
		if err := c.object(ctx, first+i, obj.Calendar); err != nil {
			return err
		}
		if c.overflow {
			return c.overflowError()
		}
	}
	return nil
}
