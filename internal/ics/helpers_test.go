package ics

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// decodeGoIcal decodes data with go-ical's own decoder, turning its panics
// into errors, and RFC 6868-decodes parameter values (which go-ical leaves
// alone) so that the result compares with Decode's.
func decodeGoIcal(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("go-ical panicked: %v", r)
		}
	}()
	cal, err = ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, err
	}
	decodeCarets(cal.Component)
	return cal, nil
}

func decodeCarets(c *ical.Component) {
	for _, props := range c.Props {
		for _, p := range props {
			for _, vs := range p.Params {
				for i, v := range vs {
					if strings.Contains(v, "^") {
						vs[i] = decodeCaret(v)
					}
				}
			}
		}
	}
	for _, child := range c.Children {
		decodeCarets(child)
	}
}

// fixtures returns the realistic calendars of testdata/*.ics by file name.
func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.ics"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	m := make(map[string][]byte, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		m[filepath.Base(p)] = data
	}
	return m
}
