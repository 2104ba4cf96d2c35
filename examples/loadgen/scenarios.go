package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// eventBase is the start of the week in which loadgen's events lie; the
// free-busy requests ask for that week.
var eventBase = time.Date(2032, 1, 5, 8, 0, 0, 0, time.UTC)

// generator runs scenarios against one server.
type generator struct {
	cfg    *config
	client *http.Client
	stderr io.Writer
	runID  string // makes UIDs unique across runs on one database

	created atomic.Int64 // events created by organizer-put

	errMu    sync.Mutex
	errShown int
}

// job is one timed request; it returns an error for a failed request.
type job func(ctx context.Context, i int) error

// scenario runs the named scenario and returns what it measured.
func (g *generator) scenario(ctx context.Context, name string) (*result, error) {
	switch name {
	case "organizer-put":
		return g.load(ctx, name, g.maxJobs(), g.organizerPut), nil
	case "attendee-accept":
		n := int(g.created.Load())
		if n == 0 {
			// Not preceded by organizer-put: create the invitations
			// first, untimed.
			r := g.load(ctx, "setup", g.countOrDefault(), g.organizerPut)
			if r.errors > 0 {
				return nil, fmt.Errorf("creating invitations: %d errors", r.errors)
			}
			n = int(g.created.Load())
		}
		copies := make([]*attendeeCopy, n)
		prep := g.load(ctx, "setup", n, func(ctx context.Context, i int) error {
			c, err := g.fetchCopy(ctx, i)
			copies[i] = c
			return err
		})
		if prep.errors > 0 {
			return nil, fmt.Errorf("reading the attendees' copies: %d errors", prep.errors)
		}
		return g.load(ctx, name, n, func(ctx context.Context, i int) error { return g.accept(ctx, copies[i]) }), nil
	case "freebusy-post":
		return g.load(ctx, name, g.maxJobs(), g.freebusyPost), nil
	}
	return nil, fmt.Errorf("unknown scenario %q", name)
}

// maxJobs is the number of jobs of a scenario: -n, or the bound when it
// runs for -duration.
func (g *generator) maxJobs() int {
	if g.cfg.duration > 0 {
		return maxRequests
	}
	return g.cfg.requests
}

// countOrDefault is -n, or 1000 in -duration mode, for setup work.
func (g *generator) countOrDefault() int {
	if g.cfg.duration > 0 {
		return 1000
	}
	return g.cfg.requests
}

// load runs jobs 0..n-1 on -c workers (until -duration has passed, if
// set; setup runs always finish) and measures each.
func (g *generator) load(ctx context.Context, name string, n int, fn job) *result {
	var deadline time.Time
	if g.cfg.duration > 0 && name != "setup" {
		deadline = time.Now().Add(g.cfg.duration)
	}
	var next atomic.Int64
	per := make([][]time.Duration, g.cfg.clients)
	errs := make([]int, g.cfg.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < g.cfg.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n || (!deadline.IsZero() && time.Now().After(deadline)) {
					return
				}
				t0 := time.Now()
				err := fn(ctx, i)
				d := time.Since(t0)
				if err != nil {
					errs[w]++
					g.showError(name, err)
					continue
				}
				per[w] = append(per[w], d)
			}
		}(w)
	}
	wg.Wait()
	r := &result{name: name, elapsed: time.Since(start)}
	for w := range per {
		r.latencies = append(r.latencies, per[w]...)
		r.errors += errs[w]
	}
	return r
}

// showError prints the first few failures.
func (g *generator) showError(name string, err error) {
	g.errMu.Lock()
	defer g.errMu.Unlock()
	if g.errShown < 5 {
		fmt.Fprintf(g.stderr, "%s: %v\n", name, err)
	}
	g.errShown++
}

// party returns the organizer of event i and its three attendees.
func (g *generator) party(i int) (account, [3]account) {
	u := g.cfg.users
	return u[i%len(u)], [3]account{u[(i+1)%len(u)], u[(i+2)%len(u)], u[(i+3)%len(u)]}
}

// uid returns the UID of event i (made of characters the server keeps as
// the resource name of the attendees' copies).
func (g *generator) uid(i int) string { return fmt.Sprintf("loadgen-%s-%d", g.runID, i) }

// organizerPut creates event i: an organizer inviting three attendees.
func (g *generator) organizerPut(ctx context.Context, i int) error {
	org, att := g.party(i)
	start := eventBase.Add(time.Duration(i%160) * time.Hour)
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autoschedule//loadgen//EN",
		"BEGIN:VEVENT",
		"UID:" + g.uid(i),
		"DTSTAMP:20310101T000000Z",
		"DTSTART:" + start.Format("20060102T150405Z"),
		"DTEND:" + start.Add(30*time.Minute).Format("20060102T150405Z"),
		"SUMMARY:Load test meeting " + fmt.Sprint(i),
		"ORGANIZER:" + org.Addresses[0],
		"ATTENDEE;PARTSTAT=ACCEPTED:" + org.Addresses[0],
	}
	for _, a := range att {
		lines = append(lines, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"+a.Addresses[0])
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR", "")
	path := "/" + org.Username + "/calendars/default/" + g.uid(i) + ".ics"
	_, _, err := g.do(ctx, org, http.MethodPut, path, strings.Join(lines, "\r\n"), "text/calendar; charset=utf-8",
		[]string{"If-None-Match", "*"}, http.StatusCreated)
	if err == nil {
		g.created.Add(1)
	}
	return err
}

// attendeeCopy is an invitation as one attendee holds it, ready to accept.
type attendeeCopy struct {
	who  account
	path string
	etag string
	data string // with the attendee's PARTSTAT set to ACCEPTED
}

// fetchCopy reads the copy of event i of one of its attendees and prepares
// the accepting version.
func (g *generator) fetchCopy(ctx context.Context, i int) (*attendeeCopy, error) {
	_, att := g.party(i)
	who := att[i%3]
	path := "/" + who.Username + "/calendars/default/" + g.uid(i) + ".ics"
	body, hdr, err := g.do(ctx, who, http.MethodGet, path, "", "", nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	data, ok := acceptAs(body, who.Addresses[0])
	if !ok {
		return nil, fmt.Errorf("%s: no ATTENDEE line for %s awaiting an answer", path, who.Addresses[0])
	}
	return &attendeeCopy{who: who, path: path, etag: hdr.Get("ETag"), data: data}, nil
}

// acceptAs returns ics with addr's ATTENDEE PARTSTAT set to ACCEPTED.
func acceptAs(ics, addr string) (string, bool) {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(ics, "\r\n", "\n"), "\n ", ""), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(strings.TrimSpace(l)), strings.ToLower(addr)) &&
			strings.Contains(l, "PARTSTAT=NEEDS-ACTION") {
			lines[i] = strings.Replace(l, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1)
			found = true
		}
	}
	return strings.Join(lines, "\r\n"), found
}

// accept stores the accepting copy (the server sends the reply).
func (g *generator) accept(ctx context.Context, c *attendeeCopy) error {
	var cond []string
	if c.etag != "" {
		cond = []string{"If-Match", c.etag}
	}
	_, _, err := g.do(ctx, c.who, http.MethodPut, c.path, c.data, "text/calendar; charset=utf-8", cond,
		http.StatusNoContent, http.StatusOK, http.StatusCreated)
	return err
}

// freebusyPost asks for the busy time of three users over the week of the
// events.
func (g *generator) freebusyPost(ctx context.Context, i int) error {
	org, att := g.party(i)
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autoschedule//loadgen//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY",
		fmt.Sprintf("UID:loadgen-fb-%s-%d", g.runID, i),
		"DTSTAMP:20310101T000000Z",
		"DTSTART:" + eventBase.Truncate(24*time.Hour).Format("20060102T150405Z"),
		"DTEND:" + eventBase.Truncate(24*time.Hour).Add(7*24*time.Hour).Format("20060102T150405Z"),
		"ORGANIZER:" + org.Addresses[0],
	}
	for _, a := range att {
		lines = append(lines, "ATTENDEE:"+a.Addresses[0])
	}
	lines = append(lines, "END:VFREEBUSY", "END:VCALENDAR", "")
	body, _, err := g.do(ctx, org, http.MethodPost, "/"+org.Username+"/calendars/outbox/", strings.Join(lines, "\r\n"),
		"text/calendar; charset=utf-8", nil, http.StatusOK)
	if err == nil && !strings.Contains(body, "schedule-response") {
		err = fmt.Errorf("free-busy answer is not a schedule-response: %.200s", body)
	}
	return err
}

// do sends one request as who and checks the status.
func (g *generator) do(ctx context.Context, who account, method, path, body, contentType string, headers []string, want ...int) (string, http.Header, error) {
	u := *g.cfg.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	req.SetBasicAuth(who.Username, who.Password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := g.client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return "", nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	for _, w := range want {
		if res.StatusCode == w {
			return string(data), res.Header, nil
		}
	}
	return "", nil, fmt.Errorf("%s %s: status %d: %.300s", method, path, res.StatusCode, data)
}
