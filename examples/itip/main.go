// Command itip runs the iTIP engine of package itip on files, to see what
// a CalDAV server with automatic scheduling would store and send.
//
//	itip plan [-old OLD.ics] [-new NEW.ics] -user mailto:a@example.com [-user …] [-json]
//	itip apply -message MSG.ics [-existing CUR.ics] -recipient mailto:b@example.com [-json]
//
// plan shows the scheduling operation a write of OLD → NEW by the owner of
// the addresses given with -user amounts to: every message (method,
// originator, recipients, full or status-only, the iCalendar text) and
// the object to store. apply shows what an incoming message does to the
// recipient's copy: the outcome, the copy to store and the messages that
// follow from it.
//
// Both accept -now (RFC 3339, the DTSTAMP of generated messages) and
// -floating (the IANA time zone of floating times). A refused write or
// message prints the CalDAV precondition it violates and exits with
// status 1; a usage error exits with status 2.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Exit statuses.
const (
	exitOK           = 0
	exitPrecondition = 1 // the engine refused the data
	exitUsage        = 2 // bad command line or unreadable file
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "plan":
		return runPlan(args[1:], stdout, stderr)
	case "apply":
		return runApply(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "itip: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  itip plan  [-old OLD.ics] [-new NEW.ics] -user ADDRESS [-user ADDRESS …] [-json] [-now TIME] [-floating ZONE]
  itip apply -message MSG.ics [-existing CUR.ics] -recipient ADDRESS [-json] [-now TIME] [-floating ZONE]
             [-originator ADDRESS] [-accept-non-attendee]
`)
}

// addresses is a repeatable string flag.
type addresses []string

func (a *addresses) String() string     { return strings.Join(*a, ",") }
func (a *addresses) Set(v string) error { *a = append(*a, v); return nil }

// common holds the flags both commands take.
type common struct {
	json     bool
	now      string
	floating string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.json, "json", false, "print JSON instead of text")
	fs.StringVar(&c.now, "now", "", "current time, RFC 3339 (default: the real clock)")
	fs.StringVar(&c.floating, "floating", "", "IANA time zone of floating times (default UTC)")
}

func (c *common) parse() (time.Time, *time.Location, error) {
	var now time.Time
	var loc *time.Location
	var err error
	if c.now != "" {
		if now, err = time.Parse(time.RFC3339, c.now); err != nil {
			return now, nil, fmt.Errorf("-now: %w", err)
		}
	}
	if c.floating != "" {
		if loc, err = time.LoadLocation(c.floating); err != nil {
			return now, nil, fmt.Errorf("-floating: %w", err)
		}
	}
	return now, loc, nil
}

func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("itip plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	var users addresses
	oldPath := fs.String("old", "", "the stored version of the resource (absent: it is being created)")
	newPath := fs.String("new", "", "the version being written (absent: it is being deleted)")
	fs.Var(&users, "user", "a calendar user address of the owner (repeatable, at least one)")
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if len(users) == 0 || (*oldPath == "" && *newPath == "") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "itip plan: need -user and at least one of -old and -new")
		return exitUsage
	}
	now, loc, err := c.parse()
	if err != nil {
		fmt.Fprintln(stderr, "itip plan:", err)
		return exitUsage
	}
	oldCal, code := readCalendar(*oldPath, stderr)
	if code != exitOK {
		return code
	}
	newCal, code := readCalendar(*newPath, stderr)
	if code != exitOK {
		return code
	}
	act, err := itip.Plan(oldCal, newCal, itip.PlanOptions{Addresses: users, Now: now, Floating: loc})
	if err != nil {
		return refused(err, c.json, stdout, stderr)
	}
	out := report{Role: act.Role.String(), Operation: act.Operation.String(), Rescheduled: &act.Rescheduled,
		Messages: messages(act.Messages), Store: text(act.Object)}
	return out.print(c.json, stdout)
}

func runApply(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("itip apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	msgPath := fs.String("message", "", "the incoming iTIP message (required)")
	curPath := fs.String("existing", "", "the recipient's stored copy (absent: none)")
	recipient := fs.String("recipient", "", "the calendar user address of the recipient (required)")
	originator := fs.String("originator", "", "the authenticated sender the message must come from")
	acceptCrasher := fs.Bool("accept-non-attendee", false, "accept a REPLY from someone who is not an attendee")
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *msgPath == "" || *recipient == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "itip apply: need -message and -recipient")
		return exitUsage
	}
	now, loc, err := c.parse()
	if err != nil {
		fmt.Fprintln(stderr, "itip apply:", err)
		return exitUsage
	}
	msg, code := readCalendar(*msgPath, stderr)
	if code != exitOK {
		return code
	}
	cur, code := readCalendar(*curPath, stderr)
	if code != exitOK {
		return code
	}
	res, err := itip.Apply(msg, cur, *recipient, itip.ApplyOptions{Now: now, Floating: loc,
		Originator: *originator, AcceptReplyFromNonAttendee: *acceptCrasher})
	if err != nil {
		return refused(err, c.json, stdout, stderr)
	}
	statusOnly := res.StatusOnly
	out := report{Method: res.Method, Outcome: res.Outcome.String(), StatusOnly: &statusOnly, Reason: res.Reason,
		Messages: messages(res.Refresh), Store: text(res.Calendar)}
	return out.print(c.json, stdout)
}

// readCalendar reads and decodes path; "" gives nil. Unreadable files are
// usage errors; undecodable data is refused as valid-calendar-data.
func readCalendar(path string, stderr io.Writer) (*ical.Calendar, int) {
	if path == "" {
		return nil, exitOK
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "itip:", err)
		return nil, exitUsage
	}
	cal, err := ics.Decode(data)
	if err != nil {
		fmt.Fprintf(stderr, "itip: precondition %s: %s: %v\n", string(itip.ValidCalendarData), path, err)
		return nil, exitPrecondition
	}
	return cal, exitOK
}

// refused reports an error of the engine: its precondition and message.
func refused(err error, asJSON bool, stdout, stderr io.Writer) int {
	condition := "unknown"
	var e *itip.Error
	if errors.As(err, &e) {
		condition = string(e.Condition)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]string{"precondition": condition, "error": err.Error()})
	}
	fmt.Fprintf(stderr, "itip: precondition %s: %s\n", condition, strings.TrimPrefix(err.Error(), "itip: "+condition+": "))
	return exitPrecondition
}

// report is what both commands print.
type report struct {
	Role        string    `json:"role,omitempty"`
	Operation   string    `json:"operation,omitempty"`
	Rescheduled *bool     `json:"rescheduled,omitempty"`
	Method      string    `json:"method,omitempty"`
	Outcome     string    `json:"outcome,omitempty"`
	StatusOnly  *bool     `json:"statusOnly,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Messages    []message `json:"messages"`
	Store       *string   `json:"store"` // the object to store; null: nothing
}

// message is one iTIP message to deliver.
type message struct {
	Method     string   `json:"method"`
	Originator string   `json:"originator"`
	Recipients []string `json:"recipients"`
	Update     string   `json:"update"`
	Calendar   string   `json:"calendar"`
}

func messages(ms []*itip.Message) []message {
	out := make([]message, 0, len(ms))
	for _, m := range ms {
		out = append(out, message{Method: m.Method, Originator: m.Originator, Recipients: m.Recipients,
			Update: m.Update.String(), Calendar: string(m.Bytes())})
	}
	return out
}

func text(cal *ical.Calendar) *string {
	if cal == nil {
		return nil
	}
	s := string(ics.Encode(cal))
	return &s
}

func (r *report) print(asJSON bool, w io.Writer) int {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return exitUsage
		}
		return exitOK
	}
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	line("role", r.Role)
	line("operation", r.Operation)
	if r.Rescheduled != nil {
		line("rescheduled", fmt.Sprint(*r.Rescheduled))
	}
	line("method", r.Method)
	line("outcome", r.Outcome)
	if r.StatusOnly != nil {
		line("status-only", fmt.Sprint(*r.StatusOnly))
	}
	line("reason", r.Reason)
	for i, m := range r.Messages {
		fmt.Fprintf(w, "--- message %d: %s from %s to %s (%s)\n", i+1, m.Method, m.Originator,
			strings.Join(m.Recipients, ", "), m.Update)
		fmt.Fprint(w, strings.ReplaceAll(m.Calendar, "\r\n", "\n"))
	}
	if r.Store != nil {
		fmt.Fprintln(w, "--- store")
		fmt.Fprint(w, strings.ReplaceAll(*r.Store, "\r\n", "\n"))
	} else {
		fmt.Fprintln(w, "--- store: nothing")
	}
	return exitOK
}
