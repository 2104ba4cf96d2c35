package memory_test

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/backend/backendtest"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Store { return memory.New() })
}
