package freebusy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// b5Request is the busy-time request of RFC 6638 Appendix B.5.
const b5Request = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example Corp.//CalDAV Client//EN
METHOD:REQUEST
BEGIN:VFREEBUSY
UID:4FD3AD926350
DTSTAMP:20090602T190420Z
DTSTART:20090602T000000Z
DTEND:20090604T000000Z
ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com
ATTENDEE;CN="Wilfredo Sanchez Vega":mailto:wilfredo@example.com
ATTENDEE;CN="Bernard Desruisseaux":mailto:bernard@example.net
ATTENDEE;CN="Mike Douglass":mailto:mike@example.org
END:VFREEBUSY
END:VCALENDAR
`

func parseRequestText(t *testing.T, text string) (*Request, error) {
	t.Helper()
	cal, err := ics.Decode(crlf([]byte(text)))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return ParseRequest(cal)
}

func TestParseRequestB5(t *testing.T) {
	req, err := parseRequestText(t, b5Request)
	if err != nil {
		t.Fatal(err)
	}
	if req.UID != "4FD3AD926350" {
		t.Errorf("UID %q", req.UID)
	}
	if want := time.Date(2009, 6, 2, 0, 0, 0, 0, time.UTC); !req.Start.Equal(want) {
		t.Errorf("Start %v, want %v", req.Start, want)
	}
	if want := time.Date(2009, 6, 4, 0, 0, 0, 0, time.UTC); !req.End.Equal(want) {
		t.Errorf("End %v, want %v", req.End, want)
	}
	if req.Organizer.Value != "mailto:cyrus@example.com" || req.Organizer.Params.Get("CN") != "Cyrus Daboo" {
		t.Errorf("Organizer %+v", req.Organizer)
	}
	var got []string
	for _, a := range req.Attendees {
		got = append(got, a.Value)
	}
	if strings.Join(got, " ") != "mailto:wilfredo@example.com mailto:bernard@example.net mailto:mike@example.org" {
		t.Errorf("Attendees %v", got)
	}
}

func TestParseRequestTZID(t *testing.T) {
	text := strings.Replace(b5Request, "DTSTART:20090602T000000Z", "DTSTART;TZID=Europe/Berlin:20090602T020000", 1)
	req, err := parseRequestText(t, text)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2009, 6, 2, 0, 0, 0, 0, time.UTC); !req.Start.Equal(want) || req.Start.Location() != time.UTC {
		t.Errorf("Start %v, want %v in UTC", req.Start, want)
	}
}

func TestParseRequestErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old with new in b5Request
		property string // RequestError.Property expected
		cause    error  // wrapped cause expected, if any
	}{
		{"method reply", "METHOD:REQUEST", "METHOD:REPLY", "METHOD", nil},
		{"method missing", "METHOD:REQUEST\n", "", "METHOD", nil},
		{"todo instead", "VFREEBUSY", "VTODO", "VTODO", nil},
		{"no vfreebusy", "VFREEBUSY", "VTIMEZONE", "VFREEBUSY", nil},
		{"two vfreebusy", "END:VFREEBUSY\n", "END:VFREEBUSY\nBEGIN:VFREEBUSY\nUID:x\nEND:VFREEBUSY\n", "VFREEBUSY", nil},
		{"event", "END:VFREEBUSY\n", "END:VFREEBUSY\nBEGIN:VEVENT\nUID:x\nEND:VEVENT\n", "VEVENT", nil},
		{"uid missing", "UID:4FD3AD926350\n", "", "UID", nil},
		{"uid twice", "UID:4FD3AD926350\n", "UID:4FD3AD926350\nUID:other\n", "UID", nil},
		{"dtstart missing", "DTSTART:20090602T000000Z\n", "", "DTSTART", nil},
		{"dtend missing", "DTEND:20090604T000000Z\n", "", "DTEND", nil},
		{"dtstart date", "DTSTART:20090602T000000Z", "DTSTART;VALUE=DATE:20090602", "DTSTART", nil},
		{"dtstart floating", "DTSTART:20090602T000000Z", "DTSTART:20090602T000000", "DTSTART", nil},
		{"dtstart garbage", "DTSTART:20090602T000000Z", "DTSTART:tomorrow", "DTSTART", tz.ErrInvalidValue},
		{"dtend unknown tzid", "DTEND:20090604T000000Z", "DTEND;TZID=Nowhere/Land:20090604T000000", "DTEND", tz.ErrUnknownTZID},
		{"dtend before dtstart", "DTEND:20090604T000000Z", "DTEND:20090601T000000Z", "DTEND", nil},
		{"dtend equals dtstart", "DTEND:20090604T000000Z", "DTEND:20090602T000000Z", "DTEND", nil},
		{"organizer missing", "ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com\n", "", "ORGANIZER", nil},
		{"attendees missing", "ATTENDEE;CN=\"Wilfredo Sanchez Vega\":mailto:wilfredo@example.com\nATTENDEE;CN=\"Bernard Desruisseaux\":mailto:bernard@example.net\nATTENDEE;CN=\"Mike Douglass\":mailto:mike@example.org\n", "", "ATTENDEE", nil},
		{"attendee empty", "ATTENDEE;CN=\"Mike Douglass\":mailto:mike@example.org", "ATTENDEE;CN=\"Mike Douglass\":", "ATTENDEE", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(b5Request, tt.old) {
				t.Fatalf("test broken: %q not in the request", tt.old)
			}
			n := 1
			if tt.old == "VFREEBUSY" {
				n = -1 // BEGIN and END
			}
			_, err := parseRequestText(t, strings.Replace(b5Request, tt.old, tt.new, n))
			var re *RequestError
			if !errors.As(err, &re) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("error %v, want a *RequestError", err)
			}
			if re.Property != tt.property {
				t.Errorf("Property %q, want %q (%v)", re.Property, tt.property, err)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v does not wrap %v", err, tt.cause)
			}
		})
	}
}

func TestParseRequestNil(t *testing.T) {
	if _, err := ParseRequest(nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("error %v", err)
	}
}
