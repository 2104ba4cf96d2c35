// Package ics decodes and encodes iCalendar (RFC 5545) data as go-ical's
// types (*ical.Calendar, *ical.Component, ical.Prop), quickly and safely.
//
// It replaces go-ical's Decoder and Encoder everywhere in this module:
// go-ical's decoder panics on some malformed parameters, has no limits and
// allocates heavily, and its encoder neither folds long lines nor accepts
// every value it decodes.
//
// # Decoding
//
// Decode parses data holding exactly one VCALENDAR; DecodeOptions.Decode does
// the same with other limits. Lines end in CRLF or a bare LF; a line starting
// with a space or tab continues the previous one. Property, parameter and
// component names are upper-cased (ASCII), as go-ical does; parameter values
// lose their quotes and are RFC 6868-decoded (^n, ^', ^^); property values
// are kept raw, escapes included. Every error is a *SyntaxError with the line
// number, matching ErrSyntax with errors.Is (and ErrLimit when a limit was
// exceeded); Decode never panics.
//
// On valid input the result is reflect.DeepEqual to what go-ical's decoder
// returns, except that parameter values are RFC 6868-decoded (go-ical keeps
// the carets). Decode rejects input go-ical accepts when it holds:
//   - invalid UTF-8, or an ASCII control character other than HTAB (a bare
//     CR included) anywhere but in line endings;
//   - a property, parameter or component name with a character other than
//     the ASCII letters, digits and '-' of RFC 5545's iana-token and x-name
//     (and '_', which some producers use), or an empty component name;
//   - an END whose name matches its BEGIN only under Unicode case folding;
//   - anything but blank lines after END:VCALENDAR (go-ical stops reading);
//   - more than a DecodeOptions limit allows.
//
// With DecodeOptions.ShareParams (DecodeShared), properties written alike
// share one Params map, which the caller must then treat as read-only.
//
// It accepts a leading UTF-8 byte order mark and a final fold space, which
// make go-ical fail.
//
// The strings of a decoded calendar are substrings of one copy of the input
// where they can be (unfolded lines and upper-cased names are fresh), so
// keeping any of them keeps that copy alive.
//
// # Encoding
//
// Encode, EncodeTo, AppendComponent and AppendProperty write CRLF line
// endings and fold lines at 75 octets without splitting UTF-8 sequences.
// Output is deterministic: PRODID, VERSION, CALSCALE, METHOD, UID,
// RECURRENCE-ID, DTSTAMP and SEQUENCE lead, in that order, then the other
// properties by name; parameters are sorted by name. Parameter values are
// quoted when needed and RFC 6868-encoded, so that for any calendar Decode
// returns, Decode(Encode(cal)) is equal to it. Values built by hand that a
// content line cannot carry are repaired rather than refused: line breaks in
// a value become the TEXT escape \n (^n in a parameter value), invalid UTF-8
// becomes U+FFFD, other control characters but HTAB are dropped. Names are
// written as they are: callers must use valid ones (letters, digits,
// '-', '_').
package ics
