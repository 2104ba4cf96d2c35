package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixtures = "../../testdata/freebusy"

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return out.String(), errOut.String(), err
}

func files(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join(fixtures, dir, n))
	}
	return out
}

func TestRange(t *testing.T) {
	args := append([]string{"-user", "mailto:alice@example.com", "-start", "2026-01-05T00:00:00Z", "-end", "2026-01-12T00:00:00Z", "-tz", "Europe/Berlin"},
		files(t, "basic", "a.ics", "d.ics", "k.ics")...)
	out, errOut, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{
		"METHOD:REPLY",
		"BEGIN:VFREEBUSY",
		"ATTENDEE:mailto:alice@example.com",
		"DTSTART:20260105T000000Z",
		"DTEND:20260112T000000Z",
		"FREEBUSY;FBTYPE=BUSY:20260105T090000Z/20260105T100000Z",
		"FREEBUSY;FBTYPE=BUSY:20260107T230000Z/20260108T230000Z", // all-day in Berlin
		"FREEBUSY;FBTYPE=BUSY:20260110T090000Z/20260110T100000Z", // floating in Berlin
	} {
		if !strings.Contains(out, want+"\r\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Secret") || strings.Contains(out, "Room 42") || strings.Contains(out, "basic-a") {
		t.Errorf("output leaks event data:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
}

func TestRequest(t *testing.T) {
	args := append([]string{"-user", "MAILTO:Bernard@example.net", "-request", filepath.Join(fixtures, "rfc6638-b5-bernard", "request.ics")},
		files(t, "rfc6638-b5-bernard", "paris.ics", "review.ics", "lunch.ics", "late1.ics", "late2.ics")...)
	out, errOut, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{
		"UID:4FD3AD926350",
		"ORGANIZER;CN=Cyrus Daboo:mailto:cyrus@example.com",
		"ATTENDEE;CN=Bernard Desruisseaux:mailto:bernard@example.net",
		"FREEBUSY;FBTYPE=BUSY:20090602T150000Z/20090602T160000Z",
		"FREEBUSY;FBTYPE=BUSY:20090603T090000Z/20090603T100000Z",
		"FREEBUSY;FBTYPE=BUSY:20090603T180000Z/20090603T190000Z",
	} {
		if !strings.Contains(out, want+"\r\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "FREEBUSY;"); n != 3 {
		t.Errorf("%d FREEBUSY lines, want 3:\n%s", n, out)
	}
}

func TestProblemsAndAvailability(t *testing.T) {
	args := []string{"-user", "mailto:alice@example.com", "-start", "2026-01-05T00:00:00Z", "-end", "2026-01-10T00:00:00Z",
		"-tz", "Europe/Berlin", "-availability", filepath.Join(fixtures, "availability-basic", "avail.ics"),
		filepath.Join(fixtures, "tzid-non-iana", "bad.ics"), filepath.Join(fixtures, "availability-basic", "meeting.ics")}
	out, errOut, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "bad.ics") || !strings.Contains(errOut, "tzid-bad") {
		t.Errorf("stderr does not report bad.ics: %q", errOut)
	}
	for _, want := range []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260105T000000Z/20260105T080000Z",
		"FREEBUSY;FBTYPE=BUSY:20260107T090000Z/20260107T100000Z",
	} {
		if !strings.Contains(out, want+"\r\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-user", "mailto:a@x"},
		{"-user", "mailto:a@x", "-start", "yesterday", "-end", "2026-01-12T00:00:00Z"},
		{"-user", "mailto:a@x", "-start", "2026-01-12T00:00:00Z", "-end", "2026-01-05T00:00:00Z"},
		{"-user", "mailto:a@x", "-tz", "Nowhere/Land", "-start", "2026-01-05T00:00:00Z", "-end", "2026-01-12T00:00:00Z"},
		{"-user", "mailto:a@x", "-start", "2026-01-05T00:00:00Z", "-end", "2026-01-12T00:00:00Z", "missing.ics"},
		{"-user", "mailto:a@x", "-request", filepath.Join(fixtures, "basic", "a.ics")},
	} {
		out, _, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
		if out != "" {
			t.Errorf("%v: output despite the error: %s", args, out)
		}
	}
	if _, _, err := runCLI(t); !errors.Is(err, errUsage) {
		t.Errorf("no -user: %v, want errUsage", err)
	}
}
