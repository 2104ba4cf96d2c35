package itip

import "strings"

// alarmStateProp reports the component-level properties in which calendar
// clients keep one user's alarm state, next to the VALARMs it belongs to.
// Like VALARMs they are personal (RFC 6638 §3.2.2.1 lets every attendee
// keep their own alarms): they never travel in iTIP messages, and an
// attendee's copy keeps its own values when the organizer's update is
// applied.
//
// The list: Thunderbird's X-MOZ-LASTACK (when the alarm was last
// dismissed), X-MOZ-SNOOZE-TIME and X-MOZ-SNOOZE-TIME-<instance> (when a
// snoozed alarm fires again). The RFC 9074 alarm state (ACKNOWLEDGED,
// snooze VALARMs with RELATED-TO) and Apple's X-APPLE-DEFAULT-ALARM live
// inside VALARM components, which messages drop as a whole.
func alarmStateProp(name string) bool {
	if len(name) < len("X-MOZ-LASTACK") || name[0]|0x20 != 'x' {
		return false // too short, or no X- name: no case folding needed
	}
	name = strings.ToUpper(name)
	return name == "X-MOZ-LASTACK" || strings.HasPrefix(name, "X-MOZ-SNOOZE-TIME")
}
