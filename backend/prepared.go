package backend

import (
	"bytes"
	"context"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// Prepared is calendar object data together with the Index that
// MakeIndexContext computes from it. A writer that stores the same bytes
// more than once (the copy of one invitation for each of its recipients)
// prepares them once and passes the result in PutOptions.Prepared, so that
// stores index the data once instead of parsing it again for every write.
//
// Its fields are unexported and it holds its own copy of the data: a
// Prepared comes only from Prepare, so its Index always matches its data.
type Prepared struct {
	data []byte
	idx  Index
}

// Prepare validates and indexes data as MakeIndexContext does, and
// returns it prepared for PutOptions.Prepared. It keeps a copy of data.
func Prepare(ctx context.Context, data []byte) (*Prepared, error) {
	idx, err := MakeIndexContext(ctx, data)
	if err != nil {
		return nil, err
	}
	return &Prepared{data: bytes.Clone(data), idx: idx}, nil
}

// PrepareCalendar encodes cal (ics.Encode, as it is to be stored) and
// indexes it with IndexCalendar, without parsing the encoding again: for
// a writer that already holds the decoded calendar. cal must be as
// ics.Decode returns it, or built like it (upper-case component and
// property names): its Index is then the one MakeIndexContext computes
// from the encoding, which FuzzPrepareCalendar checks.
func PrepareCalendar(ctx context.Context, cal *ical.Calendar) (*Prepared, error) {
	idx, err := IndexCalendar(ctx, cal)
	if err != nil {
		return nil, err
	}
	return &Prepared{data: ics.Encode(cal), idx: idx}, nil
}

// Data returns the prepared bytes: pass this very slice to PutObject with
// the Prepared in its options. It is shared, not copied: do not modify it.
func (p *Prepared) Data() []byte { return p.data }

// Index returns the Index of the prepared bytes.
func (p *Prepared) Index() Index { return p.idx }

// matches reports whether data is the prepared slice itself (same first
// byte and length), which nobody but p's holder can have changed.
func (p *Prepared) matches(data []byte) bool {
	return p != nil && len(p.data) == len(data) && len(data) > 0 && &p.data[0] == &data[0]
}

// IndexFor returns the Index of data for a write with opts: the prepared
// one when opts.Prepared holds data itself (see Prepared.Data), else
// MakeIndexContext(ctx, data). opts may be nil. Stores call it on every
// write instead of MakeIndexContext.
func IndexFor(ctx context.Context, data []byte, opts *PutOptions) (Index, error) {
	if opts != nil && opts.Prepared.matches(data) {
		return opts.Prepared.idx, nil
	}
	return MakeIndexContext(ctx, data)
}
