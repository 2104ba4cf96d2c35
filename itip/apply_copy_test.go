package itip

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// mutateInPlace overwrites, in place, every property value, parameter
// value and parameter map of c and its sub-components, as a careless
// caller editing a calendar might.
func mutateInPlace(c *ical.Component) {
	for _, props := range c.Props {
		for i := range props {
			props[i].Value = "MUTATED"
			for _, v := range props[i].Params {
				for j := range v {
					v[j] = "MUTATED"
				}
			}
			if props[i].Params != nil {
				props[i].Params["X-MUTATED"] = []string{"1"}
			}
		}
	}
	for _, ch := range c.Children {
		mutateInPlace(ch)
	}
}

// TestApplyResultSharesNothingMutable applies every golden case, then
// edits the result in place: neither the message nor the stored copy may
// change, nor the messages Apply returned. Then it edits the message and
// the stored copy in place: the result may not change. (A caller delivers
// one parsed REQUEST to many recipients and edits the copies it stores.)
func TestApplyResultSharesNothingMutable(t *testing.T) {
	for _, dir := range applyCaseDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c, msg, existing := loadApplyCase(t, dir)
			res, err := Apply(msg, existing, c.Recipient, c.options(t))
			if err != nil {
				return
			}
			msgBefore, existingBefore := ics.Encode(msg), encodeOrNil(existing)
			var sent [][]byte
			for _, m := range res.Refresh {
				sent = append(sent, bytes.Clone(m.Bytes()))
			}
			if res.Calendar == nil {
				return
			}
			result := ics.Encode(res.Calendar)
			mutateInPlace(res.Calendar.Component)
			if !bytes.Equal(msgBefore, ics.Encode(msg)) {
				t.Fatal("editing the result changed the message")
			}
			if !bytes.Equal(existingBefore, encodeOrNil(existing)) {
				t.Fatal("editing the result changed the stored copy")
			}
			for i, m := range res.Refresh {
				if !bytes.Equal(sent[i], m.Bytes()) {
					t.Fatal("editing the result changed a message to deliver")
				}
			}
			res2, err := Apply(msg, existing, c.Recipient, c.options(t))
			if err != nil || res2.Calendar == nil {
				t.Fatalf("second Apply: %v", err)
			}
			mutateInPlace(msg.Component)
			if existing != nil {
				mutateInPlace(existing.Component)
			}
			if !bytes.Equal(result, ics.Encode(res2.Calendar)) {
				t.Fatal("editing the message or the stored copy changed the result")
			}
		})
	}
}

// TestApplyCreatedCopyIsTheSameForEveryRecipient backs the promise of
// Apply's documentation: a REQUEST creating copies for several attendees
// creates the same copy for each.
func TestApplyCreatedCopyIsTheSameForEveryRecipient(t *testing.T) {
	msg, err := ics.Decode([]byte(strings.Replace(benchWeeklyOverrides(5, 3), "PRODID:-//bench//EN\r\n", "PRODID:-//bench//EN\r\nMETHOD:REQUEST\r\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := 0; i < 5; i++ {
		res, err := Apply(msg, nil, fmt.Sprintf("mailto:a%d@example.com", i), ApplyOptions{})
		if err != nil || res.Outcome != OutcomeCreated {
			t.Fatalf("a%d: %v %v", i, res, err)
		}
		data := ics.Encode(res.Calendar)
		if first == nil {
			first = data
		} else if !bytes.Equal(first, data) {
			t.Fatalf("a%d gets another copy:\n%s", i, lineDiff(string(first), string(data)))
		}
	}
}
