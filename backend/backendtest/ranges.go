package backendtest

import (
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// runRangeRefs checks backend.RangeLister against ObjectsInRange: for
// bounded, half-open and unbounded ranges over single, recurring,
// unbounded, floating and timeless objects, the references name the same
// objects, in the same order, with the same ETags and components, and
// follow updates and deletes. Stores without it are skipped.
func runRangeRefs(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	rl, ok := f.s.(backend.RangeLister)
	if !ok {
		t.Skip("store does not implement backend.RangeLister")
	}
	for _, o := range rangeObjects() {
		f.put(t, f.aliceCal+o.name, o.data)
	}
	f.put(t, f.bobCal+"single.ics", event("single", "20260310T100000Z", "20260310T110000Z"))
	other := f.newCalendar(t, f.alice, "other")
	f.put(t, other+"single2.ics", event("single2", "20260310T100000Z", "20260310T110000Z"))

	// Ranges of a few lengths starting every fifth day from late 2024 to
	// early 2027, ranges open on either side at those days, the range
	// open on both sides, and one far in the future.
	type span struct{ start, end time.Time }
	var spans []span
	for d := utc("20241225T000000Z"); d.Before(utc("20270105T000000Z")); d = d.Add(5 * 24 * time.Hour) {
		for _, l := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 45 * 24 * time.Hour} {
			spans = append(spans, span{d.Add(10 * time.Hour), d.Add(10*time.Hour + l)})
		}
		spans = append(spans, span{time.Time{}, d}, span{d, time.Time{}})
	}
	spans = append(spans, span{}, span{utc("20400101T000000Z"), utc("20400201T000000Z")})

	same := func(t *testing.T, cal string) {
		t.Helper()
		nonEmpty := 0
		for _, sp := range spans {
			objs, err := f.s.ObjectsInRange(f.ctx, cal, sp.start, sp.end)
			noErr(t, "ObjectsInRange", err)
			refs, err := rl.ObjectRefsInRange(f.ctx, cal, sp.start, sp.end)
			noErr(t, "ObjectRefsInRange", err)
			if len(refs) != len(objs) {
				t.Errorf("%s [%v, %v): %d references, ObjectsInRange returns %d objects", cal, sp.start, sp.end, len(refs), len(objs))
				continue
			}
			for i, r := range refs {
				o := &objs[i]
				if r.Path != o.Path || r.ETag != o.ETag || r.Component != o.Component {
					t.Errorf("%s [%v, %v): reference %d = %+v, object %s (ETag %q, %s)",
						cal, sp.start, sp.end, i, r, o.Path, o.ETag, o.Component)
				}
			}
			if len(refs) > 0 {
				nonEmpty++
			}
		}
		if nonEmpty == 0 {
			t.Errorf("%s: no range had a candidate; the comparison proved nothing", cal)
		}
	}
	t.Run("SameAsObjectsInRange", func(t *testing.T) {
		same(t, f.aliceCal)
		same(t, other)
	})
	t.Run("AfterUpdateAndDelete", func(t *testing.T) {
		before := f.get(t, f.aliceCal+"unbounded.ics")
		after := f.put(t, f.aliceCal+"unbounded.ics", event("unbounded", "20250101T120000Z", "20250101T140000Z", "RRULE:FREQ=WEEKLY"))
		if after.ETag == before.ETag {
			t.Fatalf("rewriting unbounded.ics kept ETag %q", after.ETag)
		}
		f.put(t, f.aliceCal+"single.ics", event("single", "20261010T100000Z", "20261010T110000Z"))
		noErr(t, "DeleteObject", f.s.DeleteObject(f.ctx, f.aliceCal+"bounded.ics", ""))
		same(t, f.aliceCal)
		refs, err := rl.ObjectRefsInRange(f.ctx, f.aliceCal, time.Time{}, time.Time{})
		noErr(t, "ObjectRefsInRange", err)
		found := false
		for _, r := range refs {
			switch r.Path {
			case f.aliceCal + "bounded.ics":
				t.Errorf("deleted object %s still referenced", r.Path)
			case f.aliceCal + "unbounded.ics":
				found = true
				if r.ETag != after.ETag {
					t.Errorf("%s referenced with ETag %q, stored %q", r.Path, r.ETag, after.ETag)
				}
			}
		}
		if !found {
			t.Errorf("unbounded.ics missing from the references of an open range")
		}
	})
	t.Run("UnknownCalendar", func(t *testing.T) {
		_, err := rl.ObjectRefsInRange(f.ctx, f.alice.HomePath+"nope/", time.Unix(0, 0), time.Now())
		wantErr(t, "ObjectRefsInRange(unknown calendar)", err, backend.ErrNotFound)
	})
}
