package itip

import "time"

// utcDateTime formats t as an RFC 5545 UTC DATE-TIME, "20060102T150405Z",
// as t.UTC().Format would, without parsing the layout each time (Plan
// writes one per message and per derived instance).
func utcDateTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format("20060102T150405Z")
	}
	hour, min, sec := t.Clock()
	var b [16]byte
	put := func(at, v, digits int) {
		for i := at + digits - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	put(4, int(month), 2)
	put(6, day, 2)
	b[8] = 'T'
	put(9, hour, 2)
	put(11, min, 2)
	put(13, sec, 2)
	b[15] = 'Z'
	return string(b[:])
}
