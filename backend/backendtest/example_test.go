package backendtest_test

import (
	"fmt"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend/backendtest"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// conformance is what a store author writes as TestConformance in their
// own package: Run with a constructor returning a fresh, empty store.
func conformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backendtest.Store {
		s := memory.New() // a fresh, empty store for every subtest
		return s
	})
}

func Example() {
	// In a _test.go file of the store's package:
	//
	//	func TestConformance(t *testing.T) { conformance(t) }
	//
	// The concurrency tests start this many writers at once:
	fmt.Println(backendtest.Writers)
	// Output: 50
}

var _ = conformance
