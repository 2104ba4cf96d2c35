package ics

import (
	"errors"
	"fmt"
)

// SyntaxError reports iCalendar data that cannot be decoded. Every
// SyntaxError matches ErrSyntax with errors.Is; one caused by a decoding limit
// (see DecodeOptions) also matches ErrLimit.
type SyntaxError struct {
	Line int    // 1-based line where the faulty content line starts, 0 when unknown
	Msg  string // what is wrong

	limit bool // a DecodeOptions limit was exceeded
}

// Error formats the error as "ics: line N: message".
func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ics: line %d: %s", e.Line, e.Msg)
	}
	return "ics: " + e.Msg
}

// ErrSyntax matches every *SyntaxError with errors.Is.
var ErrSyntax = errors.New("ics: invalid iCalendar data")

// ErrLimit matches, with errors.Is, the *SyntaxError returned when the data
// exceeds one of the limits of DecodeOptions (nesting depth, line length,
// number of properties, components or parameter values). Callers serving
// HTTP may map it to 413 rather than 400.
var ErrLimit = errors.New("ics: iCalendar data exceeds a decoding limit")

// Is makes errors.Is(err, ErrSyntax) true for every SyntaxError, and
// errors.Is(err, ErrLimit) true for those caused by a decoding limit.
func (e *SyntaxError) Is(target error) bool {
	return target == ErrSyntax || (e.limit && target == ErrLimit)
}
