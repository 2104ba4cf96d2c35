package freebusy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/freebusy")

const goldenDir = "../testdata/freebusy"

// goldenQuery is query.json of a golden case.
type goldenQuery struct {
	Comment      string   `json:"comment"`
	Start        string   `json:"start"` // RFC 3339; taken from request.ics when empty
	End          string   `json:"end"`
	Addresses    []string `json:"addresses"`
	TZ           string   `json:"tz"`           // IANA name; UTC when empty
	Transparent  []string `json:"transparent"`  // object files in transparent calendars
	Availability []string `json:"availability"` // VAVAILABILITY files
	Request      string   `json:"request"`      // a VFREEBUSY request; expected.ics holds the reply
	Limits       struct {
		MaxSteps     int `json:"maxSteps"`
		MaxInstances int `json:"maxInstances"`
	} `json:"limits"`
	// MaxDuration fails the case when computing takes more CPU time
	// (e.g. "50ms"); not checked under the race detector.
	MaxDuration string `json:"maxDuration"`
}

// goldenCase is a loaded case directory.
type goldenCase struct {
	dir     string
	query   Query
	files   []string // object file names, in Compute order
	objects []Object
	avail   []string
	req     *Request
	maxDur  time.Duration
}

func decodeFile(t testing.TB, path string) *ical.Calendar {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Decode(crlf(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cal
}

// crlf turns bare LF line ends into CRLF, so fixtures may be edited freely.
func crlf(data []byte) []byte {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
}

func loadCase(t testing.TB, dir string) *goldenCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "query.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gq goldenQuery
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&gq); err != nil {
		t.Fatalf("%s/query.json: %v", dir, err)
	}
	gc := &goldenCase{dir: dir, avail: gq.Availability}
	q := &gc.query
	q.Addresses = gq.Addresses
	q.Limits = recurrence.Limits{MaxSteps: gq.Limits.MaxSteps, MaxInstances: gq.Limits.MaxInstances}
	if gq.TZ != "" {
		if q.Location, err = time.LoadLocation(gq.TZ); err != nil {
			t.Fatal(err)
		}
	}
	if gq.MaxDuration != "" {
		if gc.maxDur, err = time.ParseDuration(gq.MaxDuration); err != nil {
			t.Fatal(err)
		}
	}
	if gq.Request != "" {
		req, err := ParseRequest(decodeFile(t, filepath.Join(dir, gq.Request)))
		if err != nil {
			t.Fatalf("%s: %v", gq.Request, err)
		}
		gc.req = req
		q.Start, q.End = req.Start, req.End
	}
	if gq.Start != "" {
		if q.Start, err = time.Parse(time.RFC3339, gq.Start); err != nil {
			t.Fatal(err)
		}
		if q.End, err = time.Parse(time.RFC3339, gq.End); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range gq.Availability {
		q.Availability = append(q.Availability, decodeFile(t, filepath.Join(dir, name)))
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.ics"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		name := filepath.Base(p)
		if name == "expected.ics" || name == gq.Request || slices.Contains(gq.Availability, name) {
			continue
		}
		gc.files = append(gc.files, name)
		gc.objects = append(gc.objects, Object{
			Calendar:    decodeFile(t, p),
			Transparent: slices.Contains(gq.Transparent, name),
		})
	}
	return gc
}

// problemKind names the class of a problem, stable across error wording.
func problemKind(err error) string {
	switch {
	case errors.Is(err, recurrence.ErrLimit):
		return "limit"
	case errors.Is(err, tz.ErrUnknownTZID):
		return "unknown-tzid"
	case errors.Is(err, tz.ErrInvalidValue):
		return "invalid-value"
	case errors.Is(err, recurrence.ErrInvalid):
		return "invalid-recurrence"
	default:
		return "other"
	}
}

// render writes the periods, then one line per problem.
func (gc *goldenCase) render(res *Result) string {
	var b strings.Builder
	for _, p := range res.Periods {
		fmt.Fprintln(&b, p)
	}
	for _, pr := range res.Problems {
		file := ""
		if pr.Availability {
			file = gc.avail[pr.Index]
		} else {
			file = gc.files[pr.Index]
		}
		fmt.Fprintf(&b, "problem %s %s %s\n", file, pr.UID, problemKind(pr.Err))
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(goldenDir, "*", "query.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, qp := range dirs {
		dir := filepath.Dir(qp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			gc := loadCase(t, dir)
			cpu := startCPU()
			res, err := Compute(context.Background(), gc.query, gc.objects)
			took := cpu.elapsed()
			if err != nil {
				t.Fatal(err)
			}
			if gc.maxDur > 0 && cpuTimeAvailable && !raceEnabled {
				// CPU time, not wall time: the machine may be shared and
				// overloaded. Best of three runs.
				for i := 0; i < 2 && took > gc.maxDur; i++ {
					cpu = startCPU()
					if _, err := Compute(context.Background(), gc.query, gc.objects); err != nil {
						t.Fatal(err)
					}
					took = min(took, cpu.elapsed())
				}
				if took > gc.maxDur {
					t.Errorf("took %v of CPU time, limit %v", took, gc.maxDur)
				}
			}
			checkInvariants(t, gc.query, res.Periods)
			compareGolden(t, filepath.Join(dir, "expected.txt"), gc.render(res))
			if gc.req != nil {
				gc.checkReply(t, res.Periods)
			}
		})
	}
}

// checkInvariants checks what every result must satisfy.
func checkInvariants(t *testing.T, q Query, periods []Period) {
	t.Helper()
	last := map[Type]time.Time{}
	for i, p := range periods {
		if p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Errorf("period %v not in UTC", p)
		}
		if !p.End.After(p.Start) || p.Start.Before(q.Start) || p.End.After(q.End) {
			t.Errorf("period %v empty or outside the query range", p)
		}
		if p.Type == Free {
			t.Errorf("FREE period %v reported", p)
		}
		if prev, ok := last[p.Type]; ok && !p.Start.After(prev) {
			t.Errorf("period %v overlaps or touches the previous one of its type", p)
		}
		last[p.Type] = p.End
		if i > 0 && comparePeriods(periods[i-1], p) > 0 {
			t.Errorf("periods not sorted at %d", i)
		}
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// checkReply builds the VFREEBUSY reply for the case's first address and
// compares it with expected.ics, ignoring DTSTAMP and property order.
func (gc *goldenCase) checkReply(t *testing.T, periods []Period) {
	t.Helper()
	var attendee *ical.Prop
	for i := range gc.req.Attendees {
		if caladdr.Equal(gc.req.Attendees[i].Value, gc.query.Addresses[0]) {
			attendee = &gc.req.Attendees[i]
		}
	}
	if attendee == nil {
		t.Fatalf("request has no ATTENDEE %s", gc.query.Addresses[0])
	}
	stamp := time.Date(2009, 6, 2, 20, 7, 33, 0, time.UTC)
	info := gc.req.ResponseInfo(*attendee, stamp)
	info.ProdID = "-//Example Corp.//CalDAV Server//EN"
	reply := Reply(info, periods)
	got := ics.Encode(reply)
	path := filepath.Join(gc.dir, "expected.ics")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := decodeFile(t, path)
	if diff := semanticDiff(want.Component, reply.Component); diff != "" {
		t.Errorf("reply differs from %s: %s\ngot:\n%s", path, diff, got)
	}
	// Nothing of the user's events leaks into the reply.
	for _, obj := range gc.objects {
		for _, c := range obj.Calendar.Children {
			for _, name := range []string{"SUMMARY", "LOCATION", "DESCRIPTION", "UID"} {
				if v := propValue(c, name); v != "" && bytes.Contains(got, []byte(v)) {
					t.Errorf("reply leaks %s %q", name, v)
				}
			}
		}
	}
}

// semanticDiff compares two components: names, properties as multisets
// of (name, sorted parameters, value) ignoring DTSTAMP, and children in
// order. It returns "" when they are equal.
func semanticDiff(want, got *ical.Component) string {
	if want.Name != got.Name {
		return fmt.Sprintf("component %s, want %s", got.Name, want.Name)
	}
	w, g := propLines(want), propLines(got)
	if !slices.Equal(w, g) {
		return fmt.Sprintf("%s properties:\n got %q\nwant %q", want.Name, g, w)
	}
	if len(want.Children) != len(got.Children) {
		return fmt.Sprintf("%s has %d children, want %d", want.Name, len(got.Children), len(want.Children))
	}
	for i := range want.Children {
		if d := semanticDiff(want.Children[i], got.Children[i]); d != "" {
			return d
		}
	}
	return ""
}

func propLines(c *ical.Component) []string {
	var out []string
	for name, props := range c.Props {
		if name == "DTSTAMP" {
			continue
		}
		for _, p := range props {
			var params []string
			for k, v := range p.Params {
				params = append(params, k+"="+strings.Join(v, ","))
			}
			slices.Sort(params)
			out = append(out, name+";"+strings.Join(params, ";")+":"+p.Value)
		}
	}
	slices.Sort(out)
	return out
}
