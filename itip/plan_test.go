package itip

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/itip/plan")

const planDir = "../testdata/itip/plan"

// planCase is case.json: the options of one golden case.
type planCase struct {
	Description         string   `json:"description"`
	Addresses           []string `json:"addresses"`
	Now                 string   `json:"now"`
	MaxAttendees        int      `json:"maxAttendees,omitempty"`
	Floating            string   `json:"floating,omitempty"`
	SuppressReply       bool     `json:"suppressReply,omitempty"`
	MergeAttendeeStatus bool     `json:"mergeAttendeeStatus,omitempty"`
	AllowPartstat       bool     `json:"allowOrganizerPartstat,omitempty"`
}

// planExpect is expected.json: the decision and a manifest of the messages,
// whose content is in NN-METHOD-recipient.ics files beside it.
type planExpect struct {
	Error       string            `json:"error,omitempty"`
	Role        string            `json:"role,omitempty"`
	Operation   string            `json:"operation,omitempty"`
	Rescheduled bool              `json:"rescheduled,omitempty"`
	Stored      bool              `json:"stored"`
	Messages    []messageManifest `json:"messages"`
}

type messageManifest struct {
	File       string   `json:"file"`
	Method     string   `json:"method"`
	Originator string   `json:"originator"`
	Recipients []string `json:"recipients"`
	Update     string   `json:"update"`
}

func (c *planCase) options(t testing.TB) PlanOptions {
	now, floating := caseClock(t, c.Now, c.Floating)
	return PlanOptions{
		Addresses: c.Addresses, Now: now, MaxAttendees: c.MaxAttendees,
		SuppressReply: c.SuppressReply, MergeAttendeeStatus: c.MergeAttendeeStatus,
		AllowOrganizerPartstat: c.AllowPartstat, Floating: floating,
	}
}

func readCal(t testing.TB, path string) *ical.Calendar {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	// Decoded as the schedule package decodes: identical lines share
	// their parameter maps, which nothing may write into.
	cal, err := ics.DecodeShared(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cal
}

func planCaseDirs(t testing.TB) []string { return caseDirs(t, planDir) }

func loadCase(t testing.TB, dir string) (planCase, *ical.Calendar, *ical.Calendar) {
	var c planCase
	readCaseJSON(t, dir, &c)
	return c, readCal(t, filepath.Join(dir, "old.ics")), readCal(t, filepath.Join(dir, "new.ics"))
}

// TestPlanGolden runs every case of testdata/itip/plan and compares the
// decision, the stored object and the messages semantically.
func TestPlanGolden(t *testing.T) {
	dirs := planCaseDirs(t)
	if len(dirs) < 40 {
		t.Errorf("only %d golden cases, want at least 40", len(dirs))
	}
	for _, dir := range dirs {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c, old, new := loadCase(t, dir)
			oldBefore, newBefore := encodeOrNil(old), encodeOrNil(new)
			act, err := Plan(old, new, c.options(t))
			planned := err == nil
			defer func() {
				if planned {
					// What a caller does next: record delivery statuses.
					for _, m := range act.Messages {
						for _, r := range m.Recipients {
							act.SetStatus(r, "2.0")
						}
					}
				}
				if !bytes.Equal(oldBefore, encodeOrNil(old)) || !bytes.Equal(newBefore, encodeOrNil(new)) {
					t.Error("Plan or SetStatus modified an input")
				}
			}()
			got := planExpect{Messages: []messageManifest{}}
			files := map[string][]byte{}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v is not an *itip.Error", err)
				}
				got.Error = string(e.Condition)
			} else {
				checkInvariants(t, act, c.options(t))
				got.Role, got.Operation, got.Rescheduled = act.Role.String(), act.Operation.String(), act.Rescheduled
				if act.Object != nil {
					got.Stored = true
					files["stored.ics"] = ics.Encode(act.Object)
				}
				for i, m := range act.Messages {
					name := fmt.Sprintf("%02d-%s-%s.ics", i+1, m.Method, fileSafe(m.Recipients[0]))
					got.Messages = append(got.Messages, messageManifest{
						File: name, Method: m.Method, Originator: m.Originator,
						Recipients: m.Recipients, Update: m.Update.String(),
					})
					files[name] = m.Bytes()
				}
			}
			manifest, _ := json.MarshalIndent(got, "", "  ")
			manifest = append(manifest, '\n')
			if *update {
				writeGolden(t, dir, manifest, files)
				return
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatalf("no expected.json (run with -update): %v", err)
			}
			var wantExp planExpect
			if err := json.Unmarshal(want, &wantExp); err != nil {
				t.Fatal(err)
			}
			if !manifestEqual(wantExp, got) {
				t.Errorf("decision differs\nwant %s\ngot  %s", want, manifest)
			}
			for name, data := range files {
				wantData, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if w, g := canonicalICS(t, wantData), canonicalICS(t, data); w != g {
					t.Errorf("%s differs\nwant:\n%s\ngot:\n%s", name, w, g)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "stored.ics")); err == nil && files["stored.ics"] == nil {
				t.Errorf("stored.ics expected, nothing to store")
			}
		})
	}
}

func manifestEqual(a, b planExpect) bool {
	if a.Error != b.Error || a.Role != b.Role || a.Operation != b.Operation || a.Rescheduled != b.Rescheduled || a.Stored != b.Stored || len(a.Messages) != len(b.Messages) {
		return false
	}
	for i := range a.Messages {
		x, y := a.Messages[i], b.Messages[i]
		if x.File != y.File || x.Method != y.Method || !caladdr.Equal(x.Originator, y.Originator) || x.Update != y.Update || len(x.Recipients) != len(y.Recipients) {
			return false
		}
		for j := range x.Recipients {
			if !caladdr.Equal(x.Recipients[j], y.Recipients[j]) {
				return false
			}
		}
	}
	return true
}

func writeGolden(t *testing.T, dir string, manifest []byte, files map[string][]byte) {
	old, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9]-*.ics"))
	for _, f := range append(old, filepath.Join(dir, "stored.ics")) {
		os.Remove(f)
	}
	if err := os.WriteFile(filepath.Join(dir, "expected.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fileSafe(addr string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '@' {
			return r
		}
		return '_'
	}, strings.ToLower(addr))
}

// canonicalICS renders iCalendar data in a canonical text: DTSTAMP
// dropped, properties, parameters and parameter values sorted, address
// values normalised, sibling components sorted.
func canonicalICS(t testing.TB, data []byte) string {
	cal, err := ics.Decode(data)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return canonicalComponent(cal.Component, "")
}

func canonicalComponent(c *ical.Component, indent string) string {
	var lines []string
	for name, props := range c.Props {
		if name == ical.PropDateTimeStamp {
			continue
		}
		for _, p := range props {
			var ps []string
			for k, vs := range p.Params {
				vs = append([]string(nil), vs...)
				sort.Strings(vs)
				ps = append(ps, k+"="+strings.Join(vs, ","))
			}
			sort.Strings(ps)
			v := p.Value
			if name == ical.PropAttendee || name == ical.PropOrganizer {
				v = caladdr.Normalize(v)
			}
			lines = append(lines, indent+"  "+name+";"+strings.Join(ps, ";")+":"+v)
		}
	}
	sort.Strings(lines)
	var children []string
	for _, child := range c.Children {
		children = append(children, canonicalComponent(child, indent+"  "))
	}
	sort.Strings(children)
	return indent + "BEGIN:" + c.Name + "\n" + strings.Join(lines, "\n") + "\n" + strings.Join(children, "") + indent + "END:" + c.Name + "\n"
}

// checkInvariants asserts what must hold for every plan, whatever the case.
func checkInvariants(t *testing.T, act *Actions, opts PlanOptions) {
	t.Helper()
	if act.Object != nil {
		for _, c := range act.Object.Children {
			for _, name := range []string{ical.PropAttendee, ical.PropOrganizer} {
				for _, p := range c.Props[name] {
					if _, ok := p.Params[ParamScheduleForceSend]; ok {
						t.Errorf("stored object keeps SCHEDULE-FORCE-SEND on %s", p.Value)
					}
				}
			}
		}
	}
	for _, m := range act.Messages {
		if len(m.Recipients) == 0 {
			t.Errorf("%s without recipients", m.Method)
		}
		for _, r := range m.Recipients {
			if caladdr.NewSet(opts.Addresses...).Has(r) {
				t.Errorf("%s sent to the owner %s", m.Method, r)
			}
		}
		data := m.Bytes()
		if &data[0] != &m.Bytes()[0] {
			t.Errorf("Bytes is not cached")
		}
		for _, line := range bytes.Split(data, []byte("\r\n")) {
			if len(line) > 75 {
				t.Errorf("line longer than 75 octets: %q", line)
			}
			if bytes.Contains(line, []byte("SCHEDULE-")) {
				t.Errorf("message carries a scheduling parameter: %q", line)
			}
		}
		cal, err := ics.Decode(data)
		if err != nil {
			t.Fatalf("message does not decode: %v", err)
		}
		for _, name := range []string{ical.PropMethod, ical.PropProductID, ical.PropVersion} {
			if cal.Props.Get(name) == nil {
				t.Errorf("message without %s", name)
			}
		}
		if got := cal.Props.Get(ical.PropMethod).Value; got != m.Method {
			t.Errorf("METHOD %s in a %s message", got, m.Method)
		}
		tzids := map[string]bool{}
		for _, c := range cal.Children {
			if c.Name == ical.CompTimezone {
				tzids[c.Props.Get(ical.PropTimezoneID).Value] = true
			}
		}
		for _, c := range cal.Children {
			if c.Name == ical.CompTimezone {
				continue
			}
			if c.Props.Get(ical.PropDateTimeStamp) == nil {
				t.Errorf("%s component without DTSTAMP", m.Method)
			}
			for _, props := range c.Props {
				for _, p := range props {
					// An unresolvable TZID (tolerated only when the stored
					// version already used it) can get no VTIMEZONE.
					if id := p.Params.Get(ical.ParamTimezoneID); id != "" && !tzids[id] && !isIANA(id) && resolvable(id) {
						t.Errorf("TZID %s without VTIMEZONE", id)
					}
				}
			}
		}
		if _, err := ParseMessage(cal); err != nil {
			t.Errorf("message does not parse back: %v", err)
		}
	}
}

// resolvable reports whether id names a zone without any VTIMEZONE.
func resolvable(id string) bool {
	_, err := tz.NewResolver(nil).Location(id)
	return err == nil
}

func isIANA(id string) bool {
	_, err := time.LoadLocation(id)
	return err == nil
}

// TestSetStatus checks that delivery status lands on every component where
// the recipient appears, and only for that recipient.
func TestSetStatus(t *testing.T) {
	dir := filepath.Join(planDir, "org-override-only-attendee")
	c, old, new := loadCase(t, dir)
	act, err := Plan(old, new, c.options(t))
	if err != nil {
		t.Fatal(err)
	}
	act.SetStatus("MAILTO:Bob@Example.org", StatusDelivered)
	n := 0
	for _, comp := range act.Object.Children {
		for _, p := range comp.Props[ical.PropAttendee] {
			got := p.Params.Get(ParamScheduleStatus)
			if caladdr.Equal(p.Value, "mailto:bob@example.org") {
				n++
				if got != StatusDelivered {
					t.Errorf("bob's SCHEDULE-STATUS = %q in %s", got, comp.Props.Get(ical.PropRecurrenceID))
				}
			} else if got == StatusDelivered {
				t.Errorf("%s got bob's status", p.Value)
			}
		}
	}
	if n < 2 {
		t.Errorf("bob appears in %d components, the case needs at least 2", n)
	}
}

// TestPlanDoesNotModifyInput checks that Plan works on copies.
func TestPlanDoesNotModifyInput(t *testing.T) {
	for _, dir := range planCaseDirs(t) {
		c, old, new := loadCase(t, dir)
		enc := func(cal *ical.Calendar) []byte {
			if cal == nil {
				return nil
			}
			return ics.Encode(cal)
		}
		beforeOld, beforeNew := enc(old), enc(new)
		act, err := Plan(old, new, c.options(t))
		if err != nil {
			continue
		}
		for _, m := range act.Messages {
			for _, r := range m.Recipients {
				act.SetStatus(r, StatusDelivered)
			}
		}
		if !bytes.Equal(beforeOld, enc(old)) || !bytes.Equal(beforeNew, enc(new)) {
			t.Errorf("%s: Plan or SetStatus modified its input", filepath.Base(dir))
		}
	}
}

// TestSetStatusAttendee checks that an attendee's delivery status lands on
// the ORGANIZER of every component, not on the organizer's ATTENDEE entry.
func TestSetStatusAttendee(t *testing.T) {
	c, old, new := loadCase(t, filepath.Join(planDir, "rfc6638-b7-attendee-declines-instance"))
	act, err := Plan(old, new, c.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(act.Messages) != 1 {
		t.Fatalf("%d messages", len(act.Messages))
	}
	act.SetStatus(act.Messages[0].Recipients[0], StatusSent)
	n := 0
	for _, comp := range act.Object.Children {
		if org := comp.Props.Get(ical.PropOrganizer); org != nil {
			n++
			if got := org.Params.Get(ParamScheduleStatus); got != StatusSent {
				t.Errorf("ORGANIZER SCHEDULE-STATUS = %q", got)
			}
		}
		for _, a := range comp.Props[ical.PropAttendee] {
			if a.Params.Get(ParamScheduleStatus) != "" {
				t.Errorf("ATTENDEE %s got a SCHEDULE-STATUS", a.Value)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d components with ORGANIZER, want 2", n)
	}
	// The message was serialised before SetStatus changed the object:
	// its content must not change.
	if strings.Contains(string(act.Messages[0].Bytes()), "SCHEDULE-STATUS") {
		t.Error("SetStatus leaked into a message")
	}
}

// TestPlanSharesMessages checks that recipients of identical content share
// one Message (one serialisation), and the default attendee limit.
func TestPlanSharesMessages(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cal, err := ics.Decode(benchEvent(1000, 0, "NEEDS-ACTION"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Plan(nil, cal, PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: now})
	if !errors.Is(err, MaxAttendeesPerInstance) {
		t.Fatalf("1000 attendees with the default limit of %d: %v", DefaultMaxAttendees, err)
	}
	act, err := Plan(nil, cal, PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: now, MaxAttendees: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(act.Messages) != 1 || len(act.Messages[0].Recipients) != 999 {
		t.Fatalf("%d messages, want one shared by 999 recipients", len(act.Messages))
	}
}

// TestPlanAttendeeEditInOneOverride checks that an attendee's change to
// another attendee in a single override is refused when the overrides
// repeat identical lines (decoded with shared parameter maps, which the
// planner's comparisons remember by map).
func TestPlanAttendeeEditInOneOverride(t *testing.T) {
	old := benchEvent(5, 4, "NEEDS-ACTION")
	mine := PlanOptions{Addresses: []string{"mailto:user1@example.org"}, Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name    string
		edit    func(string) string
		refused bool
	}{
		{"own PARTSTAT everywhere", func(s string) string {
			return strings.ReplaceAll(s, "PARTSTAT=NEEDS-ACTION:mailto:user1@", "PARTSTAT=ACCEPTED:mailto:user1@")
		}, false},
		{"another attendee's CN in the last override", func(s string) string {
			i := strings.LastIndex(s, "CN=User 3;")
			return s[:i] + "CN=Someone else;" + s[i+len("CN=User 3;"):]
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			oldCal, err := ics.DecodeShared(old)
			if err != nil {
				t.Fatal(err)
			}
			newCal, err := ics.DecodeShared([]byte(c.edit(string(old))))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Plan(oldCal, newCal, mine)
			if got := errors.Is(err, AllowedAttendeeChange); got != c.refused {
				t.Fatalf("refused = %v (%v), want %v", got, err, c.refused)
			}
		})
	}
}

// TestPlanOwnerAddresses covers both forms of the owner's address list
// (a list up to fewOwnerAddresses, a set beyond) with the organizer's
// address written differently from the owner's spelling of it: the owner
// organizes, and is neither invited nor sent anything.
func TestPlanOwnerAddresses(t *testing.T) {
	cal, err := ics.Decode(benchEvent(3, 0, "NEEDS-ACTION"))
	if err != nil {
		t.Fatal(err)
	}
	for _, others := range []int{0, fewOwnerAddresses} {
		addrs := []string{"MAILTO:Alice@Example.ORG"}
		for i := 0; i < others; i++ {
			addrs = append(addrs, fmt.Sprintf("mailto:alias%d@example.org", i))
		}
		act, err := Plan(nil, cal, PlanOptions{Addresses: addrs, Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatalf("%d addresses: %v", len(addrs), err)
		}
		if act.Role != RoleOrganizer || len(act.Messages) != 1 {
			t.Fatalf("%d addresses: role %v, %d messages; want organizer, 1", len(addrs), act.Role, len(act.Messages))
		}
		if got, want := act.Messages[0].Recipients, []string{"mailto:user1@example.org", "mailto:user2@example.org"}; !slices.Equal(got, want) {
			t.Errorf("%d addresses: recipients %v, want %v", len(addrs), got, want)
		}
	}
}

// TestRegistryIDs numbers addresses across the switch from scanning to a
// map (fewParticipants): every spelling of an address gets its first id,
// before and after the switch.
func TestRegistryIDs(t *testing.T) {
	p := newPlanner(PlanOptions{})
	reg := newRegistry(p, 0)
	n := 2*fewParticipants + 1
	for i := 0; i < n; i++ {
		if got := reg.id(fmt.Sprintf("mailto:user%d@example.org", i)); got != int32(i) {
			t.Fatalf("new address %d got id %d", i, got)
		}
		for j := 0; j <= i; j++ {
			if got := reg.id(fmt.Sprintf("MAILTO:User%d@example.org", j)); got != int32(j) {
				t.Fatalf("after %d addresses, address %d got id %d", i+1, j, got)
			}
		}
	}
	if len(reg.parts) != n {
		t.Errorf("%d participants, want %d", len(reg.parts), n)
	}
}

// TestPlannerLookup checks the plan's address memory against caladdr
// before and after it moves from its list to a map (fewNorms), each
// address asked for again after every new one.
func TestPlannerLookup(t *testing.T) {
	p := newPlanner(PlanOptions{Addresses: []string{"mailto:user3@example.org"}})
	var addrs []string
	for i := 0; i < 2*fewNorms+1; i++ {
		addrs = append(addrs, fmt.Sprintf("MAILTO:User%d@Example.org", i))
		for _, a := range addrs {
			got := p.lookup(a)
			if want := caladdr.Normalize(a); got.norm != want || got.owner != (want == "mailto:user3@example.org") {
				t.Fatalf("after %d addresses, lookup(%q) = %+v, want norm %q", len(addrs), a, got, want)
			}
		}
	}
	if p.norms == nil {
		t.Errorf("%d addresses, still no map", len(addrs))
	}
}
