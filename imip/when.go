package imip

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// when is the time of an event or to-do, formatted for a reader.
type when struct {
	start, end time.Time
	allDay     bool
	text       string
	zone       string
}

// timesOf reads DTSTART and DTEND, DURATION or DUE of c and formats them
// in loc (the recipient's time zone), or in the zone of DTSTART when loc
// is nil.
func timesOf(res *tz.Resolver, c *ical.Component, loc *time.Location) when {
	var w when
	startProp := c.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		startProp = c.Props.Get(ical.PropDue)
	}
	if startProp == nil {
		return w
	}
	// DATE and floating values are wall clock times: show them as written.
	start, err := res.Parse(startProp, time.UTC)
	if err != nil {
		w.text = strings.TrimSpace(startProp.Value)
		return w
	}
	w.start = start.Time
	w.allDay = start.Kind == tz.Date
	if p := c.Props.Get(ical.PropDateTimeEnd); p != nil && c.Props.Get(ical.PropDateTimeStart) != nil {
		if end, err := res.Parse(p, time.UTC); err == nil && end.Time.After(w.start) {
			w.end = end.Time
		}
	} else if p := c.Props.Get(ical.PropDuration); p != nil {
		if d, err := p.Duration(); err == nil && d > 0 {
			w.end = w.start.Add(d)
		}
	}
	show := loc
	switch start.Kind {
	case tz.Date, tz.Floating:
		show = time.UTC // wall clock: same everywhere
	case tz.Zoned:
		if show == nil {
			show = w.start.Location()
		}
	case tz.UTC:
		if show == nil {
			show = time.UTC
		}
	}
	s, e := w.start.In(show), w.end
	if !e.IsZero() {
		e = e.In(show)
	}
	switch {
	case w.allDay:
		w.text = s.Format("Monday, 2 January 2006")
		// DTEND of a DATE event is exclusive.
		if !e.IsZero() && e.Sub(s) > 24*time.Hour+time.Hour {
			w.text += " – " + e.AddDate(0, 0, -1).Format("Monday, 2 January 2006")
		}
		w.text += " (all day)"
	case e.IsZero():
		w.text = s.Format("Monday, 2 January 2006, 15:04")
	case sameDay(s, e):
		w.text = s.Format("Monday, 2 January 2006, 15:04") + " – " + e.Format("15:04")
	default:
		w.text = s.Format("Monday, 2 January 2006, 15:04") + " – " + e.Format("Monday, 2 January 2006, 15:04")
	}
	if start.Kind != tz.Date && start.Kind != tz.Floating {
		w.zone = show.String()
		w.text += " (" + w.zone + ")"
	}
	return w
}

// sameDay reports whether a and b are on the same calendar day.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// describeRule turns an RRULE value into a short English phrase, keeping
// the raw rule for anything it does not describe.
func describeRule(rule string) string {
	rule = strings.TrimSpace(rule)
	if rule == "" {
		return ""
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(strings.ToUpper(rule), ";") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	unit := map[string]string{"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[parts["FREQ"]]
	if unit == "" {
		return clip(rule, maxTitleRunes)
	}
	s := "every " + unit
	if n := parts["INTERVAL"]; n != "" && n != "1" {
		s = "every " + n + " " + unit + "s"
	}
	if days := parts["BYDAY"]; days != "" && parts["FREQ"] == "WEEKLY" {
		s += " on " + days
	}
	if c := parts["COUNT"]; c != "" {
		s += ", " + c + " times"
	}
	if u := parts["UNTIL"]; len(u) >= 8 {
		s += ", until " + u[:4] + "-" + u[4:6] + "-" + u[6:8]
	}
	return clip(s, maxTitleRunes)
}

// changes lists what differs between the previous version of the
// scheduling object and the summary s of the new one (main is the new
// master or first component).
func changes(prev *ical.Calendar, loc *time.Location, s *Summary, main *ical.Component) []Change {
	var old *ical.Component
	uid := propValue(main, ical.PropUID)
	rid := propValue(main, ical.PropRecurrenceID)
	for _, c := range prev.Children {
		if c.Name == main.Name && propValue(c, ical.PropUID) == uid && propValue(c, ical.PropRecurrenceID) == rid {
			old = c
			break
		}
	}
	if old == nil {
		return nil
	}
	var out []Change
	add := func(field, o, n string) {
		if o != n {
			out = append(out, Change{Field: field, Old: o, New: n})
		}
	}
	add("Title", clip(textValue(old, ical.PropSummary), maxTitleRunes), s.Title)
	add("When", timesOf(tz.NewResolver(prev), old, loc).text, s.When)
	add("Where", clip(textValue(old, ical.PropLocation), maxTitleRunes), s.Location)
	add("Repeats", describeRule(propValue(old, ical.PropRecurrenceRule)), s.Repeats)
	add("Description", clip(textValue(old, ical.PropDescription), maxTextRunes), s.Description)
	var added, removed []string
	oldAtt := map[string]bool{}
	for _, a := range old.Props[ical.PropAttendee] {
		oldAtt[emailOf(a.Value)] = true
	}
	newAtt := map[string]bool{}
	for _, a := range main.Props[ical.PropAttendee] {
		e := emailOf(a.Value)
		newAtt[e] = true
		if !oldAtt[e] {
			added = append(added, e)
		}
	}
	for _, a := range old.Props[ical.PropAttendee] {
		if e := emailOf(a.Value); !newAtt[e] {
			removed = append(removed, e)
		}
	}
	if len(added) > 0 || len(removed) > 0 {
		var b strings.Builder
		if len(added) > 0 {
			b.WriteString("added " + strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString("removed " + strings.Join(removed, ", "))
		}
		out = append(out, Change{Field: "Attendees", New: clip(b.String(), maxTextRunes)})
	}
	return out
}
