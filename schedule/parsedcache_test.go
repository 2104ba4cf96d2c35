package schedule

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestParsedCache(t *testing.T) {
	data := []byte(busyEvent("a", "20090602T110000Z", "20090602T120000Z"))
	cost := int64(len(data)) * parsedCostFactor
	c := newParsedCache(3 * cost)

	first, ok := c.decode("/u/c/a.ics", "e1", data)
	if !ok || first == nil {
		t.Fatal("valid object did not parse")
	}
	if again, _ := c.decode("/u/c/a.ics", "e1", data); again != first {
		t.Error("same path and ETag parsed again")
	}
	if other, _ := c.decode("/u/c/a.ics", "e2", data); other == first {
		t.Error("a new ETag was served the old parse")
	}
	if n, size := c.stats(); n != 1 || size != cost {
		t.Errorf("after a rewrite: %d entries, %d octets; want 1, %d", n, size, cost)
	}

	// Broken data is remembered as broken.
	bad := []byte("BEGIN:VCALENDAR\r\ngarbage\r\n")
	if cal, ok := c.decode("/u/c/bad.ics", "b1", bad); ok || cal != nil {
		t.Error("garbage parsed")
	}
	if _, _, hit := c.get("/u/c/bad.ics", "b1"); !hit {
		t.Error("a broken object is not remembered")
	}

	// Least recently used entries go first.
	c.decode("/u/c/b.ics", "e1", data)
	c.decode("/u/c/a.ics", "e2", data) // a is now the most recent
	c.decode("/u/c/c.ics", "e1", data)
	if _, _, hit := c.get("/u/c/bad.ics", "b1"); hit {
		t.Error("the least recently used entry was kept")
	}
	if _, _, hit := c.get("/u/c/a.ics", "e2"); !hit {
		t.Error("a recently used entry was evicted")
	}
	if _, size := c.stats(); size > 3*cost {
		t.Errorf("size %d over the limit %d", size, 3*cost)
	}

	// Objects without an ETag and objects larger than the cache are
	// parsed but not kept.
	c.decode("/u/c/noetag.ics", "", data)
	huge := []byte(strings.Replace(string(data), "SUMMARY:busy", "SUMMARY:"+strings.Repeat("x", int(3*cost)), 1))
	if _, ok := c.decode("/u/c/huge.ics", "h", huge); !ok {
		t.Error("large object did not parse")
	}
	for _, path := range []string{"/u/c/noetag.ics", "/u/c/huge.ics"} {
		if _, _, hit := c.get(path, "h"); hit {
			t.Errorf("%s cached", path)
		}
	}
}

func TestParsedCacheDisabled(t *testing.T) {
	c := newParsedCache(-1)
	if c != nil {
		t.Fatal("negative limit made a cache")
	}
	data := []byte(busyEvent("a", "20090602T110000Z", "20090602T120000Z"))
	a, ok := c.decode("/p", "e", data)
	b, _ := c.decode("/p", "e", data)
	if !ok || a == b {
		t.Error("nil cache must parse every time")
	}
	if n, _ := c.stats(); n != 0 {
		t.Error("nil cache holds entries")
	}
	if d := newParsedCache(0); d.limit != DefaultFreeBusyCacheSize {
		t.Errorf("default limit %d", d.limit)
	}
}

// TestParsedCacheConcurrent decodes, rewrites and evicts from many
// goroutines (run with -race).
func TestParsedCacheConcurrent(t *testing.T) {
	data := []byte(busyEvent("a", "20090602T110000Z", "20090602T120000Z"))
	c := newParsedCache(20 * int64(len(data)) * parsedCostFactor)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				path := fmt.Sprintf("/u/c/%d.ics", (g*7+i)%40)
				cal, ok := c.decode(path, fmt.Sprint(i%3), data)
				if !ok || len(cal.Children) != 1 {
					t.Error("bad parse from the cache")
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if n, size := c.stats(); n > 20 || size > c.limit {
		t.Errorf("%d entries, %d octets over the limit %d", n, size, c.limit)
	}
}
