package backendtest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Writers is how many goroutines the concurrency tests start.
const Writers = 50

func runConcurrency(t *testing.T, newStore NewStore) {
	t.Run("CompareAndSwapLosesNoUpdate", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "shared.ics"
		f.put(t, path, event("shared", "20260310T100000Z", "20260310T110000Z"))
		end := []byte("END:VEVENT\r\n")
		var wg sync.WaitGroup
		errs := make(chan error, Writers)
		for i := 0; i < Writers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				marker := []byte(fmt.Sprintf("COMMENT:marker-%02d\r\n", i))
				for attempt := 0; ; attempt++ {
					if attempt > 10*Writers {
						errs <- fmt.Errorf("writer %d: no success after %d attempts", i, attempt)
						return
					}
					o, err := f.s.Object(f.ctx, path)
					if err != nil {
						errs <- fmt.Errorf("writer %d: Object: %w", i, err)
						return
					}
					at := bytes.LastIndex(o.Data, end)
					if at < 0 {
						errs <- fmt.Errorf("writer %d: stored data lost END:VEVENT: %q", i, o.Data)
						return
					}
					data := append(append(append([]byte(nil), o.Data[:at]...), marker...), o.Data[at:]...)
					_, err = f.s.PutObject(f.ctx, path, data, &backend.PutOptions{IfMatch: o.ETag})
					if errors.Is(err, backend.ErrPreconditionFailed) {
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("writer %d: PutObject: %w", i, err)
					}
					return
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		final := f.get(t, path)
		for i := 0; i < Writers; i++ {
			if !bytes.Contains(final.Data, []byte(fmt.Sprintf("COMMENT:marker-%02d\r\n", i))) {
				t.Errorf("update of writer %d lost", i)
			}
		}
		if n := bytes.Count(final.Data, []byte("COMMENT:marker-")); n != Writers {
			t.Errorf("final object has %d markers, want %d", n, Writers)
		}
	})
	t.Run("IfNoneMatchCreatesOnce", func(t *testing.T) {
		f := newFixture(t, newStore)
		path := f.aliceCal + "race.ics"
		won := race(t, func(i int) error {
			_, err := f.s.PutObject(f.ctx, path, event(fmt.Sprintf("race-%d", i), "20260310T100000Z", ""),
				&backend.PutOptions{IfNoneMatch: true})
			return err
		}, backend.ErrPreconditionFailed)
		if won != 1 {
			t.Errorf("%d of %d If-None-Match creates succeeded, want 1", won, Writers)
		}
	})
	t.Run("UIDConflictUnderRace", func(t *testing.T) {
		f := newFixture(t, newStore)
		won := race(t, func(i int) error {
			_, err := f.s.PutObject(f.ctx, fmt.Sprintf("%sdup-%d.ics", f.aliceCal, i), event("dup", "20260310T100000Z", ""), nil)
			return err
		}, backend.ErrUIDConflict)
		if won != 1 {
			t.Errorf("%d of %d writers stored UID dup in one calendar, want 1", won, Writers)
		}
		objs, err := f.s.Objects(f.ctx, f.aliceCal)
		noErr(t, "Objects", err)
		if len(objs) != 1 {
			t.Errorf("calendar holds %d objects after the race, want 1", len(objs))
		}
	})
	t.Run("InboxDeliveriesAllKept", func(t *testing.T) {
		f := newFixture(t, newStore)
		won := race(t, func(i int) error {
			_, err := f.s.CreateSchedulingObject(f.ctx, f.alice.Path, fmt.Sprintf("reply-%d.ics", i), itipMessage(fmt.Sprintf("r%d", i)))
			return err
		}, nil)
		if won != Writers {
			t.Errorf("%d of %d concurrent deliveries succeeded", won, Writers)
		}
		list, err := f.s.SchedulingObjects(f.ctx, f.alice.Path)
		noErr(t, "SchedulingObjects", err)
		if len(list) != Writers {
			t.Errorf("inbox holds %d items after %d concurrent deliveries", len(list), Writers)
		}
	})
	t.Run("ReadersDuringWrites", func(t *testing.T) {
		f := newFixture(t, newStore)
		for i := 0; i < 10; i++ {
			f.put(t, fmt.Sprintf("%sr-%d.ics", f.aliceCal, i), event(fmt.Sprintf("r-%d", i), "20260310T100000Z", ""))
		}
		race(t, func(i int) error {
			p := fmt.Sprintf("%sr-%d.ics", f.aliceCal, i%10)
			switch i % 5 {
			case 0:
				_, err := f.s.PutObject(f.ctx, p, event(fmt.Sprintf("r-%d", i%10), "20260311T100000Z", ""), nil)
				return err
			case 1:
				_, err := f.s.Objects(f.ctx, f.aliceCal)
				return err
			case 2:
				_, err := f.s.ObjectByUID(f.ctx, f.alice.Path, fmt.Sprintf("r-%d", i%10))
				return err
			case 3:
				_, err := f.s.ObjectsInRange(f.ctx, f.aliceCal, utc("20260301T000000Z"), utc("20260401T000000Z"))
				return err
			default:
				_, err := f.s.Calendars(f.ctx, f.alice.Path)
				return err
			}
		}, nil)
	})
}

// race runs op(0..Writers-1) at once and returns how many returned nil.
// Errors matching expected are losses; any other error fails the test.
func race(t *testing.T, op func(i int) error, expected error) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		won   int
		start = make(chan struct{})
	)
	for i := 0; i < Writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			err := op(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case expected != nil && errors.Is(err, expected):
			default:
				t.Errorf("op %d: unexpected error %v", i, err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	return won
}
