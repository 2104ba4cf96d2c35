package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/freebusy"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// maxFileSize bounds each input file.
const maxFileSize = 64 << 20

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "freebusy:", err)
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run parses args, computes and writes the VFREEBUSY to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("freebusy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var users, avail listFlag
	fs.Var(&users, "user", "calendar user address of the user (repeatable), e.g. mailto:a@example.com")
	start := fs.String("start", "", "start of the range, RFC 3339 (e.g. 2026-01-05T00:00:00Z)")
	end := fs.String("end", "", "end of the range, RFC 3339")
	zone := fs.String("tz", "UTC", "the user's IANA time zone, for all-day and floating times")
	fs.Var(&avail, "availability", "file with VAVAILABILITY components (repeatable)")
	request := fs.String("request", "", "file with a VFREEBUSY request to answer (replaces -start and -end)")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: freebusy -user ADDRESS (-start T -end T | -request FILE) [-tz ZONE] [-availability FILE] FILE.ics ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(users) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: -user is required", errUsage)
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("-tz: %w", err)
	}
	q := freebusy.Query{Addresses: users, Location: loc}
	attendee := ical.NewProp(ical.PropAttendee)
	attendee.Value = users[0]
	info := freebusy.ResponseInfo{Attendee: attendee, Stamp: now}
	if *request != "" {
		cal, err := readCalendar(*request)
		if err != nil {
			return err
		}
		req, err := freebusy.ParseRequest(cal)
		if err != nil {
			return fmt.Errorf("%s: %w", *request, err)
		}
		for i := range req.Attendees {
			if caladdr.Equal(req.Attendees[i].Value, users[0]) {
				*attendee = req.Attendees[i]
			}
		}
		info = req.ResponseInfo(*attendee, now)
		q.Start, q.End = req.Start, req.End
	} else {
		if *start == "" || *end == "" {
			fs.Usage()
			return fmt.Errorf("%w: -start and -end (or -request) are required", errUsage)
		}
		if q.Start, err = time.Parse(time.RFC3339, *start); err != nil {
			return fmt.Errorf("-start: %w", err)
		}
		if q.End, err = time.Parse(time.RFC3339, *end); err != nil {
			return fmt.Errorf("-end: %w", err)
		}
		info.UID = randomUID()
		info.Start, info.End = q.Start, q.End
	}
	for _, name := range avail {
		cal, err := readCalendar(name)
		if err != nil {
			return err
		}
		q.Availability = append(q.Availability, cal)
	}
	files := fs.Args()
	objects := make([]freebusy.Object, 0, len(files))
	for _, name := range files {
		cal, err := readCalendar(name)
		if err != nil {
			return err
		}
		objects = append(objects, freebusy.Object{Calendar: cal})
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := freebusy.Compute(ctx, q, objects)
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		name := ""
		if p.Availability {
			name = avail[p.Index]
		} else {
			name = files[p.Index]
		}
		fmt.Fprintf(stderr, "freebusy: warning: %s: UID %q: %v\n", name, p.UID, p.Err)
	}
	_, err = stdout.Write(ics.Encode(freebusy.Reply(info, res.Periods)))
	return err
}

// readCalendar reads and decodes one iCalendar file.
func readCalendar(name string) (*ical.Calendar, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxFileSize)
	}
	cal, err := ics.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cal, nil
}

// randomUID returns a UID for a VFREEBUSY that answers no request.
func randomUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@freebusy"
}
