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
