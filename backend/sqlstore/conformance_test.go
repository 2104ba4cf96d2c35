package sqlstore

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/backend/backendtest"
)

// TestConformance runs the backend conformance suite against both
// databases; each subtest gets a fresh SQLite file or PostgreSQL schema.
func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			backendtest.Run(t, func(t *testing.T) backendtest.Store { return d.open(t) })
		})
	}
}
