package tz

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// FuzzParse feeds arbitrary values, TZIDs and VTIMEZONE bodies through the
// resolver: it must never panic, every error must be typed, and a result
// must be a real instant.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ics"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		s := string(data)
		if i, j := strings.Index(s, "BEGIN:VTIMEZONE"), strings.Index(s, "END:VTIMEZONE"); i >= 0 && j > i {
			body := s[i:j]
			if k := strings.Index(body, "BEGIN:STANDARD"); k > 0 {
				if l := strings.Index(body, "BEGIN:DAYLIGHT"); l > 0 && l < k {
					k = l
				}
				f.Add("20260329T023000", "Fuzz Zone", body[k:])
			}
		}
	}
	f.Add("20261025T023000", "Europe/Berlin", "")
	f.Add("20260101", "W. Europe Standard Time", "")
	f.Add("20260101T000000Z", "", "")
	f.Add("99991231T235959", "Fuzz Zone", "BEGIN:STANDARD\nDTSTART:99991231T000000\nTZOFFSETFROM:-2359\nTZOFFSETTO:+2359\nRRULE:FREQ=YEARLY;BYYEARDAY=366\nEND:STANDARD\n")
	f.Fuzz(func(t *testing.T, value, tzid, body string) {
		raw := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Fuzz Zone\r\n" +
			strings.ReplaceAll(body, "\n", "\r\n") + "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
		cal, err := ics.Decode([]byte(raw))
		if err != nil {
			cal = nil
		}
		r := NewResolver(cal)
		for _, id := range []string{tzid, "Fuzz Zone"} {
			v, err := r.ParseDateTime(value, id, time.UTC)
			if err != nil {
				if !errors.Is(err, ErrUnknownTZID) && !errors.Is(err, ErrInvalidValue) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if v.Time.IsZero() {
				t.Fatalf("zero time for %q", value)
			}
			_ = v.Time.UTC().Format(time.RFC3339)
		}
	})
}
