package tz

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// zoneinfoZip is the IANA time zone database as shipped with the Go
// toolchain ($GOROOT/lib/time/zoneinfo.zip, public-domain tz data, one
// TZif file per zone name, uncompressed). It is embedded so that every
// build resolves names identically, whatever the host has in
// /usr/share/zoneinfo or $ZONEINFO, and even on hosts with none: importing
// time/tzdata would only be used by time.LoadLocation as a fallback after
// the host's own database. Refresh it by copying
// $(go env GOROOT)/lib/time/zoneinfo.zip from a newer Go release. Zones
// are parsed on first use and shared through ianaCache.
//
//go:embed zoneinfo.zip
var zoneinfoZip []byte

// maxTZifSize bounds one zone file read from the embedded archive.
const maxTZifSize = 1 << 20

// zoneIndex maps the lower-cased IANA name of every zone in the embedded
// archive to its entry. It is built once, on first use, and only read
// afterwards.
var zoneIndex = sync.OnceValues(func() (map[string]*zip.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(zoneinfoZip), int64(len(zoneinfoZip)))
	if err != nil {
		return nil, fmt.Errorf("tz: embedded zoneinfo: %w", err)
	}
	idx := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		idx[strings.ToLower(f.Name)] = f
	}
	return idx, nil
})

// loadIANA returns the zone an IANA name (matched case-insensitively)
// denotes, from the embedded database. ok is false for unknown names.
func loadIANA(name string) (loc *time.Location, ok bool, err error) {
	idx, err := zoneIndex()
	if err != nil {
		return nil, false, err
	}
	f := idx[strings.ToLower(name)]
	if f == nil {
		return nil, false, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false, fmt.Errorf("%w: embedded zoneinfo %s: %v", ErrUnknownTZID, f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxTZifSize))
	if err != nil {
		return nil, false, fmt.Errorf("%w: embedded zoneinfo %s: %v", ErrUnknownTZID, f.Name, err)
	}
	loc, err = time.LoadLocationFromTZData(f.Name, data)
	if err != nil {
		return nil, false, fmt.Errorf("%w: embedded zoneinfo %s: %v", ErrUnknownTZID, f.Name, err)
	}
	if fat, err := expandTransitions(f.Name, loc, data); err == nil {
		loc = fat
	}
	return loc, true, nil
}

// IANAName reports whether name is a zone of the embedded IANA database
// (case-insensitively) and returns its canonical spelling.
func IANAName(name string) (string, bool) {
	idx, err := zoneIndex()
	if err != nil {
		return "", false
	}
	f := idx[strings.ToLower(name)]
	if f == nil {
		return "", false
	}
	return f.Name, true
}

// ianaCache holds the zones already read from the embedded database. It
// only grows, is bounded by the number of zone names, and holds immutable
// *time.Location values, so sharing it between resolvers is safe.
var ianaCache sync.Map // lower-cased name → *time.Location

// ianaLocation is loadIANA with the shared cache in front.
func ianaLocation(name string) (*time.Location, bool, error) {
	key := strings.ToLower(name)
	if v, ok := ianaCache.Load(key); ok {
		return v.(*time.Location), true, nil
	}
	loc, ok, err := loadIANA(name)
	if err != nil || !ok {
		return nil, ok, err
	}
	ianaCache.Store(key, loc)
	return loc, true, nil
}

// The embedded zone files are "slim": transitions stop at the last change
// of rules and a POSIX TZ footer describes the rest, which the time
// package re-parses on every lookup outside a small cache. expandTransitions
// rebuilds a zone with explicit transitions from fatFrom to fatUntil (and
// the same footer after), so that conversions in that range are a binary
// search. The result is equal to loc at every instant.
var (
	fatFrom  = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	fatUntil = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxFatTransitions bounds the transitions of one expanded zone.
const maxFatTransitions = 2000

func expandTransitions(name string, loc *time.Location, data []byte) (*time.Location, error) {
	footer := ""
	if i := bytes.LastIndexByte(data[:len(data)-1], '\n'); i >= 0 && data[len(data)-1] == '\n' {
		footer = string(data[i+1 : len(data)-1])
	}
	typeOf := map[zoneType]int{}
	types := []zoneType{zoneTypeAt(fatFrom, loc)} // [0]: before the first transition
	var trans []transition
	for t := fatFrom; t.Before(fatUntil); {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(fatUntil) {
			break
		}
		if !end.After(t) { // a transition that changes nothing visible
			t = t.Add(time.Minute)
			continue
		}
		zt := zoneTypeAt(end, loc)
		k, ok := typeOf[zt]
		if !ok {
			types = append(types, zt)
			k = len(types) - 1
			typeOf[zt] = k
		}
		if len(trans) >= maxFatTransitions || len(types) > 255 {
			return nil, fmt.Errorf("tz: %s: too many transitions", name)
		}
		trans = append(trans, transition{at: end.Unix(), kind: k})
		t = end
	}
	return loadTZif(name, types, trans, footer)
}

func zoneTypeAt(t time.Time, loc *time.Location) zoneType {
	lt := t.In(loc)
	abbr, off := lt.Zone()
	return zoneType{offset: off, isDST: lt.IsDST(), abbr: abbr}
}
